#include "core/notify/dispatcher.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "core/notify/am_matchers.h"
#include "core/notify/time_interval.h"

namespace vigil::notify {

namespace {

class SystemClock : public Clock {
public:
    model::Timestamp nowMs() const override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
    void sleepForMs(std::int64_t ms) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
};

std::string fingerprintHex(std::uint64_t fp) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fp));
    return buf;
}

// prometheus/common model.LabelSet.Before.
bool labelSetBefore(const model::Labels& a, const model::Labels& b) {
    if (a.size() != b.size())
        return a.size() < b.size();
    std::vector<std::string_view> names;
    names.reserve(a.size() + b.size());
    for (const auto& l : a)
        names.push_back(l.name);
    for (const auto& l : b)
        names.push_back(l.name);
    std::sort(names.begin(), names.end());
    for (std::string_view name : names) {
        if (!a.has(name))
            return true;
        if (!b.has(name))
            return false;
        const std::string_view av = a.get(name), bv = b.get(name);
        if (av != bv)
            return av < bv;
    }
    return false;
}

}  // namespace

Clock& Clock::system() {
    static SystemClock clock;
    return clock;
}

bool alertBefore(const model::Labels& a, const model::Labels& b) {
    for (std::string_view key : {std::string_view("job"), std::string_view("instance")}) {
        const bool aHas = a.has(key), bHas = b.has(key);
        if (!aHas && !bHas)
            continue;
        if (!aHas)
            return false;
        if (!bHas)
            return true;
        if (a.get(key) != b.get(key))
            return a.get(key) < b.get(key);
    }
    return labelSetBefore(a, b);
}

struct Dispatcher::StoredAlert {
    model::Alert alert;
    std::uint64_t fingerprint = 0;
    bool timeout = false;  // endsAt was filled in from resolve_timeout
    std::uint64_t version = 0;
    int groupRefs = 0;
};

struct Dispatcher::Group {
    std::uint64_t id = 0;
    const Route* route = nullptr;
    model::Labels labels;
    std::string key;
    std::unordered_map<std::uint64_t, StoredAlert*> alerts;
    model::Timestamp nextFlushMs = 0;
    std::uint64_t timerGeneration = 0;
    bool hasFlushed = false;
    bool flushing = false;    // pool mode: a flush of this group is being sent
    bool tickMissed = false;  // a tick came while flushing: flush again when done
};

struct Dispatcher::SendTask {
    FlushJob* job = nullptr;
    const Integration* integration = nullptr;
    NotificationContext ctx;
    bool callNotifier = true;
    NflogKey nflogKey;
    NflogEntry entry;
    bool ok = false;
    std::string error;
    model::Timestamp completedAtMs = 0;
};

struct Dispatcher::FlushJob {
    std::uint64_t id = 0;
    std::uint64_t groupId = 0;
    std::atomic<std::size_t> remaining{0};  // tasks not yet sent (pool mode)
    std::vector<std::pair<std::uint64_t, std::uint64_t>> resolved;  // fingerprint, version
    std::vector<std::unique_ptr<SendTask>> tasks;
};

Dispatcher::Dispatcher(DispatcherOptions options)
    : m_config(std::move(options.config)),
      m_notifiers(std::move(options.notifiers)),
      m_db(options.db),
      m_clock(options.clock ? options.clock : &Clock::system()),
      m_options(std::move(options)) {}

Dispatcher::~Dispatcher() {
    m_shuttingDown = true;
    {
        std::lock_guard lock(m_poolMutex);
        m_poolStop = true;
    }
    m_poolCv.notify_all();
    for (std::thread& t : m_pool)
        t.join();
}

void Dispatcher::poolLoop() {
    for (;;) {
        SendTask* task = nullptr;
        {
            std::unique_lock lock(m_poolMutex);
            m_poolCv.wait(lock, [&] { return m_poolStop || !m_poolQueue.empty(); });
            if (m_poolStop)
                return;
            task = m_poolQueue.back();
            m_poolQueue.pop_back();
        }
        send(*task);
        if (--task->job->remaining == 0) {
            {
                std::lock_guard lock(m_queueMutex);
                m_completed.push_back(task->job);
            }
            m_queueCv.notify_one();
        }
    }
}

