#include "core/logs/logql/value_parse.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "core/util/go_quote.h"

namespace vigil::logql {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

Status floatSyntax(std::string_view text) {
    return Status::error("strconv.ParseFloat: parsing " + goQuote(text) + ": invalid syntax");
}

}  // namespace

Result<double> parseGoFloat(std::string_view text) {
    std::string_view s = text;
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (iequals(s, "inf") || iequals(s, "infinity"))
        return negative ? -std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::infinity();
    if (iequals(s, "nan")) {
        if (text.size() != s.size())
            return floatSyntax(text);  // Go rejects "+NaN"
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (s.empty())
        return floatSyntax(text);
    if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        // Hex float: mantissa digits, optional '.', mandatory p exponent.
        std::size_t i = 2;
        double mant = 0;
        int exp2 = 0;
        bool digits = false, dot = false;
        for (; i < s.size(); ++i) {
            char c = s[i];
            if (c == '.' && !dot) {
                dot = true;
                continue;
            }
            if (!std::isxdigit(static_cast<unsigned char>(c)))
                break;
            digits = true;
            int d = std::isdigit(static_cast<unsigned char>(c))
                        ? c - '0'
                        : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
            mant = mant * 16 + d;
            if (dot)
                exp2 -= 4;
        }
        if (!digits || i >= s.size() || (s[i] != 'p' && s[i] != 'P'))
            return floatSyntax(text);
        ++i;
        std::string_view e = s.substr(i);
        int sign = 1;
        if (!e.empty() && (e[0] == '+' || e[0] == '-')) {
            sign = e[0] == '-' ? -1 : 1;
            e.remove_prefix(1);
        }
        int ev = 0;
        auto [p, ec] = std::from_chars(e.data(), e.data() + e.size(), ev);
        if (ec != std::errc() || p != e.data() + e.size() || e.empty())
            return floatSyntax(text);
        double v = std::ldexp(mant, exp2 + sign * ev);
        return negative ? -v : v;
    }
    // Decimal: digits [. digits] [e [+-] digits]; underscores are not allowed
    // without a base prefix.
    std::size_t i = 0;
    bool digits = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
        ++i, digits = true;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            ++i, digits = true;
    }
    if (!digits)
        return floatSyntax(text);
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        bool expDigits = false;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            ++i, expDigits = true;
        if (!expDigits)
            return floatSyntax(text);
    }
    if (i != s.size())
        return floatSyntax(text);
    std::string copy(s);
    double v = std::strtod(copy.c_str(), nullptr);
    return negative ? -v : v;
}

Result<std::int64_t> parseGoDuration(std::string_view text) {
    std::string_view s = text;
    auto invalid = [&] { return Status::error("time: invalid duration " + goQuote(text)); };
    bool negative = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s == "0")
        return std::int64_t{0};
    if (s.empty())
        return invalid();
    double total = 0;
    while (!s.empty()) {
        if (!(s[0] == '.' || std::isdigit(static_cast<unsigned char>(s[0]))))
            return invalid();
        std::size_t i = 0;
        bool digits = false;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            ++i, digits = true;
        if (i < s.size() && s[i] == '.') {
            ++i;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
                ++i, digits = true;
        }
        if (!digits)
            return invalid();
        double v = std::strtod(std::string(s.substr(0, i)).c_str(), nullptr);
        s.remove_prefix(i);
        std::size_t u = 0;
        while (u < s.size() && s[u] != '.' && !std::isdigit(static_cast<unsigned char>(s[u])))
            ++u;
        if (u == 0)
            return Status::error("time: missing unit in duration " + goQuote(text));
        std::string_view unit = s.substr(0, u);
        s.remove_prefix(u);
        double scale;
        if (unit == "ns")
            scale = 1;
        else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
            scale = 1e3;
        else if (unit == "ms")
            scale = 1e6;
        else if (unit == "s")
            scale = 1e9;
        else if (unit == "m")
            scale = 60e9;
        else if (unit == "h")
            scale = 3600e9;
        else
            return Status::error("time: unknown unit " + goQuote(unit) + " in duration " +
                                 goQuote(text));
        total += v * scale;
    }
    if (total > 9.2233720368547758e18)
        return invalid();
    auto ns = static_cast<std::int64_t>(std::llround(total));
    return negative ? -ns : ns;
}

Result<std::uint64_t> parseHumanBytes(std::string_view text) {
    std::size_t last = 0;
    bool comma = false;
    while (last < text.size() && (std::isdigit(static_cast<unsigned char>(text[last])) ||
                                  text[last] == '.' || text[last] == ',')) {
        if (text[last] == ',')
            comma = true;
        ++last;
    }
    std::string num(text.substr(0, last));
    if (comma)
        std::erase(num, ',');
    auto f = parseGoFloat(num);
    if (!f.isOk())
        return f.status();
    std::string_view extraView = text.substr(last);
    while (!extraView.empty() && std::isspace(static_cast<unsigned char>(extraView.front())))
        extraView.remove_prefix(1);
    while (!extraView.empty() && std::isspace(static_cast<unsigned char>(extraView.back())))
        extraView.remove_suffix(1);
    std::string extra(extraView);
    for (char& c : extra)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    struct Unit {
        const char* name;
        double mult;
    };
    static const Unit kUnits[] = {{"", 1},
                                  {"b", 1},
                                  {"kib", 1024.0},
                                  {"ki", 1024.0},
                                  {"kb", 1e3},
                                  {"k", 1e3},
                                  {"mib", 1048576.0},
                                  {"mi", 1048576.0},
                                  {"mb", 1e6},
                                  {"m", 1e6},
                                  {"gib", 1073741824.0},
                                  {"gi", 1073741824.0},
                                  {"gb", 1e9},
                                  {"g", 1e9},
                                  {"tib", 1099511627776.0},
                                  {"ti", 1099511627776.0},
                                  {"tb", 1e12},
                                  {"t", 1e12},
                                  {"pib", 1125899906842624.0},
                                  {"pi", 1125899906842624.0},
                                  {"pb", 1e15},
                                  {"p", 1e15},
                                  {"eib", 1152921504606846976.0},
                                  {"ei", 1152921504606846976.0},
                                  {"eb", 1e18},
                                  {"e", 1e18}};
    for (const Unit& u : kUnits) {
        if (extra == u.name) {
            double v = f.value() * u.mult;
            if (v >= 18446744073709551615.0)
                return Status::error("too large: " + std::string(text));
            return static_cast<std::uint64_t>(v);
        }
    }
    return Status::error("unhandled size name: " + extra);
}

}  // namespace vigil::logql
