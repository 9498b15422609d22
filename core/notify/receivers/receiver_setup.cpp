#include "core/notify/receivers/receiver_setup.h"

#include "core/notify/receivers/go_templates.h"
#include "core/notify/receivers/receiver_notifiers.h"
#include "core/state/database.h"

namespace vigil::notify::receivers {

Result<Receivers> makeReceivers(const AlertmanagerConfig& config, const std::string& configPath,
                                const std::string& stateDbPath, const std::string& externalUrl) {
    const auto slash = configPath.rfind('/');
    const std::string configDir = slash == std::string::npos ? "." : configPath.substr(0, slash);
    auto templates = GoTemplates::loadGlobs(config.templates, configDir);
    if (!templates.isOk())
        return Status::error(configPath + ": " + templates.status().message());
    Receivers r;
    r.transport = std::make_shared<Transport>();
    r.history = std::make_shared<NotifyHistory>();
    r.desktop = std::make_shared<DesktopNotificationHub>();
    if (!stateDbPath.empty()) {
        auto db = state::Database::open(stateDbPath);
        if (!db.isOk())
            return db.status();
        if (Status st = r.history->attachDatabase(std::move(db.value())); !st.isOk())
            return st;
    }
    ReceiverEnvironment env;
    env.externalUrl = externalUrl;
    env.templates = templates.value();
    env.transport = r.transport;
    env.history = r.history;
    env.desktop = r.desktop;
    r.factory = makeNotifierFactory(config, configPath, env);
    return r;
}

}  // namespace vigil::notify::receivers
