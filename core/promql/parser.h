#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/matcher.h"
#include "core/promql/ast.h"
#include "core/util/status.h"

namespace vigil::promql {

// Where and why a query failed to parse. `offset`/`endOffset` are byte
// offsets into the query (end exclusive, may equal offset); line and column
// are 1-based, columns in bytes, as Prometheus prints them.
struct ParseError {
    std::size_t offset = 0;
    std::size_t endOffset = 0;
    int line = 1;
    int column = 1;
    std::string message;  // "unexpected <op:*>"
    // Optional suggestion for the user, kept out of `message` so messages
    // stay identical to Prometheus's: `did you mean "rate"?`.
    std::string hint;

    // "1:5: parse error: unexpected <op:*>", Prometheus's format.
    std::string toString() const;
};

// Messages for syntax Vigil recognises but deliberately does not parse
// contain this text. Today that is only the native-histogram trim operators
// `</` and `>/` ("native histogram trim operator \"</\" is not supported").
inline constexpr std::string_view kNotSupported = "not supported";

// Parses and type-checks a PromQL expression: Prometheus 2.42 syntax plus
// the newer syntax of upstream's test scripts (duration expressions such as
// `[5m+1m]`, `offset (2*1m)`, `[step()]`; numbers as durations `[300]`;
// fill/fill_left/fill_right; `anchored`/`smoothed`; quoted UTF-8 metric and
// label names; info(), limitk, limit_ratio and the other newer functions).
// On failure the Status message is ParseError::toString() of the first
// error, worded and positioned as Prometheus 2.42 does (see parser.cpp for
// the few deliberate differences).
// Thread-safe: no shared state.
Result<ExprPtr> parse(std::string_view query);

// Same; on failure returns nullptr and fills `*error` (REQUIRES: error !=
// nullptr) so a UI can underline the exact span.
ExprPtr parse(std::string_view query, ParseError* error);

// Parses a series selector as accepted by the HTTP API's `match[]`:
// `up`, `up{job="x"}`, `{__name__=~"node_.*"}`. No offset, @ or range.
// The metric name, when written outside the braces, is the last matcher.
Result<std::vector<model::Matcher>> parseSeriesSelector(std::string_view selector);

}  // namespace vigil::promql
