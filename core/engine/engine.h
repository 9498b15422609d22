#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <vector>

#include "core/config/vigil_config.h"
#include "core/engine/data_dir_lock.h"
#include "core/engine/service.h"
#include "core/instrument/metric_registry.h"

namespace vigil::http {
class HttpService;
}
namespace vigil::logs::live {
class LiveTailHub;
}
namespace vigil::logs::push {
class LokiPushReceiver;
}
namespace vigil::logs::store {
class LogsService;
}
namespace vigil::logs::tail {
class TailerService;
struct LogTargetInfo;
}  // namespace vigil::logs::tail
namespace vigil::model {
class Storage;
}
namespace vigil::notify {
class NotifyService;
}
namespace vigil::notify::receivers {
struct Receivers;
class DesktopNotificationHub;
class AlertmanagerForwarder;
}  // namespace vigil::notify::receivers
namespace vigil::promql {
class Engine;
}
namespace vigil::receive {
class RemoteWriteReceiver;
}
namespace vigil::rules {
class RulesService;
}
namespace vigil::scrape {
class ScrapeService;
struct TargetsSnapshot;
}  // namespace vigil::scrape
namespace vigil::tsdb {
class TsdbService;
}

namespace vigil::engine {

class AlertFanOut;

struct EngineOptions {
    config::VigilConfig config;
    QString dataDir;     // REQUIRES: non-empty
    QString configFile;  // for display only
};

struct ServiceStatus {
    QString name;
    Service::State state = Service::State::kStopped;
    QString detail;
};

// The facade over Vigil's engine: it owns the services and their threads, the
// data directory lock and the self-metrics registry. The UI and the command
// line reach the core only through it.
//
// Lives on the thread that creates it (the main thread). start() and stop()
// block until every service has made its transition; they do not wait on the
// network or on storage beyond a service's own start-up. Signals are safe to
// connect from the GUI: they are delivered queued when emitted elsewhere.
class Engine : public QObject {
    Q_OBJECT
public:
    explicit Engine(EngineOptions options, QObject* parent = nullptr);
    ~Engine() override;

    // Takes the data directory lock, then starts the services in order. On
    // failure, stops what was started (in reverse), releases the lock and
    // returns the first error.
    Status start();
    // Stops the services in reverse order and releases the lock. Idempotent.
    void stop();
    bool isRunning() const { return m_running.load(); }

    // Adds a service to start after the built-in ones. REQUIRES: not running.
    void addService(std::unique_ptr<Service> service);

    const config::VigilConfig& config() const { return m_options.config; }
    const QString& dataDir() const { return m_options.dataDir; }
    const QString& configFile() const { return m_options.configFile; }
    instrument::MetricRegistry& metrics() { return m_metrics; }

    // The metrics storage every part of the engine reads and writes (the
    // TSDB); refuses with an error while the engine is stopped.
    model::Storage& storage();
    // The PromQL engine (worker pool) that answers the API and the UI.
    promql::Engine& queryEngine() { return *m_queryEngine; }
    // The log store, as the LogReader and LogWriter of every log source and
    // query (it refuses with an error while the engine is stopped). Null
    // when `logs.enabled` is false.
    logs::store::LogsService* logStore() { return m_logs; }
    // The file tailer and journal source; null without logs.scrape_configs
    // (or logs.promtail_config) or when the log store is disabled.
    logs::tail::TailerService* tailerService() { return m_tailer; }
    // The tailed files and journal jobs (path, labels, position, size,
    // error), copied out; safe from any thread. Empty without a tailer.
    std::vector<logs::tail::LogTargetInfo> logTargets() const;
    // Live tail of the log store: every entry the store accepts, from any
    // writer, is offered to it (see core/logs/live/live_tail_hub.h for the
    // subscription and callback-thread contract; ui/logs has the GUI-thread
    // adapter). Null when `logs.enabled` is false.
    logs::live::LiveTailHub* liveTail() { return m_liveTail.get(); }
    // Null when no scrape_configs are configured.
    scrape::ScrapeService* scrapeService() { return m_scrape; }
    // The scrape targets (health, last scrape, duration, error, labels before
    // and after relabeling, job, URL) and the dropped ones, copied out. Safe
    // from any thread, the GUI's included: it takes the scrape manager's
    // mutexes briefly and never waits on a scrape. Empty without
    // scrape_configs. (TargetsSnapshot is in core/scrape/scrape_manager.h.)
    scrape::TargetsSnapshot targets() const;
    // The rule evaluator (always present; without rule files it has no groups).
    rules::RulesService* rulesService() { return m_rules; }
    // The notification pipeline (dispatcher, silences, acks) and the
    // AlertSink the rule evaluator sends to. Null when vigil.yml configures
    // no alertmanager section.
    notify::NotifyService* notifyService() { return m_notify; }
    // Where `desktop_configs` receivers deliver; the GUI subscribes to show
    // them from the tray. Null without an alertmanager section.
    notify::receivers::DesktopNotificationHub* desktopNotifications();

    // The listener's bound address, e.g. "127.0.0.1:9595". Empty when stopped.
    QString httpAddress() const;
    std::vector<ServiceStatus> serviceStatuses() const;

signals:
    void serviceStateChanged(const QString& service, vigil::engine::Service::State state,
                             const QString& detail);
    void started();
    void stopped();

private:
    EngineOptions m_options;
    instrument::MetricRegistry m_metrics;
    DataDirLock m_lock;
    // Declared before the services: the log service offers to it until it stops.
    std::unique_ptr<logs::live::LiveTailHub> m_liveTail;
    std::vector<std::unique_ptr<Service>> m_services;  // start order
    http::HttpService* m_http = nullptr;               // owned by m_services
    tsdb::TsdbService* m_tsdb = nullptr;               // owned by m_services
    scrape::ScrapeService* m_scrape = nullptr;         // owned by m_services
    rules::RulesService* m_rules = nullptr;            // owned by m_services
    logs::store::LogsService* m_logs = nullptr;        // owned by m_services
    logs::tail::TailerService* m_tailer = nullptr;     // owned by m_services
    std::unique_ptr<logs::push::LokiPushReceiver> m_lokiPush;
    notify::NotifyService* m_notify = nullptr;                              // owned by m_services
    std::unique_ptr<notify::receivers::Receivers> m_receivers;              // history, desktop hub
    std::unique_ptr<notify::receivers::AlertmanagerForwarder> m_forwarder;  // null: none configured
    std::unique_ptr<AlertFanOut> m_alertFanOut;                             // the rules' alert sink
    Status m_setupError;  // a configuration part that could not be built; start() reports it
    std::unique_ptr<promql::Engine> m_queryEngine;
    std::unique_ptr<receive::RemoteWriteReceiver> m_remoteWrite;

    std::vector<ServiceStatus> m_statuses;  // updated on this object's thread
    std::atomic<bool> m_running{false};
};

}  // namespace vigil::engine
