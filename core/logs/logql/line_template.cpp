#include "core/logs/logql/line_template.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <vector>

#include "core/util/go_float.h"

namespace vigil::logql {

namespace {

struct Value {
    enum class Kind { kNil, kString, kNumber, kBool };
    Kind kind = Kind::kNil;
    std::string s;
    double n = 0;
    bool b = false;
    bool isInt = false;

    static Value str(std::string v) {
        Value x;
        x.kind = Kind::kString;
        x.s = std::move(v);
        return x;
    }
    static Value num(double v, bool isInt = false) {
        Value x;
        x.kind = Kind::kNumber;
        x.n = v;
        x.isInt = isInt;
        return x;
    }
    static Value boolean(bool v) {
        Value x;
        x.kind = Kind::kBool;
        x.b = v;
        return x;
    }
    std::string toString() const {
        switch (kind) {
            case Kind::kNil:
                return "";
            case Kind::kString:
                return s;
            case Kind::kBool:
                return b ? "true" : "false";
            case Kind::kNumber:
                if (isInt || (std::floor(n) == n && std::fabs(n) < 1e15))
                    return std::to_string(static_cast<long long>(n));
                return formatFloatG(n);
        }
        return "";
    }
    bool truthy() const {
        switch (kind) {
            case Kind::kNil:
                return false;
            case Kind::kString:
                return !s.empty();
            case Kind::kBool:
                return b;
            case Kind::kNumber:
                return n != 0;
        }
        return false;
    }
    double toNumber() const {
        if (kind == Kind::kNumber)
            return n;
        if (kind == Kind::kBool)
            return b ? 1 : 0;
        if (kind == Kind::kString) {
            char* end = nullptr;
            double v = std::strtod(s.c_str(), &end);
            if (end != s.c_str())
                return v;
        }
        return 0;
    }
};

const std::set<std::string, std::less<>>& knownFunctions() {
    static const std::set<std::string, std::less<>> kFns = {"upper",
                                                            "lower",
                                                            "title",
                                                            "trim",
                                                            "trimSpace",
                                                            "trimAll",
                                                            "trimPrefix",
                                                            "trimSuffix",
                                                            "ToUpper",
                                                            "ToLower",
                                                            "TrimSpace",
                                                            "TrimPrefix",
                                                            "TrimSuffix",
                                                            "Replace",
                                                            "replace",
                                                            "substr",
                                                            "trunc",
                                                            "printf",
                                                            "print",
                                                            "println",
                                                            "default",
                                                            "contains",
                                                            "hasPrefix",
                                                            "hasSuffix",
                                                            "eq",
                                                            "ne",
                                                            "lt",
                                                            "le",
                                                            "gt",
                                                            "ge",
                                                            "and",
                                                            "or",
                                                            "not",
                                                            "len",
                                                            "repeat",
                                                            "add",
                                                            "sub",
                                                            "mul",
                                                            "div",
                                                            "mod",
                                                            "addf",
                                                            "subf",
                                                            "mulf",
                                                            "divf",
                                                            "max",
                                                            "min",
                                                            "maxf",
                                                            "minf",
                                                            "ceil",
                                                            "floor",
                                                            "round",
                                                            "int",
                                                            "float64",
                                                            "regexReplaceAll",
                                                            "regexReplaceAllLiteral",
                                                            "count",
                                                            "alignLeft",
                                                            "alignRight",
                                                            "indent",
                                                            "nindent",
                                                            "__line__",
                                                            "__timestamp__",
                                                            "urlencode",
                                                            "b64enc",
                                                            "unixEpoch",
                                                            "unixEpochMillis",
                                                            "unixEpochNanos",
                                                            "quote",
                                                            "squote",
                                                            "abs"};
    return kFns;
}

}  // namespace

struct LineTemplate::Node {
    enum class Kind { kList, kText, kAction, kIf };
    Kind kind = Kind::kList;
    std::string text;
    // Pipeline: commands, each a list of args.
    struct Arg {
        enum class Kind { kField, kDot, kString, kNumber, kBool, kFunc, kPipe, kNil };
        Kind kind = Kind::kNil;
        std::string text;
        double number = 0;
        bool isInt = false;
        std::shared_ptr<std::vector<std::vector<Arg>>> pipe;
    };
    std::vector<std::vector<Arg>> pipeline;
    std::vector<std::shared_ptr<Node>> children;      // kList / then-branch of kIf
    std::vector<std::shared_ptr<Node>> elseChildren;  // kIf
};

namespace {

using Node = LineTemplate::Node;
using Arg = Node::Arg;
using Pipeline = std::vector<std::vector<Arg>>;

class TemplateParser {
public:
    explicit TemplateParser(std::string_view text) : m_text(text) {}

