#include "core/promql/lexer.h"
#include "core/util/go_quote.h"
#include "core/util/utf8.h"

#include <array>
#include <cstdio>

namespace vigil::promql {
namespace {

bool isAlpha(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c) {
    return c >= '0' && c <= '9';
}
bool isAlphaNumeric(char c) {
    return isAlpha(c) || isDigit(c);
}
bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool isHexDigit(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

// Go's %q of a single character, as Prometheus's lexer errors print it.
std::string quoteRune(char c) {
    if (c == '\'')
        return "'\\''";
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "'\\x%02x'", static_cast<unsigned char>(c));
        return buf;
    }
    return std::string("'") + c + "'";
}

// Go's %#U of a character: "U+0071 'q'".
std::string describeRune(char c) {
    char buf[32];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f)
        std::snprintf(buf, sizeof buf, "U+%04X '%c'", u, c);
    else
        std::snprintf(buf, sizeof buf, "U+%04X", u);
    return buf;
}

class Lexer {
public:
    explicit Lexer(std::string_view input) : m_in(input) {}

    std::vector<Token> run() {
        while (true) {
            skipSpaceAndComments();
            if (m_pos >= m_in.size()) {
                if (m_braceOpen)
                    fail(m_pos, "unexpected end of input inside braces");
                else if (m_parenDepth > 0)
                    fail(m_pos, "unclosed left parenthesis");
                else if (m_bracketOpen)
                    fail(m_pos, "unclosed left bracket");
                else
                    pushToken(TokenKind::kEof, m_pos, m_pos);
                return std::move(m_tokens);
            }
            if (!step())
                return std::move(m_tokens);
        }
    }

private:
    void pushToken(TokenKind kind, std::size_t start, std::size_t end) {
        Token t;
        t.kind = kind;
        t.pos = {static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end)};
        t.text = m_in.substr(start, end - start);
        t.inBraces = m_braceOpen && kind != TokenKind::kLeftBrace;
        m_tokens.push_back(std::move(t));
    }

    // Records an error token followed by kEof; lexing stops.
    void fail(std::size_t at, std::string message) {
        Token t;
        t.kind = TokenKind::kError;
        t.pos = {static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at)};
        t.error = std::move(message);
        m_tokens.push_back(std::move(t));
        pushToken(TokenKind::kEof, m_in.size(), m_in.size());
    }

    char peek(std::size_t ahead = 0) const {
        return m_pos + ahead < m_in.size() ? m_in[m_pos + ahead] : '\0';
    }

    void skipSpaceAndComments() {
        while (m_pos < m_in.size()) {
            if (isSpace(m_in[m_pos])) {
                ++m_pos;
            } else if (m_in[m_pos] == '#') {
                while (m_pos < m_in.size() && m_in[m_pos] != '\n')
                    ++m_pos;
            } else {
                break;
            }
        }
    }

    // Lexes one token at m_pos; false after an error was recorded.
    bool step() {
        const std::size_t start = m_pos;
        const char c = m_in[m_pos];
        if (m_braceOpen && !isAlpha(c) && c != '"' && c != '\'' && c != '`' && c != '=' &&
            c != '!' && c != ',' && c != '}' && c != '{') {
            // Prometheus lexes only matchers inside braces.
            fail(start, "unexpected character inside braces: " + quoteRune(c));
            return false;
        }
        auto single = [&](TokenKind kind) {
            ++m_pos;
            pushToken(kind, start, m_pos);
            return true;
        };
        switch (c) {
            case ',':
                return single(TokenKind::kComma);
            case '(':
                ++m_parenDepth;
                return single(TokenKind::kLeftParen);
            case ')':
                if (m_parenDepth == 0) {
                    fail(start, "unexpected right parenthesis " + quoteRune(c));
                    return false;
                }
                --m_parenDepth;
                return single(TokenKind::kRightParen);
            case '{':
                if (m_braceOpen) {
                    fail(start, "unexpected left brace " + quoteRune(c));
                    return false;
                }
                m_braceOpen = true;
                return single(TokenKind::kLeftBrace);
            case '}':
                if (!m_braceOpen) {
                    fail(start, "unexpected character: " + quoteRune(c));
                    return false;
                }
                m_braceOpen = false;
                return single(TokenKind::kRightBrace);
            case '[':
                if (m_bracketOpen) {
                    fail(start, "unexpected left bracket " + quoteRune(c));
                    return false;
                }
                m_bracketOpen = true;
                return single(TokenKind::kLeftBracket);
            case ']':
                if (!m_bracketOpen) {
                    fail(start, "unexpected right bracket " + quoteRune(c));
                    return false;
                }
                m_bracketOpen = false;
                return single(TokenKind::kRightBracket);
            case ':':
                if (m_braceOpen || m_bracketOpen)
                    return single(TokenKind::kColon);
                return lexWord();  // `:foo` is a metric name outside brackets
            case '@':
                return single(TokenKind::kAt);
            case '+':
                return single(TokenKind::kAdd);
            case '-':
                return single(TokenKind::kSub);
            case '*':
                return single(TokenKind::kMul);
            case '/':
                return single(TokenKind::kDiv);
            case '%':
                return single(TokenKind::kMod);
            case '^':
                return single(TokenKind::kPow);
            case '=':
                if (peek(1) == '=' && !m_braceOpen) {
                    m_pos += 2;
                    pushToken(TokenKind::kEqlc, start, m_pos);
                    return true;
                }
                if (peek(1) == '~') {
                    if (!m_braceOpen) {
                        fail(start, "unexpected character after '=': '~'");
                        return false;
                    }
                    m_pos += 2;
                    pushToken(TokenKind::kEqlRegex, start, m_pos);
                    return true;
                }
                return single(TokenKind::kEql);
            case '!':
                if (peek(1) == '=') {
                    m_pos += 2;
                    pushToken(TokenKind::kNeq, start, m_pos);
                    return true;
                }
                if (peek(1) == '~' && m_braceOpen) {
                    m_pos += 2;
                    pushToken(TokenKind::kNeqRegex, start, m_pos);
                    return true;
                }
                fail(start, std::string("unexpected character after '!'") +
                                (m_braceOpen ? " inside braces: " : ": ") +
                                (m_pos + 1 < m_in.size() ? quoteRune(peek(1)) : "end of input"));
                return false;
            case '<':
                if (peek(1) == '/') {
                    m_pos += 2;
                    pushToken(TokenKind::kTrimUpper, start, m_pos);
                    return true;
                }
                if (peek(1) == '=') {
                    m_pos += 2;
                    pushToken(TokenKind::kLte, start, m_pos);
                    return true;
                }
                return single(TokenKind::kLss);
            case '>':
                if (peek(1) == '/') {
                    m_pos += 2;
                    pushToken(TokenKind::kTrimLower, start, m_pos);
                    return true;
                }
                if (peek(1) == '=') {
                    m_pos += 2;
                    pushToken(TokenKind::kGte, start, m_pos);
                    return true;
                }
                return single(TokenKind::kGtr);
            case '"':
            case '\'':
            case '`':
                return lexString(c);
            default:
                break;
        }
        if (isDigit(c) || (c == '.' && isDigit(peek(1))))
            return lexNumberOrDuration();
        if (isAlpha(c) || (c == ':' && !m_braceOpen && !m_bracketOpen))
            return lexWord();
        if (m_braceOpen)
            fail(start, "unexpected character inside braces: " + quoteRune(c));
        else
            fail(start, "unexpected character: " + quoteRune(c));
        return false;
    }

    bool lexWord() {
        const std::size_t start = m_pos;
        const bool colonsAllowed = !m_braceOpen && !m_bracketOpen;
        bool hasColon = false;
        while (m_pos < m_in.size() &&
               (isAlphaNumeric(m_in[m_pos]) || (colonsAllowed && m_in[m_pos] == ':'))) {
            hasColon = hasColon || m_in[m_pos] == ':';
            ++m_pos;
        }
        const std::string_view word = m_in.substr(start, m_pos - start);
        if (!m_braceOpen && (equalsIgnoreCase(word, "inf") || equalsIgnoreCase(word, "nan"))) {
            pushToken(TokenKind::kNumber, start, m_pos);
            return true;
        }
        pushToken(hasColon ? TokenKind::kMetricIdentifier : TokenKind::kIdentifier, start, m_pos);
        return true;
    }

    void acceptRun(bool (*pred)(char)) {
        while (m_pos < m_in.size() && pred(m_in[m_pos]))
            ++m_pos;
    }
    bool accept(std::string_view chars) {
        if (m_pos < m_in.size() && chars.find(m_in[m_pos]) != std::string_view::npos) {
            ++m_pos;
            return true;
        }
        return false;
    }

    // Mirrors Prometheus's scanNumber: true when the characters at m_pos form
    // a complete number not followed by a letter or digit.
    bool scanNumber() {
        bool hex = false;
        if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X') && isHexDigit(peek(2))) {
            m_pos += 2;
            hex = true;
        }
        if (hex) {
            acceptRun(isHexDigit);
            return !isAlphaNumeric(peek());
        }
        acceptRun(isDigit);
        if (accept("."))
            acceptRun(isDigit);
        if ((peek() == 'e' || peek() == 'E') &&
            (isDigit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && isDigit(peek(2))))) {
            ++m_pos;
            accept("+-");
            acceptRun(isDigit);
        }
        return !isAlphaNumeric(peek());
    }

    bool acceptRemainingDuration() {
        if (!accept("smhdwy"))
            return false;
        accept("s");
        while (isDigit(peek())) {
            acceptRun(isDigit);
            if (!accept("smhdwy"))
                return false;
            accept("s");
        }
        return !isAlphaNumeric(peek()) && peek() != '.';
    }

    bool lexNumberOrDuration() {
        const std::size_t start = m_pos;
        if (scanNumber()) {
            pushToken(TokenKind::kNumber, start, m_pos);
            return true;
        }
        if (acceptRemainingDuration()) {
            pushToken(TokenKind::kDuration, start, m_pos);
            return true;
        }
        while (m_pos < m_in.size() && (isAlphaNumeric(m_in[m_pos]) || m_in[m_pos] == '.'))
            ++m_pos;
        fail(start, "bad number or duration syntax: \"" +
                        std::string(m_in.substr(start, m_pos - start)) + "\"");
        return false;
    }

    bool lexString(char quote) {
        const std::size_t start = m_pos;
        ++m_pos;
        while (true) {
            if (m_pos >= m_in.size()) {
                fail(start,
                     quote == '`' ? "unterminated raw string" : "unterminated quoted string");
                return false;
            }
            const char c = m_in[m_pos];
            if (c == quote) {
                ++m_pos;
                break;
            }
            if (quote != '`') {
                if (c == '\n') {
                    fail(start, "unterminated quoted string");
                    return false;
                }
                if (c == '\\') {
                    if (m_pos + 1 >= m_in.size()) {
                        fail(start, "unterminated quoted string");
                        return false;
                    }
                    m_pos += 2;
                    continue;
                }
            }
            ++m_pos;
        }
        // Validate escapes now so the error points into the string.
        std::string decoded;
        std::string error;
        std::size_t offset = 0;
        if (!unquoteString(m_in.substr(start, m_pos - start), &decoded, &error, &offset)) {
            fail(start, error);  // Prometheus points at the string
            return false;
        }
        pushToken(TokenKind::kString, start, m_pos);
        return true;
    }

    std::string_view m_in;
    std::size_t m_pos = 0;
    int m_parenDepth = 0;
    bool m_braceOpen = false;
    bool m_bracketOpen = false;
    std::vector<Token> m_tokens;
};

