#include "core/rules/group.h"

#include <chrono>
#include <map>

#include "core/model/matcher.h"

namespace vigil::rules {

namespace {

const char* appendErrorMessage(model::AppendError error) {
    switch (error) {
        case model::AppendError::kOutOfOrder:
            return "out of order sample";
        case model::AppendError::kDuplicate:
            return "duplicate sample for timestamp";
        case model::AppendError::kOutOfBounds:
            return "out of bounds";
        case model::AppendError::kTooOld:
            return "too old sample";
        case model::AppendError::kNone:
            break;
    }
    return "";
}

// Prometheus matches rules across a reload by name and labels.
std::string nameAndLabels(const Rule& rule) {
    std::string key = rule.alerting() ? "alert:" : "record:";
    key += rule.name();
    for (const auto& [name, value] : rule.spec().labels) {
        key += '\xff';
        key += name;
        key += '=';
        key += value;
    }
    return key;
}

}  // namespace

Group::Group(GroupSpec spec, GroupOptions options)
    : m_spec(std::move(spec)),
      m_options(std::move(options)),
      m_intervalMs(m_spec.interval.count() > 0 ? m_spec.interval.count()
                                               : m_options.defaultIntervalMs) {
    for (const auto& rule : m_spec.rules) {
        if (rule.alerting)
            m_rules.push_back(std::make_unique<AlertingRule>(rule));
        else
            m_rules.push_back(std::make_unique<RecordingRule>(rule));
    }
    m_seriesInPreviousEval.resize(m_rules.size());
}

model::Timestamp Group::evalTimestamp(model::Timestamp now) const {
    const model::Labels keyLabels{{"file", m_spec.file}, {"name", m_spec.name}};
    const std::int64_t offset =
        static_cast<std::int64_t>(keyLabels.hash() % static_cast<std::uint64_t>(m_intervalMs));
    const std::int64_t adjusted = now - offset;
    std::int64_t base = adjusted - (adjusted % m_intervalMs);
    if (adjusted < 0 && adjusted % m_intervalMs != 0)
        base -= m_intervalMs;
    return base + offset;
}

void Group::eval(model::Timestamp ts) {
    const auto started = std::chrono::steady_clock::now();
    // Rules evaluate `query_offset` in the past, as newer Prometheus does.
    const model::Timestamp queryTs = ts - m_spec.queryOffset.count();
    for (std::size_t i = 0; i < m_rules.size(); ++i) {
        Rule& rule = *m_rules[i];
        const auto ruleStarted = std::chrono::steady_clock::now();
        auto vector = rule.eval(queryTs, m_options.env, m_spec.limit);
        rule.setEvaluation(ts, std::chrono::steady_clock::now() - ruleStarted);
        if (!vector) {
            // The rule keeps its previous series (no stale markers), as
            // Prometheus does when a query fails.
            continue;
        }
        if (rule.alerting() && m_options.notify) {
            auto alerts = static_cast<AlertingRule&>(rule).alertsToSend(
                ts, m_options.resendDelayMs, m_intervalMs, m_options.env);
            if (!alerts.empty())
                m_options.notify(std::move(alerts));
        } else if (rule.alerting()) {
            // No receiver: keep the send bookkeeping so a receiver attached
            // later sees the same resend schedule.
            static_cast<AlertingRule&>(rule).alertsToSend(ts, m_options.resendDelayMs, m_intervalMs,
                                                          m_options.env);
        }

        auto appender = m_options.storage->appender();
        SeriesMap returned;
        returned.reserve(vector->size());
        std::string appendError;
        for (const auto& sample : *vector) {
            model::AppendError err = appender->append(sample.labels, queryTs, sample.v);
            if (err != model::AppendError::kNone) {
                appendError = appendErrorMessage(err);
                continue;
            }
            returned.emplace(sample.labels.hash(), sample.labels);
        }
        for (const auto& [hash, labels] : m_seriesInPreviousEval[i]) {
            if (returned.count(hash) == 0)
                appender->append(labels, ts, model::staleNaN());  // refusals are harmless here
        }
        Status committed = appender->commit();
        if (!appendError.empty())
            rule.setHealth(RuleHealth::kBad, appendError);
        else if (!committed.isOk())
            rule.setHealth(RuleHealth::kBad, committed.message());
        m_seriesInPreviousEval[i] = std::move(returned);
    }
    if (!m_staleSeries.empty()) {
        auto appender = m_options.storage->appender();
        for (const auto& labels : m_staleSeries)
            appender->append(labels, ts, model::staleNaN());
        (void)appender->commit();
        m_staleSeries.clear();
    }
    m_lastEvaluation.store(ts);
    m_lastDurationNs.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now() - started)
                               .count());
    m_iterations.fetch_add(1);
}

