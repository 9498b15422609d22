#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/logs/log_store_api.h"
#include "core/util/status.h"

namespace vigil::logql {

// What `vigilctl logs query` runs, kept out of the command so that it is
// tested over MemoryLogStore and the command only opens the data directory's
// store (core/logs/store) and calls runLogsQuery().
struct LogsQueryOptions {
    std::string query;
    logs::TimestampNs fromNs = 0;  // inclusive
    logs::TimestampNs toNs = 0;    // exclusive for lines; last step for metrics
    std::int64_t stepNs = 0;       // metric queries: 0 = Loki's default for the range
    std::size_t limit = 100;
    logs::Direction direction = logs::Direction::kBackward;
    enum class Output { kRaw, kJson };
    Output output = Output::kRaw;
    // Follow: after the query, print new lines as they arrive (log queries
    // only) until *stop becomes true, polling every pollMs.
    bool follow = false;
    int pollMs = 1000;
};

// Runs the query and writes to `out`:
//  - log query, raw:  one line per entry, the (pipeline-rewritten) line only,
//    in the query direction across all streams (logcli --output raw);
//  - log query, json: one JSON object per entry, {"timestamp":"<RFC3339Nano>",
//    "labels":{...},"line":"..."} (logcli --output jsonl);
//  - metric query:   the Loki API's JSON result, as `vigilctl query` prints
//    Prometheus's (instant when from == to, otherwise a range).
// With follow, entries newer than the last printed one are printed oldest
// first. Fails with the parse or evaluation error (Loki's wording).
Status runLogsQuery(const logs::LogReader& reader, const LogsQueryOptions& options, std::FILE* out,
                    const std::atomic<bool>* stop = nullptr);

// RFC 3339 with nanoseconds in UTC, Loki's timestamp rendering
// ("2024-05-29T16:26:40.123456789Z", trailing zeros of the fraction dropped).
std::string formatRfc3339Nano(logs::TimestampNs ns);

}  // namespace vigil::logql
