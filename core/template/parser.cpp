// Lexer and parser for Go text/template, following text/template/parse
// (lex.go, parse.go) closely so that errors read the same.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <stdexcept>

#include "core/template/parse_tree.h"
#include "core/util/go_quote.h"

namespace vigil::gotmpl {
namespace {

enum class Tok {
    kError,
    kEOF,
    kText,
    kLeftDelim,
    kRightDelim,
    kSpace,
    kIdentifier,
    kField,
    kVariable,
    kDot,
    kString,
    kRawString,
    kChar,
    kNumber,
    kBool,
    kNil,
    kLeftParen,
    kRightParen,
    kPipe,
    kDeclare,
    kAssign,
    kComma,
    // keywords
    kBlock,
    kBreak,
    kContinue,
    kDefine,
    kElse,
    kEnd,
    kIf,
    kRange,
    kTemplate,
    kWith,
};

struct Token {
    Tok type;
    std::size_t pos;
    std::string_view val;  // into the template text
    int line;
    std::string error;  // kError only
};

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool isAlnum(unsigned char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80;
}

bool isKeyword(Tok t) {
    return t >= Tok::kBlock;
}

std::string tokenString(const Token& t) {
    switch (t.type) {
        case Tok::kEOF:
            return "EOF";
        case Tok::kError:
            return t.error;
        default:
            break;
    }
    if (isKeyword(t.type))
        return "<" + std::string(t.val) + ">";
    if (t.val.size() > 10) {
        // Go's %.10q: the first 10 runes, quoted, then "...".
        std::size_t i = 0, runes = 0;
        while (i < t.val.size() && runes < 10) {
            ++i;
            while (i < t.val.size() && (static_cast<unsigned char>(t.val[i]) & 0xC0) == 0x80)
                ++i;
            ++runes;
        }
        return goQuote(t.val.substr(0, i)) + "...";
    }
    return goQuote(t.val);
}

class Lexer {
public:
    explicit Lexer(std::string_view input) : m_input(input) {}

    std::vector<Token> run() {
        m_tokens.reserve(m_input.size() / 4 + 8);
        while (true) {
            if (!lexText())
                break;
            if (!lexAction())
                break;
        }
        return std::move(m_tokens);
    }

private:
    static constexpr std::string_view kLeft = "{{";
    static constexpr std::string_view kRight = "}}";

    void addToken(Tok type, std::size_t start, std::size_t end) {
        m_tokens.push_back({type, start, m_input.substr(start, end - start), lineAt(start), {}});
    }
    int lineAt(std::size_t pos) {
        while (m_lineScan < pos && m_lineScan < m_input.size()) {
            if (m_input[m_lineScan] == '\n')
                ++m_line;
            ++m_lineScan;
        }
        return m_line;
    }
    void error(std::size_t pos, std::string message) {
        m_tokens.push_back({Tok::kError, pos, {}, lineAt(pos), std::move(message)});
    }

    // Returns false at EOF.
    bool lexText() {
        std::size_t start = m_pos;
        std::size_t x = m_input.find(kLeft, m_pos);
        if (x == std::string_view::npos) {
            if (m_pos < m_input.size())
                addToken(Tok::kText, start, m_input.size());
            m_tokens.push_back({Tok::kEOF, m_input.size(), {}, lineAt(m_input.size()), {}});
            return false;
        }
        std::size_t textEnd = x;
        std::size_t afterDelim = x + kLeft.size();
        bool trim = afterDelim + 1 < m_input.size() && m_input[afterDelim] == '-' &&
                    isSpace(m_input[afterDelim + 1]);
        if (trim) {
            while (textEnd > start && isSpace(m_input[textEnd - 1]))
                --textEnd;
        }
        if (textEnd > start)
            addToken(Tok::kText, start, textEnd);
        m_pos = x;
        return true;
    }

    bool atRightDelim(bool& trim) const {
        std::string_view rest = m_input.substr(m_pos);
        if (rest.size() >= 2 && isSpace(rest[0]) && rest[1] == '-' && rest.substr(2, 2) == kRight) {
            trim = true;
            return true;
        }
        trim = false;
        return rest.substr(0, 2) == kRight;
    }

    void trimFollowingSpace() {
        while (m_pos < m_input.size() && isSpace(m_input[m_pos]))
            ++m_pos;
    }

