#include "core/dashboard/panel_queries.h"

#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigil::dashboard {
namespace {

std::int64_t intervalSetting(const QString& text, const InterpolationContext& context) {
    if (text.isEmpty())
        return 0;
    QString value = interpolate(text, context, InterpolationTarget::kText);
    if (value.startsWith(QLatin1Char('>')))  // Grafana's ">10s" = at least 10s
        value = value.mid(1);
    return parseGrafanaInterval(value).value_or(0);
}

}  // namespace

std::vector<PlannedQuery> planPanelQueries(const Panel& panel, const ResolvedRange& dashboardRange,
                                           const InterpolationContext& variables,
                                           const PanelQueryOptions& options) {
    ResolvedRange range = dashboardRange;
    if (const auto from =
            parseGrafanaInterval(panel.raw.value(QStringLiteral("timeFrom")).toString()))
        range.fromMs = range.toMs - *from;
    if (const auto shift =
            parseGrafanaInterval(panel.raw.value(QStringLiteral("timeShift")).toString())) {
        range.fromMs -= *shift;
        range.toMs -= *shift;
    }
    const std::int64_t rangeMs = std::max<std::int64_t>(range.toMs - range.fromMs, 1);
    const int maxDataPoints = panel.raw.value(QStringLiteral("maxDataPoints")).toInt(0) > 0
                                  ? panel.raw.value(QStringLiteral("maxDataPoints")).toInt()
                                  : std::max(1, options.widthPx);
    const std::int64_t panelMinInterval =
        intervalSetting(panel.raw.value(QStringLiteral("interval")).toString(), variables);

    std::vector<PlannedQuery> planned;
    if (panel.type == QLatin1String("alertlist")) {
        // The alert list reads Vigil's rule state from the ALERTS and
        // ALERTS_FOR_STATE series (instant, at the range's end), so it works
        // against any Prometheus-compatible source too.
        const QJsonObject options = panel.raw.value(QStringLiteral("options")).toObject();
        const QJsonObject filter = options.value(QStringLiteral("stateFilter")).toObject();
        QStringList states;
        if (filter.value(QStringLiteral("firing")).toBool(true))
            states << QStringLiteral("firing");
        if (filter.value(QStringLiteral("pending")).toBool(true))
            states << QStringLiteral("pending");
        QString selector = QStringLiteral("alertstate=~\"%1\"").arg(states.join(QLatin1Char('|')));
        const QString name = options.value(QStringLiteral("alertName")).toString();
        if (!name.isEmpty())
            selector += QStringLiteral(",alertname=~\"(?i).*%1.*\"")
                            .arg(QRegularExpression::escape(name).replace(QLatin1Char('\\'),
                                                                          QStringLiteral("\\\\")));
        for (const auto& [refId, expr] :
             {std::pair{QStringLiteral("ALERTS"), QStringLiteral("ALERTS{%1}").arg(selector)},
              std::pair{QStringLiteral("ALERTS_FOR_STATE"), QStringLiteral("ALERTS_FOR_STATE")}}) {
            PlannedQuery query;
            query.refId = refId;
            query.query.expr = expr;
            query.query.instant = true;
            query.query.startMs = range.toMs;
            query.query.endMs = range.toMs;
            query.query.stepMs = 15000;
            query.query.slot = QStringLiteral("panel-%1-%2").arg(panel.id).arg(refId);
            planned.push_back(std::move(query));
        }
        return planned;
    }
    for (const Target& target : panel.targets) {
        if (target.hidden || target.expr.trimmed().isEmpty())
            continue;
        const std::int64_t targetMinInterval = intervalSetting(target.interval, variables);
        const std::int64_t minInterval = std::max(targetMinInterval, panelMinInterval);
        const std::int64_t intervalMs = calculateIntervalMs(rangeMs, maxDataPoints, minInterval);
        const int intervalFactor =
            std::max(1, target.raw.value(QStringLiteral("intervalFactor")).toInt(1));
        const std::int64_t stepMs =
            prometheusStepMs(intervalMs * intervalFactor, minInterval, rangeMs);

        InterpolationContext context = variables;
        context.fromMs = range.fromMs;
        context.toMs = range.toMs;
        context.intervalMs = intervalMs;
        context.rateIntervalMs =
            rateIntervalMs(intervalMs, minInterval > 0 ? minInterval : options.scrapeIntervalMs);

        PlannedQuery query;
        query.refId = target.refId;
        query.legendFormat = target.legendFormat;
        query.intervalMs = intervalMs;
        query.query.expr = interpolate(target.expr, context, InterpolationTarget::kPromQL);
        query.query.instant = target.instant && !target.raw.value(QStringLiteral("range")).toBool();
        query.query.stepMs = stepMs;
        // Grafana aligns the range to the step so refreshes hit the same
        // evaluation timestamps (stable graphs, cache-friendly).
        query.query.startMs = (range.fromMs / stepMs) * stepMs;
        query.query.endMs = query.query.instant ? range.toMs : (range.toMs / stepMs) * stepMs;
        query.query.slot = QStringLiteral("panel-%1-%2").arg(panel.id).arg(target.refId);
        if (panel.type == QLatin1String("logs")) {
            // Grafana's logs panel over Loki: the lines of the whole range,
            // at most maxLines (the data source's, 1000 by default), in the
            // panel's sort order.
            LogsQuery logs;
            logs.expr = query.query.expr;
            logs.startMs = range.fromMs;
            logs.endMs = range.toMs + 1;
            const int maxLines =
                target.raw.value(QStringLiteral("maxLines"))
                    .toInt(panel.raw.value(QStringLiteral("maxLines")).toInt(1000));
            logs.limit = static_cast<std::size_t>(std::max(1, maxLines));
            logs.newestFirst =
                panel.raw.value(QStringLiteral("options"))
                    .toObject()
                    .value(QStringLiteral("sortOrder"))
                    .toString(QStringLiteral("Descending")) != QLatin1String("Ascending");
            query.query.startMs = logs.startMs;
            query.query.endMs = logs.endMs;
            query.logs = std::move(logs);
        }
        planned.push_back(std::move(query));
    }
    return planned;
}

