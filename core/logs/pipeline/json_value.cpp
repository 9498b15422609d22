#include "core/logs/pipeline/json_value.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/promql/result_json.h"
#include "core/util/go_float.h"
#include "core/util/utf8.h"

namespace vigil::logs::pipeline {
namespace {

constexpr int kMaxDepth = 512;

class Reader {
public:
    explicit Reader(std::string_view s) : m_s(s) {}

    bool document(JsonValue* out, std::string* error) {
        skipSpace();
        if (!value(out, 0)) {
            *error = m_error;
            return false;
        }
        skipSpace();
        if (m_pos != m_s.size()) {
            fail("invalid character after top-level value");
            *error = m_error;
            return false;
        }
        return true;
    }

private:
    bool fail(std::string_view what) {
        if (m_error.empty())
            m_error = std::string(what) + " at offset " + std::to_string(m_pos);
        return false;
    }
    void skipSpace() {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' ||
                                      m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
    }
    bool value(JsonValue* out, int depth) {
        if (depth > kMaxDepth)
            return fail("exceeded max depth");
        if (m_pos >= m_s.size())
            return fail("unexpected end of JSON input");
        const char c = m_s[m_pos];
        if (c == '{')
            return object(out, depth);
        if (c == '[')
            return array(out, depth);
        if (c == '"') {
            out->kind = JsonValue::Kind::kString;
            return string(&out->text);
        }
        if (c == 't')
            return literal("true", out, JsonValue::Kind::kBool, true);
        if (c == 'f')
            return literal("false", out, JsonValue::Kind::kBool, false);
        if (c == 'n')
            return literal("null", out, JsonValue::Kind::kNull, false);
        if (c == '-' || (c >= '0' && c <= '9'))
            return number(out);
        return fail(std::string("invalid character '") + c + "' looking for beginning of value");
    }
    bool literal(std::string_view word, JsonValue* out, JsonValue::Kind kind, bool b) {
        if (m_s.substr(m_pos, word.size()) != word)
            return fail("invalid literal");
        m_pos += word.size();
        out->kind = kind;
        out->boolean = b;
        return true;
    }
    bool number(JsonValue* out) {
        const std::size_t start = m_pos;
        if (m_s[m_pos] == '-')
            ++m_pos;
        auto digits = [&] {
            const std::size_t d = m_pos;
            while (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9')
                ++m_pos;
            return m_pos > d;
        };
        if (m_pos < m_s.size() && m_s[m_pos] == '0')
            ++m_pos;
        else if (!digits())
            return fail("invalid number");
        if (m_pos < m_s.size() && m_s[m_pos] == '.') {
            ++m_pos;
            if (!digits())
                return fail("invalid number");
        }
        if (m_pos < m_s.size() && (m_s[m_pos] == 'e' || m_s[m_pos] == 'E')) {
            ++m_pos;
            if (m_pos < m_s.size() && (m_s[m_pos] == '+' || m_s[m_pos] == '-'))
                ++m_pos;
            if (!digits())
                return fail("invalid number");
        }
        out->kind = JsonValue::Kind::kNumber;
        out->text.assign(m_s.substr(start, m_pos - start));
        return true;
    }
    bool string(std::string* out) {
        ++m_pos;  // opening quote
        out->clear();
        for (;;) {
            const std::size_t run = m_pos;
            while (m_pos < m_s.size() && m_s[m_pos] != '"' && m_s[m_pos] != '\\' &&
                   static_cast<unsigned char>(m_s[m_pos]) >= 0x20)
                ++m_pos;
            out->append(m_s.substr(run, m_pos - run));
            if (m_pos >= m_s.size())
                return fail("unexpected end of JSON input");
            const char c = m_s[m_pos];
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (c != '\\')
                return fail("invalid character in string literal");
            if (++m_pos >= m_s.size())
                return fail("unexpected end of JSON input");
            if (!decodeJsonEscape(m_s, m_pos, *out))
                return fail(m_s[m_pos] == 'u' ? "invalid \\u escape"
                                              : "invalid escape in string literal");
        }
    }
    bool object(JsonValue* out, int depth) {
        ++m_pos;
        out->kind = JsonValue::Kind::kObject;
        skipSpace();
        if (m_pos < m_s.size() && m_s[m_pos] == '}') {
            ++m_pos;
            return true;
        }
        for (;;) {
            skipSpace();
            if (m_pos >= m_s.size() || m_s[m_pos] != '"')
                return fail("expected object key");
            std::string key;
            if (!string(&key))
                return false;
            skipSpace();
            if (m_pos >= m_s.size() || m_s[m_pos] != ':')
                return fail("expected ':' after object key");
            ++m_pos;
            skipSpace();
            JsonValue v;
            if (!value(&v, depth + 1))
                return false;
            out->members.emplace_back(std::move(key), std::move(v));
            skipSpace();
            if (m_pos < m_s.size() && m_s[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_s.size() && m_s[m_pos] == '}') {
                ++m_pos;
                return true;
            }
            return fail("expected ',' or '}' after object value");
        }
    }
    bool array(JsonValue* out, int depth) {
        ++m_pos;
        out->kind = JsonValue::Kind::kArray;
        skipSpace();
        if (m_pos < m_s.size() && m_s[m_pos] == ']') {
            ++m_pos;
            return true;
        }
        for (;;) {
            skipSpace();
            JsonValue v;
            if (!value(&v, depth + 1))
                return false;
            out->items.push_back(std::move(v));
            skipSpace();
            if (m_pos < m_s.size() && m_s[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_s.size() && m_s[m_pos] == ']') {
                ++m_pos;
                return true;
            }
            return fail("expected ',' or ']' after array element");
        }
    }

    std::string_view m_s;
    std::size_t m_pos = 0;
    std::string m_error;
};

// Go's encoding/json float64 form: 'f' in [1e-6, 1e21), 'e' outside, with a
// two-digit exponent at least ("1e+21", "1e-07").
void appendGoJsonNumber(std::string& out, const std::string& text) {
    const double v = std::strtod(text.c_str(), nullptr);
    const double a = std::fabs(v);
    if (a == 0 || (a >= 1e-6 && a < 1e21)) {
        appendFloatF(out, v);
        return;
    }
    std::string g = formatFloatG(v);  // shortest 'e' form, e.g. "1e+21"
    out += g;
}

void appendJson(std::string& out, const JsonValue& v) {
    switch (v.kind) {
        case JsonValue::Kind::kNull:
            out += "null";
            break;
        case JsonValue::Kind::kBool:
            out += v.boolean ? "true" : "false";
            break;
        case JsonValue::Kind::kNumber:
            appendGoJsonNumber(out, v.text);
            break;
        case JsonValue::Kind::kString:
            promql::appendJsonString(out, v.text);
            break;
        case JsonValue::Kind::kArray: {
            out.push_back('[');
            for (std::size_t i = 0; i < v.items.size(); ++i) {
                if (i)
                    out.push_back(',');
                appendJson(out, v.items[i]);
            }
            out.push_back(']');
            break;
        }
        case JsonValue::Kind::kObject: {
            // A Go map: one value per key (the last), keys sorted.
            std::vector<const std::pair<std::string, JsonValue>*> members;
            for (const auto& m : v.members) {
                auto same = std::find_if(members.begin(), members.end(),
                                         [&](const auto* p) { return p->first == m.first; });
                if (same != members.end())
                    *same = &m;
                else
                    members.push_back(&m);
            }
            std::sort(members.begin(), members.end(),
                      [](const auto* a, const auto* b) { return a->first < b->first; });
            out.push_back('{');
            for (std::size_t i = 0; i < members.size(); ++i) {
                if (i)
                    out.push_back(',');
                promql::appendJsonString(out, members[i]->first);
                out.push_back(':');
                appendJson(out, members[i]->second);
            }
            out.push_back('}');
            break;
        }
    }
}

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
    for (auto it = members.rbegin(); it != members.rend(); ++it)
        if (it->first == key)
            return &it->second;
    return nullptr;
}

bool parseJson(std::string_view text, JsonValue* out, std::string* error) {
    *out = JsonValue();
    return Reader(text).document(out, error);
}

std::string jsonToExtracted(const JsonValue& value) {
    std::string out;
    switch (value.kind) {
        case JsonValue::Kind::kString:
            return value.text;
        case JsonValue::Kind::kBool:
            return value.boolean ? "true" : "false";
        case JsonValue::Kind::kNumber:
            return formatFloatF(std::strtod(value.text.c_str(), nullptr));
        default:
            appendJson(out, value);
            return out;
    }
}

}  // namespace vigil::logs::pipeline
