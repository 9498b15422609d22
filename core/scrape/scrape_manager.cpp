#include "core/scrape/scrape_manager.h"

#include <algorithm>
#include <array>
#include <set>
#include <tuple>

namespace vigil::scrape {

namespace {

std::int64_t wallMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

// A loop as the scheduler sees it.
struct ScrapeManager::Scheduled {
    enum class Phase {
        kActive,    // scraping every interval
        kEnding,    // target gone: the next tick records the stale time
        kStaleDue,  // the tick after that writes the staleness markers
        kDone
    };
    std::shared_ptr<ScrapeLoop> loop;
    std::string job;
    Phase phase = Phase::kActive;  // GUARDED_BY(manager m_mutex)
    model::Timestamp staleTime = 0;
    std::atomic<bool> busy{false};  // a scrape is in flight or being processed
    std::mutex processMutex;        // serialises process() and markAllStale()
    JobMetrics* metrics = nullptr;
};

std::chrono::milliseconds scrapeOffset(std::uint64_t hash, std::uint64_t jitterSeed,
                                       std::chrono::milliseconds interval, std::int64_t nowMs) {
    const std::int64_t i = std::max<std::int64_t>(interval.count(), 1);
    const std::int64_t base = i - ((nowMs % i) + i) % i;
    const auto offset =
        static_cast<std::int64_t>((hash ^ jitterSeed) % static_cast<std::uint64_t>(i));
    std::int64_t next = base + offset;
    if (next > i)
        next -= i;
    return std::chrono::milliseconds(next);
}

ScrapeManager::ScrapeManager(model::Storage& storage, instrument::MetricRegistry& registry)
    : ScrapeManager(storage, registry, Options{}) {}

ScrapeManager::ScrapeManager(model::Storage& storage, instrument::MetricRegistry& registry,
                             Options options)
    : m_storage(storage),
      m_registry(registry),
      m_options(options),
      m_samplesAppended(registry.counter("vigil_scrape_samples_appended_total",
                                         "Scraped samples accepted by storage.")),
      m_staleMarkers(
          registry.counter("vigil_scrape_stale_markers_total",
                           "Staleness markers written for disappeared series and targets.")),
      m_appendErrors(
          registry.counter("vigil_scrape_append_errors_total",
                           "Scraped samples refused by storage (out of order, duplicate, ...).")),
      m_queueDepth(registry.gauge("vigil_scrape_queue_depth",
                                  "Scraped pages waiting for a worker to parse and append them.")) {
}

ScrapeManager::~ScrapeManager() {
    stop();
    std::map<std::string, std::shared_ptr<ScrapePool>> pools;
    {
        std::lock_guard lock(m_mutex);
        pools.swap(m_pools);
    }
    for (auto& [job, pool] : pools)
        pool->stopDiscovery();
}

Status ScrapeManager::applyConfig(const std::vector<config::ScrapeConfig>& configs) {
    std::lock_guard applyLock(m_applyMutex);
    std::set<std::string> names;
    for (const config::ScrapeConfig& c : configs) {
        if (c.jobName.empty())
            return Status::error("scrape config without job_name");
        if (!names.insert(c.jobName).second)
            return Status::error("found multiple scrape configs with job name \"" + c.jobName +
                                 "\"");
        if (c.scrapeInterval.count() <= 0)
            return Status::error("scrape config for job \"" + c.jobName +
                                 "\": scrape_interval must be greater than 0");
        if (c.scrapeTimeout.count() <= 0 || c.scrapeTimeout > c.scrapeInterval)
            return Status::error(
                "scrape config for job \"" + c.jobName +
                "\": scrape_timeout must be greater than 0 and at most scrape_interval");
    }

    std::map<std::string, std::shared_ptr<ScrapePool>> old;
    {
        std::lock_guard lock(m_mutex);
        old = m_pools;
    }
    std::map<std::string, std::shared_ptr<ScrapePool>> next;
    std::vector<std::shared_ptr<ScrapePool>> changed;
    for (const config::ScrapeConfig& c : configs) {
        auto it = old.find(c.jobName);
        if (it != old.end()) {
            next[c.jobName] = it->second;
            if (it->second->fingerprint() != scrapeConfigFingerprint(c)) {
                it->second->reconfigure(c);
                changed.push_back(it->second);
            }
        } else {
            auto pool = std::make_shared<ScrapePool>(m_storage, c, [this] { onDiscoveryUpdate(); });
            next[c.jobName] = pool;
            changed.push_back(pool);
        }
    }
    std::vector<std::shared_ptr<ScrapePool>> removed;
    for (auto& [job, pool] : old) {
        if (!next.contains(job))
            removed.push_back(pool);
    }
    // Discovery starts and stops without the manager's lock: file SD calls
    // back into the pool (and onDiscoveryUpdate) while it reads.
    for (auto& pool : removed)
        pool->stopDiscovery();
    for (auto& pool : changed)
        pool->startDiscovery();

    std::lock_guard lock(m_mutex);
    m_pools = std::move(next);
    for (auto& pool : removed) {
        for (auto& loop : pool->loops()) {
            auto it = m_scheduled.find(loop.get());
            if (it != m_scheduled.end() && it->second->phase == Scheduled::Phase::kActive)
                it->second->phase = Scheduled::Phase::kEnding;
        }
    }
    for (auto& pool : changed)
        syncPoolLocked(*pool);
    m_cv.notify_all();
    return Status::ok();
}

void ScrapeManager::onDiscoveryUpdate() {
    m_discoveryDirty.store(true);
    m_cv.notify_all();
}

ScrapeManager::JobMetrics& ScrapeManager::jobMetricsLocked(const std::string& job) {
    auto it = m_jobMetrics.find(job);
    if (it != m_jobMetrics.end())
        return it->second;
    JobMetrics metrics;
    const model::Labels jobLabels{{"job", job}};
    metrics.scrapes =
        &m_registry.counter("vigil_scrapes_total", "Scrapes done, by job.", jobLabels);
    metrics.failures = &m_registry.counter("vigil_scrape_failures_total",
                                           "Scrapes that failed (up == 0), by job.", jobLabels);
    const std::string help = "Active scrape targets by job and health.";
    metrics.up = &m_registry.gauge("vigil_scrape_targets", help, {{"job", job}, {"health", "up"}});
    metrics.down =
        &m_registry.gauge("vigil_scrape_targets", help, {{"job", job}, {"health", "down"}});
    metrics.unknown =
        &m_registry.gauge("vigil_scrape_targets", help, {{"job", job}, {"health", "unknown"}});
    return m_jobMetrics.emplace(job, metrics).first->second;
}

void ScrapeManager::syncPoolLocked(ScrapePool& pool) {
    ScrapePool::SyncResult result = pool.sync();
    for (auto& loop : result.stopped) {
        auto it = m_scheduled.find(loop.get());
        if (it != m_scheduled.end() && it->second->phase == Scheduled::Phase::kActive)
            it->second->phase = Scheduled::Phase::kEnding;
    }
    for (auto& loop : result.started) {
        auto s = std::make_shared<Scheduled>();
        s->loop = loop;
        s->job = pool.job();
        s->metrics = &jobMetricsLocked(pool.job());
        m_scheduled.emplace(loop.get(), s);
        if (m_running)
            scheduleLocked(s);
    }
}

void ScrapeManager::scheduleLocked(const std::shared_ptr<Scheduled>& s) {
    const auto delay =
        scrapeOffset(s->loop->hash(), m_options.jitterSeed, s->loop->interval(), wallMs());
    m_heap.push({std::chrono::steady_clock::now() + delay, s});
}

Status ScrapeManager::start() {
    std::lock_guard lock(m_mutex);
    if (m_running)
        return Status::ok();
    Status status = m_http.start();
    if (!status.isOk())
        return status;
    {
        std::lock_guard workLock(m_workMutex);
        m_workStopping = false;
    }
    for (std::size_t i = 0; i < std::max<std::size_t>(m_options.workers, 1); ++i)
        m_workers.emplace_back([this] { runWorker(); });
    m_running = true;
    m_stopping = false;
    m_heap = {};
    for (auto it = m_scheduled.begin(); it != m_scheduled.end();) {
        if (it->second->phase == Scheduled::Phase::kActive) {
            scheduleLocked(it->second);
            ++it;
        } else {
            it = m_scheduled.erase(it);  // ended while stopped: no markers, like a restart
        }
    }
    m_scheduler = std::thread([this] { runScheduler(); });
    return Status::ok();
}

void ScrapeManager::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (!m_running)
            return;
        m_stopping = true;
    }
    m_cv.notify_all();
    m_scheduler.join();
    {
        std::lock_guard workLock(m_workMutex);
        m_workStopping = true;
    }
    m_workCv.notify_all();
    for (auto& worker : m_workers)
        worker.join();
    m_workers.clear();
    // Cancels transfers in flight; their callbacks find the workers stopped.
    m_http.stop();
    {
        std::lock_guard workLock(m_workMutex);
        m_work.clear();
    }
    std::lock_guard lock(m_mutex);
    m_running = false;
    m_heap = {};
    for (auto& [loop, s] : m_scheduled)
        s->busy.store(false);
}

