// node_exporter 1.5.0 collector/hwmon_linux.go: every sensor file of
// /sys/class/hwmon/hwmon*/ (and its device/ directory), named
// node_hwmon_<type>[_<element>]_<unit>{chip,sensor}, plus
// node_hwmon_chip_names and node_hwmon_sensor_label. The chip label is
// derived from the device path ("platform_coretemp_0") as node_exporter does,
// so it is stable across reboots. No /sys/class/hwmon: no data (success 0).

#include <sys/stat.h>

#include <cctype>
#include <map>

#include "core/collect/collector.h"
#include "core/collect/proc_file.h"

namespace vigil::collect {
namespace {

// Go: strings.Trim(regexp `[^a-z0-9:_]` -> "_" of ToLower(name), "_").
std::string cleanMetricName(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (char c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_';
        out += ok ? c : '_';
    }
    const std::size_t first = out.find_first_not_of('_');
    if (first == std::string::npos)
        return {};
    const std::size_t last = out.find_last_not_of('_');
    return out.substr(first, last - first + 1);
}

// ^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$
bool explodeSensorFilename(std::string_view file, std::string& type, std::string& id,
                           std::string& property) {
    std::size_t i = 0;
    while (i < file.size() && !(file[i] >= '0' && file[i] <= '9'))
        ++i;
    if (i == 0)
        return false;
    // [^0-9]+ is greedy and may swallow "_prop" when there is no number:
    // "update_interval" is a type with no property, as in Go.
    type.assign(file.substr(0, i));
    std::size_t j = i;
    while (j < file.size() && file[j] >= '0' && file[j] <= '9')
        ++j;
    id.assign(file.substr(i, j - i));
    property.clear();
    if (j == file.size())
        return true;
    if (file[j] != '_' || j + 1 == file.size())
        return false;
    property.assign(file.substr(j + 1));
    return true;
}

bool isSensorType(std::string_view type) {
    static constexpr std::string_view kTypes[] = {
        "vrm",  "beep_enable", "update_interval", "in",     "cpu",      "fan",       "pwm",
        "temp", "curr",        "power",           "energy", "humidity", "intrusion", "freq"};
    for (std::string_view t : kTypes)
        if (t == type)
            return true;
    return false;
}

bool isDirectory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

using SensorData = std::map<std::string, std::map<std::string, std::string>>;

void collectSensorData(const std::string& dir, SensorData& data) {
    auto files = listDirectory(dir);
    if (!files.isOk())
        return;
    std::string type, id, property;
    for (const std::string& file : files.value()) {
        if (!explodeSensorFilename(file, type, id, property) || !isSensorType(type))
            continue;
        auto value = readTrimmed(dir + "/" + file);
        if (!value.isOk())
            continue;  // unreadable sensors (EIO, EACCES) are skipped, as in node_exporter
        // A sensor without a number (beep_enable, vrm) is sensor "<type>0".
        data[type + (id.empty() ? "0" : id)][property] = value.value();
    }
}

std::string hwmonName(const std::string& dir) {
    if (auto device = resolvePath(dir + "/device")) {
        std::string_view path = *device;
        const std::size_t slash = path.rfind('/');
        const std::string_view devName = path.substr(slash + 1);
        std::string_view prefix = path.substr(0, slash);
        const std::string_view devType = prefix.substr(prefix.rfind('/') + 1);
        const std::string cleanName = cleanMetricName(devName);
        const std::string cleanType = cleanMetricName(devType);
        if (!cleanType.empty() && !cleanName.empty())
            return cleanType + "_" + cleanName;
        if (!cleanName.empty())
            return cleanName;
    }
    if (auto name = readTrimmed(dir + "/name"); name.isOk()) {
        const std::string clean = cleanMetricName(name.value());
        if (!clean.empty())
            return clean;
    }
    const std::string real = resolvePath(dir).value_or(dir);
    return cleanMetricName(std::string_view(real).substr(real.rfind('/') + 1));
}

class HwmonCollector final : public Collector {
public:
    std::string_view name() const override { return "hwmon"; }

