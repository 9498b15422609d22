// node_exporter 1.5.0 collector/uname_linux.go: node_uname_info. Node
// Exporter dashboards list instances with label_values(node_uname_info, ...),
// so the host's series are only selectable when this exists. Read from
// /proc/sys/kernel (so fixtures can supply it); the machine field has no
// /proc file and comes from uname(2).

#include <sys/utsname.h>

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

class UnameCollector final : public Collector {
public:
    std::string_view name() const override { return "uname"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        std::string values[5];
        const char* files[5] = {"sys/kernel/ostype", "sys/kernel/hostname", "sys/kernel/osrelease",
                                "sys/kernel/version", "sys/kernel/domainname"};
        for (int i = 0; i < 5; ++i) {
            auto v = readTrimmed(ctx.paths.proc(files[i]));
            if (!v.isOk())
                return v.status();
            values[i] = v.value();
        }
        utsname uts{};
        ::uname(&uts);
        out.family("node_uname_info",
                   "Labeled system information as provided by the uname system call.",
                   MetricType::kGauge);
        out.add({{"sysname", values[0]},
                 {"nodename", values[1]},
                 {"release", values[2]},
                 {"version", values[3]},
                 {"machine", uts.machine},
                 {"domainname", values[4]}},
                1);
        return Status::ok();
    }
};

}  // namespace

std::unique_ptr<Collector> makeUnameCollector() {
    return std::make_unique<UnameCollector>();
}

}  // namespace vigil::collect
