#include "core/notify/alertmanager_config.h"

#include <QTimeZone>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "core/config/config_errors.h"
#include "core/config/yaml_map_reader.h"
#include "core/notify/am_matchers.h"

namespace vigil::notify {

using config::ConfigErrors;
using config::YamlMapReader;

namespace {

// Alertmanager 0.25's global settings (config.GlobalConfig).
constexpr const char* kGlobalStrings[] = {
    "smtp_from",
    "smtp_hello",
    "smtp_smarthost",
    "smtp_auth_username",
    "smtp_auth_password",
    "smtp_auth_password_file",
    "smtp_auth_secret",
    "smtp_auth_identity",
    "smtp_require_tls",
    "slack_api_url",
    "slack_api_url_file",
    "victorops_api_key",
    "victorops_api_key_file",
    "victorops_api_url",
    "pagerduty_url",
    "opsgenie_api_key",
    "opsgenie_api_key_file",
    "opsgenie_api_url",
    "wechat_api_url",
    "wechat_api_secret",
    "wechat_api_corp_id",
    "telegram_api_url",
    "webex_api_url",
};

struct IntegrationSpec {
    const char* key;
    const char* type;
    std::vector<const char*> fields;
};

// The receivers Vigil delivers to, with every field Alertmanager 0.25 knows.
const std::vector<IntegrationSpec>& supportedIntegrations() {
    static const std::vector<IntegrationSpec> kSpecs = {
        {"email_configs",
         "email",
         {"send_resolved", "to", "from", "hello", "smarthost", "auth_username", "auth_password",
          "auth_password_file", "auth_secret", "auth_identity", "headers", "html", "text",
          "require_tls", "tls_config"}},
        {"pagerduty_configs",
         "pagerduty",
         {"send_resolved", "http_config", "service_key", "service_key_file", "routing_key",
          "routing_key_file", "url", "client", "client_url", "description", "details", "images",
          "links", "source", "severity", "class", "component", "group"}},
        {"slack_configs",
         "slack",
         {"send_resolved", "http_config", "api_url",    "api_url_file", "channel",    "username",
          "color",         "title",       "title_link", "pretext",      "text",       "fields",
          "short_fields",  "footer",      "fallback",   "callback_id",  "icon_emoji", "icon_url",
          "image_url",     "thumb_url",   "link_names", "mrkdwn_in",    "actions"}},
        {"webhook_configs",
         "webhook",
         {"send_resolved", "http_config", "url", "url_file", "max_alerts"}},
        {"discord_configs",
         "discord",
         {"send_resolved", "http_config", "webhook_url", "title", "message"}},
        // Vigil's own: the notification pops up from Vigil's tray icon.
        {"desktop_configs", "desktop", {"send_resolved"}},
    };
    return kSpecs;
}

constexpr const char* kUnsupportedIntegrations[] = {
    "opsgenie_configs", "wechat_configs",   "pushover_configs", "victorops_configs",
    "sns_configs",      "telegram_configs", "webex_configs",
};

// Which integrations send resolved notices unless told otherwise.
bool defaultSendResolved(const std::string& type) {
    // Alertmanager 0.25's defaults: e-mail and Slack stay quiet on resolve,
    // PagerDuty, webhooks and Discord send it.
    return type == "pagerduty" || type == "webhook" || type == "discord" || type == "desktop";
}

std::vector<model::Matcher> readMatcherList(YamlMapReader& reader, const char* key) {
    std::vector<model::Matcher> out;
    YAML::Node list = reader.child(key);
    if (!list || list.IsNull())
        return out;
    if (!list.IsSequence()) {
        reader.errors().add(list.Mark(), reader.childPath(key) + ": expected a list of matchers");
        return out;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        if (!item.IsScalar()) {
            reader.errors().add(item.Mark(), reader.childPath(key) + ": expected a matcher string");
            continue;
        }
        auto parsed = parseAmMatchers(item.Scalar());
        if (!parsed) {
            reader.errors().add(item.Mark(),
                                reader.childPath(key) + ": " + parsed.status().message());
            continue;
        }
        out.insert(out.end(), parsed->begin(), parsed->end());
    }
    return out;
}

// Legacy `match` (equality) and `match_re` (regex, stored anchored as
// Alertmanager stores it).
std::vector<model::Matcher> readLegacyMatch(YamlMapReader& reader, const char* key, bool regex) {
    std::vector<model::Matcher> out;
    YAML::Node map = reader.child(key);
    if (!map || map.IsNull())
        return out;
    if (!map.IsMap()) {
        reader.errors().add(
            map.Mark(), reader.childPath(key) + ": expected a mapping of label names to values");
        return out;
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
        const std::string name = it->first.Scalar();
        if (!isValidAmLabelName(name)) {
            reader.errors().add(it->first.Mark(), reader.childPath(key) + ": \"" + name +
                                                      "\" is not a valid label name");
            continue;
        }
        const std::string value = it->second.Scalar();
        auto m = regex
                     ? model::Matcher::make(model::MatchType::kRegexp, name, "^(?:" + value + ")$")
                     : model::Matcher::make(model::MatchType::kEqual, name, value);
        if (!m) {
            reader.errors().add(it->second.Mark(),
                                reader.childPath(key) + "." + name + ": " + m.status().message());
            continue;
        }
        out.push_back(std::move(*m));
    }
    return out;
}

void readRoute(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
               RouteConfig& route) {
    YamlMapReader reader(node, errors, path);
    reader.read("receiver", route.receiver);
    std::vector<std::string> groupBy;
    if (reader.read("group_by", groupBy)) {
        std::set<std::string> seen;
        for (const auto& label : groupBy) {
            if (label == "...") {
                route.groupByAll = true;
                continue;
            }
            if (!isValidAmLabelName(label)) {
                errors.add(reader.child("group_by").Mark(),
                           path + ".group_by: \"" + label + "\" is not a valid label name");
            }
            if (!seen.insert(label).second) {
                errors.add(reader.child("group_by").Mark(),
                           path + ".group_by: duplicated label \"" + label + "\"");
            }
        }
        if (route.groupByAll && groupBy.size() > 1) {
            errors.add(reader.child("group_by").Mark(),
                       path +
                           ".group_by: cannot have wildcard group_by (`...`) and other other "
                           "labels at the same "
                           "time");
        }
        // group_by: [] is the same as not setting it (SEMANTICS.md).
        if (!groupBy.empty() && !route.groupByAll)
            route.groupBy = groupBy;
    }
    auto equality = readLegacyMatch(reader, "match", false);
    auto regex = readLegacyMatch(reader, "match_re", true);
    auto matchers = readMatcherList(reader, "matchers");
    route.matchers.insert(route.matchers.end(), equality.begin(), equality.end());
    route.matchers.insert(route.matchers.end(), regex.begin(), regex.end());
    route.matchers.insert(route.matchers.end(), matchers.begin(), matchers.end());
    sortAmMatchers(route.matchers);
    reader.read("continue", route.continueMatching);
    std::chrono::milliseconds d{0};
    if (reader.readDuration("group_wait", d))
        route.groupWait = d;
    if (reader.readDuration("group_interval", d)) {
        if (d.count() == 0)
            errors.add(reader.child("group_interval").Mark(),
                       path + ".group_interval cannot be zero");
        route.groupInterval = d;
    }
    if (reader.readDuration("repeat_interval", d)) {
        if (d.count() == 0)
            errors.add(reader.child("repeat_interval").Mark(),
                       path + ".repeat_interval cannot be zero");
        route.repeatInterval = d;
    }
    reader.read("mute_time_intervals", route.muteTimeIntervals);
    reader.read("active_time_intervals", route.activeTimeIntervals);
    if (YAML::Node children = reader.child("routes"); children && !children.IsNull()) {
        if (!children.IsSequence()) {
            errors.add(children.Mark(), path + ".routes: expected a list of routes");
        } else {
            for (std::size_t i = 0; i < children.size(); ++i) {
                readRoute(children[i], errors, path + ".routes[" + std::to_string(i) + "]",
                          route.routes.emplace_back());
            }
        }
    }
    reader.finish();
}

void checkRouteReferences(const RouteConfig& route, const std::set<std::string>& receivers,
                          const std::set<std::string>& intervals, ConfigErrors& errors,
                          const YAML::Node& node) {
    if (!route.receiver.empty() && !receivers.count(route.receiver)) {
        errors.add(node.Mark(), "undefined receiver \"" + route.receiver + "\" used in route");
    }
    for (const auto* list : {&route.muteTimeIntervals, &route.activeTimeIntervals}) {
        for (const auto& name : *list) {
            if (!intervals.count(name))
                errors.add(node.Mark(), "undefined time interval \"" + name + "\" used in route");
        }
    }
    const YAML::Node children = node["routes"];
    for (std::size_t i = 0; i < route.routes.size(); ++i) {
        checkRouteReferences(
            route.routes[i], receivers, intervals, errors,
            children && children.IsSequence() && i < children.size() ? children[i] : node);
    }
}

void readReceiver(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                  ReceiverConfig& receiver) {
    YamlMapReader reader(node, errors, path);
    reader.read("name", receiver.name);
    if (receiver.name.empty())
        errors.add(node.Mark(), path + ": missing name in receiver");
    for (const auto& spec : supportedIntegrations()) {
        YAML::Node list = reader.child(spec.key);
        if (!list || list.IsNull())
            continue;
        if (!list.IsSequence()) {
            errors.add(list.Mark(), reader.childPath(spec.key) + ": expected a list");
            continue;
        }
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string itemPath = reader.childPath(spec.key) + "[" + std::to_string(i) + "]";
            YamlMapReader fields(list[i], errors, itemPath);
            IntegrationConfig integration;
            integration.type = spec.type;
            integration.sendResolved = defaultSendResolved(spec.type);
            fields.read("send_resolved", integration.sendResolved);
            for (const char* field : spec.fields)
                fields.child(field);
            fields.finish();
            // The node itself (sharing the document), not YAML::Clone: a clone
            // loses the marks that the receivers need for file:line:col errors.
            integration.fields = list[i];
            receiver.integrations.push_back(std::move(integration));
        }
    }
    for (const char* key : kUnsupportedIntegrations) {
        reader.child(key);
        if (const YAML::Mark mark = reader.keyMark(key); mark.line >= 0) {
            errors.warn(mark, reader.childPath(key) +
                                  ": this integration is not supported by Vigil; receiver \"" +
                                  receiver.name + "\" will not notify through it");
        }
    }
    reader.finish();
}

void readInhibitRule(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                     InhibitRuleConfig& rule) {
    YamlMapReader reader(node, errors, path);
    auto add = [](std::vector<model::Matcher>& to, std::vector<model::Matcher> from) {
        to.insert(to.end(), from.begin(), from.end());
    };
    add(rule.sourceMatchers, readLegacyMatch(reader, "source_match", false));
    add(rule.sourceMatchers, readLegacyMatch(reader, "source_match_re", true));
    add(rule.sourceMatchers, readMatcherList(reader, "source_matchers"));
    add(rule.targetMatchers, readLegacyMatch(reader, "target_match", false));
    add(rule.targetMatchers, readLegacyMatch(reader, "target_match_re", true));
    add(rule.targetMatchers, readMatcherList(reader, "target_matchers"));
    reader.read("equal", rule.equal);
    reader.finish();
}

// "09:00" → 540; "24:00" is allowed as an end.
std::optional<int> parseClock(const std::string& text) {
    int h = 0, m = 0;
    if (text.size() != 5 || text[2] != ':')
        return std::nullopt;
    if (std::from_chars(text.data(), text.data() + 2, h).ec != std::errc())
        return std::nullopt;
    if (std::from_chars(text.data() + 3, text.data() + 5, m).ec != std::errc())
        return std::nullopt;
    if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0))
        return std::nullopt;
    return h * 60 + m;
}

