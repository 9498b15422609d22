#include "core/logs/logql/lexer.h"
#include "core/util/utf8.h"

#include <cmath>
#include <cstdlib>

namespace vigil::logql {

const char* tokenKindName(TokenKind kind) {
    switch (kind) {
        case TokenKind::kEof:
            return "end of input";
        case TokenKind::kError:
            return "error";
        case TokenKind::kIdentifier:
            return "IDENTIFIER";
        case TokenKind::kString:
            return "STRING";
        case TokenKind::kNumber:
            return "NUMBER";
        case TokenKind::kDuration:
            return "DURATION";
        case TokenKind::kBytes:
            return "BYTES";
        case TokenKind::kFlag:
            return "FLAG";
        case TokenKind::kLeftBrace:
            return "{";
        case TokenKind::kRightBrace:
            return "}";
        case TokenKind::kLeftParen:
            return "(";
        case TokenKind::kRightParen:
            return ")";
        case TokenKind::kLeftBracket:
            return "[";
        case TokenKind::kRightBracket:
            return "]";
        case TokenKind::kComma:
            return ",";
        case TokenKind::kPipe:
            return "|";
        case TokenKind::kPipeExact:
            return "|=";
        case TokenKind::kPipeMatch:
            return "|~";
        case TokenKind::kPipePattern:
            return "|>";
        case TokenKind::kNotPattern:
            return "!>";
        case TokenKind::kEq:
            return "=";
        case TokenKind::kNeq:
            return "!=";
        case TokenKind::kRe:
            return "=~";
        case TokenKind::kNre:
            return "!~";
        case TokenKind::kCmpEq:
            return "==";
        case TokenKind::kGtr:
            return ">";
        case TokenKind::kGte:
            return ">=";
        case TokenKind::kLss:
            return "<";
        case TokenKind::kLte:
            return "<=";
        case TokenKind::kAdd:
            return "+";
        case TokenKind::kSub:
            return "-";
        case TokenKind::kMul:
            return "*";
        case TokenKind::kDiv:
            return "/";
        case TokenKind::kMod:
            return "%";
        case TokenKind::kPow:
            return "^";
    }
    return "?";
}

namespace {

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}
bool isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isAlnum(char c) {
    return isAlpha(c) || isDigit(c);
}
bool isHex(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hexValue(char c) {
    if (isDigit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

// Length of the leading decimal number (digits, fraction) of `s`; 0 if none.
std::size_t decimalPrefix(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && isDigit(s[i]))
        ++i;
    if (i < s.size() && s[i] == '.') {
        std::size_t j = i + 1;
        while (j < s.size() && isDigit(s[j]))
            ++j;
        if (j == i + 1 && i == 0)
            return 0;
        i = j;
    }
    return i;
}

class Lexer {
public:
    explicit Lexer(std::string_view input) : m_in(input) {}

    std::vector<Token> run() {
        while (true) {
            skipSpaceAndComments();
            if (m_pos >= m_in.size()) {
                push(TokenKind::kEof, m_pos, 0, {});
                return std::move(m_tokens);
            }
            if (!next())
                return std::move(m_tokens);
        }
    }

private:
    void push(TokenKind kind, std::size_t start, std::size_t len, std::string text) {
        m_tokens.push_back(Token{kind, start, len, std::move(text)});
    }
    bool fail(std::size_t at, std::string message) {
        push(TokenKind::kError, at, 1, std::move(message));
        return false;
    }

    void skipSpaceAndComments() {
        while (m_pos < m_in.size()) {
            char c = m_in[m_pos];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++m_pos;
            } else if (c == '#') {
                while (m_pos < m_in.size() && m_in[m_pos] != '\n')
                    ++m_pos;
            } else {
                break;
            }
        }
    }

    char peek(std::size_t ahead = 0) const {
        return m_pos + ahead < m_in.size() ? m_in[m_pos + ahead] : '\0';
    }

    bool op(TokenKind kind, std::size_t len) {
        push(kind, m_pos, len, std::string(m_in.substr(m_pos, len)));
        m_pos += len;
        return true;
    }

    bool next() {
        const char c = peek();
        const char n = peek(1);
        switch (c) {
            case '{':
                return op(TokenKind::kLeftBrace, 1);
            case '}':
                return op(TokenKind::kRightBrace, 1);
            case '(':
                return op(TokenKind::kLeftParen, 1);
            case ')':
                return op(TokenKind::kRightParen, 1);
            case '[':
                return op(TokenKind::kLeftBracket, 1);
            case ']':
                return op(TokenKind::kRightBracket, 1);
            case ',':
                return op(TokenKind::kComma, 1);
            case '+':
                return op(TokenKind::kAdd, 1);
            case '*':
                return op(TokenKind::kMul, 1);
            case '/':
                return op(TokenKind::kDiv, 1);
            case '%':
                return op(TokenKind::kMod, 1);
            case '^':
                return op(TokenKind::kPow, 1);
            case '|':
                if (n == '=')
                    return op(TokenKind::kPipeExact, 2);
                if (n == '~')
                    return op(TokenKind::kPipeMatch, 2);
                if (n == '>')
                    return op(TokenKind::kPipePattern, 2);
                return op(TokenKind::kPipe, 1);
            case '!':
                if (n == '=')
                    return op(TokenKind::kNeq, 2);
                if (n == '~')
                    return op(TokenKind::kNre, 2);
                if (n == '>')
                    return op(TokenKind::kNotPattern, 2);
                return fail(m_pos, "unexpected character after '!'");
            case '=':
                if (n == '~')
                    return op(TokenKind::kRe, 2);
                if (n == '=')
                    return op(TokenKind::kCmpEq, 2);
                return op(TokenKind::kEq, 1);
            case '>':
                if (n == '=')
                    return op(TokenKind::kGte, 2);
                return op(TokenKind::kGtr, 1);
            case '<':
                if (n == '=')
                    return op(TokenKind::kLte, 2);
                return op(TokenKind::kLss, 1);
            case '-':
                if (n == '-' && isAlpha(peek(2)))
                    return flag();
                return op(TokenKind::kSub, 1);
            case '"':
                return quoted();
            case '`':
                return raw();
            default:
                break;
        }
        if (isDigit(c) || (c == '.' && isDigit(n)))
            return number();
        if (isAlpha(c)) {
            std::size_t start = m_pos;
            while (m_pos < m_in.size() && isAlnum(m_in[m_pos]))
                ++m_pos;
            push(TokenKind::kIdentifier, start, m_pos - start,
                 std::string(m_in.substr(start, m_pos - start)));
            return true;
        }
        // Name the whole UTF-8 character, not its first byte.
        const auto lead = static_cast<unsigned char>(c);
        const std::size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return fail(m_pos, "unexpected character '" + std::string(m_in.substr(m_pos, len)) + "'");
    }

    bool flag() {
        std::size_t start = m_pos;
        m_pos += 2;
        while (m_pos < m_in.size() && (isAlnum(m_in[m_pos]) || m_in[m_pos] == '-'))
            ++m_pos;
        push(TokenKind::kFlag, start, m_pos - start,
             std::string(m_in.substr(start, m_pos - start)));
        return true;
    }

    bool raw() {
        std::size_t start = m_pos;
        std::size_t end = m_in.find('`', m_pos + 1);
        if (end == std::string_view::npos)
            return fail(start, "unterminated raw string");
        push(TokenKind::kString, start, end + 1 - start,
             std::string(m_in.substr(start + 1, end - start - 1)));
        m_pos = end + 1;
        return true;
    }

    bool quoted() {
        const std::size_t start = m_pos;
        std::string value;
        ++m_pos;
        while (true) {
            if (m_pos >= m_in.size() || m_in[m_pos] == '\n')
                return fail(start, "unterminated quoted string");
            char c = m_in[m_pos];
            if (c == '"') {
                ++m_pos;
                break;
            }
            if (c != '\\') {
                value += c;
                ++m_pos;
                continue;
            }
            const std::size_t escAt = m_pos;
            char e = peek(1);
            m_pos += 2;
            switch (e) {
                case 'a':
                    value += '\a';
                    break;
                case 'b':
                    value += '\b';
                    break;
                case 'f':
                    value += '\f';
                    break;
                case 'n':
                    value += '\n';
                    break;
                case 'r':
                    value += '\r';
                    break;
                case 't':
                    value += '\t';
                    break;
                case 'v':
                    value += '\v';
                    break;
                case '\\':
                    value += '\\';
                    break;
                case '"':
                    value += '"';
                    break;
                case '\'':
                    value += '\'';
                    break;
                case 'x':
                case 'u':
                case 'U': {
                    const int digits = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
                    std::uint32_t cp = 0;
                    for (int i = 0; i < digits; ++i) {
                        if (!isHex(peek()))
                            return fail(escAt, "invalid escape sequence in string");
                        cp = cp * 16 + static_cast<std::uint32_t>(hexValue(peek()));
                        ++m_pos;
                    }
                    if (e == 'x')
                        value += static_cast<char>(cp);
                    else if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
                        return fail(escAt, "invalid Unicode code point in string");
                    else
                        appendUtf8(value, cp);
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        std::uint32_t v = static_cast<std::uint32_t>(e - '0');
                        for (int i = 0; i < 2; ++i) {
                            if (peek() < '0' || peek() > '7')
                                return fail(escAt, "invalid escape sequence in string");
                            v = v * 8 + static_cast<std::uint32_t>(peek() - '0');
                            ++m_pos;
                        }
                        if (v > 255)
                            return fail(escAt, "invalid octal escape in string");
                        value += static_cast<char>(v);
                        break;
                    }
                    return fail(escAt, "invalid escape sequence in string");
            }
        }
        push(TokenKind::kString, start, m_pos - start, std::move(value));
        return true;
    }

    bool number() {
        const std::size_t start = m_pos;
        if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X' || peek(1) == 'b' ||
                              peek(1) == 'B' || peek(1) == 'o' || peek(1) == 'O')) {
            // Non-decimal literals: kept whole so the parser can reject them
            // (hex floats such as 0x1p3 are accepted, as strconv.ParseFloat does).
            m_pos += 2;
            while (m_pos < m_in.size() && (isAlnum(m_in[m_pos]) || m_in[m_pos] == '.' ||
                                           ((m_in[m_pos] == '+' || m_in[m_pos] == '-') &&
                                            (m_in[m_pos - 1] == 'p' || m_in[m_pos - 1] == 'P'))))
                ++m_pos;
            push(TokenKind::kNumber, start, m_pos - start,
                 std::string(m_in.substr(start, m_pos - start)));
            return true;
        }
        std::size_t i = m_pos + decimalPrefix(m_in.substr(m_pos));
        // Exponent: 1e3, 2.5E-2.
        if (i < m_in.size() && (m_in[i] == 'e' || m_in[i] == 'E')) {
            std::size_t j = i + 1;
            if (j < m_in.size() && (m_in[j] == '+' || m_in[j] == '-'))
                ++j;
            if (j < m_in.size() && isDigit(m_in[j])) {
                while (j < m_in.size() && isDigit(m_in[j]))
                    ++j;
                i = j;
            }
        }
        if (i >= m_in.size() ||
            !(isAlpha(m_in[i]) || static_cast<unsigned char>(m_in[i]) == 0xC2)) {
            push(TokenKind::kNumber, start, i - start, std::string(m_in.substr(start, i - start)));
            m_pos = i;
            return true;
        }
        // A number with units: the longest prefix that is a duration or a byte size.
        std::size_t end = i;
        while (end < m_in.size() && (isAlnum(m_in[end]) || m_in[end] == '.' ||
                                     static_cast<unsigned char>(m_in[end]) >= 0x80))
            ++end;
        for (std::size_t len = end - start; len > i - start; --len) {
            std::string_view text = m_in.substr(start, len);
            double bytes = 0;
            std::int64_t nanos = 0;
            if (parseLogqlBytes(text, &bytes)) {
                push(TokenKind::kBytes, start, len, std::string(text));
                m_pos = start + len;
                return true;
            }
            if (parseLogqlDuration(text, &nanos)) {
                push(TokenKind::kDuration, start, len, std::string(text));
                m_pos = start + len;
                return true;
            }
        }
        push(TokenKind::kNumber, start, i - start, std::string(m_in.substr(start, i - start)));
        m_pos = i;
        return true;
    }

