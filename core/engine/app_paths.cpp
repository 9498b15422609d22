#include "core/engine/app_paths.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace vigil::engine {

AppPaths AppPaths::resolve(const QString& configOverride, const QString& dataDirOverride) {
    AppPaths paths;
    if (!configOverride.isEmpty()) {
        paths.configFile = QFileInfo(configOverride).absoluteFilePath();
        paths.configIsDefault = false;
    } else {
        paths.configFile = QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
                               .filePath("vigil.yml");
    }
    paths.dataDir = dataDirOverride.isEmpty()
                        ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                        : QFileInfo(dataDirOverride).absoluteFilePath();
    return paths;
}

}  // namespace vigil::engine
