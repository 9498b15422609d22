#pragma once

#include <QColor>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

#include "core/dashboard/dashboard.h"
#include "core/dashboard/metrics_source.h"

namespace vigil::panels {

// What a panel shows after one refresh: the answer to each of its queries,
// plain values handed from the query service's worker threads to the GUI.
struct QueryFrame {
    QString refId;
    QString legendFormat;
    bool instant = false;
    QString error;  // the query's error; the panel shows it
    std::vector<dashboard::SeriesData> series;
    // Logs panels: the lines of a LogQL log query, per stream.
    std::vector<logs::LogStream> streams;
};

struct PanelData {
    std::int64_t fromMs = 0;
    std::int64_t toMs = 0;
    std::vector<QueryFrame> frames;
    bool loading = false;

    bool hasError() const;
    QString errorText() const;  // "A: parse error ..." per failing query
    bool hasData() const;       // some series with at least one value, or a log line
};

// One series ready to draw: its display name (legendFormat applied) and
// its points.
struct NamedSeries {
    QString name;
    const dashboard::SeriesData* data = nullptr;
};
std::vector<NamedSeries> namedSeries(const PanelData& data);

// The field options every new-style panel shares (fieldConfig.defaults),
// read once from the panel JSON.
struct ThresholdStep {
    std::optional<double> value;  // unset: the base step (−∞)
    QColor color;
};

struct FieldOptions {
    QString unit;
    std::optional<int> decimals;
    std::optional<double> min;
    std::optional<double> max;
    QString noValue;
    std::vector<ThresholdStep> thresholds;  // ascending
    bool percentageThresholds = false;
    QString colorMode;  // palette-classic, thresholds, fixed
    QColor fixedColor;

    static FieldOptions fromPanel(const dashboard::Panel& panel);
    QString format(double value) const;  // unit + decimals
    QColor thresholdColor(double value) const;
};

// Grafana's named colours ("green", "semi-dark-red", "#73BF69", "rgba()").
QColor grafanaColor(const QString& name);
// The classic palette, by series index.
QColor paletteColor(int index);

// Grafana's reducers (lastNotNull, last, first, mean, min, max, sum,
// count, range, delta, diff) over one series; NaN when empty.
double reduceSeries(const dashboard::SeriesData& series, const QString& calc);

}  // namespace vigil::panels
