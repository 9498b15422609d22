#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include "core/util/go_quote.h"  // goQuote, Go's %q

namespace vigil::logql {

// Token kinds of LogQL. Keywords (json, by, unwrap, sum, ...) are lexed as
// kIdentifier and recognised by the parser from their text: LogQL lets most
// of them also be label names (`| json | json="x"` is legal).
enum class TokenKind : std::uint8_t {
    kEof,
    kError,       // text = message; the lexer stops at the first error
    kIdentifier,  // [a-zA-Z_][a-zA-Z0-9_]*
    kString,      // text = the decoded value; raw = the quoted source
    kNumber,      // 12, 1.5, 1e3, 0x1p3 (hex floats) and 0x1A (rejected later)
    kDuration,    // 5m, 1h30m, 250ms, 2d
    kBytes,       // 10MB, 1.5KiB, 20B
    kFlag,        // --strict, --keep-empty
    kLeftBrace,
    kRightBrace,
    kLeftParen,
    kRightParen,
    kLeftBracket,
    kRightBracket,
    kComma,
    kPipe,         // |
    kPipeExact,    // |=
    kPipeMatch,    // |~
    kPipePattern,  // |>
    kNotPattern,   // !>
    kEq,           // =
    kNeq,          // !=
    kRe,           // =~
    kNre,          // !~
    kCmpEq,        // ==
    kGtr,          // >
    kGte,          // >=
    kLss,          // <
    kLte,          // <=
    kAdd,
    kSub,
    kMul,
    kDiv,
    kMod,
    kPow,
};

// The yacc-style token name Loki uses in its messages ("IDENTIFIER", "STRING").
const char* tokenKindName(TokenKind kind);

struct Token {
    TokenKind kind = TokenKind::kEof;
    std::size_t offset = 0;  // byte offset of the first character
    std::size_t length = 0;
    std::string text;  // identifiers/numbers/durations: the source; strings: decoded value
};

// Splits a whole query into tokens. On a lexical error the last token is a
// kError token whose offset points at the offending character; otherwise the
// last token is kEof. Pure function, thread-safe.
std::vector<Token> lex(std::string_view input);

// Decodes the units of a Go/LogQL duration (`1h30m`, `250ms`, `2d`, `1.5h`)
// into nanoseconds; false when it is not one.
bool parseLogqlDuration(std::string_view text, std::int64_t* nanos);

// Decodes `10MB`, `1.5KiB`, `20B` (humanize units, case-sensitive) to bytes.
bool parseLogqlBytes(std::string_view text, double* bytes);

}  // namespace vigil::logql
