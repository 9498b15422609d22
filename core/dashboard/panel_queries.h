#pragma once

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

#include "core/dashboard/dashboard.h"
#include "core/dashboard/interpolation.h"
#include "core/dashboard/metrics_source.h"
#include "core/dashboard/time_range.h"

namespace vigil::dashboard {

// What one refresh of a panel asks its data source, computed as Grafana's
// Prometheus data source does: maxDataPoints = the panel's plot width in
// pixels (or its maxDataPoints), $__interval = the range over that,
// rounded and floored at the target's/panel's min interval, the step floored
// so no query returns more than 11,000 points, start/end aligned to the step,
// the panel's timeFrom/timeShift applied, variables interpolated.

struct PlannedQuery {
    QString refId;
    QString legendFormat;
    MetricsQuery query;  // expr interpolated; range or instant
    std::int64_t intervalMs = 0;
    // Set for the targets of a logs panel: a LogQL log query instead of a
    // metrics query (query.expr, startMs and endMs hold the same values).
    std::optional<LogsQuery> logs;
};

struct PanelQueryOptions {
    int widthPx = 1000;                     // the plot area's width
    std::int64_t scrapeIntervalMs = 15000;  // the data source's scrape interval
};

// Hidden targets and targets with an empty expr are left out. The context
// supplies the dashboard's variable values; the built-ins are set per
// target here.
std::vector<PlannedQuery> planPanelQueries(const Panel& panel, const ResolvedRange& dashboardRange,
                                           const InterpolationContext& variables,
                                           const PanelQueryOptions& options = {});

// Reduces a series to at most two points per pixel column (its minimum and
// maximum, in time order) before it reaches a chart, so that a panel never
// draws more points than it has pixels yet keeps every spike. NaN values
// (gaps) are kept as one NaN per column so lines still break there.
struct PlotPoint {
    std::int64_t t = 0;
    double v = 0;
};
std::vector<PlotPoint> minMaxPerColumn(const std::vector<model::Timestamp>& timestamps,
                                       const std::vector<double>& values, std::int64_t startMs,
                                       std::int64_t endMs, int columns);

}  // namespace vigil::dashboard
