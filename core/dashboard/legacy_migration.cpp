#include "core/dashboard/legacy_migration.h"

#include <QJsonArray>
#include <QMap>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/dashboard/grid_layout.h"

namespace vigil::dashboard {
namespace {

constexpr int kDefaultRowHeightPx = 250;
constexpr int kDefaultPanelSpan = 4;
constexpr int kMinPanelHeightPx = kGridCellHeightPx * kMinPanelHeight;

// Grafana's getGridHeight: "250px" or 250 -> grid rows.
int gridHeight(const QJsonValue& value, int fallbackPx) {
    int px = fallbackPx;
    if (value.isString()) {
        bool ok = false;
        QString text = value.toString();
        text.remove(QStringLiteral("px"));
        const int parsed = text.trimmed().toInt(&ok);
        if (ok)
            px = parsed;
    } else if (value.isDouble()) {
        px = value.toInt();
    }
    px = std::max(px, kMinPanelHeightPx);
    return static_cast<int>(
        std::ceil(static_cast<double>(px) / (kGridCellHeightPx + kGridCellMarginPx)));
}

// Grafana's RowArea: tracks the filled height per column inside one row band
// and finds where the next panel goes, scanning from the right edge.
class RowArea {
public:
    RowArea(int height, int yPos) : m_area(kGridColumns, 0), m_yPos(yPos), m_height(height) {}
    int yPos() const { return m_yPos; }

    void addPanel(int x, int y, int w, int h) {
        for (int i = x; i < x + w && i < kGridColumns; ++i) {
            const int filled = y + h - m_yPos;
            if (m_area[i] == 0 || filled > m_area[i])
                m_area[i] = filled;
        }
    }