void Dispatcher::submit(std::unique_ptr<FlushJob> job) {
    if (m_pool.empty()) {
        const int threads = std::max(1, m_options.senderThreads);
        for (int i = 0; i < threads; ++i)
            m_pool.emplace_back([this] { poolLoop(); });
    }
    job->id = m_nextJobId++;
    job->remaining = job->tasks.size();
    {
        std::lock_guard lock(m_poolMutex);
        for (auto& task : job->tasks) {
            task->job = job.get();
            m_poolQueue.push_back(task.get());
        }
    }
    m_poolCv.notify_all();
    m_inFlight.emplace(job->id, std::move(job));
}

std::size_t Dispatcher::flushesInFlight() const {
    std::lock_guard lock(m_mutex);
    return m_inFlight.size();
}

void Dispatcher::drain() {
    for (;;) {
        process();
        if (flushesInFlight() == 0)
            return;
        waitForWork(Clock::system().nowMs() + 50);
    }
}

Result<std::unique_ptr<Dispatcher>> Dispatcher::create(DispatcherOptions options) {
    std::unique_ptr<Dispatcher> d(new Dispatcher(std::move(options)));
    d->m_route = Route::build(d->m_config.route);
    if (!d->m_route)
        return Status::error("alertmanager config: the route tree could not be built");
    d->m_inhibitor = std::make_unique<Inhibitor>(d->m_config.inhibitRules);
    auto silences = Silences::open(d->m_db);
    if (!silences.isOk())
        return silences.status();
    d->m_silences = std::move(silences.value());
    auto nflog = NotificationLog::open(d->m_db);
    if (!nflog.isOk())
        return nflog.status();
    d->m_nflog = std::move(nflog.value());
    auto acks = AckStore::open(d->m_db);
    if (!acks.isOk())
        return acks.status();
    d->m_acks = std::move(acks.value());
    return d;
}

void Dispatcher::ingest(std::vector<model::Alert> alerts) {
    {
        std::lock_guard lock(m_queueMutex);
        if (m_queue.empty())
            m_queue = std::move(alerts);
        else
            std::move(alerts.begin(), alerts.end(), std::back_inserter(m_queue));
    }
    m_queueCv.notify_one();
}

void Dispatcher::wake() {
    {
        std::lock_guard lock(m_queueMutex);
        m_woken = true;
    }
    m_queueCv.notify_one();
}

void Dispatcher::waitForWork(model::Timestamp untilMs) {
    std::unique_lock lock(m_queueMutex);
    const model::Timestamp now = Clock::system().nowMs();
    if (untilMs > now) {
        const auto wait =
            std::chrono::milliseconds(std::min<model::Timestamp>(untilMs - now, 3600 * 1000));
        m_queueCv.wait_for(lock, wait,
                           [&] { return !m_queue.empty() || !m_completed.empty() || m_woken; });
    }
    m_woken = false;
}

void Dispatcher::arm(Group& group, model::Timestamp dueMs) {
    group.nextFlushMs = dueMs;
    m_timers.push(Timer{dueMs, group.id, ++group.timerGeneration});
}

