#include "core/scrape/scrape_api.h"

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

#include "core/promql/parser.h"
#include "core/promql/result_json.h"
#include "core/util/go_float.h"
#include "core/util/human_units.h"

namespace vigil::scrape {
namespace {

constexpr const char* kJson = "application/json";

void sendData(httplib::Response& res, const std::string& data) {
    res.set_content("{\"status\":\"success\",\"data\":" + data + "}", kJson);
}

void sendBadData(httplib::Response& res, const std::string& message) {
    res.status = 400;
    res.set_content(promql::renderErrorJson("bad_data", message), kJson);
}

std::string param(const httplib::Request& req, const char* name) {
    return req.has_param(name) ? req.get_param_value(name) : std::string();
}

// Prometheus's strconv.Atoi of `limit`; -1 when absent.
bool parseLimit(const httplib::Request& req, long long& limit) {
    limit = -1;
    const std::string text = param(req, "limit");
    if (text.empty())
        return true;
    const char* begin = text.data();
    if (*begin == '+')
        ++begin;
    auto [end, ec] = std::from_chars(begin, text.data() + text.size(), limit);
    return ec == std::errc() && end == text.data() + text.size();
}

// A JSON object of labels (Go marshals a map with its keys sorted; Labels are
// sorted by name already).
void appendLabels(std::string& out, const model::Labels& labels) {
    out += '{';
    bool first = true;
    for (const auto& label : labels) {
        if (!first)
            out += ',';
        first = false;
        promql::appendJsonString(out, label.name);
        out += ':';
        promql::appendJsonString(out, label.value);
    }
    out += '}';
}

// Go's encoding/json float64: 'f' unless the magnitude is tiny or huge.
void appendJsonFloat(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += '0';  // Go refuses to marshal these; a duration is never one
        return;
    }
    const double a = std::fabs(v);
    if (a != 0 && (a < 1e-6 || a >= 1e21))
        appendFloatG(out, v);
    else
        appendFloatF(out, v);
}

void appendMetadataFields(std::string& out, const MetricMetadata& m) {
    out += "\"type\":";
    promql::appendJsonString(out, m.type);
    out += ",\"help\":";
    promql::appendJsonString(out, m.help);
    out += ",\"unit\":";
    promql::appendJsonString(out, m.unit);
}

const MetricMetadata* findMetadata(const std::vector<MetricMetadata>& list,
                                   std::string_view metric) {
    auto it = std::lower_bound(
        list.begin(), list.end(), metric,
        [](const MetricMetadata& m, std::string_view name) { return m.metric < name; });
    return it != list.end() && it->metric == metric ? &*it : nullptr;
}

std::string hostName() {
    char buf[256] = {};
    if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0')
        return "localhost";
    return buf;
}

}  // namespace

std::string formatApiTime(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    if (t == system_clock::time_point{})
        return "0001-01-01T00:00:00Z";
    const auto ns = duration_cast<nanoseconds>(t.time_since_epoch()).count();
    std::int64_t secs = ns / 1000000000;
    std::int64_t frac = ns % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        --secs;
    }
    const std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::string out = buf;
    if (frac != 0) {
        char digits[16];
        std::snprintf(digits, sizeof(digits), "%09lld", static_cast<long long>(frac));
        std::string_view f(digits);
        while (!f.empty() && f.back() == '0')
            f.remove_suffix(1);
        out += '.';
        out += f;
    }
    out += 'Z';
    return out;
}

std::string globalUrl(const std::string& scrapeUrl) {
    const std::size_t schemeEnd = scrapeUrl.find("://");
    if (schemeEnd == std::string::npos)
        return scrapeUrl;
    const std::size_t hostStart = schemeEnd + 3;
    std::size_t hostEnd = scrapeUrl.find_first_of("/?#", hostStart);
    if (hostEnd == std::string::npos)
        hostEnd = scrapeUrl.size();
    const std::string_view hostPort(scrapeUrl.data() + hostStart, hostEnd - hostStart);
    std::string_view host = hostPort;
    std::string_view port;
    if (host.starts_with('[')) {
        const std::size_t close = host.find(']');
        if (close == std::string_view::npos)
            return scrapeUrl;
        port = host.substr(close + 1);
        host = host.substr(1, close - 1);
    } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
        port = host.substr(colon);
        host = host.substr(0, colon);
    }
    if (host != "127.0.0.1" && host != "localhost" && host != "::1")
        return scrapeUrl;
    return scrapeUrl.substr(0, hostStart) + hostName() + std::string(port) +
           scrapeUrl.substr(hostEnd);
}