    // {x, y within the band}; wraps to a new band once when there is no room.
    std::pair<int, int> position(int panelWidth, bool second = false) {
        int start = -1;
        int end = -1;
        for (int i = kGridColumns - 1; i >= 0; --i) {
            if (m_height - m_area[i] > 0) {
                if (end < 0) {
                    end = i;
                } else if (i < kGridColumns - 1 && m_area[i] <= m_area[i + 1]) {
                    start = i;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        if (start >= 0 && end >= 0 && end - start >= panelWidth - 1) {
            const int y = *std::max_element(m_area.begin() + start, m_area.end());
            return {start, y};
        }
        if (second)
            return {0, 0};
        m_yPos += m_height;
        std::fill(m_area.begin(), m_area.end(), 0);
        return position(panelWidth, true);
    }

private:
    std::vector<int> m_area;
    int m_yPos;
    int m_height;
};

void forEachPanel(QJsonArray& panels, const std::function<void(QJsonObject&)>& visit) {
    for (int i = 0; i < panels.size(); ++i) {
        QJsonObject panel = panels[i].toObject();
        visit(panel);
        if (panel.value(QStringLiteral("panels")).isArray()) {
            QJsonArray nested = panel.value(QStringLiteral("panels")).toArray();
            forEachPanel(nested, visit);
            panel.insert(QStringLiteral("panels"), nested);
        }
        panels[i] = panel;
    }
}

QString takeString(QJsonObject& object, const QString& key) {
    const QString value = object.value(key).toString();
    object.remove(key);
    return value;
}

QJsonObject subObject(const QJsonObject& object, const QString& key) {
    return object.value(key).toObject();
}

// Legacy threshold colours/values (singlestat "85,95" + colors[3]) to steps.
QJsonObject thresholdsFromLegacy(const QString& cuts, const QJsonArray& colors) {
    QJsonArray steps;
    const QStringList values = cuts.split(QLatin1Char(','), Qt::SkipEmptyParts);
    auto colorAt = [&](int i) {
        return i < colors.size() ? colors[i].toString() : QStringLiteral("green");
    };
    steps.append(QJsonObject{{QStringLiteral("color"), colorAt(0)},
                             {QStringLiteral("value"), QJsonValue::Null}});
    for (int i = 0; i < values.size(); ++i) {
        bool ok = false;
        const double v = values[i].trimmed().toDouble(&ok);
        if (ok)
            steps.append(QJsonObject{{QStringLiteral("color"), colorAt(i + 1)},
                                     {QStringLiteral("value"), v}});
    }
    return QJsonObject{{QStringLiteral("mode"), QStringLiteral("absolute")},
                       {QStringLiteral("steps"), steps}};
}

QString reducerFromValueName(const QString& valueName) {
    static const QMap<QString, QString> kMap = {
        {QStringLiteral("current"), QStringLiteral("lastNotNull")},
        {QStringLiteral("avg"), QStringLiteral("mean")},
        {QStringLiteral("total"), QStringLiteral("sum")},
        {QStringLiteral("min"), QStringLiteral("min")},
        {QStringLiteral("max"), QStringLiteral("max")},
        {QStringLiteral("first"), QStringLiteral("first")},
        {QStringLiteral("delta"), QStringLiteral("delta")},
        {QStringLiteral("diff"), QStringLiteral("diff")},
        {QStringLiteral("range"), QStringLiteral("range")},
        {QStringLiteral("name"), QStringLiteral("lastNotNull")},
        {QStringLiteral("last_time"), QStringLiteral("lastNotNull")}};
    return kMap.value(valueName, QStringLiteral("lastNotNull"));
}

QJsonArray mappingsFromLegacy(const QJsonObject& panel) {
    QJsonArray mappings;
    const int mappingType = panel.value(QStringLiteral("mappingType")).toInt(1);
    if (mappingType == 1) {
        QJsonObject options;
        int index = 0;
        for (const QJsonValue& map : panel.value(QStringLiteral("valueMaps")).toArray()) {
            const QJsonObject m = map.toObject();
            const QString value = m.value(QStringLiteral("value")).toVariant().toString();
            if (value == QLatin1String("null"))
                continue;
            options.insert(value,
                           QJsonObject{{QStringLiteral("text"), m.value(QStringLiteral("text"))},
                                       {QStringLiteral("index"), index++}});
        }
        if (!options.isEmpty())
            mappings.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("value")},
                                        {QStringLiteral("options"), options}});
    } else {
        for (const QJsonValue& map : panel.value(QStringLiteral("rangeMaps")).toArray()) {
            const QJsonObject m = map.toObject();
            mappings.append(QJsonObject{
                {QStringLiteral("type"), QStringLiteral("range")},
                {QStringLiteral("options"),
                 QJsonObject{
                     {QStringLiteral("from"),
                      m.value(QStringLiteral("from")).toVariant().toDouble()},
                     {QStringLiteral("to"), m.value(QStringLiteral("to")).toVariant().toDouble()},
                     {QStringLiteral("result"),
                      QJsonObject{{QStringLiteral("text"), m.value(QStringLiteral("text"))}}}}}});
        }
    }
    return mappings;
}

void migrateSinglestat(QJsonObject& panel) {
    const QJsonObject gauge = subObject(panel, QStringLiteral("gauge"));
    const bool asGauge = gauge.value(QStringLiteral("show")).toBool();
    QJsonObject defaults =
        subObject(subObject(panel, QStringLiteral("fieldConfig")), QStringLiteral("defaults"));
    if (panel.contains(QStringLiteral("format")))
        defaults.insert(QStringLiteral("unit"), takeString(panel, QStringLiteral("format")));
    if (panel.value(QStringLiteral("decimals")).isDouble())
        defaults.insert(QStringLiteral("decimals"), panel.take(QStringLiteral("decimals")));
    const QJsonValue thresholds = panel.take(QStringLiteral("thresholds"));
    const QJsonArray colors = panel.take(QStringLiteral("colors")).toArray();
    defaults.insert(QStringLiteral("thresholds"),
                    thresholdsFromLegacy(thresholds.toVariant().toString(), colors));
    const QJsonArray mappings = mappingsFromLegacy(panel);
    if (!mappings.isEmpty())
        defaults.insert(QStringLiteral("mappings"), mappings);
    if (asGauge) {
        defaults.insert(QStringLiteral("min"), gauge.value(QStringLiteral("minValue")).toDouble(0));
        defaults.insert(QStringLiteral("max"),
                        gauge.value(QStringLiteral("maxValue")).toDouble(100));
    }
    if (panel.contains(QStringLiteral("nullText")) &&
        !panel.value(QStringLiteral("nullText")).toString().isEmpty())
        defaults.insert(QStringLiteral("noValue"), panel.value(QStringLiteral("nullText")));
    defaults.insert(QStringLiteral("color"),
                    QJsonObject{{QStringLiteral("mode"), QStringLiteral("thresholds")}});
    QJsonObject fieldConfig = subObject(panel, QStringLiteral("fieldConfig"));
    fieldConfig.insert(QStringLiteral("defaults"), defaults);
    if (!fieldConfig.contains(QStringLiteral("overrides")))
        fieldConfig.insert(QStringLiteral("overrides"), QJsonArray());
    panel.insert(QStringLiteral("fieldConfig"), fieldConfig);

    QJsonObject options = subObject(panel, QStringLiteral("options"));
    options.insert(QStringLiteral("reduceOptions"),
                   QJsonObject{{QStringLiteral("calcs"), QJsonArray{reducerFromValueName(takeString(
                                                             panel, QStringLiteral("valueName")))}},
                               {QStringLiteral("fields"), QString()},
                               {QStringLiteral("values"), false}});
    if (asGauge) {
        options.insert(QStringLiteral("showThresholdMarkers"),
                       gauge.value(QStringLiteral("thresholdMarkers")).toBool(true));
        options.insert(QStringLiteral("showThresholdLabels"),
                       gauge.value(QStringLiteral("thresholdLabels")).toBool(false));
    } else {
        const bool background = panel.value(QStringLiteral("colorBackground")).toBool();
        const bool value = panel.value(QStringLiteral("colorValue")).toBool();
        options.insert(QStringLiteral("colorMode"),
                       background ? QStringLiteral("background")
                                  : (value ? QStringLiteral("value") : QStringLiteral("none")));
        options.insert(
            QStringLiteral("graphMode"),
            subObject(panel, QStringLiteral("sparkline")).value(QStringLiteral("show")).toBool()
                ? QStringLiteral("area")
                : QStringLiteral("none"));
        options.insert(QStringLiteral("textMode"), QStringLiteral("auto"));
    }
    panel.insert(QStringLiteral("options"), options);
    for (const char* key : {"gauge", "sparkline", "colorBackground", "colorValue", "valueMaps",
                            "rangeMaps", "mappingType", "mappingTypes", "nullText"})
        panel.remove(QLatin1String(key));
    panel.insert(QStringLiteral("type"),
                 asGauge ? QStringLiteral("gauge") : QStringLiteral("stat"));
}

QString legendCalc(const QString& legacy) {
    if (legacy == QLatin1String("avg"))
        return QStringLiteral("mean");
    if (legacy == QLatin1String("current"))
        return QStringLiteral("lastNotNull");
    if (legacy == QLatin1String("total"))
        return QStringLiteral("sum");
    return legacy;  // min, max
}

void migrateGraph(QJsonObject& panel) {
    QJsonObject fieldConfig = subObject(panel, QStringLiteral("fieldConfig"));
    QJsonObject defaults = subObject(fieldConfig, QStringLiteral("defaults"));
    QJsonObject custom = subObject(defaults, QStringLiteral("custom"));
    QJsonArray overrides = fieldConfig.value(QStringLiteral("overrides")).toArray();

    const QJsonArray yaxes = panel.take(QStringLiteral("yaxes")).toArray();
    if (!yaxes.isEmpty()) {
        const QJsonObject left = yaxes[0].toObject();
        if (left.contains(QStringLiteral("format")))
            defaults.insert(QStringLiteral("unit"), left.value(QStringLiteral("format")));
        for (const char* key : {"min", "max"}) {
            const QJsonValue v = left.value(QLatin1String(key));
            bool ok = false;
            const double d = v.isDouble() ? v.toDouble() : v.toString().toDouble(&ok);
            if (v.isDouble() || ok)
                defaults.insert(QLatin1String(key), d);
        }
        if (left.value(QStringLiteral("decimals")).isDouble())
            defaults.insert(QStringLiteral("decimals"), left.value(QStringLiteral("decimals")));
        if (left.value(QStringLiteral("logBase")).toInt(1) > 1)
            custom.insert(
                QStringLiteral("scaleDistribution"),
                QJsonObject{{QStringLiteral("type"), QStringLiteral("log")},
                            {QStringLiteral("log"), left.value(QStringLiteral("logBase"))}});
        if (!left.value(QStringLiteral("label")).toString().isEmpty())
            custom.insert(QStringLiteral("axisLabel"), left.value(QStringLiteral("label")));
    }
    const bool bars = panel.take(QStringLiteral("bars")).toBool();
    const bool lines = panel.take(QStringLiteral("lines")).toBool(true);
    const bool points = panel.take(QStringLiteral("points")).toBool();
    custom.insert(QStringLiteral("drawStyle"), bars                 ? QStringLiteral("bars")
                                               : (!lines && points) ? QStringLiteral("points")
                                                                    : QStringLiteral("line"));
    custom.insert(QStringLiteral("showPoints"),
                  points ? QStringLiteral("always") : QStringLiteral("never"));
    custom.insert(QStringLiteral("fillOpacity"), panel.take(QStringLiteral("fill")).toInt(1) * 10);
    custom.insert(QStringLiteral("lineWidth"), panel.take(QStringLiteral("linewidth")).toInt(1));
    if (panel.take(QStringLiteral("steppedLine")).toBool())
        custom.insert(QStringLiteral("lineInterpolation"), QStringLiteral("stepAfter"));
    const QString nullPointMode = takeString(panel, QStringLiteral("nullPointMode"));
    custom.insert(QStringLiteral("spanNulls"), nullPointMode == QLatin1String("connected"));
    const bool stack = panel.take(QStringLiteral("stack")).toBool();
    const bool percentage = panel.take(QStringLiteral("percentage")).toBool();
    custom.insert(
        QStringLiteral("stacking"),
        QJsonObject{{QStringLiteral("mode"),
                     stack ? (percentage ? QStringLiteral("percent") : QStringLiteral("normal"))
                           : QStringLiteral("none")},
                    {QStringLiteral("group"), QStringLiteral("A")}});

    // Legacy thresholds (value, op, colorMode) become steps drawn as lines.
    const QJsonArray legacyThresholds = panel.take(QStringLiteral("thresholds")).toArray();
    if (!legacyThresholds.isEmpty()) {
        QJsonArray steps{QJsonObject{{QStringLiteral("color"), QStringLiteral("transparent")},
                                     {QStringLiteral("value"), QJsonValue::Null}}};
        bool fill = false;
        for (const QJsonValue& t : legacyThresholds) {
            const QJsonObject o = t.toObject();
            const QString mode = o.value(QStringLiteral("colorMode")).toString();
            const QString color =
                mode == QLatin1String("critical")  ? QStringLiteral("red")
                : mode == QLatin1String("warning") ? QStringLiteral("orange")
                : mode == QLatin1String("ok")
                    ? QStringLiteral("green")
                    : o.value(QStringLiteral("lineColor")).toString(QStringLiteral("red"));
            fill = fill || o.value(QStringLiteral("fill")).toBool();
            steps.append(QJsonObject{
                {QStringLiteral("color"), color},
                {QStringLiteral("value"), o.value(QStringLiteral("value")).toDouble()}});
        }
        defaults.insert(QStringLiteral("thresholds"),
                        QJsonObject{{QStringLiteral("mode"), QStringLiteral("absolute")},
                                    {QStringLiteral("steps"), steps}});
        custom.insert(QStringLiteral("thresholdsStyle"),
                      QJsonObject{{QStringLiteral("mode"),
                                   fill ? QStringLiteral("line+area") : QStringLiteral("line")}});
    }

    // aliasColors and seriesOverrides become field overrides.
    const QJsonObject aliasColors = panel.take(QStringLiteral("aliasColors")).toObject();
    for (auto it = aliasColors.begin(); it != aliasColors.end(); ++it)
        overrides.append(QJsonObject{
            {QStringLiteral("matcher"),
             QJsonObject{{QStringLiteral("id"), QStringLiteral("byName")},
                         {QStringLiteral("options"), it.key()}}},
            {QStringLiteral("properties"),
             QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("color")},
                                    {QStringLiteral("value"),
                                     QJsonObject{{QStringLiteral("mode"), QStringLiteral("fixed")},
                                                 {QStringLiteral("fixedColor"), it.value()}}}}}}});
    for (const QJsonValue& value : panel.take(QStringLiteral("seriesOverrides")).toArray()) {
        const QJsonObject o = value.toObject();
        QString alias = o.value(QStringLiteral("alias")).toString();
        if (alias.isEmpty())
            continue;
        QJsonObject matcher;
        if (alias.size() > 1 && alias.startsWith(QLatin1Char('/')) &&
            alias.endsWith(QLatin1Char('/')))
            matcher = {{QStringLiteral("id"), QStringLiteral("byRegexp")},
                       {QStringLiteral("options"), alias.mid(1, alias.size() - 2)}};
        else
            matcher = {{QStringLiteral("id"), QStringLiteral("byName")},
                       {QStringLiteral("options"), alias}};
        QJsonArray properties;
        if (o.contains(QStringLiteral("color")))
            properties.append(QJsonObject{
                {QStringLiteral("id"), QStringLiteral("color")},
                {QStringLiteral("value"),
                 QJsonObject{{QStringLiteral("mode"), QStringLiteral("fixed")},
                             {QStringLiteral("fixedColor"), o.value(QStringLiteral("color"))}}}});
        if (o.value(QStringLiteral("transform")).toString() == QLatin1String("negative-Y"))
            properties.append(
                QJsonObject{{QStringLiteral("id"), QStringLiteral("custom.transform")},
                            {QStringLiteral("value"), QStringLiteral("negative-Y")}});
        if (o.value(QStringLiteral("yaxis")).toInt() == 2)
            properties.append(
                QJsonObject{{QStringLiteral("id"), QStringLiteral("custom.axisPlacement")},
                            {QStringLiteral("value"), QStringLiteral("right")}});
        if (o.contains(QStringLiteral("fill")))
            properties.append(QJsonObject{
                {QStringLiteral("id"), QStringLiteral("custom.fillOpacity")},
                {QStringLiteral("value"), o.value(QStringLiteral("fill")).toInt() * 10}});
        if (o.contains(QStringLiteral("linewidth")))
            properties.append(
                QJsonObject{{QStringLiteral("id"), QStringLiteral("custom.lineWidth")},
                            {QStringLiteral("value"), o.value(QStringLiteral("linewidth"))}});
        if (o.contains(QStringLiteral("bars")) && o.value(QStringLiteral("bars")).toBool())
            properties.append(
                QJsonObject{{QStringLiteral("id"), QStringLiteral("custom.drawStyle")},
                            {QStringLiteral("value"), QStringLiteral("bars")}});
        if (o.contains(QStringLiteral("stack")))
            properties.append(QJsonObject{
                {QStringLiteral("id"), QStringLiteral("custom.stacking")},
                {QStringLiteral("value"),
                 QJsonObject{{QStringLiteral("mode"), o.value(QStringLiteral("stack")).toBool()
                                                          ? QStringLiteral("normal")
                                                          : QStringLiteral("none")},
                             {QStringLiteral("group"), QStringLiteral("A")}}}});
        if (!properties.isEmpty())
            overrides.append(QJsonObject{{QStringLiteral("matcher"), matcher},
                                         {QStringLiteral("properties"), properties}});
    }

    QJsonObject options = subObject(panel, QStringLiteral("options"));
    const QJsonObject legend = panel.take(QStringLiteral("legend")).toObject();
    QJsonArray calcs;
    for (const char* key : {"min", "max", "avg", "current", "total"})
        if (legend.value(QLatin1String(key)).toBool() &&
            legend.value(QStringLiteral("values")).toBool())
            calcs.append(legendCalc(QLatin1String(key)));
    options.insert(
        QStringLiteral("legend"),
        QJsonObject{
            {QStringLiteral("showLegend"), legend.value(QStringLiteral("show")).toBool(true)},
            {QStringLiteral("displayMode"), legend.value(QStringLiteral("alignAsTable")).toBool()
                                                ? QStringLiteral("table")
                                                : QStringLiteral("list")},
            {QStringLiteral("placement"), legend.value(QStringLiteral("rightSide")).toBool()
                                              ? QStringLiteral("right")
                                              : QStringLiteral("bottom")},
            {QStringLiteral("calcs"), calcs}});
    const QJsonObject tooltip = panel.take(QStringLiteral("tooltip")).toObject();
    const int sort = tooltip.value(QStringLiteral("sort")).toInt();
    options.insert(
        QStringLiteral("tooltip"),
        QJsonObject{{QStringLiteral("mode"), tooltip.value(QStringLiteral("shared")).toBool(true)
                                                 ? QStringLiteral("multi")
                                                 : QStringLiteral("single")},
                    {QStringLiteral("sort"), sort == 1   ? QStringLiteral("asc")
                                             : sort == 2 ? QStringLiteral("desc")
                                                         : QStringLiteral("none")}});
    for (const char* key : {"xaxis", "yaxis", "dashes", "dashLength", "spaceLength", "pointradius",
                            "renderer", "timeRegions", "fillGradient", "hiddenSeries"})
        panel.remove(QLatin1String(key));
    defaults.insert(QStringLiteral("custom"), custom);
    fieldConfig.insert(QStringLiteral("defaults"), defaults);
    fieldConfig.insert(QStringLiteral("overrides"), overrides);
    panel.insert(QStringLiteral("fieldConfig"), fieldConfig);
    panel.insert(QStringLiteral("options"), options);
    panel.insert(QStringLiteral("type"), QStringLiteral("timeseries"));
}

}  // namespace

