#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/model/labels.h"
#include "core/promql/value.h"

// Start timestamps (OpenTelemetry's start time, Prometheus's experimental
// "ST"): per sample, when the counter behind it started counting. Prometheus
// 3 uses them in rate, increase, irate and resets over range selectors: a
// start time after the previous sample is a counter reset, and a start time
// inside the range replaces the left extrapolation by a zero at that time.
//
// Vigil's storage does not keep start timestamps yet; a source can be given
// to the evaluator beside the querier (the PromQL test runner gives the
// `@st` lines of its scripts). Implementations must be thread-safe for
// concurrent lookups.

namespace vigil::promql {

class StartTimestampSource {
public:
    virtual ~StartTimestampSource() = default;

    // Sets (*sts)[i] to the start timestamp of points[i] of `series` (0 when
    // unknown) and returns true, or returns false when the series has no
    // start timestamps at all (then *sts is unspecified).
    virtual bool lookup(const model::Labels& series, std::span<const FPoint> points,
                        std::vector<std::int64_t>* sts) const = 0;
};

// Prometheus's isStartTimestampReset: whether the start timestamps of two
// consecutive samples imply a counter reset between them.
bool isStartTimestampReset(std::int64_t prevSt, std::int64_t prevT, std::int64_t curSt,
                           std::int64_t curT);

// Prometheus's checkStartTimeOverlap: a start time before the previous
// sample that is not the previous start time (overlapping counters).
inline bool startTimeOverlaps(std::int64_t prevSt, std::int64_t prevT, std::int64_t curSt) {
    return curSt != 0 && curSt < prevT && curSt != prevSt;
}

}  // namespace vigil::promql
