#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/matcher.h"
#include "core/util/status.h"

namespace vigil::notify {

// alertmanager.yml as Alertmanager 0.25 reads it. Unknown fields are errors
// (Alertmanager reads strictly); fields and integrations Vigil does not act
// on are named in warnings. Semantics: shared/conformance/alertmanager/SEMANTICS.md.

struct RouteConfig {
    std::string receiver;                             // empty: inherited
    std::optional<std::vector<std::string>> groupBy;  // unset (or []): inherited
    bool groupByAll = false;                          // group_by: ['...']
    std::vector<model::Matcher> matchers;             // match, match_re and matchers, sorted
    bool continueMatching = false;
    std::optional<std::chrono::milliseconds> groupWait, groupInterval, repeatInterval;
    std::vector<std::string> muteTimeIntervals;
    std::vector<std::string> activeTimeIntervals;
    std::vector<RouteConfig> routes;
};

// One notifier of a receiver (`slack_configs[0]`...). Its fields are kept as
// YAML, checked against the integration's field list; the receiver code
// reads them.
struct IntegrationConfig {
    std::string type;  // "slack", "email", "pagerduty", "webhook", "discord"
    bool sendResolved = false;
    YAML::Node fields;
};

struct ReceiverConfig {
    std::string name;
    std::vector<IntegrationConfig> integrations;
};

struct InhibitRuleConfig {
    std::vector<model::Matcher> sourceMatchers;  // source_match, source_match_re, source_matchers
    std::vector<model::Matcher> targetMatchers;
    std::vector<std::string> equal;
};

// A time interval as Alertmanager writes it (timeinterval package); ranges
// are inclusive; empty lists mean "any".
struct TimeIntervalSpec {
    struct Range {
        int begin = 0;
        int end = 0;
    };
    std::vector<Range> times;        // minutes of the day, [begin, end)
    std::vector<Range> weekdays;     // 0 = Sunday
    std::vector<Range> daysOfMonth;  // 1..31, or negative from the month's end
    std::vector<Range> months;       // 1..12
    std::vector<Range> years;
    std::string location;  // IANA zone; empty: UTC
};

struct NamedTimeInterval {
    std::string name;
    std::vector<TimeIntervalSpec> intervals;
};

struct AlertmanagerGlobal {
    std::chrono::milliseconds resolveTimeout{5 * 60 * 1000};
    std::map<std::string, std::string>
        settings;  // smtp_*, slack_api_url, pagerduty_url, ... as written
    YAML::Node httpConfig;
};

struct AlertmanagerConfig {
    AlertmanagerGlobal global;
    RouteConfig route;
    std::vector<ReceiverConfig> receivers;
    std::vector<InhibitRuleConfig> inhibitRules;
    std::vector<NamedTimeInterval> timeIntervals;  // time_intervals and mute_time_intervals
    std::vector<std::string> templates;

    const ReceiverConfig* receiver(std::string_view name) const;
};

struct LoadedAlertmanagerConfig {
    AlertmanagerConfig config;
    std::vector<std::string> warnings;
};

Result<LoadedAlertmanagerConfig> parseAlertmanagerConfig(std::string_view text,
                                                         const std::string& fileName);
Result<LoadedAlertmanagerConfig> loadAlertmanagerConfig(const std::string& path);

}  // namespace vigil::notify
