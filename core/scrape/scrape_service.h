#pragma once

// The scrape manager as an engine Service: applies the scrape configs and
// starts the manager in doStart(), stops it in doStop(). A later reload goes
// through applyConfig() while the service runs.
//
// Thread-safety: as ScrapeManager; start()/stop()/applyConfig() from the
// engine's thread.

#include <vector>

#include "core/config/prometheus_config.h"
#include "core/engine/service.h"
#include "core/instrument/metric_registry.h"
#include "core/model/storage.h"
#include "core/scrape/scrape_manager.h"

namespace vigil::scrape {

class ScrapeService : public engine::Service {
    Q_OBJECT
public:
    // REQUIRES: `storage` and `registry` outlive the service.
    ScrapeService(model::Storage& storage, std::vector<config::ScrapeConfig> configs,
                  instrument::MetricRegistry& registry, QObject* parent = nullptr);
    ~ScrapeService() override;

    // Replaces the jobs (a config reload); takes effect at once when running.
    Status applyConfig(std::vector<config::ScrapeConfig> configs);

    ScrapeManager& manager() { return m_manager; }
    const ScrapeManager& manager() const { return m_manager; }

protected:
    Status doStart() override;
    void doStop() override;

private:
    std::vector<config::ScrapeConfig> m_configs;
    ScrapeManager m_manager;
};

}  // namespace vigil::scrape