    // At "{{". Returns false on error/EOF.
    bool lexAction() {
        std::size_t delimPos = m_pos;
        m_pos += kLeft.size();
        bool leftTrim =
            m_pos + 1 < m_input.size() && m_input[m_pos] == '-' && isSpace(m_input[m_pos + 1]);
        if (leftTrim)
            m_pos += 2;
        // Comment?
        if (m_input.substr(m_pos, 2) == "/*") {
            std::size_t end = m_input.find("*/", m_pos + 2);
            if (end == std::string_view::npos) {
                error(delimPos, "unclosed comment");
                return false;
            }
            m_pos = end + 2;
            bool trim = false;
            if (!atRightDelim(trim)) {
                error(delimPos, "comment ends before closing delimiter");
                return false;
            }
            m_pos += trim ? 4 : 2;
            if (trim)
                trimFollowingSpace();
            return true;
        }
        addToken(Tok::kLeftDelim, delimPos, delimPos + 2);
        int parenDepth = 0;
        while (true) {
            bool trim = false;
            if (atRightDelim(trim)) {
                if (parenDepth != 0) {
                    error(m_pos, "unclosed left paren");
                    return false;
                }
                std::size_t p = m_pos + (trim ? 2 : 0);
                addToken(Tok::kRightDelim, p, p + 2);
                m_pos = p + 2;
                if (trim)
                    trimFollowingSpace();
                return true;
            }
            if (m_pos >= m_input.size()) {
                error(m_pos, "unclosed action");
                return false;
            }
            char c = m_input[m_pos];
            std::size_t start = m_pos;
            if (isSpace(c)) {
                while (m_pos < m_input.size() && isSpace(m_input[m_pos])) {
                    bool t = false;
                    if (atRightDelim(t) && t)
                        break;
                    ++m_pos;
                }
                addToken(Tok::kSpace, start, m_pos);
            } else if (c == '=') {
                ++m_pos;
                addToken(Tok::kAssign, start, m_pos);
            } else if (c == ':') {
                if (m_pos + 1 >= m_input.size() || m_input[m_pos + 1] != '=') {
                    error(start, "expected :=");
                    return false;
                }
                m_pos += 2;
                addToken(Tok::kDeclare, start, m_pos);
            } else if (c == '|') {
                ++m_pos;
                addToken(Tok::kPipe, start, m_pos);
            } else if (c == '"') {
                if (!lexQuote())
                    return false;
            } else if (c == '`') {
                std::size_t end = m_input.find('`', m_pos + 1);
                if (end == std::string_view::npos) {
                    error(start, "unterminated raw quoted string");
                    return false;
                }
                m_pos = end + 1;
                addToken(Tok::kRawString, start, m_pos);
            } else if (c == '$') {
                ++m_pos;
                while (m_pos < m_input.size() &&
                       isAlnum(static_cast<unsigned char>(m_input[m_pos])))
                    ++m_pos;
                if (!checkTerminator(start))
                    return false;
                addToken(Tok::kVariable, start, m_pos);
            } else if (c == '\'') {
                if (!lexChar())
                    return false;
            } else if (c == '.') {
                if (m_pos + 1 < m_input.size() && m_input[m_pos + 1] >= '0' &&
                    m_input[m_pos + 1] <= '9') {
                    if (!lexNumber())
                        return false;
                } else {
                    ++m_pos;
                    while (m_pos < m_input.size() &&
                           isAlnum(static_cast<unsigned char>(m_input[m_pos])))
                        ++m_pos;
                    if (!checkTerminator(start))
                        return false;
                    addToken(m_pos - start == 1 ? Tok::kDot : Tok::kField, start, m_pos);
                }
            } else if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
                if (!lexNumber())
                    return false;
            } else if (isAlnum(static_cast<unsigned char>(c))) {
                while (m_pos < m_input.size() &&
                       isAlnum(static_cast<unsigned char>(m_input[m_pos])))
                    ++m_pos;
                if (!checkTerminator(start))
                    return false;
                std::string_view word = m_input.substr(start, m_pos - start);
                static const std::map<std::string_view, Tok> kKeywords = {
                    {"block", Tok::kBlock},   {"break", Tok::kBreak}, {"continue", Tok::kContinue},
                    {"define", Tok::kDefine}, {"else", Tok::kElse},   {"end", Tok::kEnd},
                    {"if", Tok::kIf},         {"range", Tok::kRange}, {"template", Tok::kTemplate},
                    {"with", Tok::kWith},     {"nil", Tok::kNil},     {"true", Tok::kBool},
                    {"false", Tok::kBool}};
                auto it = kKeywords.find(word);
                addToken(it != kKeywords.end() ? it->second : Tok::kIdentifier, start, m_pos);
            } else if (c == '(') {
                ++m_pos;
                ++parenDepth;
                addToken(Tok::kLeftParen, start, m_pos);
            } else if (c == ')') {
                ++m_pos;
                --parenDepth;
                addToken(Tok::kRightParen, start, m_pos);
            } else if (c == ',') {
                ++m_pos;
                addToken(Tok::kComma, start, m_pos);
            } else {
                error(start, "unrecognized character in action: " + describeRune(start));
                return false;
            }
        }
    }

    std::string describeRune(std::size_t pos) const {
        unsigned char c = static_cast<unsigned char>(m_input[pos]);
        char buf[32];
        std::snprintf(buf, sizeof buf, "U+%04X", c);
        std::string out = buf;
        if (c >= 0x20 && c < 0x7f) {
            out += " '";
            out += static_cast<char>(c);
            out += "'";
        }
        return out;
    }

