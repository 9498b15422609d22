#include "core/http/loki_api.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <thread>

#include "core/logs/live/live_tail_hub.h"
#include "core/logs/logql/engine.h"
#include "core/logs/logql/parser.h"
#include "core/promql/result_json.h"
#include "core/util/go_float.h"
#include "core/util/human_units.h"

namespace vigil::http {
namespace {

using logs::TimestampNs;

constexpr const char* kJson = "application/json; charset=utf-8";
constexpr std::int64_t kSecondNs = 1000000000;
constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxEntriesLimit = 5000;  // Loki's max_entries_limit_per_query

struct ApiError {
    int status = 400;
    std::string message;
};

void sendError(httplib::Response& res, const ApiError& e) {
    res.status = e.status;
    res.set_content(e.message + "\n", "text/plain; charset=utf-8");
}

int statusFor(const Status& s) {
    switch (s.code()) {
        case Status::Code::kIoError:
        case Status::Code::kCorruption:
        case Status::Code::kInternal:
            return 500;
        case Status::Code::kUnavailable:
        case Status::Code::kTimeout:
            return 503;
        default:
            return 400;
    }
}

std::string param(const httplib::Request& req, const char* name) {
    return req.has_param(name) ? req.get_param_value(name) : std::string();
}

TimestampNs nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<TimestampNs> timeParam(const httplib::Request& req, const char* name, TimestampNs fallback) {
    const std::string text = param(req, name);
    if (text.empty())
        return fallback;
    auto t = parseLokiTime(text);
    if (!t.isOk())
        return Status::error("invalid " + std::string(name) +
                             " parameter: " + t.status().message());
    return t;
}

// start/end/since as Loki's query_range, labels and series read them.
Status timeRange(const httplib::Request& req, std::int64_t defaultSinceNs, TimestampNs* start,
                 TimestampNs* end) {
    auto e = timeParam(req, "end", nowNs());
    if (!e.isOk())
        return e.status();
    std::int64_t since = defaultSinceNs;
    if (std::string s = param(req, "since"); !s.empty()) {
        auto d = parseLokiDuration(s);
        if (!d.isOk())
            return Status::error("invalid since parameter: " + d.status().message());
        since = d.value();
    }
    auto st = timeParam(req, "start", e.value() - since);
    if (!st.isOk())
        return st.status();
    if (e.value() < st.value())
        return Status::error("end timestamp must not be before or equal to start time");
    *start = st.value();
    *end = e.value();
    return Status::ok();
}

Result<std::size_t> limitParam(const httplib::Request& req) {
    std::string s = param(req, "limit");
    if (s.empty())
        return kDefaultLimit;
    long long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        return Status::error("invalid limit parameter: cannot parse \"" + s + "\"");
    if (v <= 0)
        return Status::error("limit must be a positive value");
    if (static_cast<std::size_t>(v) > kMaxEntriesLimit)
        return Status::error("max entries limit per query exceeded, limit > max_entries_limit (" +
                             s + " > " + std::to_string(kMaxEntriesLimit) + ")");
    return static_cast<std::size_t>(v);
}

Result<logs::Direction> directionParam(const httplib::Request& req) {
    std::string s = param(req, "direction");
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s.empty() || s == "backward")
        return logs::Direction::kBackward;
    if (s == "forward")
        return logs::Direction::kForward;
    return Status::error("invalid direction parameter: \"" + param(req, "direction") +
                         "\" (forward or backward)");
}

void appendLabels(std::string& out, const model::Labels& labels) {
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

void appendNs(std::string& out, TimestampNs ns) {
    out += '"';
    out += std::to_string(ns);
    out += '"';
}

void appendStreams(std::string& out, const std::vector<logs::LogStream>& streams) {
    out += '[';
    for (std::size_t i = 0; i < streams.size(); ++i) {
        if (i)
            out += ',';
        out += "{\"stream\":";
        appendLabels(out, streams[i].labels);
        out += ",\"values\":[";
        for (std::size_t k = 0; k < streams[i].entries.size(); ++k) {
            if (k)
                out += ',';
            out += '[';
            appendNs(out, streams[i].entries[k].tsNs);
            out += ',';
            promql::appendJsonString(out, streams[i].entries[k].line);
            out += ']';
        }
        out += "]}";
    }
    out += ']';
}

void appendPoint(std::string& out, const logql::Point& p) {
    out += '[';
    // Seconds with millisecond precision, as Loki's (Prometheus's) model.Time.
    promql::appendJsonTimestamp(out, p.tNs / 1000000);
    out += ",\"";
    appendFloatF(out, p.value);
    out += "\"]";
}

void appendStats(std::string& out, const logql::QueryStats& s) {
    const double exec = s.execSeconds > 0 ? s.execSeconds : 1e-9;
    const auto perSecond = [&](std::uint64_t v) {
        return std::to_string(static_cast<std::uint64_t>(static_cast<double>(v) / exec));
    };
    const std::string store =
        "{\"totalChunksRef\":0,\"totalChunksDownloaded\":0,\"chunksDownloadTime\":0,"
        "\"queryReferencedStructuredMetadata\":false,\"chunk\":{\"headChunkBytes\":0,"
        "\"headChunkLines\":0,\"decompressedBytes\":" +
        std::to_string(s.bytesProcessed) +
        ",\"decompressedLines\":" + std::to_string(s.linesProcessed) +
        ",\"compressedBytes\":0,\"totalDuplicates\":0,\"postFilterLines\":0,"
        "\"headChunkStructuredMetadataBytes\":0,\"decompressedStructuredMetadataBytes\":0}}";
    out += "{\"summary\":{\"bytesProcessedPerSecond\":" + perSecond(s.bytesProcessed) +
           ",\"linesProcessedPerSecond\":" + perSecond(s.linesProcessed) +
           ",\"totalBytesProcessed\":" + std::to_string(s.bytesProcessed) +
           ",\"totalLinesProcessed\":" + std::to_string(s.linesProcessed) +
           ",\"execTime\":" + formatFloatG(s.execSeconds) +
           ",\"queueTime\":0,\"subqueries\":0,\"totalEntriesReturned\":" +
           std::to_string(s.entriesReturned) +
           ",\"splits\":0,\"shards\":0,\"totalPostFilterLines\":0,"
           "\"totalStructuredMetadataBytesProcessed\":0},"
           "\"querier\":{\"store\":" +
           store +
           "},\"ingester\":{\"totalReached\":0,\"totalChunksMatched\":0,\"totalBatches\":0,"
           "\"totalLinesSent\":0,\"store\":" +
           store + "}}";
}

}  // namespace

std::string renderLokiQueryResult(const logql::QueryResult& r) {
    std::string out = "{\"status\":\"success\",\"data\":{\"resultType\":";
    switch (r.type) {
        case logql::QueryResult::Type::kStreams:
            out += "\"streams\",\"result\":";
            appendStreams(out, r.streams);
            break;
        case logql::QueryResult::Type::kScalar:
            out += "\"scalar\",\"result\":";
            appendPoint(out, r.scalar);
            break;
        case logql::QueryResult::Type::kVector:
        case logql::QueryResult::Type::kMatrix: {
            const bool vector = r.type == logql::QueryResult::Type::kVector;
            out += vector ? "\"vector\",\"result\":[" : "\"matrix\",\"result\":[";
            for (std::size_t i = 0; i < r.series.size(); ++i) {
                if (i)
                    out += ',';
                out += "{\"metric\":";
                appendLabels(out, r.series[i].labels);
                if (vector) {
                    out += ",\"value\":";
                    appendPoint(out, r.series[i].points.front());
                } else {
                    out += ",\"values\":[";
                    for (std::size_t k = 0; k < r.series[i].points.size(); ++k) {
                        if (k)
                            out += ',';
                        appendPoint(out, r.series[i].points[k]);
                    }
                    out += ']';
                }
                out += '}';
            }
            out += ']';
            break;
        }
    }
    out += ",\"stats\":";
    appendStats(out, r.stats);
    out += "}}";
    return out;
}

namespace {

// Parses `query` and reports a parse error as Loki does.
Result<logql::ExprPtr> parseQuery(const httplib::Request& req) {
    std::string q = param(req, "query");
    if (q.empty())
        return Status::error("query parameter is required");
    return logql::parse(q);
}

// Loki's default step for a range: enough for ~250 points, at least 1s.
std::int64_t defaultStepNs(TimestampNs start, TimestampNs end) {
    std::int64_t seconds = (end - start) / kSecondNs / 250;
    return std::max<std::int64_t>(seconds, 1) * kSecondNs;
}

struct Api {
    const logs::LogReader& reader;
    logql::Engine engine;
    logs::live::LiveTailHub* hub = nullptr;

