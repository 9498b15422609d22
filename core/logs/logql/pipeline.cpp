#include "core/logs/logql/pipeline.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <set>

#include "core/logs/logql/line_template.h"
#include "core/logs/logql/value_parse.h"
#include "core/util/go_quote.h"
#include "core/util/utf8.h"

namespace vigil::logql {

// ---------------------------------------------------------------------------
// LineLabels

void LineLabels::reset(const model::Labels& stream, const model::Labels& metadata) {
    m_entries.clear();
    for (const auto& l : stream)
        m_entries.push_back({l.name, l.value, LabelSource::kStream});
    for (const auto& l : metadata) {
        if (find(l.name)) {
            set(l.name + "_extracted", l.value, LabelSource::kMetadata);
        } else {
            m_entries.push_back({l.name, l.value, LabelSource::kMetadata});
        }
    }
}

LineLabels::Entry* LineLabels::find(std::string_view name) {
    for (auto& e : m_entries)
        if (e.name == name)
            return &e;
    return nullptr;
}

const LineLabels::Entry* LineLabels::find(std::string_view name) const {
    for (const auto& e : m_entries)
        if (e.name == name)
            return &e;
    return nullptr;
}

std::optional<std::string_view> LineLabels::get(std::string_view name) const {
    const Entry* e = find(name);
    if (!e)
        return std::nullopt;
    return std::string_view(e->value);
}

void LineLabels::setParsed(std::string_view name, std::string_view value) {
    Entry* e = find(name);
    if (e && e->source != LabelSource::kParsed) {
        std::string extracted = std::string(name) + "_extracted";
        set(extracted, value, LabelSource::kParsed);
        return;
    }
    set(name, value, LabelSource::kParsed);
}

void LineLabels::set(std::string_view name, std::string_view value, LabelSource source) {
    if (Entry* e = find(name)) {
        e->value.assign(value);
        // A parsed value taking over the _extracted slot wins it.
        if (source == LabelSource::kParsed && e->source == LabelSource::kMetadata)
            e->source = source;
        return;
    }
    m_entries.push_back({std::string(name), std::string(value), source});
}

void LineLabels::del(std::string_view name) {
    std::erase_if(m_entries, [&](const Entry& e) { return e.name == name; });
}

void LineLabels::setError(std::string_view error, std::string_view details) {
    if (hasError())
        return;  // the first error sticks, as in Loki
    set(kErrorLabel, error);
    if (!details.empty())
        set(kErrorDetailsLabel, details);
}

model::Labels LineLabels::result() const {
    std::vector<model::Label> out;
    out.reserve(m_entries.size());
    for (const auto& e : m_entries)
        if (!e.value.empty())
            out.push_back({e.name, e.value});
    return model::Labels::fromUnsorted(std::move(out));
}

std::string sanitizeLabelKey(std::string_view key, bool isPrefix) {
    std::string out;
    out.reserve(key.size() + 1);
    if (isPrefix && !key.empty() && std::isdigit(static_cast<unsigned char>(key[0])))
        out += '_';
    for (char c : key) {
        unsigned char u = static_cast<unsigned char>(c);
        out += (std::isalnum(u) || c == '_' || c == ':') && u < 128 ? c : '_';
    }
    return out;
}

namespace {

// ---------------------------------------------------------------------------
// A small JSON reader: a DOM with the raw text of every value (Loki stores
// object/array results of json expressions as their JSON text).

struct JsonValue {
    enum class Kind { kNull, kBool, kNumber, kString, kObject, kArray };
    Kind kind = Kind::kNull;
    std::string text;  // unescaped string, or the raw text of other kinds
    std::vector<std::pair<std::string, JsonValue>> members;
    std::vector<JsonValue> items;
};

class JsonReader {
public:
    explicit JsonReader(std::string_view s) : m_s(s) {}