// "monday:friday", "1:5", "-3:-1", "march" → a range; names via `names`.
std::optional<TimeIntervalSpec::Range> parseRange(const std::string& text,
                                                  const std::vector<std::string>& names,
                                                  int nameBase, int lo, int hi) {
    auto one = [&](std::string s) -> std::optional<int> {
        for (char& c : s)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (names[i] == s)
                return static_cast<int>(i) + nameBase;
        }
        int v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi || (v == 0 && lo < 0))
            return std::nullopt;
        return v;
    };
    const auto colon = text.find(':');
    auto begin = one(text.substr(0, colon));
    auto end = colon == std::string::npos ? begin : one(text.substr(colon + 1));
    if (!begin || !end)
        return std::nullopt;
    return TimeIntervalSpec::Range{*begin, *end};
}

void readTimeInterval(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                      TimeIntervalSpec& spec) {
    static const std::vector<std::string> kWeekdays = {"sunday",   "monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday"};
    static const std::vector<std::string> kMonths = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    YamlMapReader reader(node, errors, path);
    if (YAML::Node times = reader.child("times"); times && times.IsSequence()) {
        for (std::size_t i = 0; i < times.size(); ++i) {
            YamlMapReader t(times[i], errors, path + ".times[" + std::to_string(i) + "]");
            std::string start, end;
            t.read("start_time", start);
            t.read("end_time", end);
            t.finish();
            auto b = parseClock(start), e = parseClock(end);
            if (!b || !e) {
                errors.add(times[i].Mark(),
                           t.path() + ": times must be written HH:MM, from 00:00 to 24:00");
            } else if (*b >= *e) {
                errors.add(times[i].Mark(),
                           t.path() + ": start time cannot be equal or greater than end time");
            } else {
                spec.times.push_back({*b, *e});
            }
        }
    }
    auto ranges = [&](const char* key, std::vector<TimeIntervalSpec::Range>& out,
                      const std::vector<std::string>& names, int nameBase, int lo, int hi) {
        std::vector<std::string> items;
        if (!reader.read(key, items))
            return;
        for (const auto& item : items) {
            auto r = parseRange(item, names, nameBase, lo, hi);
            if (!r) {
                errors.add(reader.child(key).Mark(),
                           path + "." + key + ": invalid range \"" + item + "\"");
            } else {
                out.push_back(*r);
            }
        }
    };
    ranges("weekdays", spec.weekdays, kWeekdays, 0, 0, 6);
    ranges("days_of_month", spec.daysOfMonth, {}, 0, -31, 31);
    ranges("months", spec.months, kMonths, 1, 1, 12);
    ranges("years", spec.years, {}, 0, 0, 9999);
    if (reader.read("location", spec.location) && spec.location != "Local" &&
        spec.location != "UTC" && !QTimeZone(QByteArray::fromStdString(spec.location)).isValid()) {
        errors.add(reader.child("location").Mark(),
                   path + ".location: unknown time zone \"" + spec.location + "\"");
    }
    reader.finish();
}

