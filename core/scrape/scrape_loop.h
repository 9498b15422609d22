#pragma once

// One target's scrapes, with Prometheus 2.42's scrapeLoop semantics:
//
// - Every scraped sample gets the target's labels. Without honor_labels a
//   scraped label that collides with a target label is kept as
//   `exported_<name>` (more `exported_` prefixes until the name is free);
//   with honor_labels the scraped value wins. metric_relabel_configs run
//   after that.
// - A sample without its own timestamp (or with honor_timestamps: false) is
//   stamped with the scrape time.
// - sample_limit, label_limit and the label length limits fail the whole
//   scrape ("sample limit exceeded", "label_limit exceeded (...)"): nothing
//   of it is stored, and up is 0.
// - A failed scrape (HTTP error, timeout, parse error, limit) stores nothing
//   from the page and writes staleness markers for every series of the last
//   successful scrape. A series that disappears from the page gets a
//   staleness marker at the first scrape without it. When the target goes
//   away, markAllStale() ends every series, the synthetic ones included.
// - Each scrape writes the synthetic series up, scrape_duration_seconds,
//   scrape_samples_scraped, scrape_samples_post_metric_relabeling and
//   scrape_series_added with the target's labels.
//
// Thread-safety: process() and markAllStale() are called by one thread at a
// time (the manager never runs two scrapes of a loop at once); snapshot()
// and the accessors may be called from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/config/prometheus_config.h"
#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/model/storage.h"
#include "core/scrape/http_scraper.h"
#include "core/scrape/relabel.h"
#include "core/scrape/target_labels.h"
#include "core/util/status.h"

namespace vigil::scrape {

class ExpositionParser;
enum class Entry;

// What a job's loops share; replaced as a whole on reload.
struct LoopOptions {
    std::string jobName;
    bool honorLabels = false;
    bool honorTimestamps = true;
    std::uint64_t sampleLimit = 0;
    std::uint64_t labelLimit = 0;
    std::uint64_t labelNameLengthLimit = 0;
    std::uint64_t labelValueLengthLimit = 0;
    std::uint64_t bodySizeLimit = 0;
    std::vector<RelabelConfig> metricRelabelConfigs;
    std::map<std::string, std::vector<std::string>> params;
    std::shared_ptr<const config::HttpClientConfig> http;

    static std::shared_ptr<const LoopOptions> fromConfig(const config::ScrapeConfig& config);
};

enum class TargetHealth { kUnknown, kUp, kDown };
const char* targetHealthName(TargetHealth health);

// What the targets page shows for one target.
struct TargetSnapshot {
    std::string job;
    std::string scrapeUrl;
    model::Labels discoveredLabels;  // before relabeling
    model::Labels labels;            // after relabeling, without "__" labels
    TargetHealth health = TargetHealth::kUnknown;
    std::chrono::system_clock::time_point lastScrape{};  // epoch when never scraped
    double lastScrapeDurationSeconds = 0;
    std::string lastError;
    std::uint64_t lastSamplesScraped = 0;
    std::chrono::milliseconds interval{0};
    std::chrono::milliseconds timeout{0};
};

// HELP, TYPE and UNIT of one metric family as a target exposes them
// (Prometheus's scrape.MetricMetadata). A family with a HELP or UNIT line and
// no TYPE line has type "unknown", as in Prometheus.
struct MetricMetadata {
    std::string metric;  // the family name of the metadata lines
    std::string type;    // "counter", "gauge", ..., "unknown"
    std::string help;
    std::string unit;
    bool operator==(const MetricMetadata&) const = default;
};

// Bounds on one target's metadata: past them new families are not recorded
// (the ones already known stay), so a hostile page cannot grow memory
// without limit. A family whose metadata lines disappear is forgotten
// kMetadataRetentionScrapes scrapes later, as Prometheus's scrape cache does.
inline constexpr std::size_t kMaxMetadataFamiliesPerTarget = 20000;
inline constexpr std::size_t kMaxMetadataBytesPerTarget = 4u << 20;
inline constexpr std::uint64_t kMetadataRetentionScrapes = 10;

// The outcome of one scrape, as written to the synthetic series.
struct ScrapeReport {
    Status error;  // ok when up == 1
    std::uint64_t samplesScraped = 0;
    std::uint64_t samplesPostRelabeling = 0;
    std::uint64_t seriesAdded = 0;
    std::uint64_t samplesAppended = 0;  // accepted by storage (stale markers excluded)
    std::uint64_t staleMarkers = 0;
    std::uint64_t appendErrors = 0;  // out of order, duplicate, ...
    double durationSeconds = 0;
};

// Prometheus's url.Values.Encode of a query: keys sorted, QueryEscape'd.
std::string encodeQuery(const std::map<std::string, std::vector<std::string>>& params);

// The scrape URL of a target: __scheme__://__address____metrics_path__?params,
// where __param_<name> labels override the config's params.
std::string targetUrl(const model::Labels& finalLabels,
                      const std::map<std::string, std::vector<std::string>>& params);

// Prometheus's mutateSampleLabels without the metric relabeling: merges
// `target` (public target labels) into `scraped`.
model::Labels mergeTargetLabels(const model::Labels& scraped, const model::Labels& target,
                                bool honorLabels);

class ScrapeLoop {
public:
    // REQUIRES: `target` is not dropped; `storage` outlives the loop.
    ScrapeLoop(model::Storage& storage, TargetLabels target,
               std::shared_ptr<const LoopOptions> options);
    ScrapeLoop(const ScrapeLoop&) = delete;
    ScrapeLoop& operator=(const ScrapeLoop&) = delete;