    bool parseDocument(JsonValue* out) {
        skipWs();
        if (!parseValue(out, 0))
            return false;
        skipWs();
        if (m_pos != m_s.size())
            return fail("unexpected content after the JSON value");
        return true;
    }
    const std::string& error() const { return m_error; }

private:
    bool fail(const std::string& what) {
        if (m_error.empty())
            m_error = what + " at offset " + std::to_string(m_pos);
        return false;
    }
    void skipWs() {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' ||
                                      m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
    }
    bool parseString(std::string* out) {
        ++m_pos;  // opening quote
        while (m_pos < m_s.size()) {
            char c = m_s[m_pos++];
            if (c == '"')
                return true;
            if (c != '\\') {
                out->push_back(c);
                continue;
            }
            if (m_pos >= m_s.size())
                break;
            if (!decodeJsonEscape(m_s, m_pos, *out))
                return fail(m_s[m_pos] == 'u' ? "bad \\u escape" : "invalid escape in string");
        }
        return fail("unterminated string");
    }
    bool parseValue(JsonValue* out, int depth) {
        if (depth > 512)
            return fail("nesting too deep");
        skipWs();
        if (m_pos >= m_s.size())
            return fail("unexpected end of input");
        std::size_t start = m_pos;
        char c = m_s[m_pos];
        if (c == '{') {
            out->kind = JsonValue::Kind::kObject;
            ++m_pos;
            skipWs();
            if (m_pos < m_s.size() && m_s[m_pos] == '}') {
                ++m_pos;
            } else {
                while (true) {
                    skipWs();
                    if (m_pos >= m_s.size() || m_s[m_pos] != '"')
                        return fail("expected a string key");
                    std::string key;
                    if (!parseString(&key))
                        return false;
                    skipWs();
                    if (m_pos >= m_s.size() || m_s[m_pos] != ':')
                        return fail("expected ':'");
                    ++m_pos;
                    JsonValue v;
                    if (!parseValue(&v, depth + 1))
                        return false;
                    out->members.emplace_back(std::move(key), std::move(v));
                    skipWs();
                    if (m_pos < m_s.size() && m_s[m_pos] == ',') {
                        ++m_pos;
                        continue;
                    }
                    if (m_pos < m_s.size() && m_s[m_pos] == '}') {
                        ++m_pos;
                        break;
                    }
                    return fail("expected ',' or '}'");
                }
            }
            out->text.assign(m_s.substr(start, m_pos - start));
            return true;
        }
        if (c == '[') {
            out->kind = JsonValue::Kind::kArray;
            ++m_pos;
            skipWs();
            if (m_pos < m_s.size() && m_s[m_pos] == ']') {
                ++m_pos;
            } else {
                while (true) {
                    JsonValue v;
                    if (!parseValue(&v, depth + 1))
                        return false;
                    out->items.push_back(std::move(v));
                    skipWs();
                    if (m_pos < m_s.size() && m_s[m_pos] == ',') {
                        ++m_pos;
                        continue;
                    }
                    if (m_pos < m_s.size() && m_s[m_pos] == ']') {
                        ++m_pos;
                        break;
                    }
                    return fail("expected ',' or ']'");
                }
            }
            out->text.assign(m_s.substr(start, m_pos - start));
            return true;
        }
        if (c == '"') {
            out->kind = JsonValue::Kind::kString;
            return parseString(&out->text);
        }
        auto literal = [&](std::string_view word, JsonValue::Kind kind) {
            if (m_s.substr(m_pos, word.size()) != word)
                return fail("invalid literal");
            m_pos += word.size();
            out->kind = kind;
            out->text.assign(word);
            return true;
        };
        if (c == 't')
            return literal("true", JsonValue::Kind::kBool);
        if (c == 'f')
            return literal("false", JsonValue::Kind::kBool);
        if (c == 'n')
            return literal("null", JsonValue::Kind::kNull);
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
            ++m_pos;
            while (m_pos < m_s.size() &&
                   (std::isdigit(static_cast<unsigned char>(m_s[m_pos])) || m_s[m_pos] == '.' ||
                    m_s[m_pos] == 'e' || m_s[m_pos] == 'E' || m_s[m_pos] == '+' ||
                    m_s[m_pos] == '-'))
                ++m_pos;
            out->kind = JsonValue::Kind::kNumber;
            out->text.assign(m_s.substr(start, m_pos - start));
            return true;
        }
        return fail(std::string("unexpected character '") + c + "'");
    }

    std::string_view m_s;
    std::size_t m_pos = 0;
    std::string m_error;
};

// One step of a json expression path.
struct PathStep {
    bool isIndex = false;
    std::string field;
    long index = 0;
};

Result<std::vector<PathStep>> parseJsonPath(std::string_view expr) {
    std::vector<PathStep> steps;
    std::size_t i = 0;
    auto bad = [&] {
        return Status::error("cannot parse expression [" + std::string(expr) +
                             "]: invalid json path");
    };
    while (i < expr.size()) {
        char c = expr[i];
        if (c == '.') {
            ++i;
            continue;
        }
        if (c == '[') {
            std::size_t close = expr.find(']', i);
            if (close == std::string_view::npos)
                return bad();
            std::string_view inner = expr.substr(i + 1, close - i - 1);
            PathStep step;
            if (!inner.empty() && (inner[0] == '"' || inner[0] == '\'')) {
                if (inner.size() < 2 || inner.back() != inner[0])
                    return bad();
                step.field = std::string(inner.substr(1, inner.size() - 2));
            } else {
                if (inner.empty())
                    return bad();
                for (char d : inner)
                    if (!std::isdigit(static_cast<unsigned char>(d)))
                        return bad();
                step.isIndex = true;
                const auto [end, ec] =
                    std::from_chars(inner.data(), inner.data() + inner.size(), step.index);
                if (ec != std::errc() || end != inner.data() + inner.size())
                    return bad();  // too large for an index
            }
            steps.push_back(std::move(step));
            i = close + 1;
            continue;
        }
        std::size_t j = i;
        while (j < expr.size() && expr[j] != '.' && expr[j] != '[')
            ++j;
        PathStep step;
        step.field = std::string(expr.substr(i, j - i));
        steps.push_back(std::move(step));
        i = j;
    }
    if (steps.empty())
        return bad();
    return steps;
}

// ---------------------------------------------------------------------------
// IP matching for ip() filters.

struct IpAddr {
    int family = 0;  // 4 or 6
    std::array<unsigned char, 16> bytes{};
};

std::optional<IpAddr> parseIp(std::string_view s) {
    std::string str(s);
    IpAddr a;
    if (str.find(':') != std::string::npos) {
        if (inet_pton(AF_INET6, str.c_str(), a.bytes.data()) != 1)
            return std::nullopt;
        a.family = 6;
        // IPv4-mapped addresses compare as IPv4.
        static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(a.bytes.data(), kMapped, 12) == 0) {
            std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
            a.family = 4;
        }
        return a;
    }
    if (inet_pton(AF_INET, str.c_str(), a.bytes.data()) != 1)
        return std::nullopt;
    a.family = 4;
    return a;
}