    Api(const logs::LogReader& r, logs::live::LiveTailHub* h) : reader(r), engine(r), hub(h) {}

    void query(const httplib::Request& req, httplib::Response& res) const {
        auto expr = parseQuery(req);
        if (!expr.isOk())
            return sendError(res, {400, expr.status().message()});
        auto t = timeParam(req, "time", nowNs());
        if (!t.isOk())
            return sendError(res, {400, t.status().message()});
        auto limit = limitParam(req);
        if (!limit.isOk())
            return sendError(res, {400, limit.status().message()});
        auto dir = directionParam(req);
        if (!dir.isOk())
            return sendError(res, {400, dir.status().message()});
        if (expr.value()->isLogQuery())
            return sendError(res, {400,
                                   "log queries are not supported as an instant query type, "
                                   "please change your query to a range query type"});
        logql::QueryParams p;
        p.startNs = p.endNs = t.value();
        p.instant = true;
        p.limit = limit.value();
        p.direction = dir.value();
        auto r = engine.exec(*expr.value(), p);
        if (!r.isOk())
            return sendError(res, {statusFor(r.status()), r.status().message()});
        res.set_content(renderLokiQueryResult(r.value()), kJson);
    }

    void queryRange(const httplib::Request& req, httplib::Response& res) const {
        auto expr = parseQuery(req);
        if (!expr.isOk())
            return sendError(res, {400, expr.status().message()});
        logql::QueryParams p;
        Status s = timeRange(req, 3600 * kSecondNs, &p.startNs, &p.endNs);
        if (!s.isOk())
            return sendError(res, {400, s.message()});
        auto limit = limitParam(req);
        if (!limit.isOk())
            return sendError(res, {400, limit.status().message()});
        auto dir = directionParam(req);
        if (!dir.isOk())
            return sendError(res, {400, dir.status().message()});
        p.limit = limit.value();
        p.direction = dir.value();
        p.stepNs = defaultStepNs(p.startNs, p.endNs);
        if (std::string step = param(req, "step"); !step.empty()) {
            auto d = parseLokiDuration(step);
            if (!d.isOk())
                return sendError(res, {400, "invalid step parameter: " + d.status().message()});
            p.stepNs = d.value();
        }
        if (p.stepNs <= 0)
            return sendError(res, {400,
                                   "zero or negative query resolution step widths are not "
                                   "accepted. Try a positive integer"});
        if (std::string interval = param(req, "interval"); !interval.empty()) {
            auto d = parseLokiDuration(interval);
            if (!d.isOk() || d.value() < 0)
                return sendError(res, {400, "invalid interval parameter: \"" + interval + "\""});
            p.intervalNs = d.value();
        }
        if (!expr.value()->isLogQuery() && (p.endNs - p.startNs) / p.stepNs > 11000)
            return sendError(res, {400,
                                   "exceeded maximum resolution of 11,000 points per timeseries. "
                                   "Try decreasing the query resolution (?step=XX)"});
        auto r = engine.exec(*expr.value(), p);
        if (!r.isOk())
            return sendError(res, {statusFor(r.status()), r.status().message()});
        res.set_content(renderLokiQueryResult(r.value()), kJson);
    }

