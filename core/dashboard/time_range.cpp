#include "core/dashboard/time_range.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/util/human_units.h"

namespace vigil::dashboard {
namespace {

QDateTime toDateTime(std::int64_t ms, bool utc) {
    return utc ? QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
               : QDateTime::fromMSecsSinceEpoch(ms);
}

QDateTime startOf(const QDateTime& t, QChar unit) {
    const QDate date = t.date();
    const QTimeZone zone = t.timeZone();
    switch (unit.toLatin1()) {
        case 's':
            return QDateTime(date, QTime(t.time().hour(), t.time().minute(), t.time().second()),
                             zone);
        case 'm':
            return QDateTime(date, QTime(t.time().hour(), t.time().minute()), zone);
        case 'h':
            return QDateTime(date, QTime(t.time().hour(), 0), zone);
        case 'd':
            return QDateTime(date, QTime(0, 0), zone);
        case 'w':  // ISO weeks start on Monday
            return QDateTime(date.addDays(1 - date.dayOfWeek()), QTime(0, 0), zone);
        case 'M':
            return QDateTime(QDate(date.year(), date.month(), 1), QTime(0, 0), zone);
        case 'y':
            return QDateTime(QDate(date.year(), 1, 1), QTime(0, 0), zone);
        default:
            return t;
    }
}

QDateTime add(const QDateTime& t, int amount, QChar unit) {
    switch (unit.toLatin1()) {
        case 's':
            return t.addSecs(amount);
        case 'm':
            return t.addSecs(60LL * amount);
        case 'h':
            return t.addSecs(3600LL * amount);
        case 'd':
            return t.addDays(amount);
        case 'w':
            return t.addDays(7LL * amount);
        case 'M':
            return t.addMonths(amount);
        case 'y':
            return t.addYears(amount);
        default:
            return t;
    }
}

QDateTime endOf(const QDateTime& t, QChar unit) {
    return add(startOf(t, unit), 1, unit).addMSecs(-1);
}

bool isUnit(QChar c) {
    return QStringLiteral("smhdwMy").contains(c);
}

}  // namespace

Result<std::int64_t> parseTimeExpression(const QString& expression, std::int64_t nowMs,
                                         bool roundUp, bool utc) {
    const QString text = expression.trimmed();
    if (text.isEmpty())
        return Status::error("empty time");
    if (!text.startsWith(QLatin1String("now"))) {
        bool isNumber = false;
        const qint64 epoch = text.toLongLong(&isNumber);
        if (isNumber)
            return static_cast<std::int64_t>(epoch);
        QDateTime absolute = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!absolute.isValid())
            absolute = QDateTime::fromString(text, QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        if (!absolute.isValid())
            return Status::error("'" + text.toStdString() +
                                 "' is neither a relative time (now-6h, now/d) nor an absolute one "
                                 "(ISO 8601 or epoch milliseconds)");
        if (utc && absolute.timeSpec() == Qt::LocalTime)
            absolute.setTimeZone(QTimeZone::utc());
        return absolute.toMSecsSinceEpoch();
    }
    QDateTime t = toDateTime(nowMs, utc);
    qsizetype i = 3;
    while (i < text.size()) {
        const QChar op = text[i++];
        if (op == QLatin1Char('/')) {
            if (i >= text.size() || !isUnit(text[i]))
                return Status::error("'" + text.toStdString() +
                                     "': '/' must be followed by a unit (s m h d w M y)");
            t = roundUp ? endOf(t, text[i]) : startOf(t, text[i]);
            ++i;
            continue;
        }
        if (op != QLatin1Char('-') && op != QLatin1Char('+'))
            return Status::error("'" + text.toStdString() + "': unexpected '" +
                                 QString(op).toStdString() + "' at position " + std::to_string(i));
        qsizetype start = i;
        while (i < text.size() && text[i].isDigit())
            ++i;
        const int amount = start == i ? 1 : text.mid(start, i - start).toInt();
        if (i >= text.size() || !isUnit(text[i]))
            return Status::error("'" + text.toStdString() + "': missing unit after '" +
                                 text.mid(start - 1, i - start + 1).toStdString() +
                                 "' (s m h d w M y)");
        t = add(t, op == QLatin1Char('-') ? -amount : amount, text[i]);
        ++i;
    }
    return t.toMSecsSinceEpoch();
}

Result<ResolvedRange> resolveTimeRange(const QString& from, const QString& to, std::int64_t nowMs,
                                       bool utc) {
    auto f = parseTimeExpression(from, nowMs, false, utc);
    if (!f.isOk())
        return f.status().withContext("time.from");
    auto t = parseTimeExpression(to, nowMs, true, utc);
    if (!t.isOk())
        return t.status().withContext("time.to");
    if (*f >= *t)
        return Status::error("time: from (" + from.toStdString() + ") is not before to (" +
                             to.toStdString() + ")");
    return ResolvedRange{*f, *t};
}

std::int64_t roundInterval(std::int64_t interval) {
    struct Step {
        std::int64_t below;
        std::int64_t value;
    };
    static constexpr std::array<Step, 28> kSteps = {{
        {15, 10},
        {35, 20},
        {75, 50},
        {150, 100},
        {350, 200},
        {750, 500},
        {1500, 1000},
        {3500, 2000},
        {7500, 5000},
        {12500, 10000},
        {17500, 15000},
        {25000, 20000},
        {45000, 30000},
        {90000, 60000},
        {210000, 120000},
        {450000, 300000},
        {750000, 600000},
        {1050000, 900000},
        {1500000, 1200000},
        {2700000, 1800000},
        {5400000, 3600000},
        {9000000, 7200000},
        {16200000, 10800000},
        {32400000, 21600000},
        {86400000, 43200000},
        {604800000, 86400000},
        {1814400000, 604800000},
        {3628800000, 2592000000},
    }};
    for (const Step& step : kSteps)
        if (interval < step.below)
            return step.value;
    return 31536000000;
}

std::int64_t calculateIntervalMs(std::int64_t rangeMs, int maxDataPoints,
                                 std::int64_t minIntervalMs) {
    const std::int64_t raw = rangeMs / std::max(1, maxDataPoints);
    return std::max(roundInterval(raw), std::max<std::int64_t>(minIntervalMs, 1));
}

std::int64_t rateIntervalMs(std::int64_t intervalMs, std::int64_t scrapeIntervalMs) {
    return std::max(intervalMs + scrapeIntervalMs, 4 * scrapeIntervalMs);
}

std::int64_t prometheusStepMs(std::int64_t intervalMs, std::int64_t minIntervalMs,
                              std::int64_t rangeMs) {
    const std::int64_t safe = (rangeMs + 11000 - 1) / 11000;
    return std::max({intervalMs, minIntervalMs, safe, std::int64_t(1000)});
}

QString formatGrafanaInterval(std::int64_t ms) {
    const std::int64_t seconds = ms / 1000;
    if (const std::int64_t years = seconds / 31536000)
        return QString::number(years) + QLatin1Char('y');
    if (const std::int64_t days = (seconds % 31536000) / 86400)
        return QString::number(days) + QLatin1Char('d');
    if (const std::int64_t hours = (seconds % 86400) / 3600)
        return QString::number(hours) + QLatin1Char('h');
    if (const std::int64_t minutes = (seconds % 3600) / 60)
        return QString::number(minutes) + QLatin1Char('m');
    if (const std::int64_t secs = seconds % 60)
        return QString::number(secs) + QLatin1Char('s');
    if (ms > 0)
        return QString::number(ms) + QStringLiteral("ms");
    return QStringLiteral("less than a millisecond");
}

std::optional<std::int64_t> parseGrafanaInterval(const QString& text) {
    auto parsed = vigil::parseDuration(text.trimmed().toStdString());
    if (!parsed.isOk())
        return std::nullopt;
    return static_cast<std::int64_t>(parsed->count());
}

QString formatDateVariable(std::int64_t ms, const QString& format) {
    if (format.isEmpty() || format == QLatin1String("iso"))
        return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(Qt::ISODateWithMs);
    if (format == QLatin1String("seconds"))
        return QString::number(ms / 1000);
    // A moment.js-style pattern: translate the common tokens to Qt's.
    QString qtFormat = format;
    qtFormat.replace(QLatin1String("YYYY"), QLatin1String("yyyy"))
        .replace(QLatin1String("DD"), QLatin1String("dd"))
        .replace(QLatin1String("D"), QLatin1String("d"));
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(qtFormat);
}

}  // namespace vigil::dashboard
