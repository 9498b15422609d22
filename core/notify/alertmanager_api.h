#pragma once

#include <string>

#include "core/model/sample.h"
#include "core/util/status.h"

namespace httplib {
class Server;
}

namespace vigil::notify {

class NotifyService;

// The subset of Alertmanager's API v2 that clients (Prometheus, amtool,
// Grafana, kthxbye) use, served on Vigil's listener:
//   POST /api/v2/alerts              PostableAlerts -> the dispatcher
//   GET  /api/v2/alerts              GettableAlerts (firing alerts, with status)
//   GET  /api/v2/alerts/groups       AlertGroups
//   GET  /api/v2/silences            GettableSilences
//   POST /api/v2/silences            PostableSilence -> {"silenceID": ...}
//   GET|DELETE /api/v2/silence/{id}
// JSON shapes as Alertmanager 0.25 (api/v2/openapi.yaml). Answers 503 while
// the service has not started.
void installAlertmanagerApi(httplib::Server& server, NotifyService& service);

// RFC 3339 with optional fraction, e.g. 2023-11-14T22:13:20.5Z or
// 2023-11-14T23:13:20+01:00; the Go zero time and "" give 0.
Result<model::Timestamp> parseRfc3339(const std::string& text);
// RFC 3339 in UTC with milliseconds (Alertmanager's strfmt.DateTime).
std::string formatRfc3339(model::Timestamp ms);

}  // namespace vigil::notify