    Result<std::shared_ptr<Node>> parse() {
        auto root = std::make_shared<Node>();
        std::string end;
        Status s = parseList(root->children, &end, 0);
        if (!s.isOk())
            return s;
        if (!end.empty())
            return Status::error("template: unexpected {{" + end + "}}");
        return root;
    }

private:
    // Parses until EOF or an {{else}}/{{end}} (returned in *terminator).
    Status parseList(std::vector<std::shared_ptr<Node>>& out, std::string* terminator, int depth) {
        terminator->clear();
        while (m_pos < m_text.size()) {
            std::size_t open = m_text.find("{{", m_pos);
            std::string_view lit = m_text.substr(
                m_pos, open == std::string_view::npos ? std::string_view::npos : open - m_pos);
            bool trimLeft = open != std::string_view::npos && open + 2 < m_text.size() &&
                            m_text[open + 2] == '-' &&
                            (open + 3 < m_text.size() &&
                             std::isspace(static_cast<unsigned char>(m_text[open + 3])));
            std::string litText(lit);
            if (m_trimNext) {
                std::size_t k = 0;
                while (k < litText.size() && std::isspace(static_cast<unsigned char>(litText[k])))
                    ++k;
                litText.erase(0, k);
                m_trimNext = false;
            }
            if (trimLeft)
                while (!litText.empty() && std::isspace(static_cast<unsigned char>(litText.back())))
                    litText.pop_back();
            if (!litText.empty()) {
                auto n = std::make_shared<Node>();
                n->kind = Node::Kind::kText;
                n->text = std::move(litText);
                out.push_back(n);
            }
            if (open == std::string_view::npos) {
                m_pos = m_text.size();
                break;
            }
            m_pos = open + 2 + (trimLeft ? 1 : 0);
            // Find the closing braces outside string literals.
            std::size_t close = std::string_view::npos;
            for (std::size_t i = m_pos; i + 1 < m_text.size(); ++i) {
                char c = m_text[i];
                if (c == '"' || c == '`') {
                    char q = c;
                    for (++i; i < m_text.size() && m_text[i] != q; ++i)
                        if (q == '"' && m_text[i] == '\\')
                            ++i;
                    continue;
                }
                if (c == '}' && m_text[i + 1] == '}') {
                    close = i;
                    break;
                }
            }
            if (close == std::string_view::npos)
                return Status::error("template: line_format:1: unclosed action");
            std::string_view inner = m_text.substr(m_pos, close - m_pos);
            m_pos = close + 2;
            if (!inner.empty() && inner.back() == '-' && inner.size() >= 2 &&
                std::isspace(static_cast<unsigned char>(inner[inner.size() - 2]))) {
                inner.remove_suffix(1);
                m_trimNext = true;
            }
            // Trim spaces.
            while (!inner.empty() && std::isspace(static_cast<unsigned char>(inner.front())))
                inner.remove_prefix(1);
            while (!inner.empty() && std::isspace(static_cast<unsigned char>(inner.back())))
                inner.remove_suffix(1);
            if (inner.starts_with("/*"))
                continue;  // comment
            std::string_view word = inner.substr(0, inner.find_first_of(" \t\n"));
            if (word == "end" || word == "else") {
                if (depth == 0)
                    return Status::error("template: unexpected {{" + std::string(word) + "}}");
                *terminator = std::string(word);
                return Status::ok();
            }
            if (word == "if") {
                auto n = std::make_shared<Node>();
                n->kind = Node::Kind::kIf;
                auto p = parsePipeline(inner.substr(2));
                if (!p.isOk())
                    return p.status();
                n->pipeline = std::move(p.value());
                std::string term;
                Status s = parseList(n->children, &term, depth + 1);
                if (!s.isOk())
                    return s;
                if (term == "else") {
                    s = parseList(n->elseChildren, &term, depth + 1);
                    if (!s.isOk())
                        return s;
                }
                if (term != "end")
                    return Status::error("template: unexpected EOF");
                out.push_back(n);
                continue;
            }
            if (word == "range" || word == "with" || word == "define" || word == "block" ||
                word == "template")
                return Status::error("template: {{" + std::string(word) +
                                     "}} is not supported by Vigil's line_format");
            auto p = parsePipeline(inner);
            if (!p.isOk())
                return p.status();
            auto n = std::make_shared<Node>();
            n->kind = Node::Kind::kAction;
            n->pipeline = std::move(p.value());
            out.push_back(n);
        }
        if (depth > 0)
            return Status::error("template: unexpected EOF");
        return Status::ok();
    }

