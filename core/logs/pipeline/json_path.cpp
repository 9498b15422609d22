#include "core/logs/pipeline/json_path.h"

#include "core/logs/pipeline/json_value.h"

namespace vigil::logs::pipeline {
namespace {

bool identStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool identChar(char c) {
    return identStart(c) || (c >= '0' && c <= '9');
}

Status unsupported(std::string_view expr, std::size_t pos, std::string_view what) {
    return Status::error("JMESPath expression \"" + std::string(expr) + "\": " + std::string(what) +
                         " (at offset " + std::to_string(pos) +
                         ") is not supported; Vigil supports fields, \"quoted keys\", a.b and "
                         "[index]");
}

}  // namespace

Result<JsonPath> JsonPath::compile(std::string_view e) {
    JsonPath path;
    std::size_t i = 0;
    bool needStep = true;  // at the start or after '.'
    if (e.empty())
        return Status::error("empty JMESPath expression");
    while (i < e.size()) {
        const char c = e[i];
        if (c == ' ' || c == '\t') {
            ++i;
            continue;
        }
        if (c == '[') {
            if (needStep && !path.m_steps.empty())
                return Status::error("JMESPath expression \"" + std::string(e) +
                                     "\": unexpected '[' after '.' at offset " + std::to_string(i));
            std::size_t j = i + 1;
            if (j < e.size() && e[j] == ']')
                return unsupported(e, i, "flatten []");
            if (j < e.size() && e[j] == '*')
                return unsupported(e, i, "wildcard [*]");
            if (j < e.size() && e[j] == '?')
                return unsupported(e, i, "filter [?...]");
            const std::size_t numStart = j;
            if (j < e.size() && e[j] == '-')
                ++j;
            while (j < e.size() && e[j] >= '0' && e[j] <= '9')
                ++j;
            if (j < e.size() && e[j] == ':')
                return unsupported(e, i, "slice [a:b]");
            if (j == numStart || (e[numStart] == '-' && j == numStart + 1) || j >= e.size() ||
                e[j] != ']')
                return unsupported(e, i, "multi-select list [a, b]");
            if (j - numStart > 10)
                return Status::error("JMESPath expression \"" + std::string(e) +
                                     "\": index out of range at offset " + std::to_string(i));
            Step s;
            s.isIndex = true;
            s.index = std::stol(std::string(e.substr(numStart, j - numStart)));
            path.m_steps.push_back(std::move(s));
            i = j + 1;
            needStep = false;
            continue;
        }
        if (c == '.') {
            if (needStep)
                return Status::error("JMESPath expression \"" + std::string(e) +
                                     "\": unexpected '.' at offset " + std::to_string(i));
            needStep = true;
            ++i;
            continue;
        }
        if (!needStep)
            break;  // reported below
        if (c == '"') {
            std::size_t j = i + 1;
            std::string raw = "\"";
            while (j < e.size() && e[j] != '"') {
                if (e[j] == '\\' && j + 1 < e.size())
                    raw.push_back(e[j++]);
                raw.push_back(e[j++]);
            }
            if (j >= e.size())
                return Status::error("JMESPath expression \"" + std::string(e) +
                                     "\": unterminated quoted key at offset " + std::to_string(i));
            raw.push_back('"');
            JsonValue key;
            std::string error;
            if (!parseJson(raw, &key, &error))
                return Status::error("JMESPath expression \"" + std::string(e) +
                                     "\": invalid quoted key at offset " + std::to_string(i) +
                                     ": " + error);
            Step s;
            s.key = key.text;
            path.m_steps.push_back(std::move(s));
            i = j + 1;
            needStep = false;
            continue;
        }
        if (identStart(c)) {
            std::size_t j = i;
            while (j < e.size() && identChar(e[j]))
                ++j;
            std::size_t k = j;
            while (k < e.size() && e[k] == ' ')
                ++k;
            if (k < e.size() && e[k] == '(')
                return unsupported(e, i, "function call " + std::string(e.substr(i, j - i)) + "()");
            Step s;
            s.key = std::string(e.substr(i, j - i));
            path.m_steps.push_back(std::move(s));
            i = j;
            needStep = false;
            continue;
        }
        break;
    }
    if (i < e.size()) {
        const char c = e[i];
        std::string what;
        switch (c) {
            case '*':
                what = "wildcard *";
                break;
            case '|':
                what = e.substr(i, 2) == "||" ? "or expression ||" : "pipe |";
                break;
            case '&':
                what = e.substr(i, 2) == "&&" ? "and expression &&" : "expression reference &";
                break;
            case '!':
                what = "not expression !";
                break;
            case '@':
                what = "current node @";
                break;
            case '{':
                what = "multi-select hash {...}";
                break;
            case '`':
                what = "literal `...`";
                break;
            case '\'':
                what = "raw string literal '...'";
                break;
            case '=':
            case '<':
            case '>':
                what = "comparison";
                break;
            default:
                return Status::error("JMESPath expression \"" + std::string(e) +
                                     "\": unexpected character '" + std::string(1, c) +
                                     "' at offset " + std::to_string(i));
        }
        return unsupported(e, i, what);
    }
    if (needStep)
        return Status::error("JMESPath expression \"" + std::string(e) +
                             "\": expected a field after '.'");
    return path;
}

const JsonValue* JsonPath::evaluate(const JsonValue& root) const {
    const JsonValue* cur = &root;
    for (const Step& s : m_steps) {
        if (s.isIndex) {
            if (cur->kind != JsonValue::Kind::kArray)
                return nullptr;
            long idx = s.index;
            const long n = static_cast<long>(cur->items.size());
            if (idx < 0)
                idx += n;
            if (idx < 0 || idx >= n)
                return nullptr;
            cur = &cur->items[static_cast<std::size_t>(idx)];
        } else {
            if (cur->kind != JsonValue::Kind::kObject)
                return nullptr;
            cur = cur->find(s.key);
            if (!cur)
                return nullptr;
        }
    }
    return cur;
}

}  // namespace vigil::logs::pipeline
