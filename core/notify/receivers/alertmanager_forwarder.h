#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/model/alert.h"
#include "core/notify/receivers/integration_configs.h"
#include "core/notify/receivers/transport.h"
#include "core/util/status.h"

namespace YAML {
class Node;
}

namespace vigil::notify::receivers {

// One entry of prometheus.yml's `alerting.alertmanagers`.
struct AlertmanagerSetConfig {
    std::vector<std::string> targets;  // host:port, from static_configs
    std::string scheme = "http";
    std::string pathPrefix;  // "/am" -> http://host:port/am/api/v2/alerts
    std::chrono::milliseconds timeout{10000};
    HttpClientOptions http;

    // http://host:port<prefix>/api/v2/alerts for each target.
    std::vector<std::string> urls() const;
};

struct AlertingConfig {
    std::vector<AlertmanagerSetConfig> alertmanagers;
};

// Reads the `alerting:` mapping of a prometheus.yml (other top-level keys are
// ignored: the rest of the file belongs to other readers). Only
// static_configs discovery and api_version v2 are supported; anything else
// is an error with its position; alert_relabel_configs and relabel_configs
// are warned about and ignored.
struct LoadedAlertingConfig {
    AlertingConfig config;
    std::vector<std::string> warnings;
};
Result<LoadedAlertingConfig> parseAlertingConfig(std::string_view prometheusYml,
                                                 const std::string& fileName);

// Forwards alerts to external Alertmanagers as Prometheus's notifier does:
// a queue of at most `queueCapacity` alerts (when full the oldest are
// dropped and counted), drained by one thread in batches of at most
// `maxBatchSize`, each batch POSTed as JSON to /api/v2/alerts of every
// configured Alertmanager at once; a batch counts as sent when at least one
// Alertmanager accepted it (2xx), otherwise its alerts count as dropped.
// No retries (the rule evaluator re-sends firing alerts every resend delay).
//
// send() is thread-safe and never blocks on the network.
class AlertmanagerForwarder final : public model::AlertSink {
public:
    struct Options {
        std::size_t queueCapacity = 10000;
        std::size_t maxBatchSize = 64;
    };

    struct Stats {
        std::uint64_t sent = 0;     // alerts in batches at least one Alertmanager took
        std::uint64_t dropped = 0;  // queue overflow plus batches nobody took
        std::uint64_t errors = 0;   // failed POSTs (per Alertmanager)
        std::uint64_t batches = 0;  // batches attempted
        std::size_t queueLength = 0;
        std::string lastError;
    };

    AlertmanagerForwarder(AlertingConfig config, std::shared_ptr<Transport> transport,
                          Options options);
    explicit AlertmanagerForwarder(AlertingConfig config,
                                   std::shared_ptr<Transport> transport = nullptr);
    ~AlertmanagerForwarder() override;

    void send(std::vector<model::Alert> alerts) override;
    Stats stats() const;
    // Waits until the queue is empty and no batch is in flight, or `timeout`
    // passes; true when idle. For tests and orderly shutdown.
    bool waitIdle(std::chrono::milliseconds timeout);

    // The JSON body of one batch (Alertmanager API v2 PostableAlerts).
    static std::string encodeBatch(const std::vector<model::Alert>& alerts);

private:
    void run();
    bool sendBatch(const std::vector<model::Alert>& batch);

    const AlertingConfig m_config;
    const Options m_options;
    std::shared_ptr<Transport> m_transport;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<model::Alert> m_queue;  // GUARDED_BY(m_mutex)
    bool m_busy = false;               // GUARDED_BY(m_mutex)
    bool m_stopping = false;           // GUARDED_BY(m_mutex)
    Stats m_stats;                     // GUARDED_BY(m_mutex)
    std::thread m_thread;
};

}  // namespace vigil::notify::receivers