bool ScrapeManager::running() const {
    std::lock_guard lock(m_mutex);
    return m_running;
}

void ScrapeManager::post(std::function<void()> task) {
    {
        std::lock_guard lock(m_workMutex);
        if (m_workStopping)
            return;
        m_work.push_back(std::move(task));
        m_queueDepth.set(static_cast<double>(m_work.size()));
    }
    m_workCv.notify_one();
}

void ScrapeManager::runWorker() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_workMutex);
            m_workCv.wait(lock, [this] { return m_workStopping || !m_work.empty(); });
            if (m_workStopping)
                return;
            task = std::move(m_work.front());
            m_work.pop_front();
            m_queueDepth.set(static_cast<double>(m_work.size()));
        }
        task();
    }
}

void ScrapeManager::runScheduler() {
    auto lastGauges = std::chrono::steady_clock::time_point{};
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        if (m_discoveryDirty.exchange(false)) {
            for (auto& [job, pool] : m_pools)
                syncPoolLocked(*pool);
        }
        auto now = std::chrono::steady_clock::now();
        while (!m_heap.empty() && m_heap.top().when <= now) {
            HeapEntry entry = m_heap.top();
            m_heap.pop();
            fire(entry.scheduled, entry.when);
        }
        if (now - lastGauges >= std::chrono::seconds(1)) {
            lock.unlock();
            updateTargetGauges();
            lock.lock();
            lastGauges = now;
            continue;
        }
        // Wake at the next scrape, and at least every 250 ms so that a
        // discovery update notified between the check and the wait is seen.
        auto until = now + std::chrono::milliseconds(250);
        if (!m_heap.empty())
            until = std::min(until, m_heap.top().when);
        m_cv.wait_until(lock, until);
    }
}

