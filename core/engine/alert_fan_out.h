#pragma once

#include <vector>

#include "core/model/alert.h"

namespace vigil::engine {

// Hands every batch of alerts from the rule evaluator to each configured
// destination: the local notification pipeline and the external
// Alertmanagers of prometheus.yml's `alerting:` section. The sinks must
// outlive this object; add() only before alerts flow (the Engine wires it
// in its constructor). send() inherits the sinks' thread-safety.
class AlertFanOut final : public model::AlertSink {
public:
    void add(model::AlertSink* sink) { m_sinks.push_back(sink); }
    bool empty() const { return m_sinks.empty(); }

    void send(std::vector<model::Alert> alerts) override {
        for (std::size_t i = 0; i + 1 < m_sinks.size(); ++i)
            m_sinks[i]->send(alerts);
        if (!m_sinks.empty())
            m_sinks.back()->send(std::move(alerts));
    }

private:
    std::vector<model::AlertSink*> m_sinks;
};

}  // namespace vigil::engine
