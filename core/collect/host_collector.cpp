#include "core/collect/host_collector.h"

#include <unistd.h>

#include <QLoggingCategory>
#include <algorithm>
#include <chrono>
#include <climits>

namespace vigil::collect {

// Debug ("no data on this machine", every 15 s) is off unless enabled by rules.
Q_LOGGING_CATEGORY(lcHostCollector, "vigil.collect.host", QtInfoMsg)

std::string HostCollector::hostName() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0')
        return "localhost";
    return buf;
}

Result<std::unique_ptr<HostCollector>> HostCollector::create(HostCollectorOptions options) {
    std::unique_ptr<HostCollector> host(new HostCollector());
    const std::vector<std::string>& names =
        options.collectors.empty() ? allCollectorNames() : options.collectors;
    for (const std::string& name : names) {
        auto collector = makeCollector(name);
        if (!collector) {
            std::string known;
            for (const std::string& n : allCollectorNames())
                known += (known.empty() ? "" : ", ") + n;
            return Status::error("host collector: unknown collector \"" + name +
                                 "\" (known: " + known + ")");
        }
        host->m_collectors.push_back(std::move(collector));
    }
    // node_exporter's output is sorted by collector name; so is ours.
    std::sort(host->m_collectors.begin(), host->m_collectors.end(),
              [](const auto& a, const auto& b) { return a->name() < b->name(); });
    host->m_ctx.paths = std::move(options.paths);
    host->m_ctx.statFs = std::move(options.statFs);
    host->m_ctx.clock = std::move(options.clock);
    host->m_ctx.mountTimeout = options.mountTimeout;
    host->m_job = options.job;
    host->m_instance = options.instance.empty() ? hostName() + ":9100" : options.instance;
    return host;
}

void HostCollector::collect(MetricBatch& out) {
    out.clear();
    m_outcomes.clear();
    for (auto& collector : m_collectors) {
        const auto start = std::chrono::steady_clock::now();
        Status status = collector->collect(m_ctx, out);
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        if (!status.isOk()) {
            if (status.code() == Status::Code::kUnavailable)
                qCDebug(lcHostCollector).noquote()
                    << "collector"
                    << QString::fromUtf8(collector->name().data(),
                                         static_cast<int>(collector->name().size()))
                    << "returned no data:" << QString::fromStdString(status.message());
            else
                qCWarning(lcHostCollector).noquote()
                    << "collector"
                    << QString::fromUtf8(collector->name().data(),
                                         static_cast<int>(collector->name().size()))
                    << "failed:" << QString::fromStdString(status.message());
        }
        m_outcomes.push_back(CollectorOutcome{std::string(collector->name()), status.isOk(),
                                              elapsed.count(), status});
    }
    out.family("node_scrape_collector_duration_seconds",
               "node_exporter: Duration of a collector scrape.", MetricType::kGauge);
    for (const CollectorOutcome& o : m_outcomes)
        out.add({{"collector", o.name}}, o.durationSeconds);
    out.family("node_scrape_collector_success", "node_exporter: Whether a collector succeeded.",
               MetricType::kGauge);
    for (const CollectorOutcome& o : m_outcomes)
        out.add({{"collector", o.name}}, o.success ? 1 : 0);
}

std::string HostCollector::renderText() {
    collect(m_batch);
    return m_batch.renderText();
}

model::Labels HostCollector::targetLabels(const std::string& family,
                                          const std::vector<model::Label>& exposed) const {
    std::vector<model::Label> list;
    list.reserve(exposed.size() + 3);
    list.push_back({std::string(model::kMetricName), family});
    // The target's labels win over exposed ones, as with Prometheus's
    // honor_labels: false (node_exporter exposes neither).
    for (const model::Label& l : exposed)
        if (l.name != "job" && l.name != "instance")
            list.push_back(l);
    list.push_back({"instance", m_instance});
    list.push_back({"job", m_job});
    return model::Labels::fromUnsorted(std::move(list));
}

Status HostCollector::collectInto(model::Appender& appender, model::Timestamp now) {
    const auto start = std::chrono::steady_clock::now();
    collect(m_batch);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

    std::size_t refused = 0;
    std::size_t appended = 0;
    std::string firstRefusal;
    const auto append = [&](const model::Labels& labels, double v) {
        const model::AppendError err = appender.append(labels, now, v);
        if (err == model::AppendError::kNone) {
            ++appended;
        } else if (refused++ == 0) {
            firstRefusal = labels.toString() + ": " + model::appendErrorName(err);
        }
    };

    // The batch comes out in the same order every time while the machine's
    // devices and mounts stay put, so each sample is checked against the
    // series at its position last time and its Labels reused: no allocation
    // in the steady state. The first difference snapshots the old set, for
    // stale markers.
    std::vector<model::Labels> previous;
    bool changed = false;
    const auto snapshot = [&] {
        if (changed)
            return;
        changed = true;
        previous.reserve(m_series.size());
        for (const CachedSeries& s : m_series)
            previous.push_back(s.labels);
    };
    std::size_t index = 0;
    for (const MetricBatch::Family& family : m_batch.families()) {
        for (const MetricBatch::Sample& sample : family.samples) {
            if (index >= m_series.size() || m_series[index].family != family.name ||
                m_series[index].exposed != sample.labels) {
                snapshot();
                CachedSeries entry{family.name, sample.labels,
                                   targetLabels(family.name, sample.labels)};
                if (index < m_series.size())
                    m_series[index] = std::move(entry);
                else
                    m_series.push_back(std::move(entry));
            }
            append(m_series[index].labels, sample.value);
            ++index;
        }
    }
    if (index != m_series.size()) {
        snapshot();
        m_series.erase(m_series.begin() + static_cast<std::ptrdiff_t>(index), m_series.end());
    }

    if (m_scrapeLabels.empty()) {
        for (std::string_view name : {"up", "scrape_duration_seconds", "scrape_samples_scraped"})
            m_scrapeLabels.push_back(model::Labels{
                {model::kMetricName, name}, {"instance", m_instance}, {"job", m_job}});
    }
    append(m_scrapeLabels[0], 1);
    append(m_scrapeLabels[1], elapsed.count());
    append(m_scrapeLabels[2], static_cast<double>(m_batch.sampleCount()));

    if (changed) {
        std::vector<model::Labels> current;
        current.reserve(m_series.size());
        for (const CachedSeries& s : m_series)
            current.push_back(s.labels);
        std::sort(current.begin(), current.end());
        std::sort(previous.begin(), previous.end());
        std::vector<model::Labels> vanished;
        std::set_difference(previous.begin(), previous.end(), current.begin(), current.end(),
                            std::back_inserter(vanished));
        for (const model::Labels& labels : vanished)
            append(labels, model::staleNaN());
    }
    m_lastAppended = appended;
    if (refused > 0)
        return Status::error("host collector: " + std::to_string(refused) + " of " +
                             std::to_string(refused + appended) +
                             " samples refused; first: " + firstRefusal);
    return Status::ok();
}

}  // namespace vigil::collect