int hexValue(char c) {
    if (isDigit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

}  // namespace

std::vector<Token> lex(std::string_view query) {
    return Lexer(query).run();
}

bool isKeyword(const Token& token, std::string_view keyword) {
    return token.kind == TokenKind::kIdentifier && equalsIgnoreCase(token.text, keyword);
}

bool unquoteString(std::string_view quoted, std::string* out, std::string* error,
                   std::size_t* errorOffset) {
    out->clear();
    if (quoted.size() < 2) {
        *error = "unterminated quoted string";
        *errorOffset = 0;
        return false;
    }
    const char quote = quoted.front();
    const std::string_view body = quoted.substr(1, quoted.size() - 2);
    if (quote == '`') {
        out->assign(body);
        return true;
    }
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c != '\\') {
            out->push_back(c);
            continue;
        }
        const std::size_t escStart = i;
        auto bad = [&](const std::string& what) {
            *error = what;
            *errorOffset = escStart + 1;
            return false;
        };
        if (i + 1 >= body.size())
            return bad("escape sequence not terminated");
        const char e = body[++i];
        switch (e) {
            case 'a':
                out->push_back('\a');
                break;
            case 'b':
                out->push_back('\b');
                break;
            case 'f':
                out->push_back('\f');
                break;
            case 'n':
                out->push_back('\n');
                break;
            case 'r':
                out->push_back('\r');
                break;
            case 't':
                out->push_back('\t');
                break;
            case 'v':
                out->push_back('\v');
                break;
            case '\\':
                out->push_back('\\');
                break;
            case 'x':
            case 'u':
            case 'U': {
                const std::size_t n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
                std::uint32_t v = 0;
                for (std::size_t k = 1; k <= n; ++k) {
                    if (i + k >= body.size())
                        return bad("escape sequence not terminated");
                    if (!isHexDigit(body[i + k]))
                        return bad("illegal character " + describeRune(body[i + k]) +
                                   " in escape sequence");
                    v = v * 16 + static_cast<std::uint32_t>(hexValue(body[i + k]));
                }
                i += n;
                if (e == 'x') {
                    out->push_back(static_cast<char>(v));
                } else {
                    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                        return bad("escape sequence is an invalid Unicode code point");
                    appendUtf8(*out, v);
                }
                break;
            }
            case '0':
            case '1':
            case '2':
            case '3':
            case '4':
            case '5':
            case '6':
            case '7': {
                std::uint32_t v = 0;
                for (std::size_t k = 0; k < 3; ++k) {
                    if (i + k >= body.size())
                        return bad("escape sequence not terminated");
                    if (body[i + k] < '0' || body[i + k] > '7')
                        return bad("illegal character " + describeRune(body[i + k]) +
                                   " in escape sequence");
                    v = v * 8 + static_cast<std::uint32_t>(body[i + k] - '0');
                }
                if (v > 255)
                    return bad("octal escape value > 255");
                i += 2;
                out->push_back(static_cast<char>(v));
                break;
            }
            default:
                if (e == quote) {
                    out->push_back(e);
                    break;
                }
                return bad("unknown escape sequence " + describeRune(e));
        }
    }
    return true;
}

