#include "ui/panels/panel_data.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>

#include <cmath>
#include <limits>

#include "core/dashboard/interpolation.h"
#include "core/dashboard/units.h"

namespace vigil::panels {

bool PanelData::hasError() const {
    for (const QueryFrame& frame : frames)
        if (!frame.error.isEmpty())
            return true;
    return false;
}

QString PanelData::errorText() const {
    QStringList lines;
    for (const QueryFrame& frame : frames)
        if (!frame.error.isEmpty())
            lines << frame.refId + QStringLiteral(": ") + frame.error;
    return lines.join(QLatin1Char('\n'));
}

bool PanelData::hasData() const {
    for (const QueryFrame& frame : frames) {
        for (const auto& series : frame.series)
            if (!series.values.empty())
                return true;
        for (const auto& stream : frame.streams)
            if (!stream.entries.empty())
                return true;
    }
    return false;
}

std::vector<NamedSeries> namedSeries(const PanelData& data) {
    std::vector<NamedSeries> out;
    for (const QueryFrame& frame : data.frames)
        for (const auto& series : frame.series)
            out.push_back({dashboard::renderLegend(frame.legendFormat, series.labels), &series});
    return out;
}

QColor grafanaColor(const QString& name) {
    static const QHash<QString, QString> kNamed = {
        {QStringLiteral("green"), QStringLiteral("#73BF69")},
        {QStringLiteral("semi-dark-green"), QStringLiteral("#56A64B")},
        {QStringLiteral("dark-green"), QStringLiteral("#37872D")},
        {QStringLiteral("light-green"), QStringLiteral("#96D98D")},
        {QStringLiteral("red"), QStringLiteral("#F2495C")},
        {QStringLiteral("semi-dark-red"), QStringLiteral("#E02F44")},
        {QStringLiteral("dark-red"), QStringLiteral("#C4162A")},
        {QStringLiteral("light-red"), QStringLiteral("#FF7383")},
        {QStringLiteral("orange"), QStringLiteral("#FF9830")},
        {QStringLiteral("semi-dark-orange"), QStringLiteral("#FA6400")},
        {QStringLiteral("dark-orange"), QStringLiteral("#E55400")},
        {QStringLiteral("light-orange"), QStringLiteral("#FFB357")},
        {QStringLiteral("yellow"), QStringLiteral("#FADE2A")},
        {QStringLiteral("semi-dark-yellow"), QStringLiteral("#F2CC0C")},
        {QStringLiteral("dark-yellow"), QStringLiteral("#E0B400")},
        {QStringLiteral("light-yellow"), QStringLiteral("#FFEE52")},
        {QStringLiteral("blue"), QStringLiteral("#5794F2")},
        {QStringLiteral("semi-dark-blue"), QStringLiteral("#3274D9")},
        {QStringLiteral("dark-blue"), QStringLiteral("#1F60C4")},
        {QStringLiteral("light-blue"), QStringLiteral("#8AB8FF")},
        {QStringLiteral("purple"), QStringLiteral("#B877D9")},
        {QStringLiteral("semi-dark-purple"), QStringLiteral("#A352CC")},
        {QStringLiteral("dark-purple"), QStringLiteral("#8F3BB8")},
        {QStringLiteral("light-purple"), QStringLiteral("#CA95E5")},
        {QStringLiteral("text"), QStringLiteral("#CCCCDC")},
        {QStringLiteral("transparent"), QStringLiteral("#00000000")},
    };
    const QString key = name.trimmed();
    if (kNamed.contains(key))
        return QColor(kNamed.value(key));
    if (key.startsWith(QLatin1String("rgba(")) || key.startsWith(QLatin1String("rgb("))) {
        const QString inner = key.mid(key.indexOf(QLatin1Char('(')) + 1).chopped(1);
        const QStringList parts = inner.split(QLatin1Char(','));
        if (parts.size() >= 3) {
            QColor color(parts[0].trimmed().toInt(), parts[1].trimmed().toInt(),
                         parts[2].trimmed().toInt());
            if (parts.size() == 4)
                color.setAlphaF(parts[3].trimmed().toFloat());
            return color;
        }
    }
    const QColor parsed(key);
    return parsed.isValid() ? parsed : QColor(QStringLiteral("#73BF69"));
}

QColor paletteColor(int index) {
    static const char* const kPalette[] = {
        "#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9", "#705DA0",
        "#508642", "#CCA300", "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477"};
    return QColor(QLatin1String(kPalette[static_cast<std::size_t>(index) % std::size(kPalette)]));
}

FieldOptions FieldOptions::fromPanel(const dashboard::Panel& panel) {
    FieldOptions options;
    const QJsonObject defaults = panel.raw.value(QStringLiteral("fieldConfig"))
                                     .toObject()
                                     .value(QStringLiteral("defaults"))
                                     .toObject();
    options.unit = defaults.value(QStringLiteral("unit")).toString();
    if (defaults.value(QStringLiteral("decimals")).isDouble())
        options.decimals = defaults.value(QStringLiteral("decimals")).toInt();
    if (defaults.value(QStringLiteral("min")).isDouble())
        options.min = defaults.value(QStringLiteral("min")).toDouble();
    if (defaults.value(QStringLiteral("max")).isDouble())
        options.max = defaults.value(QStringLiteral("max")).toDouble();
    options.noValue = defaults.value(QStringLiteral("noValue")).toString();
    const QJsonObject thresholds = defaults.value(QStringLiteral("thresholds")).toObject();
    options.percentageThresholds =
        thresholds.value(QStringLiteral("mode")).toString() == QLatin1String("percentage");
    for (const QJsonValue& step : thresholds.value(QStringLiteral("steps")).toArray()) {
        const QJsonObject s = step.toObject();
        ThresholdStep t;
        if (s.value(QStringLiteral("value")).isDouble())
            t.value = s.value(QStringLiteral("value")).toDouble();
        t.color = grafanaColor(s.value(QStringLiteral("color")).toString());
        options.thresholds.push_back(t);
    }
    if (options.thresholds.empty())
        options.thresholds.push_back({std::nullopt, grafanaColor(QStringLiteral("green"))});
    const QJsonObject color = defaults.value(QStringLiteral("color")).toObject();
    options.colorMode = color.value(QStringLiteral("mode")).toString();
    if (color.contains(QStringLiteral("fixedColor")))
        options.fixedColor = grafanaColor(color.value(QStringLiteral("fixedColor")).toString());
    return options;
}

QString FieldOptions::format(double value) const {
    if (std::isnan(value))
        return noValue.isEmpty() ? QStringLiteral("No data") : noValue;
    return dashboard::formatValue(unit, value, decimals).toString();
}

QColor FieldOptions::thresholdColor(double value) const {
    double v = value;
    if (percentageThresholds && min && max && *max > *min)
        v = 100.0 * (value - *min) / (*max - *min);
    QColor color = thresholds.front().color;
    for (const ThresholdStep& step : thresholds)
        if (!step.value || v >= *step.value)
            color = step.color;
    return color;
}

double reduceSeries(const dashboard::SeriesData& series, const QString& calc) {
    const auto& v = series.values;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (v.empty())
        return nan;
    if (calc == QLatin1String("last"))
        return v.back();
    if (calc == QLatin1String("first"))
        return v.front();
    if (calc == QLatin1String("firstNotNull")) {
        for (double x : v)
            if (!std::isnan(x))
                return x;
        return nan;
    }
    double sum = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    std::size_t count = 0;
    double last = nan;
    double first = nan;
    for (double x : v) {
        if (std::isnan(x))
            continue;
        if (count == 0)
            first = x;
        sum += x;
        min = std::min(min, x);
        max = std::max(max, x);
        last = x;
        ++count;
    }
    if (calc == QLatin1String("count"))
        return static_cast<double>(count);
    if (count == 0)
        return nan;
    if (calc == QLatin1String("mean") || calc == QLatin1String("avg"))
        return sum / static_cast<double>(count);
    if (calc == QLatin1String("min"))
        return min;
    if (calc == QLatin1String("max"))
        return max;
    if (calc == QLatin1String("sum") || calc == QLatin1String("total"))
        return sum;
    if (calc == QLatin1String("range"))
        return max - min;
    if (calc == QLatin1String("delta") || calc == QLatin1String("diff"))
        return last - first;
    return last;  // lastNotNull and anything unknown
}

}  // namespace vigil::panels