    void labels(const httplib::Request& req, httplib::Response& res) const {
        TimestampNs start = 0, end = 0;
        Status s = timeRange(req, 6 * 3600 * kSecondNs, &start, &end);
        if (!s.isOk())
            return sendError(res, {400, s.message()});
        auto names = reader.labelNames(start, end);
        if (!names.isOk())
            return sendError(res, {statusFor(names.status()), names.status().message()});
        sendStrings(res, names.value());
    }

    void labelValues(const httplib::Request& req, httplib::Response& res) const {
        const std::string name = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
        TimestampNs start = 0, end = 0;
        Status s = timeRange(req, 6 * 3600 * kSecondNs, &start, &end);
        if (!s.isOk())
            return sendError(res, {400, s.message()});
        std::vector<model::Matcher> matchers;
        if (std::string q = param(req, "query"); !q.empty()) {
            auto m = selectorMatchers(q);
            if (!m.isOk())
                return sendError(res, {400, m.status().message()});
            matchers = std::move(m.value());
        }
        auto values = reader.labelValues(name, matchers, start, end);
        if (!values.isOk())
            return sendError(res, {statusFor(values.status()), values.status().message()});
        sendStrings(res, values.value());
    }

    void series(const httplib::Request& req, httplib::Response& res) const {
        TimestampNs start = 0, end = 0;
        Status s = timeRange(req, 6 * 3600 * kSecondNs, &start, &end);
        if (!s.isOk())
            return sendError(res, {400, s.message()});
        std::vector<std::vector<model::Matcher>> sets;
        const std::size_t n = req.get_param_value_count("match[]");
        for (std::size_t i = 0; i < n; ++i) {
            auto m = selectorMatchers(req.get_param_value("match[]", i));
            if (!m.isOk())
                return sendError(res, {400, m.status().message()});
            sets.push_back(std::move(m.value()));
        }
        if (sets.empty())
            sets.emplace_back();  // every stream
        std::vector<model::Labels> all;
        for (const auto& matchers : sets) {
            auto r = reader.series(matchers, start, end);
            if (!r.isOk())
                return sendError(res, {statusFor(r.status()), r.status().message()});
            all.insert(all.end(), r.value().begin(), r.value().end());
        }
        std::sort(all.begin(), all.end());
        all.erase(std::unique(all.begin(), all.end()), all.end());
        std::string out = "{\"status\":\"success\",\"data\":[";
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (i)
                out += ',';
            appendLabels(out, all[i]);
        }
        out += "]}";
        res.set_content(out, kJson);
    }

