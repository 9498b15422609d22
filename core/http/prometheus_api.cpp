#include "core/http/prometheus_api.h"

#include <httplib.h>

#include <QDateTime>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/promql/engine.h"
#include "core/promql/parser.h"
#include "core/promql/result_json.h"
#include "core/util/human_units.h"
#include "vigil/version.h"

namespace vigil::http {
namespace {

constexpr const char* kJson = "application/json";
// Prometheus answers these bounds for a missing start/end.
constexpr model::Timestamp kMinApiTime = -9223309901257974LL;  // Prometheus's minTime, in ms
constexpr model::Timestamp kMaxApiTime = 9223309901257974LL;

struct ApiError {
    int status = 400;
    std::string type = "bad_data";
    std::string message;
};

void sendError(httplib::Response& res, const ApiError& error) {
    res.status = error.status;
    res.set_content(promql::renderErrorJson(error.type, error.message), kJson);
}

int statusForErrorType(const std::string& type) {
    if (type == "bad_data")
        return 400;
    if (type == "execution")
        return 422;
    if (type == "canceled" || type == "timeout")
        return 503;
    if (type == "not_found")
        return 404;
    return 500;
}

std::string param(const httplib::Request& req, const char* name) {
    return req.has_param(name) ? req.get_param_value(name) : std::string();
}

std::vector<std::string> params(const httplib::Request& req, const char* name) {
    std::vector<std::string> out;
    const std::size_t n = req.get_param_value_count(name);
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(req.get_param_value(name, i));
    return out;
}

// A time parameter, or `fallback` when absent.
Result<model::Timestamp> timeParam(const httplib::Request& req, const char* name,
                                   model::Timestamp fallback) {
    const std::string text = param(req, name);
    if (text.empty())
        return fallback;
    auto parsed = parseApiTime(text);
    if (!parsed) {
        return Status::error("invalid parameter \"" + std::string(name) +
                             "\": Invalid time value for '" + std::string(name) +
                             "': " + parsed.status().message());
    }
    return parsed;
}

model::Timestamp nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<std::vector<std::vector<model::Matcher>>> matchParams(const httplib::Request& req,
                                                             bool prefixed = true) {
    std::vector<std::vector<model::Matcher>> sets;
    for (const auto& selector : params(req, "match[]")) {
        auto matchers = promql::parseSeriesSelector(selector);
        if (!matchers) {
            return Status::error((prefixed ? "invalid parameter \"match[]\": " : "") +
                                 matchers.status().message());
        }

        sets.push_back(std::move(*matchers));
    }
    return sets;
}

void appendStringArray(std::string& out, const std::vector<std::string>& values) {
    out += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i)
            out += ',';
        promql::appendJsonString(out, values[i]);
    }
    out += ']';
}

void sendData(httplib::Response& res, const std::string& dataJson) {
    res.set_content("{\"status\":\"success\",\"data\":" + dataJson + "}", kJson);
}

void sendQueryResult(httplib::Response& res, const promql::QueryResult& result) {
    if (!result.status.isOk()) {
        ApiError error;
        error.type = promql::errorTypeFor(result.status, result.parseError);
        error.status = statusForErrorType(error.type);
        error.message = result.parseError
                            ? "invalid parameter \"query\": " + result.status.message()
                            : result.status.message();
        sendError(res, error);
        return;
    }
    res.set_content(promql::renderResultJson(result.value), kJson);
}

void handleQuery(const PrometheusApiContext& ctx, const httplib::Request& req,
                 httplib::Response& res) {
    auto t = timeParam(req, "time", nowMs());
    if (!t)
        return sendError(res, {400, "bad_data", t.status().message()});
    const std::string query = param(req, "query");
    sendQueryResult(res, ctx.engine->instantQuery(*ctx.storage, query, *t));
}

void handleQueryRange(const PrometheusApiContext& ctx, const httplib::Request& req,
                      httplib::Response& res) {
    auto start = parseApiTime(param(req, "start"));
    if (!start)
        return sendError(
            res, {400, "bad_data", "invalid parameter \"start\": " + start.status().message()});
    auto end = parseApiTime(param(req, "end"));
    if (!end)
        return sendError(res,
                         {400, "bad_data", "invalid parameter \"end\": " + end.status().message()});
    if (*end < *start) {
        return sendError(
            res, {400, "bad_data",
                  "invalid parameter \"end\": end timestamp must not be before start time"});
    }
    auto step = parseApiDurationMs(param(req, "step"));
    if (!step)
        return sendError(
            res, {400, "bad_data", "invalid parameter \"step\": " + step.status().message()});
    if (*step <= 0) {
        return sendError(
            res,
            {400, "bad_data",
             "invalid parameter \"step\": zero or negative query resolution step widths are not "
             "accepted. Try a positive integer"});
    }
    // Prometheus's limit on points per series.
    if ((*end - *start) / *step > 11000) {
        return sendError(
            res, {400, "bad_data",
                  "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the "
                  "query resolution (?step=XX)"});
    }
    sendQueryResult(res,
                    ctx.engine->rangeQuery(*ctx.storage, param(req, "query"), *start, *end, *step));
}

