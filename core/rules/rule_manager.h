#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/instrument/metric_registry.h"
#include "core/logs/log_store_api.h"
#include "core/model/alert.h"
#include "core/model/storage.h"
#include "core/promql/engine.h"
#include "core/rules/alert_state_store.h"
#include "core/rules/group.h"

// Loads rule files and evaluates their groups on schedule, as Prometheus's
// rules.Manager (and, for LogQL rule files, as Loki's ruler): each group at its own interval,
// offset within it by a hash of its key, on a small pool of worker threads; an iteration that
// cannot start on time is skipped and counted as missed. Files are re-read when they change
// (polled) and on reload(); a file that does not load leaves the previous rules running.
//
// Alert state is restored after a restart: exactly from the state database
// when it has the alert (firing alerts keep their firedAt and resend
// schedule; an alert that resolved during the outage is notified as
// resolved), otherwise from ALERTS_FOR_STATE with Prometheus's outage
// tolerance and `for` grace period.
//
// PromQL rule files (`ruleFiles`) query the TSDB through the PromQL engine;
// log rule files (`logRuleFiles`, Loki's ruler format) query the log store
// through the LogQL engine. Both kinds share everything else: scheduling,
// the alert state machine, the TSDB for ALERTS and recorded series, the
// state database, the alert sink and the snapshot.
//
// Thread-safety: every public method is thread-safe.
namespace vigil::rules {

struct RuleManagerOptions {
    model::Storage* storage = nullptr;   // REQUIRED, outlives the manager
    promql::Engine* engine = nullptr;    // REQUIRED, outlives the manager
    std::vector<std::string> ruleFiles;  // globs
    // Log rule files (globs; LogQL expressions). REQUIRES: logReader when
    // non-empty (otherwise every such file fails to load, saying so).
    std::vector<std::string> logRuleFiles;
    const logs::LogReader* logReader = nullptr;  // outlives the manager
    std::int64_t evaluationIntervalMs = 60'000;
    model::Labels externalLabels;
    std::string externalUrl;
    std::int64_t resendDelayMs = 60'000;
    std::int64_t outageToleranceMs = 3'600'000;
    std::int64_t forGracePeriodMs = 600'000;
    unsigned workerThreads = 2;
    std::string stateDbPath;                        // "<data dir>/state.db"; empty: no persistence
    std::chrono::milliseconds watchInterval{2000};  // 0: files are not watched
    // Self-metrics (vigil_rule_*); may be null. Must outlive the manager.
    instrument::MetricRegistry* metrics = nullptr;
    // Milliseconds since the epoch; the wall clock when empty (tests set it).
    std::function<model::Timestamp()> clock;
};

struct AlertSnapshot {
    model::Labels labels;
    model::Labels annotations;
    AlertState state = AlertState::kPending;
    double value = 0;
    model::Timestamp activeAt = kNever;
    model::Timestamp firedAt = kNever;
    model::Timestamp resolvedAt = kNever;
    model::Timestamp keepFiringSince = kNever;
};

struct RuleSnapshot {
    bool alerting = false;
    std::string name;
    std::string expr;
    std::int64_t holdMs = 0;
    std::int64_t keepFiringForMs = 0;
    std::vector<std::pair<std::string, std::string>> labels;
    std::vector<std::pair<std::string, std::string>> annotations;
    RuleHealth health = RuleHealth::kUnknown;
    std::string lastError;
    model::Timestamp lastEvaluation = kNever;
    double evaluationSeconds = 0;
    AlertState state = AlertState::kInactive;  // alerting rules: highest alert state
    std::vector<AlertSnapshot> alerts;         // active (pending/firing) alerts
};

struct GroupSnapshot {
    std::string name;
    std::string file;
    RuleLanguage language = RuleLanguage::kPromQL;
    std::int64_t intervalMs = 0;
    std::int64_t limit = 0;
    model::Timestamp lastEvaluation = kNever;
    double evaluationSeconds = 0;
    std::uint64_t iterations = 0;
    std::uint64_t missedIterations = 0;
    std::vector<RuleSnapshot> rules;
};

struct RulesSnapshot {
    std::vector<GroupSnapshot> groups;
    std::vector<std::string> files;  // the files loaded
    Status lastReload;               // the last load's outcome (the rules above may be older)
    model::Timestamp lastReloadTime = kNever;
};

class RuleManager {
public:
    explicit RuleManager(RuleManagerOptions options);
    ~RuleManager();  // stops
    RuleManager(const RuleManager&) = delete;
    RuleManager& operator=(const RuleManager&) = delete;

