#pragma once

#include <functional>
#include <string>

namespace httplib {
class Server;
}

namespace vigil::rules {

struct RulesSnapshot;
class RulesService;

// Prometheus's GET /api/v1/rules (with ?type=alert|record) and
// GET /api/v1/alerts, in Prometheus 2.42's JSON shape.
std::string renderRulesJson(const RulesSnapshot& snapshot, const std::string& type);
std::string renderAlertsJson(const RulesSnapshot& snapshot);

// Installs both routes; `service` returns the running rules service or null
// (then the answers are empty, as Prometheus with no rule files).
void installRulesApi(httplib::Server& server, std::function<RulesService*()> service);

}  // namespace vigil::rules