    bool checkTerminator(std::size_t start) {
        if (m_pos >= m_input.size())
            return true;
        char c = m_input[m_pos];
        if (isSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' ||
            c == '=')
            return true;
        if (m_input.substr(m_pos, 2) == kRight)
            return true;
        (void)start;
        error(m_pos, "bad character " + describeRune(m_pos));
        return false;
    }

    bool lexQuote() {
        std::size_t start = m_pos;
        ++m_pos;
        while (true) {
            if (m_pos >= m_input.size() || m_input[m_pos] == '\n') {
                error(start, "unterminated quoted string");
                return false;
            }
            char c = m_input[m_pos++];
            if (c == '\\') {
                if (m_pos >= m_input.size() || m_input[m_pos] == '\n') {
                    error(start, "unterminated quoted string");
                    return false;
                }
                ++m_pos;
            } else if (c == '"') {
                break;
            }
        }
        addToken(Tok::kString, start, m_pos);
        return true;
    }

    bool lexChar() {
        std::size_t start = m_pos;
        ++m_pos;
        while (true) {
            if (m_pos >= m_input.size() || m_input[m_pos] == '\n') {
                error(start, "unterminated character constant");
                return false;
            }
            char c = m_input[m_pos++];
            if (c == '\\') {
                ++m_pos;
            } else if (c == '\'') {
                break;
            }
        }
        addToken(Tok::kChar, start, m_pos);
        return true;
    }

    bool lexNumber() {
        std::size_t start = m_pos;
        if (m_input[m_pos] == '+' || m_input[m_pos] == '-')
            ++m_pos;
        std::string_view digits = "0123456789_";
        bool hex = false;
        if (m_input.substr(m_pos, 1) == "0" && m_pos + 1 < m_input.size()) {
            char p = static_cast<char>(m_input[m_pos + 1] | 0x20);
            if (p == 'x') {
                m_pos += 2;
                digits = "0123456789abcdefABCDEF_";
                hex = true;
            } else if (p == 'o') {
                m_pos += 2;
                digits = "01234567_";
            } else if (p == 'b') {
                m_pos += 2;
                digits = "01_";
            }
        }
        auto accept = [&](std::string_view valid) {
            std::size_t n = 0;
            while (m_pos < m_input.size() && valid.find(m_input[m_pos]) != std::string_view::npos) {
                ++m_pos;
                ++n;
            }
            return n;
        };
        accept(digits);
        if (m_pos < m_input.size() && m_input[m_pos] == '.') {
            ++m_pos;
            accept(digits);
        }
        if (m_pos < m_input.size() && ((!hex && (m_input[m_pos] == 'e' || m_input[m_pos] == 'E')) ||
                                       (hex && (m_input[m_pos] == 'p' || m_input[m_pos] == 'P')))) {
            ++m_pos;
            if (m_pos < m_input.size() && (m_input[m_pos] == '+' || m_input[m_pos] == '-'))
                ++m_pos;
            accept("0123456789_");
        }
        if (m_pos < m_input.size() && m_input[m_pos] == 'i')
            ++m_pos;
        if (m_pos < m_input.size() && isAlnum(static_cast<unsigned char>(m_input[m_pos]))) {
            ++m_pos;
            error(start, "bad number syntax: \"" +
                             std::string(m_input.substr(start, m_pos - start)) + "\"");
            return false;
        }
        addToken(Tok::kNumber, start, m_pos);
        return true;
    }

    std::string_view m_input;
    std::size_t m_pos = 0;
    std::vector<Token> m_tokens;
    int m_line = 1;
    std::size_t m_lineScan = 0;
};

struct ParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Go's strconv.Unquote for "..." and '...' literals.
bool unquote(std::string_view s, std::string& out) {
    if (s.size() < 2)
        return false;
    char q = s.front();
    if (s.back() != q)
        return false;
    s = s.substr(1, s.size() - 2);
    out.clear();
    auto appendRune = [&](std::uint32_t r) {
        if (r < 0x80) {
            out += static_cast<char>(r);
        } else if (r < 0x800) {
            out += static_cast<char>(0xC0 | (r >> 6));
            out += static_cast<char>(0x80 | (r & 0x3F));
        } else if (r < 0x10000) {
            out += static_cast<char>(0xE0 | (r >> 12));
            out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (r & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (r >> 18));
            out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (r & 0x3F));
        }
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == q && q == '"')
            return false;
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i >= s.size())
            return false;
        char e = s[i];
        auto hexValue = [&](std::size_t n, std::uint32_t& v) {
            v = 0;
            for (std::size_t k = 1; k <= n; ++k) {
                if (i + k >= s.size())
                    return false;
                char h = s[i + k];
                int d = (h >= '0' && h <= '9')   ? h - '0'
                        : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                        : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                 : -1;
                if (d < 0)
                    return false;
                v = v * 16 + static_cast<std::uint32_t>(d);
            }
            i += n;
            return true;
        };
        std::uint32_t v = 0;
        switch (e) {
            case 'a':
                out += '\a';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'v':
                out += '\v';
                break;
            case '\\':
                out += '\\';
                break;
            case '"':
                if (q != '"')
                    return false;
                out += '"';
                break;
            case '\'':
                if (q != '\'')
                    return false;
                out += '\'';
                break;
            case 'x':
                if (!hexValue(2, v))
                    return false;
                out += static_cast<char>(v);
                break;
            case 'u':
                if (!hexValue(4, v))
                    return false;
                appendRune(v);
                break;
            case 'U':
                if (!hexValue(8, v) || v > 0x10FFFF)
                    return false;
                appendRune(v);
                break;
            default:
                if (e >= '0' && e <= '7') {
                    if (i + 2 >= s.size())
                        return false;
                    v = 0;
                    for (int k = 0; k < 3; ++k) {
                        char o = s[i + static_cast<std::size_t>(k)];
                        if (o < '0' || o > '7')
                            return false;
                        v = v * 8 + static_cast<std::uint32_t>(o - '0');
                    }
                    if (v > 255)
                        return false;
                    i += 2;
                    out += static_cast<char>(v);
                    break;
                }
                return false;
        }
    }
    return true;
}

