#include "core/scrape/file_sd.h"

#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "core/scrape/exposition_parser.h"
#include "core/scrape/relabel.h"

namespace vigil::scrape {

namespace {

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string where(const std::string& path, const YAML::Mark& mark) {
    if (mark.line < 0)
        return path;
    return path + ":" + std::to_string(mark.line + 1);
}

Status readGroup(const YAML::Node& node, const std::string& path, std::size_t index,
                 TargetGroup& out) {
    if (!node.IsMap())
        return Status::error(where(path, node.Mark()) + ": target group " + std::to_string(index) +
                             " is not a mapping with 'targets' and 'labels'");
    std::vector<model::Label> groupLabels;
    for (const auto& entry : node) {
        const std::string key = entry.first.as<std::string>();
        if (key == "targets") {
            if (entry.second.IsNull())
                continue;
            if (!entry.second.IsSequence())
                return Status::error(where(path, entry.second.Mark()) +
                                     ": 'targets' must be a list of strings");
            for (const auto& target : entry.second) {
                if (!target.IsScalar())
                    return Status::error(where(path, target.Mark()) +
                                         ": a target must be a string \"host:port\"");
                const std::string address = target.as<std::string>();
                out.targets.push_back(model::Labels{{"__address__", address}});
            }
        } else if (key == "labels") {
            if (entry.second.IsNull())
                continue;
            if (!entry.second.IsMap())
                return Status::error(where(path, entry.second.Mark()) +
                                     ": 'labels' must be a mapping of label names to values");
            for (const auto& label : entry.second) {
                const std::string name = label.first.as<std::string>();
                if (!isValidLabelName(name))
                    return Status::error(where(path, label.first.Mark()) + ": \"" + name +
                                         "\" is not a valid label name");
                if (!label.second.IsScalar() && !label.second.IsNull())
                    return Status::error(where(path, label.second.Mark()) + ": label \"" + name +
                                         "\" must have a string value");
                const std::string value =
                    label.second.IsNull() ? std::string() : label.second.as<std::string>();
                if (!isValidUtf8(value))
                    return Status::error(where(path, label.second.Mark()) + ": label \"" + name +
                                         "\" has an invalid UTF-8 value");
                groupLabels.push_back({name, value});
            }
        } else {
            return Status::error(where(path, entry.first.Mark()) + ": field " + key +
                                 " not found in type targetgroup.Group");
        }
    }
    groupLabels.push_back({std::string(kMetaFilepath), path});
    out.labels = model::Labels::fromUnsorted(std::move(groupLabels));
    out.source = path + ":" + std::to_string(index);
    return Status::ok();
}

Result<std::string> readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status::ioError(path + ": cannot open file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        return Status::ioError(path + ": read error");
    return text.str();
}

}  // namespace

Result<std::vector<TargetGroup>> parseTargetGroupFile(std::string_view text,
                                                      const std::string& path) {
    if (!endsWith(path, ".json") && !endsWith(path, ".yml") && !endsWith(path, ".yaml"))
        return Status::error(path + ": unsupported file extension (want .json, .yml or .yaml)");
    std::vector<TargetGroup> groups;
    try {
        // yaml-cpp reads JSON too (JSON is YAML 1.2 flow syntax).
        const YAML::Node root = YAML::Load(std::string(text));
        if (!root.IsDefined() || root.IsNull())
            return groups;
        if (!root.IsSequence())
            return Status::error(where(path, root.Mark()) +
                                 ": the file must hold a list of target groups");
        std::size_t index = 0;
        for (const auto& node : root) {
            TargetGroup group;
            Status status = readGroup(node, path, index, group);
            if (!status.isOk())
                return status;
            groups.push_back(std::move(group));
            ++index;
        }
    } catch (const YAML::Exception& e) {
        return Status::error(where(path, e.mark) + ": " + e.msg);
    }
    return groups;
}

FileSd::FileSd(config::FileSdConfig config, UpdateFn onUpdate)
    : m_config(std::move(config)), m_onUpdate(std::move(onUpdate)) {}

FileSd::~FileSd() {
    stop();
}

void FileSd::start() {
    // Watches first, then the first read: a file written in between is
    // seen by one or the other.
    m_inotifyFd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_inotifyFd >= 0) {
        // Directories, not files: editors and atomic writers replace files
        // by rename, which a watch on the file itself would miss. A directory
        // with a glob in its path cannot be watched; refresh_interval covers it.
        for (const std::string& dir : watchedDirectories()) {
            ::inotify_add_watch(
                m_inotifyFd, dir.c_str(),
                IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM);
        }
    }
    if (::pipe2(m_wakeFd, O_CLOEXEC | O_NONBLOCK) != 0)
        m_wakeFd[0] = m_wakeFd[1] = -1;
    // The first refresh always reports, even when empty, so that the pool
    // knows discovery ran.
    refresh();
    m_thread = std::thread([this] { run(); });
}

