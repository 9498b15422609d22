#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "core/dashboard/dashboard_store.h"

using vigil::dashboard::DashboardStore;

namespace {

bool writeFile(const QString& path, const QByteArray& text) {
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

QByteArray readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

const QByteArray kBundled =
    "{\"uid\":\"host\",\"title\":\"Host\",\"panels\":[{\"id\":1,\"type\":\"stat\",\"title\":\"Up\","
    "\"gridPos\":{\"x\":0,\"y\":0,\"w\":6,\"h\":4}}]}";

}  // namespace

class TestDashboardStore : public QObject {
    Q_OBJECT
private slots:
    void bundledDashboardsAreCopiedOnFirstEdit() {
        QTemporaryDir dir;
        const QString bundled = dir.filePath("bundled");
        QVERIFY(writeFile(bundled + "/host.json", kBundled));
        QVERIFY(writeFile(bundled + "/broken.json", "{\"title\": "));
        DashboardStore store(dir.filePath("user"), {dir.filePath("missing"), bundled});
        auto entries = store.list();
        QCOMPARE(entries.size(), std::size_t(1));
        QVERIFY(entries[0].bundled && !entries[0].customized);
        QCOMPARE(store.errors().size(), 1);  // broken.json, named
        QVERIFY2(store.errors()[0].contains("broken.json:1:"), qPrintable(store.errors()[0]));

        auto dashboard = store.load("host");
        QVERIFY2(dashboard.isOk(), dashboard.status().message().c_str());
        dashboard->title = "My host";
        QVERIFY(store.save(*dashboard).isOk());
        QCOMPARE(readFile(bundled + "/host.json"), kBundled);  // never written
        entries = store.list();
        QCOMPARE(entries.size(), std::size_t(1));
        QVERIFY(!entries[0].bundled && entries[0].customized);
        QCOMPARE(entries[0].path, dir.filePath("user/host.json"));
        QCOMPARE(store.load("host")->title, QStringLiteral("My host"));

        // Removing the user copy reverts to the bundled one.
        QVERIFY(store.remove("host").isOk());
        QCOMPARE(store.load("host")->title, QStringLiteral("Host"));
        QVERIFY(!store.remove("host").isOk());  // bundled ones are read-only
        QVERIFY(!store.load("nope").isOk());
    }

    void importResolvesInputsAndKeepsUidsApart() {
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath("bundled/host.json"), kBundled));
        DashboardStore store(dir.filePath("user"), {dir.filePath("bundled")});
        const QByteArray exported =
            "{\"__inputs\":[{\"name\":\"DS_PROM\",\"type\":\"datasource\",\"pluginId\":"
            "\"prometheus\"}],"
            "\"uid\":\"host\",\"title\":\"Someone else's "
            "host\",\"panels\":[{\"id\":1,\"type\":\"timeseries\","
            "\"datasource\":\"${DS_PROM}\",\"gridPos\":{\"x\":0,\"y\":0,\"w\":12,\"h\":8}}]}";
        auto uid = store.importJson(exported, "pasted JSON");
        QVERIFY2(uid.isOk(), uid.status().message().c_str());
        QVERIFY(*uid != QStringLiteral("host"));  // another dashboard has that uid
        auto imported = store.load(*uid);
        QVERIFY(imported.isOk());
        QCOMPARE(imported->panels[0].datasource->uid, QStringLiteral("Vigil"));
        QCOMPARE(store.list().size(), std::size_t(2));

        const QString out = dir.filePath("export.json");
        QVERIFY(store.exportTo(*uid, out).isOk());
        const QJsonObject written = QJsonDocument::fromJson(readFile(out)).object();
        QCOMPARE(written.value("title").toString(), QStringLiteral("Someone else's host"));
        QVERIFY(written.value("schemaVersion").toInt() >= 36);

        auto bad = store.importJson("{\"title\": [", "pasted JSON");
        QVERIFY(!bad.isOk());
        QVERIFY2(QString::fromStdString(bad.status().message()).startsWith("pasted JSON:1:"),
                 bad.status().message().c_str());
        vigil::dashboard::Dashboard unsafe = *imported;
        unsafe.uid = "../escape";
        QVERIFY(!store.save(unsafe).isOk());
    }
};

QTEST_GUILESS_MAIN(TestDashboardStore)
#include "tst_dashboard_store.moc"
