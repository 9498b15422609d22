#include "core/template/go_time.h"

#include <array>
#include <cstdio>

namespace vigil::gotmpl {
namespace {

constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
constexpr std::array<const char*, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

struct Civil {
    std::int64_t year;
    int month;  // 1..12
    int day;    // 1..31
    int hour, minute, second;
    int weekday;  // 0 = Sunday
    int yearDay;  // 1..366
};

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

// Howard Hinnant's civil_from_days.
Civil civilFromSeconds(std::int64_t seconds) {
    std::int64_t days = floorDiv(seconds, 86400);
    std::int64_t rem = seconds - days * 86400;
    Civil c{};
    c.hour = static_cast<int>(rem / 3600);
    c.minute = static_cast<int>((rem % 3600) / 60);
    c.second = static_cast<int>(rem % 60);
    c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
    std::int64_t z = days + 719468;
    std::int64_t era = floorDiv(z, 146097);
    std::int64_t doe = z - era * 146097;
    std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = yoe + era * 400;
    std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    std::int64_t mp = (5 * doy + 2) / 153;
    c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    c.year = y + (c.month <= 2 ? 1 : 0);
    static constexpr std::array<int, 12> kCumulative = {0,   31,  59,  90,  120, 151,
                                                        181, 212, 243, 273, 304, 334};
    bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
    c.yearDay = kCumulative[static_cast<std::size_t>(c.month - 1)] + c.day +
                ((leap && c.month > 2) ? 1 : 0);
    return c;
}

void appendInt(std::string& out, std::int64_t v, int width, char pad = '0') {
    std::string digits = std::to_string(v < 0 ? -v : v);
    if (v < 0)
        out += '-';
    for (int i = static_cast<int>(digits.size()); i < width; ++i)
        out += pad;
    out += digits;
}

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

void appendZone(std::string& out, int offset, bool z, bool colon, bool seconds, bool hoursOnly) {
    if (z && offset == 0) {
        out += 'Z';
        return;
    }
    out += offset < 0 ? '-' : '+';
    int abs = offset < 0 ? -offset : offset;
    appendInt(out, abs / 3600, 2);
    if (hoursOnly)
        return;
    if (colon)
        out += ':';
    appendInt(out, (abs / 60) % 60, 2);
    if (seconds) {
        if (colon)
            out += ':';
        appendInt(out, abs % 60, 2);
    }
}

}  // namespace

TimeValue timeFromUnixMillis(std::int64_t ms) {
    TimeValue t;
    t.unixSeconds = floorDiv(ms, 1000);
    t.nanos = static_cast<std::int32_t>((ms - t.unixSeconds * 1000) * 1000000);
    return t;
}

std::string formatGoTime(const TimeValue& time, std::string_view layout) {
    Civil c = civilFromSeconds(time.unixSeconds + time.offsetSeconds);
    std::string out;
    std::size_t i = 0;
    while (i < layout.size()) {
        std::string_view rest = layout.substr(i);
        auto take = [&](std::string_view token) {
            if (!startsWith(rest, token))
                return false;
            i += token.size();
            return true;
        };
        if (take("January")) {
            out += kMonths[static_cast<std::size_t>(c.month - 1)];
        } else if (take("Jan")) {
            out += std::string_view(kMonths[static_cast<std::size_t>(c.month - 1)]).substr(0, 3);
        } else if (take("Monday")) {
            out += kDays[static_cast<std::size_t>(c.weekday)];
        } else if (take("Mon")) {
            out += std::string_view(kDays[static_cast<std::size_t>(c.weekday)]).substr(0, 3);
        } else if (take("MST")) {
            if (!time.zone.empty()) {
                out += time.zone;
            } else {
                appendZone(out, time.offsetSeconds, false, false, false, false);
            }
        } else if (take("2006")) {
            appendInt(out, c.year, 4);
        } else if (take("-07:00:00")) {
            appendZone(out, time.offsetSeconds, false, true, true, false);
        } else if (take("-070000")) {
            appendZone(out, time.offsetSeconds, false, false, true, false);
        } else if (take("-07:00")) {
            appendZone(out, time.offsetSeconds, false, true, false, false);
        } else if (take("-0700")) {
            appendZone(out, time.offsetSeconds, false, false, false, false);
        } else if (take("-07")) {
            appendZone(out, time.offsetSeconds, false, false, false, true);
        } else if (take("Z07:00:00")) {
            appendZone(out, time.offsetSeconds, true, true, true, false);
        } else if (take("Z070000")) {
            appendZone(out, time.offsetSeconds, true, false, true, false);
        } else if (take("Z07:00")) {
            appendZone(out, time.offsetSeconds, true, true, false, false);
        } else if (take("Z0700")) {
            appendZone(out, time.offsetSeconds, true, false, false, false);
        } else if (take("Z07")) {
            appendZone(out, time.offsetSeconds, true, false, false, true);
        } else if (take("002")) {
            appendInt(out, c.yearDay, 3);
        } else if (take("__2")) {
            appendInt(out, c.yearDay, 3, ' ');
        } else if (take("01")) {
            appendInt(out, c.month, 2);
        } else if (take("02")) {
            appendInt(out, c.day, 2);
        } else if (take("03")) {
            appendInt(out, c.hour % 12 == 0 ? 12 : c.hour % 12, 2);
        } else if (take("04")) {
            appendInt(out, c.minute, 2);
        } else if (take("05")) {
            appendInt(out, c.second, 2);
        } else if (take("06")) {
            appendInt(out, ((c.year % 100) + 100) % 100, 2);
        } else if (take("_2")) {
            appendInt(out, c.day, 2, ' ');
        } else if (take("15")) {
            appendInt(out, c.hour, 2);
        } else if (take("PM")) {
            out += c.hour >= 12 ? "PM" : "AM";
        } else if (take("pm")) {
            out += c.hour >= 12 ? "pm" : "am";
        } else if ((rest[0] == '.' || rest[0] == ',') && rest.size() >= 2 &&
                   (rest[1] == '0' || rest[1] == '9') &&
                   // Go: a run of 0s or 9s after '.' not followed by a digit.
                   [&] {
                       std::size_t j = 1;
                       while (j < rest.size() && rest[j] == rest[1])
                           ++j;
                       return j == rest.size() || rest[j] < '0' || rest[j] > '9';
                   }()) {
            std::size_t j = 1;
            while (j < rest.size() && rest[j] == rest[1])
                ++j;
            int digits = static_cast<int>(j - 1);
            char buf[16];
            std::snprintf(buf, sizeof buf, "%09d", time.nanos);
            std::string frac(buf, static_cast<std::size_t>(digits > 9 ? 9 : digits));
            if (rest[1] == '9') {
                while (!frac.empty() && frac.back() == '0')
                    frac.pop_back();
                if (!frac.empty()) {
                    out += rest[0];
                    out += frac;
                }
            } else {
                out += rest[0];
                out += frac;
            }
            i += j;
        } else if (take("1")) {
            appendInt(out, c.month, 0);
        } else if (take("2")) {
            appendInt(out, c.day, 0);
        } else if (take("3")) {
            appendInt(out, c.hour % 12 == 0 ? 12 : c.hour % 12, 0);
        } else if (take("4")) {
            appendInt(out, c.minute, 0);
        } else if (take("5")) {
            appendInt(out, c.second, 0);
        } else {
            out += rest[0];
            ++i;
        }
    }
    return out;
}

namespace {

// Go's fmtFrac/fmtInt from time.Duration.String.
void appendFrac(std::string& out, std::uint64_t& v, int prec) {
    std::string digits;
    bool print = false;
    for (int i = 0; i < prec; ++i) {
        int digit = static_cast<int>(v % 10);
        print = print || digit != 0;
        if (print)
            digits.insert(digits.begin(), static_cast<char>('0' + digit));
        v /= 10;
    }
    if (print)
        out.insert(0, "." + digits);
}

}  // namespace

std::string formatGoDuration(std::int64_t nanos) {
    if (nanos == 0)
        return "0s";
    bool negative = nanos < 0;
    std::uint64_t u =
        negative ? static_cast<std::uint64_t>(-(nanos + 1)) + 1 : static_cast<std::uint64_t>(nanos);
    std::string out;
    if (u < 1000000000ULL) {
        // Sub-second: use ns, µs or ms.
        int prec = 0;
        const char* unit = "ns";
        if (u < 1000ULL) {
            out = std::to_string(u) + "ns";
        } else {
            if (u < 1000000ULL) {
                prec = 3;
                unit = "\u00b5s";
            } else {
                prec = 6;
                unit = "ms";
            }
            std::string tail;
            appendFrac(tail, u, prec);
            out = std::to_string(u) + tail + unit;
        }
    } else {
        std::string tail;
        appendFrac(tail, u, 9);
        out = std::to_string(u % 60) + tail + "s";
        u /= 60;
        if (u > 0) {
            out = std::to_string(u % 60) + "m" + out;
            u /= 60;
            if (u > 0)
                out = std::to_string(u) + "h" + out;
        }
    }
    if (negative)
        out.insert(0, "-");
    return out;
}

}  // namespace vigil::gotmpl
