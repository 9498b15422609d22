#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/labels.h"
#include "core/model/sample.h"

namespace vigil::model {

// An alert as Prometheus's rule evaluator hands it to Alertmanager (the
// fields of Alertmanager's API v2 PostableAlert): the rule evaluator in
// core/rules produces them, the dispatcher in core/notify groups, inhibits,
// silences and notifies them, and the forwarder to an external Alertmanager
// posts them as JSON.
struct Alert {
    Labels labels;       // identity: includes alertname
    Labels annotations;  // summary, description, runbook_url, ...
    Timestamp startsAtMs = 0;
    // 0 when unknown. Prometheus sends firing alerts with endsAt = now + 4 x
    // the resend delay (or the group interval); a resolved alert carries the
    // time it resolved, which is <= now.
    Timestamp endsAtMs = 0;
    std::string generatorUrl;

    // Firing at `nowMs` (endsAt unset or in the future).
    bool firingAt(Timestamp nowMs) const { return endsAtMs == 0 || endsAtMs > nowMs; }
    std::uint64_t fingerprint() const { return labels.hash(); }
};

// Where evaluated alerts go: the local dispatcher, an external Alertmanager,
// or both. send() is called from the rule evaluation threads and must not
// block on the network.
class AlertSink {
public:
    virtual ~AlertSink() = default;
    virtual void send(std::vector<Alert> alerts) = 0;
};

}  // namespace vigil::model
