#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/engine/periodic_thread.h"
#include "core/engine/service.h"
#include "core/instrument/metric_registry.h"
#include "core/model/storage.h"

namespace vigil::scrape {
class ScrapeLoop;
}

namespace vigil::collect {

struct SelfMonitorOptions {
    std::chrono::milliseconds interval{15000};
    // The `instance` label: the listener's bound address ("127.0.0.1:9595"),
    // asked at the first collection since the listener binds on start.
    std::function<std::string()> instance;
};

// Stores Vigil's own metrics (the registry /metrics renders) in the TSDB
// every `interval`, under job "vigil", exactly as a Prometheus scrape of
// Vigil's /metrics would: the page goes through the scrape loop (target
// labels, staleness markers for series that vanish, up and the other
// synthetic series), without the HTTP round trip. Runs on its own thread;
// stop() marks every series stale.
class SelfMonitorService final : public engine::Service {
    Q_OBJECT
public:
    static constexpr const char* kJobName = "vigil";

    // `storage` and `registry` must outlive the service.
    SelfMonitorService(model::Storage& storage, instrument::MetricRegistry& registry,
                       SelfMonitorOptions options, QObject* parent = nullptr);
    ~SelfMonitorService() override;

    // Collections completed since start (thread-safe).
    std::uint64_t collections() const { return m_collections.load(); }

protected:
    Status doStart() override;
    void doStop() override;

private:
    void collectOnce();
    void markStale();

    model::Storage& m_storage;
    instrument::MetricRegistry& m_registry;
    const SelfMonitorOptions m_options;
    std::unique_ptr<scrape::ScrapeLoop> m_loop;  // used only by m_thread while running

    std::atomic<std::uint64_t> m_collections{0};
    engine::PeriodicThread m_thread;
};

}  // namespace vigil::collect
