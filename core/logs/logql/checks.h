#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace vigil::logql {

// Static checks of pipeline-stage arguments, done at parse time as Loki does
// so that a bad query fails before any data is read. Pure functions.

// A `| json label="expr"` path: `a.b[0]["c d"]` (fields joined by '.',
// integer or quoted-string subscripts).
Status checkJsonPath(std::string_view expression);

// The parts of a `| pattern` / `|>` expression.
struct PatternInfo {
    std::vector<std::string> names;  // named captures in order (`<_>` excluded)
    int captures = 0;                // all captures, named and `<_>`
};
// Splits a pattern into literals and `<name>` / `<_>` captures; fails when two
// captures touch (`<a><b>`) or a name repeats.
Result<PatternInfo> parsePattern(std::string_view pattern);

// `| regexp "re"`: compiles with RE2 and needs at least one named group
// (`(?P<name>...)`), names unique. Returns the names.
Result<std::vector<std::string>> checkRegexpParser(std::string_view regex);

// Compiles an unanchored RE2 regex (line filters).
Status checkRegex(std::string_view regex);

// ip("...") argument: an IPv4/IPv6 address, a CIDR or an `a-b` range.
Status checkIpFilter(std::string_view value);

}  // namespace vigil::logql
