// vigilctl routes test / routes show: Alertmanager routing, as amtool's
// `config routes test` and `config routes` print it.

#include <cstdio>

#include "app/vigilctl/command.h"
#include "core/notify/alertmanager_config.h"
#include "core/notify/am_matchers.h"
#include "core/notify/route.h"

namespace {

using vigil::notify::Route;

const vigil::ctl::Command* findCommand(const std::vector<std::string>& path) {
    for (const auto& c : vigil::ctl::commandRegistry()) {
        if (c.path == path)
            return &c;
    }
    return nullptr;
}

std::unique_ptr<Route> loadRoutes(const std::string& file, int& exitCode) {
    auto loaded = vigil::notify::loadAlertmanagerConfig(file);
    if (!loaded) {
        std::fprintf(stderr, "vigilctl: %s\n", loaded.status().message().c_str());
        exitCode = 1;
        return nullptr;
    }
    return Route::build(loaded->config.route);
}

int routesTest(const std::vector<std::string>& args) {
    const auto* self = findCommand({"routes", "test"});
    auto parsed = vigil::ctl::parseArgs(args, {"--config", "--verify.receivers"}, {"--tree"});
    if (!parsed.error.empty())
        return vigil::ctl::usageError(*self, parsed.error);
    if (!parsed.has("--config"))
        return vigil::ctl::usageError(*self, "--config is required");

    // amtool takes each label as an equality matcher, quoted values allowed.
    std::vector<vigil::model::Label> labels;
    for (const auto& arg : parsed.positional) {
        auto matcher = vigil::notify::parseAmMatcher(arg);
        if (!matcher)
            return vigil::ctl::usageError(*self, matcher.status().message());
        if (matcher->type() != vigil::model::MatchType::kEqual) {
            return vigil::ctl::usageError(*self, "labels must be name=value, not matchers: " + arg);
        }
        labels.push_back({matcher->name(), matcher->value()});
    }
    int exitCode = 0;
    auto root = loadRoutes(parsed.value("--config"), exitCode);
    if (!root)
        return exitCode;

    const auto matches = root->match(vigil::model::Labels::fromUnsorted(std::move(labels)));
    std::string receivers;
    for (const Route* route : matches) {
        if (!receivers.empty())
            receivers += ',';
        receivers += route->options().receiver;
    }
    if (parsed.has("--tree"))
        std::printf("%s\n", Route::matchingTreeText(*root, matches).c_str());

    std::printf("%s\n", receivers.c_str());
    if (parsed.has("--verify.receivers") && parsed.value("--verify.receivers") != receivers) {
        std::printf("WARNING: Expected receivers did not match resolved receivers.\n");
        return 1;
    }
    return 0;
}

int routesShow(const std::vector<std::string>& args) {
    const auto* self = findCommand({"routes", "show"});
    auto parsed = vigil::ctl::parseArgs(args, {"--config"});
    if (!parsed.error.empty())
        return vigil::ctl::usageError(*self, parsed.error);
    if (!parsed.has("--config"))
        return vigil::ctl::usageError(*self, "--config is required");
    int exitCode = 0;
    auto root = loadRoutes(parsed.value("--config"), exitCode);
    if (!root)
        return exitCode;
    std::printf("%s", root->treeText().c_str());
    return 0;
}

}  // namespace

VIGILCTL_COMMAND(
    {{"routes", "test"},
     "--config alertmanager.yml [--tree] [--verify.receivers=a,b] label=value...",
     "Print the receivers an alert with these labels is routed to (amtool config routes test).",
     routesTest});
VIGILCTL_COMMAND({{"routes", "show"},
                  "--config alertmanager.yml",
                  "Print the routing tree (amtool config routes).",
                  routesShow});