void FileSd::stop() {
    if (!m_thread.joinable())
        return;
    if (m_wakeFd[1] >= 0) {
        const char byte = 1;
        [[maybe_unused]] auto n = ::write(m_wakeFd[1], &byte, 1);
    }
    m_thread.join();
    if (m_inotifyFd >= 0)
        ::close(m_inotifyFd);
    m_inotifyFd = -1;
    for (int& fd : m_wakeFd) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

std::vector<std::string> FileSd::watchedDirectories() const {
    std::set<std::string> dirs;
    for (const std::string& pattern : m_config.files) {
        const std::size_t slash = pattern.rfind('/');
        dirs.insert(slash == std::string::npos ? std::string(".") : pattern.substr(0, slash));
    }
    return {dirs.begin(), dirs.end()};
}

void FileSd::run() {
    const int inotifyFd = m_inotifyFd;
    auto nextRefresh = std::chrono::steady_clock::now() + m_config.refreshInterval;
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(nextRefresh - now);
        pollfd fds[2] = {{m_wakeFd[0], POLLIN, 0}, {inotifyFd, POLLIN, 0}};
        const int timeout = static_cast<int>(std::clamp<std::int64_t>(wait.count(), 0, 60000));
        const int ready = ::poll(fds, inotifyFd >= 0 ? 2 : 1, timeout);
        if (ready > 0 && (fds[0].revents & POLLIN))
            break;
        bool changed = false;
        if (ready > 0 && inotifyFd >= 0 && (fds[1].revents & POLLIN)) {
            char buffer[4096];
            while (::read(inotifyFd, buffer, sizeof buffer) > 0) {
            }
            changed = true;
            // Writers often truncate and then write: let the burst settle.
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            while (::read(inotifyFd, buffer, sizeof buffer) > 0) {
            }
        }
        if (changed || std::chrono::steady_clock::now() >= nextRefresh) {
            refresh();
            nextRefresh = std::chrono::steady_clock::now() + m_config.refreshInterval;
        }
    }
}

bool FileSd::refresh() {
    std::lock_guard refreshLock(m_refreshMutex);
    std::set<std::string> paths;
    for (const std::string& pattern : m_config.files) {
        glob_t matches{};
        if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
            for (std::size_t i = 0; i < matches.gl_pathc; ++i)
                paths.insert(matches.gl_pathv[i]);
        }
        ::globfree(&matches);
    }

    std::map<std::string, std::vector<TargetGroup>> byFile;
    std::vector<std::string> errors;
    {
        std::lock_guard lock(m_mutex);
        for (const std::string& path : paths) {
            Result<std::vector<TargetGroup>> parsed = Status::error("unread");
            Result<std::string> text = readFile(path);
            if (text.isOk())
                parsed = parseTargetGroupFile(text.value(), path);
            else
                parsed = text.status();
            if (parsed.isOk()) {
                byFile[path] = std::move(parsed.value());
            } else {
                errors.push_back(parsed.status().message());
                auto last = m_byFile.find(path);
                if (last != m_byFile.end())
                    byFile[path] = last->second;
            }
        }
    }

    auto sameGroups = [](const std::map<std::string, std::vector<TargetGroup>>& a,
                         const std::map<std::string, std::vector<TargetGroup>>& b) {
        if (a.size() != b.size())
            return false;
        for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
            if (ia->first != ib->first || ia->second.size() != ib->second.size())
                return false;
            for (std::size_t i = 0; i < ia->second.size(); ++i) {
                const TargetGroup& x = ia->second[i];
                const TargetGroup& y = ib->second[i];
                if (x.source != y.source || x.labels != y.labels || x.targets != y.targets)
                    return false;
            }
        }
        return true;
    };

    std::vector<TargetGroup> all;
    bool changed = false;
    {
        std::lock_guard lock(m_mutex);
        changed = !m_haveGroups || !sameGroups(byFile, m_byFile);
        m_byFile = std::move(byFile);
        m_errors = std::move(errors);
        m_haveGroups = true;
        if (changed) {
            for (const auto& [path, groups] : m_byFile)
                all.insert(all.end(), groups.begin(), groups.end());
        }
    }
    if (changed && m_onUpdate)
        m_onUpdate(all);
    return changed;
}

std::vector<TargetGroup> FileSd::groups() const {
    std::lock_guard lock(m_mutex);
    std::vector<TargetGroup> all;
    for (const auto& [path, groups] : m_byFile)
        all.insert(all.end(), groups.begin(), groups.end());
    return all;
}

std::vector<std::string> FileSd::errors() const {
    std::lock_guard lock(m_mutex);
    return m_errors;
}

}  // namespace vigil::scrape