void Dispatcher::takeIn(model::Alert alert, model::Timestamp nowMs) {
    // Alertmanager's postAlertsHandler: defaults for missing times, then
    // validation (empty-valued labels are already absent in model::Labels).
    bool timeout = false;
    if (alert.startsAtMs == 0)
        alert.startsAtMs = alert.endsAtMs == 0 ? nowMs : alert.endsAtMs;
    if (alert.endsAtMs == 0) {
        timeout = true;
        alert.endsAtMs = nowMs + m_config.global.resolveTimeout.count();
    }
    std::string invalid;
    if (alert.labels.empty())
        invalid = "alert without labels";
    else if (alert.endsAtMs < alert.startsAtMs)
        invalid = "alert " + alert.labels.toString() + ": end time before start time";
    else
        for (const auto& l : alert.labels)
            if (!isValidAmLabelName(l.name))
                invalid = "alert " + alert.labels.toString() + ": invalid label name \"" +
                          std::string(l.name) + "\"";
    if (!invalid.empty()) {
        std::lock_guard lock(m_statsMutex);
        ++m_stats.alertsInvalid;
        m_stats.lastError = invalid;
        return;
    }
    const std::uint64_t fp = amFingerprint(alert.labels);
    auto it = m_alerts.find(fp);
    StoredAlert* stored = nullptr;
    if (it == m_alerts.end()) {
        auto fresh = std::make_unique<StoredAlert>();
        fresh->alert = std::move(alert);
        fresh->fingerprint = fp;
        fresh->timeout = timeout;
        stored = fresh.get();
        m_alerts.emplace(fp, std::move(fresh));
    } else {
        stored = it->second.get();
        model::Alert& old = stored->alert;
        // mem.Alerts.Put: merge only when the activity ranges overlap;
        // types.Alert.Merge with the new alert as the younger one.
        const bool overlap = (alert.endsAtMs > old.startsAtMs && alert.endsAtMs < old.endsAtMs) ||
                             (alert.startsAtMs > old.startsAtMs && alert.startsAtMs < old.endsAtMs);
        if (overlap) {
            const bool newResolved = alert.endsAtMs <= nowMs;
            const bool oldResolved = old.endsAtMs <= nowMs;
            model::Timestamp starts = std::min(old.startsAtMs, alert.startsAtMs);
            model::Timestamp ends = alert.endsAtMs;
            if (newResolved) {
                if (oldResolved && old.endsAtMs > alert.endsAtMs)
                    ends = old.endsAtMs;
            } else if (old.endsAtMs > alert.endsAtMs && !stored->timeout) {
                ends = old.endsAtMs;
            }
            alert.startsAtMs = starts;
            alert.endsAtMs = ends;
        }
        old = std::move(alert);
        stored->timeout = timeout;
    }
    stored->version = m_nextVersion++;
    m_inhibitor->add(fp, &stored->alert);
    insertIntoGroups(stored, nowMs);
}

void Dispatcher::insertIntoGroups(StoredAlert* stored, model::Timestamp nowMs) {
    for (const Route* route : m_route->match(stored->alert.labels)) {
        model::Labels labels = route->groupLabels(stored->alert.labels);
        const auto indexKey = std::make_pair(route, amFingerprint(labels));
        auto idx = m_groupIndex.find(indexKey);
        Group* group = nullptr;
        const std::int64_t groupWait = route->options().groupWait.count();
        if (idx == m_groupIndex.end()) {
            auto fresh = std::make_unique<Group>();
            fresh->id = m_nextGroupId++;
            fresh->route = route;
            fresh->key = route->key() + ":" + amLabelSetText(labels);
            fresh->labels = std::move(labels);
            group = fresh.get();
            m_groupIndex.emplace(indexKey, fresh->id);
            m_groups.emplace(fresh->id, std::move(fresh));
            arm(*group, nowMs + groupWait);
        } else {
            group = m_groups.at(idx->second).get();
        }
        if (group->alerts.emplace(stored->fingerprint, stored).second)
            ++stored->groupRefs;
        // aggrGroup.insert: a back-dated alert flushes a group that never
        // flushed right away.
        if (!group->hasFlushed && stored->alert.startsAtMs + groupWait < nowMs &&
            group->nextFlushMs > nowMs)
            arm(*group, nowMs);
    }
}

