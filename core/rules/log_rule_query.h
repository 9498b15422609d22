#pragma once

#include "core/logs/log_store_api.h"
#include "core/rules/rule.h"

// The query function of log rule groups (Loki's ruler): instant LogQL
// metric queries over the log store, their vector turned into the samples
// the rule state machine consumes, so alerting and recording rules over logs
// behave exactly as PromQL ones (pending/firing, templates, ALERTS,
// recorded series written to the TSDB).
namespace vigil::rules {

// Runs the rule's parsed LogQL expression (or parses `text` as LogQL when
// the rule is null: the template `query` function of a log rule) at `t`
// (milliseconds; Loki evaluates at t in nanoseconds, the range window
// (t - range, t]). A vector result becomes one sample per series at `t`, a
// scalar one unlabelled sample; a log query is "rule result is not a vector
// or scalar", as Loki's ruler refuses it.
// `reader` must outlive the returned function. Thread-safe.
QueryFunc makeLogQueryFunc(const logs::LogReader& reader);

}  // namespace vigil::rules
