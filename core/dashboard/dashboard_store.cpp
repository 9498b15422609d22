#include "core/dashboard/dashboard_store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QUuid>

#include <algorithm>
#include <map>

namespace vigil::dashboard {
namespace {

Result<QByteArray> readFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Status::ioError(path.toStdString() + ": " + file.errorString().toStdString());
    return file.readAll();
}

// A uid safe as a file name (Grafana allows [a-zA-Z0-9-_], 40 chars).
bool safeUid(const QString& uid) {
    static const QRegularExpression kUid(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
    return kUid.match(uid).hasMatch() && uid != QLatin1String(".") && uid != QLatin1String("..");
}

}  // namespace

DashboardStore::DashboardStore(QString userDir, QStringList bundledDirs)
    : m_userDir(std::move(userDir)), m_bundledDirs(std::move(bundledDirs)) {}

QStringList DashboardStore::defaultBundledDirs() {
    QStringList dirs;
    const QString app = QCoreApplication::applicationDirPath();
    if (!app.isEmpty())
        dirs << QDir(app).filePath(QStringLiteral("../share/vigil/dashboards"));
#ifdef VIGIL_SOURCE_DIR
    dirs << QStringLiteral(VIGIL_SOURCE_DIR "/dashboards");
#endif
    return dirs;
}

QString DashboardStore::userPath(const QString& uid) const {
    return QDir(m_userDir).filePath(uid + QStringLiteral(".json"));
}

std::vector<DashboardStore::Entry> DashboardStore::list() const {
    m_errors.clear();
    std::map<QString, Entry> byUid;
    auto scan = [&](const QString& dir, bool bundled) {
        for (const QFileInfo& info :
             QDir(dir).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
            auto bytes = readFile(info.filePath());
            if (!bytes.isOk()) {
                m_errors << QString::fromStdString(bytes.status().message());
                continue;
            }
            auto dashboard = Dashboard::fromJson(*bytes, info.filePath());
            if (!dashboard.isOk()) {
                m_errors << QString::fromStdString(dashboard.status().message());
                continue;
            }
            Entry entry{dashboard->uid,  dashboard->title, dashboard->tags,
                        info.filePath(), bundled,          false};
            auto it = byUid.find(entry.uid);
            if (it != byUid.end()) {
                if (bundled)
                    continue;  // an earlier bundled dir wins
                entry.customized = it->second.bundled;
            }
            byUid[entry.uid] = entry;
        }
    };
    for (const QString& dir : m_bundledDirs)
        if (QFileInfo(dir).isDir()) {
            scan(dir, true);
            break;  // the first existing bundled directory only
        }
    scan(m_userDir, false);
    std::vector<Entry> entries;
    m_paths.clear();
    for (auto& [uid, entry] : byUid) {
        m_paths[uid] = entry.path;
        entries.push_back(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.title.compare(b.title, Qt::CaseInsensitive) < 0;
    });
    return entries;
}

Result<Dashboard> DashboardStore::load(const QString& uid, ImportReport* report) const {
    // The file the last list() found (the page lists before it opens), else
    // a fresh scan: a new import or a user copy may have appeared since.
    auto known = m_paths.find(uid);
    if (known == m_paths.end() || !QFileInfo::exists(known->second) ||
        (QFileInfo::exists(userPath(uid)) && known->second != userPath(uid))) {
        list();
        known = m_paths.find(uid);
    }
    if (known == m_paths.end())
        return Status::error(Status::Code::kNotFound,
                             "no dashboard with uid '" + uid.toStdString() + "'");
    auto bytes = readFile(known->second);
    if (!bytes.isOk())
        return bytes.status();
    return Dashboard::fromJson(*bytes, known->second, report);
}

Status DashboardStore::save(const Dashboard& dashboard) {
    if (!safeUid(dashboard.uid))
        return Status::error("dashboard uid '" + dashboard.uid.toStdString() +
                             "' cannot name a file (letters, digits, '-', '_', '.')");
    if (!QDir().mkpath(m_userDir))
        return Status::ioError(m_userDir.toStdString() +
                               ": cannot create the dashboards directory");
    QSaveFile file(userPath(dashboard.uid));
    if (!file.open(QIODevice::WriteOnly))
        return Status::ioError(file.fileName().toStdString() + ": " +
                               file.errorString().toStdString());
    file.write(dashboard.toJson());
    if (!file.commit())
        return Status::ioError(file.fileName().toStdString() + ": " +
                               file.errorString().toStdString());
    return Status::ok();
}

Result<QString> DashboardStore::importJson(const QByteArray& json, const QString& origin,
                                           ImportReport* report) {
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    Result<Dashboard> parsed = Status::error("unparsed");
    if (error.error == QJsonParseError::NoError && document.isObject()) {
        QJsonObject object = document.object();
        std::vector<std::pair<QString, QString>> inputs;
        for (const QJsonValue& input : object.value(QStringLiteral("__inputs")).toArray())
            if (input.toObject().value(QStringLiteral("type")).toString() ==
                QLatin1String("datasource"))
                inputs.emplace_back(input.toObject().value(QStringLiteral("name")).toString(),
                                    QStringLiteral("Vigil"));
        if (!inputs.empty())
            object = resolveInputs(object, inputs);
        parsed = Dashboard::fromObject(object, origin, report);
    } else {
        parsed = Dashboard::fromJson(json, origin, report);  // for the positioned error
    }
    if (!parsed.isOk())
        return parsed.status();
    Dashboard dashboard = std::move(*parsed);
    if (!safeUid(dashboard.uid))
        dashboard.uid = QUuid::createUuid().toString(QUuid::Id128).left(14);
    for (const Entry& entry : list())
        if (entry.uid == dashboard.uid && entry.title != dashboard.title) {
            dashboard.uid = QUuid::createUuid().toString(QUuid::Id128).left(14);
            break;
        }
    if (Status saved = save(dashboard); !saved)
        return saved;
    return dashboard.uid;
}

Result<QString> DashboardStore::importFile(const QString& path, ImportReport* report) {
    auto bytes = readFile(path);
    if (!bytes.isOk())
        return bytes.status();
    return importJson(*bytes, path, report);
}

Status DashboardStore::exportTo(const QString& uid, const QString& path) const {
    auto dashboard = load(uid);
    if (!dashboard.isOk())
        return dashboard.status();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::ioError(path.toStdString() + ": " + file.errorString().toStdString());
    file.write(dashboard->toJson());
    if (!file.commit())
        return Status::ioError(path.toStdString() + ": " + file.errorString().toStdString());
    return Status::ok();
}

Status DashboardStore::remove(const QString& uid) {
    const QString path = userPath(uid);
    if (!QFile::exists(path))
        return Status::error(
            Status::Code::kNotFound,
            "'" + uid.toStdString() + "' is not a user dashboard (bundled ones are read-only)");
    if (!QFile::remove(path))
        return Status::ioError(path.toStdString() + ": cannot remove");
    return Status::ok();
}

}  // namespace vigil::dashboard
