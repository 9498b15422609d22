#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/promql/ast.h"

namespace vigil::promql {

// One entry of the PromQL function table (Prometheus's parser.Functions).
// Argument checking follows Prometheus: with `variadic == 0` exactly
// argTypes.size() arguments; with `variadic > 0` the last argument type may
// be repeated up to `variadic` times beyond argTypes.size() - 1 required
// ones (so `round(v)` and `round(v, s)`); with `variadic < 0` without limit.
struct Function {
    std::string_view name;
    std::vector<ValueType> argTypes;
    int variadic = 0;
    ValueType returnType = ValueType::kVector;
    // Not in Prometheus 2.42 (newer or experimental upstream). Parsed all the
    // same; an evaluator may refuse it.
    bool newerThan242 = false;
};

// Besides Prometheus 2.42's functions the table holds the newer ones used by
// upstream's test scripts, including the argument-less scalars step(),
// range(), start() and end() of the query (seconds).
//
// nullptr when unknown. Names are case-sensitive, as in Prometheus.
// Thread-safe: the table is immutable.
const Function* findFunction(std::string_view name);

// The whole table, sorted by name.
const std::vector<Function>& allFunctions();

// The known function or aggregation name closest to `name` (edit distance at
// most 2, ignoring case), for "did you mean" hints; empty when none is close.
std::string_view closestFunctionName(std::string_view name);

// Newer Prometheus allows `anchored` ranges only in changes, delta, increase,
// rate and resets, and `smoothed` only in delta, increase and rate, and
// rejects other uses at evaluation time. Returns upstream's message for a
// disallowed use ("smoothed modifier can only be used with: delta, increase,
// rate - not with deriv"), or an empty string when the use is fine.
std::string rangeModifierError(const Function& function, bool anchored, bool smoothed);

}  // namespace vigil::promql
