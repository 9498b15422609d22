// node_exporter 1.5.0 collector/cpu_linux.go with default flags: per-CPU time
// from /proc/stat (USER_HZ = 100), guest time, thermal throttle counts and
// isolated CPUs from /sys/devices/system/cpu.

#include <map>
#include <set>

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

constexpr double kUserHz = 100.0;
// A CPU whose idle time goes back by this much was hot-plugged: start over.
constexpr double kJumpBackSeconds = 3.0;
constexpr int kModes = 10;  // user nice system idle iowait irq softirq steal guest guest_nice

struct CpuTimes {
    double v[kModes] = {};
};

class CpuCollector final : public Collector {
public:
    std::string_view name() const override { return "cpu"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        const std::string path = ctx.paths.proc("stat");
        Status s = readProcFile(path, ctx.text);
        if (!s.isOk())
            return s;
        std::map<long, CpuTimes> fresh;
        Status parse = Status::ok();
        std::size_t lineNo = 0;
        forEachLine(ctx.text, [&](std::string_view line) {
            ++lineNo;
            if (!parse.isOk() || line.size() < 4 || line.substr(0, 3) != "cpu" || line[3] == ' ')
                return;
            splitFields(line, ctx.fields);
            const auto id = parseInt(ctx.fields[0].substr(3));
            if (!id || ctx.fields.size() < 2) {
                parse = Status::corruption(path + ":" + std::to_string(lineNo) +
                                           ": cannot parse CPU line \"" + std::string(line) + "\"");
                return;
            }
            CpuTimes t;
            for (std::size_t i = 1; i < ctx.fields.size() && i <= kModes; ++i) {
                const auto v = parseDouble(ctx.fields[i]);
                if (!v) {
                    parse =
                        Status::corruption(path + ":" + std::to_string(lineNo) + ": bad number \"" +
                                           std::string(ctx.fields[i]) + "\"");
                    return;
                }
                t.v[i - 1] = *v / kUserHz;
            }
            fresh[*id] = t;
        });
        if (!parse.isOk())
            return parse;
        update(fresh);

        static constexpr const char* kModeNames[8] = {"user",   "nice", "system",  "idle",
                                                      "iowait", "irq",  "softirq", "steal"};
        out.family("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
                   MetricType::kCounter);
        for (const auto& [id, t] : m_times) {
            const std::string cpu = std::to_string(id);
            for (int m = 0; m < 8; ++m)
                out.add({{"cpu", cpu}, {"mode", kModeNames[m]}}, t.v[m]);
        }
        out.family("node_cpu_guest_seconds_total",
                   "Seconds the CPUs spent in guests (VMs) for each mode.", MetricType::kCounter);
        for (const auto& [id, t] : m_times) {
            const std::string cpu = std::to_string(id);
            out.add({{"cpu", cpu}, {"mode", "user"}}, t.v[8]);
            out.add({{"cpu", cpu}, {"mode", "nice"}}, t.v[9]);
        }

        Status throttle = collectThermalThrottle(ctx, out);
        if (!throttle.isOk())
            return throttle;
        return collectIsolated(ctx, out);
    }

private:
    // node_exporter's updateCPUStats: counters never go backwards, except a
    // large idle jump back, which is a CPU hot-plug and resets the CPU.
    void update(const std::map<long, CpuTimes>& fresh) {
        for (const auto& [id, n] : fresh) {
            CpuTimes& old = m_times[id];
            if (old.v[3] - n.v[3] >= kJumpBackSeconds)
                old = CpuTimes{};
            for (int m = 0; m < kModes; ++m) {
                if (n.v[m] >= old.v[m])
                    old.v[m] = n.v[m];
            }
        }
        std::erase_if(m_times, [&](const auto& entry) { return !fresh.count(entry.first); });
    }

