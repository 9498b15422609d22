#include "core/rules/rule.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace vigil::rules {

namespace {

constexpr std::string_view kAlertMetricName = "ALERTS";
constexpr std::string_view kAlertForStateMetricName = "ALERTS_FOR_STATE";
constexpr std::string_view kAlertNameLabel = "alertname";
constexpr std::string_view kAlertStateLabel = "alertstate";

bool containsSameLabelset(const promql::Vector& vector) {
    std::unordered_set<std::uint64_t> hashes;
    hashes.reserve(vector.size());
    for (std::size_t i = 0; i < vector.size(); ++i) {
        if (!hashes.insert(vector[i].labels.hash()).second) {
            // A hash collision is not a duplicate: compare for real.
            for (std::size_t j = 0; j < i; ++j) {
                if (vector[j].labels == vector[i].labels)
                    return true;
            }
        }
    }
    return false;
}

model::Labels labelsOf(const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::vector<model::Label> list;
    for (const auto& [name, value] : pairs)
        list.push_back({name, value});
    return model::Labels::fromUnsorted(std::move(list));
}

// Unix seconds of a millisecond timestamp, rounded down as Go's Time.Unix().
double unixSeconds(model::Timestamp t) {
    return static_cast<double>(t >= 0 ? t / 1000 : -((-t + 999) / 1000));
}

}  // namespace

const char* ruleHealthName(RuleHealth health) {
    switch (health) {
        case RuleHealth::kOk:
            return "ok";
        case RuleHealth::kBad:
            return "err";
        case RuleHealth::kUnknown:
            break;
    }
    return "unknown";
}

const char* alertStateName(AlertState state) {
    switch (state) {
        case AlertState::kPending:
            return "pending";
        case AlertState::kFiring:
            return "firing";
        case AlertState::kInactive:
            break;
    }
    return "inactive";
}

bool ActiveAlert::needsSending(model::Timestamp ts, std::int64_t resendDelayMs) const {
    if (state == AlertState::kPending)
        return false;
    // An alert resolved since it was last sent is sent once more.
    if (resolvedAt != kNever && (lastSentAt == kNever || resolvedAt > lastSentAt))
        return true;
    if (lastSentAt == kNever)
        return true;
    return lastSentAt + resendDelayMs < ts;
}

void Rule::setHealth(RuleHealth health, std::string lastError) {
    std::lock_guard lock(m_mutex);
    m_health = health;
    m_lastError = std::move(lastError);
}

RuleHealth Rule::health() const {
    std::lock_guard lock(m_mutex);
    return m_health;
}

std::string Rule::lastError() const {
    std::lock_guard lock(m_mutex);
    return m_lastError;
}

void Rule::setEvaluation(model::Timestamp ts, std::chrono::nanoseconds duration) {
    m_lastEvaluation.store(ts);
    m_evalDurationNs.store(duration.count());
}

RecordingRule::RecordingRule(RuleSpec spec)
    : Rule(std::move(spec)), m_ruleLabels(labelsOf(this->spec().labels)) {}

Result<promql::Vector> RecordingRule::eval(model::Timestamp ts, const RuleEnv& env,
                                           std::int64_t limit) {
    auto result = env.query(&spec(), spec().expr, ts);
    if (!result) {
        setHealth(RuleHealth::kBad, result.status().message());
        return result.status();
    }
    promql::Vector vector = std::move(result.value());
    model::LabelsBuilder builder;
    for (auto& sample : vector) {
        builder.reset(sample.labels);
        builder.set(model::kMetricName, name());
        for (const auto& label : m_ruleLabels)
            builder.set(label.name, label.value);
        sample.labels = builder.labels();
        sample.t = ts;
    }
    if (containsSameLabelset(vector)) {
        Status st = Status::error(
            "vector contains metrics with the same labelset after applying rule labels");
        setHealth(RuleHealth::kBad, st.message());
        return st;
    }
    if (limit > 0 && static_cast<std::int64_t>(vector.size()) > limit) {
        Status st = Status::error("exceeded limit of " + std::to_string(limit) + " with " +
                                  std::to_string(vector.size()) + " series");
        setHealth(RuleHealth::kBad, st.message());
        return st;
    }
    setHealth(RuleHealth::kOk, {});
    return vector;
}

