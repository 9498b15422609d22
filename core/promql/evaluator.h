#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/storage.h"
#include "core/promql/ast.h"
#include "core/promql/start_timestamps.h"
#include "core/promql/value.h"
#include "core/util/status.h"

// Evaluates a parsed PromQL expression over [start, end] at `step`, the way
// Prometheus's promql/engine.go evaluator does: every node is evaluated for
// all steps at once. Selectors load each series' samples once into one
// contiguous buffer covering the whole query range (plus lookback/range) and
// then slide window indices over it step by step, so nothing is re-seeked or
// allocated per sample.
//
// Thread-safety: evaluate() is reentrant; one call uses one thread and only
// reads the expression tree and the querier (Querier::select must be safe
// for concurrent use when several queries share one querier).

namespace vigil::promql {

struct EvalOptions {
    std::int64_t lookbackMs = 5 * 60 * 1000;
    // Step of subqueries written without one (`[1h:]`).
    std::int64_t defaultSubqueryStepMs = 60 * 1000;
    // Upper bound on the samples one node may hold in memory at once
    // (Prometheus's --query.max-samples).
    std::size_t maxSamples = 50'000'000;
    // Prometheus 3 semantics where they differ from 2.42 (false): range,
    // lookback and subquery windows exclude their start ("left-open"),
    // label names may be any UTF-8, and atan2 drops the metric name.
    bool prometheus3 = false;
    // Checked between steps and series; either one aborts the query.
    const std::atomic<bool>* cancelled = nullptr;
    // Start timestamps of the querier's samples, if any are known (see
    // start_timestamps.h); must outlive the evaluation.
    const StartTimestampSource* startTimestamps = nullptr;
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct EvalStats {
    std::uint64_t samplesLoaded = 0;  // samples read from storage
    std::uint64_t seriesLoaded = 0;
    std::uint64_t peakSamples = 0;  // largest node result held at once
};

// A warning or info the query produced (Prometheus's annotations), e.g.
// "quantile value should be between 0 and 1, got 2" at the parameter.
struct Annotation {
    bool warning = true;  // false: info
    std::string text;
    PosRange pos;
    bool operator==(const Annotation& o) const {
        return warning == o.warning && text == o.text && pos.start == o.pos.start &&
               pos.end == o.pos.end;
    }
};

// "PromQL warning: TEXT (line:col)" as Prometheus prints it; `query` is the
// query text the positions refer to.
std::string formatAnnotation(const Annotation& a, std::string_view query);

struct EvalOutcome {
    Status status;  // on error: Prometheus's message, e.g. "vector cannot contain ..."
    // On error, the sub-expression at fault (as written by toString()), so
    // callers can point at it; empty when the whole query is at fault.
    std::string failedExpr;
    PosRange failedPos;
    Value value;
    EvalStats stats;
    std::vector<Annotation> annotations;  // also on success
};

// Instant query when stepMs == 0 (then end must equal start); otherwise a
// range query, whose expression must be a scalar or an instant vector.
EvalOutcome evaluate(model::Querier& querier, const Expr& expr, model::Timestamp start,
                     model::Timestamp end, std::int64_t stepMs, const EvalOptions& options);

}  // namespace vigil::promql
