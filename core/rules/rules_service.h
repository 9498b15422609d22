#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "core/engine/service.h"
#include "core/model/alert.h"
#include "core/rules/rule_manager.h"

namespace vigil::rules {

// The rule evaluator as an engine service: started after the TSDB and the
// PromQL engine it reads and writes through, stopped before them.
// Thread-safe: reload(), snapshot() and setAlertSink() may be called from any
// thread (the UI's Reload action, the HTTP API).
class RulesService : public engine::Service {
    Q_OBJECT
public:
    explicit RulesService(RuleManagerOptions options, QObject* parent = nullptr);
    ~RulesService() override;

    // Re-reads the rule files (the Reload action); on error the previous
    // rules keep running and the error is returned and shown in snapshot().
    Status reload() { return m_manager.reload(); }
    RulesSnapshot snapshot() const { return m_manager.snapshot(); }
    // See RuleManager::setAlertSink.
    void setAlertSink(model::AlertSink* sink) { m_manager.setAlertSink(sink); }
    RuleManager& manager() { return m_manager; }

protected:
    Status doStart() override;
    void doStop() override;

private:
    RuleManager m_manager;
};

// An AlertSink that keeps what it receives, for tests and for inspection
// until a dispatcher is attached. Thread-safe.
class CollectingAlertSink : public model::AlertSink {
public:
    void send(std::vector<model::Alert> alerts) override;
    std::vector<model::Alert> alerts() const;
    void clear();

private:
    mutable std::mutex m_mutex;
    std::vector<model::Alert> m_alerts;  // GUARDED_BY(m_mutex)
};

}  // namespace vigil::rules
