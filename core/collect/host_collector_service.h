#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "core/collect/host_collector.h"
#include "core/engine/periodic_thread.h"
#include "core/engine/service.h"
#include "core/instrument/metric_registry.h"
#include "core/model/storage.h"

namespace vigil::collect {

struct HostCollectorServiceOptions {
    HostCollectorOptions collector;
    // node_exporter's usual scrape interval.
    std::chrono::milliseconds interval{15000};
};

// Runs the host collector every `interval` on its own thread and commits each
// collection to `storage` through one Appender. The first collection happens
// right after start(); later ones keep to the interval's grid (a slow
// collection does not shift the following ones). stop() wakes the thread and
// joins it; it returns as soon as a collection in progress finishes.
//
// Self-metrics (in `registry`): vigil_host_collections_total,
// vigil_host_collection_failures_total (commit failed or samples refused),
// vigil_host_samples_appended_total, vigil_host_collection_duration_seconds.
//
// `storage` and `registry` must outlive the service.
class HostCollectorService final : public engine::Service {
    Q_OBJECT
public:
    HostCollectorService(model::Storage& storage, HostCollectorServiceOptions options,
                         instrument::MetricRegistry& registry, QObject* parent = nullptr);
    ~HostCollectorService() override;

    // Collections completed since start (thread-safe).
    std::uint64_t collections() const { return m_collections.load(); }

protected:
    Status doStart() override;
    void doStop() override;

private:
    void collectOnce();

    model::Storage& m_storage;
    HostCollectorServiceOptions m_options;
    std::unique_ptr<HostCollector> m_collector;  // used only by m_thread while running

    instrument::Counter& m_collectionsTotal;
    instrument::Counter& m_failuresTotal;
    instrument::Counter& m_samplesTotal;
    instrument::Histogram& m_duration;

    std::atomic<std::uint64_t> m_collections{0};
    engine::PeriodicThread m_thread;
};

}  // namespace vigil::collect
