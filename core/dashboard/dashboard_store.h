#pragma once

#include <QString>
#include <QStringList>

#include <map>
#include <vector>

#include "core/dashboard/dashboard.h"

namespace vigil::dashboard {

// Dashboards on disk: one Grafana JSON file per dashboard in the user's
// directory (`<data dir>/dashboards/<uid>.json`), plus bundled dashboards
// provisioned read-only from the installation. As with Grafana
// provisioning, a bundled dashboard is never written: saving it writes a
// user copy with the same uid, which then takes its place. Writes are atomic
// (QSaveFile). Not thread-safe; the UI uses it from the GUI thread (files
// are small) and `vigilctl`/`vigil render` from their only thread.
class DashboardStore {
public:
    DashboardStore(QString userDir, QStringList bundledDirs);

    // Where bundled dashboards are looked for: the installation's
    // share/vigil/dashboards and, in a build tree, the source's dashboards/.
    static QStringList defaultBundledDirs();

    struct Entry {
        QString uid;
        QString title;
        QStringList tags;
        QString path;
        bool bundled = false;     // no user copy: read-only until edited
        bool customized = false;  // a user copy of a bundled dashboard
    };
    // Sorted by title. Files that do not parse are listed in errors().
    std::vector<Entry> list() const;
    const QStringList& errors() const { return m_errors; }

    Result<Dashboard> load(const QString& uid, ImportReport* report = nullptr) const;
    Status save(const Dashboard& dashboard);
    // Imports a Grafana export: `${DS_*}` inputs resolve to Vigil's data
    // source, and a uid already used by another dashboard gets a new one.
    // Returns the uid it was saved under.
    Result<QString> importJson(const QByteArray& json, const QString& origin,
                               ImportReport* report = nullptr);
    Result<QString> importFile(const QString& path, ImportReport* report = nullptr);
    Status exportTo(const QString& uid, const QString& path) const;
    // Removes a user dashboard (a customized bundled one reverts).
    Status remove(const QString& uid);

    const QString& userDir() const { return m_userDir; }

private:
    QString userPath(const QString& uid) const;

    QString m_userDir;
    QStringList m_bundledDirs;
    mutable QStringList m_errors;
    mutable std::map<QString, QString> m_paths;  // uid -> file, from the last list()
};

}  // namespace vigil::dashboard
