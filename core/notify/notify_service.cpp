#include "core/notify/notify_service.h"

#include "core/instrument/metric_registry.h"
#include "core/state/database.h"

namespace vigil::notify {

namespace {

class UnavailableNotifier : public Notifier {
public:
    explicit UnavailableNotifier(std::string type) : m_type(std::move(type)) {}
    NotifyResult notify(const NotificationContext&) override {
        return NotifyResult::failed("no " + m_type + " notifier in this build");
    }

private:
    std::string m_type;
};

}  // namespace

NotifierFactory defaultNotifierFactory() {
    return [](const ReceiverConfig&, const IntegrationConfig& integration,
              std::size_t) -> Result<std::shared_ptr<Notifier>> {
        return std::shared_ptr<Notifier>(std::make_shared<UnavailableNotifier>(integration.type));
    };
}

void NotifyService::ForwardingSink::send(std::vector<model::Alert> alerts) {
    std::lock_guard lock(m_mutex);
    if (m_dispatcher) {
        m_dispatcher->ingest(std::move(alerts));
    } else if (!m_stopped) {
        std::move(alerts.begin(), alerts.end(), std::back_inserter(m_pending));
    }
}

void NotifyService::ForwardingSink::attach(Dispatcher* dispatcher) {
    std::lock_guard lock(m_mutex);
    m_dispatcher = dispatcher;
    m_stopped = false;
    if (!m_pending.empty())
        m_dispatcher->ingest(std::move(m_pending));
    m_pending.clear();
}

void NotifyService::ForwardingSink::detach() {
    std::lock_guard lock(m_mutex);
    m_dispatcher = nullptr;
    m_stopped = true;
}

NotifyService::NotifyService(NotifyServiceOptions options)
    : Service(QStringLiteral("notify")), m_options(std::move(options)) {}

NotifyService::~NotifyService() {
    stop();
}

Status NotifyService::doStart() {
    if (!m_dispatcher) {
        auto db = state::Database::open(m_options.stateDbPath);
        if (!db.isOk())
            return db.status().withContext("notify: opening " + m_options.stateDbPath);
        m_db = std::move(db.value());
        const NotifierFactory factory =
            m_options.notifierFactory ? m_options.notifierFactory : defaultNotifierFactory();
        auto registry = buildNotifierRegistry(m_options.config, factory);
        if (!registry.isOk())
            return registry.status().withContext("notify");
        DispatcherOptions options;
        options.config = m_options.config;
        options.notifiers = std::move(registry.value());
        options.db = m_db.get();
        options.clock = m_options.clock;
        options.senderThreads = m_options.senderThreads;
        auto created = Dispatcher::create(std::move(options));
        if (!created.isOk())
            return created.status().withContext("notify");
        m_dispatcher = std::move(created.value());
        m_published.store(m_dispatcher.get(), std::memory_order_release);
    }
    m_stopping = false;
    m_sink.attach(m_dispatcher.get());
    m_thread = std::thread([this] { run(); });
    return Status::ok();
}

void NotifyService::doStop() {
    m_sink.detach();
    m_stopping = true;
    if (m_dispatcher)
        m_dispatcher->wake();
    if (m_thread.joinable())
        m_thread.join();
}

void NotifyService::updateMetrics() {
    instrument::MetricRegistry* registry = m_options.metrics;
    if (!registry)
        return;
    const DispatcherStats stats = m_dispatcher->stats();
    registry->gauge("vigil_notify_alerts", "Alerts in the dispatcher's store.")
        .set(double(stats.alerts));
    registry->gauge("vigil_notify_aggregation_groups", "Aggregation groups in the dispatcher.")
        .set(double(stats.groups));
    auto count = [&](const char* name, const char* help, std::uint64_t now, std::uint64_t& seen) {
        if (now > seen)
            registry->counter(name, help).inc(double(now - seen));
        seen = now;
    };
    count("vigil_notify_alerts_received_total", "Alerts handed to the dispatcher.",
          stats.alertsReceived, m_reported.alertsReceived);
    count("vigil_notify_alerts_invalid_total", "Alerts rejected by validation.",
          stats.alertsInvalid, m_reported.alertsInvalid);
    count("vigil_notify_notifications_total", "Notifications delivered.", stats.notificationsSent,
          m_reported.notificationsSent);
    count("vigil_notify_notifications_failed_total",
          "Notifications given up after retries or a permanent error.", stats.notificationsFailed,
          m_reported.notificationsFailed);
    count("vigil_notify_notification_attempts_total", "Delivery attempts, retries included.",
          stats.notificationAttempts, m_reported.notificationAttempts);
}

void NotifyService::run() {
    while (!m_stopping) {
        const model::Timestamp next = m_dispatcher->process();
        updateMetrics();
        if (m_stopping)
            break;
        m_dispatcher->waitForWork(next);
    }
    (void)m_dispatcher->notificationLog().flush();
}

}  // namespace vigil::notify
