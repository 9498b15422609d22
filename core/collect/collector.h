#pragma once

// One node_exporter-compatible collector per file (cpu_collector.cpp, ...).
// Each mirrors the Linux collector of node_exporter 1.5.0 with its default
// flags: the same metric names, labels, HELP and TYPE, and the same
// arithmetic (e.g. USER_HZ division, ticks * 0.001), so values agree to the
// bit with node_exporter reading the same files.

#include <sys/statfs.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/collect/metric_batch.h"
#include "core/util/status.h"

namespace vigil::collect {

// The result of statfs(2) that the filesystem collector uses.
struct FsStats {
    std::uint64_t blocks = 0;
    std::uint64_t blocksFree = 0;
    std::uint64_t blocksAvail = 0;
    std::uint64_t blockSize = 0;  // f_bsize, as node_exporter multiplies by it
    std::uint64_t files = 0;
    std::uint64_t filesFree = 0;
};
// Returns false when statfs fails (node_filesystem_device_error 1).
using StatFsFunction = std::function<bool(const std::string& mountPoint, FsStats& out)>;
bool realStatFs(const std::string& mountPoint, FsStats& out);

// The wall clock and time zone the time collector reports; injectable so that
// fixture tests are deterministic.
struct WallClock {
    double unixSeconds = 0;  // with sub-second precision
    std::string zoneName;    // "UTC", "CET"
    long zoneOffsetSeconds = 0;
};
using ClockFunction = std::function<WallClock()>;
WallClock realWallClock();

// Where the collectors read from. Tests point procPath/sysPath at fixture
// trees; udevDataPath holds udev's database (/run/udev/data).
struct HostPaths {
    std::string procPath = "/proc";
    std::string sysPath = "/sys";
    std::string udevDataPath = "/run/udev/data";
    // Prefix for mount points handed to statfs (node_exporter's --path.rootfs).
    std::string rootfsPath = "/";

    std::string proc(std::string_view rel) const;
    std::string sys(std::string_view rel) const;
};

struct CollectContext {
    HostPaths paths;
    StatFsFunction statFs = realStatFs;
    // A statfs that takes longer marks the mount as stuck (node_exporter's
    // --collector.filesystem.mount-timeout): device_error 1 until it returns.
    std::chrono::milliseconds mountTimeout{5000};
    ClockFunction clock = realWallClock;
    // Scratch buffers reused across collectors and collections.
    std::string text;
    std::vector<std::string_view> fields;
};

// A collector reads one area of the kernel's statistics into the batch.
// Errors: Status::Code::kUnavailable means "no data on this machine" (no PSI,
// no hwmon: node_exporter's ErrNoData, logged only at debug level); any other
// error (a missing /proc/stat is kNotFound) is a real failure. Either way
// node_scrape_collector_success is 0, and the samples added before the error are kept (as
// node_exporter sends them too). Not thread-safe; a collector may keep state between calls (cpu
// does).
class Collector {
public:
    virtual ~Collector() = default;
    // node_exporter's collector name ("cpu", "meminfo", ...).
    virtual std::string_view name() const = 0;
    virtual Status collect(CollectContext& ctx, MetricBatch& out) = 0;
};

std::unique_ptr<Collector> makeCpuCollector();
std::unique_ptr<Collector> makeMeminfoCollector();
std::unique_ptr<Collector> makeLoadavgCollector();
std::unique_ptr<Collector> makeFilesystemCollector();
std::unique_ptr<Collector> makeDiskstatsCollector();
std::unique_ptr<Collector> makeNetdevCollector();
std::unique_ptr<Collector> makeStatCollector();
std::unique_ptr<Collector> makeTimeCollector();
std::unique_ptr<Collector> makePressureCollector();
std::unique_ptr<Collector> makeHwmonCollector();
std::unique_ptr<Collector> makeUnameCollector();

// Names of every collector above, in node_exporter's spelling.
const std::vector<std::string>& allCollectorNames();
// A collector by name, or nullptr for an unknown name.
std::unique_ptr<Collector> makeCollector(std::string_view name);

}  // namespace vigil::collect