std::uint32_t decodeRune(std::string_view s) {
    unsigned char c = static_cast<unsigned char>(s[0]);
    if (c < 0x80)
        return c;
    int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    std::uint32_t r = c & (0x3F >> n);
    for (int i = 1; i <= n && static_cast<std::size_t>(i) < s.size(); ++i)
        r = (r << 6) | (static_cast<unsigned char>(s[static_cast<std::size_t>(i)]) & 0x3F);
    return r;
}

class Parser {
public:
    Parser(std::string_view name, std::string_view text,
           const std::function<bool(std::string_view)>& isFunction, const ParseOptions& options)
        : m_name(name), m_text(text), m_isFunction(isFunction), m_options(options) {
        m_tokens = Lexer(text).run();
    }

    std::vector<std::shared_ptr<ParsedTree>> parse() {
        auto source = std::make_shared<const std::string>(m_text);
        m_source = source;
        m_vars = {"$"};
        auto root = newNode(Node::Type::kList, peek().pos);
        while (peek().type != Tok::kEOF) {
            if (peek().type == Tok::kLeftDelim) {
                std::size_t save = m_index;
                next();
                if (nextNonSpace().type == Tok::kDefine) {
                    parseDefinition();
                    continue;
                }
                m_index = save;
            }
            std::unique_ptr<Node> n = textOrAction();
            if (n->type == Node::Type::kList) {  // marker for end/else
                errorf("unexpected " + n->text);
            }
            if (n)
                root->children.push_back(std::move(n));
        }
        addTree(std::string(m_name), std::move(root));
        return std::move(m_trees);
    }

private:
    // End and else are returned as kList nodes whose text is "{{end}}" /
    // "{{else}}" (they never reach the tree).
    static bool isEnd(const Node& n) { return n.type == Node::Type::kList && n.text == "{{end}}"; }
    static bool isElse(const Node& n) {
        return n.type == Node::Type::kList && n.text == "{{else}}";
    }

    std::unique_ptr<Node> newNode(Node::Type type, std::size_t pos) {
        return std::make_unique<Node>(type, pos);
    }

    [[noreturn]] void errorf(const std::string& message) {
        // Go reports the line of the last token read (or peeked).
        const Token& t = m_tokens[std::min(m_farthest, m_tokens.size() - 1)];
        throw ParseError("template: " + std::string(m_name) + ":" + std::to_string(t.line) + ": " +
                         message);
    }

    const Token& next() {
        if (m_index >= m_tokens.size())
            return m_tokens.back();
        const Token& t = m_tokens[m_index];
        m_farthest = std::max(m_farthest, m_index);
        if (t.type == Tok::kError) {
            ++m_index;
            errorf(t.error);
        }
        if (m_index + 1 < m_tokens.size())
            ++m_index;
        else
            m_index = m_tokens.size();
        return t;
    }
    const Token& peek() {
        if (m_index >= m_tokens.size())
            return m_tokens.back();
        m_farthest = std::max(m_farthest, m_index);
        return m_tokens[m_index];
    }
    void backup() { --m_index; }
    const Token& nextNonSpace() {
        while (true) {
            const Token& t = next();
            if (t.type != Tok::kSpace)
                return t;
        }
    }
    const Token& peekNonSpace() {
        const Token& t = nextNonSpace();
        backup();
        return t;
    }
    const Token& expect(Tok type, const std::string& context) {
        const Token& t = nextNonSpace();
        if (t.type != type)
            unexpected(t, context);
        return t;
    }
    [[noreturn]] void unexpected(const Token& t, const std::string& context) {
        if (t.type == Tok::kError) {
            errorf(t.error);
        }
        errorf("unexpected " + tokenString(t) + " in " + context);
    }

