#include "core/notify/time_interval.h"

#include <QDateTime>
#include <QTimeZone>
#include <algorithm>

namespace vigil::notify {

namespace {

bool inRanges(const std::vector<TimeIntervalSpec::Range>& ranges, int value) {
    if (ranges.empty())
        return true;
    return std::any_of(ranges.begin(), ranges.end(), [&](const TimeIntervalSpec::Range& r) {
        return value >= r.begin && value <= r.end;
    });
}

QDateTime localTime(const std::string& location, model::Timestamp atMs) {
    if (location.empty() || location == "UTC")
        return QDateTime::fromMSecsSinceEpoch(atMs, QTimeZone::utc());
    if (location == "Local")
        return QDateTime::fromMSecsSinceEpoch(atMs).toLocalTime();
    // The config reader has checked that the zone exists.
    return QDateTime::fromMSecsSinceEpoch(atMs, QTimeZone(QByteArray::fromStdString(location)));
}

}  // namespace

bool timeIntervalContains(const TimeIntervalSpec& spec, model::Timestamp atMs) {
    const QDateTime t = localTime(spec.location, atMs);
    const QDate date = t.date();
    const QTime time = t.time();
    if (!spec.times.empty()) {
        const int minute = time.hour() * 60 + time.minute();
        const bool ok = std::any_of(
            spec.times.begin(), spec.times.end(),
            [&](const TimeIntervalSpec::Range& r) { return minute >= r.begin && minute < r.end; });
        if (!ok)
            return false;
    }
    if (!inRanges(spec.weekdays, date.dayOfWeek() % 7))  // Qt: Monday = 1 ... Sunday = 7
        return false;
    if (!spec.daysOfMonth.empty()) {
        const int daysInMonth = date.daysInMonth();
        bool ok = false;
        for (const TimeIntervalSpec::Range& r : spec.daysOfMonth) {
            int begin = r.begin < 0 ? daysInMonth + r.begin + 1 : r.begin;
            int end = r.end < 0 ? daysInMonth + r.end + 1 : r.end;
            if (begin > daysInMonth)
                continue;
            begin = std::clamp(begin, -daysInMonth, daysInMonth);
            end = std::clamp(end, -daysInMonth, daysInMonth);
            if (date.day() >= begin && date.day() <= end) {
                ok = true;
                break;
            }
        }
        if (!ok)
            return false;
    }
    if (!inRanges(spec.months, date.month()))
        return false;
    return inRanges(spec.years, date.year());
}

bool namedTimeIntervalContains(const NamedTimeInterval& named, model::Timestamp atMs) {
    return std::any_of(
        named.intervals.begin(), named.intervals.end(),
        [&](const TimeIntervalSpec& spec) { return timeIntervalContains(spec, atMs); });
}

}  // namespace vigil::notify
