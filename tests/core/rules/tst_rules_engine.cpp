// The rules service inside the Engine: rule_files from vigil.yml evaluated
// against the TSDB, /api/v1/rules and /api/v1/alerts on Vigil's listener,
// the Reload action, and alerts delivered to the sink set on the service.

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "core/engine/engine.h"
#include "core/rules/rules_service.h"
#include "tests/support/http_client.h"

using namespace vigil;

class TestRulesEngine : public QObject {
    Q_OBJECT
private slots:
    void rulesRunInTheEngine() {
        QTemporaryDir dir;
        const std::string ruleFile = dir.filePath("always.rules.yml").toStdString();
        {
            std::ofstream out(ruleFile);
            out << "groups:\n- name: engine\n  interval: 200ms\n  rules:\n"
                   "  - alert: AlwaysOn\n    expr: vector(1)\n    labels: {severity: info}\n"
                   "  - record: vigil:one\n    expr: vector(1)\n";
        }
        engine::EngineOptions options;
        options.dataDir = dir.filePath("data");
        options.config.server.listen = {"127.0.0.1", 0};
        options.config.hostCollector.enabled = false;
        options.config.ruleFiles = {dir.filePath("*.rules.yml").toStdString()};
        engine::Engine engine(options);
        rules::CollectingAlertSink sink;
        QVERIFY(engine.rulesService() != nullptr);
        engine.rulesService()->setAlertSink(&sink);
        QVERIFY(engine.start().isOk());
        const QString address = engine.httpAddress();

        QTRY_VERIFY_WITH_TIMEOUT(!sink.alerts().empty(), 10000);
        QCOMPARE(sink.alerts().front().labels.get("alertname"), std::string_view("AlwaysOn"));

        auto rules = test::httpGet(address, "/api/v1/rules");
        QCOMPARE(rules.status, 200);
        QVERIFY2(rules.body.find("\"name\":\"AlwaysOn\"") != std::string::npos, rules.body.c_str());
        QVERIFY(rules.body.find("\"type\":\"recording\"") != std::string::npos);
        auto alerts = test::httpGet(address, "/api/v1/alerts");
        QCOMPARE(alerts.status, 200);
        QVERIFY2(alerts.body.find("\"state\":\"firing\"") != std::string::npos,
                 alerts.body.c_str());
        // The recording rule wrote to the TSDB: the query API sees it.
        QTRY_VERIFY_WITH_TIMEOUT(
            test::httpGet(address, "/api/v1/query?query=vigil:one").body.find("\"vigil:one\"") !=
                std::string::npos,
            5000);

        // Self-metrics count the evaluations and the alerts sent.
        QVERIFY(engine.metrics().counter("vigil_rule_evaluations_total", "").value() >= 2);
        QVERIFY(engine.metrics().counter("vigil_rule_alerts_sent_total", "").value() >= 1);
        QCOMPARE(engine.metrics().counter("vigil_rule_evaluation_failures_total", "").value(), 0.0);

        // A broken edit is refused and the rules keep running; Reload reports it.
        {
            std::ofstream out(ruleFile, std::ios::trunc);
            out << "groups:\n- name: engine\n  rules:\n  - alert: Broken\n    expr: vector(1\n";
        }
        Status reloaded = engine.rulesService()->reload();
        QVERIFY(!reloaded.isOk());
        QVERIFY2(reloaded.message().find("always.rules.yml:5:19:") != std::string::npos,
                 reloaded.message().c_str());
        auto snapshot = engine.rulesService()->snapshot();
        QCOMPARE(snapshot.groups.size(), std::size_t(1));
        QCOMPARE(snapshot.groups[0].rules[0].name, std::string("AlwaysOn"));
        engine.stop();
        QVERIFY(QFileInfo::exists(dir.filePath("data/state.db")));
    }
};

QTEST_GUILESS_MAIN(TestRulesEngine)
#include "tst_rules_engine.moc"
