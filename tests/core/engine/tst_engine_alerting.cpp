#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <mutex>

#include "core/config/vigil_config.h"
#include "core/engine/engine.h"
#include "core/notify/receivers/desktop_notifications.h"
#include "tests/core/notify/receivers/http_sink.h"
#include "tests/support/http_client.h"

using vigil::engine::Engine;
using vigil::engine::EngineOptions;
using vigil::test::HttpSink;

namespace {

bool writeFile(const QString& path, const QByteArray& text) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

int countContaining(const std::vector<HttpSink::Request>& requests, const std::string& path,
                    const std::string& text) {
    int n = 0;
    for (const auto& r : requests)
        n += r.path == path && r.body.find(text) != std::string::npos ? 1 : 0;
    return n;
}

}  // namespace

// The whole alerting path in one engine: a rule file from prometheus.yml
// fires, the alert goes through the local dispatcher to a webhook receiver,
// and also to an external Alertmanager from prometheus.yml's alerting section.
class TestEngineAlerting : public QObject {
    Q_OBJECT
private slots:
    void ruleAlertsReachTheWebhookAndTheExternalAlertmanager() {
        HttpSink webhook;
        HttpSink externalAlertmanager;
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath("rules.yml"),
                          "groups:\n"
                          "  - name: always\n"
                          "    interval: 1s\n"
                          "    rules:\n"
                          "      - alert: AlwaysFiring\n"
                          "        expr: vector(1)\n"
                          "        labels: {severity: page}\n"
                          "        annotations: {summary: 'value is {{ $value }}'}\n"));
        QVERIFY(writeFile(dir.filePath("prometheus.yml"),
                          "rule_files: [rules.yml]\n"
                          "alerting:\n"
                          "  alertmanagers:\n"
                          "    - static_configs:\n"
                          "        - targets: ['127.0.0.1:" +
                              QByteArray::number(externalAlertmanager.port()) + "']\n"));
        QVERIFY(writeFile(dir.filePath("vigil.yml"),
                          "server:\n  listen: 127.0.0.1:0\n"
                          "host_collector:\n  enabled: false\n"
                          "prometheus_config: prometheus.yml\n"
                          "alertmanager:\n"
                          "  route:\n"
                          "    receiver: hook\n"
                          "    group_wait: 1s\n"
                          "    group_interval: 1s\n"
                          "  receivers:\n"
                          "    - name: hook\n"
                          "      webhook_configs:\n"
                          "        - url: " +
                              QByteArray::fromStdString(webhook.url("/hook")) +
                              "\n"
                              "      desktop_configs:\n"
                              "        - send_resolved: true\n"));
        auto config = vigil::config::loadVigilConfig(dir.filePath("vigil.yml").toStdString());
        QVERIFY2(config.isOk(), config.status().message().c_str());
        EngineOptions options;
        options.config = config->config;
        options.dataDir = dir.filePath("data");
        Engine engine(std::move(options));
        // The GUI's tray subscribes the same way.
        QVERIFY(engine.desktopNotifications());
        std::mutex mutex;
        std::vector<std::string> desktopTitles;
        engine.desktopNotifications()->subscribe(
            [&](const vigil::notify::receivers::DesktopNotification& n) {
                std::lock_guard lock(mutex);
                desktopTitles.push_back(n.title);
            });
        const vigil::Status started = engine.start();
        QVERIFY2(started.isOk(), started.message().c_str());
        QVERIFY(engine.notifyService());
        QTRY_VERIFY_WITH_TIMEOUT(countContaining(webhook.requests(), "/hook", "AlwaysFiring") >= 1,
                                 20000);
        QTRY_VERIFY_WITH_TIMEOUT(
            countContaining(externalAlertmanager.requests(), "/api/v2/alerts", "AlwaysFiring") >= 1,
            20000);
        const auto hook = webhook.requests().front();
        QVERIFY2(hook.body.find("\"status\":\"firing\"") != std::string::npos, hook.body.c_str());
        QVERIFY2(hook.body.find("value is 1") != std::string::npos, hook.body.c_str());
        QVERIFY(hook.body.find("\"version\":\"4\"") != std::string::npos);
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     std::lock_guard lock(mutex);
                                     return !desktopTitles.empty();
                                 }()),
                                 10000);
        {
            std::lock_guard lock(mutex);
            QVERIFY2(desktopTitles.front().find("AlwaysFiring") != std::string::npos,
                     desktopTitles.front().c_str());
        }

        // Acknowledge the alert through the API, with who and a comment.
        const QString address = engine.httpAddress();
        const auto alerts = vigil::test::httpGet(address, "/api/v2/alerts");
        QCOMPARE(alerts.status, 200);
        const std::string fpKey = "\"fingerprint\":\"";
        const auto at = alerts.body.find(fpKey);
        QVERIFY2(at != std::string::npos, alerts.body.c_str());
        const std::string fingerprint = alerts.body.substr(at + fpKey.size(), 16);
        auto acked = vigil::test::httpRequest(
            address, "POST", "/api/vigil/v1/acks",
            "{\"fingerprint\":\"" + fingerprint + "\",\"by\":\"alice\",\"comment\":\"on it\"}",
            "application/json");
        QCOMPARE(acked.status, 200);
        auto acks = vigil::test::httpGet(address, "/api/vigil/v1/acks");
        QVERIFY2(acks.body.find("\"createdBy\":\"alice\"") != std::string::npos, acks.body.c_str());
        QVERIFY2(acks.body.find("\"active\":true") != std::string::npos, acks.body.c_str());
        QCOMPARE(vigil::test::httpRequest(
                     address, "DELETE", "/api/vigil/v1/acks?fingerprint=" + fingerprint + "&by=bob")
                     .status,
                 200);
        acks = vigil::test::httpGet(address, "/api/vigil/v1/acks");
        QVERIFY2(acks.body.find("\"active\":false") != std::string::npos, acks.body.c_str());
        QVERIFY2(acks.body.find("\"endedBy\":\"bob\"") != std::string::npos, acks.body.c_str());
        const auto bad = vigil::test::httpRequest(address, "POST", "/api/vigil/v1/acks",
                                                  "{\"by\":\"x\"}", "application/json");
        QCOMPARE(bad.status, 400);
        QVERIFY2(bad.body.find("groupKey or fingerprint") != std::string::npos, bad.body.c_str());
        engine.stop();
    }

    void aBadAlertingSectionFailsTheStartWithItsPosition() {
        QTemporaryDir dir;
        QVERIFY(writeFile(
            dir.filePath("prometheus.yml"),
            "alerting:\n  alertmanagers:\n    - kubernetes_sd_configs:\n        - role: pod\n"));
        QVERIFY(writeFile(dir.filePath("vigil.yml"),
                          "server:\n  listen: 127.0.0.1:0\nprometheus_config: prometheus.yml\n"));
        auto config = vigil::config::loadVigilConfig(dir.filePath("vigil.yml").toStdString());
        QVERIFY2(config.isOk(), config.status().message().c_str());
        EngineOptions options;
        options.config = config->config;
        options.dataDir = dir.filePath("data");
        Engine engine(std::move(options));
        const vigil::Status started = engine.start();
        QVERIFY(!started.isOk());
        QVERIFY2(started.message().find("prometheus.yml:3:") != std::string::npos,
                 started.message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestEngineAlerting)
#include "tst_engine_alerting.moc"
