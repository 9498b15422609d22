#pragma once

#include <functional>

#include "core/dashboard/metrics_source.h"

namespace vigil::model {
class Storage;
}
namespace vigil::promql {
class Engine;
}

namespace vigil::dashboard {

// Vigil's own TSDB through its PromQL engine. REQUIRES: both outlive this.
class LocalMetricsSource : public MetricsSource {
public:
    LocalMetricsSource(promql::Engine& engine, model::Storage& storage)
        : m_engine(engine), m_storage(storage) {}

    QString name() const override { return QStringLiteral("Vigil"); }
    Result<MetricsResult> query(const MetricsQuery& query) override;
    Result<QStringList> labelNames(const QString& selector, model::Timestamp startMs,
                                   model::Timestamp endMs) override;
    Result<QStringList> labelValues(const QString& label, const QString& selector,
                                    model::Timestamp startMs, model::Timestamp endMs) override;
    Result<std::vector<MetricInfo>> metrics(model::Timestamp startMs,
                                            model::Timestamp endMs) override;

    // HELP and TYPE as the scrapes saw them (the Engine's scrape metadata);
    // called from the caller's worker thread. Unset: types from names.
    // The log store that answers queryLogs(); null (the default): no logs.
    // REQUIRES: outlives this.
    void setLogReader(const logs::LogReader* reader) { m_logReader = reader; }
    Result<std::vector<logs::LogStream>> queryLogs(const LogsQuery& query) override;

    void setMetadataProvider(std::function<std::vector<MetricInfo>()> provider) {
        m_metadata = std::move(provider);
    }

private:
    std::function<std::vector<MetricInfo>()> m_metadata;
    const logs::LogReader* m_logReader = nullptr;
    promql::Engine& m_engine;
    model::Storage& m_storage;
};

}  // namespace vigil::dashboard
