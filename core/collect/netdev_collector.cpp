// node_exporter 1.5.0 collector/netdev_linux.go. 1.5.0 reads link statistics
// over netlink (RTM_GETLINK, rtnl_link_stats64) by default, and so does this
// on the live system: one dump instead of ~17 sysfs reads per interface. The
// same kernel counters are in /sys/class/net/<dev>/statistics/, which is read
// when the collector points at another /sys (fixture trees) or netlink fails.
// Both use node_exporter's netlink names (receive_errs = rx_errors, ...).
// Without sysfs it falls back to /proc/net/dev (node_exporter's
// --no-collector.netdev.netlink). Device exclusion: ^lo$.

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

// The counters of rtnl_link_stats64 in kNetlinkStats order.
void addNetlinkStats(MetricBatch& out, const std::string& device, const rtnl_link_stats64& s) {
    const std::uint64_t values[] = {
        s.rx_packets,      s.tx_packets,     s.rx_bytes,          s.tx_bytes,       s.rx_errors,
        s.tx_errors,       s.rx_dropped,     s.tx_dropped,        s.multicast,      s.collisions,
        s.rx_frame_errors, s.rx_fifo_errors, s.tx_carrier_errors, s.tx_fifo_errors, s.rx_compressed,
        s.tx_compressed,   s.rx_nohandler};
    static_assert(std::size(values) == std::size(kNetlinkStats));
    for (std::size_t i = 0; i < std::size(values); ++i)
        addStat(out, kNetlinkStats[i].metric, device, static_cast<double>(values[i]));
}

// One RTM_GETLINK dump. Returns an error (and adds nothing) when netlink is
// unusable, so the caller can fall back to sysfs.
Status collectNetlink(MetricBatch& out) {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return Status::ioError(std::string("netlink socket: ") + std::strerror(errno));
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct {
        nlmsghdr header;
        ifinfomsg info;
    } request{};
    request.header.nlmsg_len = sizeof(request);
    request.header.nlmsg_type = RTM_GETLINK;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.header.nlmsg_seq = 1;
    request.info.ifi_family = AF_UNSPEC;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, &request, sizeof(request), 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof(kernel)) < 0)
        return Status::ioError(std::string("netlink send: ") + std::strerror(errno));

    struct Link {
        std::string name;
        rtnl_link_stats64 stats{};
    };
    std::vector<Link> links;
    std::vector<char> buffer(32768);
    for (;;) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Status::ioError(std::string("netlink recv: ") + std::strerror(errno));
        }
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(h, len);
             h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                for (const Link& link : links)
                    addNetlinkStats(out, link.name, link.stats);
                return Status::ok();
            }
            if (h->nlmsg_type == NLMSG_ERROR)
                return Status::ioError("netlink: RTM_GETLINK dump failed");
            if (h->nlmsg_type != RTM_NEWLINK)
                continue;
            auto* info = static_cast<ifinfomsg*>(NLMSG_DATA(h));
            int attrLen = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof(*info)));
            Link link;
            bool hasStats = false;
            for (auto* a = IFLA_RTA(info); RTA_OK(a, attrLen); a = RTA_NEXT(a, attrLen)) {
                if (a->rta_type == IFLA_IFNAME) {
                    link.name.assign(static_cast<const char*>(RTA_DATA(a)));
                } else if (a->rta_type == IFLA_STATS64 &&
                           RTA_PAYLOAD(a) >= sizeof(rtnl_link_stats64) - sizeof(__u64)) {
                    // Older kernels send the struct without the newest field
                    // (rx_nohandler); the rest is zero, as in Go's decoder.
                    std::memcpy(&link.stats, RTA_DATA(a),
                                std::min<std::size_t>(RTA_PAYLOAD(a), sizeof(link.stats)));
                    hasStats = true;
                }
            }
            if (hasStats && !link.name.empty() && link.name != "lo")
                links.push_back(std::move(link));
        }
    }
}

class NetdevCollector final : public Collector {
public:
    std::string_view name() const override { return "netdev"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        if (ctx.paths.sysPath == "/sys" && collectNetlink(out).isOk())
            return Status::ok();
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