class IpMatcher {
public:
    static Result<IpMatcher> make(std::string_view pattern) {
        IpMatcher m;
        std::string p(pattern);
        auto bad = [&] { return Status::error("ip: invalid pattern: " + goQuote(pattern)); };
        if (auto slash = p.find('/'); slash != std::string::npos) {
            auto base = parseIp(p.substr(0, slash));
            if (!base)
                return bad();
            int bits = std::atoi(p.substr(slash + 1).c_str());
            m.m_low = *base;
            m.m_high = *base;
            int total = base->family == 4 ? 32 : 128;
            if (bits < 0 || bits > total)
                return bad();
            for (int b = bits; b < total; ++b) {
                m.m_low.bytes[b / 8] &= static_cast<unsigned char>(~(0x80 >> (b % 8)));
                m.m_high.bytes[b / 8] |= static_cast<unsigned char>(0x80 >> (b % 8));
            }
            return m;
        }
        if (auto dash = p.find('-'); dash != std::string::npos) {
            auto lo = parseIp(p.substr(0, dash));
            auto hi = parseIp(p.substr(dash + 1));
            if (!lo || !hi || lo->family != hi->family)
                return bad();
            m.m_low = *lo;
            m.m_high = *hi;
            return m;
        }
        auto one = parseIp(p);
        if (!one)
            return bad();
        m.m_low = m.m_high = *one;
        return m;
    }

    bool contains(const IpAddr& a) const {
        if (a.family != m_low.family)
            return false;
        std::size_t n = a.family == 4 ? 4 : 16;
        return std::memcmp(a.bytes.data(), m_low.bytes.data(), n) >= 0 &&
               std::memcmp(a.bytes.data(), m_high.bytes.data(), n) <= 0;
    }

    // True when some IP address in the line is inside the range: IPv4
    // candidates are runs of digits and dots ("10.0.0.7" in "10.0.0.7:80"),
    // IPv6 candidates runs of hex digits, dots and at least two colons.
    bool matchesLine(std::string_view line) const {
        auto isV6Char = [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
        };
        auto isV4Char = [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
        };
        std::size_t i = 0;
        while (i < line.size()) {
            if (!isV6Char(line[i]) || (i > 0 && isV6Char(line[i - 1]))) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < line.size() && isV6Char(line[j]))
                ++j;
            std::string_view token = line.substr(i, j - i);
            if (std::count(token.begin(), token.end(), ':') >= 2) {
                std::string_view t6 = token;
                while (!t6.empty() && t6.back() == '.')
                    t6.remove_suffix(1);
                if (auto ip = parseIp(t6); ip && contains(*ip))
                    return true;
            }
            // IPv4 runs inside the token.
            for (std::size_t k = 0; k < token.size();) {
                if (!std::isdigit(static_cast<unsigned char>(token[k]))) {
                    ++k;
                    continue;
                }
                std::size_t e = k;
                while (e < token.size() && isV4Char(token[e]))
                    ++e;
                std::string_view t4 = token.substr(k, e - k);
                while (!t4.empty() && t4.back() == '.')
                    t4.remove_suffix(1);
                if (std::count(t4.begin(), t4.end(), '.') == 3) {
                    if (auto ip = parseIp(t4); ip && contains(*ip))
                        return true;
                }
                k = e;
            }
            i = j;
        }
        return false;
    }

private:
    IpAddr m_low, m_high;
};

// ---------------------------------------------------------------------------
// pattern expressions (`| pattern` and `|>`).

struct PatternPart {
    bool capture = false;
    std::string text;  // literal text, or capture name ("_" = unnamed)
};

std::vector<PatternPart> splitPattern(std::string_view p) {
    std::vector<PatternPart> parts;
    std::string lit;
    std::size_t i = 0;
    while (i < p.size()) {
        if (p[i] == '<') {
            std::size_t j = i + 1;
            while (j < p.size() && (std::isalnum(static_cast<unsigned char>(p[j])) || p[j] == '_'))
                ++j;
            if (j < p.size() && p[j] == '>' && j > i + 1 &&
                !std::isdigit(static_cast<unsigned char>(p[i + 1]))) {
                if (!lit.empty())
                    parts.push_back({false, std::move(lit)});
                lit.clear();
                parts.push_back({true, std::string(p.substr(i + 1, j - i - 1))});
                i = j + 1;
                continue;
            }
        }
        lit += p[i++];
    }
    if (!lit.empty())
        parts.push_back({false, std::move(lit)});
    return parts;
}

