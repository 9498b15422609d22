// node_exporter 1.5.0 collector/netdev_linux.go. 1.5.0 reads link statistics
// over netlink (rtnl_link_stats64) by default; the same kernel counters are
// in /sys/class/net/<dev>/statistics/, which is what this reads, with
// node_exporter's netlink names (receive_errs = rx_errors, ...). Without
// sysfs it falls back to /proc/net/dev (node_exporter's --no-collector.netdev.netlink).
// Device exclusion: ^lo$.

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

struct Stat {
    const char* metric;  // node_network_<metric>_total
    const char* sysfsFile;
};

constexpr Stat kNetlinkStats[] = {
    {"receive_packets", "rx_packets"},
    {"transmit_packets", "tx_packets"},
    {"receive_bytes", "rx_bytes"},
    {"transmit_bytes", "tx_bytes"},
    {"receive_errs", "rx_errors"},
    {"transmit_errs", "tx_errors"},
    {"receive_drop", "rx_dropped"},
    {"transmit_drop", "tx_dropped"},
    {"receive_multicast", "multicast"},
    {"transmit_colls", "collisions"},
    {"receive_frame", "rx_frame_errors"},
    {"receive_fifo", "rx_fifo_errors"},
    {"transmit_carrier", "tx_carrier_errors"},
    {"transmit_fifo", "tx_fifo_errors"},
    {"receive_compressed", "rx_compressed"},
    {"transmit_compressed", "tx_compressed"},
    {"receive_nohandler", "rx_nohandler"},
};

// /proc/net/dev columns after "iface:".
constexpr const char* kProcColumns[] = {
    "receive_bytes",  "receive_packets",  "receive_errs",       "receive_drop",
    "receive_fifo",   "receive_frame",    "receive_compressed", "receive_multicast",
    "transmit_bytes", "transmit_packets", "transmit_errs",      "transmit_drop",
    "transmit_fifo",  "transmit_colls",   "transmit_carrier",   "transmit_compressed"};

void addStat(MetricBatch& out, std::string_view stat, const std::string& device, double v) {
    std::string name = "node_network_";
    name += stat;
    name += "_total";
    std::string help = "Network device statistic ";
    help += stat;
    help += '.';
    out.family(name, help, MetricType::kCounter);
    out.add({{"device", device}}, v);
}

class NetdevCollector final : public Collector {
public:
    std::string_view name() const override { return "netdev"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        const std::string classDir = ctx.paths.sys("class/net");
        auto devices = listDirectory(classDir);
        if (!devices.isOk())
            return collectProcNetDev(ctx, out);
        for (const std::string& device : devices.value()) {
            if (device == "lo")
                continue;
            const std::string statsDir = classDir + "/" + device + "/statistics/";
            if (!pathExists(statsDir))
                continue;  // not a link with statistics (e.g. bonding_masters)
            for (const Stat& stat : kNetlinkStats) {
                auto text = readTrimmed(statsDir + stat.sysfsFile);
                if (!text.isOk()) {
                    if (text.status().code() == Status::Code::kNotFound)
                        continue;  // older kernels lack rx_nohandler
                    return text.status();
                }
                auto v = parseUint(text.value());
                if (!v)
                    return Status::corruption(statsDir + stat.sysfsFile + ": bad counter \"" +
                                              text.value() + "\"");
                addStat(out, stat.metric, device, static_cast<double>(*v));
            }
        }
        return Status::ok();
    }

private:
    static Status collectProcNetDev(CollectContext& ctx, MetricBatch& out) {
        const std::string path = ctx.paths.proc("net/dev");
        Status s = readProcFile(path, ctx.text);
        if (!s.isOk())
            return s.withContext("couldn't get netstats");
        std::size_t lineNo = 0;
        Status parse = Status::ok();
        forEachLine(ctx.text, [&](std::string_view line) {
            ++lineNo;
            const std::size_t colon = line.find(':');
            if (lineNo <= 2 || colon == std::string_view::npos || !parse.isOk())
                return;  // two header lines
            const std::string device(trimSpace(line.substr(0, colon)));
            splitFields(line.substr(colon + 1), ctx.fields);
            if (ctx.fields.size() != 16) {
                parse = Status::corruption(path + ":" + std::to_string(lineNo) +
                                           ": expected 16 counters for " + device + ", got " +
                                           std::to_string(ctx.fields.size()));
                return;
            }
            if (device == "lo")
                return;
            for (std::size_t i = 0; i < 16; ++i) {
                auto v = parseUint(ctx.fields[i]);
                if (!v) {
                    parse =
                        Status::corruption(path + ":" + std::to_string(lineNo) +
                                           ": bad counter \"" + std::string(ctx.fields[i]) + "\"");
                    return;
                }
                addStat(out, kProcColumns[i], device, static_cast<double>(*v));
            }
        });
        return parse;
    }
};

}  // namespace

std::unique_ptr<Collector> makeNetdevCollector() {
    return std::make_unique<NetdevCollector>();
}

}  // namespace vigil::collect
