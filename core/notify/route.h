#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/model/labels.h"
#include "core/model/matcher.h"
#include "core/notify/alertmanager_config.h"

namespace vigil::notify {

// A route's effective options after inheritance from its parents.
struct RouteOptions {
    std::string receiver;
    std::vector<std::string> groupBy;  // sorted
    bool groupByAll = false;
    std::chrono::milliseconds groupWait{30 * 1000};
    std::chrono::milliseconds groupInterval{5 * 60 * 1000};
    std::chrono::milliseconds repeatInterval{4 * 3600 * 1000};
};

// The routing tree as Alertmanager 0.25 builds and walks it (dispatch/route.go).
// Immutable after build(); thread-safe to share.
class Route {
public:
    static std::unique_ptr<Route> build(const RouteConfig& root);

    // The routes an alert with `labels` goes to, depth-first, left to right:
    // a matching node tries its children in order, stops after the first
    // matching child unless that child has `continue`, and is itself the
    // result when no child matched.
    std::vector<const Route*> match(const model::Labels& labels) const;

    // "{}" for the root, then "/" + the matchers' canonical text per level.
    const std::string& key() const { return m_key; }
    const RouteOptions& options() const { return m_options; }
    const std::vector<model::Matcher>& matchers() const { return m_matchers; }
    bool continueMatching() const { return m_continue; }
    const std::vector<std::string>& muteTimeIntervals() const { return m_muteTimeIntervals; }
    const std::vector<std::string>& activeTimeIntervals() const { return m_activeTimeIntervals; }
    const Route* parent() const { return m_parent; }
    const std::vector<std::unique_ptr<Route>>& children() const { return m_children; }

    // The group labels of an alert on this route: its labels restricted to
    // group_by (all of them with '...').
    model::Labels groupLabels(const model::Labels& alertLabels) const;

    // amtool's "Routing tree:" rendering, and the "Matching routes:" tree of
    // `routes test --tree` for the given matches.
    std::string treeText() const;
    static std::string matchingTreeText(const Route& root,
                                        const std::vector<const Route*>& matches);

private:
    Route() = default;
    static std::unique_ptr<Route> build(const RouteConfig& config, const Route* parent);
    void matchInto(const model::Labels& labels, std::vector<const Route*>& out) const;
    std::string label(bool withDetails) const;

    const Route* m_parent = nullptr;
    std::string m_key;
    RouteOptions m_options;
    std::vector<model::Matcher> m_matchers;
    bool m_continue = false;
    std::vector<std::string> m_muteTimeIntervals;
    std::vector<std::string> m_activeTimeIntervals;
    std::vector<std::unique_ptr<Route>> m_children;
};

}  // namespace vigil::notify
