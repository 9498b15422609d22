#include "core/instrument/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <QtGlobal>
#include <fstream>
#include <sstream>
#include <string>

#include "vigil/version.h"

namespace vigil::instrument {
namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

double bootTimeSeconds(const std::string& procRoot) {
    std::istringstream in(readFile(procRoot + "/stat"));
    std::string key;
    while (in >> key) {
        if (key == "btime") {
            double value = 0;
            in >> value;
            return value;
        }
    }
    return 0;
}

}  // namespace

ProcessStats readProcessStats(const char* procRootC) {
    const std::string procRoot(procRootC);
    ProcessStats stats;
    const std::string stat = readFile(procRoot + "/self/stat");
    // The command name may contain spaces and parentheses; fields resume
    // after the last ')'.
    const auto close = stat.rfind(')');
    if (close != std::string::npos) {
        std::istringstream fields(stat.substr(close + 2));
        std::string field;
        std::vector<std::string> f;
        while (fields >> field)
            f.push_back(field);
        // f[0] is field 3 (state); utime=14, stime=15, starttime=22, vsize=23, rss=24.
        auto at = [&](int fieldNumber) -> double {
            const std::size_t i = static_cast<std::size_t>(fieldNumber - 3);
            return i < f.size() ? std::stod(f[i]) : 0.0;
        };
        const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
        stats.cpuSeconds = (at(14) + at(15)) / ticks;
        stats.startTimeSeconds = bootTimeSeconds(procRoot) + at(22) / ticks;
        stats.virtualBytes = at(23);
        stats.residentBytes = at(24) * static_cast<double>(sysconf(_SC_PAGESIZE));
    }
    if (DIR* dir = opendir((procRoot + "/self/fd").c_str())) {
        int count = 0;
        while (dirent* entry = readdir(dir)) {
            if (entry->d_name[0] != '.')
                ++count;
        }
        closedir(dir);
        stats.openFds = count - 1;  // the directory stream itself
    }
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0)
        stats.maxFds = static_cast<double>(limit.rlim_cur);
    return stats;
}

void registerProcessMetrics(MetricRegistry& registry) {
    registry.addCollector([](ExpositionWriter& w) {
        const ProcessStats s = readProcessStats();
        w.family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                 MetricType::kCounter);
        w.sample("process_cpu_seconds_total", {}, s.cpuSeconds);
        w.family("process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge);
        w.sample("process_max_fds", {}, s.maxFds);
        w.family("process_open_fds", "Number of open file descriptors.", MetricType::kGauge);
        w.sample("process_open_fds", {}, s.openFds);
        w.family("process_resident_memory_bytes", "Resident memory size in bytes.",
                 MetricType::kGauge);
        w.sample("process_resident_memory_bytes", {}, s.residentBytes);
        w.family("process_start_time_seconds",
                 "Start time of the process since unix epoch in seconds.", MetricType::kGauge);
        w.sample("process_start_time_seconds", {}, s.startTimeSeconds);
        w.family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                 MetricType::kGauge);
        w.sample("process_virtual_memory_bytes", {}, s.virtualBytes);
        w.family("vigil_build_info",
                 "A metric with a constant '1' value labeled by version, revision, "
                 "build type, compiler and Qt version from which Vigil was built.",
                 MetricType::kGauge);
        w.sample("vigil_build_info",
                 model::Labels{{"version", kVersion},
                               {"revision", kRevision},
                               {"build_type", kBuildType},
                               {"compiler", kCompiler},
                               {"qt_version", qVersion()}},
                 1);
    });
}

}  // namespace vigil::instrument
