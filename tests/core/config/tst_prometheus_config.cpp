#include <QtTest>

#include "core/config/prometheus_config.h"

using vigil::config::loadPrometheusConfig;
using vigil::config::parsePrometheusConfig;

class TestPrometheusConfig : public QObject {
    Q_OBJECT
private slots:
    void realisticFileLoads() {
        const std::string path = VIGIL_TEST_DATA_DIR "/testdata/prometheus.yml";
        auto loaded = loadPrometheusConfig(path);
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        const auto& config = loaded->config;
        QCOMPARE(config.global.scrapeInterval.count(), 15000);
        QCOMPARE(config.global.scrapeTimeout.count(), 10000);
        QCOMPARE(config.global.externalLabels.get("cluster"), std::string_view("home"));
        QCOMPARE(config.ruleFiles.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(config.ruleFiles[0]),
                 QStringLiteral(VIGIL_TEST_DATA_DIR "/testdata/rules/*.yml"));
        QCOMPARE(config.ruleFiles[1], std::string("/etc/prometheus/alerts.yml"));
        QCOMPARE(config.scrapeConfigs.size(), std::size_t(3));

        const auto& prom = config.scrapeConfigs[0];
        QCOMPARE(prom.scrapeInterval.count(), 15000);  // from global
        QCOMPARE(prom.scrapeTimeout.count(), 10000);
        QVERIFY(prom.honorTimestamps);

        const auto& node = config.scrapeConfigs[1];
        QCOMPARE(node.scrapeInterval.count(), 30000);
        QCOMPARE(node.scrapeTimeout.count(), 20000);
        QVERIFY(node.honorLabels);
        QCOMPARE(node.scheme, std::string("https"));
        QCOMPARE(node.params.at("collect[]"), (std::vector<std::string>{"cpu", "meminfo"}));
        QCOMPARE(node.http.basicAuthUsername, std::string("admin"));
        QVERIFY(QString::fromStdString(node.http.basicAuthPasswordFile)
                    .endsWith("/testdata/secrets/node.pass"));
        QVERIFY(QString::fromStdString(node.http.tls.caFile).endsWith("/testdata/certs/ca.pem"));
        QCOMPARE(node.sampleLimit, std::uint64_t(10000));
        QCOMPARE(node.bodySizeLimit, std::uint64_t(10) << 20);
        QCOMPARE(node.fileSdConfigs.size(), std::size_t(1));
        QCOMPARE(node.fileSdConfigs[0].refreshInterval.count(), 60000);
        QCOMPARE(node.staticConfigs[0].targets, (std::vector<std::string>{"a:9100", "b:9100"}));
        QCOMPARE(node.staticConfigs[0].labels.get("env"), std::string_view("prod"));
        QCOMPARE(node.relabelConfigs.size(), std::size_t(1));
        QCOMPARE(node.metricRelabelConfigs[0].action, vigil::scrape::RelabelAction::kDrop);

        // kubernetes_sd_configs is named; alerting is read (by the forwarder
        // to external Alertmanagers), so it is not warned about.
        bool warnedAlerting = false, warnedKubernetes = false;
        for (const auto& w : loaded->warnings) {
            warnedAlerting |= w.find("alerting") != std::string::npos;
            warnedKubernetes |=
                w.find(
                    ":56:5: scrape_configs[2].kubernetes_sd_configs: this service discovery is not "
                    "supported") != std::string::npos;
        }
        QVERIFY(!warnedAlerting);
        QVERIFY(warnedKubernetes);
    }

    void timeoutDefaultsToInterval() {
        auto loaded = parsePrometheusConfig(
            "scrape_configs:\n  - job_name: fast\n    scrape_interval: 5s\n", "p.yml", "");
        QVERIFY(loaded.isOk());
        QCOMPARE(loaded->config.scrapeConfigs[0].scrapeTimeout.count(), 5000);
    }

    void errors_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("duplicate-job")
            << "scrape_configs:\n  - job_name: a\n  - job_name: a\n"
            << "p.yml:3:5: found multiple scrape configs with job name \"a\"";
        QTest::newRow("timeout>interval") << "scrape_configs:\n  - job_name: a\n    "
                                             "scrape_interval: 5s\n    scrape_timeout: 10s\n"
                                          << "p.yml:4:21: scrape timeout greater than scrape "
                                             "interval for scrape config with job name \"a\"";
        QTest::newRow("unknown-field")
            << "scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n"
            << "p.yml:3:5: unknown key 'scrape_intervall' in scrape_configs[0]; did you "
               "mean 'scrape_interval'?";
        QTest::newRow("bad-relabel-action")
            << "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: frob\n"
            << "p.yml:4:17: scrape_configs[0].relabel_configs[0].action: unknown relabel action "
               "\"frob\"";
        QTest::newRow("relabel-needs-target") << "scrape_configs:\n  - job_name: a\n    "
                                                 "relabel_configs:\n      - source_labels: [x]\n"
                                              << "p.yml:4:9: scrape_configs[0].relabel_configs[0]: "
                                                 "relabel configuration for replace action "
                                                 "requires 'target_label' value";
        QTest::newRow("bad-regex")
            << "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {regex: '(', "
               "target_label: x}\n"
            << "p.yml:4:17: scrape_configs[0].relabel_configs[0].regex: invalid regular "
               "expression";
        QTest::newRow("bad-label-name")
            << "global:\n  external_labels:\n    1x: y\n"
            << "p.yml:3:5: global.external_labels: \"1x\" is not a valid label name";
        QTest::newRow("two-auths") << "scrape_configs:\n  - job_name: a\n    bearer_token: t\n    "
                                      "basic_auth: {username: u}\n"
                                   << "p.yml:4:17: scrape_configs[0]: at most one of basic_auth, "
                                      "oauth2, bearer_token & bearer_token_file "
                                      "must be configured";
        QTest::newRow("bad-target")
            << "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: "
               "['http://x:1']\n"
            << "p.yml:4:18: scrape_configs[0].static_configs[0].targets: \"http://x:1\" is "
               "not a valid hostname";
        QTest::newRow("no-job-name") << "scrape_configs:\n  - scrape_interval: 5s\n"
                                     << "p.yml:2:5: scrape_configs[0]: job_name is empty";
    }
    void errors() {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        auto loaded = parsePrometheusConfig(yaml.toStdString(), "p.yml", "");
        QVERIFY(!loaded.isOk());
        const QString message = QString::fromStdString(loaded.status().message());
        QVERIFY2(message.startsWith(expected), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestPrometheusConfig)
#include "tst_prometheus_config.moc"