void readNamedIntervals(const YAML::Node& list, ConfigErrors& errors, const std::string& path,
                        std::vector<NamedTimeInterval>& out) {
    if (!list || list.IsNull())
        return;
    if (!list.IsSequence()) {
        errors.add(list.Mark(), path + ": expected a list");
        return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string itemPath = path + "[" + std::to_string(i) + "]";
        YamlMapReader reader(list[i], errors, itemPath);
        NamedTimeInterval named;
        reader.read("name", named.name);
        if (YAML::Node specs = reader.child("time_intervals"); specs && specs.IsSequence()) {
            for (std::size_t j = 0; j < specs.size(); ++j) {
                readTimeInterval(specs[j], errors,
                                 itemPath + ".time_intervals[" + std::to_string(j) + "]",
                                 named.intervals.emplace_back());
            }
        }
        reader.finish();
        out.push_back(std::move(named));
    }
}

}  // namespace

const ReceiverConfig* AlertmanagerConfig::receiver(std::string_view name) const {
    for (const auto& r : receivers) {
        if (r.name == name)
            return &r;
    }
    return nullptr;
}

Result<LoadedAlertmanagerConfig> parseAlertmanagerConfig(std::string_view text,
                                                         const std::string& fileName) {
    ConfigErrors errors(fileName);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        errors.add(e.mark, "invalid YAML: " + e.msg);
        return errors.toStatus();
    }
    LoadedAlertmanagerConfig loaded;
    AlertmanagerConfig& cfg = loaded.config;
    YamlMapReader top(root, errors, "");

    YamlMapReader global(top.child("global"), errors, "global");
    global.readDuration("resolve_timeout", cfg.global.resolveTimeout);
    for (const char* key : kGlobalStrings) {
        std::string value;
        if (global.read(key, value))
            cfg.global.settings[key] = value;
    }
    cfg.global.httpConfig = global.child("http_config");
    global.finish();

    top.read("templates", cfg.templates);

    const YAML::Node routeNode = top.child("route");
    if (!routeNode || routeNode.IsNull()) {
        errors.add(root.Mark(), "no routes provided");
    } else {
        readRoute(routeNode, errors, "route", cfg.route);
        if (cfg.route.receiver.empty())
            errors.add(routeNode.Mark(), "root route must specify a default receiver");
        if (!cfg.route.matchers.empty())
            errors.add(routeNode.Mark(), "root route must not have any matchers");
        if (cfg.route.continueMatching)
            errors.add(routeNode.Mark(), "cannot have continue in root route");
        if (!cfg.route.muteTimeIntervals.empty()) {
            errors.add(routeNode.Mark(), "root route must not have any mute time intervals");
        }
        if (!cfg.route.activeTimeIntervals.empty()) {
            errors.add(routeNode.Mark(), "root route must not have any active time intervals");
        }
    }

    std::set<std::string> receiverNames;
    if (YAML::Node list = top.child("receivers"); list && list.IsSequence()) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            ReceiverConfig receiver;
            readReceiver(list[i], errors, "receivers[" + std::to_string(i) + "]", receiver);
            if (!receiver.name.empty() && !receiverNames.insert(receiver.name).second) {
                errors.add(list[i].Mark(),
                           "notification config name \"" + receiver.name + "\" is not unique");
            }
            cfg.receivers.push_back(std::move(receiver));
        }
    }
    if (YAML::Node list = top.child("inhibit_rules"); list && list.IsSequence()) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            readInhibitRule(list[i], errors, "inhibit_rules[" + std::to_string(i) + "]",
                            cfg.inhibitRules.emplace_back());
        }
    }
    readNamedIntervals(top.child("time_intervals"), errors, "time_intervals", cfg.timeIntervals);
    readNamedIntervals(top.child("mute_time_intervals"), errors, "mute_time_intervals",
                       cfg.timeIntervals);
    top.finish();

    std::set<std::string> intervalNames;
    for (const auto& interval : cfg.timeIntervals) {
        if (!intervalNames.insert(interval.name).second) {
            errors.add(0, 0, "time interval \"" + interval.name + "\" is not unique");
        }
    }
    if (routeNode && !routeNode.IsNull()) {
        checkRouteReferences(cfg.route, receiverNames, intervalNames, errors, routeNode);
    }
    if (!errors.empty())
        return errors.toStatus();
    loaded.warnings = errors.warnings();
    return loaded;
}

Result<LoadedAlertmanagerConfig> loadAlertmanagerConfig(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status::ioError("cannot read " + path + ": " + std::strerror(errno));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parseAlertmanagerConfig(buffer.str(), path);
}

}  // namespace vigil::notify
