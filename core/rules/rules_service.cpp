#include "core/rules/rules_service.h"

namespace vigil::rules {

RulesService::RulesService(RuleManagerOptions options, QObject* parent)
    : engine::Service(QStringLiteral("rules"), parent), m_manager(std::move(options)) {}

RulesService::~RulesService() {
    stop();
}

Status RulesService::doStart() {
    return m_manager.start();
}

void RulesService::doStop() {
    m_manager.stop();
}

void CollectingAlertSink::send(std::vector<model::Alert> alerts) {
    std::lock_guard lock(m_mutex);
    for (auto& a : alerts)
        m_alerts.push_back(std::move(a));
}

std::vector<model::Alert> CollectingAlertSink::alerts() const {
    std::lock_guard lock(m_mutex);
    return m_alerts;
}

void CollectingAlertSink::clear() {
    std::lock_guard lock(m_mutex);
    m_alerts.clear();
}

}  // namespace vigil::rules
