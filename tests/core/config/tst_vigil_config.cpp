#include <QtTest>

#include "core/config/default_config.h"
#include "core/config/vigil_config.h"

using vigil::config::loadVigilConfig;
using vigil::config::parseVigilConfig;

namespace {
QString testData(const char* name) {
    return QStringLiteral(VIGIL_TEST_DATA_DIR "/testdata/") + name;
}
}  // namespace

class TestVigilConfig : public QObject {
    Q_OBJECT
private slots:
    void validFileLoads() {
        auto loaded = loadVigilConfig(testData("valid.yml").toStdString());
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        QCOMPARE(loaded->config.server.listen.host, std::string("::1"));
        QCOMPARE(loaded->config.server.listen.port, 19595);
        QCOMPARE(loaded->config.server.listen.toString(), std::string("[::1]:19595"));
        QCOMPARE(loaded->config.server.maxRequestBytes, std::uint64_t(4) << 20);
        QCOMPARE(loaded->config.logLevel, std::string("debug"));
        QCOMPARE(loaded->config.storage.retentionTime.count(), 30LL * 86400000);
        QCOMPARE(loaded->config.storage.retentionSize, std::uint64_t(2) << 30);
        QCOMPARE(loaded->config.storage.outOfOrderWindow.count(), 600000LL);
        QCOMPARE(loaded->config.hostCollector.enabled, false);
        QCOMPARE(loaded->config.hostCollector.scrapeInterval.count(), 30000LL);
    }

    void scrapingAndReceivers() {
        auto loaded = loadVigilConfig(testData("with_scraping.yml").toStdString());
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        const auto& config = loaded->config;
        QCOMPARE(config.global.scrapeInterval.count(), 20000);
        QVERIFY(QString::fromStdString(config.prometheusConfigFile)
                    .endsWith("/testdata/prometheus.yml"));
        // Inline jobs first (with vigil.yml's global), then the file's (with its own).
        QCOMPARE(config.scrapeConfigs.size(), std::size_t(4));
        QCOMPARE(config.scrapeConfigs[0].jobName, std::string("local-app"));
        QCOMPARE(config.scrapeConfigs[0].scrapeInterval.count(), 20000);
        QCOMPARE(config.scrapeConfigs[1].jobName, std::string("prometheus"));
        QCOMPARE(config.scrapeConfigs[1].scrapeInterval.count(), 15000);
        QCOMPARE(config.remoteWriteReceiver.basicAuthUsers.size(), std::size_t(1));
        bool includedWarning = false;
        for (const auto& w : loaded->warnings) {
            includedWarning |=
                w.find("/testdata/prometheus.yml:56:5: scrape_configs[2].kubernetes_sd_configs") ==
                    0 ||
                w.find("prometheus.yml:56:5: scrape_configs[2].kubernetes_sd_configs") !=
                    std::string::npos;
        }
        // prometheus.yml's rule_files are evaluated, resolved against its directory.
        QCOMPARE(config.ruleFiles.size(), std::size_t(2));
        QVERIFY2(QString::fromStdString(config.ruleFiles[0]).endsWith("/testdata/rules/*.yml"),
                 config.ruleFiles[0].c_str());
        QCOMPARE(config.ruleFiles[1], std::string("/etc/prometheus/alerts.yml"));
        QVERIFY(includedWarning);
    }