    Status collect(CollectContext& ctx, MetricBatch& out) override {
        const std::string root = ctx.paths.sys("class/hwmon");
        auto entries = listDirectory(root);
        if (!entries.isOk()) {
            if (entries.status().code() == Status::Code::kNotFound)
                return Status::error(Status::Code::kUnavailable,
                                     root +
                                         ": hwmon collector metrics are not available for this "
                                         "system");
            return entries.status();
        }
        for (const std::string& entry : entries.value()) {
            const std::string dir = root + "/" + entry;
            if (isDirectory(dir))
                collectChip(dir, out);
        }
        return Status::ok();
    }

private:
    static void collectChip(const std::string& dir, MetricBatch& out) {
        const std::string chip = hwmonName(dir);
        if (chip.empty())
            return;
        SensorData data;
        collectSensorData(dir, data);
        if (isDirectory(dir + "/device"))
            collectSensorData(dir + "/device", data);

        if (auto name = readTrimmed(dir + "/name"); name.isOk()) {
            const std::string chipName = cleanMetricName(name.value());
            if (!chipName.empty()) {
                out.family("node_hwmon_chip_names",
                           "Annotation metric for human-readable chip names", MetricType::kGauge);
                out.add({{"chip", chip}, {"chip_name", chipName}}, 1);
            }
        }

        std::string type, id, property;
        for (const auto& [sensor, elements] : data) {
            explodeSensorFilename(sensor, type, id, property);
            const std::vector<model::Label> labels = {{"chip", chip}, {"sensor", sensor}};
            if (auto it = elements.find("label"); it != elements.end()) {
                out.family("node_hwmon_sensor_label", "Label for given chip and sensor",
                           MetricType::kGauge);
                out.add({{"chip", chip}, {"sensor", sensor}, {"label", it->second}}, 1);
            }
            const auto plain = [&]() -> std::optional<double> {
                auto it = elements.find("");
                return it == elements.end() ? std::nullopt : parseDouble(it->second);
            };
            if (type == "beep_enable") {
                auto it = elements.find("");
                out.family("node_hwmon_beep_enabled", "Hardware beep enabled", MetricType::kGauge);
                out.add(labels, it != elements.end() && it->second == "1" ? 1 : 0);
                continue;
            }
            if (type == "vrm") {
                if (auto v = plain()) {
                    out.family("node_hwmon_voltage_regulator_version", "Hardware voltage regulator",
                               MetricType::kGauge);
                    out.add(labels, *v);
                }
                continue;
            }
            if (type == "update_interval") {
                if (auto v = plain()) {
                    out.family("node_hwmon_update_interval_seconds",
                               "Hardware monitor update interval", MetricType::kGauge);
                    out.add(labels, *v * 0.001);
                }
                continue;
            }
            const std::string prefix = "node_hwmon_" + type;
            for (const auto& [elementKey, text] : elements) {
                std::string element = elementKey;
                if (element == "label")
                    continue;
                std::string name = prefix;
                if (element == "input") {
                    if (elements.count(""))
                        name += "_input";
                } else if (!element.empty()) {
                    name += "_" + cleanMetricName(element);
                }
                auto parsed = parseDouble(text);
                if (!parsed)
                    continue;
                const double v = *parsed;
                const auto put = [&](const std::string& n, const std::string& help, MetricType t,
                                     double value) {
                    out.family(n, help, t);
                    out.add(labels, value);
                };
                if (element == "fault" || element == "alarm") {
                    put(name, "Hardware sensor " + element + " status (" + type + ")",
                        MetricType::kGauge, v);
                } else if (element == "beep") {
                    put(name + "_enabled", "Hardware monitor sensor has beeping enabled",
                        MetricType::kGauge, v);
                } else if (type == "in" || type == "cpu") {
                    put(name + "_volts", "Hardware monitor for voltage (" + element + ")",
                        MetricType::kGauge, v * 0.001);
                } else if (type == "temp" && element != "type") {
                    if (element.empty())
                        element = "input";
                    put(name + "_celsius", "Hardware monitor for temperature (" + element + ")",
                        MetricType::kGauge, v * 0.001);
                } else if (type == "curr") {
                    put(name + "_amps", "Hardware monitor for current (" + element + ")",
                        MetricType::kGauge, v * 0.001);
                } else if (type == "energy") {
                    put(name + "_joule_total",
                        "Hardware monitor for joules used so far (" + element + ")",
                        MetricType::kCounter, v / 1000000.0);
                } else if (type == "power" && element == "accuracy") {
                    put(name, "Hardware monitor power meter accuracy, as a ratio",
                        MetricType::kGauge, v / 1000000.0);
                } else if (type == "power" &&
                           (element == "average_interval" || element == "average_interval_min" ||
                            element == "average_interval_max")) {
                    put(name + "_seconds",
                        "Hardware monitor power usage update interval (" + element + ")",
                        MetricType::kGauge, v * 0.001);
                } else if (type == "power") {
                    put(name + "_watt",
                        "Hardware monitor for power usage in watts (" + element + ")",
                        MetricType::kGauge, v / 1000000.0);
                } else if (type == "humidity") {
                    put(name, "Hardware monitor for humidity (" + element + ")", MetricType::kGauge,
                        v * 0.001);
                } else if (type == "fan" && (element == "input" || element == "min" ||
                                             element == "max" || element == "target")) {
                    put(name + "_rpm",
                        "Hardware monitor for fan revolutions per minute (" + element + ")",
                        MetricType::kGauge, v);
                } else {
                    put(name, "Hardware monitor " + type + " element " + element,
                        MetricType::kGauge, v);
                }
            }
        }
    }
};

}  // namespace

std::unique_ptr<Collector> makeHwmonCollector() {
    return std::make_unique<HwmonCollector>();
}

}  // namespace vigil::collect
