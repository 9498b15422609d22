// node_exporter 1.5.0 collector/filesystem_linux.go with its default
// exclusions: mounts from /proc/1/mounts (falling back to /proc/mounts when
// hidepid hides PID 1), statfs(2) on each, sizes as blocks * f_bsize.
// A mount whose statfs fails reports only node_filesystem_device_error 1.
//
// statfs on a dead NFS server can block for minutes, so, as node_exporter
// does, each call runs on a helper thread and the collector waits at most
// mountTimeout: a mount that does not answer is "stuck" (device_error 1, not
// asked again) until its pending call returns.

#include <re2/re2.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

// --collector.filesystem.mount-points-exclude / fs-types-exclude defaults.
constexpr const char* kMountPointsExclude =
    "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
constexpr const char* kFsTypesExclude =
    "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|"
    "iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|"
    "sysfs|tracefs)$";

// /proc/mounts escapes space and tab in mount points; node_exporter undoes
// exactly these two.
std::string unescapeMountPoint(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && raw.substr(i, 4) == "\\040") {
            out += ' ';
            i += 3;
        } else if (raw[i] == '\\' && raw.substr(i, 4) == "\\011") {
            out += '\t';
            i += 3;
        } else {
            out += raw[i];
        }
    }
    return out;
}

// Mount points whose statfs has not returned. Shared with the helper threads,
// which may outlive the collector.
struct StuckMounts {
    std::mutex mutex;
    std::set<std::string> mountPoints;  // GUARDED_BY(mutex)
};

// Runs statFs(target) on a helper thread; false on failure or timeout.
bool statWithTimeout(const CollectContext& ctx, const std::shared_ptr<StuckMounts>& stuck,
                     const std::string& mountPoint, const std::string& target, FsStats& out) {
    {
        std::lock_guard lock(stuck->mutex);
        if (stuck->mountPoints.count(mountPoint))
            return false;
    }
    struct Call {
        std::mutex mutex;
        std::condition_variable done;
        bool finished = false;  // GUARDED_BY(mutex)
        bool ok = false;
        FsStats stats;
    };
    auto call = std::make_shared<Call>();
    std::thread([call, stuck, statFs = ctx.statFs, mountPoint, target] {
        FsStats stats;
        const bool ok = statFs(target, stats);
        // Lock order everywhere: call->mutex, then stuck->mutex.
        std::lock_guard lock(call->mutex);
        call->finished = true;
        call->ok = ok;
        call->stats = stats;
        {
            std::lock_guard stuckLock(stuck->mutex);
            stuck->mountPoints.erase(mountPoint);  // recovered, if it was stuck
        }
        call->done.notify_all();
    }).detach();
    std::unique_lock lock(call->mutex);
    if (!call->done.wait_for(lock, ctx.mountTimeout, [&] { return call->finished; })) {
        // call->mutex is held: the helper cannot finish (and unmark) until
        // the mark is in place.
        std::lock_guard stuckLock(stuck->mutex);
        stuck->mountPoints.insert(mountPoint);
        return false;
    }
    out = call->stats;
    return call->ok;
}

class FilesystemCollector final : public Collector {
public:
    FilesystemCollector()
        : m_mountPointsExclude(kMountPointsExclude), m_fsTypesExclude(kFsTypesExclude) {}