void migrateLegacyRows(QJsonObject& dashboard, QStringList& notes) {
    const QJsonArray rows = dashboard.value(QStringLiteral("rows")).toArray();
    if (rows.isEmpty()) {
        dashboard.remove(QStringLiteral("rows"));
        return;
    }
    QJsonArray panels = dashboard.value(QStringLiteral("panels")).toArray();
    int maxId = 0;
    for (const QJsonValue& row : rows)
        for (const QJsonValue& panel : row.toObject().value(QStringLiteral("panels")).toArray())
            maxId = std::max(maxId, panel.toObject().value(QStringLiteral("id")).toInt());
    int nextRowId = maxId + 1;
    bool showRows = false;
    for (const QJsonValue& value : rows) {
        const QJsonObject row = value.toObject();
        showRows = showRows || row.value(QStringLiteral("collapse")).toBool() ||
                   row.value(QStringLiteral("showTitle")).toBool() ||
                   !row.value(QStringLiteral("repeat")).toString().isEmpty();
    }
    int yPos = 0;
    int converted = 0;
    for (const QJsonValue& value : rows) {
        const QJsonObject row = value.toObject();
        // Rows Grafana generated for a repeat (a truthy repeatIteration).
        const QJsonValue iteration = row.value(QStringLiteral("repeatIteration"));
        if (!iteration.isNull() && !iteration.isUndefined() && iteration.toVariant().toBool())
            continue;

        const int rowHeight = gridHeight(row.value(QStringLiteral("height")), kDefaultRowHeightPx);
        const bool collapsed = row.value(QStringLiteral("collapse")).toBool();
        QJsonObject rowPanel;
        QJsonArray rowChildren;
        if (showRows) {
            rowPanel = {{QStringLiteral("id"), nextRowId++},
                        {QStringLiteral("type"), QStringLiteral("row")},
                        {QStringLiteral("title"), row.value(QStringLiteral("title")).toString()},
                        {QStringLiteral("collapsed"), collapsed},
                        {QStringLiteral("gridPos"), QJsonObject{{QStringLiteral("x"), 0},
                                                                {QStringLiteral("y"), yPos},
                                                                {QStringLiteral("w"), kGridColumns},
                                                                {QStringLiteral("h"), 1}}}};
            if (!row.value(QStringLiteral("repeat")).toString().isEmpty())
                rowPanel.insert(QStringLiteral("repeat"), row.value(QStringLiteral("repeat")));
            ++yPos;
        }
        RowArea area(rowHeight, yPos);
        for (const QJsonValue& p : row.value(QStringLiteral("panels")).toArray()) {
            QJsonObject panel = p.toObject();
            const int span = static_cast<int>(
                std::floor(panel.value(QStringLiteral("span")).toDouble(kDefaultPanelSpan)));
            const int width =
                std::clamp((span > 0 ? span : kDefaultPanelSpan) * 2, 1, kGridColumns);
            const int height =
                panel.contains(QStringLiteral("height"))
                    ? gridHeight(panel.value(QStringLiteral("height")), kDefaultRowHeightPx)
                    : rowHeight;
            const auto [x, y] = area.position(width);
            yPos = area.yPos();
            const int absoluteY = yPos + y;
            panel.insert(QStringLiteral("gridPos"), QJsonObject{{QStringLiteral("x"), x},
                                                                {QStringLiteral("y"), absoluteY},
                                                                {QStringLiteral("w"), width},
                                                                {QStringLiteral("h"), height}});
            area.addPanel(x, absoluteY, width, height);
            if (panel.contains(QStringLiteral("minSpan")))
                panel.insert(
                    QStringLiteral("maxPerRow"),
                    std::max(1, 12 / std::max(1, panel.take(QStringLiteral("minSpan")).toInt())));
            panel.remove(QStringLiteral("span"));
            panel.remove(QStringLiteral("height"));
            ++converted;
            if (showRows && collapsed)
                rowChildren.append(panel);
            else
                panels.append(panel);
        }
        if (showRows) {
            rowPanel.insert(QStringLiteral("panels"), rowChildren);
            panels.append(rowPanel);
        }
        if (!(showRows && collapsed))
            yPos += rowHeight;
    }
    dashboard.insert(QStringLiteral("panels"), panels);
    dashboard.remove(QStringLiteral("rows"));
    notes << QStringLiteral("legacy rows[] -> grid layout (%1 rows, %2 panels%3)")
                 .arg(rows.size())
                 .arg(converted)
                 .arg(showRows ? QStringLiteral(", with row panels") : QString());
}