// Loki's pattern matcher: anchored at the start; each capture runs to the next
// literal; a missing literal makes the capture take the rest of the line.
void matchPattern(const std::vector<PatternPart>& parts, std::string_view in,
                  std::vector<std::pair<std::string_view, std::string_view>>* captures) {
    captures->clear();
    if (in.empty() || parts.empty())
        return;
    std::size_t k = 0;
    if (!parts[0].capture) {
        if (!in.starts_with(parts[0].text))
            return;
        in.remove_prefix(parts[0].text.size());
        k = 1;
    }
    while (k < parts.size()) {
        const PatternPart& cap = parts[k];
        if (k + 1 >= parts.size()) {
            captures->emplace_back(cap.text, in);
            return;
        }
        const std::string& lit = parts[k + 1].text;
        std::size_t i = in.find(lit);
        if (i == std::string_view::npos) {
            captures->emplace_back(cap.text, in);
            return;
        }
        captures->emplace_back(cap.text, in.substr(0, i));
        in.remove_prefix(i + lit.size());
        k += 2;
    }
}

bool testPattern(const std::vector<PatternPart>& parts, std::string_view in) {
    if (parts.empty())
        return false;
    std::size_t k = 0;
    if (!parts[0].capture) {
        if (!in.starts_with(parts[0].text))
            return false;
        in.remove_prefix(parts[0].text.size());
        k = 1;
    }
    if (k >= parts.size())
        return in.empty();
    while (k < parts.size()) {
        if (k + 1 >= parts.size())
            return true;  // ends on a capture
        const std::string& lit = parts[k + 1].text;
        std::size_t i = in.find(lit);
        if (i == std::string_view::npos)
            return false;
        in.remove_prefix(i + lit.size());
        k += 2;
    }
    return in.empty();
}

// ---------------------------------------------------------------------------
// logfmt, as go-logfmt scans it.

struct LogfmtPair {
    std::string_view key;
    std::string value;
    bool hasValue = false;
};

// Scans `line`; calls `pair` for each pair. Returns false on a syntax error
// (after reporting the pairs before it); `*error` describes it.
template <typename F>
bool scanLogfmt(std::string_view line, F pair, std::string* error) {
    std::size_t i = 0;
    const std::size_t n = line.size();
    auto isKeyChar = [](char c) {
        return static_cast<unsigned char>(c) > ' ' && c != '=' && c != '"';
    };
    bool ok = true;
    while (i < n) {
        while (i < n && static_cast<unsigned char>(line[i]) <= ' ')
            ++i;
        if (i >= n)
            break;
        if (!isKeyChar(line[i])) {
            if (ok)
                *error = "logfmt syntax error at pos " + std::to_string(i + 1) + " : unexpected '" +
                         std::string(1, line[i]) + "'";
            ok = false;
            // skip the garbage up to the next space
            while (i<n&& static_cast<unsigned char>(line[i])> ' ')
                ++i;
            continue;
        }
        std::size_t ks = i;
        while (i < n && isKeyChar(line[i]))
            ++i;
        LogfmtPair p;
        p.key = line.substr(ks, i - ks);
        if (i < n && line[i] == '=') {
            ++i;
            p.hasValue = true;
            if (i < n && line[i] == '"') {
                ++i;
                bool closed = false;
                std::string v;
                while (i < n) {
                    char c = line[i++];
                    if (c == '"') {
                        closed = true;
                        break;
                    }
                    if (c == '\\' && i < n) {
                        char e = line[i++];
                        switch (e) {
                            case 'n':
                                v += '\n';
                                break;
                            case 't':
                                v += '\t';
                                break;
                            case 'r':
                                v += '\r';
                                break;
                            case '"':
                                v += '"';
                                break;
                            case '\\':
                                v += '\\';
                                break;
                            case '/':
                                v += '/';
                                break;
                            default:
                                v += '\\';
                                v += e;
                                break;
                        }
                        continue;
                    }
                    v += c;
                }
                if (!closed) {
                    if (ok)
                        *error = "logfmt syntax error at pos " + std::to_string(n + 1) +
                                 " on line 1: unterminated quoted value";
                    return false;
                }
                p.value = std::move(v);
            } else {
                std::size_t vs = i;
                while (i<n&& static_cast<unsigned char>(line[i])> ' ') {
                    if (line[i] == '=' || line[i] == '"') {
                        if (ok)
                            *error = "logfmt syntax error at pos " + std::to_string(i + 1) +
                                     " on line 1: unexpected '" + std::string(1, line[i]) + "'";
                        ok = false;
                    }
                    ++i;
                }
                p.value = std::string(line.substr(vs, i - vs));
                if (!ok && p.value.find_first_of("=\"") != std::string::npos)
                    continue;
            }
        }
        pair(p);
    }
    return ok;
}

}  // namespace

// ---------------------------------------------------------------------------
// Label filters.

class CompiledLabelFilter {
public:
    LabelFilter::Kind kind = LabelFilter::Kind::kString;
    std::string name;
    LabelCmp op = LabelCmp::kEq;
    std::optional<model::Matcher> matcher;  // kString
    double number = 0;
    std::int64_t nanos = 0;
    std::optional<IpMatcher> ip;
    std::shared_ptr<const CompiledLabelFilter> left, right;
};

