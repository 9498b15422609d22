#include "core/template/function_helpers.h"

#include <re2/re2.h>
#include <QtCore/QChar>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace vigil::gotmpl {

Status wrongType(std::string_view expected, const Value& got) {
    return Status::error("wrong type for value; expected " + std::string(expected) + "; got " +
                         got.typeName());
}

Result<std::string> stringArg(std::span<const Value> args, std::size_t i) {
    if (i >= args.size() || args[i].kind() != Value::Kind::kString)
        return wrongType("string", i < args.size() ? args[i] : Value());
    return args[i].asString();
}

Result<double> convertToFloat(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::kFloat:
            return v.asFloat();
        case Value::Kind::kInt:
            return static_cast<double>(v.asInt());
        case Value::Kind::kDuration: {
            std::int64_t ns = v.asDuration().nanos;
            return static_cast<double>(ns / 1000000000) +
                   static_cast<double>(ns % 1000000000) / 1e9;
        }
        case Value::Kind::kString: {
            // strconv.ParseFloat: the whole string must be a number.
            const std::string& s = v.asString();
            std::string lower;
            for (char c : s)
                lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string_view body = lower;
            if (!body.empty() && (body[0] == '+' || body[0] == '-'))
                body.remove_prefix(1);
            if (body == "inf" || body == "infinity")
                return lower[0] == '-' ? -INFINITY : INFINITY;
            if (body == "nan")
                return NAN;
            char* end = nullptr;
            double d = s.empty() ? 0 : std::strtod(s.c_str(), &end);
            if (s.empty() || end != s.c_str() + s.size() ||
                body.find_first_of("x") != std::string_view::npos ||
                body.find("inf") != std::string_view::npos ||
                body.find("nan") != std::string_view::npos)
                return Status::error("strconv.ParseFloat: parsing \"" + s + "\": invalid syntax");
            return d;
        }
        default:
            return Status::error("can't convert " + v.typeName() + " to float");
    }
}

std::string format4g(double v) {
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

Result<Value> humanizeDuration(const Value& value) {
    auto converted = convertToFloat(value);
    if (!converted.isOk())
        return converted.status();
    double v = converted.value();
    if (std::isnan(v) || std::isinf(v))
        return Value(format4g(v));
    if (v == 0)
        return Value(format4g(v) + "s");
    if (std::fabs(v) >= 1) {
        std::string sign;
        if (v < 0) {
            sign = "-";
            v = -v;
        }
        auto whole = static_cast<std::int64_t>(v);
        std::int64_t seconds = whole % 60;
        std::int64_t minutes = (whole / 60) % 60;
        std::int64_t hours = (whole / 60 / 60) % 24;
        std::int64_t days = whole / 60 / 60 / 24;
        auto s = [](std::int64_t x) { return std::to_string(x); };
        if (days != 0)
            return Value(sign + s(days) + "d " + s(hours) + "h " + s(minutes) + "m " + s(seconds) +
                         "s");
        if (hours != 0)
            return Value(sign + s(hours) + "h " + s(minutes) + "m " + s(seconds) + "s");
        if (minutes != 0)
            return Value(sign + s(minutes) + "m " + s(seconds) + "s");
        return Value(sign + format4g(v) + "s");
    }
    std::string prefix;
    for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
        if (std::fabs(v) >= 1)
            break;
        prefix = p;
        v *= 1000;
    }
    return Value(format4g(v) + prefix + "s");
}