void ScrapeManager::fire(const std::shared_ptr<Scheduled>& s,
                         std::chrono::steady_clock::time_point when) {
    // REQUIRES: m_mutex held.
    const auto interval = s->loop->interval();
    auto next = when + interval;
    const auto now = std::chrono::steady_clock::now();
    if (next <= now) {
        // Far behind (the machine stalled): skip the missed ticks but keep
        // the target's slot within the interval.
        const auto behind = (now - next) / interval + 1;
        next += behind * interval;
    }
    switch (s->phase) {
        case Scheduled::Phase::kActive: {
            m_heap.push({next, s});
            if (s->busy.exchange(true))
                return;  // the previous scrape is still running: skip this tick
            const model::Timestamp scrapeTime = wallMs();
            Status forced = s->loop->forcedError();
            if (!forced.isOk()) {
                post([this, s, scrapeTime] {
                    ScrapeResponse response;
                    process(s, scrapeTime, response);
                });
                return;
            }
            m_http.submit(s->loop->request(), [this, s, scrapeTime](ScrapeResponse&& response) {
                auto shared = std::make_shared<ScrapeResponse>(std::move(response));
                if (shared->status.code() == Status::Code::kCancelled) {
                    s->busy.store(false);
                    return;
                }
                post([this, s, scrapeTime, shared] { process(s, scrapeTime, *shared); });
            });
            return;
        }
        case Scheduled::Phase::kEnding:
            s->staleTime = wallMs();
            s->phase = Scheduled::Phase::kStaleDue;
            m_heap.push({next, s});
            return;
        case Scheduled::Phase::kStaleDue: {
            s->phase = Scheduled::Phase::kDone;
            m_scheduled.erase(s->loop.get());
            const model::Timestamp staleTime = s->staleTime;
            post([this, s, staleTime] {
                std::lock_guard processLock(s->processMutex);
                s->loop->markAllStale(staleTime);
            });
            return;
        }
        case Scheduled::Phase::kDone:
            return;
    }
}