void migrateLegacyPanels(QJsonObject& dashboard, QStringList& notes) {
    QJsonArray panels = dashboard.value(QStringLiteral("panels")).toArray();
    const int schemaVersion = dashboard.value(QStringLiteral("schemaVersion")).toInt();
    QMap<QString, int> counts;
    QSet<int> usedIds;
    int maxId = 0;
    forEachPanel(panels, [&](QJsonObject& panel) {
        maxId = std::max(maxId, panel.value(QStringLiteral("id")).toInt());
    });
    forEachPanel(panels, [&](QJsonObject& panel) {
        const int id = panel.value(QStringLiteral("id")).toInt();
        if (id <= 0 || usedIds.contains(id)) {
            panel.insert(QStringLiteral("id"), ++maxId);
            ++counts[QStringLiteral("missing or duplicate panel id -> new id")];
        }
        usedIds.insert(panel.value(QStringLiteral("id")).toInt());

        const QString type = panel.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("graph")) {
            migrateGraph(panel);
            ++counts[QStringLiteral("graph -> timeseries")];
        } else if (type == QLatin1String("singlestat") ||
                   type == QLatin1String("grafana-singlestat-panel")) {
            migrateSinglestat(panel);
            ++counts[QStringLiteral("singlestat -> ") +
                     panel.value(QStringLiteral("type")).toString()];
        } else if ((type == QLatin1String("table") && panel.contains(QStringLiteral("styles")) &&
                    schemaVersion < 24) ||
                   type == QLatin1String("table-old")) {
            panel.insert(QStringLiteral("type"), QStringLiteral("table"));
            panel.insert(QStringLiteral("x-vigil-legacy-table"), true);
            ++counts[QStringLiteral("Angular table -> table")];
        } else if (type == QLatin1String("text") && panel.contains(QStringLiteral("content")) &&
                   !panel.value(QStringLiteral("options"))
                        .toObject()
                        .contains(QStringLiteral("content"))) {
            QJsonObject options = subObject(panel, QStringLiteral("options"));
            options.insert(QStringLiteral("content"), panel.take(QStringLiteral("content")));
            options.insert(QStringLiteral("mode"), panel.contains(QStringLiteral("mode"))
                                                       ? panel.take(QStringLiteral("mode"))
                                                       : QJsonValue(QStringLiteral("markdown")));
            panel.insert(QStringLiteral("options"), options);
            ++counts[QStringLiteral("pre-7 text panel -> options.content")];
        }
    });
    dashboard.insert(QStringLiteral("panels"), panels);
    for (auto it = counts.begin(); it != counts.end(); ++it)
        notes << QStringLiteral("%1 (%2 panel%3)")
                     .arg(it.key())
                     .arg(it.value())
                     .arg(it.value() == 1 ? QString() : QStringLiteral("s"));
}

void migrateDashboardKeys(QJsonObject& dashboard, QStringList& notes) {
    if (dashboard.contains(QStringLiteral("sharedCrosshair"))) {
        const bool shared = dashboard.take(QStringLiteral("sharedCrosshair")).toBool();
        if (!dashboard.contains(QStringLiteral("graphTooltip")))
            dashboard.insert(QStringLiteral("graphTooltip"), shared ? 1 : 0);
        notes << QStringLiteral("sharedCrosshair -> graphTooltip");
    }
    if (dashboard.value(QStringLiteral("refresh")).isBool())
        dashboard.insert(QStringLiteral("refresh"), QString());
}

}  // namespace vigil::dashboard
