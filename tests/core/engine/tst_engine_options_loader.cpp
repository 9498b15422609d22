#include <QtTest>

#include "core/engine/engine_options_loader.h"

using vigil::engine::AppPaths;
using vigil::engine::loadEngineOptions;

class TestEngineOptionsLoader : public QObject {
    Q_OBJECT
private slots:
    void firstRunWritesCommentedDefault() {
        QTemporaryDir dir;
        AppPaths paths{dir.path() + "/config/vigil.yml", dir.path() + "/data", true};
        auto loaded = loadEngineOptions(paths, {});
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        QVERIFY(loaded->wroteDefaultConfig);
        QFile written(paths.configFile);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QVERIFY(written.readAll().startsWith("# Vigil configuration"));
        // Second run: nothing written.
        auto again = loadEngineOptions(paths, {});
        QVERIFY(again.isOk());
        QVERIFY(!again->wroteDefaultConfig);
    }

    void explicitMissingConfigIsAnError() {
        QTemporaryDir dir;
        AppPaths paths{dir.path() + "/nope.yml", dir.path() + "/data", false};
        auto loaded = loadEngineOptions(paths, {});
        QVERIFY(!loaded.isOk());
        QVERIFY(loaded.status().message().find("nope.yml does not exist") != std::string::npos);
        QVERIFY(!QFile::exists(paths.configFile));
    }

    void listenOverride() {
        QTemporaryDir dir;
        AppPaths paths{dir.path() + "/vigil.yml", dir.path() + "/data", true};
        auto loaded = loadEngineOptions(paths, QStringLiteral("127.0.0.1:0"));
        QVERIFY(loaded.isOk());
        QCOMPARE(loaded->options.config.server.listen.port, 0);
        auto bad = loadEngineOptions(paths, QStringLiteral("nonsense"));
        QVERIFY(!bad.isOk());
        QVERIFY(bad.status().message().find("--listen: invalid listen address") !=
                std::string::npos);
    }

    void xdgLocations() {
        QCoreApplication::setApplicationName("vigil");
        qputenv("XDG_CONFIG_HOME", "/tmp/xdg-config-test");
        qputenv("XDG_DATA_HOME", "/tmp/xdg-data-test");
        const AppPaths paths = AppPaths::resolve({}, {});
        QCOMPARE(paths.configFile, QStringLiteral("/tmp/xdg-config-test/vigil/vigil.yml"));
        QCOMPARE(paths.dataDir, QStringLiteral("/tmp/xdg-data-test/vigil"));
        QVERIFY(paths.configIsDefault);
        const AppPaths overridden = AppPaths::resolve("/etc/x.yml", "/var/lib/v");
        QCOMPARE(overridden.configFile, QStringLiteral("/etc/x.yml"));
        QCOMPARE(overridden.dataDir, QStringLiteral("/var/lib/v"));
        QVERIFY(!overridden.configIsDefault);
    }
};

QTEST_GUILESS_MAIN(TestEngineOptionsLoader)
#include "tst_engine_options_loader.moc"
