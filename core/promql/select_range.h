#pragma once

#include <cstdint>

#include "core/model/sample.h"
#include "core/promql/ast.h"

// The time range of stored samples a query reads (Prometheus's
// FindMinMaxTime): the engine opens its querier over just this range, so the
// TSDB skips the blocks and chunks the query cannot see, and an instant
// query decodes the chunks around its lookback window instead of every
// sample of every matching series. Pure function; thread-safe.

namespace vigil::promql {

struct DataRange {
    model::Timestamp mint = model::kMinTimestamp;  // inclusive
    model::Timestamp maxt = model::kMaxTimestamp;  // inclusive
};

// The range evaluating `expr` over [start, end] (step stepMs, 0 for an
// instant query) with the given lookback can read: every selector's window
// after offset, @ and subquery ranges, widened for anchored/smoothed
// ranges. Conservative: when a duration cannot be resolved it returns the
// whole time line. A query without selectors gives [start, end].
DataRange queryDataRange(const Expr& expr, model::Timestamp start, model::Timestamp end,
                         std::int64_t stepMs, std::int64_t lookbackMs);

}  // namespace vigil::promql
