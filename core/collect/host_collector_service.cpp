#include "core/collect/host_collector_service.h"

#include <QLoggingCategory>

namespace vigil::collect {

Q_LOGGING_CATEGORY(lcHostService, "vigil.collect.service", QtInfoMsg)

HostCollectorService::HostCollectorService(model::Storage& storage,
                                           HostCollectorServiceOptions options,
                                           instrument::MetricRegistry& registry, QObject* parent)
    : engine::Service(QStringLiteral("host-collector"), parent),
      m_storage(storage),
      m_options(std::move(options)),
      m_collectionsTotal(registry.counter("vigil_host_collections_total",
                                          "Collections of the built-in host collector.")),
      m_failuresTotal(registry.counter(
          "vigil_host_collection_failures_total",
          "Host collections whose samples could not all be stored (refused or commit failed).")),
      m_samplesTotal(registry.counter("vigil_host_samples_appended_total",
                                      "Samples the host collector appended to storage.")),
      m_duration(registry.histogram("vigil_host_collection_duration_seconds",
                                    "Wall time of one host collection, including the commit.",
                                    instrument::defaultDurationBuckets())) {}

HostCollectorService::~HostCollectorService() {
    stop();
}

Status HostCollectorService::doStart() {
    if (m_options.interval <= std::chrono::milliseconds::zero())
        return Status::error("host collector: interval must be positive, got " +
                             std::to_string(m_options.interval.count()) + "ms");
    if (!m_collector) {
        auto created = HostCollector::create(m_options.collector);
        if (!created.isOk())
            return created.status();
        m_collector = std::move(created.value());
    }
    m_thread.start(m_options.interval, [this] { collectOnce(); });
    return Status::ok();
}

void HostCollectorService::doStop() {
    m_thread.stop();
}

void HostCollectorService::collectOnce() {
    const auto start = std::chrono::steady_clock::now();
    const model::Timestamp now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
    std::unique_ptr<model::Appender> appender = m_storage.appender();
    Status status = m_collector->collectInto(*appender, now);
    Status commit = appender->commit();
    if (!status.isOk() || !commit.isOk()) {
        m_failuresTotal.inc();
        const std::string& why = commit.isOk() ? status.message() : commit.message();
        qCWarning(lcHostService).noquote() << QString::fromStdString(why);
    }
    if (commit.isOk())
        m_samplesTotal.inc(static_cast<double>(m_collector->lastAppendedCount()));
    m_collectionsTotal.inc();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    m_duration.observe(elapsed.count());
    m_collections.fetch_add(1);
}

}  // namespace vigil::collect
