#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

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
};

}  // namespace vigil::dashboard