    static Result<std::string> unquote(std::string_view s, std::size_t* consumed) {
        std::string out;
        char q = s[0];
        std::size_t i = 1;
        for (; i < s.size() && s[i] != q; ++i) {
            char c = s[i];
            if (q == '"' && c == '\\' && i + 1 < s.size()) {
                char e = s[++i];
                switch (e) {
                    case 'n':
                        out += '\n';
                        break;
                    case 't':
                        out += '\t';
                        break;
                    case 'r':
                        out += '\r';
                        break;
                    case '\\':
                        out += '\\';
                        break;
                    case '"':
                        out += '"';
                        break;
                    case 'a':
                        out += '\a';
                        break;
                    case 'b':
                        out += '\b';
                        break;
                    case 'f':
                        out += '\f';
                        break;
                    case 'v':
                        out += '\v';
                        break;
                    case 'x': {
                        if (i + 2 >= s.size())
                            return Status::error("template: bad \\x escape");
                        out += static_cast<char>(
                            std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
                        i += 2;
                        break;
                    }
                    default:
                        return Status::error(std::string("template: unknown escape \\") + e);
                }
            } else {
                out += c;
            }
        }
        if (i >= s.size())
            return Status::error("template: unterminated quoted string");
        *consumed = i + 1;
        return out;
    }

    Result<Pipeline> parsePipeline(std::string_view s) {
        Pipeline pipe;
        std::vector<Arg> cmd;
        std::size_t i = 0;
        while (true) {
            while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
                ++i;
            if (i >= s.size())
                break;
            char c = s[i];
            Arg a;
            if (c == '|') {
                if (cmd.empty())
                    return Status::error("template: missing command before |");
                pipe.push_back(std::move(cmd));
                cmd.clear();
                ++i;
                continue;
            }
            if (c == '"' || c == '`') {
                std::size_t used = 0;
                auto u = unquote(s.substr(i), &used);
                if (!u.isOk())
                    return u.status();
                a.kind = Arg::Kind::kString;
                a.text = u.value();
                i += used;
            } else if (c == '(') {
                int depth = 0;
                std::size_t j = i;
                for (; j < s.size(); ++j) {
                    if (s[j] == '"' || s[j] == '`') {
                        char q = s[j];
                        for (++j; j < s.size() && s[j] != q; ++j)
                            if (q == '"' && s[j] == '\\')
                                ++j;
                        continue;
                    }
                    if (s[j] == '(')
                        ++depth;
                    if (s[j] == ')' && --depth == 0)
                        break;
                }
                if (j >= s.size())
                    return Status::error("template: unclosed left paren");
                auto sub = parsePipeline(s.substr(i + 1, j - i - 1));
                if (!sub.isOk())
                    return sub.status();
                a.kind = Arg::Kind::kPipe;
                a.pipe = std::make_shared<Pipeline>(std::move(sub.value()));
                i = j + 1;
            } else if (c == '.') {
                std::size_t j = i + 1;
                while (j < s.size() &&
                       (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_'))
                    ++j;
                if (j == i + 1) {
                    a.kind = Arg::Kind::kDot;
                } else {
                    a.kind = Arg::Kind::kField;
                    a.text = std::string(s.substr(i + 1, j - i - 1));
                }
                i = j;
            } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+') {
                std::size_t j = i + 1;
                while (j < s.size() &&
                       (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.'))
                    ++j;
                std::string num(s.substr(i, j - i));
                char* end = nullptr;
                a.number = std::strtod(num.c_str(), &end);
                if (end != num.c_str() + num.size())
                    return Status::error("template: bad number syntax: \"" + num + "\"");
                a.isInt = num.find_first_of(".eE") == std::string::npos;
                a.kind = Arg::Kind::kNumber;
                i = j;
            } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                std::size_t j = i;
                while (j < s.size() &&
                       (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_'))
                    ++j;
                std::string word(s.substr(i, j - i));
                i = j;
                if (word == "true" || word == "false") {
                    a.kind = Arg::Kind::kBool;
                    a.number = word == "true";
                } else if (word == "nil") {
                    a.kind = Arg::Kind::kNil;
                } else {
                    if (!knownFunctions().contains(word))
                        return Status::error("template: line_format:1: function \"" + word +
                                             "\" not defined");
                    a.kind = Arg::Kind::kFunc;
                    a.text = std::move(word);
                }
            } else {
                return Status::error(std::string("template: unexpected \"") + c + "\" in command");
            }
            cmd.push_back(std::move(a));
        }
        if (cmd.empty())
            return Status::error("template: missing value for command");
        pipe.push_back(std::move(cmd));
        return pipe;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    bool m_trimNext = false;
};

std::string goPrintf(const std::string& format, const std::vector<Value>& args) {
    std::string out;
    std::size_t argi = 0;
    for (std::size_t i = 0; i < format.size(); ++i) {
        char c = format[i];
        if (c != '%') {
            out += c;
            continue;
        }
        if (i + 1 < format.size() && format[i + 1] == '%') {
            out += '%';
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        while (j < format.size() && std::strchr("+-# 0123456789.", format[j]))
            ++j;
        if (j >= format.size()) {
            out += "%!(NOVERB)";
            break;
        }
        std::string flags = format.substr(i + 1, j - i - 1);
        char verb = format[j];
        i = j;
        if (argi >= args.size()) {
            out += std::string("%!") + verb + "(MISSING)";
            continue;
        }
        const Value& v = args[argi++];
        char buf[512];
        switch (verb) {
            case 'd':
                std::snprintf(buf, sizeof buf, ("%" + flags + "lld").c_str(),
                              static_cast<long long>(v.toNumber()));
                out += buf;
                break;
            case 'f':
            case 'e':
            case 'g':
                std::snprintf(buf, sizeof buf, ("%" + flags + verb).c_str(), v.toNumber());
                out += buf;
                break;
            case 'x':
                if (v.kind == Value::Kind::kNumber) {
                    std::snprintf(buf, sizeof buf, ("%" + flags + "llx").c_str(),
                                  static_cast<long long>(v.n));
                    out += buf;
                } else {
                    for (unsigned char ch : v.toString()) {
                        std::snprintf(buf, sizeof buf, "%02x", ch);
                        out += buf;
                    }
                }
                break;
            case 'q':
                out += '"' + v.toString() + '"';
                break;
            default: {
                std::string s = v.toString();
                std::snprintf(buf, sizeof buf, ("%" + flags + "s").c_str(), s.c_str());
                out += s.size() < 400 ? std::string(buf) : s;
                break;
            }
        }
    }
    return out;
}

std::string replaceAll(std::string s, std::string_view from, std::string_view to, long n = -1) {
    if (from.empty())
        return s;
    std::size_t pos = 0;
    while (n != 0 && (pos = s.find(from, pos)) != std::string::npos) {
        s.replace(pos, from.size(), to);
        pos += to.size();
        if (n > 0)
            --n;
    }
    return s;
}

std::string trimChars(std::string s, std::string_view cut) {
    std::size_t a = s.find_first_not_of(cut);
    if (a == std::string::npos)
        return "";
    std::size_t b = s.find_last_not_of(cut);
    return s.substr(a, b - a + 1);
}

class Evaluator {
public:
    explicit Evaluator(const LineTemplate::Context& ctx) : m_ctx(ctx) {}

    Result<Value> evalPipeline(const Pipeline& pipe) {
        Value piped;
        bool hasPiped = false;
        for (const auto& cmd : pipe) {
            auto v = evalCommand(cmd, hasPiped ? &piped : nullptr);
            if (!v.isOk())
                return v;
            piped = std::move(v.value());
            hasPiped = true;
        }
        return piped;
    }

private:
    Result<Value> evalArg(const Arg& a) {
        switch (a.kind) {
            case Arg::Kind::kField: {
                auto v = m_ctx.label(a.text);
                if (!v)
                    return Value();  // missing map key renders "<no value>"? Loki: ""
                return Value::str(std::string(*v));
            }
            case Arg::Kind::kDot:
                return Value::str("map[]");
            case Arg::Kind::kString:
                return Value::str(a.text);
            case Arg::Kind::kNumber:
                return Value::num(a.number, a.isInt);
            case Arg::Kind::kBool:
                return Value::boolean(a.number != 0);
            case Arg::Kind::kNil:
                return Value();
            case Arg::Kind::kPipe:
                return evalPipeline(*a.pipe);
            case Arg::Kind::kFunc: {
                std::vector<Value> none;
                return call(a.text, none);
            }
        }
        return Value();
    }

    Result<Value> evalCommand(const std::vector<Arg>& cmd, const Value* piped) {
        if (cmd[0].kind != Arg::Kind::kFunc) {
            if (cmd.size() > 1 || piped)
                return Status::error("template: can't give argument to non-function");
            return evalArg(cmd[0]);
        }
        std::vector<Value> args;
        for (std::size_t i = 1; i < cmd.size(); ++i) {
            auto v = evalArg(cmd[i]);
            if (!v.isOk())
                return v;
            args.push_back(std::move(v.value()));
        }
        if (piped)
            args.push_back(*piped);
        return call(cmd[0].text, args);
    }

    Result<Value> call(const std::string& fn, std::vector<Value>& a) {
        auto need = [&](std::size_t n) -> Status {
            if (a.size() != n)
                return Status::error("template: wrong number of args for " + fn + ": want " +
                                     std::to_string(n) + " got " + std::to_string(a.size()));
            return Status::ok();
        };
        auto S = [&](std::size_t i) { return a[i].toString(); };
        auto N = [&](std::size_t i) { return a[i].toNumber(); };
#define NEED(n)               \
    do {                      \
        Status st_ = need(n); \
        if (!st_.isOk())      \
            return st_;       \
    } while (0)
        if (fn == "__line__")
            return Value::str(std::string(m_ctx.line));
        if (fn == "__timestamp__" || fn == "unixEpochNanos")
            return Value::num(static_cast<double>(m_ctx.tsNs), true);
        if (fn == "upper" || fn == "ToUpper") {
            NEED(1);
            std::string s = S(0);
            for (char& c : s)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            return Value::str(s);
        }
        if (fn == "lower" || fn == "ToLower") {
            NEED(1);
            std::string s = S(0);
            for (char& c : s)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return Value::str(s);
        }
        if (fn == "title") {
            NEED(1);
            std::string s = S(0);
            bool start = true;
            for (char& c : s) {
                if (start && std::isalpha(static_cast<unsigned char>(c)))
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                start = std::isspace(static_cast<unsigned char>(c));
            }
            return Value::str(s);
        }
        if (fn == "trim" || fn == "trimSpace" || fn == "TrimSpace") {
            NEED(1);
            return Value::str(trimChars(S(0), " \t\n\r\v\f"));
        }
        if (fn == "trimAll") {
            NEED(2);
            return Value::str(trimChars(S(1), S(0)));
        }
        if (fn == "trimPrefix" || fn == "TrimPrefix") {
            NEED(2);
            std::string pre = fn == "trimPrefix" ? S(0) : S(1);
            std::string s = fn == "trimPrefix" ? S(1) : S(0);
            if (s.starts_with(pre))
                s.erase(0, pre.size());
            return Value::str(s);
        }
        if (fn == "trimSuffix" || fn == "TrimSuffix") {
            NEED(2);
            std::string suf = fn == "trimSuffix" ? S(0) : S(1);
            std::string s = fn == "trimSuffix" ? S(1) : S(0);
            if (s.ends_with(suf))
                s.erase(s.size() - suf.size());
            return Value::str(s);
        }
        if (fn == "replace") {
            NEED(3);
            return Value::str(replaceAll(S(2), S(0), S(1)));
        }
        if (fn == "Replace") {
            NEED(4);
            return Value::str(replaceAll(S(0), S(1), S(2), static_cast<long>(N(3))));
        }
        if (fn == "substr") {
            NEED(3);
            std::string s = S(2);
            long start = static_cast<long>(N(0)), end = static_cast<long>(N(1));
            long len = static_cast<long>(s.size());
            if (start < 0)
                start = 0;
            if (end < 0 || end > len)
                end = len;
            if (start > end)
                return Value::str("");
            return Value::str(
                s.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)));
        }
        if (fn == "trunc") {
            NEED(2);
            std::string s = S(1);
            long n = static_cast<long>(N(0));
            long len = static_cast<long>(s.size());
            if (n >= 0 && n < len)
                return Value::str(s.substr(0, static_cast<std::size_t>(n)));
            if (n < 0 && -n < len)
                return Value::str(s.substr(static_cast<std::size_t>(len + n)));
            return Value::str(s);
        }
        if (fn == "printf") {
            if (a.empty())
                return Status::error("template: printf needs a format");
            std::vector<Value> rest(a.begin() + 1, a.end());
            return Value::str(goPrintf(S(0), rest));
        }
        if (fn == "print" || fn == "println") {
            std::string out;
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (i > 0 && (fn == "println" || (a[i].kind != Value::Kind::kString &&
                                                  a[i - 1].kind != Value::Kind::kString)))
                    out += ' ';
                out += S(i);
            }
            if (fn == "println")
                out += '\n';
            return Value::str(out);
        }
        if (fn == "default") {
            NEED(2);
            return a[1].truthy() ? a[1] : a[0];
        }
        if (fn == "contains") {
            NEED(2);
            return Value::boolean(S(1).find(S(0)) != std::string::npos);
        }
        if (fn == "hasPrefix") {
            NEED(2);
            return Value::boolean(S(1).starts_with(S(0)));
        }
        if (fn == "hasSuffix") {
            NEED(2);
            return Value::boolean(S(1).ends_with(S(0)));
        }
        if (fn == "eq" || fn == "ne" || fn == "lt" || fn == "le" || fn == "gt" || fn == "ge") {
            if (a.size() < 2)
                return Status::error("template: missing argument for comparison");
            int cmp;
            if (a[0].kind == Value::Kind::kNumber && a[1].kind == Value::Kind::kNumber)
                cmp = a[0].n < a[1].n ? -1 : a[0].n > a[1].n ? 1 : 0;
            else
                cmp = S(0).compare(S(1));
            if (fn == "eq") {
                for (std::size_t i = 1; i < a.size(); ++i)
                    if (S(0) == S(i))
                        return Value::boolean(true);
                return Value::boolean(false);
            }
            if (fn == "ne")
                return Value::boolean(cmp != 0);
            if (fn == "lt")
                return Value::boolean(cmp < 0);
            if (fn == "le")
                return Value::boolean(cmp <= 0);
            if (fn == "gt")
                return Value::boolean(cmp > 0);
            return Value::boolean(cmp >= 0);
        }
        if (fn == "and") {
            for (auto& v : a)
                if (!v.truthy())
                    return v;
            return a.empty() ? Value() : a.back();
        }
        if (fn == "or") {
            for (auto& v : a)
                if (v.truthy())
                    return v;
            return a.empty() ? Value() : a.back();
        }
        if (fn == "not") {
            NEED(1);
            return Value::boolean(!a[0].truthy());
        }
        if (fn == "len") {
            NEED(1);
            return Value::num(static_cast<double>(S(0).size()), true);
        }
        if (fn == "repeat") {
            NEED(2);
            std::string out;
            for (long i = 0; i < static_cast<long>(N(0)); ++i)
                out += S(1);
            return Value::str(out);
        }
        if (fn == "quote" || fn == "squote") {
            char q = fn == "quote" ? '"' : '\'';
            std::string out;
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (i)
                    out += ' ';
                out += q + S(i) + q;
            }
            return Value::str(out);
        }
        if (fn == "add" || fn == "sub" || fn == "mul" || fn == "div" || fn == "mod" ||
            fn == "max" || fn == "min") {
            if (a.empty())
                return Status::error("template: " + fn + " needs arguments");
            long long acc = static_cast<long long>(N(0));
            for (std::size_t i = 1; i < a.size(); ++i) {
                long long v = static_cast<long long>(N(i));
                if (fn == "add")
                    acc += v;
                if (fn == "sub")
                    acc -= v;
                if (fn == "mul")
                    acc *= v;
                if (fn == "div" || fn == "mod") {
                    if (v == 0)
                        return Status::error("template: integer divide by zero");
                    acc = fn == "div" ? acc / v : acc % v;
                }
                if (fn == "max")
                    acc = std::max(acc, v);
                if (fn == "min")
                    acc = std::min(acc, v);
            }
            return Value::num(static_cast<double>(acc), true);
        }
        if (fn == "addf" || fn == "subf" || fn == "mulf" || fn == "divf" || fn == "maxf" ||
            fn == "minf") {
            if (a.empty())
                return Status::error("template: " + fn + " needs arguments");
            double acc = N(0);
            for (std::size_t i = 1; i < a.size(); ++i) {
                double v = N(i);
                if (fn == "addf")
                    acc += v;
                if (fn == "subf")
                    acc -= v;
                if (fn == "mulf")
                    acc *= v;
                if (fn == "divf")
                    acc /= v;
                if (fn == "maxf")
                    acc = std::max(acc, v);
                if (fn == "minf")
                    acc = std::min(acc, v);
            }
            return Value::num(acc);
        }
        if (fn == "ceil" || fn == "floor" || fn == "abs") {
            NEED(1);
            double v = N(0);
            return Value::num(fn == "ceil"    ? std::ceil(v)
                              : fn == "floor" ? std::floor(v)
                                              : std::fabs(v));
        }
        if (fn == "round") {
            if (a.size() < 2)
                return Status::error("template: round needs 2 arguments");
            double p = std::pow(10.0, N(1));
            return Value::num(std::round(N(0) * p) / p);
        }
        if (fn == "int") {
            NEED(1);
            return Value::num(std::trunc(N(0)), true);
        }
        if (fn == "float64") {
            NEED(1);
            return Value::num(N(0));
        }
        if (fn == "regexReplaceAll" || fn == "regexReplaceAllLiteral") {
            NEED(3);
            RE2 re(S(0));
            if (!re.ok())
                return Status::error("template: " + re.error());
            std::string s = S(1);
            std::string repl = S(2);
            if (fn == "regexReplaceAll") {
                // Go's $1 / ${name} to RE2's \1.
                std::string r;
                for (std::size_t i = 0; i < repl.size(); ++i) {
                    if (repl[i] == '$' && i + 1 < repl.size() &&
                        std::isdigit(static_cast<unsigned char>(repl[i + 1]))) {
                        r += '\\';
                        r += repl[++i];
                    } else if (repl[i] == '\\') {
                        r += "\\\\";
                    } else {
                        r += repl[i];
                    }
                }
                repl = r;
            } else {
                repl = replaceAll(repl, "\\", "\\\\");
            }
            RE2::GlobalReplace(&s, re, repl);
            return Value::str(s);
        }
        if (fn == "count") {
            NEED(2);
            RE2 re(S(0));
            if (!re.ok())
                return Status::error("template: " + re.error());
            std::string s = S(1);
            re2::StringPiece in(s);
            long n = 0;
            while (RE2::FindAndConsume(&in, re))
                ++n;
            return Value::num(static_cast<double>(n), true);
        }
        if (fn == "alignLeft" || fn == "alignRight") {
            NEED(2);
            std::size_t n = static_cast<std::size_t>(std::max(0.0, N(0)));
            std::string s = S(1);
            if (s.size() >= n)
                return Value::str(s.substr(0, n));
            std::string pad(n - s.size(), ' ');
            return Value::str(fn == "alignLeft" ? s + pad : pad + s);
        }
        if (fn == "indent" || fn == "nindent") {
            NEED(2);
            std::string pad(static_cast<std::size_t>(std::max(0.0, N(0))), ' ');
            std::string out = pad + replaceAll(S(1), "\n", "\n" + pad);
            return Value::str(fn == "nindent" ? "\n" + out : out);
        }
        if (fn == "unixEpoch")
            return Value::num(static_cast<double>(m_ctx.tsNs / 1000000000), true);
        if (fn == "unixEpochMillis")
            return Value::num(static_cast<double>(m_ctx.tsNs / 1000000), true);
        if (fn == "urlencode") {
            NEED(1);
            std::string out;
            for (unsigned char c : S(0)) {
                if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                    out += static_cast<char>(c);
                } else if (c == ' ') {
                    out += '+';
                } else {
                    char buf[4];
                    std::snprintf(buf, sizeof buf, "%%%02X", c);
                    out += buf;
                }
            }
            return Value::str(out);
        }
        if (fn == "b64enc") {
            NEED(1);
            static const char* kAlphabet =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            std::string in = S(0), out;
            std::size_t i = 0;
            for (; i + 2 < in.size(); i += 3) {
                unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                             (static_cast<unsigned char>(in[i + 1]) << 8) |
                             static_cast<unsigned char>(in[i + 2]);
                out += kAlphabet[(v >> 18) & 63];
                out += kAlphabet[(v >> 12) & 63];
                out += kAlphabet[(v >> 6) & 63];
                out += kAlphabet[v & 63];
            }
            if (i < in.size()) {
                unsigned v = static_cast<unsigned char>(in[i]) << 16;
                if (i + 1 < in.size())
                    v |= static_cast<unsigned char>(in[i + 1]) << 8;
                out += kAlphabet[(v >> 18) & 63];
                out += kAlphabet[(v >> 12) & 63];
                out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
                out += '=';
            }
            return Value::str(out);
        }
#undef NEED
        return Status::error("template: function \"" + fn + "\" not defined");
    }

    const LineTemplate::Context& m_ctx;
};

Status renderNodes(const std::vector<std::shared_ptr<Node>>& nodes, Evaluator& ev,
                   std::string& out) {
    for (const auto& n : nodes) {
        switch (n->kind) {
            case Node::Kind::kText:
                out += n->text;
                break;
            case Node::Kind::kAction: {
                auto v = ev.evalPipeline(n->pipeline);
                if (!v.isOk())
                    return v.status();
                out += v.value().toString();
                break;
            }
            case Node::Kind::kIf: {
                auto v = ev.evalPipeline(n->pipeline);
                if (!v.isOk())
                    return v.status();
                Status s = renderNodes(v.value().truthy() ? n->children : n->elseChildren, ev, out);
                if (!s.isOk())
                    return s;
                break;
            }
            case Node::Kind::kList: {
                Status s = renderNodes(n->children, ev, out);
                if (!s.isOk())
                    return s;
                break;
            }
        }
    }
    return Status::ok();
}

}  // namespace

Result<LineTemplate> LineTemplate::compile(std::string_view text) {
    TemplateParser parser(text);
    auto root = parser.parse();
    if (!root.isOk())
        return root.status();
    LineTemplate t;
    t.m_text = std::string(text);
    t.m_root = root.value();
    return t;
}

Result<std::string> LineTemplate::render(const Context& context) const {
    Evaluator ev(context);
    std::string out;
    Status s = renderNodes(m_root->children, ev, out);
    if (!s.isOk())
        return s;
    return out;
}

}  // namespace vigil::logql