bool Dispatcher::routeTimeMuted(const Route& route, model::Timestamp nowMs) const {
    auto find = [&](const std::string& name) -> const NamedTimeInterval* {
        for (const NamedTimeInterval& ti : m_config.timeIntervals)
            if (ti.name == name)
                return &ti;
        return nullptr;
    };
    for (const std::string& name : route.muteTimeIntervals()) {
        const NamedTimeInterval* ti = find(name);
        if (ti && namedTimeIntervalContains(*ti, nowMs))
            return true;
    }
    if (!route.activeTimeIntervals().empty()) {
        for (const std::string& name : route.activeTimeIntervals()) {
            const NamedTimeInterval* ti = find(name);
            if (ti && namedTimeIntervalContains(*ti, nowMs))
                return false;
        }
        return true;
    }
    return false;
}

bool Dispatcher::groupAcked(const Group& group, model::Timestamp nowMs) const {
    if (m_acks->hasActive(Ack::Scope::kGroup, group.key, nowMs))
        return true;
    bool anyFiring = false;
    for (const auto& [fp, stored] : group.alerts) {
        if (!stored->alert.firingAt(nowMs))
            continue;
        if (!m_acks->hasActive(Ack::Scope::kAlert, fingerprintHex(fp), nowMs))
            return false;
        anyFiring = true;
    }
    return anyFiring;
}

std::unique_ptr<Dispatcher::FlushJob> Dispatcher::prepareFlush(Group& group,
                                                               model::Timestamp nowMs) {
    auto job = std::make_unique<FlushJob>();
    job->groupId = group.id;

    struct Item {
        const StoredAlert* stored;
        bool resolved;
        bool muted;
    };
    std::vector<Item> items;
    items.reserve(group.alerts.size());
    bool anyFiring = false;
    for (const auto& [fp, stored] : group.alerts) {
        const bool resolved = !stored->alert.firingAt(nowMs);
        const bool muted = m_inhibitor->inhibited(stored->alert.labels, nowMs) ||
                           !m_silences->mutedBy(stored->alert.labels, nowMs).empty();
        items.push_back(Item{stored, resolved, muted});
        anyFiring = anyFiring || !resolved;
        if (resolved) {
            job->resolved.emplace_back(fp, stored->version);
            (void)m_acks->resolved(Ack::Scope::kAlert, fingerprintHex(fp), nowMs);
        }
    }
    const bool acked = groupAcked(group, nowMs);
    if (!anyFiring)
        (void)m_acks->resolved(Ack::Scope::kGroup, group.key, nowMs);
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        return alertBefore(a.stored->alert.labels, b.stored->alert.labels);
    });

    const RouteOptions& opts = group.route->options();
    const bool timeMuted = routeTimeMuted(*group.route, nowMs);
    const std::vector<Integration>* integrations = m_notifiers.integrations(opts.receiver);
    if (!integrations || timeMuted)
        return job;

    for (const Integration& integration : *integrations) {
        NflogKey key{group.key, opts.receiver, integration.index};
        std::optional<NflogEntry> entry = m_nflog->query(key);
        std::vector<const Item*> batch;
        for (const Item& item : items) {
            if (!item.muted) {
                batch.push_back(&item);
            } else if (item.resolved && integration.sendResolved && entry &&
                       std::binary_search(entry->firing.begin(), entry->firing.end(),
                                          item.stored->fingerprint)) {
                // Vigil (alertmanager#226): it was notified as firing, so its
                // resolve is announced even though it is muted now.
                batch.push_back(&item);
            }
        }
        if (batch.empty())
            continue;
        std::vector<std::uint64_t> firing, resolved;
        for (const Item* item : batch)
            (item->resolved ? resolved : firing).push_back(item->stored->fingerprint);
        std::sort(firing.begin(), firing.end());
        std::sort(resolved.begin(), resolved.end());

        // DedupStage.needsUpdate, plus Vigil's ack (no repeats while acked).
        bool needed = false;
        if (!entry)
            needed = !firing.empty();
        else if (!entry->isFiringSubset(firing))
            needed = true;
        else if (firing.empty())
            needed = !entry->firing.empty();
        else if (integration.sendResolved && !entry->isResolvedSubset(resolved))
            needed = true;
        else
            needed = !acked && nowMs - entry->timestampMs >= opts.repeatInterval.count();
        if (!needed)
            continue;

        auto task = std::make_unique<SendTask>();
        task->integration = &integration;
        task->nflogKey = key;
        task->entry.firing = firing;
        task->entry.resolved = resolved;
        task->entry.expiresAtMs = nowMs + m_options.retentionMs;
        NotificationContext& ctx = task->ctx;
        ctx.receiver = opts.receiver;
        ctx.groupKey = group.key;
        ctx.groupLabels = group.labels;
        ctx.integrationIndex = integration.index;
        ctx.integrationType = integration.type;
        ctx.nowMs = nowMs;
        ctx.deadlineMs = nowMs + opts.groupInterval.count();
        ctx.acknowledged = acked;
        // RetryStage: without send_resolved only the firing alerts go out,
        // and an all-resolved batch is merely logged.
        task->callNotifier = integration.sendResolved || !firing.empty();
        for (const Item* item : batch) {
            if (item->resolved && !integration.sendResolved)
                continue;
            NotificationAlert na;
            na.alert = item->stored->alert;
            na.fingerprint = item->stored->fingerprint;
            na.resolved = item->resolved;
            if (!item->resolved)
                na.alert.endsAtMs = 0;
            (na.resolved ? ctx.numResolved : ctx.numFiring)++;
            ctx.alerts.push_back(std::move(na));
        }
        job->tasks.push_back(std::move(task));
    }
    return job;
}

