#pragma once

// Prometheus's file_sd_configs: target groups read from JSON or YAML files
// named by globs, re-read when a watched directory changes (inotify) and at
// least every refresh_interval. Every group gets `__meta_filepath` and the
// source "<file>:<index>". A file that cannot be read or parsed keeps the
// groups it last produced (as Prometheus does) and its error is reported by
// errors() until it reads cleanly again.
//
// Thread-safety: start()/stop() from one owner thread; refresh(), groups()
// and errors() may be called from any thread. The update callback runs on
// the watcher thread (or on the caller's thread inside start()).

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/config/prometheus_config.h"
#include "core/scrape/target_group.h"
#include "core/util/status.h"

namespace vigil::scrape {

// The label file SD sets on every group.
inline constexpr std::string_view kMetaFilepath = "__meta_filepath";

// Parses one target group file. The format comes from the extension (.json,
// .yml, .yaml). Errors name the file and, where known, the line:
// "targets.yml:3: \"1bad\" is not a valid label name".
Result<std::vector<TargetGroup>> parseTargetGroupFile(std::string_view text,
                                                      const std::string& path);

class FileSd {
public:
    using UpdateFn = std::function<void(const std::vector<TargetGroup>&)>;

    FileSd(config::FileSdConfig config, UpdateFn onUpdate);
    ~FileSd();  // stops
    FileSd(const FileSd&) = delete;
    FileSd& operator=(const FileSd&) = delete;

    // Reads the files once (calling onUpdate with the result) and starts the
    // watcher thread.
    void start();
    void stop();

    // Expands the globs and reads every file now. Returns true when the
    // groups changed (onUpdate is then called).
    bool refresh();

    std::vector<TargetGroup> groups() const;
    // "path: message" per file that failed at the last refresh.
    std::vector<std::string> errors() const;

private:
    void run();
    std::vector<std::string> watchedDirectories() const;

    const config::FileSdConfig m_config;
    const UpdateFn m_onUpdate;

    mutable std::mutex m_mutex;
    std::map<std::string, std::vector<TargetGroup>> m_byFile;  // GUARDED_BY(m_mutex)
    std::vector<std::string> m_errors;                         // GUARDED_BY(m_mutex)
    bool m_haveGroups = false;                                 // GUARDED_BY(m_mutex)
    std::mutex m_refreshMutex;                                 // serialises refresh()

    std::thread m_thread;
    int m_wakeFd[2] = {-1, -1};  // pipe: stop() writes to end the watcher
    int m_inotifyFd = -1;
};

}  // namespace vigil::scrape
