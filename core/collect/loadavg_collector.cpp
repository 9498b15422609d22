// node_exporter 1.5.0 collector/loadavg_linux.go: node_load1/5/15.

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

class LoadavgCollector final : public Collector {
public:
    std::string_view name() const override { return "loadavg"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        const std::string path = ctx.paths.proc("loadavg");
        Status s = readProcFile(path, ctx.text);
        if (!s.isOk())
            return s;
        splitFields(trimSpace(ctx.text), ctx.fields);
        if (ctx.fields.size() < 3)
            return Status::corruption(path + ": unexpected content \"" +
                                      std::string(trimSpace(ctx.text)) + "\"");
        double loads[3];
        for (int i = 0; i < 3; ++i) {
            auto v = parseDouble(ctx.fields[static_cast<std::size_t>(i)]);
            if (!v)
                return Status::corruption(path + ": bad load average \"" +
                                          std::string(ctx.fields[static_cast<std::size_t>(i)]) +
                                          "\"");
            loads[i] = *v;
        }
        out.single("node_load1", "1m load average.", MetricType::kGauge, loads[0]);
        out.single("node_load5", "5m load average.", MetricType::kGauge, loads[1]);
        out.single("node_load15", "15m load average.", MetricType::kGauge, loads[2]);
        return Status::ok();
    }
};

}  // namespace

std::unique_ptr<Collector> makeLoadavgCollector() {
    return std::make_unique<LoadavgCollector>();
}

}  // namespace vigil::collect
