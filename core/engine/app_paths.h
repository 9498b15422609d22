#pragma once

#include <QString>

namespace vigil::engine {

// Where Vigil keeps its files. XDG locations through QStandardPaths
// (~/.config/vigil/vigil.yml, ~/.local/share/vigil), overridden by
// --config and --data-dir.
struct AppPaths {
    QString configFile;
    QString dataDir;
    bool configIsDefault = true;  // no --config given: first run writes the default

    // REQUIRES: QCoreApplication::applicationName() is set ("vigil").
    static AppPaths resolve(const QString& configOverride, const QString& dataDirOverride);
};

}  // namespace vigil::engine
