// node_exporter 1.5.0 collector/pressure_linux.go: PSI totals from
// /proc/pressure/{cpu,io,memory} ("some"/"full" total=µs). Without PSI (kernel
// < 4.20 or CONFIG_PSI off) the files are absent: no data, success 0.

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

class PressureCollector final : public Collector {
public:
    std::string_view name() const override { return "pressure"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        for (const char* resource : {"cpu", "io", "memory"}) {
            const std::string path = ctx.paths.proc(std::string("pressure/") + resource);
            Status s = readProcFile(path, ctx.text);
            if (!s.isOk()) {
                if (s.code() == Status::Code::kNotFound)
                    return Status::error(Status::Code::kUnavailable,
                                         path +
                                             ": pressure information is unavailable, you need a "
                                             "Linux kernel >= 4.20 and/or CONFIG_PSI enabled");
                return s;
            }
            double some = 0;
            double full = 0;
            Status parse = Status::ok();
            forEachLine(ctx.text, [&](std::string_view line) {
                splitFields(line, ctx.fields);
                if (ctx.fields.empty() || !parse.isOk())
                    return;
                const bool isSome = ctx.fields[0] == "some";
                if (!isSome && ctx.fields[0] != "full")
                    return;
                for (std::size_t i = 1; i < ctx.fields.size(); ++i) {
                    std::string_view f = ctx.fields[i];
                    if (f.substr(0, 6) != "total=")
                        continue;
                    auto micros = parseUint(f.substr(6));
                    if (!micros) {
                        parse = Status::corruption(path + ": bad total \"" + std::string(f) + "\"");
                        return;
                    }
                    // Go: float64(total) / 1000.0 / 1000.0 — two divisions, not / 1e6.
                    (isSome ? some : full) = static_cast<double>(*micros) / 1000.0 / 1000.0;
                }
            });
            if (!parse.isOk())
                return parse;
            const std::string_view r = resource;
            if (r == "cpu") {
                out.single("node_pressure_cpu_waiting_seconds_total",
                           "Total time in seconds that processes have waited for CPU time",
                           MetricType::kCounter, some);
            } else if (r == "io") {
                out.single("node_pressure_io_waiting_seconds_total",
                           "Total time in seconds that processes have waited due to IO congestion",
                           MetricType::kCounter, some);
                out.single("node_pressure_io_stalled_seconds_total",
                           "Total time in seconds no process could make progress due to IO "
                           "congestion",
                           MetricType::kCounter, full);
            } else {
                out.single("node_pressure_memory_waiting_seconds_total",
                           "Total time in seconds that processes have waited for memory",
                           MetricType::kCounter, some);
                out.single("node_pressure_memory_stalled_seconds_total",
                           "Total time in seconds no process could make progress due to memory "
                           "congestion",
                           MetricType::kCounter, full);
            }
        }
        return Status::ok();
    }
};

}  // namespace

std::unique_ptr<Collector> makePressureCollector() {
    return std::make_unique<PressureCollector>();
}

}  // namespace vigil::collect