namespace {

template <typename T>
bool compareOp(LabelCmp op, T a, T b) {
    switch (op) {
        case LabelCmp::kEq:
        case LabelCmp::kCmpEq:
            return a == b;
        case LabelCmp::kNeq:
            return a != b;
        case LabelCmp::kGtr:
            return a > b;
        case LabelCmp::kGte:
            return a >= b;
        case LabelCmp::kLss:
            return a < b;
        case LabelCmp::kLte:
            return a <= b;
        default:
            return false;
    }
}

}  // namespace

Result<std::shared_ptr<const CompiledLabelFilter>> compileLabelFilter(const LabelFilter& f) {
    auto out = std::make_shared<CompiledLabelFilter>();
    out->kind = f.kind;
    out->name = f.name;
    out->op = f.op;
    out->number = f.number;
    out->nanos = f.nanos;
    switch (f.kind) {
        case LabelFilter::Kind::kAnd:
        case LabelFilter::Kind::kOr: {
            auto l = compileLabelFilter(*f.left);
            if (!l.isOk())
                return l.status();
            auto r = compileLabelFilter(*f.right);
            if (!r.isOk())
                return r.status();
            out->left = l.value();
            out->right = r.value();
            break;
        }
        case LabelFilter::Kind::kString: {
            model::MatchType type = model::MatchType::kEqual;
            if (f.op == LabelCmp::kNeq)
                type = model::MatchType::kNotEqual;
            if (f.op == LabelCmp::kRe)
                type = model::MatchType::kRegexp;
            if (f.op == LabelCmp::kNre)
                type = model::MatchType::kNotRegexp;
            auto m = model::Matcher::make(type, f.name, f.text);
            if (!m.isOk())
                return m.status();
            out->matcher = m.value();
            break;
        }
        case LabelFilter::Kind::kNumber: {
            auto v = parseGoFloat(f.text);
            if (!v.isOk())
                return Status::error("unable to parse literal as a float: " + f.text);
            out->number = v.value();
            break;
        }
        case LabelFilter::Kind::kIp: {
            auto m = IpMatcher::make(f.text);
            if (!m.isOk())
                return m.status();
            out->ip = m.value();
            break;
        }
        default:
            break;
    }
    return std::shared_ptr<const CompiledLabelFilter>(out);
}

namespace {

// `hadError`: the line carried __error__ before this label filter stage.
bool applyFilter(const CompiledLabelFilter& f, LineLabels& labels, bool hadError) {
    switch (f.kind) {
        case LabelFilter::Kind::kAnd: {
            bool l = applyFilter(*f.left, labels, hadError);
            bool r = applyFilter(*f.right, labels, hadError);
            return l && r;
        }
        case LabelFilter::Kind::kOr: {
            if (applyFilter(*f.left, labels, hadError))
                return true;
            return applyFilter(*f.right, labels, hadError);
        }
        case LabelFilter::Kind::kString: {
            auto v = labels.get(f.name);
            return f.matcher->matches(v ? *v : std::string_view());
        }
        case LabelFilter::Kind::kIp: {
            // An errored line passes, so the error reaches the result.
            if (labels.hasError())
                return true;
            auto v = labels.get(f.name);
            if (!v)
                return false;
            // The address may sit inside a longer value ("client 10.0.0.7:80").
            bool in = f.ip->matchesLine(*v);
            return f.op == LabelCmp::kNeq ? !in : in;
        }
        case LabelFilter::Kind::kNumber:
        case LabelFilter::Kind::kDuration:
        case LabelFilter::Kind::kBytes: {
            // A converting filter needs its label; a value it cannot convert
            // marks the line with LabelFilterErr and keeps it (so the error
            // reaches the result; the first failing comparison owns
            // __error_details__), unless an earlier stage already failed the
            // line, which it then drops.
            auto v = labels.get(f.name);
            if (!v)
                return false;
            auto failed = [&](const Status& st) {
                if (hadError)
                    return false;
                labels.setError("LabelFilterErr", st.message());
                return true;
            };
            if (f.kind == LabelFilter::Kind::kNumber) {
                auto x = parseGoFloat(*v);
                if (!x.isOk())
                    return failed(x.status());
                return compareOp(f.op, x.value(), f.number);
            }
            if (f.kind == LabelFilter::Kind::kDuration) {
                auto x = parseGoDuration(*v);
                if (!x.isOk())
                    return failed(x.status());
                return compareOp(f.op, x.value(), f.nanos);
            }
            auto x = parseHumanBytes(*v);
            if (!x.isOk())
                return failed(x.status());
            return compareOp(f.op, static_cast<double>(x.value()), f.number);
        }
    }
    return false;
}

}  // namespace

bool applyLabelFilter(const CompiledLabelFilter& f, LineLabels& labels) {
    return applyFilter(f, labels, labels.hasError());
}

// ---------------------------------------------------------------------------
// Stages.