namespace {
bool isLetter(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
bool isWordChar(unsigned char c) {
    return isLetter(c) || (c >= '0' && c <= '9') || c == '_';
}
}  // namespace

std::string titleCase(std::string_view s, bool lowerRest) {
    std::string out(s);
    bool inWord = false;
    bool capitalized = false;  // the word's first letter is done
    for (std::size_t i = 0; i < out.size(); ++i) {
        auto c = static_cast<unsigned char>(out[i]);
        if (isWordChar(c)) {
            if (!inWord) {
                inWord = true;
                capitalized = false;
            }
            if (isLetter(c)) {
                if (!capitalized) {
                    if (c < 0x80)
                        out[i] = static_cast<char>(std::toupper(c));
                    capitalized = true;
                } else if (lowerRest && c < 0x80) {
                    out[i] = static_cast<char>(std::tolower(c));
                }
            }
            continue;
        }
        bool joiner = (c == '\'' || c == '.' || c == ':') && inWord && i + 1 < out.size() &&
                      isLetter(static_cast<unsigned char>(out[i + 1])) && i > 0 &&
                      isLetter(static_cast<unsigned char>(out[i - 1]));
        if (!joiner)
            inWord = false;
    }
    return out;
}

std::string goStringsTitle(std::string_view s) {
    std::string out(s);
    bool previousIsSeparator = true;
    for (char& ch : out) {
        auto c = static_cast<unsigned char>(ch);
        if (previousIsSeparator && c < 0x80)
            ch = static_cast<char>(std::toupper(c));
        // Non-ASCII bytes are treated as letters (not separators).
        previousIsSeparator = !(isWordChar(c));
    }
    return out;
}

namespace {

// Go's regexp/syntax error text for an RE2 compile error.
std::string goRegexError(const RE2& re) {
    const char* code = "regexp/syntax: internal error";
    switch (re.error_code()) {
        case RE2::ErrorBadEscape:
            code = "invalid escape sequence";
            break;
        case RE2::ErrorBadCharClass:
            code = "invalid character class";
            break;
        case RE2::ErrorBadCharRange:
            code = "invalid character class range";
            break;
        case RE2::ErrorMissingBracket:
            code = "missing closing ]";
            break;
        case RE2::ErrorMissingParen:
            code = "missing closing )";
            break;
        case RE2::ErrorTrailingBackslash:
            code = "trailing backslash at end of expression";
            break;
        case RE2::ErrorRepeatArgument:
            code = "missing argument to repetition operator";
            break;
        case RE2::ErrorRepeatSize:
            code = "invalid repeat count";
            break;
        case RE2::ErrorRepeatOp:
            code = "invalid nested repetition operator";
            break;
        case RE2::ErrorBadPerlOp:
            code = "invalid or unsupported Perl syntax";
            break;
        case RE2::ErrorBadUTF8:
            code = "invalid UTF-8";
            break;
        case RE2::ErrorBadNamedCapture:
            code = "invalid named capture";
            break;
        case RE2::ErrorPatternTooLarge:
            code = "expression too large";
            break;
        default:
            if (re.error().find("unexpected )") != std::string::npos)
                code = "unexpected )";
            break;
    }
    return "error parsing regexp: " + std::string(code) + ": `" + re.error_arg() + "`";
}

}  // namespace

Result<bool> regexMatch(std::string_view pattern, std::string_view text) {
    RE2 re(re2::StringPiece(pattern.data(), pattern.size()), RE2::Quiet);
    if (!re.ok())
        return Status::error(goRegexError(re));
    return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re);
}

namespace {

// Go's regexp extract(): a group name or number after '$'.
bool extractName(std::string_view tmpl, std::string& name, int& num, std::size_t& consumed) {
    if (tmpl.empty())
        return false;
    bool brace = false;
    std::size_t i = 0;
    if (tmpl[0] == '{') {
        brace = true;
        i = 1;
    }
    std::size_t start = i;
    while (i < tmpl.size() && isWordChar(static_cast<unsigned char>(tmpl[i])) &&
           static_cast<unsigned char>(tmpl[i]) < 0x80)
        ++i;
    if (i == start)
        return false;
    name = std::string(tmpl.substr(start, i - start));
    if (brace) {
        if (i >= tmpl.size() || tmpl[i] != '}')
            return false;
        ++i;
    }
    consumed = i;
    num = 0;
    for (char c : name) {
        if (c < '0' || c > '9' || num >= 100000000) {
            num = -1;
            break;
        }
        num = num * 10 + (c - '0');
    }
    return true;
}

}  // namespace

Result<std::string> regexReplaceAll(std::string_view pattern, std::string_view repl,
                                    std::string_view text) {
    RE2 re(re2::StringPiece(pattern.data(), pattern.size()), RE2::Quiet);
    if (!re.ok())
        return Status::error("regexp: Compile(`" + std::string(pattern) +
                             "`): " + goRegexError(re));
    int groups = re.NumberOfCapturingGroups();
    std::vector<re2::StringPiece> match(static_cast<std::size_t>(groups) + 1);
    const auto& named = re.NamedCapturingGroups();
    re2::StringPiece input(text.data(), text.size());
    std::string out;
    std::size_t searchPos = 0;
    std::size_t lastMatchEnd = 0;
    while (searchPos <= text.size()) {
        if (!re.Match(input, searchPos, text.size(), RE2::UNANCHORED, match.data(), groups + 1))
            break;
        auto a0 = static_cast<std::size_t>(match[0].data() - text.data());
        std::size_t a1 = a0 + match[0].size();
        out.append(text.substr(lastMatchEnd, a0 - lastMatchEnd));
        if (a1 > lastMatchEnd || a0 == 0) {
            std::string_view tmpl = repl;
            while (!tmpl.empty()) {
                std::size_t dollar = tmpl.find('$');
                if (dollar == std::string_view::npos)
                    break;
                out.append(tmpl.substr(0, dollar));
                tmpl.remove_prefix(dollar + 1);
                if (!tmpl.empty() && tmpl[0] == '$') {
                    out += '$';
                    tmpl.remove_prefix(1);
                    continue;
                }
                std::string name;
                int num = -1;
                std::size_t consumed = 0;
                if (!extractName(tmpl, name, num, consumed)) {
                    out += '$';
                    continue;
                }
                tmpl.remove_prefix(consumed);
                int index = -1;
                if (num >= 0) {
                    index = num;
                } else {
                    auto it = named.find(name);
                    if (it != named.end())
                        index = it->second;
                }
                if (index >= 0 && index <= groups &&
                    match[static_cast<std::size_t>(index)].data() != nullptr)
                    out.append(match[static_cast<std::size_t>(index)].data(),
                               match[static_cast<std::size_t>(index)].size());
            }
            out.append(tmpl);
        }
        lastMatchEnd = a1;
        std::size_t width = 0;
        if (searchPos < text.size()) {
            auto c = static_cast<unsigned char>(text[searchPos]);
            width = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (searchPos + width > text.size())
                width = 1;
        }
        if (searchPos + width > a1)
            searchPos += width;
        else if (searchPos + 1 > a1)
            searchPos++;
        else
            searchPos = a1;
    }
    out.append(text.substr(lastMatchEnd));
    return out;
}

