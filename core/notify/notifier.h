#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/alert.h"
#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/notify/alertmanager_config.h"
#include "core/util/status.h"

namespace vigil::notify {

// The seam between the dispatcher (grouping, timers, inhibition, silences,
// dedup against the notification log) and the receivers that deliver a
// notification (webhook, Slack, e-mail, PagerDuty, Discord, desktop).

// One alert of a notification, as Alertmanager hands it to its notifiers:
// firing alerts carry endsAtMs == 0 ("0001-01-01T00:00:00Z" in payloads),
// resolved ones their real end.
struct NotificationAlert {
    model::Alert alert;
    std::uint64_t fingerprint = 0;  // amFingerprint(alert.labels)
    bool resolved = false;
};

// Everything a receiver needs for one delivery of one aggregation group to
// one integration of a receiver.
struct NotificationContext {
    std::string receiver;              // receiver name as configured (not regex-quoted)
    std::string groupKey;              // "<route key>:<group labels>", see SEMANTICS.md §3
    model::Labels groupLabels;         // the group's labels (group_by restriction)
    std::size_t integrationIndex = 0;  // position within the receiver's integrations
    std::string integrationType;       // "webhook", "slack", "email", "pagerduty", ...
    // The post-mute batch in Alertmanager's order (job, instance, labels).
    // With send_resolved the resolved alerts are included; without it only
    // the firing ones (Alertmanager's RetryStage), and an all-resolved batch
    // is never handed to the notifier at all.
    std::vector<NotificationAlert> alerts;
    std::size_t numFiring = 0;
    std::size_t numResolved = 0;
    model::Timestamp nowMs = 0;       // the flush time (dispatcher clock)
    model::Timestamp deadlineMs = 0;  // give up after this (flush time + group_interval)
    int attempt = 1;                  // 1 for the first try, 2... for retries
    // Vigil: the group (or every firing alert of it) is acknowledged; a
    // desktop notifier may stay quiet on re-notifications but must still show
    // resolves.
    bool acknowledged = false;
};

struct NotifyResult {
    enum class Outcome {
        kDelivered,  // 2xx or equivalent
        kRetry,      // 5xx, 429 (where Alertmanager retries), transport error
        kFailed,     // give up: 4xx, bad configuration, payload rejected
    };
    Outcome outcome = Outcome::kDelivered;
    std::string message;  // for the notification history and logs

    static NotifyResult delivered(std::string message = {}) {
        return {Outcome::kDelivered, std::move(message)};
    }
    static NotifyResult retry(std::string message) { return {Outcome::kRetry, std::move(message)}; }
    static NotifyResult failed(std::string message) {
        return {Outcome::kFailed, std::move(message)};
    }
    bool ok() const { return outcome == Outcome::kDelivered; }
};

// One integration of a receiver (one entry of slack_configs, webhook_configs, ...).
//
// notify() makes ONE delivery attempt; the dispatcher's retry stage calls it
// again with attempt+1 after an exponential backoff while the result is
// kRetry and the deadline has not passed (Alertmanager's RetryStage). It is
// called from the dispatcher's notification threads, possibly concurrently
// for different groups, so implementations must be thread-safe; it may block
// on the network but should return by ctx.deadlineMs (wall clock of the
// dispatcher's clock).
class Notifier {
public:
    virtual ~Notifier() = default;
    virtual NotifyResult notify(const NotificationContext& ctx) = 0;
};

// An integration as the dispatcher sees it: the notifier plus the
// send_resolved flag that the dedup stage needs.
struct Integration {
    std::string type;
    std::size_t index = 0;
    bool sendResolved = false;
    std::shared_ptr<Notifier> notifier;
};

// Receiver name -> its integrations, in configuration order. Built once per
// configuration; immutable afterwards and then safe to share across threads.
class NotifierRegistry {
public:
    void add(const std::string& receiver, Integration integration);
    // Registers a receiver with no integrations (Alertmanager accepts those:
    // its groups are processed, nothing is sent).
    void addReceiver(const std::string& receiver);
    // nullptr for a receiver that was never added.
    const std::vector<Integration>* integrations(std::string_view receiver) const;
    const std::map<std::string, std::vector<Integration>, std::less<>>& all() const {
        return m_receivers;
    }

private:
    std::map<std::string, std::vector<Integration>, std::less<>> m_receivers;
};

// Makes the notifier for one integration of a receiver. The receivers code
// provides the real one; tests provide recording notifiers.
using NotifierFactory = std::function<Result<std::shared_ptr<Notifier>>(
    const ReceiverConfig& receiver, const IntegrationConfig& integration, std::size_t index)>;

// A registry with every receiver and integration of `config`; the first
// factory error is returned with the receiver's name and integration index.
Result<NotifierRegistry> buildNotifierRegistry(const AlertmanagerConfig& config,
                                               const NotifierFactory& factory);

}  // namespace vigil::notify