    void tail(const httplib::Request& req, httplib::Response& res) const {
        if (req.has_header("Upgrade"))
            return sendError(res, {400,
                                   "Vigil's /loki/api/v1/tail is a long-poll, not a WebSocket: "
                                   "GET it with start=<ns> and poll again with start = newest "
                                   "timestamp + 1"});
        auto expr = parseQuery(req);
        if (!expr.isOk())
            return sendError(res, {400, expr.status().message()});
        if (!expr.value()->isLogQuery())
            return sendError(res, {400, "tail needs a log query, not a metric query"});
        auto start = timeParam(req, "start", nowNs() - 3600 * kSecondNs);
        if (!start.isOk())
            return sendError(res, {400, start.status().message()});
        auto limit = limitParam(req);
        if (!limit.isOk())
            return sendError(res, {400, limit.status().message()});
        auto seconds = [&](const char* name, std::int64_t def,
                           std::int64_t max) -> Result<std::int64_t> {
            std::string s = param(req, name);
            if (s.empty())
                return def;
            long long v = 0;
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            if (ec != std::errc() || p != s.data() + s.size() || v < 0)
                return Status::error("invalid " + std::string(name) + " parameter: \"" + s + "\"");
            if (v > max)
                return Status::error(std::string(name) + " can't be greater than " +
                                     std::to_string(max));
            return static_cast<std::int64_t>(v);
        };
        auto delay = seconds("delay_for", 0, 5);
        if (!delay.isOk())
            return sendError(res, {400, delay.status().message()});
        auto wait = seconds("wait", 10, 30);
        if (!wait.isOk())
            return sendError(res, {400, wait.status().message()});

        logql::QueryParams p;
        p.startNs = start.value();
        p.limit = limit.value();
        p.direction = logs::Direction::kForward;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait.value());
        // Subscribed before the first read, so an entry stored in between
        // still wakes the wait below.
        std::unique_ptr<logs::live::LiveTailSubscription> wakeup;
        if (hub && wait.value() > 0) {
            auto sub = hub->subscribe(param(req, "query"));
            if (sub.isOk())
                wakeup = std::move(sub.value());
        }
        while (true) {
            p.endNs = nowNs() - delay.value() * kSecondNs + 1;
            if (p.endNs <= p.startNs)
                p.endNs = p.startNs + 1;
            auto r = engine.exec(*expr.value(), p);
            if (!r.isOk())
                return sendError(res, {statusFor(r.status()), r.status().message()});
            if (!r.value().streams.empty() || std::chrono::steady_clock::now() >= deadline) {
                std::string out = "{\"streams\":";
                appendStreams(out, r.value().streams);
                out += ",\"dropped_entries\":null}";
                res.set_content(out, kJson);
                return;
            }
            if (wakeup && delay.value() == 0) {
                // Sleeps until a matching entry is stored (or the deadline);
                // then the store is read again from `start`.
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now());
                (void)wakeup->take(std::max(left, std::chrono::milliseconds(1)));
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(250));
            }
        }
    }

    static Result<std::vector<model::Matcher>> selectorMatchers(const std::string& selector) {
        auto e = logql::parse(selector);
        if (!e.isOk())
            return e.status();
        if (!e.value()->isLogQuery())
            return Status::error("invalid match[] \"" + selector + "\": not a stream selector");
        const auto& q = static_cast<const logql::LogQueryExpr&>(*e.value());
        return q.selector.matchers;
    }

    static void sendStrings(httplib::Response& res, const std::vector<std::string>& values) {
        std::string out = "{\"status\":\"success\",\"data\":[";
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i)
                out += ',';
            promql::appendJsonString(out, values[i]);
        }
        out += "]}";
        res.set_content(out, kJson);
    }
};

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Result<TimestampNs> parseRfc3339(std::string_view s) {
    auto bad = [&] {
        return Status::error("cannot parse \"" + std::string(s) + "\" as a timestamp");
    };
    auto num = [&](std::size_t pos, std::size_t len, int* out) {
        if (pos + len > s.size())
            return false;
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            v = v * 10 + (s[i] - '0');
        }
        *out = v;
        return true;
    };
    int y, mo, d, h, mi, sec;
    if (!num(0, 4, &y) || s.size() < 20 || s[4] != '-' || !num(5, 2, &mo) || s[7] != '-' ||
        !num(8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !num(11, 2, &h) ||
        s[13] != ':' || !num(14, 2, &mi) || s[16] != ':' || !num(17, 2, &sec))
        return bad();
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return bad();
    std::size_t i = 19;
    std::int64_t frac = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        int digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (digits < 9) {
                frac = frac * 10 + (s[i] - '0');
                ++digits;
            }
            ++i;
        }
        if (digits == 0)
            return bad();
        for (; digits < 9; ++digits)
            frac *= 10;
    }
    std::int64_t offsetSec = 0;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
        ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (!num(i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' || !num(i + 4, 2, &om))
            return bad();
        offsetSec = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return bad();
    }
    if (i != s.size())
        return bad();
    std::int64_t days = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offsetSec;
    return secs * kSecondNs + frac;
}

}  // namespace

