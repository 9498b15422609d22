#pragma once

#include <string>

#include "core/util/status.h"

namespace vigil::config {

// The commented default vigil.yml shipped in resources/ (compiled in).
std::string defaultConfigText();

// Writes the default config to `path`, creating its directory; used on first
// run when no --config is given and the XDG config file does not exist yet.
// Never overwrites an existing file.
Status writeDefaultConfig(const std::string& path);

}  // namespace vigil::config