    void scrapingErrors_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing-prometheus-file")
            << "prometheus_config: /nonexistent/prometheus.yml\n"
            << "t.yml:1:20: prometheus_config: cannot read /nonexistent/prometheus.yml";
        QTest::newRow("bad-hash")
            << "remote_write_receiver:\n  basic_auth_users:\n    u: plaintext\n"
            << "t.yml:3:8: remote_write_receiver.basic_auth_users.u: expected a bcrypt hash";
        QTest::newRow("bad-inline-job")
            << "scrape_configs:\n  - job_name: a\n    scrape_timeout: 2m\n"
            << "t.yml:3:21: scrape timeout greater than scrape interval";
    }
    void scrapingErrors() {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        auto loaded = parseVigilConfig(yaml.toStdString(), "t.yml");
        QVERIFY(!loaded.isOk());
        const QString message = QString::fromStdString(loaded.status().message());
        QVERIFY2(message.startsWith(expected), qPrintable(message));
    }

    void emptyFileGivesDefaults() {
        auto loaded = parseVigilConfig("", "empty.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        QCOMPARE(loaded->config.server.listen.toString(), std::string("127.0.0.1:9595"));
    }

    void bundledDefaultConfigIsValid() {
        const std::string text = vigil::config::defaultConfigText();
        QVERIFY(!text.empty());
        QVERIFY(text.find("# ") != std::string::npos);  // commented
        auto loaded = parseVigilConfig(text, "vigil.default.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        QCOMPARE(loaded->config.server.listen.toString(), std::string("127.0.0.1:9595"));
    }

    void writeDefaultConfigNeverOverwrites() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/sub/vigil.yml").toStdString();
        QVERIFY(vigil::config::writeDefaultConfig(path).isOk());
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::ReadWrite | QIODevice::Truncate));
        file.write("log_level: error\n");
        file.close();
        QVERIFY(vigil::config::writeDefaultConfig(path).isOk());
        auto loaded = loadVigilConfig(path);
        QVERIFY(loaded.isOk());
        QCOMPARE(loaded->config.logLevel, std::string("error"));
    }

    void errorsCarryFileLineColumn_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::newRow("bad-yaml") << "bad_yaml.yml"
                                  << "bad_yaml.yml:3:21: invalid YAML: ";
        QTest::newRow("unknown-key")
            << "unknown_key.yml"
            << "unknown_key.yml:3:3: unknown key 'max_request_sise' in server; did you "
               "mean 'max_request_size'?";
        QTest::newRow("wrong-type")
            << "wrong_type.yml"
            << "wrong_type.yml:3:5: server.listen: expected a string, got a list";
    }
    void errorsCarryFileLineColumn() {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        const QString path = testData(file.toUtf8().constData());
        auto loaded = loadVigilConfig(path.toStdString());
        QVERIFY(!loaded.isOk());
        const QString message = QString::fromStdString(loaded.status().message());
        QVERIFY2(message.startsWith(QStringLiteral(VIGIL_TEST_DATA_DIR "/testdata/") + expected),
                 qPrintable(message));
    }

    void inlineErrors_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("top-level-unknown") << "lisen: 1\n"
                                           << "t.yml:1:1: unknown key 'lisen'";
        QTest::newRow("bad-port")
            << "server:\n  listen: 127.0.0.1:99999\n"
            << "t.yml:2:11: server.listen: invalid listen address '127.0.0.1:99999': the port "
               "must be a number from 0 to 65535";
        QTest::newRow("bad-size")
            << "server:\n  max_request_size: lots\n"
            << "t.yml:2:21: server.max_request_size: not a valid byte size: 'lots'";
        QTest::newRow("bad-enum")
            << "log_level: loud\n"
            << "t.yml:1:12: log_level: 'loud' is not one of debug, info, warning, error";
        QTest::newRow("section-not-map") << "server: 9595\n"
                                         << "t.yml:1:9: server: expected a mapping, got a scalar";
        QTest::newRow("document-not-map")
            << "- a\n- b\n"
            << "t.yml:1:1: the document: expected a mapping, got a list";
        QTest::newRow("bad-retention")
            << "storage:\n  retention_time: 15 days\n"
            << "t.yml:2:19: storage.retention_time: not a valid duration string";
        QTest::newRow("host-interval-zero")
            << "host_collector:\n  scrape_interval: 0s\n"
            << "t.yml:2:20: host_collector.scrape_interval: must be positive";
        QTest::newRow("self-monitoring-interval-zero")
            << "self_monitoring:\n  scrape_interval: 0s\n"
            << "t.yml:2:20: self_monitoring.scrape_interval: must be positive";
        QTest::newRow("self-monitoring-unknown-key")
            << "self_monitoring:\n  interval: 5s\n"
            << "t.yml:2:3: unknown key 'interval' in self_monitoring";

        QTest::newRow("tab-indent") << "server:\n\tlisten: x\n"
                                    << "t.yml:2:8: invalid YAML: illegal map value";
    }
    void inlineErrors() {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        auto loaded = parseVigilConfig(yaml.toStdString(), "t.yml");
        QVERIFY(!loaded.isOk());
        const QString message = QString::fromStdString(loaded.status().message());
        QVERIFY2(message.startsWith(expected), qPrintable(message));
    }

    void allErrorsReportedInFileOrder() {
        auto loaded =
            parseVigilConfig("zzz: 1\nserver:\n  listn: x\n  max_request_size: no\n", "t.yml");
        QVERIFY(!loaded.isOk());
        const QStringList lines = QString::fromStdString(loaded.status().message()).split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0].startsWith("t.yml:1:1: unknown key 'zzz'"));
        QVERIFY(lines[1].startsWith(
            "t.yml:3:3: unknown key 'listn' in server; did you mean 'listen'?"));
        QVERIFY(lines[2].startsWith("t.yml:4:21: server.max_request_size"));
    }

    void missingFileIsNamed() {
        auto loaded = loadVigilConfig("/nonexistent/vigil.yml");
        QVERIFY(!loaded.isOk());
        QVERIFY(loaded.status().message().find("/nonexistent/vigil.yml") != std::string::npos);
    }

    void listenAddresses_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::newRow("ipv4") << "127.0.0.1:9595"
                              << "127.0.0.1" << 9595;
        QTest::newRow("any-port") << "localhost:0"
                                  << "localhost" << 0;
        QTest::newRow("ipv6") << "[::1]:80"
                              << "::1" << 80;
        QTest::newRow("no-port") << "127.0.0.1"
                                 << "" << -1;
        QTest::newRow("empty-host") << ":9595"
                                    << "" << -1;
        QTest::newRow("junk-port") << "a:9x"
                                   << "" << -1;
    }
    void listenAddresses() {
        QFETCH(QString, text);
        QFETCH(QString, host);
        QFETCH(int, port);
        auto parsed = vigil::config::parseListenAddress(text.toStdString());
        if (port < 0) {
            QVERIFY(!parsed.isOk());
            QVERIFY(parsed.status().message().find("invalid listen address") != std::string::npos);
        } else {
            QVERIFY2(parsed.isOk(), parsed.status().message().c_str());
            QCOMPARE(QString::fromStdString(parsed->host), host);
            QCOMPARE(parsed->port, port);
        }
    }
};

QTEST_GUILESS_MAIN(TestVigilConfig)
#include "tst_vigil_config.moc"