std::string renderTargetsJson(const TargetsSnapshot& targets, std::string_view state,
                              std::string_view scrapePool) {
    const bool showActive = state.empty() || state == "any" || state == "active";
    const bool showDropped = state.empty() || state == "any" || state == "dropped";
    std::string out = "{\"activeTargets\":[";
    bool first = true;
    if (showActive) {
        for (const TargetSnapshot& t : targets.active) {
            if (!scrapePool.empty() && t.job != scrapePool)
                continue;
            if (!first)
                out += ',';
            first = false;
            out += "{\"discoveredLabels\":";
            appendLabels(out, t.discoveredLabels);
            out += ",\"labels\":";
            appendLabels(out, t.labels);
            out += ",\"scrapePool\":";
            promql::appendJsonString(out, t.job);
            out += ",\"scrapeUrl\":";
            promql::appendJsonString(out, t.scrapeUrl);
            out += ",\"globalUrl\":";
            promql::appendJsonString(out, globalUrl(t.scrapeUrl));
            out += ",\"lastError\":";
            promql::appendJsonString(out, t.lastError);
            out += ",\"lastScrape\":";
            promql::appendJsonString(out, formatApiTime(t.lastScrape));
            out += ",\"lastScrapeDuration\":";
            appendJsonFloat(out, t.lastScrapeDurationSeconds);
            out += ",\"health\":";
            promql::appendJsonString(out, targetHealthName(t.health));
            out += ",\"scrapeInterval\":";
            promql::appendJsonString(out, formatDuration(t.interval));
            out += ",\"scrapeTimeout\":";
            promql::appendJsonString(out, formatDuration(t.timeout));
            out += '}';
        }
    }
    out += "],\"droppedTargets\":[";
    first = true;
    if (showDropped) {
        for (const DroppedTargetSnapshot& t : targets.dropped) {
            if (!scrapePool.empty() && t.job != scrapePool)
                continue;
            if (!first)
                out += ',';
            first = false;
            out += "{\"discoveredLabels\":";
            appendLabels(out, t.discoveredLabels);
            out += '}';
        }
    }
    out += "]}";
    return out;
}

std::string renderMetadataJson(const std::vector<TargetMetadata>& targets, std::string_view metric,
                               long long limit) {
    // family → distinct (type, help, unit); std::map keeps the output stable
    // (Prometheus iterates a Go map, so its order is arbitrary).
    std::map<std::string, std::set<std::tuple<std::string, std::string, std::string>>, std::less<>>
        families;
    for (const TargetMetadata& target : targets) {
        if (metric.empty()) {
            for (const MetricMetadata& m : *target.metadata)
                families[m.metric].emplace(m.type, m.help, m.unit);
        } else if (const MetricMetadata* m = findMetadata(*target.metadata, metric)) {
            families[m->metric].emplace(m->type, m->help, m->unit);
        }
    }
    std::string out = "{";
    long long written = 0;
    for (const auto& [name, set] : families) {
        if (limit >= 0 && written >= limit)
            break;
        if (written++ > 0)
            out += ',';
        promql::appendJsonString(out, name);
        out += ":[";
        bool first = true;
        for (const auto& [type, help, unit] : set) {
            if (!first)
                out += ',';
            first = false;
            out += '{';
            appendMetadataFields(out, {name, type, help, unit});
            out += '}';
        }
        out += ']';
    }
    out += '}';
    return out;
}

void handleMetadata(const ScrapeManager* manager, const httplib::Request& req,
                    httplib::Response& res) {
    long long limit = -1;
    if (!parseLimit(req, limit)) {
        sendBadData(res, "limit must be a number");
        return;
    }
    std::vector<TargetMetadata> targets;
    if (manager)
        targets = manager->targetMetadata();
    sendData(res, renderMetadataJson(targets, param(req, "metric"), limit));
}

namespace {

void handleTargets(const ScrapeManager* manager, const httplib::Request& req,
                   httplib::Response& res) {
    std::string state = param(req, "state");
    std::transform(state.begin(), state.end(), state.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    TargetsSnapshot targets;
    if (manager)
        targets = manager->targets();
    sendData(res, renderTargetsJson(targets, state, param(req, "scrapePool")));
}

void handleTargetMetadata(const ScrapeManager* manager, const httplib::Request& req,
                          httplib::Response& res) {
    long long limit = -1;
    if (!parseLimit(req, limit)) {
        sendBadData(res, "limit must be a number");
        return;
    }
    const std::string matchTarget = param(req, "match_target");
    std::vector<model::Matcher> matchers;
    if (!matchTarget.empty()) {
        auto parsed = promql::parseSeriesSelector(matchTarget);
        if (!parsed.isOk()) {
            sendBadData(res, "invalid parameter \"match_target\": " + parsed.status().message());
            return;
        }
        matchers = std::move(parsed.value());
    }
    const std::string metric = param(req, "metric");
    std::vector<TargetMetadata> targets;
    if (manager)
        targets = manager->targetMetadata();

    // As Prometheus: the limit is checked per target, so the last target's
    // entries may take the answer past it.
    std::string out = "[";
    long long count = 0;
    auto open = [&] {
        if (count++ > 0)
            out += ',';
        out += '{';
    };
    for (const TargetMetadata& target : targets) {
        if (limit >= 0 && count >= limit)
            break;
        bool matches = true;
        for (const model::Matcher& m : matchers)
            matches = matches && m.matches(target.labels.get(m.name()));
        if (!matches)
            continue;
        if (metric.empty()) {
            for (const MetricMetadata& m : *target.metadata) {
                open();
                out += "\"target\":";
                appendLabels(out, target.labels);
                out += ",\"metric\":";
                promql::appendJsonString(out, m.metric);
                out += ',';
                appendMetadataFields(out, m);
                out += '}';
            }
        } else if (const MetricMetadata* m = findMetadata(*target.metadata, metric)) {
            open();
            out += "\"target\":";
            appendLabels(out, target.labels);
            out += ',';
            appendMetadataFields(out, *m);
            out += '}';
        }
    }
    out += ']';
    sendData(res, out);
}

}  // namespace

void installScrapeApi(httplib::Server& server, ScrapeManagerGetter manager) {
    server.Get("/api/v1/targets", [manager](const httplib::Request& req, httplib::Response& res) {
        handleTargets(manager(), req, res);
    });
    server.Get("/api/v1/targets/metadata",
               [manager](const httplib::Request& req, httplib::Response& res) {
                   handleTargetMetadata(manager(), req, res);
               });
}

}  // namespace vigil::scrape
