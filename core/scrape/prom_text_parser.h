#pragma once

// Parser for the Prometheus text exposition format 0.0.4, accepting what
// Prometheus 2.42's promparse accepts (it is laxer than the written format):
//
//   line     := ws* (sample | "#" comment | "") ws* "\n"      (blank lines ok)
//   sample   := name ws* ["{" labels "}"] ws* value [ws+ timestamp]
//   labels   := (ws* lname ws* "=" ws* "\"" lvalue "\"" ws* [","])*  ws*
//   comment  := ws+ ("HELP"|"TYPE") ws+ name [sep text]  |  anything else
//   name     := [a-zA-Z_:][a-zA-Z0-9_:]*     lname := [a-zA-Z_][a-zA-Z0-9_]*
//   value    := Go float (NaN, +Inf, -Inf, 1e3, ...)   timestamp := [0-9]+ (ms)
//   ws       := [ \t]
//
// Label values escape `\\`, `\"` and `\n` (any other `\x` is kept as written)
// and may hold raw newlines; HELP text escapes `\\` and `\n`. Commas between
// labels are optional and a trailing comma is allowed, as in Prometheus. A
// missing final newline is fine. A NUL byte at the start of a line ends the
// input (Prometheus's lexer does the same). Label values and HELP text must be
// valid UTF-8. A label name repeated in one series is an error here (Prometheus
// rejects such a scrape after parsing).

#include <string_view>

#include "core/scrape/exposition_parser.h"

namespace vigil::scrape {

class PromTextParser final : public ExpositionParser {
public:
    // REQUIRES: `input` outlives the parser.
    explicit PromTextParser(std::string_view input);

    Entry next() override;

private:
    Entry parseMetadata(std::size_t hashPos);
    Entry parseSeries();
    // Parses labels after '{' at m_pos; leaves m_pos after '}'.
    bool parseLabels();
};

}  // namespace vigil::scrape
