#pragma once

#include <functional>
#include <string>

#include "core/rules/rule_manager.h"

namespace httplib {
class Server;
}

// Loki's ruler API for the log rule groups (logs.rule_files), as Grafana's
// Loki data source and lokitool read it:
//   GET /loki/api/v1/rules                       every log rule group, YAML by namespace
//   GET /loki/api/v1/rules/{namespace}           the groups of one namespace
//   GET /loki/api/v1/rules/{namespace}/{group}   one group
//   GET /prometheus/api/v1/rules, /alerts        Prometheus's JSON, log rules only
// A namespace is a rule file's base name (Loki's local rule storage names
// namespaces after their files). Groups not found answer 404 with Loki's
// "no rule groups found". Prometheus's own /api/v1/rules lists both kinds.
namespace vigil::rules {

class RulesService;

// The groups of `snapshot` in `language` only.
RulesSnapshot filterSnapshot(const RulesSnapshot& snapshot, RuleLanguage language);

// Loki's YAML: `namespace: [group, ...]`, each group in rule-file syntax.
// `ns` / `group` restrict the output when non-empty. Returns an empty string
// when nothing matches.
std::string renderLokiRulesYaml(const RulesSnapshot& snapshot, const std::string& ns = {},
                                const std::string& group = {});

// `service` returns the running rules service or null (no rules).
void installLokiRulesApi(httplib::Server& server, std::function<RulesService*()> service);

}  // namespace vigil::rules