    static Status collectThermalThrottle(CollectContext& ctx, MetricBatch& out) {
        const std::string cpuDir = ctx.paths.sys("devices/system/cpu");
        auto entries = listDirectory(cpuDir);
        if (!entries.isOk())
            return Status::ok();  // node_exporter: no CPUs found in sysfs, nothing to add
        std::map<std::uint64_t, std::uint64_t> packageThrottles;
        std::map<std::uint64_t, std::map<std::uint64_t, std::uint64_t>> coreThrottles;
        std::set<std::pair<std::uint64_t, std::uint64_t>> coresSeen;
        for (const std::string& entry : entries.value()) {
            if (entry.size() < 4 || entry.compare(0, 3, "cpu") != 0 || entry[3] < '0' ||
                entry[3] > '9')
                continue;
            const std::string dir = cpuDir + "/" + entry;
            auto readUint = [](const std::string& path) -> std::optional<std::uint64_t> {
                auto text = readTrimmed(path);
                if (!text.isOk())
                    return std::nullopt;
                return parseUint(text.value());
            };
            const auto package = readUint(dir + "/topology/physical_package_id");
            if (!package)
                continue;
            const auto core = readUint(dir + "/topology/core_id");
            if (!core)
                continue;
            if (coresSeen.insert({*package, *core}).second) {
                if (auto n = readUint(dir + "/thermal_throttle/core_throttle_count"))
                    coreThrottles[*package][*core] = *n;
            }
            if (!packageThrottles.count(*package)) {
                if (auto n = readUint(dir + "/thermal_throttle/package_throttle_count"))
                    packageThrottles[*package] = *n;
            }
        }
        if (!packageThrottles.empty()) {
            out.family("node_cpu_package_throttles_total",
                       "Number of times this CPU package has been throttled.",
                       MetricType::kCounter);
            for (const auto& [package, n] : packageThrottles)
                out.add({{"package", std::to_string(package)}}, static_cast<double>(n));
        }
        if (!coreThrottles.empty()) {
            out.family("node_cpu_core_throttles_total",
                       "Number of times this CPU core has been throttled.", MetricType::kCounter);
            for (const auto& [package, cores] : coreThrottles)
                for (const auto& [core, n] : cores)
                    out.add({{"core", std::to_string(core)}, {"package", std::to_string(package)}},
                            static_cast<double>(n));
        }
        return Status::ok();
    }

    // /sys/devices/system/cpu/isolated holds a CPU list such as "1-3,6".
    static Status collectIsolated(CollectContext& ctx, MetricBatch& out) {
        const std::string path = ctx.paths.sys("devices/system/cpu/isolated");
        auto text = readTrimmed(path);
        if (!text.isOk())
            return text.status().code() == Status::Code::kNotFound ? Status::ok() : text.status();
        std::string_view list = text.value();
        if (list.empty())
            return Status::ok();
        std::vector<std::uint64_t> cpus;
        while (!list.empty()) {
            const std::size_t comma = list.find(',');
            const std::string_view part = list.substr(0, comma);
            const std::size_t dash = part.find('-');
            const auto first = parseUint(part.substr(0, dash));
            const auto last =
                dash == std::string_view::npos ? first : parseUint(part.substr(dash + 1));
            if (!first || !last || *last < *first)
                return Status::corruption(path + ": bad CPU range \"" + std::string(part) + "\"");
            for (std::uint64_t c = *first; c <= *last; ++c)
                cpus.push_back(c);
            if (comma == std::string_view::npos)
                break;
            list.remove_prefix(comma + 1);
        }
        out.family("node_cpu_isolated",
                   "Whether each core is isolated, information from "
                   "/sys/devices/system/cpu/isolated.",
                   MetricType::kGauge);
        for (std::uint64_t c : cpus)
            out.add({{"cpu", std::to_string(c)}}, 1);
        return Status::ok();
    }

    std::map<long, CpuTimes> m_times;
};

}  // namespace

std::unique_ptr<Collector> makeCpuCollector() {
    return std::make_unique<CpuCollector>();
}

}  // namespace vigil::collect