std::vector<PlotPoint> minMaxPerColumn(const std::vector<model::Timestamp>& timestamps,
                                       const std::vector<double>& values, std::int64_t startMs,
                                       std::int64_t endMs, int columns) {
    std::vector<PlotPoint> out;
    const std::size_t n = std::min(timestamps.size(), values.size());
    if (n == 0 || columns <= 0)
        return out;
    if (n <= static_cast<std::size_t>(2 * columns)) {
        out.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            out.push_back({timestamps[i], values[i]});
        return out;
    }
    const double span = static_cast<double>(std::max<std::int64_t>(endMs - startMs, 1));
    out.reserve(static_cast<std::size_t>(2 * columns) + 2);
    std::size_t i = 0;
    while (i < n) {
        const auto column = static_cast<std::int64_t>(
            std::floor((static_cast<double>(timestamps[i] - startMs) / span) * columns));
        std::size_t minIndex = n;
        std::size_t maxIndex = n;
        bool gap = false;
        std::size_t gapIndex = 0;
        std::size_t j = i;
        for (; j < n; ++j) {
            const auto c = static_cast<std::int64_t>(
                std::floor((static_cast<double>(timestamps[j] - startMs) / span) * columns));
            if (c != column)
                break;
            if (std::isnan(values[j])) {
                if (!gap)
                    gapIndex = j;
                gap = true;
                continue;
            }
            if (minIndex == n || values[j] < values[minIndex])
                minIndex = j;
            if (maxIndex == n || values[j] > values[maxIndex])
                maxIndex = j;
        }
        std::size_t picks[3] = {minIndex, maxIndex, gap ? gapIndex : n};
        std::sort(std::begin(picks), std::end(picks));
        std::size_t last = n;
        for (std::size_t pick : picks) {
            if (pick == n || pick == last)
                continue;
            out.push_back({timestamps[pick], values[pick]});
            last = pick;
        }
        i = j;
    }
    return out;
}

}  // namespace vigil::dashboard