    void addTree(std::string name, std::unique_ptr<Node> root) {
        for (auto& existing : m_trees) {
            if (existing->name == name) {
                if (!isEmptyTree(*existing->root) && !isEmptyTree(*root))
                    errorf("template: multiple definition of template " + goQuote(name));
                if (!isEmptyTree(*root) || isEmptyTree(*existing->root))
                    existing->root = std::move(root);
                return;
            }
        }
        auto tree = std::make_shared<ParsedTree>();
        tree->name = std::move(name);
        tree->parseName = std::string(m_name);
        tree->source = m_source;
        tree->root = std::move(root);
        m_trees.push_back(std::move(tree));
    }

    void parseDefinition() {
        const Token& nameTok = nextNonSpace();
        if (nameTok.type != Tok::kString && nameTok.type != Tok::kRawString)
            unexpected(nameTok, "define clause");
        std::string name = unquoteToken(nameTok);
        expect(Tok::kRightDelim, "define clause");
        std::vector<std::string> savedVars = std::move(m_vars);
        m_vars = {"$"};
        auto [list, end] = itemList();
        if (!isEnd(*end))
            errorf("unexpected " + end->text + " in define clause");
        m_vars = std::move(savedVars);
        addTree(std::move(name), std::move(list));
    }

    std::string unquoteToken(const Token& t) {
        if (t.type == Tok::kRawString)
            return std::string(t.val.substr(1, t.val.size() - 2));
        std::string out;
        if (!unquote(t.val, out))
            errorf("invalid syntax");
        return out;
    }

    std::pair<std::unique_ptr<Node>, std::unique_ptr<Node>> itemList() {
        auto list = newNode(Node::Type::kList, peekNonSpace().pos);
        while (peekNonSpace().type != Tok::kEOF) {
            std::unique_ptr<Node> n = textOrAction();
            if (n && (isEnd(*n) || isElse(*n)))
                return {std::move(list), std::move(n)};
            if (n)
                list->children.push_back(std::move(n));
        }
        errorf("unexpected EOF");
    }

    std::unique_ptr<Node> textOrAction() {
        const Token& t = nextNonSpace();
        switch (t.type) {
            case Tok::kText: {
                auto n = newNode(Node::Type::kText, t.pos);
                n->text = t.val;
                if (m_options.stripHtmlComments)
                    n->text = stripComments(n->text);
                return n;
            }
            case Tok::kLeftDelim:
                return action();
            default:
                unexpected(t, "input");
        }
    }

    static std::string stripComments(const std::string& text) {
        std::string out;
        std::size_t i = 0;
        while (i < text.size()) {
            std::size_t start = text.find("<!--", i);
            if (start == std::string::npos) {
                out.append(text, i, std::string::npos);
                break;
            }
            out.append(text, i, start - i);
            std::size_t end = text.find("-->", start + 4);
            if (end == std::string::npos)
                break;
            i = end + 3;
        }
        return out;
    }

    std::unique_ptr<Node> action() {
        const Token& t = nextNonSpace();
        switch (t.type) {
            case Tok::kBlock:
                return blockControl();
            case Tok::kBreak:
                return breakControl(t, "break");
            case Tok::kContinue:
                return breakControl(t, "continue");
            case Tok::kElse:
                return elseControl();
            case Tok::kEnd: {
                expect(Tok::kRightDelim, "end");
                auto n = newNode(Node::Type::kList, t.pos);
                n->text = "{{end}}";
                return n;
            }
            case Tok::kIf:
                return control(Node::Type::kIf, "if");
            case Tok::kRange:
                return control(Node::Type::kRange, "range");
            case Tok::kTemplate:
                return templateControl();
            case Tok::kWith:
                return control(Node::Type::kWith, "with");
            default:
                break;
        }
        backup();
        std::size_t pos = peek().pos;
        auto n = newNode(Node::Type::kAction, pos);
        n->pipe = pipeline("command", Tok::kRightDelim);
        return n;
    }

    std::unique_ptr<Node> breakControl(const Token& t, const std::string& word) {
        const Token& close = nextNonSpace();
        if (close.type != Tok::kRightDelim)
            unexpected(close, "{{" + word + "}}");
        if (m_rangeDepth == 0)
            errorf("{{" + word + "}} outside {{range}}");
        return newNode(word == "break" ? Node::Type::kBreak : Node::Type::kContinue, t.pos);
    }

    std::unique_ptr<Node> elseControl() {
        const Token& p = peekNonSpace();
        auto n = newNode(Node::Type::kList, p.pos);
        n->text = "{{else}}";
        if (p.type == Tok::kIf)
            return n;
        expect(Tok::kRightDelim, "else");
        return n;
    }

