#include "core/logs/logql/template_check.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

namespace vigil::logql {

namespace {

// Go's text/template builtins plus the functions Loki registers for
// line_format / label_format (pkg/logql/log/fmt.go).
constexpr std::string_view kFunctions[] = {
    "and",
    "call",
    "html",
    "index",
    "slice",
    "js",
    "len",
    "not",
    "or",
    "print",
    "printf",
    "println",
    "urlquery",
    "eq",
    "ge",
    "gt",
    "le",
    "lt",
    "ne",
    "__line__",
    "__timestamp__",
    "b64enc",
    "b64dec",
    "lower",
    "upper",
    "title",
    "trunc",
    "substr",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "indent",
    "nindent",
    "replace",
    "repeat",
    "trim",
    "trimAll",
    "trimSuffix",
    "trimPrefix",
    "int",
    "float64",
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
    "fromJson",
    "date",
    "toDate",
    "toDateInZone",
    "now",
    "unixEpoch",
    "unixEpochMillis",
    "unixEpochNanos",
    "unixToTime",
    "default",
    "urlencode",
    "urldecode",
    "regexReplaceAll",
    "regexReplaceAllLiteral",
    "count",
    "alignLeft",
    "alignRight",
    "duration",
    "duration_seconds",
    "bytes",
    "ToLower",
    "ToUpper",
    "Replace",
    "Trim",
    "TrimLeft",
    "TrimRight",
    "TrimPrefix",
    "TrimSuffix",
    "TrimSpace",
};

constexpr std::string_view kValueKeywords[] = {
    "nil", "true", "false", "else", "end", "break", "continue", "template",
};

bool isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isIdentChar(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9');
}

bool isFunction(std::string_view name) {
    return std::find(std::begin(kFunctions), std::end(kFunctions), name) != std::end(kFunctions);
}

Status fail(std::size_t at, const std::string& message) {
    return Status::error("template: " + message + " at offset " + std::to_string(at));
}

}  // namespace

Status checkTemplate(std::string_view t) {
    std::vector<std::string> blocks;  // open if/range/with/define/block
    std::size_t pos = 0;
    while (true) {
        const std::size_t open = t.find("{{", pos);
        if (open == std::string_view::npos)
            break;
        std::size_t i = open + 2;
        if (i + 1 < t.size() && t[i] == '-' &&
            (t[i + 1] == ' ' || t[i + 1] == '\t' || t[i + 1] == '\n'))
            i += 1;
        // A comment is a whole action: {{/* ... */}}.
        std::size_t ws = i;
        while (ws < t.size() && (t[ws] == ' ' || t[ws] == '\t' || t[ws] == '\n'))
            ++ws;
        if (t.substr(ws, 2) == "/*") {
            const std::size_t close = t.find("*/", ws + 2);
            if (close == std::string_view::npos)
                return fail(open, "unclosed comment");
            std::size_t k = close + 2;
            while (k < t.size() && (t[k] == ' ' || t[k] == '\t' || t[k] == '\n' || t[k] == '-'))
                ++k;
            if (t.substr(k, 2) != "}}")
                return fail(close, "comment ends before closing delimiter");
            pos = k + 2;
            continue;
        }
        int depth = 0;
        int words = 0;
        std::string first;
        bool closed = false;
        while (i < t.size()) {
            const char c = t[i];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++i;
                continue;
            }
            if (c == '-' && t.substr(i, 3) == "-}}" && i > 0 &&
                (t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\n')) {
                i += 1;
                continue;
            }
            if (t.substr(i, 2) == "}}") {
                if (depth > 0)
                    return fail(i, "unclosed left paren");
                closed = true;
                i += 2;
                break;
            }
            if (c == '"' || c == '\'' || c == '`') {
                const std::size_t start = i++;
                while (i < t.size() && t[i] != c) {
                    if (c != '`' && t[i] == '\\')
                        ++i;
                    else if (c != '`' && t[i] == '\n')
                        return fail(start, "unterminated quoted string");
                    ++i;
                }
                if (i >= t.size())
                    return fail(start, "unterminated quoted string");
                ++i;
                ++words;
                continue;
            }
            if (c == '(') {
                ++depth;
                ++i;
                continue;
            }
            if (c == ')') {
                if (depth == 0)
                    return fail(i, "unexpected right paren");
                --depth;
                ++i;
                continue;
            }
            if (c == '|' || c == ',' || c == '=') {
                ++i;
                continue;
            }
            if (c == ':' && i + 1 < t.size() && t[i + 1] == '=') {
                i += 2;
                continue;
            }
            if (c == '.' || c == '$') {
                ++i;
                while (i < t.size() && (isIdentChar(t[i]) || t[i] == '.'))
                    ++i;
                ++words;
                continue;
            }
            if ((c >= '0' && c <= '9') || ((c == '-' || c == '+') && i + 1 < t.size() &&
                                           t[i + 1] >= '0' && t[i + 1] <= '9')) {
                ++i;
                while (i < t.size() &&
                       (isIdentChar(t[i]) || t[i] == '.' || t[i] == '+' || t[i] == '-'))
                    ++i;
                ++words;
                continue;
            }
            if (isIdentStart(c)) {
                const std::size_t start = i;
                while (i < t.size() && isIdentChar(t[i]))
                    ++i;
                const std::string word(t.substr(start, i - start));
                if (words == 0)
                    first = word;
                ++words;
                if (word == "if" || word == "range" || word == "with" || word == "define" ||
                    word == "block") {
                    const bool afterElse =
                        words == 2 && first == "else" && (word == "if" || word == "with");
                    if (words != 1 && !afterElse)
                        return fail(start, "unexpected keyword " + word);
                    continue;
                }
                if (std::find(std::begin(kValueKeywords), std::end(kValueKeywords), word) !=
                    std::end(kValueKeywords))
                    continue;
                if (!isFunction(word))
                    return fail(start, "function \"" + word + "\" not defined");
                // Field access on a function result, e.g. `now.Unix`.
                while (i < t.size() && t[i] == '.' && i + 1 < t.size() && isIdentStart(t[i + 1])) {
                    ++i;
                    while (i < t.size() && isIdentChar(t[i]))
                        ++i;
                }
                continue;
            }
            return fail(i, std::string("unexpected \"") + c + "\" in action");
        }
        if (!closed)
            return fail(open, "unclosed action");
        if (words == 0)
            return fail(open, "missing value for command");
        if (first == "if" || first == "range" || first == "with" || first == "define" ||
            first == "block") {
            blocks.push_back(first);
        } else if (first == "end") {
            if (blocks.empty())
                return fail(open, "unexpected {{end}}");
            blocks.pop_back();
        } else if (first == "else") {
            if (blocks.empty() || blocks.back() == "define")
                return fail(open, "unexpected {{else}}");
        } else if ((first == "break" || first == "continue") &&
                   std::find(blocks.begin(), blocks.end(), "range") == blocks.end()) {
            return fail(open, "{{" + first + "}} outside {{range}}");
        }
        pos = i;
    }
    if (!blocks.empty())
        return fail(t.size(), "unexpected EOF: {{" + blocks.back() + "}} not closed");
    return Status::ok();
}

}  // namespace vigil::logql