    // Identity: the final labels and URL (Prometheus's target hash).
    std::uint64_t hash() const { return m_hash; }
    const std::string& url() const { return m_url; }
    const TargetLabels& target() const { return m_target; }
    std::chrono::milliseconds interval() const { return m_interval; }
    std::chrono::milliseconds timeout() const { return m_timeout; }

    // The HTTP request of the next scrape.
    ScrapeRequest request() const;

    // Replaces the job options (reload with a changed config). Cached label
    // sets are recomputed with the new options at the next scrape.
    void setOptions(std::shared_ptr<const LoopOptions> options);
    // While set, scrapes fail with this error without asking the target
    // (target_limit exceeded for the pool). Clear with an ok Status.
    void setForcedError(Status error);
    Status forcedError() const;

    // Stores one scrape made at `scrapeTime` (ms): the page in `response`,
    // or its failure. Returns what the synthetic series recorded.
    ScrapeReport process(model::Timestamp scrapeTime, const ScrapeResponse& response);

    // The target is gone: staleness markers at `t` for every series of the
    // last scrape and for the synthetic series.
    void markAllStale(model::Timestamp t);

    TargetSnapshot snapshot() const;
    // The metadata of the families the target exposed, sorted by family
    // name; shared and immutable (a scrape that changes it publishes a new
    // vector). Never null.
    std::shared_ptr<const std::vector<MetricMetadata>> metadata() const;

private:
    struct MetadataEntry {
        std::string type = "unknown";
        std::string help;
        std::string unit;
        std::uint64_t lastAttempt = 0;  // scrape attempt that last had a metadata line
    };
    struct CacheEntry {
        model::Labels labels;  // final; empty when dropped by metric relabeling
        std::uint64_t labelsHash = 0;
        std::uint64_t epoch = 0;        // options epoch the labels were computed with
        std::uint64_t lastScrape = 0;   // id of the last committed scrape that had it
        std::uint64_t lastTouched = 0;  // id of the last scrape attempt that read it
        bool tracked = false;           // participates in staleness (no explicit timestamp)
    };
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };

    // Parses and appends the page; on error the caller rolls back.
    Status appendPage(model::Appender& app, const LoopOptions& options, std::string_view body,
                      std::string_view contentType, model::Timestamp t, ScrapeReport& report);
    // Records a TYPE, HELP or UNIT line of the current page.
    void noteMetadata(Entry entry, const ExpositionParser& parser);
    // Forgets families unseen for kMetadataRetentionScrapes and publishes the
    // metadata when anything changed.
    void finishMetadata();
    // Closes a committed scrape: stale markers for series of the previous
    // scrape that this one did not have (all of them when `seen` is empty).
    void finishScrape(model::Appender& app, model::Timestamp t, ScrapeReport& report);
    void appendReport(model::Appender& app, model::Timestamp t, const ScrapeReport& report,
                      bool up);
    Status checkLabelLimits(const model::Labels& labels, const LoopOptions& options) const;

    model::Storage& m_storage;
    const TargetLabels m_target;
    const model::Labels m_publicLabels;
    const std::string m_url;
    const std::uint64_t m_hash;
    const std::chrono::milliseconds m_interval;
    const std::chrono::milliseconds m_timeout;
    std::vector<model::Labels> m_reportLabels;  // the five synthetic series

    // Scrape-thread state (see class comment).
    std::unordered_map<std::string, CacheEntry, StringHash, std::equal_to<>> m_cache;
    std::vector<CacheEntry*> m_seen;  // entries appended by the current attempt
    std::uint64_t m_scrapeId = 0;     // committed scrapes so far
    std::uint64_t m_attempt = 0;
    bool m_reportWritten = false;  // synthetic series exist (need stale markers at the end)
    model::LabelsBuilder m_builder;
    std::unordered_map<std::string, MetadataEntry, StringHash, std::equal_to<>> m_meta;
    std::size_t m_metaBytes = 0;  // bytes of names and texts in m_meta
    bool m_metaChanged = false;

    std::atomic<std::size_t> m_lastBodySize{0};

    mutable std::mutex m_mutex;
    std::shared_ptr<const LoopOptions> m_options;                   // GUARDED_BY(m_mutex)
    std::uint64_t m_epoch = 1;                                      // GUARDED_BY(m_mutex)
    Status m_forcedError;                                           // GUARDED_BY(m_mutex)
    TargetSnapshot m_snapshot;                                      // GUARDED_BY(m_mutex)
    std::shared_ptr<const std::vector<MetricMetadata>> m_metadata;  // GUARDED_BY(m_mutex)
};

}  // namespace vigil::scrape
