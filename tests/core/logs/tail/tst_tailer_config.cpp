#include <QtTest>

#include <fstream>

#include "core/config/default_config.h"
#include "core/config/promtail_config.h"
#include "core/config/vigil_config.h"

using namespace vigil;
using namespace vigil::config;

class TestTailerConfig : public QObject {
    Q_OBJECT

private slots:
    void inlinePromtailSections() {
        const std::string text =
            "logs:\n"
            "  positions:\n"
            "    filename: pos/positions.yaml\n"
            "    sync_period: 3s\n"
            "  file_watch_config:\n"
            "    min_poll_frequency: 100ms\n"
            "    max_poll_frequency: 1s\n"
            "  scrape_configs:\n"
            "    - job_name: app\n"
            "      static_configs:\n"
            "        - targets: [localhost]\n"
            "          labels:\n"
            "            job: app\n"
            "            __path__: /srv/**/*.log\n"
            "            __path_exclude__: /srv/tmp/*.log\n"
            "      pipeline_stages: []\n"
            "    - job_name: journal\n"
            "      journal:\n"
            "        json: true\n"
            "        max_age: 1h\n"
            "        path: /var/log/journal\n"
            "        matches: _SYSTEMD_UNIT=ssh.service\n"
            "        labels: {job: systemd-journal}\n"
            "      relabel_configs:\n"
            "        - source_labels: [__journal__systemd_unit]\n"
            "          target_label: unit\n";
        auto loaded = parseVigilConfig(text, "/etc/vigil/vigil.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        const PromtailConfig& tail = loaded->config.logs.tail;
        QCOMPARE(tail.positions.filename, std::string("/etc/vigil/pos/positions.yaml"));
        QCOMPARE(tail.positions.syncPeriod.count(), 3000);
        QCOMPARE(tail.fileWatch.minPollFrequency.count(), 100);
        QCOMPARE(tail.fileWatch.maxPollFrequency.count(), 1000);
        QCOMPARE(tail.scrapeConfigs.size(), std::size_t(2));
        QCOMPARE(tail.scrapeConfigs[0].jobName, std::string("app"));
        QCOMPARE(tail.scrapeConfigs[0].staticConfigs[0].labels.at("__path__"),
                 std::string("/srv/**/*.log"));
        QCOMPARE(tail.scrapeConfigs[0].staticConfigs[0].labels.at("__path_exclude__"),
                 std::string("/srv/tmp/*.log"));
        QCOMPARE(tail.scrapeConfigs[0].pipelinePath,
                 std::string("logs.scrape_configs[0].pipeline_stages"));
        const auto& journal = *tail.scrapeConfigs[1].journal;
        QVERIFY(journal.json);
        QCOMPARE(journal.maxAge.count(), 3600000);
        QCOMPARE(journal.path, std::string("/var/log/journal"));
        QCOMPARE(journal.matches, std::string("_SYSTEMD_UNIT=ssh.service"));
        QCOMPARE(journal.labels.at("job"), std::string("systemd-journal"));
        QCOMPARE(tail.scrapeConfigs[1].relabelConfigs.size(), std::size_t(1));
    }

    void errorsCarryPositions_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no job_name") << "logs:\n  scrape_configs:\n    - static_configs:\n"
                                        "        - labels: {__path__: /x}\n"
                                     << "t.yml:3:7: logs.scrape_configs[0]: job_name is required";
        QTest::newRow("no __path__")
            << "logs:\n  scrape_configs:\n    - job_name: a\n      static_configs:\n"
               "        - labels: {job: a}\n"
            << "t.yml:5:11: logs.scrape_configs[0].static_configs[0].labels: __path__ is "
               "required";
        QTest::newRow("relative __path__")
            << "logs:\n  scrape_configs:\n    - job_name: a\n      static_configs:\n"
               "        - labels: {__path__: logs/*.log}\n"
            << "t.yml:5:11: logs.scrape_configs[0].static_configs[0].labels.__path__: must be an "
               "absolute path, got \"logs/*.log\"";
        QTest::newRow("unknown key")
            << "logs:\n  scrape_configs:\n    - job_name: a\n      jornal: {}\n"
            << "t.yml:4:7: unknown key 'jornal' in logs.scrape_configs[0]; did you mean 'journal'?";
        QTest::newRow("bad sync_period") << "logs:\n  positions:\n    sync_period: often\n"
                                         << "t.yml:3:18: logs.positions.sync_period";
        QTest::newRow("duplicate job")
            << "logs:\n  scrape_configs:\n    - job_name: a\n      journal: {}\n"
               "    - job_name: a\n      journal: {}\n"
            << "t.yml:5:7: logs.scrape_configs[1]: job_name \"a\" is already used";
        QTest::newRow("nothing to read")
            << "logs:\n  scrape_configs:\n    - job_name: a\n"
            << "t.yml:3:7: logs.scrape_configs[0]: neither static_configs nor journal";
        QTest::newRow("bad label name")
            << "logs:\n  scrape_configs:\n    - job_name: a\n      static_configs:\n"
               "        - labels: {__path__: /x, 1bad: y}\n"
            << "t.yml:5:34: logs.scrape_configs[0].static_configs[0].labels: \"1bad\" is not a "
               "valid label name";
        QTest::newRow("bad relabel")
            << "logs:\n  scrape_configs:\n    - job_name: a\n      journal: {}\n"
               "      relabel_configs:\n        - action: replace\n"
            << "t.yml:6:11: logs.scrape_configs[0].relabel_configs[0]";
        QTest::newRow("both inline and file")
            << "logs:\n  promtail_config: p.yml\n  scrape_configs: []\n"
            << "t.yml:3:3: logs.scrape_configs: give either logs.promtail_config or inline";
        QTest::newRow("missing promtail file")
            << "logs:\n  promtail_config: /nonexistent/promtail.yml\n"
            << "t.yml:2:20: logs.promtail_config: cannot read /nonexistent/promtail.yml";
    }
    void errorsCarryPositions() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        auto loaded = parseVigilConfig(text.toStdString(), "t.yml");
        QVERIFY(!loaded.isOk());
        const QString message = QString::fromStdString(loaded.status().message());
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void promtailConfigFile() {
        QTemporaryDir dir;
        const QString promtail = dir.path() + "/promtail.yml";
        {
            std::ofstream out(promtail.toStdString());
            out << "server:\n  http_listen_port: 9080\n"
                   "positions:\n  filename: /tmp/positions.yaml\n"
                   "clients:\n  - url: http://localhost:3100/loki/api/v1/push\n"
                   "scrape_configs:\n"
                   "  - job_name: system\n"
                   "    static_configs:\n"
                   "      - targets: [localhost]\n"
                   "        labels:\n"
                   "          job: varlogs\n"
                   "          __path__: /var/log/*log\n";
        }
        {
            std::ofstream out((dir.path() + "/vigil.yml").toStdString());
            out << "logs:\n  promtail_config: promtail.yml\n";
        }
        auto loaded = loadVigilConfig((dir.path() + "/vigil.yml").toStdString());
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        QCOMPARE(loaded->config.logs.promtailConfigFile, promtail.toStdString());
        QCOMPARE(loaded->config.logs.tail.positions.filename, std::string("/tmp/positions.yaml"));
        QCOMPARE(loaded->config.logs.tail.scrapeConfigs.size(), std::size_t(1));
        QCOMPARE(loaded->warnings.size(), std::size_t(2));
        QVERIFY2(loaded->warnings[0].find(promtail.toStdString() + ":1:1: server: ignored") == 0,
                 loaded->warnings[0].c_str());
        QVERIFY(loaded->warnings[1].find(":5:1: clients: ignored") != std::string::npos);

        // An error in the promtail.yml names that file and position.
        {
            std::ofstream out(promtail.toStdString());
            out << "scrape_configs:\n  - job_name: x\n    static_configs:\n"
                   "      - labels: {__path__: /x}\n    bogus: 1\n";
        }
        auto bad = loadVigilConfig((dir.path() + "/vigil.yml").toStdString());
        QVERIFY(!bad.isOk());
        QVERIFY2(bad.status().message().find(promtail.toStdString() + ":5:5:") != std::string::npos,
                 bad.status().message().c_str());
    }

