#pragma once

#include <QString>
#include <string>
#include <vector>

#include "core/engine/app_paths.h"
#include "core/engine/engine.h"
#include "core/util/status.h"

namespace vigil::engine {

struct LoadedEngineOptions {
    EngineOptions options;
    std::vector<std::string> warnings;  // to log: fields accepted but not acted on
    bool wroteDefaultConfig = false;    // first run: the commented default was written
};

// Everything between the command line and Engine::start(): writes the default
// vigil.yml on first run (only at the XDG location, never for an explicit
// --config), loads and validates the config, and applies --listen.
Result<LoadedEngineOptions> loadEngineOptions(const AppPaths& paths, const QString& listenOverride);

}  // namespace vigil::engine
