#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/logs/level/log_level.h"
#include "core/logs/log_store_api.h"
#include "core/util/status.h"

namespace vigil::logs {

// Lines per level per time bucket: the log volume histogram above a log
// query's results (Grafana's "logs volume"). Counted over every matching
// line of the range, not only the lines a query returned.
struct LogVolume {
    TimestampNs startNs = 0;
    std::int64_t stepNs = 1;
    // buckets[i][level] counts lines in [startNs + i*step, startNs + (i+1)*step).
    std::vector<std::array<std::uint64_t, kLogLevelCount>> buckets;
    std::uint64_t lines = 0;
    bool truncated = false;  // stopped at maxLines; counts cover part of the range
};

// Runs the LogQL log query `query` (selector + pipeline) over [startNs,
// endNs) and counts the surviving lines by level (labels after the pipeline,
// e.g. from `| logfmt`, else the line; see detectLogLevel) into `buckets`
// equal buckets. Stops after `maxLines` lines or when `*cancel` turns true.
// Runs on the calling thread (a worker; it reads the whole range).
Result<LogVolume> computeLogVolume(const LogReader& reader, std::string_view query,
                                   TimestampNs startNs, TimestampNs endNs, int buckets,
                                   std::uint64_t maxLines = 20'000'000,
                                   const std::atomic<bool>* cancel = nullptr);

}  // namespace vigil::logs
