// node_exporter 1.5.0 collector/time.go and time_linux.go: wall clock, zone
// offset, and the clock sources of /sys/devices/system/clocksource.

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

class TimeCollector final : public Collector {
public:
    std::string_view name() const override { return "time"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        const WallClock now = ctx.clock();
        out.single("node_time_seconds", "System time in seconds since epoch (1970).",
                   MetricType::kGauge, now.unixSeconds);
        out.family("node_time_zone_offset_seconds", "System time zone offset in seconds.",
                   MetricType::kGauge);
        out.add({{"time_zone", now.zoneName}}, static_cast<double>(now.zoneOffsetSeconds));

        const std::string dir = ctx.paths.sys("devices/system/clocksource");
        auto entries = listDirectory(dir);
        if (!entries.isOk())
            return entries.status().withContext("couldn't get clocksources");
        for (const std::string& entry : entries.value()) {
            constexpr std::string_view kPrefix = "clocksource";
            if (entry.size() <= kPrefix.size() || entry.compare(0, kPrefix.size(), kPrefix) != 0)
                continue;
            const std::string device = entry.substr(kPrefix.size());
            if (!parseUint(device))
                continue;
            auto available = readTrimmed(dir + "/" + entry + "/available_clocksource");
            if (!available.isOk())
                return available.status().withContext("couldn't get clocksources");
            auto current = readTrimmed(dir + "/" + entry + "/current_clocksource");
            if (!current.isOk())
                return current.status().withContext("couldn't get clocksources");
            out.family("node_time_clocksource_available_info",
                       "Available clocksources read from '/sys/devices/system/clocksource'.",
                       MetricType::kGauge);
            splitFields(available.value(), ctx.fields);
            for (std::string_view source : ctx.fields)
                out.add({{"clocksource", source}, {"device", device}}, 1);
            out.family("node_time_clocksource_current_info",
                       "Current clocksource read from '/sys/devices/system/clocksource'.",
                       MetricType::kGauge);
            out.add({{"clocksource", current.value()}, {"device", device}}, 1);
        }
        return Status::ok();
    }
};

}  // namespace

std::unique_ptr<Collector> makeTimeCollector() {
    return std::make_unique<TimeCollector>();
}

}  // namespace vigil::collect
