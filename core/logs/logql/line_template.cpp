#include "core/logs/logql/line_template.h"

#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/logs/logql/value_parse.h"
#include "core/template/function_helpers.h"
#include "core/template/go_time.h"
#include "core/template/template.h"
#include "core/template/value.h"

namespace vigil::logql {

namespace {

using gotmpl::FuncMap;
using gotmpl::Function;
using gotmpl::Value;
using Args = std::span<const Value>;

// The render in progress on this thread: __line__ and __timestamp__ read it.
thread_local const LineTemplate::Context* t_context = nullptr;

// Go's fmt %v of a value, as sprig's functions see their interface{} args.
std::string str(const Value& v) {
    if (v.kind() == Value::Kind::kString)
        return v.asString();
    if (v.isNil())
        return "";
    return v.toString();
}

// spf13/cast ToFloat64 / ToInt64 as sprig uses them: numbers, bools and
// numeric strings; anything else is 0.
double toFloat(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::kInt:
            return static_cast<double>(v.asInt());
        case Value::Kind::kFloat:
            return v.asFloat();
        case Value::Kind::kBool:
            return v.asBool() ? 1 : 0;
        case Value::Kind::kString: {
            auto f = parseGoFloat(v.asString());
            return f.isOk() ? f.value() : 0;
        }
        default:
            return 0;
    }
}
std::int64_t toInt(const Value& v) {
    if (v.kind() == Value::Kind::kString) {
        const std::string& s = v.asString();
        char* end = nullptr;
        long long i = std::strtoll(s.c_str(), &end, 10);
        if (end && *end == '\0' && !s.empty())
            return i;
        return static_cast<std::int64_t>(toFloat(v));
    }
    return static_cast<std::int64_t>(toFloat(v));
}

Function fn(int minArgs, int maxArgs, std::function<Result<Value>(Args)> f) {
    return Function{std::move(f), minArgs, maxArgs};
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

std::string trimSet(std::string_view s, std::string_view cut, bool left, bool right) {
    std::size_t a = 0, b = s.size();
    if (left)
        while (a < b && cut.find(s[a]) != std::string_view::npos)
            ++a;
    if (right)
        while (b > a && cut.find(s[b - 1]) != std::string_view::npos)
            --b;
    return std::string(s.substr(a, b - a));
}

std::string caseMap(std::string s, bool upper) {
    for (char& c : s)
        c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                    : std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string base64Encode(std::string_view in) {
    static const char* kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        for (int k = 18; k >= 0; k -= 6)
            out += kAlphabet[(v >> k) & 63];
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
    return out;
}

std::string base64Decode(std::string_view in) {
    std::string out;
    unsigned buf = 0;
    int bits = 0;
    for (char c : in) {
        int v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        else if (c == '=')
            break;
        else
            return "";  // sprig returns the error text; Loki prints ""
        buf = (buf << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buf >> bits) & 0xFF);
        }
    }
    return out;
}

std::string urlEncode(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else if (c == ' ') {
            out += '+';
        } else {
            char b[4];
            std::snprintf(b, sizeof b, "%%%02X", c);
            out += b;
        }
    }
    return out;
}

Result<std::string> urlDecode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
                !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
                return Status::error("invalid URL escape \"" + std::string(s.substr(i, 3)) + "\"");
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

gotmpl::TimeValue timeFromNs(std::int64_t ns) {
    gotmpl::TimeValue t;
    t.unixSeconds = ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000);
    t.nanos = static_cast<std::int32_t>(ns - t.unixSeconds * 1000000000);
    return t;
}

std::int64_t timeToNs(const gotmpl::TimeValue& t) {
    return t.unixSeconds * 1000000000 + t.nanos;
}

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The time of a Value: time.Time as is, numbers as Unix seconds.
gotmpl::TimeValue asTime(const Value& v) {
    if (v.kind() == Value::Kind::kTime)
        return v.asTime();
    return timeFromNs(static_cast<std::int64_t>(toFloat(v) * 1e9));
}

