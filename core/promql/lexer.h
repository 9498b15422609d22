#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include "core/util/go_quote.h"  // goQuote, Go's %q

namespace vigil::promql {

// Byte offsets into the query text, end exclusive.
struct PosRange {
    std::uint32_t start = 0;
    std::uint32_t end = 0;
};

enum class TokenKind : std::uint8_t {
    kEof,
    kError,             // text holds the message; produced once, then kEof follows
    kIdentifier,        // [a-zA-Z_][a-zA-Z0-9_]*; keywords are identifiers too (see below)
    kMetricIdentifier,  // an identifier that contains ':'
    kNumber,            // 1, 1.5, .5, 1e3, 0x1f, Inf, NaN
    kDuration,          // 5m, 1h30m, 500ms
    kString,            // "..", '..' or `..`, still quoted; see unquoteString()
    kLeftParen,
    kRightParen,
    kLeftBrace,
    kRightBrace,
    kLeftBracket,
    kRightBracket,
    kComma,
    kColon,
    kAt,
    // Operators.
    kAdd,
    kSub,
    kMul,
    kDiv,
    kMod,
    kPow,
    kEqlc,  // ==
    kNeq,   // !=
    kLte,
    kLss,
    kGte,
    kGtr,
    kEql,       // = (label matching)
    kEqlRegex,  // =~
    kNeqRegex,  // !~
    // Newer native-histogram trim operators; recognised only to reject them
    // with a clear message.
    kTrimUpper,  // </
    kTrimLower,  // >/
};

// One lexical token. `text` views the query; the query must outlive it.
struct Token {
    TokenKind kind = TokenKind::kEof;
    PosRange pos;
    std::string_view text;
    std::string error;      // kError only
    bool inBraces = false;  // lexed inside {...}: words there are label names, never keywords
};

// Splits a PromQL query into tokens, with comments (# to end of line) and
// whitespace dropped. Words are not classified into keywords here because
// PromQL keywords are contextual (`sum`, `by`, `fill`, `start` are valid label
// names inside braces and `bool`-like words are valid metric names in some
// places); the parser asks `isKeyword(token, "by")` instead.
//
// Inside `{...}` and `[...]` a ':' is never part of an identifier, so that
// `foo[5m:1m]` and `x[a:b]` lex as expected; outside, `job:rate5m:sum` is one
// metric identifier. Unbalanced brackets are reported as errors with the
// position of the offending character, as Prometheus's lexer does.
//
// The last token is always kEof, or kError (message in `error`) followed by
// kEof. Thread-safe: pure function.
std::vector<Token> lex(std::string_view query);

// True when `token` is a word equal to `keyword` ignoring ASCII case.
bool isKeyword(const Token& token, std::string_view keyword);

// Decodes a kString token (quotes included) with Go's escape rules: \a \b \f
// \n \r \t \v \\ \" (or \' inside '..'), \xHH, \ooo, \uXXXX, \UXXXXXXXX; raw
// `..` strings are taken verbatim. Returns false and an error message on a bad
// escape, with `errorOffset` set to the byte offset inside `quoted`.
bool unquoteString(std::string_view quoted, std::string* out, std::string* error,
                   std::size_t* errorOffset);

// How Prometheus names a token in "unexpected ..." messages: `<op:*>`,
// `"("`, `identifier "foo"`, `number "1"`, `end of input`, `<by>`,
// `<aggr:sum>`.
std::string describeToken(const Token& token);

// 1-based line and column of a byte offset, columns counted in bytes.
void lineAndColumn(std::string_view query, std::size_t offset, int* line, int* column);

}  // namespace vigil::promql
