// Go's fmt.Sprint/Sprintln/Sprintf and text/template's escapers over Values.
#include <cmath>
#include <cstdio>
#include <string>

#include "core/template/template.h"
#include "core/util/go_float.h"
#include "core/util/go_quote.h"

namespace vigil::gotmpl {
namespace {

std::size_t runeCount(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80)
            ++n;
    return n;
}

void appendRune(std::string& out, std::uint32_t r) {
    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        r = 0xFFFD;
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
}

struct Spec {
    bool minus = false, plus = false, sharp = false, space = false, zero = false;
    int width = -1;
    int precision = -1;
};

void pad(std::string& out, std::string_view body, const Spec& spec, bool numeric) {
    std::size_t n = runeCount(body);
    if (spec.width < 0 || n >= static_cast<std::size_t>(spec.width)) {
        out += body;
        return;
    }
    std::size_t fill = static_cast<std::size_t>(spec.width) - n;
    if (spec.minus) {
        out += body;
        out.append(fill, ' ');
    } else if (spec.zero) {
        // Zeros go after the sign.
        if (numeric && !body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) {
            out += body[0];
            out.append(fill, '0');
            out += body.substr(1);
        } else {
            out.append(fill, '0');
            out += body;
        }
    } else {
        out.append(fill, ' ');
        out += body;
    }
}

std::string badVerb(char verb, const Value& v) {
    std::string out = "%!";
    out += verb;
    out += '(';
    if (v.isNil()) {
        out += "<nil>";
    } else {
        out += v.typeName();
        out += '=';
        out += v.toString();
    }
    out += ')';
    return out;
}

std::string formatInteger(std::int64_t v, char verb, const Spec& spec) {
    bool negative = v < 0;
    std::uint64_t u =
        negative ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
    std::string digits;
    int base = 10;
    const char* alphabet = "0123456789abcdefx";
    switch (verb) {
        case 'x':
            base = 16;
            break;
        case 'X':
            base = 16;
            alphabet = "0123456789ABCDEFX";
            break;
        case 'o':
            base = 8;
            break;
        case 'b':
            base = 2;
            break;
        default:
            break;
    }
    do {
        digits.insert(digits.begin(), alphabet[u % static_cast<unsigned>(base)]);
        u /= static_cast<unsigned>(base);
    } while (u > 0);
    if (spec.precision >= 0) {
        while (digits.size() < static_cast<std::size_t>(spec.precision))
            digits.insert(digits.begin(), '0');
        if (spec.precision == 0 && v == 0)
            digits.clear();
    }
    if (spec.sharp) {
        if (base == 16)
            digits.insert(0, verb == 'X' ? "0X" : "0x");
        else if (base == 8 && (digits.empty() || digits[0] != '0'))
            digits.insert(0, "0");
        else if (base == 2)
            digits.insert(0, "0b");
    }
    if (negative)
        digits.insert(digits.begin(), '-');
    else if (spec.plus)
        digits.insert(digits.begin(), '+');
    else if (spec.space)
        digits.insert(digits.begin(), ' ');
    return digits;
}

std::string formatFloat(double v, char verb, const Spec& spec) {
    if (std::isnan(v) || std::isinf(v)) {
        std::string s = std::isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
        if (std::isnan(v) && spec.plus)
            s = "+NaN";
        else if (s == "+Inf" && !spec.plus)
            s = spec.space ? " Inf" : "+Inf";
        return s;
    }
    std::string s;
    if ((verb == 'g' || verb == 'G' || verb == 'v') && spec.precision < 0) {
        s = formatFloatG(v);
        if (verb == 'G')
            for (char& c : s)
                if (c == 'e')
                    c = 'E';
    } else {
        std::string fmt = "%";
        if (spec.sharp)
            fmt += '#';
        fmt += ".*";
        fmt += verb == 'F' ? 'f' : verb == 'v' ? 'g' : verb;
        int precision = spec.precision < 0 ? 6 : spec.precision;
        char buf[512];
        int n = std::snprintf(buf, sizeof buf, fmt.c_str(), precision, v);
        if (n >= static_cast<int>(sizeof buf)) {
            std::string big(static_cast<std::size_t>(n) + 1, '\0');
            std::snprintf(big.data(), big.size(), fmt.c_str(), precision, v);
            big.resize(static_cast<std::size_t>(n));
            s = big;
        } else {
            s.assign(buf, static_cast<std::size_t>(n));
        }
    }
    if (s[0] != '-') {
        if (spec.plus)
            s.insert(s.begin(), '+');
        else if (spec.space)
            s.insert(s.begin(), ' ');
    }
    return s;
}

void formatOne(std::string& out, char verb, const Spec& spec, const Value& v) {
    using K = Value::Kind;
    // fmt applies the verb to each element of a slice or map.
    if (v.kind() == K::kList || v.kind() == K::kMap) {
        if (v.kind() == K::kList) {
            out += '[';
            bool first = true;
            for (const Value& item : v.asList()) {
                if (!first)
                    out += ' ';
                first = false;
                formatOne(out, verb, spec, item);
            }
            out += ']';
        } else {
            out += "map[";
            bool first = true;
            for (const auto& [key, item] : v.asMap()) {
                if (!first)
                    out += ' ';
                first = false;
                formatOne(out, verb, spec, Value(key));
                out += ':';
                formatOne(out, verb, spec, item);
            }
            out += ']';
        }
        return;
    }
    std::string body;
    bool numeric = false;
    switch (verb) {
        case 'v':
            if (v.kind() == K::kFloat) {
                body = formatFloat(v.asFloat(), 'g', spec);
                numeric = true;
            } else if (v.kind() == K::kInt) {
                body = formatInteger(v.asInt(), 'd', spec);
                numeric = true;
            } else if (v.kind() == K::kString && spec.sharp) {
                body = goQuote(v.asString());
            } else {
                body = v.toString();
            }
            break;
        case 's':
            switch (v.kind()) {
                case K::kString:
                case K::kList:
                case K::kMap:
                case K::kStruct:
                case K::kTime:
                case K::kDuration:
                    body = v.toString();
                    if (spec.precision >= 0 && v.kind() == K::kString) {
                        // Precision truncates to that many runes.
                        std::size_t runes = 0, i = 0;
                        for (; i < body.size(); ++i) {
                            if ((static_cast<unsigned char>(body[i]) & 0xC0) != 0x80) {
                                if (runes == static_cast<std::size_t>(spec.precision))
                                    break;
                                ++runes;
                            }
                        }
                        body.resize(i);
                    }
                    break;
                default:
                    out += badVerb(verb, v);
                    return;
            }
            break;
        case 'q':
            if (v.kind() == K::kString || v.kind() == K::kTime || v.kind() == K::kDuration) {
                body = goQuote(v.toString());
            } else if (v.kind() == K::kInt) {
                std::string r;
                appendRune(r, static_cast<std::uint32_t>(v.asInt()));
                body = "'" + r + "'";
            } else {
                out += badVerb(verb, v);
                return;
            }
            break;
        case 'd':
        case 'o':
        case 'b':
            if (v.kind() != K::kInt) {
                out += badVerb(verb, v);
                return;
            }
            body = formatInteger(v.asInt(), verb, spec);
            numeric = true;
            break;
        case 'x':
        case 'X':
            if (v.kind() == K::kInt) {
                body = formatInteger(v.asInt(), verb, spec);
                numeric = true;
            } else if (v.kind() == K::kString) {
                const char* digits = verb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
                for (unsigned char c : v.asString()) {
                    body += digits[c >> 4];
                    body += digits[c & 15];
                }
            } else {
                out += badVerb(verb, v);
                return;
            }
            break;
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
            if (v.kind() != K::kFloat) {
                out += badVerb(verb, v);
                return;
            }
            body = formatFloat(v.asFloat(), verb, spec);
            numeric = std::isfinite(v.asFloat());
            break;
        case 't':
            if (v.kind() != K::kBool) {
                out += badVerb(verb, v);
                return;
            }
            body = v.asBool() ? "true" : "false";
            break;
        case 'c':
            if (v.kind() != K::kInt) {
                out += badVerb(verb, v);
                return;
            }
            appendRune(body, static_cast<std::uint32_t>(v.asInt()));
            break;
        case 'U': {
            if (v.kind() != K::kInt) {
                out += badVerb(verb, v);
                return;
            }
            char buf[32];
            std::snprintf(buf, sizeof buf, "U+%04llX", static_cast<unsigned long long>(v.asInt()));
            body = buf;
            break;
        }
        default:
            out += badVerb(verb, v);
            return;
    }
    Spec effective = spec;
    if (!numeric && verb != 's' && verb != 'v' && verb != 'q' && verb != 'x' && verb != 'X')
        effective.zero = false;
    pad(out, body, effective, numeric);
}

}  // namespace

