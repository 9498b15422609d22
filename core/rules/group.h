#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/alert.h"
#include "core/model/storage.h"
#include "core/promql/engine.h"
#include "core/rules/rule.h"
#include "core/rules/rule_file.h"

// A rule group as Prometheus 2.42's rules.Group: its rules evaluated in
// order at one timestamp, each rule's output committed before the next rule
// runs (so later rules see earlier ones), stale markers written for series a
// rule stopped producing, alerts handed to the notifier.
//
// Thread-safety: eval(), restoreForState(), copyState() and markStale() are
// called by one thread at a time (the group's evaluation); the statistics
// accessors and the rules' snapshot accessors are safe from any thread.
namespace vigil::rules {

struct GroupOptions {
    RuleEnv env;
    model::Storage* storage = nullptr;  // REQUIRED: recorded series and ALERTS go here
    std::int64_t defaultIntervalMs = 60'000;
    std::int64_t resendDelayMs = 60'000;
    std::int64_t outageToleranceMs = 3'600'000;  // how far back ALERTS_FOR_STATE is trusted
    std::int64_t forGracePeriodMs = 600'000;     // minimum `for` left after a restore
    // Receives the alerts due after each alerting rule's evaluation; may be
    // empty. Called on the evaluating thread; must not block.
    std::function<void(std::vector<model::Alert>)> notify;
};

class Group {
public:
    Group(GroupSpec spec, GroupOptions options);
    Group(const Group&) = delete;
    Group& operator=(const Group&) = delete;

    const GroupSpec& spec() const { return m_spec; }
    const std::string& name() const { return m_spec.name; }
    const std::string& file() const { return m_spec.file; }
    // Prometheus's group key: "file;name".
    std::string key() const { return m_spec.file + ";" + m_spec.name; }
    std::int64_t intervalMs() const { return m_intervalMs; }
    const GroupOptions& options() const { return m_options; }
    const std::vector<std::unique_ptr<Rule>>& rules() const { return m_rules; }

    // Evaluates every rule at `ts` (REQUIRES: ts >= the previous ts).
    void eval(model::Timestamp ts);

    // The evaluation slot of the interval containing `now`, offset within the interval by a hash of
    // the group key so that groups spread over the interval (Prometheus's EvalTimestamp).
    model::Timestamp evalTimestamp(model::Timestamp now) const;

    // Restores the `for` state of the active alerts from ALERTS_FOR_STATE
    // (Prometheus's RestoreForState), then marks the alerting rules restored.
    // `skip(ruleIndex, alertHash)` leaves alerts already restored exactly
    // (from the state database) untouched.
    void restoreForState(model::Timestamp ts,
                         const std::function<bool(std::size_t, std::uint64_t)>& skip = nullptr);

    // Takes over the state of `old` (the same group before a reload): series
    // written last time and the alerts of rules with the same name and
    // labels; series of rules that are gone are marked stale at the next
    // evaluation.
    void copyState(Group& old);

    // Writes stale markers at `ts` for everything this group wrote last time
    // (the group was removed).
    void markStale(model::Timestamp ts);

    // Statistics (any thread).
    model::Timestamp lastEvaluation() const { return m_lastEvaluation.load(); }
    std::chrono::nanoseconds lastDuration() const {
        return std::chrono::nanoseconds(m_lastDurationNs.load());
    }
    std::uint64_t iterations() const { return m_iterations.load(); }
    std::uint64_t missedIterations() const { return m_missed.load(); }
    void addMissed(std::uint64_t n) { m_missed.fetch_add(n); }

private:
    using SeriesMap = std::unordered_map<std::uint64_t, model::Labels>;

    GroupSpec m_spec;
    GroupOptions m_options;
    std::int64_t m_intervalMs;
    std::vector<std::unique_ptr<Rule>> m_rules;
    std::vector<SeriesMap> m_seriesInPreviousEval;  // per rule
    std::vector<model::Labels> m_staleSeries;       // from a reload, marked at next eval

    std::atomic<model::Timestamp> m_lastEvaluation{kNever};
    std::atomic<std::int64_t> m_lastDurationNs{0};
    std::atomic<std::uint64_t> m_iterations{0};
    std::atomic<std::uint64_t> m_missed{0};
};

// The query function rules use: instant queries through the PromQL engine
// against `storage` (a querier opened per query, as Prometheus's
// EngineQueryFunc does).
// Prometheus's restore arithmetic: an alert active since `activeAt` when the
// process went down at `downAt` (both whole seconds in Prometheus) gets the
// activeAt it should have at `now` so that the outage does not count toward
// its `for`, and at least `gracePeriodMs` remains before it fires.
model::Timestamp restoredActiveAt(model::Timestamp activeAt, model::Timestamp downAt,
                                  model::Timestamp now, std::int64_t holdMs,
                                  std::int64_t gracePeriodMs);

QueryFunc makeEngineQueryFunc(promql::Engine& engine, model::Storage& storage);

}  // namespace vigil::rules
