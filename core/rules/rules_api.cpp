#include "core/rules/rules_api.h"

#include <httplib.h>

#include <charconv>
#include <cmath>
#include <ctime>

#include "core/promql/result_json.h"
#include "core/rules/rules_service.h"

namespace vigil::rules {

namespace {

// Go's time.Time.Format(time.RFC3339Nano) in UTC; Go's zero time for "never".
void appendTime(std::string& out, model::Timestamp ms) {
    if (ms == kNever) {
        out += "\"0001-01-01T00:00:00Z\"";
        return;
    }
    std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = static_cast<int>(ms - static_cast<model::Timestamp>(secs) * 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    out += '"';
    out += buf;
    if (frac != 0) {
        std::string f = std::to_string(1000 + frac).substr(1);
        while (!f.empty() && f.back() == '0')
            f.pop_back();
        out += "." + f;
    }
    out += "Z\"";
}

void appendLabelsObject(std::string& out, const model::Labels& labels) {
    out += '{';
    bool first = true;
    for (const auto& l : labels) {
        if (!first)
            out += ',';
        first = false;
        promql::appendJsonString(out, l.name);
        out += ':';
        promql::appendJsonString(out, l.value);
    }
    out += '}';
}

void appendPairsObject(std::string& out,
                       const std::vector<std::pair<std::string, std::string>>& pairs) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : pairs) {
        if (!first)
            out += ',';
        first = false;
        promql::appendJsonString(out, k);
        out += ':';
        promql::appendJsonString(out, v);
    }
    out += '}';
}

// strconv.FormatFloat(v, 'e', -1, 64), as Prometheus renders alert values.
std::string formatValueE(double v) {
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    return std::string(buf, res.ptr);
}

void appendAlert(std::string& out, const AlertSnapshot& a) {
    out += "{\"labels\":";
    appendLabelsObject(out, a.labels);
    out += ",\"annotations\":";
    appendLabelsObject(out, a.annotations);
    out += ",\"state\":\"";
    out += alertStateName(a.state);
    out += "\",\"activeAt\":";
    appendTime(out, a.activeAt);
    if (a.keepFiringSince != kNever) {
        out += ",\"keepFiringSince\":";
        appendTime(out, a.keepFiringSince);
    }
    out += ",\"value\":";
    promql::appendJsonString(out, formatValueE(a.value));
    out += '}';
}

void appendSeconds(std::string& out, double seconds) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, seconds);
    out.append(buf, res.ptr);
}

}  // namespace

std::string renderRulesJson(const RulesSnapshot& snapshot, const std::string& type) {
    const bool alerts = type.empty() || type == "alert";
    const bool records = type.empty() || type == "record";
    std::string out = "{\"status\":\"success\",\"data\":{\"groups\":[";
    bool firstGroup = true;
    for (const auto& g : snapshot.groups) {
        if (!firstGroup)
            out += ',';
        firstGroup = false;
        out += "{\"name\":";
        promql::appendJsonString(out, g.name);
        out += ",\"file\":";
        promql::appendJsonString(out, g.file);
        out += ",\"rules\":[";
        bool firstRule = true;
        for (const auto& r : g.rules) {
            if ((r.alerting && !alerts) || (!r.alerting && !records))
                continue;
            if (!firstRule)
                out += ',';
            firstRule = false;
            out += '{';
            if (r.alerting) {
                out += "\"state\":\"";
                out += alertStateName(r.state);
                out += "\",";
            }
            out += "\"name\":";
            promql::appendJsonString(out, r.name);
            out += ",\"query\":";
            promql::appendJsonString(out, r.expr);
            if (r.alerting) {
                out += ",\"duration\":";
                appendSeconds(out, static_cast<double>(r.holdMs) / 1000);
                out += ",\"keepFiringFor\":";
                appendSeconds(out, static_cast<double>(r.keepFiringForMs) / 1000);
            }
            out += ",\"labels\":";
            appendPairsObject(out, r.labels);
            if (r.alerting) {
                out += ",\"annotations\":";
                appendPairsObject(out, r.annotations);
                out += ",\"alerts\":[";
                for (std::size_t i = 0; i < r.alerts.size(); ++i) {
                    if (i > 0)
                        out += ',';
                    appendAlert(out, r.alerts[i]);
                }
                out += ']';
            }
            out += ",\"health\":\"";
            out += ruleHealthName(r.health);
            out += '"';
            if (!r.lastError.empty()) {
                out += ",\"lastError\":";
                promql::appendJsonString(out, r.lastError);
            }
            out += ",\"evaluationTime\":";
            appendSeconds(out, r.evaluationSeconds);
            out += ",\"lastEvaluation\":";
            appendTime(out, r.lastEvaluation);
            out += ",\"type\":\"";
            out += r.alerting ? "alerting" : "recording";
            out += "\"}";
        }
        out += "],\"interval\":";
        appendSeconds(out, static_cast<double>(g.intervalMs) / 1000);
        out += ",\"limit\":" + std::to_string(g.limit);
        out += ",\"evaluationTime\":";
        appendSeconds(out, g.evaluationSeconds);
        out += ",\"lastEvaluation\":";
        appendTime(out, g.lastEvaluation);
        out += '}';
    }
    out += "]}}";
    return out;
}

std::string renderAlertsJson(const RulesSnapshot& snapshot) {
    std::string out = "{\"status\":\"success\",\"data\":{\"alerts\":[";
    bool first = true;
    for (const auto& g : snapshot.groups) {
        for (const auto& r : g.rules) {
            for (const auto& a : r.alerts) {
                if (!first)
                    out += ',';
                first = false;
                appendAlert(out, a);
            }
        }
    }
    out += "]}}";
    return out;
}

void installRulesApi(httplib::Server& server, std::function<RulesService*()> service) {
    server.Get("/api/v1/rules", [service](const httplib::Request& req, httplib::Response& res) {
        const std::string type = req.get_param_value("type");
        if (!type.empty() && type != "alert" && type != "record") {
            res.status = 400;
            res.set_content(
                promql::renderErrorJson("bad_data", "not supported value \"" + type + "\""),
                "application/json");
            return;
        }
        RulesService* s = service();
        res.set_content(renderRulesJson(s ? s->snapshot() : RulesSnapshot{}, type),
                        "application/json");
    });
    server.Get("/api/v1/alerts", [service](const httplib::Request&, httplib::Response& res) {
        RulesService* s = service();
        res.set_content(renderAlertsJson(s ? s->snapshot() : RulesSnapshot{}), "application/json");
    });
    // Prometheus's lifecycle reload: the rule files are read again now (a
    // bad file is refused with its position; the running rules stay).
    server.Post("/-/reload", [service](const httplib::Request&, httplib::Response& res) {
        RulesService* s = service();
        const Status reloaded = s ? s->reload() : Status::ok();
        res.status = reloaded.isOk() ? 200 : 500;
        res.set_content(reloaded.isOk() ? std::string() : reloaded.message() + "\n", "text/plain");
    });
}

}  // namespace vigil::rules