std::string goSprintf(std::string_view format, std::span<const Value> args) {
    std::string out;
    std::size_t argIndex = 0;
    std::size_t i = 0;
    while (i < format.size()) {
        char c = format[i];
        if (c != '%') {
            out += c;
            ++i;
            continue;
        }
        ++i;
        if (i >= format.size()) {
            out += "%!(NOVERB)";
            break;
        }
        Spec spec;
        for (; i < format.size(); ++i) {
            char f = format[i];
            if (f == '-') {
                spec.minus = true;
                spec.zero = false;
            } else if (f == '+') {
                spec.plus = true;
            } else if (f == '#') {
                spec.sharp = true;
            } else if (f == ' ') {
                spec.space = true;
            } else if (f == '0') {
                spec.zero = !spec.minus;
            } else {
                break;
            }
        }
        auto readNumber = [&](int& target) {
            if (i < format.size() && format[i] == '*') {
                ++i;
                if (argIndex < args.size() && args[argIndex].kind() == Value::Kind::kInt) {
                    target = static_cast<int>(args[argIndex].asInt());
                    if (target < 0) {
                        spec.minus = true;
                        target = -target;
                    }
                } else {
                    out += "%!(BADWIDTH)";
                }
                ++argIndex;
                return;
            }
            if (i < format.size() && format[i] >= '0' && format[i] <= '9') {
                target = 0;
                while (i < format.size() && format[i] >= '0' && format[i] <= '9')
                    target = target * 10 + (format[i++] - '0');
            }
        };
        readNumber(spec.width);
        if (i < format.size() && format[i] == '.') {
            ++i;
            spec.precision = 0;
            readNumber(spec.precision);
        }
        if (i >= format.size()) {
            out += "%!(NOVERB)";
            break;
        }
        char verb = format[i++];
        if (verb == '%') {
            out += '%';
            continue;
        }
        if (argIndex >= args.size()) {
            out += "%!";
            out += verb;
            out += "(MISSING)";
            continue;
        }
        formatOne(out, verb, spec, args[argIndex++]);
    }
    if (argIndex < args.size()) {
        out += "%!(EXTRA ";
        for (std::size_t k = argIndex; k < args.size(); ++k) {
            if (k > argIndex)
                out += ", ";
            if (args[k].isNil()) {
                out += "<nil>";
            } else {
                out += args[k].typeName();
                out += '=';
                out += args[k].toString();
            }
        }
        out += ')';
    }
    return out;
}

std::string goSprint(std::span<const Value> args) {
    std::string out;
    bool prevString = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        bool isString = args[i].kind() == Value::Kind::kString;
        if (i > 0 && !isString && !prevString)
            out += ' ';
        out += args[i].toString();
        prevString = isString;
    }
    return out;
}

std::string goSprintln(std::span<const Value> args) {
    std::string out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (i > 0)
            out += ' ';
        out += args[i].toString();
    }
    out += '\n';
    return out;
}

std::string htmlEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '"':
                out += "&#34;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '\0':
                out += "\uFFFD";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string jsEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    auto unicode = [&](unsigned v) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04X", v);
        out += buf;
    };
    for (char ch : s) {
        unsigned char c = static_cast<unsigned char>(ch);
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\'':
                out += "\\'";
                break;
            case '"':
                out += "\\\"";
                break;
            case '<':
                out += "\\u003C";
                break;
            case '>':
                out += "\\u003E";
                break;
            case '&':
                out += "\\u0026";
                break;
            case '=':
                out += "\\u003D";
                break;
            default:
                if (c < ' ')
                    unicode(c);
                else
                    out += ch;
        }
    }
    return out;
}

std::string urlQueryEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char ch : s) {
        unsigned char c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace vigil::gotmpl