    void defaultConfigShape() {
        auto loaded = parseVigilConfig(defaultConfigText(), "vigil.default.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        const auto& jobs = loaded->config.logs.tail.scrapeConfigs;
        QCOMPARE(jobs.size(), std::size_t(3));
        QCOMPARE(jobs[0].jobName, std::string("syslog"));
        QCOMPARE(jobs[0].staticConfigs[0].labels.at("__path__"), std::string("/var/log/syslog"));
        QCOMPARE(jobs[0].staticConfigs[0].labels.at("host"), std::string("${HOSTNAME}"));
        QCOMPARE(jobs[1].jobName, std::string("varlogs"));
        QCOMPARE(jobs[1].staticConfigs[0].labels.at("__path__"), std::string("/var/log/*.log"));
        QCOMPARE(jobs[1].staticConfigs[0].labels.at("job"), std::string("varlogs"));
        QCOMPARE(jobs[2].jobName, std::string("systemd-journal"));
        QVERIFY(jobs[2].journal.has_value());
        QVERIFY(jobs[2].journal->path.empty());  // the system journal
        QCOMPARE(jobs[2].relabelConfigs[0].targetLabel, std::string("unit"));
        QVERIFY(loaded->config.logs.tail.positions.filename.empty());  // <data dir>/positions.yaml
        QCOMPARE(loaded->config.logs.tail.positions.syncPeriod.count(), 10000);
    }
};

QTEST_GUILESS_MAIN(TestTailerConfig)
#include "tst_tailer_config.moc"