class Pipeline::CompiledStage {
public:
    virtual ~CompiledStage() = default;
    virtual bool process(std::int64_t tsNs, std::string& line, LineLabels& labels) const = 0;
};

namespace {

using CompiledStage = Pipeline::CompiledStage;

class LineFilterStage final : public CompiledStage {
public:
    struct Alt {
        std::string text;
        std::unique_ptr<RE2> re;
        std::optional<IpMatcher> ip;
        std::vector<PatternPart> pattern;
    };
    struct Filter {
        LineFilterOp op;
        std::vector<Alt> alts;
    };
    std::vector<Filter> filters;

    static bool matchesAlt(LineFilterOp op, const Alt& a, std::string_view line) {
        if (a.ip)
            return a.ip->matchesLine(line);
        switch (op) {
            case LineFilterOp::kContains:
            case LineFilterOp::kNotContains:
                return line.find(a.text) != std::string_view::npos;
            case LineFilterOp::kRegexp:
            case LineFilterOp::kNotRegexp:
                return RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *a.re);
            case LineFilterOp::kPattern:
            case LineFilterOp::kNotPattern:
                return testPattern(a.pattern, line);
        }
        return false;
    }

    bool process(std::int64_t, std::string& line, LineLabels&) const override {
        for (const Filter& f : filters) {
            bool any = false;
            for (const Alt& a : f.alts)
                if (matchesAlt(f.op, a, line)) {
                    any = true;
                    break;
                }
            bool positive = f.op == LineFilterOp::kContains || f.op == LineFilterOp::kRegexp ||
                            f.op == LineFilterOp::kPattern;
            if (positive != any)
                return false;
        }
        return true;
    }
};

class LabelFilterStage final : public CompiledStage {
public:
    std::shared_ptr<const CompiledLabelFilter> filter;
    bool process(std::int64_t, std::string&, LineLabels& labels) const override {
        return applyLabelFilter(*filter, labels);
    }
};

class JsonStage final : public CompiledStage {
public:
    struct Expr {
        std::string label;
        std::vector<PathStep> path;
    };
    std::vector<Expr> exprs;  // empty = every field

    static void flatten(const JsonValue& obj, const std::string& prefix, LineLabels& labels,
                        std::set<std::string>& seen) {
        for (const auto& [key, v] : obj.members) {
            std::string name = prefix.empty() ? sanitizeLabelKey(key, true)
                                              : prefix + "_" + sanitizeLabelKey(key, false);
            switch (v.kind) {
                case JsonValue::Kind::kObject:
                    flatten(v, name, labels, seen);
                    break;
                case JsonValue::Kind::kArray:
                case JsonValue::Kind::kNull:
                    break;
                default:
                    if (seen.insert(name).second)
                        labels.setParsed(name, v.text);
                    break;
            }
        }
    }

    bool process(std::int64_t, std::string& line, LineLabels& labels) const override {
        JsonValue root;
        JsonReader reader(line);
        if (!reader.parseDocument(&root) || root.kind != JsonValue::Kind::kObject) {
            labels.setError("JSONParserErr", reader.error().empty()
                                                 ? "Value looks like object, but can't find "
                                                   "closing '}' symbol"
                                                 : reader.error());
            return true;
        }
        if (exprs.empty()) {
            std::set<std::string> seen;
            flatten(root, "", labels, seen);
            return true;
        }
        for (const Expr& e : exprs) {
            const JsonValue* cur = &root;
            for (const PathStep& step : e.path) {
                const JsonValue* next = nullptr;
                if (step.isIndex) {
                    if (cur->kind == JsonValue::Kind::kArray && step.index >= 0 &&
                        static_cast<std::size_t>(step.index) < cur->items.size())
                        next = &cur->items[static_cast<std::size_t>(step.index)];
                } else if (cur->kind == JsonValue::Kind::kObject) {
                    for (const auto& [k, v] : cur->members)
                        if (k == step.field) {
                            next = &v;
                            break;
                        }
                }
                cur = next;
                if (!cur)
                    break;
            }
            std::string value;
            if (cur && cur->kind != JsonValue::Kind::kNull)
                value = cur->text;
            labels.setParsed(e.label, value);
        }
        return true;
    }
};

class LogfmtStage final : public CompiledStage {
public:
    bool strict = false;
    bool keepEmpty = false;
    std::vector<std::pair<std::string, std::string>> exprs;  // label, key

    bool process(std::int64_t, std::string& line, LineLabels& labels) const override {
        std::set<std::string> seen;
        std::string error;
        std::vector<std::pair<std::string, std::string>> found;
        bool ok = scanLogfmt(
            line,
            [&](const LogfmtPair& p) {
                if (!p.hasValue && !keepEmpty)
                    return;
                if (p.value.empty() && !keepEmpty)
                    return;
                if (!exprs.empty()) {
                    for (const auto& [label, key] : exprs)
                        if (key == p.key && seen.insert(label).second)
                            found.emplace_back(label, p.value);
                    return;
                }
                std::string name = sanitizeLabelKey(p.key, true);
                if (seen.insert(name).second)
                    found.emplace_back(name, p.value);
            },
            &error);
        if (!ok && strict) {
            labels.setError("LogfmtParserErr", error);
            return true;
        }
        for (const auto& [k, v] : found)
            labels.setParsed(k, v);
        if (!exprs.empty())
            for (const auto& [label, key] : exprs)
                if (!seen.contains(label))
                    labels.setParsed(label, "");
        return true;
    }
};

