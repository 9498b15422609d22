#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/logs/log_store_api.h"
#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/util/status.h"

namespace vigil::dashboard {

// Where dashboards read metrics from: Vigil's own engine (local), or any
// Prometheus-compatible HTTP API (a remote Prometheus, Mimir, Thanos,
// VictoriaMetrics, another Vigil). Methods block; callers run them off the
// GUI thread (the UI's query service uses a worker pool). Implementations
// are thread-safe.

struct SeriesData {
    model::Labels labels;
    std::vector<model::Timestamp> timestamps;  // ms, ascending
    std::vector<double> values;
};

struct MetricsQuery {
    QString expr;
    model::Timestamp startMs = 0;  // range queries
    model::Timestamp endMs = 0;    // also the evaluation time of instant queries
    std::int64_t stepMs = 0;
    bool instant = false;
    QString slot;  // a newer query in the same slot cancels the older one
};

struct MetricsResult {
    std::vector<SeriesData> series;  // scalars come back as one unlabelled series
    QString resultType;              // "matrix", "vector", "scalar", "string"
};

// A metric family for the metrics browser: name, Prometheus type
// (counter, gauge, histogram, summary, ...; inferred from the name when the
// source has no metadata) and help text.
struct MetricInfo {
    QString name;
    QString type;
    QString help;
};

// "counter" for *_total, "histogram" for *_bucket, "" otherwise.
QString inferMetricType(const QString& name);

// A LogQL log query for the dashboards' logs panel (Grafana's Loki target).
struct LogsQuery {
    QString expr;
    model::Timestamp startMs = 0;
    model::Timestamp endMs = 0;  // exclusive
    std::size_t limit = 1000;    // Grafana's default maxLines
    bool newestFirst = true;
};

class MetricsSource {
public:
    virtual ~MetricsSource() = default;
    virtual QString name() const = 0;
    virtual Result<MetricsResult> query(const MetricsQuery& query) = 0;
    // Sorted, unique. `selector` is a series selector (`up{job="x"}`) or
    // empty for every series; the range bounds the series considered.
    virtual Result<QStringList> labelNames(const QString& selector, model::Timestamp startMs,
                                           model::Timestamp endMs) = 0;
    virtual Result<QStringList> labelValues(const QString& label, const QString& selector,
                                            model::Timestamp startMs, model::Timestamp endMs) = 0;
    // Every metric name with series in the range, with what is known of it.
    // The default asks labelValues("__name__") and infers types from names.
    virtual Result<std::vector<MetricInfo>> metrics(model::Timestamp startMs,
                                                    model::Timestamp endMs);
    // Log lines for a LogQL log query, streams with entries in the query's
    // order. The default refuses: the source has no logs.
    virtual Result<std::vector<logs::LogStream>> queryLogs(const LogsQuery& query);
};

// Joins metric names with metadata keyed by family name: `x_bucket`,
// `x_count` and `x_sum` take the metadata of histogram/summary `x`.
std::vector<MetricInfo> joinMetricMetadata(const QStringList& names,
                                           const std::vector<MetricInfo>& metadata);

}  // namespace vigil::dashboard