void Dispatcher::send(SendTask& task) {
    if (!task.callNotifier) {
        task.ok = true;
        task.completedAtMs = m_clock->nowMs();
        return;
    }
    if (!task.integration->notifier) {
        task.error = "no notifier for " + task.integration->type + " integration " +
                     std::to_string(task.integration->index) + " of receiver " + task.ctx.receiver;
        task.completedAtMs = m_clock->nowMs();
        return;
    }
    std::int64_t backoff = m_options.retryInitialBackoffMs;
    std::uint64_t attempts = 0;
    for (int attempt = 1;; ++attempt) {
        task.ctx.attempt = attempt;
        NotifyResult result = task.integration->notifier->notify(task.ctx);
        ++attempts;
        if (result.ok()) {
            task.ok = true;
            break;
        }
        task.error = result.message;
        if (result.outcome == NotifyResult::Outcome::kFailed || m_shuttingDown)
            break;
        if (m_clock->nowMs() + backoff > task.ctx.deadlineMs)
            break;
        m_clock->sleepForMs(backoff);
        backoff = std::min(backoff * 3 / 2, m_options.retryMaxBackoffMs);
    }
    task.completedAtMs = m_clock->nowMs();
    std::lock_guard lock(m_statsMutex);
    m_stats.notificationAttempts += attempts;
    if (task.ok) {
        ++m_stats.notificationsSent;
    } else {
        ++m_stats.notificationsFailed;
        m_stats.lastError = task.ctx.receiver + "/" + task.ctx.integrationType + "[" +
                            std::to_string(task.ctx.integrationIndex) + "] " + task.ctx.groupKey +
                            ": " + task.error;
    }
}

void Dispatcher::finishFlush(FlushJob& job) {
    bool allOk = true;
    for (auto& task : job.tasks) {
        if (task->ok) {
            task->entry.timestampMs = task->completedAtMs;
            m_nflog->log(task->nflogKey, std::move(task->entry));
        } else {
            allOk = false;
        }
    }
    auto groupIt = m_groups.find(job.groupId);
    if (!allOk || groupIt == m_groups.end())
        return;
    // DeleteIfNotModified: resolved alerts that were not updated meanwhile
    // leave the group.
    Group& group = *groupIt->second;
    for (const auto& [fp, version] : job.resolved) {
        auto it = group.alerts.find(fp);
        if (it != group.alerts.end() && it->second->version == version) {
            --it->second->groupRefs;
            group.alerts.erase(it);
        }
    }
}