    // Opens the state database, loads the files and starts evaluating. A
    // failure to load the rules is not fatal (reported by snapshot() and
    // returned); a state database that cannot be opened is.
    Status start();
    void stop();

    // Re-reads the rule files now. On error the previous rules keep running.
    Status reload();
    // Replaces the rule file globs (a changed configuration) and reloads.
    Status setRuleFiles(std::vector<std::string> globs);
    // The same for the log rule files.
    Status setLogRuleFiles(std::vector<std::string> globs);

    // Where alerts go; null: nowhere (state is still kept). The sink must
    // stay valid until it is replaced or the manager is stopped.
    void setAlertSink(model::AlertSink* sink);

    RulesSnapshot snapshot() const;

    // Evaluates every group once at `ts`, now, on the calling thread (tests
    // and benchmarks; REQUIRES: not started).
    void evaluateAllAt(model::Timestamp ts);

private:
    struct Scheduled {
        std::shared_ptr<Group> group;
        std::mutex evalMutex;  // held while the group evaluates or its state is copied
        model::Timestamp next = 0;
        bool running = false;  // GUARDED_BY(m_mutex)
        bool removed = false;  // GUARDED_BY(m_mutex)
        bool needsRestore = false;
        std::uint64_t savedDigest = 0;
        model::Timestamp lastSavedAt = kNever;
    };

    model::Timestamp now() const;
    Status openStore();  // REQUIRES: m_reloadMutex held or not yet started
    Result<std::vector<std::shared_ptr<Group>>> loadGroups(std::vector<std::string>* files,
                                                           Status* status);
    GroupOptions groupOptions(RuleLanguage language);
    void evaluate(Scheduled& s, model::Timestamp ts);
    void restoreFromStore(Scheduled& s, model::Timestamp ts,
                          std::map<std::pair<std::size_t, std::uint64_t>, bool>& restored);
    void persist(Scheduled& s, model::Timestamp ts);
    void notify(std::vector<model::Alert> alerts);
    void schedulerLoop();
    void workerLoop();
    std::string filesFingerprint(const std::vector<std::string>& globs,
                                 const std::vector<std::string>& logGlobs) const;

    RuleManagerOptions m_options;
    std::unique_ptr<AlertStateStore> m_store;
    // Self-metrics; null without a registry.
    instrument::Counter* m_evaluations = nullptr;
    instrument::Counter* m_failures = nullptr;
    instrument::Counter* m_iterations = nullptr;
    instrument::Counter* m_missed = nullptr;
    instrument::Counter* m_alertsSent = nullptr;
    instrument::Gauge* m_reloadSuccess = nullptr;

    std::mutex m_sinkMutex;
    model::AlertSink* m_sink = nullptr;  // GUARDED_BY(m_sinkMutex)

    std::mutex m_reloadMutex;  // serialises reloads
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::shared_ptr<Scheduled>> m_groups;  // GUARDED_BY(m_mutex)
    std::deque<std::shared_ptr<Scheduled>> m_queue;    // GUARDED_BY(m_mutex)
    std::vector<std::string> m_files;                  // GUARDED_BY(m_mutex)
    Status m_lastReload;                               // GUARDED_BY(m_mutex)
    model::Timestamp m_lastReloadTime = kNever;        // GUARDED_BY(m_mutex)
    std::string m_fingerprint;                         // GUARDED_BY(m_mutex)
    bool m_initialLoadDone = false;                    // GUARDED_BY(m_mutex)
    bool m_stopping = false;                           // GUARDED_BY(m_mutex)
    std::thread m_scheduler;
    std::vector<std::thread> m_workers;
};

}  // namespace vigil::rules
