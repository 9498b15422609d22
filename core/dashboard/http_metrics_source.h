#pragma once

#include <chrono>

#include "core/dashboard/metrics_source.h"

namespace vigil::dashboard {

// A Prometheus-compatible HTTP API (Prometheus, Mimir, Thanos,
// VictoriaMetrics, another Vigil) as a dashboard data source, through
// libcurl: POST /api/v1/query and /api/v1/query_range, GET /api/v1/labels and
// /api/v1/label/<name>/values with match[]. Errors carry the server's
// errorType and message ("bad_data: parse error at char 5: ...").
class HttpMetricsSource : public MetricsSource {
public:
    // `baseUrl`: "http://host:9090" or with a path prefix.
    explicit HttpMetricsSource(QString baseUrl,
                               std::chrono::milliseconds timeout = std::chrono::seconds(60));

    QString name() const override { return m_baseUrl; }
    Result<MetricsResult> query(const MetricsQuery& query) override;
    Result<QStringList> labelNames(const QString& selector, model::Timestamp startMs,
                                   model::Timestamp endMs) override;
    Result<QStringList> labelValues(const QString& label, const QString& selector,
                                    model::Timestamp startMs, model::Timestamp endMs) override;
    // Names from /api/v1/label/__name__/values, HELP/TYPE from /api/v1/metadata.
    Result<std::vector<MetricInfo>> metrics(model::Timestamp startMs,
                                            model::Timestamp endMs) override;
    // Loki's /loki/api/v1/query_range at the same base URL (Vigil serves
    // both APIs on one listener; so does a Loki behind a shared gateway).
    Result<std::vector<logs::LogStream>> queryLogs(const LogsQuery& query) override;

private:
    // Returns the `data` member of a successful API response.
    Result<QByteArray> call(const QString& path, const QByteArray& form, bool post);

    QString m_baseUrl;
    std::chrono::milliseconds m_timeout;
};

}  // namespace vigil::dashboard
