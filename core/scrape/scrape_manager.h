#pragma once

// The scrape manager (Prometheus's scrape.Manager): one ScrapePool per job
// of the applied scrape configs, one scheduler thread that fires each
// target's scrapes at its own offset within the interval (spread by target
// hash, so that 1,000 targets do not all fire at once), one HttpScraper
// thread for every HTTP transfer, and a few worker threads that parse and
// append the pages.
//
// A reload (applyConfig) keeps a job whose config did not change exactly as
// it is; a changed job keeps the loops of targets that still exist; targets
// that disappear get staleness markers one interval later (unless they came
// back), as in Prometheus. Stopping the manager writes no staleness markers
// (Prometheus neither: the data simply ends).
//
// Self metrics (in the MetricRegistry): vigil_scrape_samples_appended_total,
// vigil_scrape_stale_markers_total, vigil_scrape_append_errors_total,
// vigil_scrapes_total{job}, vigil_scrape_failures_total{job},
// vigil_scrape_targets{job,health}, vigil_scrape_queue_depth (pages waiting
// for a parse-and-append worker).
//
// Thread-safety: applyConfig(), start() and stop() are called by one owner
// thread; targetSnapshots() and the other accessors from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/config/prometheus_config.h"
#include "core/instrument/metric_registry.h"
#include "core/model/storage.h"
#include "core/scrape/http_scraper.h"
#include "core/scrape/scrape_loop.h"
#include "core/scrape/scrape_pool.h"

namespace vigil::scrape {

// Prometheus's scrape offset: where in [0, interval) a target with `hash`
// fires, given the wall clock `nowMs`; returns the delay from now.
std::chrono::milliseconds scrapeOffset(std::uint64_t hash, std::uint64_t jitterSeed,
                                       std::chrono::milliseconds interval, std::int64_t nowMs);

// Problems of one job for the targets page.
struct JobStatus {
    std::string job;
    std::size_t activeTargets = 0;
    std::vector<DroppedTarget> droppedTargets;
    std::vector<std::string> errors;  // invalid targets, file SD errors
};

// A target relabeling dropped, with its job (Prometheus's droppedTargets).
struct DroppedTargetSnapshot {
    std::string job;
    model::Labels discoveredLabels;
};

// Everything the targets page and GET /api/v1/targets show, copied out at
// one moment: plain values, safe to keep and read on any thread.
struct TargetsSnapshot {
    std::vector<TargetSnapshot> active;          // sorted by job, then scrape URL
    std::vector<DroppedTargetSnapshot> dropped;  // by job, in discovery order
};

// One active target's metadata (GET /api/v1/targets/metadata).
struct TargetMetadata {
    std::string job;
    model::Labels labels;                                         // the target's public labels
    std::shared_ptr<const std::vector<MetricMetadata>> metadata;  // never null
};

class ScrapeManager {
public:
    struct Options {
        std::size_t workers = 2;       // parse-and-append threads
        std::uint64_t jitterSeed = 0;  // mixes into the offsets (Prometheus: from the hostname)
    };

    ScrapeManager(model::Storage& storage, instrument::MetricRegistry& registry);
    ScrapeManager(model::Storage& storage, instrument::MetricRegistry& registry, Options options);
    ~ScrapeManager();  // stops
    ScrapeManager(const ScrapeManager&) = delete;
    ScrapeManager& operator=(const ScrapeManager&) = delete;

    // Applies the jobs (all of them: jobs not listed are removed). Fails,
    // changing nothing, on duplicate job names or an unusable config, with
    // a message naming the job.
    Status applyConfig(const std::vector<config::ScrapeConfig>& configs);

    Status start();
    void stop();
    bool running() const;

    // One per active target, sorted by job and then scrape URL.
    std::vector<TargetSnapshot> targetSnapshots() const;
    std::vector<JobStatus> jobStatuses() const;
    // Active and dropped targets. Takes the manager's and each loop's mutex
    // briefly; never waits on a scrape in progress.
    TargetsSnapshot targets() const;
    // Metadata of every active target, sorted by job, then target labels.
    std::vector<TargetMetadata> targetMetadata() const;

    // Scrapes processed since start (tests wait on it).
    std::uint64_t scrapesCompleted() const { return m_scrapesCompleted.load(); }

private:
    struct Scheduled;
    struct JobMetrics {
        instrument::Counter* scrapes = nullptr;
        instrument::Counter* failures = nullptr;
        instrument::Gauge* up = nullptr;
        instrument::Gauge* down = nullptr;
        instrument::Gauge* unknown = nullptr;
    };
    struct HeapEntry {
        std::chrono::steady_clock::time_point when;
        std::shared_ptr<Scheduled> scheduled;
        bool operator>(const HeapEntry& other) const { return when > other.when; }
    };

    void runScheduler();
    void fire(const std::shared_ptr<Scheduled>& s, std::chrono::steady_clock::time_point when);
    void process(const std::shared_ptr<Scheduled>& s, model::Timestamp scrapeTime,
                 const ScrapeResponse& response);
    void post(std::function<void()> task);
    void runWorker();
    void syncPoolLocked(ScrapePool& pool);
    void scheduleLocked(const std::shared_ptr<Scheduled>& s);
    void updateTargetGauges();
    JobMetrics& jobMetricsLocked(const std::string& job);
    void onDiscoveryUpdate();

    model::Storage& m_storage;
    instrument::MetricRegistry& m_registry;
    const Options m_options;
    HttpScraper m_http;

    instrument::Counter& m_samplesAppended;
    instrument::Counter& m_staleMarkers;
    instrument::Counter& m_appendErrors;
    instrument::Gauge& m_queueDepth;

    std::mutex m_applyMutex;  // serialises applyConfig
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_running = false;                                      // GUARDED_BY(m_mutex)
    bool m_stopping = false;                                     // GUARDED_BY(m_mutex)
    std::map<std::string, std::shared_ptr<ScrapePool>> m_pools;  // GUARDED_BY(m_mutex)
    std::unordered_map<const ScrapeLoop*, std::shared_ptr<Scheduled>>
        m_scheduled;  // GUARDED_BY(m_mutex)
    std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>>
        m_heap;                                      // GUARDED_BY(m_mutex)
    std::map<std::string, JobMetrics> m_jobMetrics;  // GUARDED_BY(m_mutex)
    std::atomic<bool> m_discoveryDirty{false};
    std::thread m_scheduler;

    std::mutex m_workMutex;
    std::condition_variable m_workCv;
    std::deque<std::function<void()>> m_work;  // GUARDED_BY(m_workMutex)
    bool m_workStopping = false;               // GUARDED_BY(m_workMutex)
    std::vector<std::thread> m_workers;

    std::atomic<std::uint64_t> m_scrapesCompleted{0};
};

}  // namespace vigil::scrape