const FuncMap& lokiFunctions() {
    static const FuncMap kFunctions = [] {
        FuncMap m;
        auto str1 = [](std::function<std::string(const std::string&)> f) {
            return fn(1, 1, [f](Args a) -> Result<Value> { return Value(f(str(a[0]))); });
        };
        m["ToLower"] = m["lower"] = str1([](const std::string& s) { return caseMap(s, false); });
        m["ToUpper"] = m["upper"] = str1([](const std::string& s) { return caseMap(s, true); });
        m["title"] = str1([](const std::string& s) {
            std::string out = s;
            bool start = true;
            for (char& c : out) {
                if (start && std::isalpha(static_cast<unsigned char>(c)))
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                start = !std::isalnum(static_cast<unsigned char>(c)) && c != '_';
            }
            return out;
        });
        m["TrimSpace"] = m["trim"] =
            str1([](const std::string& s) { return trimSet(s, " \t\n\r\v\f", true, true); });
        m["Trim"] = fn(2, 2, [](Args a) -> Result<Value> {
            return Value(trimSet(str(a[0]), str(a[1]), true, true));
        });
        m["TrimLeft"] = fn(2, 2, [](Args a) -> Result<Value> {
            return Value(trimSet(str(a[0]), str(a[1]), true, false));
        });
        m["TrimRight"] = fn(2, 2, [](Args a) -> Result<Value> {
            return Value(trimSet(str(a[0]), str(a[1]), false, true));
        });
        m["trimAll"] = fn(2, 2, [](Args a) -> Result<Value> {
            return Value(trimSet(str(a[1]), str(a[0]), true, true));
        });
        // Go's strings.TrimPrefix(s, prefix) vs sprig's trimPrefix(prefix, s).
        m["TrimPrefix"] = fn(2, 2, [](Args a) -> Result<Value> {
            std::string s = str(a[0]), p = str(a[1]);
            return Value(s.starts_with(p) ? s.substr(p.size()) : s);
        });
        m["trimPrefix"] = fn(2, 2, [](Args a) -> Result<Value> {
            std::string s = str(a[1]), p = str(a[0]);
            return Value(s.starts_with(p) ? s.substr(p.size()) : s);
        });
        m["TrimSuffix"] = fn(2, 2, [](Args a) -> Result<Value> {
            std::string s = str(a[0]), p = str(a[1]);
            return Value(s.ends_with(p) ? s.substr(0, s.size() - p.size()) : s);
        });
        m["trimSuffix"] = fn(2, 2, [](Args a) -> Result<Value> {
            std::string s = str(a[1]), p = str(a[0]);
            return Value(s.ends_with(p) ? s.substr(0, s.size() - p.size()) : s);
        });
        m["Replace"] = fn(4, 4, [](Args a) -> Result<Value> {
            return Value(
                replaceAll(str(a[0]), str(a[1]), str(a[2]), static_cast<long>(toInt(a[3]))));
        });
        m["replace"] = fn(3, 3, [](Args a) -> Result<Value> {
            return Value(replaceAll(str(a[2]), str(a[0]), str(a[1])));
        });
        m["repeat"] = fn(2, 2, [](Args a) -> Result<Value> {
            std::string out, s = str(a[1]);
            for (std::int64_t i = 0; i < toInt(a[0]); ++i)
                out += s;
            return Value(out);
        });
        m["substr"] = fn(3, 3, [](Args a) -> Result<Value> {
            std::string s = str(a[2]);
            std::int64_t start = toInt(a[0]), end = toInt(a[1]);
            auto len = static_cast<std::int64_t>(s.size());
            if (start < 0)
                return Value(
                    s.substr(0, static_cast<std::size_t>(std::clamp<std::int64_t>(end, 0, len))));
            if (end < 0 || end > len)
                return Value(start > len ? std::string()
                                         : s.substr(static_cast<std::size_t>(start)));
            if (start > end)
                return Value(std::string());
            return Value(
                s.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)));
        });
        m["trunc"] = fn(2, 2, [](Args a) -> Result<Value> {
            std::string s = str(a[1]);
            std::int64_t n = toInt(a[0]);
            auto len = static_cast<std::int64_t>(s.size());
            if (n >= 0 && len > n)
                return Value(s.substr(0, static_cast<std::size_t>(n)));
            if (n < 0 && len + n > 0)
                return Value(s.substr(static_cast<std::size_t>(len + n)));
            return Value(s);
        });
        m["contains"] = fn(2, 2, [](Args a) -> Result<Value> {
            return Value(str(a[1]).find(str(a[0])) != std::string::npos);
        });
        m["hasPrefix"] = fn(
            2, 2, [](Args a) -> Result<Value> { return Value(str(a[1]).starts_with(str(a[0]))); });
        m["hasSuffix"] =
            fn(2, 2, [](Args a) -> Result<Value> { return Value(str(a[1]).ends_with(str(a[0]))); });
        m["indent"] = fn(2, 2, [](Args a) -> Result<Value> {
            std::string pad(static_cast<std::size_t>(std::max<std::int64_t>(0, toInt(a[0]))), ' ');
            return Value(pad + replaceAll(str(a[1]), "\n", "\n" + pad));
        });
        m["nindent"] = fn(2, 2, [](Args a) -> Result<Value> {
            std::string pad(static_cast<std::size_t>(std::max<std::int64_t>(0, toInt(a[0]))), ' ');
            return Value("\n" + pad + replaceAll(str(a[1]), "\n", "\n" + pad));
        });
        auto align = [](bool left) {
            return fn(2, 2, [left](Args a) -> Result<Value> {
                auto n = static_cast<std::size_t>(std::max<std::int64_t>(0, toInt(a[0])));
                std::string s = str(a[1]);
                if (s.size() >= n)
                    return Value(s.substr(0, n));
                std::string pad(n - s.size(), ' ');
                return Value(left ? s + pad : pad + s);
            });
        };
        m["alignLeft"] = align(true);
        m["alignRight"] = align(false);
        m["default"] =
            fn(2, 2, [](Args a) -> Result<Value> { return a[1].truthy() ? a[1] : a[0]; });
        m["count"] = fn(2, 2, [](Args a) -> Result<Value> {
            RE2 re(str(a[0]), RE2::Quiet);
            if (!re.ok())
                return Status::error("error parsing regexp: " + re.error());
            std::string s = str(a[1]);
            re2::StringPiece in(s);
            std::int64_t n = 0;
            while (!in.empty() && RE2::FindAndConsume(&in, re))
                ++n;
            return Value(n);
        });
        // Go's regexp ReplaceAllString ($1, ${name} expanded as Go does).
        m["regexReplaceAll"] = fn(3, 3, [](Args a) -> Result<Value> {
            auto replaced = gotmpl::regexReplaceAll(str(a[0]), str(a[2]), str(a[1]));
            if (!replaced.isOk())
                return replaced.status();
            return Value(std::move(replaced.value()));
        });
        m["regexReplaceAllLiteral"] = fn(3, 3, [](Args a) -> Result<Value> {
            RE2 re(str(a[0]), RE2::Quiet);
            if (!re.ok())
                return Status::error("error parsing regexp: " + re.error());
            std::string s = str(a[1]);
            RE2::GlobalReplace(&s, re, replaceAll(str(a[2]), "\\", "\\\\"));
            return Value(s);
        });
        m["b64enc"] = str1([](const std::string& s) { return base64Encode(s); });
        m["b64dec"] = str1([](const std::string& s) { return base64Decode(s); });
        m["urlencode"] = str1([](const std::string& s) { return urlEncode(s); });
        m["urldecode"] = fn(1, 1, [](Args a) -> Result<Value> {
            auto d = urlDecode(str(a[0]));
            if (!d.isOk())
                return d.status();
            return Value(d.value());
        });
        // Math (sprig): integer forms truncate, float forms don't.
        auto intOp = [](char op) {
            return fn(1, -1, [op](Args a) -> Result<Value> {
                std::int64_t acc = toInt(a[0]);
                for (std::size_t i = 1; i < a.size(); ++i) {
                    std::int64_t v = toInt(a[i]);
                    switch (op) {
                        case '+':
                            acc += v;
                            break;
                        case '-':
                            acc -= v;
                            break;
                        case '*':
                            acc *= v;
                            break;
                        case '/':
                        case '%':
                            if (v == 0)
                                return Status::error("integer divide by zero");
                            acc = op == '/' ? acc / v : acc % v;
                            break;
                        case '>':
                            acc = std::max(acc, v);
                            break;
                        case '<':
                            acc = std::min(acc, v);
                            break;
                    }
                }
                return Value(acc);
            });
        };
        m["add"] = intOp('+');
        m["sub"] = intOp('-');
        m["mul"] = intOp('*');
        m["div"] = intOp('/');
        m["mod"] = intOp('%');
        m["max"] = intOp('>');
        m["min"] = intOp('<');
        auto floatOp = [](char op) {
            return fn(1, -1, [op](Args a) -> Result<Value> {
                double acc = toFloat(a[0]);
                for (std::size_t i = 1; i < a.size(); ++i) {
                    double v = toFloat(a[i]);
                    switch (op) {
                        case '+':
                            acc += v;
                            break;
                        case '-':
                            acc -= v;
                            break;
                        case '*':
                            acc *= v;
                            break;
                        case '/':
                            acc /= v;
                            break;
                        case '>':
                            acc = std::max(acc, v);
                            break;
                        case '<':
                            acc = std::min(acc, v);
                            break;
                    }
                }
                return Value(acc);
            });
        };
        m["addf"] = floatOp('+');
        m["subf"] = floatOp('-');
        m["mulf"] = floatOp('*');
        m["divf"] = floatOp('/');
        m["maxf"] = floatOp('>');
        m["minf"] = floatOp('<');
        m["ceil"] =
            fn(1, 1, [](Args a) -> Result<Value> { return Value(std::ceil(toFloat(a[0]))); });
        m["floor"] =
            fn(1, 1, [](Args a) -> Result<Value> { return Value(std::floor(toFloat(a[0]))); });
        m["round"] = fn(2, 3, [](Args a) -> Result<Value> {
            double p = std::pow(10.0, static_cast<double>(toInt(a[1])));
            double roundOn = a.size() > 2 ? toFloat(a[2]) : 0.5;
            double digit = toFloat(a[0]) * p;
            double whole = std::trunc(digit);
            double r = digit - whole >= roundOn ? std::ceil(digit) : std::floor(digit);
            return Value(r / p);
        });
        m["int"] = fn(1, 1, [](Args a) -> Result<Value> { return Value(toInt(a[0])); });
        m["float64"] = fn(1, 1, [](Args a) -> Result<Value> { return Value(toFloat(a[0])); });
        // Loki's unit conversions.
        m["bytes"] = fn(1, 1, [](Args a) -> Result<Value> {
            auto b = parseHumanBytes(str(a[0]));
            return Value(b.isOk() ? static_cast<double>(b.value()) : 0.0);
        });
        m["duration"] = m["duration_seconds"] = fn(1, 1, [](Args a) -> Result<Value> {
            auto d = parseGoDuration(str(a[0]));
            return Value(d.isOk() ? static_cast<double>(d.value()) / 1e9 : 0.0);
        });
        // Time.
        m["now"] = fn(0, 0, [](Args) -> Result<Value> { return Value(timeFromNs(nowNs())); });
        m["unixEpoch"] =
            fn(1, 1, [](Args a) -> Result<Value> { return Value(asTime(a[0]).unixSeconds); });
        m["unixEpochMillis"] = fn(
            1, 1, [](Args a) -> Result<Value> { return Value(timeToNs(asTime(a[0])) / 1000000); });
        m["unixEpochNanos"] =
            fn(1, 1, [](Args a) -> Result<Value> { return Value(timeToNs(asTime(a[0]))); });
        m["unixToTime"] = fn(1, 1, [](Args a) -> Result<Value> {
            // Loki accepts seconds, milliseconds, microseconds or nanoseconds by length.
            std::string s = str(a[0]);
            long long v = std::strtoll(s.c_str(), nullptr, 10);
            std::int64_t ns = s.size() <= 10   ? v * 1000000000LL
                              : s.size() <= 13 ? v * 1000000LL
                              : s.size() <= 16 ? v * 1000LL
                                               : v;
            return Value(timeFromNs(ns));
        });
        m["date"] = fn(2, 2, [](Args a) -> Result<Value> {
            return Value(gotmpl::formatGoTime(asTime(a[1]), str(a[0])));
        });
        m["__line__"] = fn(0, 0, [](Args) -> Result<Value> {
            return Value(std::string(t_context ? t_context->line : std::string_view()));
        });
        m["__timestamp__"] = fn(0, 0, [](Args) -> Result<Value> {
            return Value(timeFromNs(t_context ? t_context->tsNs : 0));
        });
        return m;
    }();
    return kFunctions;
}

}  // namespace

Result<LineTemplate> LineTemplate::compile(std::string_view text) {
    gotmpl::Options options;
    options.missingKey = gotmpl::MissingKey::kZero;
    auto t = std::make_shared<gotmpl::Template>("line", options, lokiFunctions());
    Status s = t->parse(text);
    if (!s.isOk())
        return s;
    LineTemplate out;
    out.m_text = std::string(text);
    out.m_template = std::move(t);
    return out;
}

Result<std::string> LineTemplate::render(const Context& context) const {
    gotmpl::Map labels;
    if (context.forEachLabel)
        context.forEachLabel([&](std::string_view name, std::string_view value) {
            labels.insert_or_assign(std::string(name), Value(std::string(value)));
        });
    const Context* previous = t_context;
    t_context = &context;
    auto out = m_template->execute(Value::stringMap(std::move(labels)));
    t_context = previous;
    return out;
}

}  // namespace vigil::logql
