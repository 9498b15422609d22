#include "core/engine/engine_options_loader.h"

#include <QFileInfo>

#include "core/config/default_config.h"

namespace vigil::engine {

Result<LoadedEngineOptions> loadEngineOptions(const AppPaths& paths,
                                              const QString& listenOverride) {
    LoadedEngineOptions out;
    const std::string configFile = paths.configFile.toStdString();
    if (!QFileInfo::exists(paths.configFile)) {
        if (!paths.configIsDefault) {
            return Status::error(Status::Code::kNotFound,
                                 "config file " + configFile + " does not exist");
        }
        if (Status written = config::writeDefaultConfig(configFile); !written.isOk())
            return written;
        out.wroteDefaultConfig = true;
    }

    auto loaded = config::loadVigilConfig(configFile);
    if (!loaded)
        return loaded.status();
    out.options.config = std::move(loaded->config);
    out.warnings = std::move(loaded->warnings);

    if (!listenOverride.isEmpty()) {
        auto address = config::parseListenAddress(listenOverride.toStdString());
        if (!address)
            return address.status().withContext("--listen");
        out.options.config.server.listen = *address;
    }
    out.options.dataDir = paths.dataDir;
    out.options.configFile = paths.configFile;
    return out;
}

}  // namespace vigil::engine
