// node_exporter 1.5.0 collector/diskstats_linux.go with the default device
// exclusion: the /proc/diskstats counters (as many as the kernel provides:
// 11, 15 or 17 after major/minor/name), sectors * 512 for bytes, ms * 0.001
// for seconds; node_disk_info and node_disk_device_mapper_info from udev's
// database (/run/udev/data/b<M>:<m>). (1.5.0 exports no ATA properties.)

#include <re2/re2.h>

#include <map>

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

constexpr const char* kDeviceExclude = "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";
constexpr double kSectorSize = 512.0;
constexpr double kSecondsPerTick = 1.0 / 1000.0;

struct Desc {
    const char* name;
    const char* help;
    MetricType type;
    double scale;  // 0: none
};

// In /proc/diskstats column order (after major, minor, device).
constexpr Desc kDescs[] = {
    {"node_disk_reads_completed_total", "The total number of reads completed successfully.",
     MetricType::kCounter, 0},
    {"node_disk_reads_merged_total", "The total number of reads merged.", MetricType::kCounter, 0},
    {"node_disk_read_bytes_total", "The total number of bytes read successfully.",
     MetricType::kCounter, kSectorSize},
    {"node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.",
     MetricType::kCounter, kSecondsPerTick},
    {"node_disk_writes_completed_total", "The total number of writes completed successfully.",
     MetricType::kCounter, 0},
    {"node_disk_writes_merged_total", "The number of writes merged.", MetricType::kCounter, 0},
    {"node_disk_written_bytes_total", "The total number of bytes written successfully.",
     MetricType::kCounter, kSectorSize},
    {"node_disk_write_time_seconds_total",
     "This is the total number of seconds spent by all writes.", MetricType::kCounter,
     kSecondsPerTick},
    {"node_disk_io_now", "The number of I/Os currently in progress.", MetricType::kGauge, 0},
    {"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", MetricType::kCounter,
     kSecondsPerTick},
    {"node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.",
     MetricType::kCounter, kSecondsPerTick},
    {"node_disk_discards_completed_total", "The total number of discards completed successfully.",
     MetricType::kCounter, 0},
    {"node_disk_discards_merged_total", "The total number of discards merged.",
     MetricType::kCounter, 0},
    {"node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.",
     MetricType::kCounter, 0},
    {"node_disk_discard_time_seconds_total",
     "This is the total number of seconds spent by all discards.", MetricType::kCounter,
     kSecondsPerTick},
    {"node_disk_flush_requests_total", "The total number of flush requests completed successfully",
     MetricType::kCounter, 0},
    {"node_disk_flush_requests_time_seconds_total",
     "This is the total number of seconds spent by all flush requests.", MetricType::kCounter,
     kSecondsPerTick},
};
constexpr std::size_t kStatCount = sizeof(kDescs) / sizeof(kDescs[0]);

class DiskstatsCollector final : public Collector {
public:
    DiskstatsCollector() : m_exclude(kDeviceExclude) {}

    std::string_view name() const override { return "diskstats"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        const std::string path = ctx.paths.proc("diskstats");
        Status s = readProcFile(path, ctx.text);
        if (!s.isOk())
            return s.withContext("couldn't get diskstats");
        std::size_t lineNo = 0;
        Status parse = Status::ok();
        std::string udevText;
        std::vector<std::string_view> fields;
        forEachLine(ctx.text, [&](std::string_view line) {
            ++lineNo;
            if (!parse.isOk())
                return;
            splitFields(line, fields);
            if (fields.empty())
                return;
            const std::string where = path + ":" + std::to_string(lineNo) + ": ";
            if (fields.size() < 3 + 11) {
                parse = Status::corruption(where + "expected at least 14 fields, got " +
                                           std::to_string(fields.size()));
                return;
            }
            const std::string device(fields[2]);
            if (RE2::FullMatch(device, m_exclude))
                return;
            double values[kStatCount] = {};
            const std::size_t count = std::min(fields.size() - 3, kStatCount);
            for (std::size_t i = 0; i < count; ++i) {
                auto v = parseUint(fields[3 + i]);
                if (!v) {
                    parse = Status::corruption(where + "bad counter \"" +
                                               std::string(fields[3 + i]) + "\" for " + device);
                    return;
                }
                values[i] = static_cast<double>(*v);
                if (kDescs[i].scale != 0)
                    values[i] *= kDescs[i].scale;
            }
            const std::string major(fields[0]);
            const std::string minor(fields[1]);
            std::map<std::string, std::string> udev = readUdev(ctx, major, minor, udevText);
            for (std::size_t i = 0; i < count; ++i) {
                out.family(kDescs[i].name, kDescs[i].help, kDescs[i].type);
                out.add({{"device", device}}, values[i]);
            }
            std::string serial = udev["SCSI_IDENT_SERIAL"];
            if (serial.empty())
                serial = udev["ID_SERIAL_SHORT"];
            out.family("node_disk_info", "Info of /sys/block/<block_device>.", MetricType::kGauge);
            out.add(std::vector<model::Label>{{"device", device},
                                              {"major", major},
                                              {"minor", minor},
                                              {"path", udev["ID_PATH"]},
                                              {"wwn", udev["ID_WWN"]},
                                              {"model", udev["ID_MODEL"]},
                                              {"serial", serial},
                                              {"revision", udev["ID_REVISION"]}},
                    1);
            if (!udev["DM_NAME"].empty()) {
                out.family("node_disk_device_mapper_info", "Info about disk device mapper.",
                           MetricType::kGauge);
                out.add(std::vector<model::Label>{{"device", device},
                                                  {"name", udev["DM_NAME"]},
                                                  {"uuid", udev["DM_UUID"]},
                                                  {"vg_name", udev["DM_VG_NAME"]},
                                                  {"lv_name", udev["DM_LV_NAME"]},
                                                  {"lv_layer", udev["DM_LV_LAYER"]}},
                        1);
            }
        });
        return parse;
    }

private:
    // udev's "E:KEY=VALUE" lines for block device major:minor; empty when
    // udev keeps no database (containers, this VM).
    static std::map<std::string, std::string> readUdev(CollectContext& ctx,
                                                       const std::string& major,
                                                       const std::string& minor,
                                                       std::string& text) {
        std::map<std::string, std::string> props;
        if (!readProcFile(ctx.paths.udevDataPath + "/b" + major + ":" + minor, text).isOk())
            return props;
        forEachLine(text, [&](std::string_view line) {
            if (line.substr(0, 2) != "E:")
                return;
            line.remove_prefix(2);
            const std::size_t eq = line.find('=');
            if (eq == std::string_view::npos)
                return;
            props[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
        });
        return props;
    }

    RE2 m_exclude;
};

}  // namespace

std::unique_ptr<Collector> makeDiskstatsCollector() {
    return std::make_unique<DiskstatsCollector>();
}

}  // namespace vigil::collect
