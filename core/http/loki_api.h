#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/logs/log_store_api.h"
#include "core/util/status.h"

namespace httplib {
class Server;
}

namespace vigil::logql {
struct QueryResult;
}
namespace vigil::logs::live {
class LiveTailHub;
}

namespace vigil::http {

// Installs Loki's query API over `reader` (which must outlive the server),
// with Loki's JSON shapes and status codes, so Grafana's Loki data source and
// logcli can read Vigil's logs:
//   GET/POST /loki/api/v1/query        instant metric queries (log queries: 400)
//   GET/POST /loki/api/v1/query_range  streams or matrix; start (inclusive),
//            end (exclusive for lines), since, step, interval, limit, direction
//   GET/POST /loki/api/v1/labels, /loki/api/v1/label/<name>/values,
//            /loki/api/v1/series (match[] stream selectors)
//   GET      /loki/api/v1/tail         LONG-POLL, not WebSocket (cpp-httplib
//            0.11 has no WebSocket): answers one tail message
//            {"streams":[...],"dropped_entries":null} with the entries after
//            `start` (ns; default now-1h) as soon as there is at least one, or
//            empty after `wait` seconds (default 10, at most 30); `delay_for`
//            (seconds, at most 5) holds back the newest entries as Loki does. A
//            client polls again with start = newest timestamp + 1. A WebSocket
//            upgrade request gets 400 with that explanation.
// Errors are answered as Loki does: a plain-text message with 400 for a bad
// request or query (parse errors keep Loki's "parse error at line L, col C")
// and 500 when the store fails.
// With a live tail `hub` (the engine's), a waiting tail request subscribes to
// it and re-reads the store as soon as a matching entry is stored, instead
// of polling the store every 250 ms; the answer is still read from the store
// from `start`, so nothing is lost or repeated between polls.
// Thread-safe: handlers only read `reader`. `hub`, when given, must outlive
// the server.
void installLokiApi(httplib::Server& server, const logs::LogReader& reader,
                    logs::live::LiveTailHub* hub = nullptr);

// The same as a route installer for HttpService::addRoutes().
std::function<void(httplib::Server&)> lokiApiRoutes(const logs::LogReader& reader,
                                                    logs::live::LiveTailHub* hub = nullptr);

// A query result as the body Loki's /query and /query_range answer
// ({"status":"success","data":{"resultType":...,"result":...,"stats":...}}).
std::string renderLokiQueryResult(const logql::QueryResult& result);

// Loki's time parameter: integer Unix nanoseconds (or seconds when at most
// 10 digits), float seconds ("1717000000.5") or RFC 3339 (nano). Exposed for
// tests.
Result<logs::TimestampNs> parseLokiTime(std::string_view text);
// A step / duration parameter: float seconds ("15", "0.5") or a duration
// ("15s", "1m30s"), in nanoseconds.
Result<std::int64_t> parseLokiDuration(std::string_view text);

}  // namespace vigil::http