AlertingRule::AlertingRule(RuleSpec spec)
    : Rule(std::move(spec)), m_ruleLabels(labelsOf(this->spec().labels)) {}

model::Labels AlertingRule::forStateLabels(const ActiveAlert& alert) const {
    model::LabelsBuilder builder(alert.labels);
    builder.set(model::kMetricName, kAlertForStateMetricName);
    return builder.labels();
}

Result<promql::Vector> AlertingRule::eval(model::Timestamp ts, const RuleEnv& env,
                                          std::int64_t limit) {
    auto result = env.query(&spec(), spec().expr, ts);
    if (!result) {
        setHealth(RuleHealth::kBad, result.status().message());
        return result.status();
    }

    TemplateQuery templateQuery =
        [&env](std::string_view q, model::Timestamp t) -> Result<std::vector<TemplateSample>> {
        auto r = env.query(nullptr, q, t);
        if (!r)
            return r.status();
        std::vector<TemplateSample> out;
        out.reserve(r->size());
        for (auto& s : *r)
            out.push_back({std::move(s.labels), s.v});
        return out;
    };

    // The alerts the query produced, by labels hash.
    std::unordered_map<std::uint64_t, ActiveAlert> current;
    current.reserve(result->size());
    model::LabelsBuilder builder;
    for (const auto& sample : *result) {
        AlertTemplateInput input;
        input.ruleName = name();
        input.labels = &sample.labels;
        input.externalLabels = &env.externalLabels;
        input.externalUrl = env.externalUrl;
        input.value = sample.v;
        input.evalTime = ts;
        input.query = &templateQuery;

        builder.reset(sample.labels);
        builder.del(model::kMetricName);
        for (const auto& label : m_ruleLabels)
            builder.set(label.name, expandAlertTemplate(label.value, input));
        builder.set(kAlertNameLabel, name());
        model::Labels labels = builder.labels();

        std::vector<model::Label> annotations;
        annotations.reserve(spec().annotations.size());
        for (const auto& [key, text] : spec().annotations)
            annotations.push_back({key, expandAlertTemplate(text, input)});

        const std::uint64_t h = labels.hash();
        if (current.count(h) != 0) {
            Status st = Status::error(
                "vector contains metrics with the same labelset after applying alert labels");
            setHealth(RuleHealth::kBad, st.message());
            return st;
        }
        ActiveAlert alert;
        alert.labels = std::move(labels);
        alert.annotations = model::Labels::fromUnsorted(std::move(annotations));
        alert.activeAt = ts;
        alert.state = AlertState::kPending;
        alert.value = sample.v;
        current.emplace(h, std::move(alert));
    }

    promql::Vector out;
    std::int64_t numActivePending = 0;
    {
        std::lock_guard lock(m_mutex);
        for (auto& [h, alert] : current) {
            auto it = m_active.find(h);
            if (it != m_active.end() && it->second.state != AlertState::kInactive) {
                it->second.value = alert.value;
                it->second.annotations = alert.annotations;
                continue;
            }
            m_active[h] = std::move(alert);
        }

        const std::int64_t hold = spec().holdDuration.count();
        const std::int64_t keepFor = spec().keepFiringFor.count();
        for (auto it = m_active.begin(); it != m_active.end();) {
            ActiveAlert& a = it->second;
            if (current.count(it->first) == 0) {
                bool keepFiring = false;
                if (a.state == AlertState::kFiring && keepFor > 0) {
                    if (a.keepFiringSince == kNever)
                        a.keepFiringSince = ts;
                    if (ts - a.keepFiringSince < keepFor)
                        keepFiring = true;
                }
                // A pending alert is forgotten at once; a resolved one is kept
                // for resending until the retention ends.
                if (a.state == AlertState::kPending ||
                    (a.resolvedAt != kNever && ts - a.resolvedAt > kResolvedRetentionMs)) {
                    it = m_active.erase(it);
                    continue;
                }
                if (a.state != AlertState::kInactive && !keepFiring) {
                    a.state = AlertState::kInactive;
                    a.resolvedAt = ts;
                }
                if (!keepFiring) {
                    ++it;
                    continue;
                }
            } else {
                a.keepFiringSince = kNever;
            }
            ++numActivePending;
            if (a.state == AlertState::kPending && ts - a.activeAt >= hold) {
                a.state = AlertState::kFiring;
                a.firedAt = ts;
            }
            if (m_restored.load()) {
                builder.reset(a.labels);
                builder.set(model::kMetricName, kAlertMetricName);
                builder.set(kAlertStateLabel, alertStateName(a.state));
                out.push_back({builder.labels(), ts, 1.0});
                out.push_back({forStateLabels(a), ts, unixSeconds(a.activeAt)});
            }
            ++it;
        }
        if (limit > 0 && numActivePending > limit) {
            m_active.clear();
        }
    }
    if (limit > 0 && numActivePending > limit) {
        Status st = Status::error("exceeded limit of " + std::to_string(limit) + " with " +
                                  std::to_string(numActivePending) + " alerts");
        setHealth(RuleHealth::kBad, st.message());
        return st;
    }
    setHealth(RuleHealth::kOk, {});
    return out;
}