void Dispatcher::maintenance(model::Timestamp nowMs) {
    for (auto it = m_groups.begin(); it != m_groups.end();) {
        if (it->second->alerts.empty() && !it->second->flushing) {
            m_groupIndex.erase({it->second->route, amFingerprint(it->second->labels)});
            it = m_groups.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = m_alerts.begin(); it != m_alerts.end();) {
        StoredAlert& stored = *it->second;
        if (stored.groupRefs == 0 && !stored.alert.firingAt(nowMs)) {
            m_inhibitor->remove(stored.fingerprint, stored.alert.labels);
            it = m_alerts.erase(it);
        } else {
            ++it;
        }
    }
    m_nflog->gc(nowMs);
    if (Status s = m_silences->gc(nowMs, m_options.retentionMs); !s) {
        std::lock_guard lock(m_statsMutex);
        m_stats.lastError = s.message();
    }
    m_nextMaintenanceMs = nowMs + m_options.maintenanceIntervalMs;
}

model::Timestamp Dispatcher::process() {
    std::vector<model::Alert> incoming;
    std::vector<FlushJob*> completed;
    {
        std::lock_guard lock(m_queueMutex);
        incoming.swap(m_queue);
        completed.swap(m_completed);
    }
    const model::Timestamp nowMs = m_clock->nowMs();
    const bool pooled = m_options.senderThreads > 1;
    std::vector<std::unique_ptr<FlushJob>> inlineJobs;
    {
        std::lock_guard lock(m_mutex);
        // Results of the pool's sends first, so that a re-sent alert below
        // sees the notification log as it now is.
        for (FlushJob* job : completed) {
            finishFlush(*job);
            auto groupIt = m_groups.find(job->groupId);
            if (groupIt != m_groups.end()) {
                Group& group = *groupIt->second;
                group.flushing = false;
                if (group.tickMissed) {
                    group.tickMissed = false;
                    arm(group, nowMs);
                }
            }
            m_inFlight.erase(job->id);
        }
        if (!incoming.empty()) {
            std::lock_guard statsLock(m_statsMutex);
            m_stats.alertsReceived += incoming.size();
        }
        for (model::Alert& alert : incoming)
            takeIn(std::move(alert), nowMs);
        if (m_nextMaintenanceMs == 0)
            m_nextMaintenanceMs = nowMs + m_options.maintenanceIntervalMs;
        while (!m_timers.empty() && m_timers.top().dueMs <= nowMs) {
            const Timer timer = m_timers.top();
            m_timers.pop();
            auto it = m_groups.find(timer.groupId);
            if (it == m_groups.end() || it->second->timerGeneration != timer.generation)
                continue;
            Group& group = *it->second;
            // aggrGroup.run: re-arm for group_interval before flushing.
            group.hasFlushed = true;
            arm(group, timer.dueMs + group.route->options().groupInterval.count());
            if (group.flushing) {
                // Alertmanager's group goroutine is busy in its flush; the
                // expired timer is served right after it.
                group.tickMissed = true;
                continue;
            }
            std::unique_ptr<FlushJob> job = prepareFlush(group, nowMs);
            if (job->tasks.empty()) {
                finishFlush(*job);
            } else if (pooled) {
                group.flushing = true;
                submit(std::move(job));
            } else {
                inlineJobs.push_back(std::move(job));
            }
        }
    }
    std::vector<SendTask*> tasks;
    for (auto& job : inlineJobs)
        for (auto& task : job->tasks)
            tasks.push_back(task.get());
    for (SendTask* task : tasks)
        send(*task);

    std::lock_guard lock(m_mutex);
    for (auto& job : inlineJobs)
        finishFlush(*job);
    if (nowMs >= m_nextMaintenanceMs)
        maintenance(nowMs);
    if (Status s = m_nflog->flush(); !s) {
        std::lock_guard statsLock(m_statsMutex);
        m_stats.lastError = s.message();
    }
    while (!m_timers.empty()) {
        const Timer& top = m_timers.top();
        auto it = m_groups.find(top.groupId);
        if (it != m_groups.end() && it->second->timerGeneration == top.generation)
            break;
        m_timers.pop();
    }
    model::Timestamp next = m_nextMaintenanceMs;
    if (!m_timers.empty())
        next = std::min(next, m_timers.top().dueMs);
    return next;
}

Status Dispatcher::ackGroup(const std::string& groupKey, const std::string& by,
                            const std::string& comment, model::Timestamp expiresAtMs) {
    auto r = m_acks->ack(Ack::Scope::kGroup, groupKey, by, comment, expiresAtMs, m_clock->nowMs());
    return r.isOk() ? Status::ok() : r.status();
}

Status Dispatcher::ackAlert(std::uint64_t fingerprint, const std::string& by,
                            const std::string& comment, model::Timestamp expiresAtMs) {
    auto r = m_acks->ack(Ack::Scope::kAlert, fingerprintHex(fingerprint), by, comment, expiresAtMs,
                         m_clock->nowMs());
    return r.isOk() ? Status::ok() : r.status();
}

Status Dispatcher::unackGroup(const std::string& groupKey, const std::string& by) {
    return m_acks->unack(Ack::Scope::kGroup, groupKey, by, m_clock->nowMs());
}

Status Dispatcher::unackAlert(std::uint64_t fingerprint, const std::string& by) {
    return m_acks->unack(Ack::Scope::kAlert, fingerprintHex(fingerprint), by, m_clock->nowMs());
}

std::vector<AlertStatus> Dispatcher::alerts() const {
    std::lock_guard lock(m_mutex);
    const model::Timestamp nowMs = m_clock->nowMs();
    std::vector<AlertStatus> out;
    out.reserve(m_alerts.size());
    for (const auto& [fp, stored] : m_alerts) {
        AlertStatus status;
        status.alert = stored->alert;
        status.fingerprint = fp;
        for (const Route* route : m_route->match(stored->alert.labels))
            status.receivers.push_back(route->options().receiver);
        status.resolved = !stored->alert.firingAt(nowMs);
        status.inhibited = m_inhibitor->inhibited(stored->alert.labels, nowMs);
        status.silencedBy = m_silences->mutedBy(stored->alert.labels, nowMs);
        status.acknowledged = m_acks->hasActive(Ack::Scope::kAlert, fingerprintHex(fp), nowMs);
        out.push_back(std::move(status));
    }
    std::sort(out.begin(), out.end(), [](const AlertStatus& a, const AlertStatus& b) {
        return a.fingerprint < b.fingerprint;
    });
    return out;
}

std::vector<GroupStatus> Dispatcher::groups() const {
    std::lock_guard lock(m_mutex);
    const model::Timestamp nowMs = m_clock->nowMs();
    std::vector<GroupStatus> out;
    out.reserve(m_groups.size());
    for (const auto& [id, group] : m_groups) {
        GroupStatus status;
        status.receiver = group->route->options().receiver;
        status.routeKey = group->route->key();
        status.groupKey = group->key;
        status.labels = group->labels;
        for (const auto& [fp, stored] : group->alerts)
            status.alerts.push_back(fp);
        std::sort(status.alerts.begin(), status.alerts.end());
        status.acknowledged = groupAcked(*group, nowMs);
        status.nextFlushMs = group->nextFlushMs;
        status.hasFlushed = group->hasFlushed;
        out.push_back(std::move(status));
    }
    std::sort(out.begin(), out.end(), [](const GroupStatus& a, const GroupStatus& b) {
        return std::tie(a.receiver, a.groupKey) < std::tie(b.receiver, b.groupKey);
    });
    return out;
}

DispatcherStats Dispatcher::stats() const {
    DispatcherStats out;
    {
        std::lock_guard lock(m_statsMutex);
        out = m_stats;
    }
    std::lock_guard lock(m_mutex);
    out.alerts = m_alerts.size();
    out.groups = m_groups.size();
    return out;
}

}  // namespace vigil::notify
