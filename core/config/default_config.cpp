#include "core/config/default_config.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace vigil::config {

std::string defaultConfigText() {
    QFile file(QStringLiteral(":/vigil/vigil.default.yml"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

Status writeDefaultConfig(const std::string& path) {
    const QString qpath = QString::fromStdString(path);
    if (QFileInfo::exists(qpath))
        return Status::ok();
    const QString dir = QFileInfo(qpath).absolutePath();
    if (!QDir().mkpath(dir))
        return Status::ioError("cannot create config directory " + dir.toStdString());
    const std::string text = defaultConfigText();
    if (text.empty())
        return Status::error(Status::Code::kInternal, "the default config resource is missing");
    QSaveFile out(qpath);  // atomic: never leaves a half-written config
    if (!out.open(QIODevice::WriteOnly)) {
        return Status::ioError("cannot write " + path + ": " + out.errorString().toStdString());
    }
    out.write(text.data(), static_cast<qint64>(text.size()));
    if (!out.commit())
        return Status::ioError("cannot write " + path + ": " + out.errorString().toStdString());
    return Status::ok();
}

}  // namespace vigil::config
