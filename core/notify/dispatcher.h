#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/model/alert.h"
#include "core/model/labels.h"
#include "core/notify/acks.h"
#include "core/notify/alertmanager_config.h"
#include "core/notify/inhibitor.h"
#include "core/notify/notification_log.h"
#include "core/notify/notifier.h"
#include "core/notify/route.h"
#include "core/notify/silences.h"

namespace vigil::state {
class Database;
}

namespace vigil::notify {

// The dispatcher's notion of time, injectable so tests run group_wait and
// repeat_interval without sleeping.
class Clock {
public:
    virtual ~Clock() = default;
    virtual model::Timestamp nowMs() const = 0;
    // Used by the retry stage's backoff.
    virtual void sleepForMs(std::int64_t ms) = 0;
    // The wall clock. Thread-safe.
    static Clock& system();
};

// A clock that moves only when told to; sleepForMs() advances it.
// Thread-safe.
class ManualClock : public Clock {
public:
    explicit ManualClock(model::Timestamp startMs) : m_now(startMs) {}
    model::Timestamp nowMs() const override { return m_now.load(); }
    void sleepForMs(std::int64_t ms) override { m_now += ms; }
    void set(model::Timestamp ms) { m_now = ms; }
    void advance(std::int64_t ms) { m_now += ms; }

private:
    std::atomic<model::Timestamp> m_now;
};

struct DispatcherOptions {
    AlertmanagerConfig config;
    NotifierRegistry notifiers;
    state::Database* db = nullptr;  // null: nothing persisted; must outlive the dispatcher
    Clock* clock = nullptr;         // null: Clock::system()
    std::int64_t retentionMs = 120LL * 3600 * 1000;  // nflog and expired silences
    std::int64_t maintenanceIntervalMs = 30 * 1000;  // empty-group and store GC
    // Notifications are sent by a pool of this many threads, each group's
    // flush independently of the others (as Alertmanager's one goroutine per
    // group): a slow or retrying receiver delays only its own group. 1: sent
    // inline by process(), in order (deterministic, for tests).
    int senderThreads = 32;
    std::int64_t retryInitialBackoffMs = 500;
    std::int64_t retryMaxBackoffMs = 60 * 1000;
};

// One alert as the API and the UI show it.
struct AlertStatus {
    model::Alert alert;
    std::uint64_t fingerprint = 0;
    std::vector<std::string> receivers;  // one per matched route, in tree order
    bool resolved = false;
    bool inhibited = false;
    std::vector<std::string> silencedBy;  // ids of the active matching silences
    bool acknowledged = false;            // the alert itself is acked
    const char* state() const { return inhibited || !silencedBy.empty() ? "suppressed" : "active"; }
};

struct GroupStatus {
    std::string receiver;
    std::string routeKey;
    std::string groupKey;
    model::Labels labels;
    std::vector<std::uint64_t> alerts;  // fingerprints
    bool acknowledged = false;
    model::Timestamp nextFlushMs = 0;
    bool hasFlushed = false;
};

struct DispatcherStats {
    std::uint64_t alertsReceived = 0;
    std::uint64_t alertsInvalid = 0;
    std::uint64_t notificationsSent = 0;
    std::uint64_t notificationsFailed = 0;
    std::uint64_t notificationAttempts = 0;
    std::size_t alerts = 0;
    std::size_t groups = 0;
    std::string lastError;
};

// Alertmanager 0.25's dispatcher (dispatch/dispatch.go) and notification
// pipeline (notify/notify.go) in one object: an alert store that merges
// updates by fingerprint, aggregation groups per (route, group labels) with
// group_wait / group_interval / repeat_interval driven by one timer heap, and
// per flush: inhibition -> time-interval mute -> silences -> dedup against
// the notification log -> send with retries -> log. Semantics and gotchas:
// shared/conformance/alertmanager/SEMANTICS.md §3-7.
//
// Vigil's additions: acknowledgements (stop repeats; resolves still go out)
// and resolved notices for alerts that were notified as firing and resolved
// while silenced or inhibited (alertmanager#226), for integrations with
// send_resolved.
//
// Repeat rule: a repeat is sent at the first flush tick at which
// now - (completion time of the last successful notification) >=
// repeat_interval. With an exact clock and instantaneous receivers this
// gives Alertmanager's "fast receiver" cadence (timing/probe_run1.jsonl).
//
// Threads: ingest() / sink() and the snapshot/ack/silence methods are
// thread-safe. process() is called by one thread (the dispatcher's). With
// senderThreads > 1 a due group's notifications are handed to the sender
// pool and process() returns at once; their results are applied by a later
// process() (waitForWork() wakes for them), and the group's ticks that come
// meanwhile are served after it, as Alertmanager's per-group goroutine does.
// Notifiers never run under the state lock.
class Dispatcher {
public:
    static Result<std::unique_ptr<Dispatcher>> create(DispatcherOptions options);
    ~Dispatcher();

    // Queues alerts; never blocks on the dispatcher's work.
    void ingest(std::vector<model::Alert> alerts);
    model::AlertSink& sink() { return m_sink; }

    // Takes the queued alerts in, runs every flush that is due at the
    // clock's now, does maintenance when due; returns when the next timer is
    // due (the caller sleeps until then or until new alerts arrive).
    model::Timestamp process();
    // Blocks until alerts are queued, wake() is called, or the system clock
    // reaches `untilMs`.
    void waitForWork(model::Timestamp untilMs);
    void wake();
    // Flushes whose notifications are still being sent (pool mode).
    std::size_t flushesInFlight() const;
    // Runs process() until no flush is in flight (pool mode; for tests and
    // benchmarks on the calling thread).
    void drain();

