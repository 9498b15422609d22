#include "core/notify/route.h"

#include <algorithm>
#include <functional>
#include <set>

#include "core/notify/am_matchers.h"

namespace vigil::notify {

std::unique_ptr<Route> Route::build(const RouteConfig& root) {
    return build(root, nullptr);
}

std::unique_ptr<Route> Route::build(const RouteConfig& config, const Route* parent) {
    std::unique_ptr<Route> route(new Route());
    route->m_parent = parent;
    if (parent)
        route->m_options = parent->m_options;
    if (!config.receiver.empty())
        route->m_options.receiver = config.receiver;
    if (config.groupByAll) {
        route->m_options.groupByAll = true;
        route->m_options.groupBy.clear();
    } else if (config.groupBy) {
        route->m_options.groupByAll = false;
        route->m_options.groupBy = *config.groupBy;
        std::sort(route->m_options.groupBy.begin(), route->m_options.groupBy.end());
    }
    if (config.groupWait)
        route->m_options.groupWait = *config.groupWait;
    if (config.groupInterval)
        route->m_options.groupInterval = *config.groupInterval;
    if (config.repeatInterval)
        route->m_options.repeatInterval = *config.repeatInterval;
    route->m_matchers = config.matchers;
    route->m_continue = config.continueMatching;
    // Time intervals apply to the route that names them only.
    route->m_muteTimeIntervals = config.muteTimeIntervals;
    route->m_activeTimeIntervals = config.activeTimeIntervals;
    route->m_key = parent ? parent->m_key + "/" + amMatchersText(route->m_matchers) : "{}";
    for (const auto& child : config.routes)
        route->m_children.push_back(build(child, route.get()));
    return route;
}

std::vector<const Route*> Route::match(const model::Labels& labels) const {
    std::vector<const Route*> out;
    matchInto(labels, out);
    return out;
}

void Route::matchInto(const model::Labels& labels, std::vector<const Route*>& out) const {
    if (!model::matchesAll(m_matchers, labels))
        return;
    const std::size_t before = out.size();
    for (const auto& child : m_children) {
        const std::size_t childBefore = out.size();
        child->matchInto(labels, out);
        if (out.size() != childBefore && !child->m_continue)
            break;
    }
    if (out.size() == before)
        out.push_back(this);
}

model::Labels Route::groupLabels(const model::Labels& alertLabels) const {
    if (m_options.groupByAll)
        return alertLabels;
    return alertLabels.keepOnly(m_options.groupBy);
}

std::string Route::label(bool withDetails) const {
    // amtool names every route without matchers "default-route".
    std::string text = m_matchers.empty() ? "default-route" : amMatchersText(m_matchers);
    if (withDetails) {
        if (m_continue)
            text += "  continue: true";
        text += "  receiver: " + m_options.receiver;
    }
    return text;
}

namespace {

// Draws `children` of a node with amtool's box characters.
template <typename Children, typename Label>
void drawTree(std::string& out, const Route& node, const std::string& prefix, Children children,
              Label label) {
    const auto kids = children(node);
    for (std::size_t i = 0; i < kids.size(); ++i) {
        const bool last = i + 1 == kids.size();
        out += prefix + (last ? "└── " : "├── ") + label(*kids[i]) + "\n";
        // treeprint (which amtool uses) pads the vertical edge with two
        // no-break spaces.
        drawTree(out, *kids[i], prefix + (last ? "    " : "│\u00a0\u00a0 "), children, label);
    }
}

}  // namespace

std::string Route::treeText() const {
    std::string out = "Routing tree:\n.\n└── " + label(true) + "\n";
    drawTree(
        out, *this, "    ",
        [](const Route& r) {
            std::vector<const Route*> kids;
            for (const auto& c : r.m_children)
                kids.push_back(c.get());
            return kids;
        },
        [](const Route& r) { return r.label(true); });
    return out + "\n";
}

std::string Route::matchingTreeText(const Route& root, const std::vector<const Route*>& matches) {
    // Every route on the path to a match is drawn; only the matches carry
    // their receiver, as amtool shows them.
    std::set<const Route*> onPath, leaves(matches.begin(), matches.end());
    for (const Route* m : matches) {
        for (const Route* r = m; r; r = r->m_parent)
            onPath.insert(r);
    }
    auto text = [&](const Route& r) {
        std::string t = r.m_matchers.empty() ? "default-route" : amMatchersText(r.m_matchers);
        if (leaves.count(&r))
            t += "  receiver: " + r.m_options.receiver;
        return t;
    };
    std::string out = "Matching routes:\n.\n└── " + text(root) + "\n";
    drawTree(
        out, root, "    ",
        [&](const Route& r) {
            std::vector<const Route*> kids;
            for (const auto& c : r.m_children) {
                if (onPath.count(c.get()))
                    kids.push_back(c.get());
            }
            return kids;
        },
        text);
    return out + "\n";
}

}  // namespace vigil::notify