class RegexpStage final : public CompiledStage {
public:
    std::unique_ptr<RE2> re;
    std::vector<std::string> groupNames;  // index = group number; "" unnamed

    bool process(std::int64_t, std::string& line, LineLabels& labels) const override {
        int n = re->NumberOfCapturingGroups();
        std::vector<re2::StringPiece> groups(static_cast<std::size_t>(n) + 1);
        if (!re->Match(line, 0, line.size(), RE2::UNANCHORED, groups.data(), n + 1))
            return true;
        for (int i = 1; i <= n; ++i) {
            const std::string& name = groupNames[static_cast<std::size_t>(i)];
            if (name.empty())
                continue;
            const auto& g = groups[static_cast<std::size_t>(i)];
            labels.setParsed(name, std::string_view(g.data() ? g.data() : "", g.size()));
        }
        return true;
    }
};

class PatternStage final : public CompiledStage {
public:
    std::vector<PatternPart> parts;
    bool process(std::int64_t, std::string& line, LineLabels& labels) const override {
        std::vector<std::pair<std::string_view, std::string_view>> caps;
        matchPattern(parts, line, &caps);
        for (const auto& [name, value] : caps)
            if (name != "_")
                labels.setParsed(name, value);
        return true;
    }
};

class UnpackStage final : public CompiledStage {
public:
    bool process(std::int64_t, std::string& line, LineLabels& labels) const override {
        JsonValue root;
        JsonReader reader(line);
        if (!reader.parseDocument(&root) || root.kind != JsonValue::Kind::kObject) {
            labels.setError("JSONParserErr", reader.error().empty()
                                                 ? "expecting json object, got something else"
                                                 : reader.error());
            return true;
        }
        std::optional<std::string> entry;
        for (const auto& [key, v] : root.members) {
            if (v.kind != JsonValue::Kind::kString)
                continue;
            if (key == "_entry") {
                entry = v.text;
                continue;
            }
            labels.setParsed(key, v.text);
        }
        if (entry)
            line = *entry;
        return true;
    }
};

class DecolorizeStage final : public CompiledStage {
public:
    DecolorizeStage()
        : m_re(
              "[\\x1b\\x{9b}][\\[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\\x07)|"
              "(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))") {}
    bool process(std::int64_t, std::string& line, LineLabels&) const override {
        RE2::GlobalReplace(&line, m_re, "");
        return true;
    }

private:
    RE2 m_re;
};

LineTemplate::Context templateContext(const LineLabels& labels, std::string_view line,
                                      std::int64_t tsNs) {
    LineTemplate::Context ctx;
    ctx.label = [&labels](std::string_view name) { return labels.get(name); };
    ctx.forEachLabel = [&labels](const auto& visit) {
        for (const auto& e : labels.entries())
            visit(e.name, e.value);
    };
    ctx.line = line;
    ctx.tsNs = tsNs;
    return ctx;
}

class LineFormatStage final : public CompiledStage {
public:
    std::optional<LineTemplate> tmpl;
    bool process(std::int64_t tsNs, std::string& line, LineLabels& labels) const override {
        auto out = tmpl->render(templateContext(labels, line, tsNs));
        if (!out.isOk()) {
            labels.setError("TemplateFormatErr", out.status().message());
            return true;
        }
        line = std::move(out.value());
        return true;
    }
};

class LabelFormatStage final : public CompiledStage {
public:
    struct Item {
        std::string destination;
        std::string source;
        std::optional<LineTemplate> tmpl;
    };
    std::vector<Item> items;
    bool process(std::int64_t tsNs, std::string& line, LineLabels& labels) const override {
        // Templates see the labels as they were when the stage started.
        LineLabels before = labels;
        for (const Item& item : items) {
            if (!item.tmpl) {
                auto v = before.get(item.source);
                if (!v)
                    continue;
                std::string value(*v);
                labels.del(item.source);
                labels.set(item.destination, value);
                continue;
            }
            auto out = item.tmpl->render(templateContext(before, line, tsNs));
            if (!out.isOk()) {
                labels.setError("TemplateFormatErr", out.status().message());
                continue;
            }
            labels.set(item.destination, out.value());
        }
        return true;
    }
};

class DropKeepStage final : public CompiledStage {
public:
    bool keep = false;
    std::vector<NamedMatcher> names;
    bool process(std::int64_t, std::string&, LineLabels& labels) const override {
        if (!keep) {
            for (const NamedMatcher& n : names) {
                auto v = labels.get(n.name);
                if (!v)
                    continue;
                if (!n.matcher || n.matcher->matches(*v))
                    labels.del(n.name);
            }
            return true;
        }
        labels.retain([&](const std::string& name, const std::string& value) {
            if (name == kErrorLabel || name == kErrorDetailsLabel)
                return true;
            for (const NamedMatcher& n : names)
                if (n.name == name && (!n.matcher || n.matcher->matches(value)))
                    return true;
            return false;
        });
        return true;
    }
};

}  // namespace

