// node_exporter 1.5.0 collector/meminfo_linux.go: every /proc/meminfo field
// as a gauge. "Active(anon):  123 kB" becomes node_memory_Active_anon_bytes
// = 123 * 1024; a field without unit (HugePages_Total) keeps its name.

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

class MeminfoCollector final : public Collector {
public:
    std::string_view name() const override { return "meminfo"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        const std::string path = ctx.paths.proc("meminfo");
        Status s = readProcFile(path, ctx.text);
        if (!s.isOk())
            return s;
        std::size_t lineNo = 0;
        std::string key;
        std::string metric;
        std::string help;
        Status result = Status::ok();
        forEachLine(ctx.text, [&](std::string_view line) {
            ++lineNo;
            if (!result.isOk())
                return;
            splitFields(line, ctx.fields);
            if (ctx.fields.empty())
                return;  // blank lines occur on some kernels; node_exporter skips them
            const std::string where = path + ":" + std::to_string(lineNo) + ": ";
            if (ctx.fields.size() < 2) {
                result = Status::corruption(where + "invalid line \"" + std::string(line) + "\"");
                return;
            }
            auto value = parseDouble(ctx.fields[1]);
            if (!value) {
                result = Status::corruption(where + "invalid value \"" +
                                            std::string(ctx.fields[1]) + "\"");
                return;
            }
            std::string_view raw = ctx.fields[0];
            if (!raw.empty() && raw.back() == ':')
                raw.remove_suffix(1);
            // Go: regexp `\((.*)\)` replaced by "_${1}" — "(x)" becomes "_x".
            key.assign(raw);
            const std::size_t open = key.find('(');
            const std::size_t close = key.rfind(')');
            if (open != std::string::npos && close != std::string::npos && close > open)
                key = key.substr(0, open) + "_" + key.substr(open + 1, close - open - 1) +
                      key.substr(close + 1);
            double v = *value;
            if (ctx.fields.size() == 3) {
                v *= 1024;  // node_exporter presumes kB
                key += "_bytes";
            } else if (ctx.fields.size() != 2) {
                result = Status::corruption(where + "invalid line \"" + std::string(line) + "\"");
                return;
            }
            metric = "node_memory_" + key;
            help = "Memory information field " + key + ".";
            out.single(metric, help, MetricType::kGauge, v);
        });
        return result;
    }
};

}  // namespace

std::unique_ptr<Collector> makeMeminfoCollector() {
    return std::make_unique<MeminfoCollector>();
}

}  // namespace vigil::collect