std::vector<model::Alert> AlertingRule::alertsToSend(model::Timestamp ts,
                                                     std::int64_t resendDelayMs,
                                                     std::int64_t intervalMs, const RuleEnv& env) {
    std::vector<model::Alert> out;
    std::lock_guard lock(m_mutex);
    for (auto& [h, a] : m_active) {
        (void)h;
        if (!a.needsSending(ts, resendDelayMs))
            continue;
        a.lastSentAt = ts;
        // Allow for two evaluation or Alertmanager send failures.
        const std::int64_t delta = std::max(resendDelayMs, intervalMs);
        a.validUntil = ts + 4 * delta;
        model::Alert alert;
        model::LabelsBuilder builder(a.labels);
        for (const auto& label : env.externalLabels) {
            if (a.labels.get(label.name).empty())
                builder.set(label.name, label.value);
        }
        alert.labels = builder.labels();
        alert.annotations = a.annotations;
        alert.startsAtMs = a.firedAt;
        alert.endsAtMs = a.resolvedAt != kNever ? a.resolvedAt : a.validUntil;
        alert.generatorUrl = env.externalUrl + tableLinkForExpression(spec().expr);
        out.push_back(std::move(alert));
    }
    return out;
}

std::vector<ActiveAlert> AlertingRule::activeAlerts() const {
    std::vector<ActiveAlert> out;
    std::lock_guard lock(m_mutex);
    for (const auto& [h, a] : m_active) {
        (void)h;
        if (a.state != AlertState::kInactive)
            out.push_back(a);
    }
    return out;
}

std::vector<ActiveAlert> AlertingRule::allAlerts() const {
    std::vector<ActiveAlert> out;
    std::lock_guard lock(m_mutex);
    for (const auto& [h, a] : m_active) {
        (void)h;
        out.push_back(a);
    }
    return out;
}

void AlertingRule::withAlerts(
    const std::function<void(std::unordered_map<std::uint64_t, ActiveAlert>&)>& fn) {
    std::lock_guard lock(m_mutex);
    fn(m_active);
}

AlertState AlertingRule::state() const {
    AlertState max = AlertState::kInactive;
    std::lock_guard lock(m_mutex);
    for (const auto& [h, a] : m_active) {
        (void)h;
        if (a.state > max)
            max = a.state;
    }
    return max;
}

std::string tableLinkForExpression(std::string_view expr) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out = "/graph?g0.expr=";
    for (unsigned char c : expr) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    out += "&g0.tab=1";
    return out;
}

}  // namespace vigil::rules
