#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "core/config/vigil_config.h"
#include "core/engine/engine.h"
#include "tests/core/notify/receivers/http_sink.h"
#include "tests/support/http_client.h"

using vigil::engine::Engine;
using vigil::engine::EngineOptions;
using vigil::test::HttpSink;

namespace {

bool writeFile(const QString& path, const QByteArray& text) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

int countContaining(const std::vector<HttpSink::Request>& requests, const std::string& path,
                    const std::string& text) {
    int n = 0;
    for (const auto& r : requests)
        n += r.path == path && r.body.find(text) != std::string::npos ? 1 : 0;
    return n;
}

// A Loki push body: `n` lines "<text> i" of {job=`job`} stamped now.
std::string pushBody(const std::string& job, const std::string& text, int n) {
    const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    std::string body = "{\"streams\":[{\"stream\":{\"job\":\"" + job + "\"},\"values\":[";
    for (int i = 0; i < n; ++i) {
        body += (i ? "," : "");
        body += "[\"" + std::to_string(nowNs - (n - i) * 1000) + "\",\"" + text + " " +
                std::to_string(i) + "\"]";
    }
    return body + "]}]}";
}

}  // namespace

// Log alerting end to end: vigil.yml's logs.rule_files hold a Loki ruler
// file; error lines pushed through the Loki push API make its LogQL alert
// fire, and the alert goes through the same dispatcher as PromQL alerts to a
// webhook receiver. The log rules appear in Prometheus's and Loki's rules
// APIs and are re-read by POST /-/reload.
class TestEngineLogAlerting : public QObject {
    Q_OBJECT
private slots:
    void errorLinesReachTheWebhook() {
        HttpSink webhook;
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath("app.rules.yml"),
                          "groups:\n"
                          "  - name: app-errors\n"
                          "    interval: 1s\n"
                          "    rules:\n"
                          "      - alert: AppErrors\n"
                          "        expr: sum by (job) (count_over_time({job=\"app\"} |= \"error\" "
                          "[1m])) >= 3\n"
                          "        labels: {severity: page}\n"
                          "        annotations:\n"
                          "          summary: '{{ $labels.job }} logged {{ $value }} errors'\n"));
        QVERIFY(writeFile(dir.filePath("vigil.yml"),
                          "server:\n  listen: 127.0.0.1:0\n"
                          "host_collector:\n  enabled: false\n"
                          "logs:\n  rule_files: ['*.rules.yml']\n"
                          "alertmanager:\n"
                          "  route:\n"
                          "    receiver: hook\n"
                          "    group_wait: 1s\n"
                          "    group_interval: 1s\n"
                          "  receivers:\n"
                          "    - name: hook\n"
                          "      webhook_configs:\n"
                          "        - url: " +
                              QByteArray::fromStdString(webhook.url("/hook")) + "\n"));
        auto config = vigil::config::loadVigilConfig(dir.filePath("vigil.yml").toStdString());
        QVERIFY2(config.isOk(), config.status().message().c_str());
        EngineOptions options;
        options.config = config->config;
        options.dataDir = dir.filePath("data");
        Engine engine(std::move(options));
        const vigil::Status started = engine.start();
        QVERIFY2(started.isOk(), started.message().c_str());
        const QString address = engine.httpAddress();

        // The group is listed with its file before anything fires.
        const std::string ruleFile = dir.filePath("app.rules.yml").toStdString();
        QTRY_VERIFY_WITH_TIMEOUT(
            vigil::test::httpGet(address, "/api/v1/rules").body.find("\"lastEvaluation\":\"2") !=
                std::string::npos,
            10000);
        auto rules = vigil::test::httpGet(address, "/api/v1/rules");
        QCOMPARE(rules.status, 200);
        QVERIFY2(rules.body.find("\"name\":\"app-errors\",\"file\":\"" + ruleFile + "\"") !=
                     std::string::npos,
                 rules.body.c_str());
        QVERIFY2(rules.body.find("\"health\":\"ok\"") != std::string::npos, rules.body.c_str());
        QCOMPARE(webhook.requests().size(), std::size_t(0));

        // Two error lines are not enough; five are.
        auto pushed =
            vigil::test::httpRequest(address, "POST", "/loki/api/v1/push",
                                     pushBody("app", "error: disk full", 2), "application/json");
        QCOMPARE(pushed.status, 204);
        pushed = vigil::test::httpRequest(address, "POST", "/loki/api/v1/push",
                                          pushBody("app", "all good", 10), "application/json");
        QCOMPARE(pushed.status, 204);
        QTest::qWait(2500);  // more than two evaluations
        QCOMPARE(countContaining(webhook.requests(), "/hook", "AppErrors"), 0);
        pushed =
            vigil::test::httpRequest(address, "POST", "/loki/api/v1/push",
                                     pushBody("app", "error: disk full", 3), "application/json");
        QCOMPARE(pushed.status, 204);
        QTRY_VERIFY_WITH_TIMEOUT(countContaining(webhook.requests(), "/hook", "AppErrors") >= 1,
                                 20000);
        const auto hook = webhook.requests().front();
        QVERIFY2(hook.body.find("\"status\":\"firing\"") != std::string::npos, hook.body.c_str());
        QVERIFY2(hook.body.find("app logged 5 errors") != std::string::npos, hook.body.c_str());
        QVERIFY2(hook.body.find("\"severity\":\"page\"") != std::string::npos, hook.body.c_str());

        // Both APIs show it; Loki's ruler API lists the file as a namespace.
        auto alerts = vigil::test::httpGet(address, "/api/v1/alerts");
        QVERIFY2(alerts.body.find("\"alertname\":\"AppErrors\"") != std::string::npos,
                 alerts.body.c_str());
        auto lokiAlerts = vigil::test::httpGet(address, "/prometheus/api/v1/alerts");
        QVERIFY2(lokiAlerts.body.find("\"state\":\"firing\"") != std::string::npos,
                 lokiAlerts.body.c_str());
        auto lokiRules = vigil::test::httpGet(address, "/loki/api/v1/rules");
        QCOMPARE(lokiRules.status, 200);
        QVERIFY2(lokiRules.body.rfind("app.rules.yml:\n  - name: app-errors\n", 0) == 0,
                 lokiRules.body.c_str());
        QCOMPARE(
            vigil::test::httpGet(address, "/loki/api/v1/rules/app.rules.yml/app-errors").status,
            200);
        QCOMPARE(vigil::test::httpGet(address, "/loki/api/v1/rules/other.yml").status, 404);

        // ALERTS is written to the TSDB like a PromQL rule's.
        auto query = vigil::test::httpGet(address, "/api/v1/query?query=ALERTS");
        QVERIFY2(query.body.find("\"alertname\":\"AppErrors\"") != std::string::npos,
                 query.body.c_str());

        // A new log rule file is picked up by POST /-/reload; a broken one
        // is refused with its position.
        QVERIFY(writeFile(dir.filePath("more.rules.yml"),
                          "groups:\n  - name: more\n    rules:\n      - record: app:lines\n"
                          "        expr: '{job=\"app\"}'\n"));
        auto reload = vigil::test::httpRequest(address, "POST", "/-/reload", "", "text/plain");
        QCOMPARE(reload.status, 500);
        QVERIFY2(reload.body.find(dir.filePath("more.rules.yml").toStdString() + ":5:16:") !=
                     std::string::npos,
                 reload.body.c_str());
        QVERIFY(writeFile(dir.filePath("more.rules.yml"),
                          "groups:\n  - name: more\n    rules:\n      - record: app:lines\n"
                          "        expr: 'sum(count_over_time({job=\"app\"}[1m]))'\n"));
        reload = vigil::test::httpRequest(address, "POST", "/-/reload", "", "text/plain");
        QCOMPARE(reload.status, 200);
        QVERIFY(vigil::test::httpGet(address, "/api/v1/rules").body.find("\"name\":\"more\"") !=
                std::string::npos);
        engine.stop();
    }
};

QTEST_GUILESS_MAIN(TestEngineLogAlerting)
#include "tst_engine_log_alerting.moc"