std::string describeToken(const Token& token) {
    static constexpr std::array<std::string_view, 4> kOperatorWords = {"and", "or", "unless",
                                                                       "atan2"};
    static constexpr std::array<std::string_view, 14> kAggregators = {
        "sum",    "avg",  "count",   "min",          "max",      "group",  "stddev",
        "stdvar", "topk", "bottomk", "count_values", "quantile", "limitk", "limit_ratio"};
    static constexpr std::array<std::string_view, 10> kKeywords = {
        "offset",     "by",          "without", "on",    "ignoring",
        "group_left", "group_right", "bool",    "start", "end"};
    const std::string text(token.text);
    switch (token.kind) {
        case TokenKind::kEof:
            return "end of input";
        case TokenKind::kError:
            return token.error;
        case TokenKind::kIdentifier:
            if (token.inBraces)
                return "identifier " + vigil::goQuote(text);
            for (auto w : kOperatorWords)
                if (equalsIgnoreCase(token.text, w))
                    return "<op:" + text + ">";
            for (auto w : kAggregators)
                if (equalsIgnoreCase(token.text, w))
                    return "<aggr:" + text + ">";
            for (auto w : kKeywords)
                if (equalsIgnoreCase(token.text, w))
                    return "<" + text + ">";
            return "identifier " + vigil::goQuote(text);
        case TokenKind::kMetricIdentifier:
            return "metric identifier " + vigil::goQuote(text);
        case TokenKind::kNumber:
            return "number " + vigil::goQuote(text);
        case TokenKind::kDuration:
            return "duration " + vigil::goQuote(text);
        case TokenKind::kString:
            if (text.size() > 10)
                return "string " + vigil::goQuote(text.substr(0, 10)) + "...";  // Go's %.10q
            return "string " + vigil::goQuote(text);
        case TokenKind::kEql:
        case TokenKind::kLeftParen:
        case TokenKind::kRightParen:
        case TokenKind::kLeftBrace:
        case TokenKind::kRightBrace:
        case TokenKind::kLeftBracket:
        case TokenKind::kRightBracket:
        case TokenKind::kComma:
        case TokenKind::kColon:
            return vigil::goQuote(text);
        case TokenKind::kAt:
            return "<@>";
        default:
            return "<op:" + text + ">";
    }
}

void lineAndColumn(std::string_view query, std::size_t offset, int* line, int* column) {
    int l = 1;
    std::size_t lineStart = 0;
    for (std::size_t i = 0; i < offset && i < query.size(); ++i) {
        if (query[i] == '\n') {
            ++l;
            lineStart = i + 1;
        }
    }
    *line = l;
    *column = static_cast<int>(offset - lineStart) + 1;
}

}  // namespace vigil::promql
