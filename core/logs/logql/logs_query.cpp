#include "core/logs/logql/logs_query.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>
#include <vector>

#include "core/http/loki_api.h"
#include "core/logs/logql/engine.h"
#include "core/logs/logql/parser.h"
#include "core/promql/result_json.h"

namespace vigil::logql {

namespace {

constexpr std::int64_t kSecondNs = 1000000000;

struct Row {
    logs::TimestampNs ts;
    const model::Labels* labels;
    const std::string* line;
};

void printEntries(const QueryResult& r, const LogsQueryOptions& o, bool forward, std::FILE* out,
                  logs::TimestampNs* newest) {
    std::vector<Row> rows;
    for (const auto& s : r.streams)
        for (const auto& e : s.entries)
            rows.push_back({e.tsNs, &s.labels, &e.line});
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
        return forward ? a.ts < b.ts : a.ts > b.ts;
    });
    for (const Row& row : rows) {
        if (newest)
            *newest = std::max(*newest, row.ts);
        if (o.output == LogsQueryOptions::Output::kRaw) {
            std::fprintf(out, "%s\n", row.line->c_str());
            continue;
        }
        std::string json = "{\"timestamp\":\"" + formatRfc3339Nano(row.ts) + "\",\"labels\":{";
        bool first = true;
        for (const auto& l : *row.labels) {
            if (!first)
                json += ',';
            first = false;
            promql::appendJsonString(json, l.name);
            json += ':';
            promql::appendJsonString(json, l.value);
        }
        json += "},\"line\":";
        promql::appendJsonString(json, *row.line);
        json += '}';
        std::fprintf(out, "%s\n", json.c_str());
    }
    std::fflush(out);
}

logs::TimestampNs nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::string formatRfc3339Nano(logs::TimestampNs ns) {
    std::int64_t secs = ns >= 0 ? ns / kSecondNs : -((-ns + kSecondNs - 1) / kSecondNs);
    std::int64_t frac = ns - secs * kSecondNs;
    std::int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    std::int64_t rem = secs - days * 86400;
    // Civil from days (Howard Hinnant).
    std::int64_t z = days + 719468;
    std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    auto doe = static_cast<unsigned>(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        ++y;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                  static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                  static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
    std::string out = buf;
    if (frac != 0) {
        char f[32];
        std::snprintf(f, sizeof f, ".%09lld", static_cast<long long>(frac));
        std::string fs = f;
        while (fs.back() == '0')
            fs.pop_back();
        out += fs;
    }
    out += 'Z';
    return out;
}

Status runLogsQuery(const logs::LogReader& reader, const LogsQueryOptions& o, std::FILE* out,
                    const std::atomic<bool>* stop) {
    auto expr = parse(o.query);
    if (!expr.isOk())
        return expr.status();
    Engine engine(reader);
    QueryParams p;
    p.startNs = o.fromNs;
    p.endNs = o.toNs;
    p.limit = o.limit;
    p.direction = o.direction;
    if (!expr.value()->isLogQuery()) {
        if (o.follow)
            return Status::error("--follow needs a log query, not a metric query");
        p.instant = o.fromNs == o.toNs;
        if (!p.instant) {
            p.stepNs =
                o.stepNs > 0
                    ? o.stepNs
                    : std::max<std::int64_t>((o.toNs - o.fromNs) / kSecondNs / 250, 1) * kSecondNs;
        }
        auto r = engine.exec(*expr.value(), p);
        if (!r.isOk())
            return r.status();
        std::fprintf(out, "%s\n", http::renderLokiQueryResult(r.value()).c_str());
        return Status::ok();
    }
    auto r = engine.exec(*expr.value(), p);
    if (!r.isOk())
        return r.status();
    logs::TimestampNs newest = o.toNs - 1;
    logs::TimestampNs seen = std::numeric_limits<logs::TimestampNs>::min();
    printEntries(r.value(), o, o.direction == logs::Direction::kForward, out, &seen);
    if (!o.follow)
        return Status::ok();
    newest = std::max(newest, seen);
    QueryParams f;
    f.direction = logs::Direction::kForward;
    f.limit = o.limit;
    while (!stop || !stop->load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(o.pollMs));
        f.startNs = newest + 1;
        f.endNs = std::max(nowNs() + 1, f.startNs + 1);
        auto next = engine.exec(*expr.value(), f);
        if (!next.isOk())
            return next.status();
        logs::TimestampNs last = newest;
        printEntries(next.value(), o, true, out, &last);
        newest = last;
    }
    return Status::ok();
}

}  // namespace vigil::logql