    std::string_view name() const override { return "filesystem"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        std::string path = ctx.paths.proc("1/mounts");
        Status s = readProcFile(path, ctx.text);
        if (s.code() == Status::Code::kNotFound) {
            path = ctx.paths.proc("mounts");
            s = readProcFile(path, ctx.text);
        }
        if (!s.isOk())
            return s;

        struct Mount {
            std::string device, mountPoint, fsType;
            bool readOnly = false;
        };
        std::vector<Mount> mounts;
        std::size_t lineNo = 0;
        Status parse = Status::ok();
        forEachLine(ctx.text, [&](std::string_view line) {
            ++lineNo;
            splitFields(line, ctx.fields);
            if (ctx.fields.empty() || !parse.isOk())
                return;
            if (ctx.fields.size() < 4) {
                parse = Status::corruption(path + ":" + std::to_string(lineNo) +
                                           ": malformed mount point information: \"" +
                                           std::string(line) + "\"");
                return;
            }
            Mount m;
            m.device = std::string(ctx.fields[0]);
            m.mountPoint = unescapeMountPoint(ctx.fields[1]);
            m.fsType = std::string(ctx.fields[2]);
            std::string_view options = ctx.fields[3];
            while (!options.empty()) {
                const std::size_t comma = options.find(',');
                if (options.substr(0, comma) == "ro") {
                    m.readOnly = true;
                    break;
                }
                if (comma == std::string_view::npos)
                    break;
                options.remove_prefix(comma + 1);
            }
            mounts.push_back(std::move(m));
        });
        if (!parse.isOk())
            return parse;

        struct Stat {
            const Mount* mount;
            bool error;
            FsStats fs;
        };
        std::vector<Stat> stats;
        std::set<std::tuple<std::string, std::string, std::string>> seen;
        for (const Mount& m : mounts) {
            if (RE2::PartialMatch(m.mountPoint, m_mountPointsExclude) ||
                RE2::PartialMatch(m.fsType, m_fsTypesExclude))
                continue;
            // The same mount listed twice would be a duplicate series.
            if (!seen.insert({m.device, m.mountPoint, m.fsType}).second)
                continue;
            Stat st{&m, false, {}};
            std::string target = ctx.paths.rootfsPath;
            if (target.empty() || target == "/")
                target = m.mountPoint;
            else
                target += m.mountPoint;
            st.error = !statWithTimeout(ctx, m_stuck, m.mountPoint, target, st.fs);
            stats.push_back(st);
        }

        const auto labels = [](const Mount& m) {
            return std::vector<model::Label>{
                {"device", m.device}, {"fstype", m.fsType}, {"mountpoint", m.mountPoint}};
        };
        out.family("node_filesystem_device_error",
                   "Whether an error occurred while getting statistics for the given device.",
                   MetricType::kGauge);
        for (const Stat& st : stats)
            out.add(labels(*st.mount), st.error ? 1 : 0);

        struct Gauge {
            const char* name;
            const char* help;
        };
        static constexpr Gauge kGauges[] = {
            {"node_filesystem_size_bytes", "Filesystem size in bytes."},
            {"node_filesystem_free_bytes", "Filesystem free space in bytes."},
            {"node_filesystem_avail_bytes",
             "Filesystem space available to non-root users in bytes."},
            {"node_filesystem_files", "Filesystem total file nodes."},
            {"node_filesystem_files_free", "Filesystem total free file nodes."},
            {"node_filesystem_readonly", "Filesystem read-only status."},
        };
        for (int g = 0; g < 6; ++g) {
            out.family(kGauges[g].name, kGauges[g].help, MetricType::kGauge);
            for (const Stat& st : stats) {
                if (st.error)
                    continue;
                const double bsize = static_cast<double>(st.fs.blockSize);
                double v = 0;
                switch (g) {
                    case 0:
                        v = static_cast<double>(st.fs.blocks) * bsize;
                        break;
                    case 1:
                        v = static_cast<double>(st.fs.blocksFree) * bsize;
                        break;
                    case 2:
                        v = static_cast<double>(st.fs.blocksAvail) * bsize;
                        break;
                    case 3:
                        v = static_cast<double>(st.fs.files);
                        break;
                    case 4:
                        v = static_cast<double>(st.fs.filesFree);
                        break;
                    default:
                        v = st.mount->readOnly ? 1 : 0;
                        break;
                }
                out.add(labels(*st.mount), v);
            }
        }
        return Status::ok();
    }

private:
    RE2 m_mountPointsExclude;
    RE2 m_fsTypesExclude;
    std::shared_ptr<StuckMounts> m_stuck = std::make_shared<StuckMounts>();
};

}  // namespace

std::unique_ptr<Collector> makeFilesystemCollector() {
    return std::make_unique<FilesystemCollector>();
}

}  // namespace vigil::collect
