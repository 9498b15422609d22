#include "core/collect/self_monitor_service.h"

#include <QLoggingCategory>

#include "core/scrape/scrape_loop.h"
#include "core/scrape/target_labels.h"

namespace vigil::collect {

Q_LOGGING_CATEGORY(lcSelfMonitor, "vigil.collect.self", QtInfoMsg)

SelfMonitorService::SelfMonitorService(model::Storage& storage,
                                       instrument::MetricRegistry& registry,
                                       SelfMonitorOptions options, QObject* parent)
    : engine::Service(QStringLiteral("self-monitoring"), parent),
      m_storage(storage),
      m_registry(registry),
      m_options(std::move(options)) {}

SelfMonitorService::~SelfMonitorService() {
    stop();
}

Status SelfMonitorService::doStart() {
    if (m_options.interval <= std::chrono::milliseconds::zero())
        return Status::error("self monitoring: interval must be positive, got " +
                             std::to_string(m_options.interval.count()) + "ms");
    m_thread.start(
        m_options.interval, [this] { collectOnce(); }, [this] { markStale(); });
    return Status::ok();
}

void SelfMonitorService::doStop() {
    m_thread.stop();
}

// As when Prometheus stops scraping a target: the series end now rather than
// lingering for the 5-minute lookback.
void SelfMonitorService::markStale() {
    if (!m_loop)
        return;
    m_loop->markAllStale(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
    m_loop.reset();
}

void SelfMonitorService::collectOnce() {
    if (!m_loop) {
        const std::string instance = m_options.instance ? m_options.instance() : std::string();
        scrape::TargetDefaults defaults;
        defaults.jobName = kJobName;
        defaults.scrapeInterval = m_options.interval;
        defaults.scrapeTimeout = std::min<std::chrono::milliseconds>(
            m_options.interval, std::chrono::milliseconds(10000));
        model::LabelsBuilder discovered;
        discovered.set("job", kJobName);
        discovered.set("__address__", instance.empty() ? "localhost" : instance);
        auto target = scrape::populateTargetLabels(discovered.labels(), defaults, {});
        if (!target.isOk()) {
            qCWarning(lcSelfMonitor).noquote() << QString::fromStdString(target.status().message());
            return;
        }
        auto options = std::make_shared<scrape::LoopOptions>();
        options->jobName = kJobName;
        m_loop =
            std::make_unique<scrape::ScrapeLoop>(m_storage, std::move(*target), std::move(options));
    }
    scrape::ScrapeResponse response;
    response.started = std::chrono::steady_clock::now();
    response.body = m_registry.render();
    response.duration = std::chrono::steady_clock::now() - response.started;
    response.httpStatus = 200;
    response.contentType = "text/plain; version=0.0.4; charset=utf-8";
    response.wireBytes = response.body.size();
    const model::Timestamp now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
    const scrape::ScrapeReport report = m_loop->process(now, response);
    if (!report.error.isOk())
        qCWarning(lcSelfMonitor).noquote() << QString::fromStdString(report.error.message());
    m_collections.fetch_add(1);
}

}  // namespace vigil::collect
