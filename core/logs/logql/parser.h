#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/logs/logql/ast.h"
#include "core/util/status.h"

namespace vigil::logql {

// Where and why a query was rejected. `offset` is the byte offset into the
// query, `line`/`column` are 1-based (column counts bytes, as Loki does).
struct ParseError {
    std::size_t offset = 0;
    int line = 1;
    int column = 1;
    std::string message;  // "syntax error: unexpected IDENTIFIER, expecting STRING"

    // Loki's form: "parse error at line 1, col 15: syntax error: unexpected ...".
    std::string toString() const;
};

// Parses and validates a LogQL query (log or metric query). Validation
// follows Loki's parser and AST checks: a selector needs a matcher that does
// not match the empty string, regexes compile (RE2), parser/pattern/template
// arguments are well formed, range aggregations get unwrap and grouping only
// where Loki allows them, topk/bottomk get a positive integer k, ...
// On failure returns nullptr and fills `*error` (which must not be null).
// Pure function, thread-safe.
ExprPtr parse(std::string_view query, ParseError* error);

// As above; the Status message is ParseError::toString().
Result<ExprPtr> parse(std::string_view query);

}  // namespace vigil::logql
