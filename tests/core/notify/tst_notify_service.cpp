// The notification pipeline wired into the engine: vigil.yml's inline
// `alertmanager:` section and `alertmanager_config: path` (with this file's
// line:col in errors), the NotifyService thread with the real clock, its
// AlertSink, persistence across a service restart, and Alertmanager's API v2
// subset on Vigil's listener.

#include <httplib.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "core/config/vigil_config.h"
#include "core/engine/engine.h"
#include "core/notify/alertmanager_api.h"
#include "core/notify/notify_service.h"
#include "notify_test_support.h"
#include "tests/support/http_client.h"

using namespace vigil;
using namespace vigil::notify;

namespace {

const char* kInline =
    "server:\n"
    "  listen: 127.0.0.1:0\n"
    "host_collector:\n"
    "  enabled: false\n"
    "alertmanager:\n"
    "  route:\n"
    "    receiver: team\n"
    "    group_by: [alertname]\n"
    "    group_wait: 0s\n"
    "  receivers:\n"
    "    - name: team\n"
    "      webhook_configs:\n"
    "        - url: http://127.0.0.1:1/\n";

bool waitFor(const std::function<bool()>& condition, int ms = 5000) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms) {
        if (condition())
            return true;
        QThread::msleep(10);
    }
    return condition();
}

model::Alert alert(const char* name) {
    model::Alert a;
    a.labels = model::Labels({{"alertname", name}, {"job", "node"}});
    a.startsAtMs = QDateTime::currentMSecsSinceEpoch();
    a.endsAtMs = a.startsAtMs + 3'600'000;
    return a;
}

}  // namespace

class TestNotifyService : public QObject {
    Q_OBJECT
private slots:
    void inlineAlertmanagerSection() {
        auto loaded = config::parseVigilConfig(kInline, "vigil.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        QVERIFY(loaded->config.alertmanager);
        QCOMPARE(loaded->config.alertmanager->route.receiver, std::string("team"));
        QCOMPARE(int(loaded->config.alertmanager->receivers.size()), 1);
    }

    void alertmanagerErrorsCarryThisFilesPosition_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown receiver") << "log_level: info\n"
                                             "alertmanager:\n"
                                             "  route:\n"
                                             "    receiver: nobody\n"
                                             "  receivers:\n"
                                             "    - name: team\n"
                                          << "vigil.yml:";
        QTest::newRow("both forms") << "alertmanager_config: am.yml\n"
                                       "alertmanager:\n"
                                       "  route:\n"
                                       "    receiver: x\n"
                                    << "vigil.yml:1:1: alertmanager_config: give either";
        QTest::newRow("missing file") << "alertmanager_config: /nonexistent/am.yml\n"
                                      << "vigil.yml:1:22: alertmanager_config: ";
        QTest::newRow("flow style") << "alertmanager: {route: {receiver: x}}\n"
                                    << "vigil.yml:1:15: alertmanager: expected";
    }
    void alertmanagerErrorsCarryThisFilesPosition() {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        auto loaded = config::parseVigilConfig(yaml.toStdString(), "vigil.yml");
        QVERIFY(!loaded.isOk());
        const QString message = QString::fromStdString(loaded.status().message());
        QVERIFY2(message.startsWith(expected), qPrintable(message));
    }

    void inlineErrorLineIsThisFilesLine() {
        // An unknown field inside the inline section, on line 5 of vigil.yml.
        const std::string yaml =
            "log_level: info\n"
            "alertmanager:\n"
            "  route:\n"
            "    receiver: team\n"
            "    group_wiat: 1s\n"
            "  receivers:\n"
            "    - name: team\n";
        auto loaded = config::parseVigilConfig(yaml, "vigil.yml");
        QVERIFY(!loaded.isOk());
        const QString message = QString::fromStdString(loaded.status().message());
        QVERIFY2(message.startsWith("vigil.yml:5:"), qPrintable(message));
        QVERIFY2(message.contains("group_wiat"), qPrintable(message));
    }

    void alertmanagerConfigFile() {
        QTemporaryDir dir;
        QFile am(dir.filePath("am.yml"));
        QVERIFY(am.open(QIODevice::WriteOnly));
        am.write("route:\n  receiver: r\nreceivers:\n  - name: r\n");
        am.close();
        QFile vigil(dir.filePath("vigil.yml"));
        QVERIFY(vigil.open(QIODevice::WriteOnly));
        vigil.write("alertmanager_config: am.yml\n");
        vigil.close();
        auto loaded = config::loadVigilConfig(dir.filePath("vigil.yml").toStdString());
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        QVERIFY(loaded->config.alertmanager);
        QCOMPARE(QString::fromStdString(loaded->config.alertmanagerConfigFile),
                 dir.filePath("am.yml"));
    }

    // Alerts sent before start are kept; after a restart over the same
    // state.db nothing is re-sent before repeat_interval.
    void serviceDeliversAndSurvivesRestart() {
        QTemporaryDir dir;
        auto loaded = config::parseVigilConfig(kInline, "vigil.yml");
        QVERIFY(loaded.isOk());
        auto recorder = std::make_shared<testing::RecordingNotifier>();
        auto makeService = [&] {
            NotifyServiceOptions options;
            options.config = *loaded->config.alertmanager;
            options.stateDbPath = dir.filePath("state.db").toStdString();
            options.notifierFactory = testing::recordingFactory(recorder);
            return std::make_unique<NotifyService>(std::move(options));
        };
        auto service = makeService();
        service->alertSink().send({alert("Early")});
        QVERIFY(service->start().isOk());
        QVERIFY(waitFor([&] { return recorder->deliveries().size() == 1; }));
        QCOMPARE(recorder->deliveries()[0].ctx.alerts[0].alert.labels.get("alertname"),
                 std::string_view("Early"));
        service->stop();
        service.reset();

        service = makeService();
        QVERIFY(service->start().isOk());
        service->alertSink().send({alert("Early")});
        QVERIFY(waitFor([&] { return service->dispatcher()->stats().alerts == 1; }));
        QThread::msleep(300);
        QCOMPARE(int(recorder->deliveries().size()), 1);
        // A new alert in the same receiver still goes out.
        service->alertSink().send({alert("Late")});
        QVERIFY(waitFor([&] { return recorder->deliveries().size() == 2; }));
        service->stop();
    }

