#pragma once

#include <string_view>

#include "core/util/status.h"

namespace vigil::logql {

// Checks the syntax of a Go text/template as used by line_format and
// label_format: actions `{{ ... }}` are closed, strings inside actions are
// terminated, parentheses balance, if/range/with/define/block match their
// `end`, `else` sits inside one of them, and every function named is one of
// Go's builtins or Loki's template functions. The template text itself is
// kept for evaluation later; this only rejects what Loki rejects at parse
// time. The error names the byte offset in the template. Pure function.
Status checkTemplate(std::string_view text);

}  // namespace vigil::logql
