#include "core/collect/collector.h"

#include <ctime>

namespace vigil::collect {

namespace {

std::string joinPath(const std::string& root, std::string_view rel) {
    std::string out = root;
    if (!out.empty() && out.back() != '/')
        out += '/';
    while (!rel.empty() && rel.front() == '/')
        rel.remove_prefix(1);
    out += rel;
    return out;
}

}  // namespace

std::string HostPaths::proc(std::string_view rel) const {
    return joinPath(procPath, rel);
}
std::string HostPaths::sys(std::string_view rel) const {
    return joinPath(sysPath, rel);
}

bool realStatFs(const std::string& mountPoint, FsStats& out) {
    struct statfs buf {};
    if (::statfs(mountPoint.c_str(), &buf) != 0)
        return false;
    out.blocks = buf.f_blocks;
    out.blocksFree = buf.f_bfree;
    out.blocksAvail = buf.f_bavail;
    out.blockSize = static_cast<std::uint64_t>(buf.f_bsize);
    out.files = buf.f_files;
    out.filesFree = buf.f_ffree;
    return true;
}

WallClock realWallClock() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    WallClock clock;
    // node_exporter: float64(now.UnixNano()) / 1e9.
    const std::int64_t nanos = static_cast<std::int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
    clock.unixSeconds = static_cast<double>(nanos) / 1e9;
    tm local{};
    ::localtime_r(&ts.tv_sec, &local);
    clock.zoneName = local.tm_zone ? local.tm_zone : "UTC";
    clock.zoneOffsetSeconds = local.tm_gmtoff;
    return clock;
}

const std::vector<std::string>& allCollectorNames() {
    static const std::vector<std::string> names = {"cpu",     "diskstats", "filesystem", "hwmon",
                                                   "loadavg", "meminfo",   "netdev",     "pressure",
                                                   "stat",    "time",      "uname"};
    return names;
}

std::unique_ptr<Collector> makeCollector(std::string_view name) {
    if (name == "cpu")
        return makeCpuCollector();
    if (name == "diskstats")
        return makeDiskstatsCollector();
    if (name == "filesystem")
        return makeFilesystemCollector();
    if (name == "hwmon")
        return makeHwmonCollector();
    if (name == "loadavg")
        return makeLoadavgCollector();
    if (name == "meminfo")
        return makeMeminfoCollector();
    if (name == "netdev")
        return makeNetdevCollector();
    if (name == "pressure")
        return makePressureCollector();
    if (name == "stat")
        return makeStatCollector();
    if (name == "time")
        return makeTimeCollector();
    if (name == "uname")
        return makeUnameCollector();
    return nullptr;
}

}  // namespace vigil::collect
