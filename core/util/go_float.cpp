#include "core/util/go_float.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace vigil {
namespace {

// The shortest round-tripping decimal digits of |v| and its decimal exponent:
// |v| = 0.d1d2d3... * 10^decimalPoint, as Go's decimal conversion returns them.
struct ShortestDigits {
    char digits[32];
    int count = 0;
    int decimalPoint = 0;
};

ShortestDigits shortestDigits(double v) {
    ShortestDigits out;
    char buf[64];
    auto [end, ec] =
        std::to_chars(buf, buf + sizeof buf - 1, std::fabs(v), std::chars_format::scientific);
    (void)ec;
    *end = '\0';  // for atoi below
    // buf holds "d.ddddde+XX" or "de+XX".
    const char* p = buf;
    const char* e = p;
    while (e < end && *e != 'e')
        ++e;
    for (const char* q = p; q < e; ++q) {
        if (*q != '.')
            out.digits[out.count++] = *q;
    }
    const int exponent = std::atoi(e + 1);
    // Trim trailing zeros ("1e+06" comes as "1e+06" already, but be safe).
    while (out.count > 1 && out.digits[out.count - 1] == '0')
        --out.count;
    out.decimalPoint = exponent + 1;
    if (out.count == 1 && out.digits[0] == '0')
        out.decimalPoint = 0;
    return out;
}

bool appendSpecial(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
        return true;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "+Inf" : "-Inf";
        return true;
    }
    return false;
}

void appendFixed(std::string& out, const ShortestDigits& d) {
    if (d.decimalPoint <= 0) {
        out += "0";
        if (d.count == 1 && d.digits[0] == '0')
            return;
        out += '.';
        out.append(static_cast<std::size_t>(-d.decimalPoint), '0');
        out.append(d.digits, static_cast<std::size_t>(d.count));
        return;
    }
    if (d.decimalPoint >= d.count) {
        out.append(d.digits, static_cast<std::size_t>(d.count));
        out.append(static_cast<std::size_t>(d.decimalPoint - d.count), '0');
        return;
    }
    out.append(d.digits, static_cast<std::size_t>(d.decimalPoint));
    out += '.';
    out.append(d.digits + d.decimalPoint, static_cast<std::size_t>(d.count - d.decimalPoint));
}

}  // namespace

void appendFloatG(std::string& out, double v) {
    if (appendSpecial(out, v))
        return;
    if (std::signbit(v))
        out += '-';
    const ShortestDigits d = shortestDigits(v);
    const bool zero = d.count == 1 && d.digits[0] == '0';
    const int exponent = d.decimalPoint - 1;
    // strconv: with the shortest precision, %e is chosen when the decimal
    // exponent is below -4 or at least 6 ("1e+06", "0.0001", "1e-05").
    if (!zero && (exponent < -4 || exponent >= 6)) {
        out += d.digits[0];
        if (d.count > 1) {
            out += '.';
            out.append(d.digits + 1, static_cast<std::size_t>(d.count - 1));
        }
        out += 'e';
        int x = exponent;
        out += x < 0 ? '-' : '+';
        if (x < 0)
            x = -x;
        if (x < 10)
            out += '0';
        out += std::to_string(x);
        return;
    }
    appendFixed(out, d);
}

void appendFloatF(std::string& out, double v) {
    if (appendSpecial(out, v))
        return;
    if (std::signbit(v))
        out += '-';
    appendFixed(out, shortestDigits(v));
}

std::string formatFloatG(double v) {
    std::string out;
    appendFloatG(out, v);
    return out;
}

std::string formatFloatF(double v) {
    std::string out;
    appendFloatF(out, v);
    return out;
}

}  // namespace vigil