    std::string_view m_in;
    std::size_t m_pos = 0;
    std::vector<Token> m_tokens;
};

}  // namespace

std::vector<Token> lex(std::string_view input) {
    return Lexer(input).run();
}

bool parseLogqlDuration(std::string_view text, std::int64_t* nanos) {
    struct Unit {
        std::string_view name;
        double nanos;
    };
    static constexpr Unit kUnits[] = {
        {"ns", 1.0},    {"us", 1e3},        {"\xC2\xB5s", 1e3},   {"\xCE\xBCs", 1e3},
        {"ms", 1e6},    {"s", 1e9},         {"m", 60e9},          {"h", 3600e9},
        {"d", 86400e9}, {"w", 7 * 86400e9}, {"y", 365 * 86400e9},
    };
    if (text.empty())
        return false;
    double total = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t n = decimalPrefix(text.substr(pos));
        if (n == 0)
            return false;
        double value = std::strtod(std::string(text.substr(pos, n)).c_str(), nullptr);
        pos += n;
        const Unit* best = nullptr;
        for (const Unit& u : kUnits) {
            if (text.substr(pos, u.name.size()) == u.name &&
                (best == nullptr || u.name.size() > best->name.size()))
                best = &u;
        }
        if (best == nullptr)
            return false;
        pos += best->name.size();
        total += value * best->nanos;
    }
    if (total > 9.2e18)
        return false;
    *nanos = static_cast<std::int64_t>(std::llround(total));
    return true;
}

bool parseLogqlBytes(std::string_view text, double* bytes) {
    struct Unit {
        std::string_view name;
        double factor;
    };
    static constexpr Unit kUnits[] = {
        {"B", 1.0},
        {"kB", 1e3},
        {"KB", 1e3},
        {"MB", 1e6},
        {"GB", 1e9},
        {"TB", 1e12},
        {"PB", 1e15},
        {"EB", 1e18},
        {"KiB", 1024.0},
        {"MiB", 1048576.0},
        {"GiB", 1073741824.0},
        {"TiB", 1099511627776.0},
        {"PiB", 1125899906842624.0},
        {"EiB", 1152921504606846976.0},
    };
    std::size_t n = decimalPrefix(text);
    if (n == 0)
        return false;
    std::string_view unit = text.substr(n);
    for (const Unit& u : kUnits) {
        if (unit == u.name) {
            *bytes = std::strtod(std::string(text.substr(0, n)).c_str(), nullptr) * u.factor;
            return true;
        }
    }
    return false;
}

}  // namespace vigil::logql