Result<logs::TimestampNs> parseLokiTime(std::string_view text) {
    if (text.find('.') != std::string_view::npos) {
        double seconds = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
        if (ec == std::errc() && p == text.data() + text.size() && std::isfinite(seconds)) {
            double whole = 0;
            double frac = std::modf(seconds, &whole);
            frac = std::round(frac * 1000) / 1000;  // Loki keeps milliseconds
            return static_cast<TimestampNs>(whole) * kSecondNs +
                   static_cast<TimestampNs>(std::llround(frac * 1e9));
        }
    }
    long long v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && p == text.data() + text.size()) {
        std::size_t digits = text.size() - (text.starts_with('-') ? 1 : 0);
        return digits <= 10 ? static_cast<TimestampNs>(v) * kSecondNs : static_cast<TimestampNs>(v);
    }
    return parseRfc3339(text);
}

Result<std::int64_t> parseLokiDuration(std::string_view text) {
    double seconds = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (!text.empty() && ec == std::errc() && p == text.data() + text.size()) {
        double ns = seconds * 1e9;
        if (!std::isfinite(ns) || std::fabs(ns) > 9.2e18)
            return Status::error("cannot parse \"" + std::string(text) + "\" to a valid duration");
        return static_cast<std::int64_t>(std::llround(ns));
    }
    auto d = parseDuration(text);
    if (!d.isOk())
        return Status::error("cannot parse \"" + std::string(text) + "\" to a valid duration");
    return static_cast<std::int64_t>(d.value().count()) * 1000000;
}

void installLokiApi(httplib::Server& server, const logs::LogReader& reader,
                    logs::live::LiveTailHub* hub) {
    auto api = std::make_shared<Api>(reader, hub);
    auto both = [&server](const char* path, httplib::Server::Handler handler) {
        server.Get(path, handler);
        server.Post(path, std::move(handler));
    };
    both("/loki/api/v1/query",
         [api](const httplib::Request& req, httplib::Response& res) { api->query(req, res); });
    both("/loki/api/v1/query_range",
         [api](const httplib::Request& req, httplib::Response& res) { api->queryRange(req, res); });
    both("/loki/api/v1/labels",
         [api](const httplib::Request& req, httplib::Response& res) { api->labels(req, res); });
    both("/loki/api/v1/label",  // older clients
         [api](const httplib::Request& req, httplib::Response& res) { api->labels(req, res); });
    both(
        R"(/loki/api/v1/label/([^/]+)/values)",
        [api](const httplib::Request& req, httplib::Response& res) { api->labelValues(req, res); });
    both("/loki/api/v1/series",
         [api](const httplib::Request& req, httplib::Response& res) { api->series(req, res); });
    server.Get("/loki/api/v1/tail",
               [api](const httplib::Request& req, httplib::Response& res) { api->tail(req, res); });
}

std::function<void(httplib::Server&)> lokiApiRoutes(const logs::LogReader& reader,
                                                    logs::live::LiveTailHub* hub) {
    return [&reader, hub](httplib::Server& server) { installLokiApi(server, reader, hub); };
}

}  // namespace vigil::http