    std::unique_ptr<Node> control(Node::Type type, const std::string& context) {
        std::size_t varsMark = m_vars.size();
        auto n = newNode(type, peek().pos);
        n->pipe = pipeline(context, Tok::kRightDelim);
        if (type == Node::Type::kRange)
            ++m_rangeDepth;
        auto [list, next] = itemList();
        if (type == Node::Type::kRange)
            --m_rangeDepth;
        n->list = std::move(list);
        if (isElse(*next)) {
            if (type == Node::Type::kIf && peekNonSpace().type == Tok::kIf) {
                nextNonSpace();
                auto elseList = newNode(Node::Type::kList, next->pos);
                elseList->children.push_back(control(Node::Type::kIf, "if"));
                n->elseList = std::move(elseList);
            } else {
                auto [elseList, end] = itemList();
                if (!isEnd(*end))
                    errorf("expected end; found " + end->text);
                n->elseList = std::move(elseList);
            }
        }
        m_vars.resize(varsMark);
        return n;
    }

    std::unique_ptr<Node> templateControl() {
        const Token& nameTok = nextNonSpace();
        if (nameTok.type != Tok::kString && nameTok.type != Tok::kRawString)
            unexpected(nameTok, "template clause");
        auto n = newNode(Node::Type::kTemplate, nameTok.pos);
        n->text = unquoteToken(nameTok);
        if (nextNonSpace().type != Tok::kRightDelim) {
            backup();
            n->pipe = pipeline("template clause", Tok::kRightDelim);
        }
        return n;
    }

    std::unique_ptr<Node> blockControl() {
        const Token& nameTok = nextNonSpace();
        if (nameTok.type != Tok::kString && nameTok.type != Tok::kRawString)
            unexpected(nameTok, "block clause");
        std::string name = unquoteToken(nameTok);
        auto n = newNode(Node::Type::kTemplate, nameTok.pos);
        n->text = name;
        n->pipe = pipeline("block clause", Tok::kRightDelim);
        std::vector<std::string> savedVars = std::move(m_vars);
        m_vars = {"$"};
        auto [list, end] = itemList();
        if (!isEnd(*end))
            errorf("unexpected " + end->text + " in block clause");
        m_vars = std::move(savedVars);
        addTree(std::move(name), std::move(list));
        return n;
    }

    std::unique_ptr<Node> pipeline(const std::string& context, Tok end) {
        auto pipe = newNode(Node::Type::kPipe, peekNonSpace().pos);
        // Declarations: $x := / $x = / $i, $e := (Go 1.19's parse.pipeline).
        while (peekNonSpace().type == Tok::kVariable) {
            std::size_t save = m_index;
            const Token& v = nextNonSpace();
            const Token& after = nextNonSpace();
            if (after.type == Tok::kDeclare || after.type == Tok::kAssign) {
                pipe->isAssign = after.type == Tok::kAssign;
                pipe->decl.emplace_back(v.val);
                m_vars.emplace_back(v.val);
                break;
            }
            if (after.type == Tok::kComma) {
                pipe->decl.emplace_back(v.val);
                m_vars.emplace_back(v.val);
                if (context == "range" && pipe->decl.size() < 2) {
                    Tok p = peekNonSpace().type;
                    if (p == Tok::kVariable || p == Tok::kRightDelim || p == Tok::kRightParen)
                        continue;  // the second variable of a range
                    errorf("range can only initialize variables");
                }
                errorf("too many declarations in " + context);
            }
            m_index = save;
            break;
        }
        while (true) {
            const Token& t = nextNonSpace();
            if (t.type == end) {
                if (pipe->children.empty())
                    errorf("missing value for " + context);
                for (std::size_t i = 1; i < pipe->children.size(); ++i) {
                    const Node& first = *pipe->children[i]->children[0];
                    if (first.type == Node::Type::kConstant || first.type == Node::Type::kDot ||
                        first.type == Node::Type::kNil)
                        errorf("non executable command in pipeline stage " + std::to_string(i + 1));
                }
                return pipe;
            }
            switch (t.type) {
                case Tok::kBool:
                case Tok::kChar:
                case Tok::kDot:
                case Tok::kField:
                case Tok::kIdentifier:
                case Tok::kNumber:
                case Tok::kNil:
                case Tok::kRawString:
                case Tok::kString:
                case Tok::kVariable:
                case Tok::kLeftParen:
                    backup();
                    pipe->children.push_back(command());
                    break;
                default:
                    unexpected(t, context);
            }
        }
    }

    std::unique_ptr<Node> command() {
        auto cmd = newNode(Node::Type::kCommand, peekNonSpace().pos);
        while (true) {
            peekNonSpace();
            std::unique_ptr<Node> op = operand();
            if (op)
                cmd->children.push_back(std::move(op));
            const Token& t = next();
            if (t.type == Tok::kSpace)
                continue;
            if (t.type == Tok::kRightDelim || t.type == Tok::kRightParen) {
                backup();
            } else if (t.type != Tok::kPipe) {
                unexpected(t, "operand");
            }
            break;
        }
        if (cmd->children.empty())
            errorf("empty command");
        return cmd;
    }