    void engineServesAlertmanagerApi() {
        QTemporaryDir dir;
        auto loaded = config::parseVigilConfig(kInline, "vigil.yml");
        QVERIFY(loaded.isOk());
        engine::EngineOptions options;
        options.config = loaded->config;
        options.dataDir = dir.path();
        engine::Engine engine(options);
        QVERIFY(engine.notifyService());
        QVERIFY2(engine.start().isOk(), "engine start");
        const QString address = engine.httpAddress();

        const std::string now = formatRfc3339(QDateTime::currentMSecsSinceEpoch());
        auto posted = vigil::test::httpRequest(
            address, "POST", "/api/v2/alerts",
            "[{\"labels\":{\"alertname\":\"ApiAlert\",\"instance\":\"a:1\",\"empty\":\"\"},"
            "\"annotations\":{\"summary\":\"s\"},\"startsAt\":\"" +
                now + "\"}]",
            "application/json");
        QCOMPARE(posted.status, 200);
        QJsonArray alerts;
        QVERIFY(waitFor([&] {
            alerts =
                QJsonDocument::fromJson(
                    QByteArray::fromStdString(vigil::test::httpGet(address, "/api/v2/alerts").body))
                    .array();
            return alerts.size() == 1;
        }));
        QJsonObject a = alerts[0].toObject();
        QCOMPARE(a["labels"].toObject().size(), 2);  // the empty label is dropped
        QCOMPARE(a["status"].toObject()["state"].toString(), QString("active"));
        QCOMPARE(a["receivers"].toArray()[0].toObject()["name"].toString(), QString("team"));

        QVERIFY(waitFor([&] {
            return vigil::test::httpGet(address, "/metrics").body.find("vigil_notify_alerts 1\n") !=
                   std::string::npos;
        }));

        const std::string later = formatRfc3339(QDateTime::currentMSecsSinceEpoch() + 3'600'000);
        auto silence = vigil::test::httpRequest(
            address, "POST", "/api/v2/silences",
            "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"ApiAlert\",\"isRegex\":false}],"
            "\"startsAt\":\"" +
                now + "\",\"endsAt\":\"" + later +
                "\",\"createdBy\":\"test\",\"comment\":\"maintenance\"}",
            "application/json");
        QCOMPARE(silence.status, 200);
        const QString id = QJsonDocument::fromJson(QByteArray::fromStdString(silence.body))
                               .object()["silenceID"]
                               .toString();
        QVERIFY(!id.isEmpty());
        alerts = QJsonDocument::fromJson(QByteArray::fromStdString(
                                             vigil::test::httpGet(address, "/api/v2/alerts").body))
                     .array();
        a = alerts[0].toObject();
        QCOMPARE(a["status"].toObject()["state"].toString(), QString("suppressed"));
        QCOMPARE(a["status"].toObject()["silencedBy"].toArray()[0].toString(), id);

        const int colon = address.lastIndexOf(':');
        httplib::Client client(address.left(colon).toStdString(), address.mid(colon + 1).toInt());
        auto deleted = client.Delete(("/api/v2/silence/" + id).toStdString());
        QVERIFY(deleted);
        QCOMPARE(deleted->status, 200);
        // Expired means past endsAt (= the DELETE's time; bounds are inclusive).
        QVERIFY(waitFor([&] {
            auto got = vigil::test::httpGet(address, "/api/v2/silence/" + id.toStdString());
            return QJsonDocument::fromJson(QByteArray::fromStdString(got.body))
                       .object()["status"]
                       .toObject()["state"]
                       .toString() == "expired";
        }));

        auto bad = vigil::test::httpRequest(address, "POST", "/api/v2/silences",
                                            "{\"matchers\":[{\"name\":\"x\",\"value\":\".*\","
                                            "\"isRegex\":true}],\"startsAt\":\"" +
                                                now + "\",\"endsAt\":\"" + later +
                                                "\",\"createdBy\":\"t\",\"comment\":\"c\"}",
                                            "application/json");
        QCOMPARE(bad.status, 400);
        QVERIFY2(bad.body.find("must not match the empty string") != std::string::npos,
                 bad.body.c_str());
        auto badAlert = vigil::test::httpRequest(address, "POST", "/api/v2/alerts",
                                                 "[{\"labels\":{}}]", "application/json");
        QCOMPARE(badAlert.status, 400);
        QVERIFY2(badAlert.body.find("alerts[0]") != std::string::npos, badAlert.body.c_str());
        engine.stop();
    }

    void rfc3339() {
        QCOMPARE(parseRfc3339("2023-11-14T22:13:20Z").value(), model::Timestamp{1'700'000'000'000});
        QCOMPARE(parseRfc3339("2023-11-14T23:13:20.5+01:00").value(),
                 model::Timestamp{1'700'000'000'500});
        QCOMPARE(parseRfc3339("0001-01-01T00:00:00Z").value(), model::Timestamp{0});
        QVERIFY(!parseRfc3339("yesterday").isOk());
        QCOMPARE(formatRfc3339(1'700'000'000'500), std::string("2023-11-14T22:13:20.500Z"));
    }
};

QTEST_GUILESS_MAIN(TestNotifyService)
#include "tst_notify_service.moc"