void Group::restoreForState(model::Timestamp ts,
                            const std::function<bool(std::size_t, std::uint64_t)>& skip) {
    const model::Timestamp mint = ts - m_options.outageToleranceMs;
    auto querier = m_options.storage->querier(mint, ts);
    for (std::size_t ruleIndex = 0; ruleIndex < m_rules.size(); ++ruleIndex) {
        auto& rulePtr = m_rules[ruleIndex];
        if (!rulePtr->alerting())
            continue;
        auto& rule = static_cast<AlertingRule&>(*rulePtr);
        const std::int64_t hold = rule.spec().holdDuration.count();
        if (hold < m_options.forGracePeriodMs) {
            // Waiting for the grace period would delay it beyond its own `for`.
            rule.setRestored(true);
            continue;
        }
        rule.withAlerts([&](std::unordered_map<std::uint64_t, ActiveAlert>& alerts) {
            for (auto& [h, alert] : alerts) {
                if (skip && skip(ruleIndex, h))
                    continue;
                const model::Labels series = rule.forStateLabels(alert);
                std::vector<model::Matcher> matchers;
                for (const auto& label : series) {
                    auto m =
                        model::Matcher::make(model::MatchType::kEqual, label.name, label.value);
                    if (m)
                        matchers.push_back(std::move(m.value()));
                }
                auto set = querier->select(matchers);
                if (!set)
                    continue;
                bool found = false;
                std::unique_ptr<model::SampleIterator> it;
                while ((*set)->next()) {
                    if ((*set)->labels().size() == series.size()) {
                        it = (*set)->iterator();
                        found = true;
                        break;
                    }
                }
                if (!found)
                    continue;
                model::Timestamp t = 0;
                double v = 0;
                bool any = false;
                while (it->next()) {
                    t = it->at().t;
                    v = it->at().v;
                    any = true;
                }
                if (!any || !it->status().isOk() || model::isStaleNaN(v))
                    continue;  // the alert was not active
                alert.activeAt =
                    restoredActiveAt(static_cast<std::int64_t>(v) * 1000, (t / 1000) * 1000, ts,
                                     hold, m_options.forGracePeriodMs);
            }
        });
        rule.setRestored(true);
    }
}

void Group::copyState(Group& old) {
    m_lastEvaluation.store(old.m_lastEvaluation.load());
    m_lastDurationNs.store(old.m_lastDurationNs.load());
    std::map<std::string, std::vector<std::size_t>> ruleMap;
    for (std::size_t i = 0; i < old.m_rules.size(); ++i)
        ruleMap[nameAndLabels(*old.m_rules[i])].push_back(i);
    for (std::size_t i = 0; i < m_rules.size(); ++i) {
        auto& indexes = ruleMap[nameAndLabels(*m_rules[i])];
        if (indexes.empty())
            continue;
        const std::size_t from = indexes.front();
        indexes.erase(indexes.begin());
        m_seriesInPreviousEval[i] = old.m_seriesInPreviousEval[from];
        if (m_rules[i]->alerting() && old.m_rules[from]->alerting()) {
            auto& fromRule = static_cast<AlertingRule&>(*old.m_rules[from]);
            auto& toRule = static_cast<AlertingRule&>(*m_rules[i]);
            std::unordered_map<std::uint64_t, ActiveAlert> copied;
            fromRule.withAlerts([&](auto& alerts) { copied = alerts; });
            toRule.withAlerts([&](auto& alerts) {
                for (auto& [h, a] : copied)
                    alerts[h] = a;
            });
            toRule.setRestored(fromRule.restored());
        }
    }
    m_staleSeries = old.m_staleSeries;
    for (std::size_t i = 0; i < old.m_rules.size(); ++i) {
        if (!ruleMap[nameAndLabels(*old.m_rules[i])].empty()) {
            for (const auto& [hash, labels] : old.m_seriesInPreviousEval[i]) {
                (void)hash;
                m_staleSeries.push_back(labels);
            }
        }
    }
}

void Group::markStale(model::Timestamp ts) {
    auto appender = m_options.storage->appender();
    for (auto& series : m_seriesInPreviousEval) {
        for (const auto& [hash, labels] : series) {
            (void)hash;
            appender->append(labels, ts, model::staleNaN());
        }
        series.clear();
    }
    for (const auto& labels : m_staleSeries)
        appender->append(labels, ts, model::staleNaN());
    m_staleSeries.clear();
    (void)appender->commit();
}

model::Timestamp restoredActiveAt(model::Timestamp activeAt, model::Timestamp downAt,
                                  model::Timestamp now, std::int64_t holdMs,
                                  std::int64_t gracePeriodMs) {
    const std::int64_t timeSpentPending = downAt - activeAt;
    const std::int64_t timeRemainingPending = holdMs - timeSpentPending;
    if (timeRemainingPending <= 0)
        return activeAt;  // it was firing; the next evaluation fires it again if it holds
    if (timeRemainingPending < gracePeriodMs)
        return now + gracePeriodMs - holdMs;
    return activeAt + (now - downAt);  // the outage does not count
}

QueryFunc makeEngineQueryFunc(promql::Engine& engine, model::Storage& storage) {
    return [&engine, &storage](const RuleSpec* rule, std::string_view text,
                               model::Timestamp t) -> Result<promql::Vector> {
        const promql::Expr* expr = rule ? rule->parsed.get() : nullptr;
        auto querier = storage.querier(model::kMinTimestamp, t);
        promql::QueryResult result =
            expr ? engine.instantQuery(*querier, *expr, t) : engine.instantQuery(*querier, text, t);
        if (!result.status.isOk())
            return result.status;
        switch (result.value.type) {
            case promql::ValueType::kVector:
                return std::move(result.value.vector);
            case promql::ValueType::kScalar:
                return promql::Vector{
                    {model::Labels(), result.value.scalar.t, result.value.scalar.v}};
            default:
                return Status::error("rule result is not a vector or scalar");
        }
    };
}

}  // namespace vigil::rules
