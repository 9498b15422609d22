#pragma once

// Shared by the dispatcher tests: a notifier that records what it is asked
// to deliver, and a driver that moves a ManualClock through the dispatcher's
// timers.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/notify/dispatcher.h"
#include "core/notify/notifier.h"

namespace vigil::notify::testing {

struct Delivery {
    model::Timestamp atMs;
    NotificationContext ctx;
    // "name:status" for each alert, using the label `labelForName`.
    std::vector<std::string> summary(const std::string& labelForName) const {
        std::vector<std::string> out;
        for (const NotificationAlert& a : ctx.alerts)
            out.push_back(std::string(a.alert.labels.get(labelForName)) +
                          (a.resolved ? ":resolved" : ":firing"));
        return out;
    }
};

class RecordingNotifier : public Notifier {
public:
    // Optional scripted outcome per call (by call index); default delivered.
    std::function<NotifyResult(const NotificationContext&, int call)> script;

    NotifyResult notify(const NotificationContext& ctx) override {
        int call = 0;
        {
            std::lock_guard lock(m_mutex);
            call = m_calls++;
        }
        // The script may block (slow receiver); not under the lock.
        NotifyResult result = script ? script(ctx, call) : NotifyResult::delivered();
        if (result.ok()) {
            std::lock_guard lock(m_mutex);
            m_deliveries.push_back(Delivery{ctx.nowMs, ctx});
        }
        return result;
    }
    std::vector<Delivery> deliveries() const {
        std::lock_guard lock(m_mutex);
        return m_deliveries;
    }
    int calls() const {
        std::lock_guard lock(m_mutex);
        return m_calls;
    }
    void clear() {
        std::lock_guard lock(m_mutex);
        m_deliveries.clear();
    }

private:
    mutable std::mutex m_mutex;
    int m_calls = 0;
    std::vector<Delivery> m_deliveries;
};

// A factory that gives every integration the same recording notifier.
inline NotifierFactory recordingFactory(std::shared_ptr<RecordingNotifier> notifier) {
    return [notifier](const ReceiverConfig&, const IntegrationConfig&,
                      std::size_t) -> Result<std::shared_ptr<Notifier>> {
        return std::shared_ptr<Notifier>(notifier);
    };
}

// Runs every timer up to and including `untilMs`, then leaves the clock there.
inline void advanceTo(ManualClock& clock, Dispatcher& dispatcher, model::Timestamp untilMs) {
    for (;;) {
        const model::Timestamp next = dispatcher.process();
        if (next > untilMs) {
            clock.set(untilMs);
            dispatcher.process();
            return;
        }
        clock.set(std::max(next, clock.nowMs()));
    }
}

inline model::Alert makeAlert(
    std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
    model::Timestamp startsAtMs, model::Timestamp endsAtMs = 0) {
    model::Alert a;
    a.labels = model::Labels(labels);
    a.startsAtMs = startsAtMs;
    a.endsAtMs = endsAtMs;
    return a;
}

}  // namespace vigil::notify::testing