namespace {

// Maps each code point with Go's unicode.ToUpper/ToLower (simple case
// mapping; QChar's static functions use the same Unicode data). Invalid
// UTF-8 bytes are copied unchanged.
std::string mapCase(std::string_view s, bool upper) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out += static_cast<char>(upper ? std::toupper(c) : std::tolower(c));
            ++i;
            continue;
        }
        std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (n == 1 || i + n > s.size()) {
            out += s[i++];
            continue;
        }
        char32_t r = c & (0x7F >> n);
        bool valid = true;
        for (std::size_t k = 1; k < n; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            valid = valid && (cc & 0xC0) == 0x80;
            r = (r << 6) | (cc & 0x3F);
        }
        if (!valid) {
            out += s[i++];
            continue;
        }
        char32_t m = upper ? QChar::toUpper(r) : QChar::toLower(r);
        if (m < 0x80) {
            out += static_cast<char>(m);
        } else if (m < 0x800) {
            out += static_cast<char>(0xC0 | (m >> 6));
            out += static_cast<char>(0x80 | (m & 0x3F));
        } else if (m < 0x10000) {
            out += static_cast<char>(0xE0 | (m >> 12));
            out += static_cast<char>(0x80 | ((m >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (m & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (m >> 18));
            out += static_cast<char>(0x80 | ((m >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((m >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (m & 0x3F));
        }
        i += n;
    }
    return out;
}

}  // namespace

std::string toUpper(std::string_view s) {
    return mapCase(s, true);
}
std::string toLower(std::string_view s) {
    return mapCase(s, false);
}

Function stringFunction(std::string (*fn)(std::string_view)) {
    return Function{[fn](std::span<const Value> args) -> Result<Value> {
                        auto s = stringArg(args, 0);
                        if (!s.isOk())
                            return s.status();
                        return Value(fn(s.value()));
                    },
                    1, 1};
}

void addSharedStringFunctions(FuncMap& f) {
    f["toUpper"] = stringFunction([](std::string_view s) { return toUpper(s); });
    f["toLower"] = stringFunction([](std::string_view s) { return toLower(s); });
    f["match"] = {[](std::span<const Value> args) -> Result<Value> {
                      auto pattern = stringArg(args, 0);
                      auto text = stringArg(args, 1);
                      if (!pattern.isOk())
                          return pattern.status();
                      if (!text.isOk())
                          return text.status();
                      auto r = regexMatch(pattern.value(), text.value());
                      if (!r.isOk())
                          return r.status();
                      return Value(r.value());
                  },
                  2, 2};
    f["reReplaceAll"] = {[](std::span<const Value> args) -> Result<Value> {
                             auto pattern = stringArg(args, 0);
                             auto repl = stringArg(args, 1);
                             auto text = stringArg(args, 2);
                             if (!pattern.isOk())
                                 return pattern.status();
                             if (!repl.isOk())
                                 return repl.status();
                             if (!text.isOk())
                                 return text.status();
                             auto r = regexReplaceAll(pattern.value(), repl.value(), text.value());
                             if (!r.isOk())
                                 return r.status();
                             return Value(std::move(r).value());
                         },
                         3, 3};
    f["safeHtml"] = {[](std::span<const Value> args) -> Result<Value> {
                         auto s = stringArg(args, 0);
                         if (!s.isOk())
                             return s.status();
                         return Value::safeHtml(s.value());
                     },
                     1, 1};
}

}  // namespace vigil::gotmpl
