#include "core/notify/inhibitor.h"

#include <algorithm>

namespace vigil::notify {

Inhibitor::Inhibitor(const std::vector<InhibitRuleConfig>& rules) {
    m_rules.reserve(rules.size());
    for (const InhibitRuleConfig& config : rules)
        m_rules.push_back(Rule{config.sourceMatchers, config.targetMatchers, config.equal, {}});
}

std::uint64_t Inhibitor::equalHash(const Rule& rule, const model::Labels& labels) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const std::string& name : rule.equal) {
        h = model::hashBytes(labels.get(name), h);
        h = model::hashBytes("\xff", h);
    }
    return h;
}

void Inhibitor::add(std::uint64_t fingerprint, const model::Alert* alert) {
    for (Rule& rule : m_rules) {
        if (!model::matchesAll(rule.source, alert->labels))
            continue;
        rule.buckets[equalHash(rule, alert->labels)][fingerprint] =
            Source{alert, model::matchesAll(rule.target, alert->labels)};
    }
}

void Inhibitor::remove(std::uint64_t fingerprint, const model::Labels& labels) {
    for (Rule& rule : m_rules) {
        if (!model::matchesAll(rule.source, labels))
            continue;
        auto bucketIt = rule.buckets.find(equalHash(rule, labels));
        if (bucketIt == rule.buckets.end())
            continue;
        bucketIt->second.erase(fingerprint);
        if (bucketIt->second.empty())
            rule.buckets.erase(bucketIt);
    }
}

bool Inhibitor::inhibited(const model::Labels& target, model::Timestamp nowMs) const {
    for (const Rule& rule : m_rules) {
        if (!model::matchesAll(rule.target, target))
            continue;
        auto bucketIt = rule.buckets.find(equalHash(rule, target));
        if (bucketIt == rule.buckets.end())
            continue;
        const bool targetIsSource = model::matchesAll(rule.source, target);
        for (const auto& [fingerprint, source] : bucketIt->second) {
            if (targetIsSource && source.matchesTarget)
                continue;
            if (!source.alert->firingAt(nowMs))
                continue;
            bool equal = true;  // guard against hash collisions
            for (const std::string& name : rule.equal)
                equal = equal && source.alert->labels.get(name) == target.get(name);
            if (equal)
                return true;
        }
    }
    return false;
}

}  // namespace vigil::notify
