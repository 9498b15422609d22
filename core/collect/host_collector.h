#pragma once

// The built-in host collector: node_exporter 1.5.0's Linux collectors (cpu,
// diskstats, filesystem, hwmon, loadavg, meminfo, netdev, pressure, stat,
// time, uname) run in-process, so that dashboards and rules written for
// node_exporter work against this machine unchanged.
//
// Series identity. Samples carry job="vigil-host" and
// instance="<hostname>:9100" — the labels Prometheus would give a
// node_exporter on this host scraped by host name on its default port.
// Node Exporter dashboards select by job and instance taken from
// label_values(node_uname_info{job="$job"}, instance), so any value works;
// the host:port form keeps Vigil's host series looking like (and sorting
// with) scraped node_exporters. Both are options. Like a Prometheus scrape,
// each collection also appends up=1, scrape_duration_seconds and
// scrape_samples_scraped, and a stale marker for each series that vanished
// since the previous collection (an unmounted filesystem, a removed NIC).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/collect/collector.h"
#include "core/collect/metric_batch.h"
#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/model/storage.h"
#include "core/util/status.h"

namespace vigil::collect {

struct HostCollectorOptions {
    HostPaths paths;
    // Collector names (see allCollectorNames()); empty means all of them.
    std::vector<std::string> collectors;
    std::string job = "vigil-host";
    // Empty: "<hostname>:9100".
    std::string instance;
    // Injected by tests; the real statfs(2) and clock by default.
    StatFsFunction statFs = realStatFs;
    ClockFunction clock = realWallClock;
    // See CollectContext::mountTimeout.
    std::chrono::milliseconds mountTimeout{5000};
};

// What one collector did in the last collection.
struct CollectorOutcome {
    std::string name;
    bool success = false;
    double durationSeconds = 0;
    Status status;  // kUnavailable: no data on this machine (not an error)
};

// Not thread-safe: one thread collects at a time (the service's thread).
class HostCollector {
public:
    // Fails on an unknown collector name.
    static Result<std::unique_ptr<HostCollector>> create(HostCollectorOptions options);

    // Runs every collector into `out` (cleared first), followed by
    // node_scrape_collector_success and node_scrape_collector_duration_seconds
    // {collector}, exactly as node_exporter's /metrics has them.
    void collect(MetricBatch& out);

    // Collects and appends each sample with job/instance at `now`, plus the
    // scrape-style series and stale markers described above. Does not commit:
    // the caller owns the Appender's transaction. Returns an error naming the
    // counts when some samples were refused (the rest are appended).
    Status collectInto(model::Appender& appender, model::Timestamp now);

    // Collects and renders the batch in the text format 0.0.4 (the
    // comparison test and `vigilctl` debugging use this).
    std::string renderText();

    const std::vector<CollectorOutcome>& lastOutcomes() const { return m_outcomes; }
    const std::string& job() const { return m_job; }
    const std::string& instance() const { return m_instance; }
    // Samples appended by the last collectInto(), stale markers included.
    std::size_t lastAppendedCount() const { return m_lastAppended; }

    // This machine's host name (gethostname), "localhost" if unavailable.
    static std::string hostName();

private:
    HostCollector() = default;

    model::Labels targetLabels(const std::string& family,
                               const std::vector<model::Label>& exposed) const;

    // A series of the last collectInto(), in batch order.
    struct CachedSeries {
        std::string family;
        std::vector<model::Label> exposed;  // as the collector gave them
        model::Labels labels;               // with __name__, job, instance
    };

    CollectContext m_ctx;
    std::vector<std::unique_ptr<Collector>> m_collectors;
    std::vector<CollectorOutcome> m_outcomes;
    std::string m_job;
    std::string m_instance;
    MetricBatch m_batch;
    std::vector<CachedSeries> m_series;
    std::vector<model::Labels>
        m_scrapeLabels;  // up, scrape_duration_seconds, scrape_samples_scraped
    std::size_t m_lastAppended = 0;
};

}  // namespace vigil::collect
