#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/engine/service.h"
#include "core/model/alert.h"
#include "core/notify/alertmanager_config.h"
#include "core/notify/dispatcher.h"
#include "core/notify/notifier.h"

namespace vigil::state {
class Database;
}
namespace vigil::instrument {
class MetricRegistry;
}

namespace vigil::notify {

struct NotifyServiceOptions {
    AlertmanagerConfig config;
    // Vigil's state database, "<data dir>/state.db" (":memory:" for tests).
    std::string stateDbPath;
    // Makes the notifier of each integration; defaultNotifierFactory() when
    // unset.
    NotifierFactory notifierFactory;
    Clock* clock = nullptr;  // null: the system clock
    int senderThreads = 32;
    // Where vigil_notify_* self-metrics go; null: none. Must outlive the service.
    instrument::MetricRegistry* metrics = nullptr;
};

// The notification pipeline as an engine service: owns the state database
// connection and the Dispatcher, and runs the dispatcher's loop on its own
// thread.
//
// alertSink() is valid for the service's whole life: alerts sent before
// start() are kept and taken in when it starts; after stop() they are
// dropped. dispatcher() is null until the first successful start().
class NotifyService : public engine::Service {
    Q_OBJECT
public:
    explicit NotifyService(NotifyServiceOptions options);
    ~NotifyService() override;

    // Where the rule evaluator sends its alerts. Thread-safe, never blocks on
    // the dispatcher's work.
    model::AlertSink& alertSink() { return m_sink; }

    // Thread-safe snapshots and actions go through the dispatcher (its
    // methods are thread-safe). Null before the first start.
    Dispatcher* dispatcher() { return m_published.load(std::memory_order_acquire); }

protected:
    Status doStart() override;
    void doStop() override;

private:
    class ForwardingSink : public model::AlertSink {
    public:
        void send(std::vector<model::Alert> alerts) override;
        void attach(Dispatcher* dispatcher);
        void detach();

    private:
        std::mutex m_mutex;
        Dispatcher* m_dispatcher = nullptr;   // GUARDED_BY(m_mutex)
        std::vector<model::Alert> m_pending;  // GUARDED_BY(m_mutex), before start
        bool m_stopped = false;               // GUARDED_BY(m_mutex)
    };
    void run();
    void updateMetrics();

    NotifyServiceOptions m_options;
    ForwardingSink m_sink;
    std::unique_ptr<state::Database> m_db;
    std::unique_ptr<Dispatcher> m_dispatcher;
    std::atomic<Dispatcher*> m_published{nullptr};  // m_dispatcher, for other threads
    std::thread m_thread;
    std::atomic<bool> m_stopping{false};
    DispatcherStats m_reported;  // what updateMetrics() has already counted
};

// The factory used when none is given: every integration gets a notifier
// that fails with "no <type> notifier in this build". The receivers
// (core/notify/receivers) replace it.
NotifierFactory defaultNotifierFactory();

}  // namespace vigil::notify