void ScrapeManager::process(const std::shared_ptr<Scheduled>& s, model::Timestamp scrapeTime,
                            const ScrapeResponse& response) {
    ScrapeReport report;
    {
        std::lock_guard processLock(s->processMutex);
        report = s->loop->process(scrapeTime, response);
    }
    s->busy.store(false);
    m_samplesAppended.inc(static_cast<double>(report.samplesAppended));
    if (report.staleMarkers > 0)
        m_staleMarkers.inc(static_cast<double>(report.staleMarkers));
    if (report.appendErrors > 0)
        m_appendErrors.inc(static_cast<double>(report.appendErrors));
    s->metrics->scrapes->inc();
    if (!report.error.isOk())
        s->metrics->failures->inc();
    m_scrapesCompleted.fetch_add(1);
}

void ScrapeManager::updateTargetGauges() {
    std::vector<std::shared_ptr<Scheduled>> loops;
    std::map<std::string, JobMetrics> jobs;
    {
        std::lock_guard lock(m_mutex);
        jobs = m_jobMetrics;
        for (auto& [loop, s] : m_scheduled) {
            if (s->phase == Scheduled::Phase::kActive)
                loops.push_back(s);
        }
    }
    std::map<std::string, std::array<int, 3>> counts;
    for (const auto& [job, metrics] : jobs)
        counts[job] = {0, 0, 0};
    for (const auto& s : loops)
        ++counts[s->job][static_cast<int>(s->loop->snapshot().health)];
    for (const auto& [job, c] : counts) {
        const JobMetrics& m = jobs[job];
        m.unknown->set(c[static_cast<int>(TargetHealth::kUnknown)]);
        m.up->set(c[static_cast<int>(TargetHealth::kUp)]);
        m.down->set(c[static_cast<int>(TargetHealth::kDown)]);
    }
}

std::vector<TargetSnapshot> ScrapeManager::targetSnapshots() const {
    std::vector<std::shared_ptr<ScrapeLoop>> loops;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [job, pool] : m_pools) {
            for (auto& loop : pool->loops())
                loops.push_back(std::move(loop));
        }
    }
    std::vector<TargetSnapshot> out;
    out.reserve(loops.size());
    for (const auto& loop : loops)
        out.push_back(loop->snapshot());
    std::sort(out.begin(), out.end(), [](const TargetSnapshot& a, const TargetSnapshot& b) {
        return std::tie(a.job, a.scrapeUrl) < std::tie(b.job, b.scrapeUrl);
    });
    return out;
}

TargetsSnapshot ScrapeManager::targets() const {
    TargetsSnapshot out;
    out.active = targetSnapshots();
    std::map<std::string, std::shared_ptr<ScrapePool>> pools;
    {
        std::lock_guard lock(m_mutex);
        pools = m_pools;
    }
    for (const auto& [job, pool] : pools) {
        for (DroppedTarget& dropped : pool->droppedTargets())
            out.dropped.push_back({job, std::move(dropped.discoveredLabels)});
    }
    return out;
}

std::vector<TargetMetadata> ScrapeManager::targetMetadata() const {
    std::vector<std::shared_ptr<ScrapeLoop>> loops;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [job, pool] : m_pools) {
            for (auto& loop : pool->loops())
                loops.push_back(std::move(loop));
        }
    }
    std::vector<TargetMetadata> out;
    out.reserve(loops.size());
    for (const auto& loop : loops) {
        TargetSnapshot snapshot = loop->snapshot();
        out.push_back({std::move(snapshot.job), std::move(snapshot.labels), loop->metadata()});
    }
    std::sort(out.begin(), out.end(), [](const TargetMetadata& a, const TargetMetadata& b) {
        return std::tie(a.job, a.labels) < std::tie(b.job, b.labels);
    });
    return out;
}

std::vector<JobStatus> ScrapeManager::jobStatuses() const {
    std::map<std::string, std::shared_ptr<ScrapePool>> pools;
    {
        std::lock_guard lock(m_mutex);
        pools = m_pools;
    }
    std::vector<JobStatus> out;
    for (const auto& [job, pool] : pools) {
        JobStatus status;
        status.job = job;
        status.activeTargets = pool->loops().size();
        status.droppedTargets = pool->droppedTargets();
        status.errors = pool->errors();
        out.push_back(std::move(status));
    }
    return out;
}

}  // namespace vigil::scrape
