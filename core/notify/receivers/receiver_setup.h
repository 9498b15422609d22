#pragma once

#include <memory>
#include <string>

#include "core/notify/alertmanager_config.h"
#include "core/notify/notifier.h"
#include "core/notify/receivers/desktop_notifications.h"
#include "core/notify/receivers/notify_history.h"
#include "core/notify/receivers/transport.h"
#include "core/util/status.h"

namespace vigil::notify::receivers {

// Everything the engine needs to deliver notifications, built in one call:
//   auto receivers = makeReceivers(config, configPath, dataDir + "/state.db", externalUrl);
//   notifyOptions.notifierFactory = receivers->factory;
// and keep `receivers` (history for the notification history view, desktop
// hub for the GUI's notifier) for the engine's life.
struct Receivers {
    NotifierFactory factory;
    std::shared_ptr<Transport> transport;
    std::shared_ptr<NotifyHistory> history;
    std::shared_ptr<DesktopNotificationHub> desktop;
};

// `configPath`: alertmanager.yml (its directory anchors relative
// `templates:` globs; its name prefixes error positions). `stateDbPath`:
// empty for a history without SQLite; otherwise the history opens its own
// connection to it (table notify_history). Errors: template files that do
// not load, a database that does not open.
Result<Receivers> makeReceivers(const AlertmanagerConfig& config, const std::string& configPath,
                                const std::string& stateDbPath, const std::string& externalUrl);

}  // namespace vigil::notify::receivers
