#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/model/alert.h"
#include "core/model/labels.h"
#include "core/model/matcher.h"
#include "core/notify/alertmanager_config.h"

namespace vigil::notify {

// Alertmanager's inhibition (inhibit/inhibit.go), indexed: for every rule the
// alerts that match its source side are kept in buckets keyed by the hash of
// their `equal` label values, so deciding whether a target is inhibited looks
// at the one bucket with the target's values instead of every source alert.
//
// A target is inhibited when some rule's target matchers match it and a
// currently firing alert that matches the rule's source matchers has the
// same values (missing == empty) for every `equal` label. If the target
// matches both sides of a rule, sources that also match both sides are
// ignored for that rule (Alertmanager's self-inhibition guard).
//
// Not thread-safe: owned by the dispatcher, used under its lock.
class Inhibitor {
public:
    explicit Inhibitor(const std::vector<InhibitRuleConfig>& rules);

    // Called for every new or updated alert in the store (labels never change
    // for a fingerprint), and when the store drops it.
    void add(std::uint64_t fingerprint, const model::Alert* alert);
    void remove(std::uint64_t fingerprint, const model::Labels& labels);

    bool inhibited(const model::Labels& target, model::Timestamp nowMs) const;

    std::size_t ruleCount() const { return m_rules.size(); }

private:
    struct Source {
        const model::Alert* alert;  // owned by the dispatcher's alert store
        bool matchesTarget;
    };
    // fingerprint -> source, so that updates stay O(1) even when a rule
    // without `equal` puts every source in one bucket.
    using Bucket = std::unordered_map<std::uint64_t, Source>;
    struct Rule {
        std::vector<model::Matcher> source;
        std::vector<model::Matcher> target;
        std::vector<std::string> equal;
        std::unordered_map<std::uint64_t, Bucket> buckets;
    };
    static std::uint64_t equalHash(const Rule& rule, const model::Labels& labels);

    std::vector<Rule> m_rules;
};

}  // namespace vigil::notify
