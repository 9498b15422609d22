#pragma once

// One scrape job (Prometheus's scrapePool): its target groups from
// static_configs and file_sd_configs, turned into targets by
// populateTargetLabels (relabel_configs), deduplicated by target identity
// (final labels and URL), capped by target_limit, and one ScrapeLoop per
// target. The pool does not schedule: sync() says which loops started and
// which stopped, and the manager schedules them.
//
// Thread-safety: all methods may be called from any thread; they take the
// pool's mutex. File SD callbacks call setGroups() from the watcher thread.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/config/prometheus_config.h"
#include "core/model/storage.h"
#include "core/scrape/file_sd.h"
#include "core/scrape/scrape_loop.h"
#include "core/scrape/target_group.h"

namespace vigil::scrape {

// A string that changes when anything in the config changes; a reload keeps
// a job whose fingerprint is unchanged exactly as it is.
std::string scrapeConfigFingerprint(const config::ScrapeConfig& config);

// The target groups of a job's static_configs, sources "0", "1", ...
std::vector<TargetGroup> staticTargetGroups(const config::ScrapeConfig& config);

// A target that relabeling dropped (shown as "dropped" on the targets page).
struct DroppedTarget {
    model::Labels discoveredLabels;
};

class ScrapePool {
public:
    // `onDiscoveryUpdate` is called (from any thread, without locks held)
    // when file SD changed the groups; the manager then calls sync().
    ScrapePool(model::Storage& storage, const config::ScrapeConfig& config,
               std::function<void()> onDiscoveryUpdate);
    ~ScrapePool();  // stops discovery
    ScrapePool(const ScrapePool&) = delete;
    ScrapePool& operator=(const ScrapePool&) = delete;

    const std::string& job() const { return m_job; }
    std::string fingerprint() const;

    // Starts file SD (reads the files once before returning).
    void startDiscovery();
    void stopDiscovery();

    // A changed config for the same job: new options for the loops, new
    // relabeling and discovery. Call sync() afterwards.
    void reconfigure(const config::ScrapeConfig& config);

    // Replaces the groups of one provider ("static", "file_sd/0", ...).
    void setGroups(const std::string& provider, std::vector<TargetGroup> groups);

    struct SyncResult {
        std::vector<std::shared_ptr<ScrapeLoop>> started;
        std::vector<std::shared_ptr<ScrapeLoop>> stopped;
    };
    // Recomputes the targets from the groups. Loops of unchanged targets keep
    // running (and get the current options); new targets get new loops.
    SyncResult sync();

    std::vector<std::shared_ptr<ScrapeLoop>> loops() const;
    std::vector<DroppedTarget> droppedTargets() const;
    // Targets whose labels were invalid at the last sync, and file SD errors:
    // "instance 0 in group 0: no address", "targets.yml:3: ...".
    std::vector<std::string> errors() const;

private:
    model::Storage& m_storage;
    const std::string m_job;
    const std::function<void()> m_onDiscoveryUpdate;

    mutable std::mutex m_mutex;
    std::string m_fingerprint;                                               // GUARDED_BY(m_mutex)
    TargetDefaults m_defaults;                                               // GUARDED_BY(m_mutex)
    std::vector<RelabelConfig> m_relabelConfigs;                             // GUARDED_BY(m_mutex)
    std::uint64_t m_targetLimit = 0;                                         // GUARDED_BY(m_mutex)
    std::shared_ptr<const LoopOptions> m_options;                            // GUARDED_BY(m_mutex)
    std::map<std::string, std::vector<TargetGroup>> m_groups;                // GUARDED_BY(m_mutex)
    std::unordered_map<std::uint64_t, std::shared_ptr<ScrapeLoop>> m_loops;  // GUARDED_BY(m_mutex)
    std::vector<DroppedTarget> m_dropped;                                    // GUARDED_BY(m_mutex)
    std::vector<std::string> m_syncErrors;                                   // GUARDED_BY(m_mutex)

    std::vector<std::unique_ptr<FileSd>> m_fileSds;  // GUARDED_BY(m_mutex)

    // Owner-thread state (reconfigure/startDiscovery).
    std::vector<config::FileSdConfig> m_fileSdConfigs;
};

}  // namespace vigil::scrape
