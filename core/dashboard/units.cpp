#include "core/dashboard/units.h"

#include <QDateTime>
#include <QHash>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace vigil::dashboard {
namespace {

using Formatter = std::function<FormattedValue(double, std::optional<int>)>;

int decimalsForValue(double value) {
    if (value == 0 || !std::isfinite(value))
        return 0;
    const int log10 = static_cast<int>(std::floor(std::log(std::abs(value)) / std::log(10.0)));
    int dec = -log10 + 1;
    const double magn = std::pow(10.0, -dec);
    const double norm = std::abs(value) / magn;
    if (norm > 2.25)
        ++dec;
    if (std::fmod(value, 1.0) == 0)
        dec = 0;
    return std::max(0, dec);
}

// JavaScript's String(number) for the values toFixed produces.
QString jsNumber(double value) {
    if (value == 0)
        return QStringLiteral("0");
    QString text = QString::number(value, 'g', 15);
    if (text.contains(QLatin1Char('e'))) {
        // JS prints 1e21 and beyond in exponent form, smaller values in full.
        if (std::abs(value) < 1e21 && std::abs(value) >= 1e-7)
            text = QString::number(
                value, 'f',
                std::max(0, 15 - static_cast<int>(std::floor(std::log10(std::abs(value)))) - 1));
        if (text.contains(QLatin1Char('.')) && !text.contains(QLatin1Char('e'))) {
            while (text.endsWith(QLatin1Char('0')))
                text.chop(1);
            if (text.endsWith(QLatin1Char('.')))
                text.chop(1);
        }
    }
    return text;
}

FormattedValue fixed(double value, std::optional<int> decimals, const QString& suffix = {}) {
    return {QString(), grafanaToFixed(value, decimals), suffix};
}

FormattedValue nonFinite(double value) {
    if (std::isnan(value))
        return {QString(), QStringLiteral("NaN"), QString()};
    return {QString(), value > 0 ? QStringLiteral("∞") : QStringLiteral("-∞"), QString()};
}

Formatter scaled(double factor, QStringList extensions, int offset = 0) {
    return [factor, extensions = std::move(extensions), offset](double size,
                                                                std::optional<int> decimals) {
        if (!std::isfinite(size))
            return nonFinite(size);
        const int siIndex =
            size == 0 ? 0
                      : static_cast<int>(std::floor(std::log(std::abs(size)) / std::log(factor)));
        const int count = static_cast<int>(extensions.size());
        const QString suffix = extensions[std::clamp(offset + siIndex, 0, count - 1)];
        const int power = std::clamp(siIndex, -offset, count - offset - 1);
        return FormattedValue{QString(), grafanaToFixed(size / std::pow(factor, power), decimals),
                              suffix};
    };
}

Formatter siPrefix(const QString& unit, int offset = 0) {
    QStringList units;
    for (const char* p : {"f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"})
        units << QLatin1Char(' ') + QString::fromUtf8(p) + unit;
    return scaled(1000, units, 5 + offset);
}

Formatter binaryPrefix(const QString& unit, int offset = 0) {
    QStringList units;
    for (const char* p : {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"})
        units << QLatin1Char(' ') + QLatin1String(p) + unit;
    return scaled(1024, units, offset);
}

Formatter countUnit(const QString& symbol) {
    const Formatter inner = scaled(1000, {QString(), QStringLiteral("K"), QStringLiteral("M"),
                                          QStringLiteral("B"), QStringLiteral("T")});
    return [inner, symbol](double value, std::optional<int> decimals) {
        FormattedValue out = inner(value, decimals);
        out.suffix = out.suffix + QLatin1Char(' ') + symbol;
        return out;
    };
}

FormattedValue scaledTime(double value, std::optional<int> decimals, double divisor,
                          const char* unit) {
    return fixed(value / divisor, decimals, QString::fromUtf8(unit));
}

FormattedValue seconds(double size, std::optional<int> decimals) {
    if (!std::isfinite(size))
        return nonFinite(size);
    const double a = std::abs(size);
    if (size == 0)
        return {QString(), QStringLiteral("0"), QStringLiteral(" s")};
    if (a < 0.000001)
        return scaledTime(size, decimals, 1e-9, " ns");
    if (a < 0.001)
        return scaledTime(size, decimals, 1e-6, " µs");
    if (a < 1)
        return scaledTime(size, decimals, 1e-3, " ms");
    if (a < 60)
        return fixed(size, decimals, QStringLiteral(" s"));
    if (a < 3600)
        return scaledTime(size, decimals, 60, " min");
    if (a < 86400)
        return scaledTime(size, decimals, 3600, " hour");
    if (a < 604800)
        return scaledTime(size, decimals, 86400, " day");
    if (a < 31536000)
        return scaledTime(size, decimals, 604800, " week");
    return scaledTime(size, decimals, 3.15569e7, " year");
}

FormattedValue milliseconds(double size, std::optional<int> decimals) {
    if (!std::isfinite(size))
        return nonFinite(size);
    const double a = std::abs(size);
    if (a < 1000)
        return fixed(size, decimals, QStringLiteral(" ms"));
    if (a < 60000)
        return scaledTime(size, decimals, 1000, " s");
    if (a < 3600000)
        return scaledTime(size, decimals, 60000, " min");
    if (a < 86400000)
        return scaledTime(size, decimals, 3600000, " hour");
    if (a < 31536000000)
        return scaledTime(size, decimals, 86400000, " day");
    return scaledTime(size, decimals, 31536000000, " year");
}

FormattedValue microseconds(double size, std::optional<int> decimals) {
    if (std::abs(size) < 1000)
        return fixed(size, decimals, QStringLiteral(" µs"));
    if (std::abs(size) < 1000000)
        return scaledTime(size, decimals, 1000, " ms");
    return scaledTime(size, decimals, 1000000, " s");
}

FormattedValue nanoseconds(double size, std::optional<int> decimals) {
    const double a = std::abs(size);
    if (a < 1000)
        return fixed(size, decimals, QStringLiteral(" ns"));
    if (a < 1000000)
        return scaledTime(size, decimals, 1000, " µs");
    if (a < 1000000000)
        return scaledTime(size, decimals, 1000000, " ms");
    if (a < 60000000000)
        return scaledTime(size, decimals, 1000000000, " s");
    return scaledTime(size, decimals, 60000000000, " min");
}

// dtdurations: "1 hour, 2 minutes" (two largest units), as Grafana.
FormattedValue durationText(double seconds, std::optional<int>) {
    if (!std::isfinite(seconds))
        return nonFinite(seconds);
    struct Unit {
        double size;
        const char* singular;
        const char* plural;
    };
    static const Unit kUnits[] = {{31536000, "year", "years"}, {2592000, "month", "months"},
                                  {604800, "week", "weeks"},   {86400, "day", "days"},
                                  {3600, "hour", "hours"},     {60, "minute", "minutes"},
                                  {1, "second", "seconds"}};
    if (std::abs(seconds) < 1)
        return {QString(), QStringLiteral("%1 ms").arg(std::round(seconds * 1000)), QString()};
    double rest = std::abs(seconds);
    QStringList parts;
    for (const Unit& unit : kUnits) {
        const double n = std::floor(rest / unit.size);
        if (n >= 1) {
            parts << QStringLiteral("%1 %2").arg(n).arg(
                QLatin1String(n == 1 ? unit.singular : unit.plural));
            rest -= n * unit.size;
            if (parts.size() == 2)
                break;
        } else if (!parts.isEmpty()) {
            break;
        }
    }
    return {seconds < 0 ? QStringLiteral("-") : QString(), parts.join(QStringLiteral(", ")),
            QString()};
}

const QHash<QString, Formatter>& formatters() {
    static const QHash<QString, Formatter> kFormatters = [] {
        QHash<QString, Formatter> f;
        f.insert(QStringLiteral("short"),
                 scaled(1000, {QString(), QStringLiteral(" K"), QStringLiteral(" Mil"),
                               QStringLiteral(" Bil"), QStringLiteral(" Tri"),
                               QStringLiteral(" Quadr"), QStringLiteral(" Quint"),
                               QStringLiteral(" Sext"), QStringLiteral(" Sept")}));
        f.insert(QStringLiteral("none"),
                 [](double v, std::optional<int> d) { return fixed(v, d); });
        f.insert(QStringLiteral("percent"),
                 [](double v, std::optional<int> d) { return fixed(v, d, QStringLiteral("%")); });
        f.insert(QStringLiteral("percentunit"), [](double v, std::optional<int> d) {
            return fixed(100 * v, d, QStringLiteral("%"));
        });
        f.insert(QStringLiteral("bytes"), binaryPrefix(QStringLiteral("B")));
        f.insert(QStringLiteral("decbytes"), siPrefix(QStringLiteral("B")));
        f.insert(QStringLiteral("kbytes"), binaryPrefix(QStringLiteral("B"), 1));
        f.insert(QStringLiteral("mbytes"), binaryPrefix(QStringLiteral("B"), 2));
        f.insert(QStringLiteral("gbytes"), binaryPrefix(QStringLiteral("B"), 3));
        f.insert(QStringLiteral("bits"), binaryPrefix(QStringLiteral("b")));
        f.insert(QStringLiteral("decbits"), siPrefix(QStringLiteral("b")));
        f.insert(QStringLiteral("bps"), siPrefix(QStringLiteral("bps")));
        f.insert(QStringLiteral("Bps"), siPrefix(QStringLiteral("B/s")));
        f.insert(QStringLiteral("binBps"), binaryPrefix(QStringLiteral("B/s")));
        f.insert(QStringLiteral("binbps"), binaryPrefix(QStringLiteral("b/s")));
        f.insert(QStringLiteral("KBs"), siPrefix(QStringLiteral("B/s"), 1));
        f.insert(QStringLiteral("MBs"), siPrefix(QStringLiteral("B/s"), 2));
        f.insert(QStringLiteral("hertz"), siPrefix(QStringLiteral("Hz")));
        f.insert(QStringLiteral("s"), seconds);
        f.insert(QStringLiteral("ms"), milliseconds);
        f.insert(QStringLiteral("µs"), microseconds);
        f.insert(QStringLiteral("us"), microseconds);
        f.insert(QStringLiteral("ns"), nanoseconds);
        f.insert(QStringLiteral("dtdurations"), durationText);
        f.insert(QStringLiteral("dtdurationms"),
                 [](double v, std::optional<int> d) { return durationText(v / 1000, d); });
        f.insert(QStringLiteral("reqps"), countUnit(QStringLiteral("req/s")));
        f.insert(QStringLiteral("rps"), countUnit(QStringLiteral("rd/s")));
        f.insert(QStringLiteral("wps"), countUnit(QStringLiteral("wr/s")));
        f.insert(QStringLiteral("ops"), countUnit(QStringLiteral("ops")));
        f.insert(QStringLiteral("iops"), countUnit(QStringLiteral("io/s")));
        f.insert(QStringLiteral("pps"), countUnit(QStringLiteral("p/s")));
        f.insert(QStringLiteral("opm"), countUnit(QStringLiteral("ops/min")));
        f.insert(QStringLiteral("celsius"),
                 [](double v, std::optional<int> d) { return fixed(v, d, QStringLiteral("°C")); });
        f.insert(QStringLiteral("fahrenheit"),
                 [](double v, std::optional<int> d) { return fixed(v, d, QStringLiteral("°F")); });
        f.insert(QStringLiteral("volt"), siPrefix(QStringLiteral("V")));
        f.insert(QStringLiteral("watt"), siPrefix(QStringLiteral("W")));
        f.insert(QStringLiteral("amp"), siPrefix(QStringLiteral("A")));
        f.insert(QStringLiteral("locale"), [](double v, std::optional<int> d) {
            return FormattedValue{
                QString(), QString::number(v, 'f', d.value_or(decimalsForValue(v))), QString()};
        });
        f.insert(QStringLiteral("currencyUSD"), [](double v, std::optional<int> d) {
            FormattedValue out = scaled(1000, {QString(), QStringLiteral("K"), QStringLiteral("M"),
                                               QStringLiteral("B"), QStringLiteral("T")})(v, d);
            out.prefix = QStringLiteral("$");
            return out;
        });
        f.insert(QStringLiteral("currencyEUR"), [](double v, std::optional<int> d) {
            FormattedValue out = scaled(1000, {QString(), QStringLiteral("K"), QStringLiteral("M"),
                                               QStringLiteral("B"), QStringLiteral("T")})(v, d);
            out.prefix = QStringLiteral("€");
            return out;
        });
        f.insert(QStringLiteral("dateTimeAsIso"), [](double v, std::optional<int>) {
            return FormattedValue{QString(),
                                  QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(v))
                                      .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                                  QString()};
        });
        return f;
    }();
    return kFormatters;
}

}  // namespace

QString grafanaToFixed(double value, std::optional<int> decimals) {
    if (!std::isfinite(value))
        return nonFinite(value).text;
    const int dec = decimals ? std::max(0, *decimals) : decimalsForValue(value);
    const double factor = dec ? std::pow(10.0, dec) : 1;
    if (value == 0)
        return QString::number(0.0, 'f', dec);
    const QString formatted = jsNumber(std::round(value * factor) / factor);
    if (formatted.contains(QLatin1Char('e')))
        return formatted;
    const qsizetype point = formatted.indexOf(QLatin1Char('.'));
    const int precision = point < 0 ? 0 : static_cast<int>(formatted.size() - point - 1);
    if (precision < dec)
        return (precision ? formatted : formatted + QLatin1Char('.')) +
               QString(dec - precision, QLatin1Char('0'));
    return formatted;
}

bool isKnownUnit(const QString& unit) {
    return formatters().contains(unit) || unit.startsWith(QLatin1String("suffix:")) ||
           unit.startsWith(QLatin1String("prefix:")) || unit.startsWith(QLatin1String("si:")) ||
           unit.startsWith(QLatin1String("count:")) || unit.startsWith(QLatin1String("currency:"));
}

FormattedValue formatValue(const QString& unit, double value, std::optional<int> decimals) {
    if (unit.startsWith(QLatin1String("suffix:")))
        return fixed(value, decimals, unit.mid(7));
    if (unit.startsWith(QLatin1String("prefix:"))) {
        FormattedValue out = fixed(value, decimals);
        out.prefix = unit.mid(7);
        return out;
    }
    if (unit.startsWith(QLatin1String("si:")))
        return siPrefix(unit.mid(3))(value, decimals);
    if (unit.startsWith(QLatin1String("count:")))
        return countUnit(unit.mid(6))(value, decimals);
    if (unit.startsWith(QLatin1String("currency:"))) {
        FormattedValue out =
            scaled(1000, {QString(), QStringLiteral("K"), QStringLiteral("M"), QStringLiteral("B"),
                          QStringLiteral("T")})(value, decimals);
        out.prefix = unit.mid(9);
        return out;
    }
    const auto it = formatters().constFind(unit.isEmpty() ? QStringLiteral("short") : unit);
    if (it == formatters().constEnd())
        return formatters().value(QStringLiteral("short"))(value, decimals);
    return it.value()(value, decimals);
}

}  // namespace vigil::dashboard
