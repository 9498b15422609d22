#include "core/scrape/scrape_service.h"

namespace vigil::scrape {

ScrapeService::ScrapeService(model::Storage& storage, std::vector<config::ScrapeConfig> configs,
                             instrument::MetricRegistry& registry, QObject* parent)
    : engine::Service(QStringLiteral("scrape"), parent),
      m_configs(std::move(configs)),
      m_manager(storage, registry) {}

ScrapeService::~ScrapeService() {
    stop();
}

Status ScrapeService::applyConfig(std::vector<config::ScrapeConfig> configs) {
    Status status = m_manager.applyConfig(configs);
    if (status.isOk())
        m_configs = std::move(configs);
    return status;
}

Status ScrapeService::doStart() {
    Status status = m_manager.applyConfig(m_configs);
    if (!status.isOk())
        return status;
    return m_manager.start();
}

void ScrapeService::doStop() {
    m_manager.stop();
}

}  // namespace vigil::scrape
