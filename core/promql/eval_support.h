#pragma once

#include <string>
#include <string_view>

#include "core/model/labels.h"
#include "core/promql/ast.h"
#include "core/util/go_quote.h"  // goQuote, Go's %q
#include "core/util/status.h"

// Helpers shared by the evaluator's files. Internal to core/promql.

namespace vigil::promql {

inline constexpr const char* kDuplicateLabelset =
    "vector cannot contain metrics with the same labelset";

// Thrown inside the evaluator (like Prometheus's panics in ev.errorf) and
// turned into a Status at evaluate()'s boundary. `node` is the expression at
// fault, filled in by the innermost eval() when not known at the throw.
struct EvalError {
    std::string message;
    const Expr* node = nullptr;
    Status::Code code = Status::Code::kInvalidArgument;
};

// Prometheus's labels.String(): `{__name__="up", job="x"}`, `{}` when empty.
std::string promLabelsString(const model::Labels& labels);

// Legacy names ([a-zA-Z_][a-zA-Z0-9_]*) or, with utf8, any valid non-empty UTF-8.
bool validLabelName(std::string_view name, bool utf8);

// Natural ("version") ordering of strings: digit runs compare as numbers.
int naturalCompare(std::string_view a, std::string_view b);

// Go's regexp.Expand for label_replace templates ($1, ${name}, $$).
std::string expandTemplate(std::string_view tmpl, const std::string_view* groups, int groupCount,
                           const std::vector<std::string>& groupNames);

}  // namespace vigil::promql