    Silences& silences() { return *m_silences; }
    AckStore& acks() { return *m_acks; }
    NotificationLog& notificationLog() { return *m_nflog; }
    Clock& clock() { return *m_clock; }
    const AlertmanagerConfig& config() const { return m_config; }
    const Route& routeTree() const { return *m_route; }

    // Acknowledge a group (by group key) or an alert (by fingerprint).
    // expiresAtMs 0: until resolved.
    Status ackGroup(const std::string& groupKey, const std::string& by, const std::string& comment,
                    model::Timestamp expiresAtMs = 0);
    Status ackAlert(std::uint64_t fingerprint, const std::string& by, const std::string& comment,
                    model::Timestamp expiresAtMs = 0);
    Status unackGroup(const std::string& groupKey, const std::string& by);
    Status unackAlert(std::uint64_t fingerprint, const std::string& by);

    std::vector<AlertStatus> alerts() const;
    std::vector<GroupStatus> groups() const;
    DispatcherStats stats() const;

private:
    struct StoredAlert;
    struct Group;
    struct Timer {
        model::Timestamp dueMs;
        std::uint64_t groupId;
        std::uint64_t generation;
        bool operator>(const Timer& o) const {
            return dueMs != o.dueMs ? dueMs > o.dueMs : groupId > o.groupId;
        }
    };
    struct SendTask;
    struct FlushJob;
    class Sink : public model::AlertSink {
    public:
        explicit Sink(Dispatcher* d) : m_dispatcher(d) {}
        void send(std::vector<model::Alert> alerts) override {
            m_dispatcher->ingest(std::move(alerts));
        }

    private:
        Dispatcher* m_dispatcher;
    };

    explicit Dispatcher(DispatcherOptions options);
    void takeIn(model::Alert alert, model::Timestamp nowMs);             // REQUIRES: m_mutex
    void insertIntoGroups(StoredAlert* stored, model::Timestamp nowMs);  // REQUIRES: m_mutex
    void arm(Group& group, model::Timestamp dueMs);                      // REQUIRES: m_mutex
    std::unique_ptr<FlushJob> prepareFlush(Group& group,
                                           model::Timestamp nowMs);  // REQUIRES: m_mutex
    void submit(std::unique_ptr<FlushJob> job);                      // REQUIRES: m_mutex
    void poolLoop();
    void send(SendTask& task);
    void finishFlush(FlushJob& job);           // REQUIRES: m_mutex
    void maintenance(model::Timestamp nowMs);  // REQUIRES: m_mutex
    bool routeTimeMuted(const Route& route, model::Timestamp nowMs) const;
    bool groupAcked(const Group& group, model::Timestamp nowMs) const;

    AlertmanagerConfig m_config;
    NotifierRegistry m_notifiers;
    state::Database* m_db;
    Clock* m_clock;
    DispatcherOptions m_options;
    std::unique_ptr<Route> m_route;
    std::unique_ptr<Silences> m_silences;
    std::unique_ptr<NotificationLog> m_nflog;
    std::unique_ptr<AckStore> m_acks;
    Sink m_sink{this};

    std::mutex m_queueMutex;
    std::condition_variable m_queueCv;
    std::vector<model::Alert> m_queue;  // GUARDED_BY(m_queueMutex)
    bool m_woken = false;               // GUARDED_BY(m_queueMutex)

    mutable std::mutex m_mutex;  // the alert store and the groups
    std::unordered_map<std::uint64_t, std::unique_ptr<StoredAlert>> m_alerts;
    std::unordered_map<std::uint64_t, std::unique_ptr<Group>> m_groups;
    // (route, group labels fingerprint) -> group id. Keyed by the route node,
    // not its key: sibling routes with the same matchers share a key but are
    // separate groups in Alertmanager.
    std::map<std::pair<const Route*, std::uint64_t>, std::uint64_t> m_groupIndex;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> m_timers;
    std::uint64_t m_nextGroupId = 1;
    std::uint64_t m_nextVersion = 1;
    model::Timestamp m_nextMaintenanceMs = 0;
    std::unique_ptr<Inhibitor> m_inhibitor;

    // Pool mode: flushes being sent, and the sender threads.
    std::unordered_map<std::uint64_t, std::unique_ptr<FlushJob>> m_inFlight;  // GUARDED_BY(m_mutex)
    std::uint64_t m_nextJobId = 1;
    std::vector<FlushJob*> m_completed;  // GUARDED_BY(m_queueMutex)
    std::mutex m_poolMutex;
    std::condition_variable m_poolCv;
    std::vector<SendTask*> m_poolQueue;  // GUARDED_BY(m_poolMutex), LIFO is fine: no order promise
    bool m_poolStop = false;             // GUARDED_BY(m_poolMutex)
    std::atomic<bool> m_shuttingDown{false};
    std::vector<std::thread> m_pool;

    mutable std::mutex m_statsMutex;
    DispatcherStats m_stats;  // GUARDED_BY(m_statsMutex); alerts/groups filled on read
};

// Alertmanager's notification order: by job, then instance (alerts with the
// label first), then by label set (types.AlertSlice.Less).
bool alertBefore(const model::Labels& a, const model::Labels& b);

}  // namespace vigil::notify