Result<Pipeline> Pipeline::compile(const std::vector<Stage>& stages) {
    Pipeline p;
    for (const Stage& st : stages) {
        switch (st.kind) {
            case Stage::Kind::kLineFilter: {
                auto s = std::make_shared<LineFilterStage>();
                for (const LineFilter& lf : st.lineFilters) {
                    LineFilterStage::Filter f;
                    f.op = lf.op;
                    for (const LineFilterValue& v : lf.alternatives) {
                        LineFilterStage::Alt a;
                        a.text = v.value;
                        if (v.ip) {
                            if (lf.op != LineFilterOp::kContains &&
                                lf.op != LineFilterOp::kNotContains)
                                return Status::error("ip: invalid operation");
                            auto m = IpMatcher::make(v.value);
                            if (!m.isOk())
                                return m.status();
                            a.ip = m.value();
                        } else if (lf.op == LineFilterOp::kRegexp ||
                                   lf.op == LineFilterOp::kNotRegexp) {
                            a.re = std::make_unique<RE2>(v.value, RE2::Quiet);
                            if (!a.re->ok())
                                return Status::error("error parsing regexp: " + a.re->error());
                        } else if (lf.op == LineFilterOp::kPattern ||
                                   lf.op == LineFilterOp::kNotPattern) {
                            a.pattern = splitPattern(v.value);
                        }
                        f.alts.push_back(std::move(a));
                    }
                    s->filters.push_back(std::move(f));
                }
                p.m_stages.push_back(s);
                break;
            }
            case Stage::Kind::kLabelFilter: {
                auto f = compileLabelFilter(*st.labelFilter);
                if (!f.isOk())
                    return f.status();
                auto s = std::make_shared<LabelFilterStage>();
                s->filter = f.value();
                p.m_stages.push_back(s);
                break;
            }
            case Stage::Kind::kJson: {
                auto s = std::make_shared<JsonStage>();
                for (const ExtractionParam& param : st.params) {
                    auto path = parseJsonPath(param.expression.value_or(param.label));
                    if (!path.isOk())
                        return path.status();
                    s->exprs.push_back({param.label, path.value()});
                }
                p.m_stages.push_back(s);
                break;
            }
            case Stage::Kind::kLogfmt: {
                auto s = std::make_shared<LogfmtStage>();
                s->strict = st.strict;
                s->keepEmpty = st.keepEmpty;
                for (const ExtractionParam& param : st.params)
                    s->exprs.emplace_back(param.label, param.expression.value_or(param.label));
                p.m_stages.push_back(s);
                break;
            }
            case Stage::Kind::kRegexp: {
                auto s = std::make_shared<RegexpStage>();
                s->re = std::make_unique<RE2>(st.text, RE2::Quiet);
                if (!s->re->ok())
                    return Status::error("error parsing regexp: " + s->re->error());
                s->groupNames.assign(static_cast<std::size_t>(s->re->NumberOfCapturingGroups()) + 1,
                                     "");
                for (const auto& [name, index] : s->re->NamedCapturingGroups())
                    s->groupNames[static_cast<std::size_t>(index)] = name;
                p.m_stages.push_back(s);
                break;
            }
            case Stage::Kind::kPattern: {
                auto s = std::make_shared<PatternStage>();
                s->parts = splitPattern(st.text);
                p.m_stages.push_back(s);
                break;
            }
            case Stage::Kind::kUnpack:
                p.m_stages.push_back(std::make_shared<UnpackStage>());
                break;
            case Stage::Kind::kDecolorize:
                p.m_stages.push_back(std::make_shared<DecolorizeStage>());
                break;
            case Stage::Kind::kLineFormat: {
                auto t = LineTemplate::compile(st.text);
                if (!t.isOk())
                    return t.status();
                auto s = std::make_shared<LineFormatStage>();
                s->tmpl = std::move(t.value());
                p.m_stages.push_back(s);
                break;
            }
            case Stage::Kind::kLabelFormat: {
                auto s = std::make_shared<LabelFormatStage>();
                for (const LabelFormatItem& item : st.labelFormats) {
                    LabelFormatStage::Item it;
                    it.destination = item.destination;
                    it.source = item.source;
                    if (item.isTemplate) {
                        auto t = LineTemplate::compile(item.source);
                        if (!t.isOk())
                            return t.status();
                        it.tmpl = std::move(t.value());
                    }
                    s->items.push_back(std::move(it));
                }
                p.m_stages.push_back(s);
                break;
            }
            case Stage::Kind::kDrop:
            case Stage::Kind::kKeep: {
                auto s = std::make_shared<DropKeepStage>();
                s->keep = st.kind == Stage::Kind::kKeep;
                s->names = st.names;
                p.m_stages.push_back(s);
                break;
            }
        }
    }
    return p;
}

bool Pipeline::process(std::int64_t tsNs, std::string& line, LineLabels& labels) const {
    for (const auto& s : m_stages)
        if (!s->process(tsNs, line, labels))
            return false;
    return true;
}

}  // namespace vigil::logql