    std::unique_ptr<Node> operand() {
        std::unique_ptr<Node> node = term();
        if (!node)
            return nullptr;
        if (peek().type == Tok::kField) {
            std::vector<std::string> fields;
            std::size_t pos = peek().pos;
            while (peek().type == Tok::kField)
                fields.emplace_back(next().val.substr(1));
            switch (node->type) {
                case Node::Type::kField:
                case Node::Type::kVariable:
                    // Go gives the node the position of the first chained field.
                    node->pos = pos;
                    for (auto& f : fields)
                        node->idents.push_back(std::move(f));
                    return node;
                case Node::Type::kConstant:
                case Node::Type::kNil:
                case Node::Type::kDot:
                    errorf("unexpected . after term " + goQuote(node->toString()));
                default: {
                    auto chain = newNode(Node::Type::kChain, pos);
                    chain->idents = std::move(fields);
                    chain->pipe = std::move(node);
                    return chain;
                }
            }
        }
        return node;
    }

    void useVar(const std::string& name) {
        for (auto it = m_vars.rbegin(); it != m_vars.rend(); ++it)
            if (*it == name)
                return;
        errorf("undefined variable " + goQuote(name));
    }

    std::unique_ptr<Node> term() {
        const Token& t = nextNonSpace();
        switch (t.type) {
            case Tok::kIdentifier: {
                if (!m_isFunction(t.val))
                    errorf("function " + goQuote(t.val) + " not defined");
                auto n = newNode(Node::Type::kIdentifier, t.pos);
                n->text = t.val;
                return n;
            }
            case Tok::kDot:
                return newNode(Node::Type::kDot, t.pos);
            case Tok::kNil:
                return newNode(Node::Type::kNil, t.pos);
            case Tok::kVariable: {
                std::string name(t.val);
                useVar(name);
                auto n = newNode(Node::Type::kVariable, t.pos);
                n->text = name;
                return n;
            }
            case Tok::kField: {
                auto n = newNode(Node::Type::kField, t.pos);
                n->idents.emplace_back(t.val.substr(1));
                return n;
            }
            case Tok::kBool: {
                auto n = newNode(Node::Type::kConstant, t.pos);
                n->text = t.val;
                n->constant = Value(t.val == "true");
                return n;
            }
            case Tok::kChar:
            case Tok::kNumber:
                return number(t);
            case Tok::kLeftParen: {
                auto p = pipeline("parenthesized pipeline", Tok::kRightParen);
                return p;
            }
            case Tok::kString:
            case Tok::kRawString: {
                auto n = newNode(Node::Type::kConstant, t.pos);
                n->text = t.val;
                n->constant = Value(unquoteToken(t));
                return n;
            }
            default:
                backup();
                return nullptr;
        }
    }

    std::unique_ptr<Node> number(const Token& t) {
        auto n = newNode(Node::Type::kConstant, t.pos);
        n->text = t.val;
        if (t.type == Tok::kChar) {
            std::string decoded;
            if (!unquote(t.val, decoded) || decoded.empty())
                errorf("malformed character constant: " + std::string(t.val));
            n->constant = Value(static_cast<std::int64_t>(decodeRune(decoded)));
            return n;
        }
        std::string text;
        for (char c : t.val)
            if (c != '_')
                text += c;
        if (!text.empty() && text.back() == 'i')
            errorf("complex constants are not supported: " + std::string(t.val));
        bool negative = false;
        std::string_view body = text;
        if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
            negative = body[0] == '-';
            body.remove_prefix(1);
        }
        int base = 10;
        bool isHex = false;
        if (body.size() > 2 && body[0] == '0') {
            char p = static_cast<char>(body[1] | 0x20);
            if (p == 'x') {
                base = 16;
                isHex = true;
            } else if (p == 'o') {
                base = 8;
            } else if (p == 'b') {
                base = 2;
            }
            if (base != 10)
                body.remove_prefix(2);
        } else if (body.size() > 1 && body[0] == '0' &&
                   body.find_first_of(".eE") == std::string_view::npos) {
            base = 8;  // Go's legacy octal "0755"
            body.remove_prefix(1);
        }
        bool looksFloat = !isHex ? body.find_first_of(".eE") != std::string_view::npos
                                 : body.find_first_of(".pP") != std::string_view::npos;
        if (!looksFloat) {
            std::uint64_t u = 0;
            auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), u, base);
            if (ec == std::errc() && ptr == body.data() + body.size()) {
                if (!negative && u <= static_cast<std::uint64_t>(INT64_MAX)) {
                    n->constant = Value(static_cast<std::int64_t>(u));
                    return n;
                }
                if (negative && u <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
                    n->constant = Value(static_cast<std::int64_t>(0 - u));
                    return n;
                }
                // Too big for int: Go falls back to float64.
                n->constant = Value((negative ? -1.0 : 1.0) * static_cast<double>(u));
                return n;
            }
            errorf("illegal number syntax: " + goQuote(t.val));
        }
        char* end = nullptr;
        std::string floatText = isHex ? "0x" + std::string(body) : std::string(body);
        double d = std::strtod(floatText.c_str(), &end);
        if (end != floatText.c_str() + floatText.size())
            errorf("illegal number syntax: " + goQuote(t.val));
        n->constant = Value(negative ? -d : d);
        return n;
    }

    std::string_view m_name;
    std::string_view m_text;
    const std::function<bool(std::string_view)>& m_isFunction;
    ParseOptions m_options;
    std::vector<Token> m_tokens;
    std::size_t m_index = 0;
    std::size_t m_farthest = 0;
    std::vector<std::string> m_vars;
    int m_rangeDepth = 0;
    std::shared_ptr<const std::string> m_source;
    std::vector<std::shared_ptr<ParsedTree>> m_trees;
};

