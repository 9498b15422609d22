// node_exporter 1.5.0 collector/stat_linux.go (without --collector.stat.softirq):
// boot time, context switches, forks, interrupts, running/blocked processes.

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

class StatCollector final : public Collector {
public:
    std::string_view name() const override { return "stat"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        const std::string path = ctx.paths.proc("stat");
        Status s = readProcFile(path, ctx.text);
        if (!s.isOk())
            return s;
        struct Field {
            std::string_view key;
            std::optional<std::uint64_t> value;
        } fields[] = {{"intr", {}},      {"ctxt", {}},          {"btime", {}},
                      {"processes", {}}, {"procs_running", {}}, {"procs_blocked", {}}};
        std::size_t lineNo = 0;
        Status result = Status::ok();
        forEachLine(ctx.text, [&](std::string_view line) {
            ++lineNo;
            if (!result.isOk())
                return;
            splitFields(line, ctx.fields);
            if (ctx.fields.size() < 2)
                return;
            for (Field& f : fields) {
                if (ctx.fields[0] != f.key)
                    continue;
                f.value = parseUint(ctx.fields[1]);
                if (!f.value)
                    result = Status::corruption(path + ":" + std::to_string(lineNo) +
                                                ": bad value for " + std::string(f.key) + ": \"" +
                                                std::string(ctx.fields[1]) + "\"");
            }
        });
        if (!result.isOk())
            return result;
        for (const Field& f : fields) {
            if (!f.value)
                return Status::corruption(path + ": no \"" + std::string(f.key) + "\" line");
        }
        const auto d = [](const Field& f) { return static_cast<double>(*f.value); };
        out.single("node_intr_total", "Total number of interrupts serviced.", MetricType::kCounter,
                   d(fields[0]));
        out.single("node_context_switches_total", "Total number of context switches.",
                   MetricType::kCounter, d(fields[1]));
        out.single("node_forks_total", "Total number of forks.", MetricType::kCounter,
                   d(fields[3]));
        out.single("node_boot_time_seconds", "Node boot time, in unixtime.", MetricType::kGauge,
                   d(fields[2]));
        out.single("node_procs_running", "Number of processes in runnable state.",
                   MetricType::kGauge, d(fields[4]));
        out.single("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.",
                   MetricType::kGauge, d(fields[5]));
        return Status::ok();
    }
};

}  // namespace

std::unique_ptr<Collector> makeStatCollector() {
    return std::make_unique<StatCollector>();
}

}  // namespace vigil::collect
