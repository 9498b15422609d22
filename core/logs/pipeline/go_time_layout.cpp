#include "core/logs/pipeline/go_time_layout.h"

#include <QByteArray>
#include <QDateTime>
#include <QTimeZone>

#include <array>
#include <cctype>

namespace vigil::logs::pipeline {
namespace {

enum class Std {
    kNone,
    kLongMonth,
    kMonth,
    kNumMonth,
    kZeroMonth,
    kLongWeekDay,
    kWeekDay,
    kDay,
    kUnderDay,
    kZeroDay,
    kUnderYearDay,
    kZeroYearDay,
    kHour,
    kHour12,
    kZeroHour12,
    kMinute,
    kZeroMinute,
    kSecond,
    kZeroSecond,
    kLongYear,
    kYear,
    kPM,
    kpm,
    kTZ,
    kISO8601TZ,
    kISO8601SecondsTZ,
    kISO8601ShortTZ,
    kISO8601ColonTZ,
    kISO8601ColonSecondsTZ,
    kNumTZ,
    kNumSecondsTz,
    kNumShortTZ,
    kNumColonTZ,
    kNumColonSecondsTZ,
    kFracSecond0,
    kFracSecond9,
};

struct Chunk {
    std::string_view prefix;
    Std std = Std::kNone;
    int fracDigits = 0;
    std::string_view stdText;
    std::string_view suffix;
};

bool startsWith(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

// Go's nextStdChunk: the literal prefix, the first layout element and the rest.
Chunk nextChunk(std::string_view layout) {
    for (std::size_t i = 0; i < layout.size(); ++i) {
        const std::string_view rest = layout.substr(i);
        auto hit = [&](Std std, std::size_t len, int frac = 0) {
            return Chunk{layout.substr(0, i), std, frac, layout.substr(i, len),
                         layout.substr(i + len)};
        };
        switch (layout[i]) {
            case 'J':
                if (startsWith(rest, "January"))
                    return hit(Std::kLongMonth, 7);
                if (startsWith(rest, "Jan"))
                    return hit(Std::kMonth, 3);
                break;
            case 'M':
                if (startsWith(rest, "Monday"))
                    return hit(Std::kLongWeekDay, 6);
                if (startsWith(rest, "Mon"))
                    return hit(Std::kWeekDay, 3);
                if (startsWith(rest, "MST"))
                    return hit(Std::kTZ, 3);
                break;
            case '0':
                if (rest.size() >= 2 && rest[1] >= '1' && rest[1] <= '6') {
                    static constexpr Std k[] = {Std::kZeroMonth,  Std::kZeroDay,
                                                Std::kZeroHour12, Std::kZeroMinute,
                                                Std::kZeroSecond, Std::kYear};
                    return hit(k[rest[1] - '1'], 2);
                }
                if (startsWith(rest, "002"))
                    return hit(Std::kZeroYearDay, 3);
                break;
            case '1':
                if (startsWith(rest, "15"))
                    return hit(Std::kHour, 2);
                return hit(Std::kNumMonth, 1);
            case '2':
                if (startsWith(rest, "2006"))
                    return hit(Std::kLongYear, 4);
                return hit(Std::kDay, 1);
            case '_':
                if (startsWith(rest, "_2")) {
                    if (startsWith(rest, "_2006"))
                        return Chunk{layout.substr(0, i + 1), Std::kLongYear, 0,
                                     layout.substr(i + 1, 4), layout.substr(i + 5)};
                    return hit(Std::kUnderDay, 2);
                }
                if (startsWith(rest, "__2"))
                    return hit(Std::kUnderYearDay, 3);
                break;
            case '3':
                return hit(Std::kHour12, 1);
            case '4':
                return hit(Std::kMinute, 1);
            case '5':
                return hit(Std::kSecond, 1);
            case 'P':
                if (startsWith(rest, "PM"))
                    return hit(Std::kPM, 2);
                break;
            case 'p':
                if (startsWith(rest, "pm"))
                    return hit(Std::kpm, 2);
                break;
            case '-':
                if (startsWith(rest, "-070000"))
                    return hit(Std::kNumSecondsTz, 7);
                if (startsWith(rest, "-07:00:00"))
                    return hit(Std::kNumColonSecondsTZ, 9);
                if (startsWith(rest, "-0700"))
                    return hit(Std::kNumTZ, 5);
                if (startsWith(rest, "-07:00"))
                    return hit(Std::kNumColonTZ, 6);
                if (startsWith(rest, "-07"))
                    return hit(Std::kNumShortTZ, 3);
                break;
            case 'Z':
                if (startsWith(rest, "Z070000"))
                    return hit(Std::kISO8601SecondsTZ, 7);
                if (startsWith(rest, "Z07:00:00"))
                    return hit(Std::kISO8601ColonSecondsTZ, 9);
                if (startsWith(rest, "Z0700"))
                    return hit(Std::kISO8601TZ, 5);
                if (startsWith(rest, "Z07:00"))
                    return hit(Std::kISO8601ColonTZ, 6);
                if (startsWith(rest, "Z07"))
                    return hit(Std::kISO8601ShortTZ, 3);
                break;
            case '.':
            case ',':
                if (rest.size() >= 2 && (rest[1] == '0' || rest[1] == '9')) {
                    const char ch = rest[1];
                    std::size_t j = 1;
                    while (j < rest.size() && rest[j] == ch)
                        ++j;
                    if (!(j < rest.size() && rest[j] >= '0' && rest[j] <= '9'))
                        return hit(ch == '0' ? Std::kFracSecond0 : Std::kFracSecond9, j,
                                   static_cast<int>(j - 1));
                }
                break;
            default:
                break;
        }
    }
    return Chunk{layout, Std::kNone, 0, {}, {}};
}

constexpr std::array<std::string_view, 12> kLongMonths = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

bool equalFold(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// Index of the name that prefixes `value` (case-insensitive), -1 if none.
template <std::size_t N>
int lookupName(const std::array<std::string_view, N>& names, std::size_t len,
               std::string_view& value) {
    for (std::size_t i = 0; i < N; ++i) {
        const std::string_view name = len ? names[i].substr(0, len) : names[i];
        if (value.size() >= name.size() && equalFold(value.substr(0, name.size()), name)) {
            value.remove_prefix(name.size());
            return static_cast<int>(i);
        }
    }
    return -1;
}

bool isDigit(std::string_view s, std::size_t i) {
    return i < s.size() && s[i] >= '0' && s[i] <= '9';
}

// Go's getnum: one or two digits (exactly two when `fixed`).
bool getNum(std::string_view& s, bool fixed, int* out) {
    if (!isDigit(s, 0))
        return false;
    if (!isDigit(s, 1)) {
        if (fixed)
            return false;
        *out = s[0] - '0';
        s.remove_prefix(1);
        return true;
    }
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    s.remove_prefix(2);
    return true;
}

bool getNum3(std::string_view& s, bool fixed, int* out) {
    int n = 0;
    std::size_t i = 0;
    for (; i < 3 && isDigit(s, i); ++i)
        n = n * 10 + (s[i] - '0');
    if (i == 0 || (fixed && i != 3))
        return false;
    *out = n;
    s.remove_prefix(i);
    return true;
}

int daysIn(int month, int year) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
        return 29;
    return kDays[month - 1];
}

// Go's parseTimeZone: the length of a zone abbreviation at the start of
// `value`, 0 when there is none.
std::size_t timeZoneLength(std::string_view value) {
    if (value.size() < 3)
        return 0;
    if (value.size() >= 4 && (value.substr(0, 4) == "ChST" || value.substr(0, 4) == "MeST"))
        return 4;
    if (value.substr(0, 3) == "GMT") {
        std::size_t n = 3;
        if (n < value.size() && (value[n] == '+' || value[n] == '-')) {
            std::size_t j = n + 1;
            while (j < value.size() && j < n + 3 && isDigit(value, j))
                ++j;
            if (j > n + 1)
                return j;
        }
        return 3;
    }
    if (value[0] == '+' || value[0] == '-') {  // "+03", "-0330"
        std::size_t j = 1;
        while (j < value.size() && isDigit(value, j))
            ++j;
        return (j == 3 || j == 5) ? j : 0;
    }
    std::size_t n = 0;
    while (n < value.size() && n < 6 && std::isupper(static_cast<unsigned char>(value[n])))
        ++n;
    if (n < 3)
        return 0;
    if (n == 3 || n == 4 || n == 5 || n == 6)
        return n;
    return 0;
}

Status parseError(std::string_view layout, std::string_view value, std::string_view valueElem,
                  std::string_view layoutElem, std::string_view message = {}) {
    std::string m = "parsing time \"" + std::string(value) + "\"";
    if (!message.empty())
        return Status::error(m + std::string(message));
    return Status::error(m + " as \"" + std::string(layout) + "\": cannot parse \"" +
                         std::string(valueElem) + "\" as \"" + std::string(layoutElem) + "\"");
}

bool fail(Status* error, std::string_view layout, std::string_view value,
          std::string_view valueElem, std::string_view layoutElem, std::string_view message = {}) {
    if (error)
        *error = parseError(layout, value, valueElem, layoutElem, message);
    return false;
}

class QtLocation final : public Location {
public:
    explicit QtLocation(QTimeZone zone) : m_zone(std::move(zone)) {}
    int offsetAt(std::int64_t utcSeconds) const override {
        return m_zone.offsetFromUtc(QDateTime::fromSecsSinceEpoch(utcSeconds, QTimeZone::utc()));
    }
    bool offsetForAbbreviation(std::string_view abbreviation, std::int64_t utcSeconds,
                               int* offset) const override {
        // The zone's abbreviations in a year around the instant (standard and
        // daylight time).
        for (std::int64_t d = -183; d <= 183; d += 61) {
            const QDateTime at =
                QDateTime::fromSecsSinceEpoch(utcSeconds + d * 86400, QTimeZone::utc());
            if (m_zone.abbreviation(at).toStdString() == abbreviation) {
                *offset = m_zone.offsetFromUtc(at);
                return true;
            }
        }
        return false;
    }

private:
    QTimeZone m_zone;
};

class FixedUtc final : public Location {
public:
    int offsetAt(std::int64_t) const override { return 0; }
    bool offsetForAbbreviation(std::string_view a, std::int64_t, int* offset) const override {
        *offset = 0;
        return a == "UTC";
    }
};

}  // namespace

int Location::offsetForLocal(std::int64_t localSeconds) const {
    // Guess with the offset at the wall time read as UTC, then correct once.
    const int first = offsetAt(localSeconds);
    const int second = offsetAt(localSeconds - first);
    if (first == second)
        return first;
    // Across a change: take the offset that maps back onto the wall time,
    // preferring the earlier one.
    const int before = offsetAt(localSeconds - std::max(first, second) - 3600);
    if (offsetAt(localSeconds - before) == before)
        return before;
    return second;
}

Result<std::shared_ptr<const Location>> Location::load(const std::string& name) {
    if (name.empty() || name == "UTC")
        return std::shared_ptr<const Location>(std::make_shared<FixedUtc>());
    if (name == "Local")
        return std::shared_ptr<const Location>(
            std::make_shared<QtLocation>(QTimeZone::systemTimeZone()));
    QTimeZone zone(QByteArray::fromStdString(name));
    if (!zone.isValid())
        return Status::error("unknown time zone " + name);
    return std::shared_ptr<const Location>(std::make_shared<QtLocation>(std::move(zone)));
}

std::int64_t daysFromCivil(std::int64_t y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = static_cast<unsigned>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

namespace {

// The parser; `error` may be null (a caller trying several layouts does not
// need the message, and building it costs more than the parse).
bool parseFields(std::string_view layout, std::string_view value, GoTimeFields& f, Status* error) {
    const std::string_view alayout = layout, avalue = value;
    int month = -1, day = -1, yday = -1, hour12 = -1;
    bool pmSet = false, amSet = false;
    for (;;) {
        const Chunk c = nextChunk(layout);
        // The literal prefix must match (Go's skip: spaces in the layout match
        // one or more spaces in the value).
        std::string_view prefix = c.prefix;
        while (!prefix.empty()) {
            if (prefix[0] == ' ') {
                if (!value.empty() && value[0] != ' ')
                    return fail(error, alayout, avalue, value, c.prefix);
                while (!prefix.empty() && prefix[0] == ' ')
                    prefix.remove_prefix(1);
                while (!value.empty() && value[0] == ' ')
                    value.remove_prefix(1);
                continue;
            }
            if (value.empty() || value[0] != prefix[0])
                return fail(error, alayout, avalue, value, c.prefix);
            prefix.remove_prefix(1);
            value.remove_prefix(1);
        }
        if (c.std == Std::kNone) {
            if (!value.empty())
                return fail(error, alayout, avalue, {}, {},
                            ": extra text: \"" + std::string(value) + "\"");
            break;
        }
        layout = c.suffix;
        const std::string_view hold = value;
        bool ok = true;
        std::string_view range;  // "month", ... when out of range
        int n = 0;
        switch (c.std) {
            case Std::kYear:
                if (value.size() < 2 || !isDigit(value, 0) || !isDigit(value, 1)) {
                    ok = false;
                    break;
                }
                n = (value[0] - '0') * 10 + (value[1] - '0');
                f.year = n >= 69 ? 1900 + n : 2000 + n;
                value.remove_prefix(2);
                break;
            case Std::kLongYear:
                if (value.size() < 4 || !isDigit(value, 0) || !isDigit(value, 1) ||
                    !isDigit(value, 2) || !isDigit(value, 3)) {
                    ok = false;
                    break;
                }
                f.year = (value[0] - '0') * 1000 + (value[1] - '0') * 100 + (value[2] - '0') * 10 +
                         (value[3] - '0');
                value.remove_prefix(4);
                break;
            case Std::kMonth:
            case Std::kLongMonth: {
                const int m = lookupName(kLongMonths, c.std == Std::kMonth ? 3 : 0, value);
                ok = m >= 0;
                month = m + 1;
                break;
            }
            case Std::kNumMonth:
            case Std::kZeroMonth:
                ok = getNum(value, c.std == Std::kZeroMonth, &month);
                if (ok && (month <= 0 || month > 12))
                    range = "month";
                break;
            case Std::kWeekDay:
            case Std::kLongWeekDay:
                ok = lookupName(kLongDays, c.std == Std::kWeekDay ? 3 : 0, value) >= 0;
                break;
            case Std::kDay:
            case Std::kUnderDay:
            case Std::kZeroDay:
                if (c.std == Std::kUnderDay && !value.empty() && value[0] == ' ')
                    value.remove_prefix(1);
                ok = getNum(value, c.std == Std::kZeroDay, &day);
                break;
            case Std::kUnderYearDay:
            case Std::kZeroYearDay:
                for (int i = 0;
                     i < 2 && c.std == Std::kUnderYearDay && !value.empty() && value[0] == ' '; ++i)
                    value.remove_prefix(1);
                ok = getNum3(value, c.std == Std::kZeroYearDay, &yday);
                if (ok && (yday < 1 || yday > 366))
                    range = "day-of-year";
                break;
            case Std::kHour:
                ok = getNum(value, false, &f.hour);
                if (ok && f.hour > 23)
                    range = "hour";
                break;
            case Std::kHour12:
            case Std::kZeroHour12:
                ok = getNum(value, c.std == Std::kZeroHour12, &hour12);
                if (ok && (hour12 < 0 || hour12 > 12))
                    range = "hour";
                f.hour = hour12;
                break;
            case Std::kMinute:
            case Std::kZeroMinute:
                ok = getNum(value, c.std == Std::kZeroMinute, &f.minute);
                if (ok && f.minute > 59)
                    range = "minute";
                break;
            case Std::kSecond:
            case Std::kZeroSecond: {
                ok = getNum(value, c.std == Std::kZeroSecond, &f.second);
                if (!ok)
                    break;
                if (f.second > 59) {
                    range = "second";
                    break;
                }
                // A fractional second the layout does not mention.
                if (value.size() >= 2 && (value[0] == '.' || value[0] == ',') &&
                    isDigit(value, 1)) {
                    const Chunk next = nextChunk(layout);
                    if ((next.std == Std::kFracSecond0 || next.std == Std::kFracSecond9) &&
                        next.prefix.empty())
                        break;
                    std::size_t j = 1;
                    while (isDigit(value, j))
                        ++j;
                    std::int64_t ns = 0;
                    for (std::size_t k = 1; k < 10; ++k)
                        ns = ns * 10 + (k < j ? value[k] - '0' : 0);
                    f.nanosecond = static_cast<int>(ns);
                    value.remove_prefix(j);
                }
                break;
            }
            case Std::kPM:
            case Std::kpm: {
                if (value.size() < 2) {
                    ok = false;
                    break;
                }
                const std::string_view p = value.substr(0, 2);
                if (c.std == Std::kPM ? p == "PM" : p == "pm")
                    pmSet = true;
                else if (c.std == Std::kPM ? p == "AM" : p == "am")
                    amSet = true;
                else
                    ok = false;
                value.remove_prefix(2);
                break;
            }
            case Std::kISO8601TZ:
            case Std::kISO8601ColonTZ:
            case Std::kISO8601SecondsTZ:
            case Std::kISO8601ShortTZ:
            case Std::kISO8601ColonSecondsTZ:
                if (!value.empty() && value[0] == 'Z') {
                    value.remove_prefix(1);
                    f.hasOffset = true;
                    f.offsetSeconds = 0;
                    break;
                }
                [[fallthrough]];
            case Std::kNumTZ:
            case Std::kNumShortTZ:
            case Std::kNumColonTZ:
            case Std::kNumSecondsTz:
            case Std::kNumColonSecondsTZ: {
                const bool colon = c.std == Std::kISO8601ColonTZ || c.std == Std::kNumColonTZ ||
                                   c.std == Std::kISO8601ColonSecondsTZ ||
                                   c.std == Std::kNumColonSecondsTZ;
                const bool seconds =
                    c.std == Std::kISO8601SecondsTZ || c.std == Std::kNumSecondsTz ||
                    c.std == Std::kISO8601ColonSecondsTZ || c.std == Std::kNumColonSecondsTZ;
                const bool shortTz = c.std == Std::kISO8601ShortTZ || c.std == Std::kNumShortTZ;
                std::size_t len = shortTz ? 3 : (colon ? (seconds ? 9 : 6) : (seconds ? 7 : 5));
                if (value.size() < len || (value[0] != '+' && value[0] != '-')) {
                    ok = false;
                    break;
                }
                auto two = [&](std::size_t at, int* out) {
                    if (!isDigit(value, at) || !isDigit(value, at + 1))
                        return false;
                    *out = (value[at] - '0') * 10 + (value[at + 1] - '0');
                    return true;
                };
                int hh = 0, mm = 0, ss = 0;
                ok = two(1, &hh);
                if (ok && !shortTz) {
                    if (colon)
                        ok = value[3] == ':' && two(4, &mm);
                    else
                        ok = two(3, &mm);
                    if (ok && seconds)
                        ok = colon ? (value[6] == ':' && two(7, &ss)) : two(5, &ss);
                }
                if (!ok)
                    break;
                if (hh > 24 || mm > 60 || ss > 60) {
                    range = "time zone offset";
                    break;
                }
                f.hasOffset = true;
                f.offsetSeconds = (hh * 3600 + mm * 60 + ss) * (value[0] == '-' ? -1 : 1);
                value.remove_prefix(len);
                break;
            }
            case Std::kTZ: {
                if (value.size() >= 3 && value.substr(0, 3) == "UTC") {
                    f.zoneAbbreviation = "UTC";
                    value.remove_prefix(3);
                    break;
                }
                const std::size_t n2 = timeZoneLength(value);
                if (n2 == 0) {
                    ok = false;
                    break;
                }
                f.zoneAbbreviation = std::string(value.substr(0, n2));
                value.remove_prefix(n2);
                break;
            }
            case Std::kFracSecond0: {
                const std::size_t ndigit = 1 + static_cast<std::size_t>(c.fracDigits);
                if (value.size() < ndigit || (value[0] != '.' && value[0] != ',')) {
                    ok = false;
                    break;
                }
                std::int64_t ns = 0;
                for (std::size_t k = 1; k < 10; ++k) {
                    if (k < ndigit && !isDigit(value, k)) {
                        ok = false;
                        break;
                    }
                    ns = ns * 10 + (k < ndigit ? value[k] - '0' : 0);
                }
                if (ok) {
                    f.nanosecond = static_cast<int>(ns);
                    value.remove_prefix(ndigit);
                }
                break;
            }
            case Std::kFracSecond9: {
                if (value.size() < 2 || (value[0] != '.' && value[0] != ',') || !isDigit(value, 1))
                    break;  // optional
                std::size_t j = 1;
                while (j < 10 && isDigit(value, j))
                    ++j;
                std::int64_t ns = 0;
                for (std::size_t k = 1; k < 10; ++k)
                    ns = ns * 10 + (k < j ? value[k] - '0' : 0);
                f.nanosecond = static_cast<int>(ns);
                value.remove_prefix(j);
                break;
            }
            case Std::kNone:
                break;
        }
        if (!range.empty())
            return fail(error, alayout, avalue, {}, {},
                        ": " + std::string(range) + " out of range");
        if (!ok)
            return fail(error, alayout, avalue, hold, c.stdText);
    }
    if (pmSet && hour12 >= 0 && hour12 < 12)
        f.hour = hour12 + 12;
    else if (amSet && hour12 == 12)
        f.hour = 0;
    if (yday >= 0) {
        int d = 0, m = 0;
        if (f.year % 4 == 0 && (f.year % 100 != 0 || f.year % 400 == 0)) {
            if (yday == 31 + 29) {
                m = 2;
                d = 29;
            } else if (yday > 31 + 29) {
                --yday;
            }
        } else if (yday == 366) {
            return fail(error, alayout, avalue, {}, {}, ": day-of-year out of range");
        }
        if (m == 0) {
            m = 1;
            d = yday;
            while (m < 12 && d > daysIn(m, 2001)) {
                d -= daysIn(m, 2001);
                ++m;
            }
        }
        if ((month >= 0 && month != m) || (day >= 0 && day != d))
            return fail(error, alayout, avalue, {}, {}, ": day-of-year does not match month");
        month = m;
        day = d;
    }
    f.month = month < 0 ? 1 : month;
    f.day = day < 0 ? 1 : day;
    if (f.day < 1 || f.day > daysIn(f.month, f.year))
        return fail(error, alayout, avalue, {}, {}, ": day out of range");
    return true;
}

}  // namespace

Result<GoTimeFields> parseGoTimeFields(std::string_view layout, std::string_view value) {
    GoTimeFields f;
    Status error;
    if (!parseFields(layout, value, f, &error))
        return error;
    return f;
}

bool tryParseGoTimeFields(std::string_view layout, std::string_view value, GoTimeFields* out) {
    *out = GoTimeFields();
    return parseFields(layout, value, *out, nullptr);
}

TimestampNs goTimeToUnixNs(const GoTimeFields& f, const Location* location) {
    const std::int64_t local =
        daysFromCivil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
    int offset = 0;
    if (f.hasOffset) {
        offset = f.offsetSeconds;
    } else if (!f.zoneAbbreviation.empty() && f.zoneAbbreviation != "UTC") {
        int abbrev = 0;
        if (location && location->offsetForAbbreviation(f.zoneAbbreviation, local, &abbrev))
            offset = abbrev;
        else if (f.zoneAbbreviation.size() > 3 && f.zoneAbbreviation.substr(0, 3) == "GMT")
            offset = std::stoi(f.zoneAbbreviation.substr(3)) * 3600;
        else if (f.zoneAbbreviation[0] == '+' || f.zoneAbbreviation[0] == '-') {
            const std::string& z = f.zoneAbbreviation;
            const int hh = std::stoi(z.substr(1, 2));
            const int mm = z.size() == 5 ? std::stoi(z.substr(3, 2)) : 0;
            offset = (hh * 3600 + mm * 60) * (z[0] == '-' ? -1 : 1);
        }
        // Otherwise Go makes a zone with that name and offset 0.
    } else if (f.zoneAbbreviation.empty() && location) {
        offset = location->offsetForLocal(local);
    }
    return (local - offset) * 1'000'000'000 + f.nanosecond;
}

Result<TimestampNs> parseGoTime(std::string_view layout, std::string_view value,
                                const Location* location) {
    auto fields = parseGoTimeFields(layout, value);
    if (!fields.isOk())
        return fields.status();
    return goTimeToUnixNs(fields.value(), location);
}

std::string_view namedGoLayout(std::string_view name) {
    struct Named {
        std::string_view name, layout;
    };
    static constexpr Named kNamed[] = {
        {"ANSIC", "Mon Jan _2 15:04:05 2006"},
        {"UnixDate", "Mon Jan _2 15:04:05 MST 2006"},
        {"RubyDate", "Mon Jan 02 15:04:05 -0700 2006"},
        {"RFC822", "02 Jan 06 15:04 MST"},
        {"RFC822Z", "02 Jan 06 15:04 -0700"},
        {"RFC850", "Monday, 02-Jan-06 15:04:05 MST"},
        {"RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"},
        {"RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"},
        {"RFC3339", "2006-01-02T15:04:05Z07:00"},
        {"RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"},
    };
    for (const Named& n : kNamed)
        if (n.name == name)
            return n.layout;
    return {};
}

}  // namespace vigil::logs::pipeline
