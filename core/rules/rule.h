#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/alert.h"
#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/promql/value.h"
#include "core/rules/rule_file.h"
#include "core/rules/rule_templates.h"
#include "core/util/status.h"

// Recording and alerting rules as Prometheus 2.42's rules/recording.go and
// rules/alerting.go evaluate them.
//
// Thread-safety: a rule is evaluated by one thread at a time (its group's);
// the accessors that read state for snapshots (health, lastError,
// activeAlerts) lock the rule's mutex and may be called from any thread.
namespace vigil::rules {

// Go's zero time.Time: "never". (Epoch 0 is a real time in unit tests.)
inline constexpr model::Timestamp kNever = std::numeric_limits<model::Timestamp>::min();

// Runs an instant query for a rule: a vector result as is, a scalar as one
// sample with no labels, anything else "rule result is not a vector or
// scalar" (Prometheus's EngineQueryFunc). `rule` gives the parsed
// expression of its language (the query function of a group knows which);
// it may be null, then `text` is parsed, as for the template `query`
// function. This is the only place the query language matters: the state
// machine, templates, ALERTS series and notifications are the same for
// PromQL and LogQL rules.
using QueryFunc = std::function<Result<promql::Vector>(const RuleSpec* rule, std::string_view text,
                                                       model::Timestamp t)>;

// What every rule of a group shares while evaluating.
struct RuleEnv {
    QueryFunc query;
    model::Labels externalLabels;
    std::string externalUrl;
};

enum class RuleHealth { kUnknown, kOk, kBad };
const char* ruleHealthName(RuleHealth health);  // "unknown", "ok", "err"

enum class AlertState { kInactive, kPending, kFiring };
const char* alertStateName(AlertState state);  // "inactive", "pending", "firing"

// One alert of an alerting rule (Prometheus's rules.Alert).
struct ActiveAlert {
    AlertState state = AlertState::kPending;
    model::Labels labels;  // series labels with the rule's labels and alertname
    model::Labels annotations;
    double value = 0;
    model::Timestamp activeAt = kNever;
    model::Timestamp firedAt = kNever;
    model::Timestamp resolvedAt = kNever;
    model::Timestamp lastSentAt = kNever;
    model::Timestamp validUntil = kNever;
    model::Timestamp keepFiringSince = kNever;

    bool needsSending(model::Timestamp ts, std::int64_t resendDelayMs) const;
};

class Rule {
public:
    explicit Rule(RuleSpec spec) : m_spec(std::move(spec)) {}
    virtual ~Rule() = default;
    Rule(const Rule&) = delete;
    Rule& operator=(const Rule&) = delete;

    const RuleSpec& spec() const { return m_spec; }
    const std::string& name() const { return m_spec.name; }
    bool alerting() const { return m_spec.alerting; }

    // Evaluates at `ts`; returns the samples to write to storage (recording
    // rules: the recorded series; alerting rules: ALERTS and
    // ALERTS_FOR_STATE). `limit` > 0 caps series/alerts, as the group's limit.
    virtual Result<promql::Vector> eval(model::Timestamp ts, const RuleEnv& env,
                                        std::int64_t limit) = 0;

    void setHealth(RuleHealth health, std::string lastError);
    RuleHealth health() const;
    std::string lastError() const;
    void setEvaluation(model::Timestamp ts, std::chrono::nanoseconds duration);
    model::Timestamp lastEvaluation() const { return m_lastEvaluation.load(); }
    std::chrono::nanoseconds evaluationDuration() const {
        return std::chrono::nanoseconds(m_evalDurationNs.load());
    }

protected:
    mutable std::mutex m_mutex;

private:
    const RuleSpec m_spec;
    RuleHealth m_health = RuleHealth::kUnknown;  // GUARDED_BY(m_mutex)
    std::string m_lastError;                     // GUARDED_BY(m_mutex)
    std::atomic<model::Timestamp> m_lastEvaluation{kNever};
    std::atomic<std::int64_t> m_evalDurationNs{0};
};

class RecordingRule final : public Rule {
public:
    explicit RecordingRule(RuleSpec spec);
    Result<promql::Vector> eval(model::Timestamp ts, const RuleEnv& env,
                                std::int64_t limit) override;

private:
    model::Labels m_ruleLabels;
};

class AlertingRule final : public Rule {
public:
    // How long a resolved alert is kept (and re-sent) after it resolved.
    static constexpr std::int64_t kResolvedRetentionMs = 15 * 60 * 1000;

    explicit AlertingRule(RuleSpec spec);
    Result<promql::Vector> eval(model::Timestamp ts, const RuleEnv& env,
                                std::int64_t limit) override;

    // The alerts due at `ts` (firing ones every `resendDelayMs`, resolved
    // ones once more), stamped as Prometheus's sendAlerts does: LastSentAt =
    // ts, ValidUntil = ts + 4 x max(resendDelay, interval). Returns them as
    // the notifier sends them: startsAt = firedAt, endsAt = resolvedAt or
    // validUntil, external labels added where absent.
    std::vector<model::Alert> alertsToSend(model::Timestamp ts, std::int64_t resendDelayMs,
                                           std::int64_t intervalMs, const RuleEnv& env);

    // Until restored, evaluation produces no ALERTS/ALERTS_FOR_STATE
    // samples (Prometheus waits for the `for` state restore).
    void setRestored(bool restored) { m_restored.store(restored); }
    bool restored() const { return m_restored.load(); }

    std::vector<ActiveAlert> activeAlerts() const;  // state != inactive
    std::vector<ActiveAlert> allAlerts() const;     // including resolved ones kept for resending
    // Replaces/modifies the alert table (restore after restart, CopyState on reload).
    void withAlerts(const std::function<void(std::unordered_map<std::uint64_t, ActiveAlert>&)>& fn);
    // The labels of the ALERTS_FOR_STATE series of `alert`.
    model::Labels forStateLabels(const ActiveAlert& alert) const;
    // Highest state among active alerts.
    AlertState state() const;

private:
    model::Labels m_ruleLabels;
    std::atomic<bool> m_restored{false};
    std::unordered_map<std::uint64_t, ActiveAlert> m_active;  // GUARDED_BY(m_mutex), by labels hash
};

// Go's time.Duration-free helper for API and test output: the
// TableLinkForExpression path Prometheus puts in generatorURL.
std::string tableLinkForExpression(std::string_view expr);

}  // namespace vigil::rules