void handleSeries(const PrometheusApiContext& ctx, const httplib::Request& req,
                  httplib::Response& res) {
    auto sets = matchParams(req);
    if (!sets)
        return sendError(res, {400, "bad_data", sets.status().message()});
    if (sets->empty())
        return sendError(res, {400, "bad_data", "no match[] parameter provided"});
    auto start = timeParam(req, "start", kMinApiTime);
    if (!start)
        return sendError(res, {400, "bad_data", start.status().message()});
    auto end = timeParam(req, "end", kMaxApiTime);
    if (!end)
        return sendError(res, {400, "bad_data", end.status().message()});

    auto querier = ctx.storage->querier(*start, *end);
    std::vector<model::Labels> found;
    model::SelectHints hints;
    hints.start = *start;
    hints.end = *end;
    hints.function = "series";
    for (const auto& matchers : *sets) {
        auto set = querier->select(matchers, hints);
        if (!set)
            return sendError(res, {422, "execution", set.status().message()});
        while ((*set)->next())
            found.push_back((*set)->labels());
        if (!(*set)->status().isOk())
            return sendError(res, {422, "execution", (*set)->status().message()});
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    std::string out = "[";
    for (std::size_t i = 0; i < found.size(); ++i) {
        if (i)
            out += ',';
        out += '{';
        bool first = true;
        for (const auto& label : found[i]) {
            if (!first)
                out += ',';
            first = false;
            promql::appendJsonString(out, label.name);
            out += ':';
            promql::appendJsonString(out, label.value);
        }
        out += '}';
    }
    out += ']';
    sendData(res, out);
}

// labels and label values: the union over match[] sets (all series without).
void handleLabelQuery(const PrometheusApiContext& ctx, const httplib::Request& req,
                      httplib::Response& res, const std::string* labelName) {
    // Prometheus reports match[] errors here without the parameter prefix.
    auto sets = matchParams(req, /*prefixed=*/false);
    if (!sets)
        return sendError(res, {400, "bad_data", sets.status().message()});
    auto start = timeParam(req, "start", kMinApiTime);
    if (!start)
        return sendError(res, {400, "bad_data", start.status().message()});
    auto end = timeParam(req, "end", kMaxApiTime);
    if (!end)
        return sendError(res, {400, "bad_data", end.status().message()});
    if (sets->empty())
        sets->push_back({});

    auto querier = ctx.storage->querier(*start, *end);
    std::vector<std::string> values;
    for (const auto& matchers : *sets) {
        auto found =
            labelName ? querier->labelValues(*labelName, matchers) : querier->labelNames(matchers);
        if (!found)
            return sendError(res, {422, "execution", found.status().message()});
        values.insert(values.end(), found->begin(), found->end());
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    std::string out;
    appendStringArray(out, values);
    sendData(res, out);
}

}  // namespace

Result<model::Timestamp> parseApiTime(std::string_view text) {
    const std::string quoted = "cannot parse \"" + std::string(text) + "\" to a valid timestamp";
    double seconds = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size()) {
        if (!std::isfinite(seconds))
            return Status::error(quoted);
        double whole = 0;
        const double fraction = std::modf(seconds, &whole);
        return static_cast<model::Timestamp>(whole) * 1000 +
               static_cast<model::Timestamp>(std::round(fraction * 1000));
    }
    const QDateTime parsed = QDateTime::fromString(
        QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size())), Qt::ISODateWithMs);
    if (!parsed.isValid())
        return Status::error(quoted);
    return parsed.toMSecsSinceEpoch();
}

Result<std::int64_t> parseApiDurationMs(std::string_view text) {
    double seconds = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size()) {
        const double ms = seconds * 1000;
        if (!std::isfinite(ms) || ms > 9.2e18 || ms < -9.2e18) {
            return Status::error("cannot parse \"" + std::string(text) +
                                 "\" to a valid duration. It overflows int64");
        }
        return static_cast<std::int64_t>(std::round(ms));
    }
    auto duration = parseDuration(text);
    if (!duration)
        return Status::error("cannot parse \"" + std::string(text) + "\" to a valid duration");
    return duration->count();
}

void installPrometheusApi(httplib::Server& server, PrometheusApiContext context) {
    auto both = [&server](const char* path, httplib::Server::Handler handler) {
        server.Get(path, handler);
        server.Post(path, handler);
    };
    both("/api/v1/query", [context](const httplib::Request& req, httplib::Response& res) {
        handleQuery(context, req, res);
    });
    both("/api/v1/query_range", [context](const httplib::Request& req, httplib::Response& res) {
        handleQueryRange(context, req, res);
    });
    both("/api/v1/series", [context](const httplib::Request& req, httplib::Response& res) {
        handleSeries(context, req, res);
    });
    both("/api/v1/labels", [context](const httplib::Request& req, httplib::Response& res) {
        handleLabelQuery(context, req, res, nullptr);
    });
    server.Get(R"(/api/v1/label/([^/]+)/values)",
               [context](const httplib::Request& req, httplib::Response& res) {
                   const std::string name = req.matches[1];
                   handleLabelQuery(context, req, res, &name);
               });
    server.Get("/api/v1/metadata", [context](const httplib::Request& req, httplib::Response& res) {
        if (context.metadata) {
            context.metadata(req, res);
            return;
        }
        // Without a metadata source, what Prometheus answers without targets.
        sendData(res, "{}");
    });
    server.Get("/api/v1/status/buildinfo", [](const httplib::Request&, httplib::Response& res) {
        std::string out = "{\"version\":";
        promql::appendJsonString(out, kVersion);
        out += ",\"revision\":";
        promql::appendJsonString(out, kRevision);
        out += ",\"branch\":\"main\",\"buildUser\":\"vigil\",\"buildDate\":\"\",\"goVersion\":";
        promql::appendJsonString(out, kCompiler);
        out += '}';
        sendData(res, out);
    });
}

}  // namespace vigil::http