void appendNode(std::string& out, const Node& n);

void appendArg(std::string& out, const Node& n) {
    if (n.type == Node::Type::kPipe) {
        out += '(';
        appendNode(out, n);
        out += ')';
    } else {
        appendNode(out, n);
    }
}

void appendNode(std::string& out, const Node& n) {
    switch (n.type) {
        case Node::Type::kList:
            for (const auto& c : n.children)
                appendNode(out, *c);
            break;
        case Node::Type::kText:
            out += n.text;
            break;
        case Node::Type::kAction:
            out += "{{";
            appendNode(out, *n.pipe);
            out += "}}";
            break;
        case Node::Type::kIf:
        case Node::Type::kRange:
        case Node::Type::kWith:
            out += n.type == Node::Type::kIf      ? "{{if "
                   : n.type == Node::Type::kRange ? "{{range "
                                                  : "{{with ";
            appendNode(out, *n.pipe);
            out += "}}";
            appendNode(out, *n.list);
            if (n.elseList) {
                out += "{{else}}";
                appendNode(out, *n.elseList);
            }
            out += "{{end}}";
            break;
        case Node::Type::kTemplate:
            out += "{{template " + goQuote(n.text);
            if (n.pipe) {
                out += ' ';
                appendNode(out, *n.pipe);
            }
            out += "}}";
            break;
        case Node::Type::kBreak:
            out += "{{break}}";
            break;
        case Node::Type::kContinue:
            out += "{{continue}}";
            break;
        case Node::Type::kPipe:
            for (std::size_t i = 0; i < n.decl.size(); ++i) {
                if (i > 0)
                    out += ", ";
                out += n.decl[i];
            }
            if (!n.decl.empty())
                out += n.isAssign ? " = " : " := ";
            for (std::size_t i = 0; i < n.children.size(); ++i) {
                if (i > 0)
                    out += " | ";
                appendNode(out, *n.children[i]);
            }
            break;
        case Node::Type::kCommand:
            for (std::size_t i = 0; i < n.children.size(); ++i) {
                if (i > 0)
                    out += ' ';
                appendArg(out, *n.children[i]);
            }
            break;
        case Node::Type::kField:
            for (const auto& id : n.idents)
                out += "." + id;
            break;
        case Node::Type::kVariable:
            out += n.text;
            for (const auto& id : n.idents)
                out += "." + id;
            break;
        case Node::Type::kChain:
            appendArg(out, *n.pipe);
            for (const auto& id : n.idents)
                out += "." + id;
            break;
        case Node::Type::kDot:
            out += '.';
            break;
        case Node::Type::kNil:
            out += "nil";
            break;
        case Node::Type::kConstant:
        case Node::Type::kIdentifier:
            out += n.text;
            break;
    }
}

}  // namespace

std::string Node::toString() const {
    std::string out;
    appendNode(out, *this);
    return out;
}

std::string ParsedTree::location(std::size_t pos) const {
    std::string_view text = *source;
    if (pos > text.size())
        pos = text.size();
    std::string_view before = text.substr(0, pos);
    std::size_t lastNewline = before.rfind('\n');
    std::size_t col = lastNewline == std::string_view::npos ? pos : pos - (lastNewline + 1);
    std::size_t line = 1;
    for (char c : before)
        if (c == '\n')
            ++line;
    return parseName + ":" + std::to_string(line) + ":" + std::to_string(col);
}

bool isEmptyTree(const Node& list) {
    for (const auto& child : list.children) {
        if (child->type != Node::Type::kText)
            return false;
        for (char c : child->text)
            if (!isSpace(c))
                return false;
    }
    return true;
}

Result<std::vector<std::shared_ptr<ParsedTree>>> parseTemplate(
    std::string_view name, std::string_view text,
    const std::function<bool(std::string_view)>& isFunction, const ParseOptions& options) {
    try {
        Parser parser(name, text, isFunction, options);
        return parser.parse();
    } catch (const ParseError& e) {
        return Status::error(e.what());
    }
}

}  // namespace vigil::gotmpl
