#include "core/scrape/target_labels.h"

#include "core/util/human_units.h"

namespace vigil::scrape {
namespace {

constexpr std::string_view kAddress = "__address__";
constexpr std::string_view kScheme = "__scheme__";
constexpr std::string_view kMetricsPath = "__metrics_path__";
constexpr std::string_view kInterval = "__scrape_interval__";
constexpr std::string_view kTimeout = "__scrape_timeout__";
constexpr std::string_view kParamPrefix = "__param_";
constexpr std::string_view kMetaPrefix = "__meta_";
constexpr std::string_view kReservedPrefix = "__";

// Go's net.SplitHostPort success check, enough for target addresses:
// "host:port" or "[v6]:port" with a non-empty port.
bool hasPort(std::string_view address) {
    if (!address.empty() && address.front() == '[') {
        const auto close = address.find(']');
        return close != std::string_view::npos && close + 1 < address.size() &&
               address[close + 1] == ':';
    }
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos)
        return false;
    // More than one colon without brackets is an unbracketed IPv6 address.
    return address.find(':') == colon;
}

bool canTakePort(std::string_view address) {
    if (address.empty())
        return true;
    if (address.front() == '[')
        return address.back() == ']';
    return address.find(':') == std::string_view::npos;
}

}  // namespace

model::Labels TargetLabels::publicLabels() const {
    std::vector<model::Label> kept;
    for (const auto& label : final) {
        if (label.name.compare(0, kReservedPrefix.size(), kReservedPrefix) != 0)
            kept.push_back(label);
    }
    return model::Labels::fromSorted(std::move(kept));
}

Result<TargetLabels> populateTargetLabels(const model::Labels& discovered,
                                          const TargetDefaults& defaults,
                                          const std::vector<RelabelConfig>& relabelConfigs) {
    model::LabelsBuilder builder(discovered);
    auto setDefault = [&](std::string_view name, const std::string& value) {
        if (builder.get(name).empty())
            builder.set(name, value);
    };
    setDefault("job", defaults.jobName);
    setDefault(kScheme, defaults.scheme);
    setDefault(kMetricsPath, defaults.metricsPath);
    setDefault(kInterval, formatDuration(defaults.scrapeInterval));
    setDefault(kTimeout, formatDuration(defaults.scrapeTimeout));
    for (const auto& [name, values] : defaults.params) {
        if (!values.empty())
            setDefault(std::string(kParamPrefix) + name, values.front());
    }

    TargetLabels out;
    out.discovered = builder.labels();
    if (!relabelInPlace(builder, relabelConfigs)) {
        out.dropped = true;
        return out;
    }

    std::string address(builder.get(kAddress));
    if (address.empty())
        return Status::error("no address");
    if (!hasPort(address) && canTakePort(address)) {
        const std::string_view scheme = builder.get(kScheme);
        if (scheme == "http" || scheme.empty()) {
            address += ":80";
        } else if (scheme == "https") {
            address += ":443";
        } else {
            return Status::error("invalid scheme: \"" + defaults.scheme + "\"");
        }
        builder.set(kAddress, address);
    }
    if (address.find('/') != std::string::npos) {
        return Status::error("\"" + address + "\" is not a valid hostname");
    }

    const std::string intervalText(builder.get(kInterval));
    const std::string timeoutText(builder.get(kTimeout));
    auto interval = parseDuration(intervalText);
    if (!interval)
        return Status::error("error parsing scrape interval: " + interval.status().message());
    if (interval->count() == 0)
        return Status::error("scrape interval cannot be 0");
    auto timeout = parseDuration(timeoutText);
    if (!timeout)
        return Status::error("error parsing scrape timeout: " + timeout.status().message());
    if (timeout->count() == 0)
        return Status::error("scrape timeout cannot be 0");
    if (*timeout > *interval) {
        return Status::error("scrape timeout cannot be greater than scrape interval (\"" +
                             timeoutText + "\" > \"" + intervalText + "\")");
    }

    // Meta labels are deleted after relabeling; other internal labels stay
    // with the target, which decides which of them reach its samples.
    for (const auto& label : builder.labels()) {
        if (label.name.compare(0, kMetaPrefix.size(), kMetaPrefix) == 0)
            builder.del(label.name);
    }
    if (builder.get("instance").empty())
        builder.set("instance", address);
    out.final = builder.labels();
    return out;
}

}  // namespace vigil::scrape
