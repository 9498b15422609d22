#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/core/notify/receivers/http_sink.h"
#include "tests/support/http_client.h"
#include "tests/support/vigil_process.h"

using vigil::test::HttpSink;
using vigil::test::VigilProcess;

namespace {

bool writeFile(const QString& path, const QByteArray& text) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

int webhooks(const HttpSink& sink, const std::string& status) {
    int n = 0;
    for (const auto& r : sink.requests())
        n += r.path == "/hook" && r.body.find("\"status\":\"" + status + "\"") != std::string::npos
                 ? 1
                 : 0;
    return n;
}

// The activeAt of the AlwaysFiring alert from /api/v1/alerts ("" when absent).
QString activeAt(const QString& address, QString* state = nullptr) {
    const auto response = vigil::test::httpGet(address, "/api/v1/alerts");
    const QJsonArray alerts = QJsonDocument::fromJson(QByteArray::fromStdString(response.body))
                                  .object()
                                  .value("data")
                                  .toObject()
                                  .value("alerts")
                                  .toArray();
    for (const QJsonValue& alert : alerts) {
        const QJsonObject a = alert.toObject();
        if (a.value("labels").toObject().value("alertname").toString() ==
            QLatin1String("AlwaysFiring")) {
            if (state)
                *state = a.value("state").toString();
            return a.value("activeAt").toString();
        }
    }
    return {};
}

}  // namespace

class TestAlertingRestart : public QObject {
    Q_OBJECT
private slots:
    void fireNotifyKillRestart() {
        if (!QFile::exists(vigil::test::vigilBinary("vigil")))
            QSKIP("vigil is not built next to this test (VIGIL_BIN_DIR)");
        HttpSink webhook;
        QTemporaryDir dir;
        const QByteArray firingRules =
            "groups:\n"
            "  - name: restart\n"
            "    interval: 1s\n"
            "    rules:\n"
            "      - alert: AlwaysFiring\n"
            "        expr: vector(1)\n"
            "        for: 3s\n";
        QVERIFY(writeFile(dir.filePath("rules.yml"), firingRules));
        QVERIFY(writeFile(dir.filePath("vigil.yml"),
                          "server:\n  listen: 127.0.0.1:0\n"
                          "host_collector:\n  enabled: false\n"
                          "rule_files: [rules.yml]\n"
                          "alertmanager:\n"
                          "  route:\n"
                          "    receiver: hook\n"
                          "    group_wait: 1s\n"
                          "    group_interval: 1s\n"
                          "    repeat_interval: 1h\n"
                          "  receivers:\n"
                          "    - name: hook\n"
                          "      webhook_configs:\n"
                          "        - url: " +
                              QByteArray::fromStdString(webhook.url("/hook")) + "\n"));
        const QStringList args{QStringLiteral("--headless"), QStringLiteral("--config"),
                               dir.filePath("vigil.yml"), QStringLiteral("--data-dir"),
                               dir.filePath("data")};

        // 1. Fire and notify once.
        QString firstActiveAt;
        {
            VigilProcess vigil(args);
            const QString address = vigil.waitForAddress();
            QVERIFY2(!address.isEmpty(), qPrintable(vigil.log()));
            QTRY_VERIFY_WITH_TIMEOUT(webhooks(webhook, "firing") == 1, 30000);
            QString state;
            firstActiveAt = activeAt(address, &state);
            QCOMPARE(state, QStringLiteral("firing"));
            QVERIFY(!firstActiveAt.isEmpty());
            // 2. kill -9.
            QCOMPARE(vigil.terminate(SIGKILL), -1);
        }

        // 3. Restart: the alert is firing again at once with the same
        // activeAt (the `for` state is restored, no new pending period), and
        // the firing notification is not re-sent before repeat_interval.
        VigilProcess vigil(args);
        const QString address = vigil.waitForAddress();
        QVERIFY2(!address.isEmpty(), qPrintable(vigil.log()));
        QString state;
        QTRY_VERIFY_WITH_TIMEOUT((activeAt(address, &state), state == QLatin1String("firing")),
                                 10000);
        QCOMPARE(activeAt(address), firstActiveAt);
        QTest::qWait(5000);  // several group intervals
        QCOMPARE(webhooks(webhook, "firing"), 1);

        // 4. Nothing lost: when the alert stops firing, the dispatcher of the
        // restarted Vigil knows it was notified and sends the resolve. (The
        // rule stays, with an expression that no longer fires: a removed
        // rule's alerts would only expire, as in Prometheus.)
        QByteArray quiet = firingRules;
        quiet.replace("expr: vector(1)", "expr: vector(1) > 2");
        QVERIFY(writeFile(dir.filePath("rules.yml"), quiet));
        const auto reloaded = vigil::test::httpRequest(address, "POST", "/-/reload");
        QCOMPARE(reloaded.status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(webhooks(webhook, "resolved") == 1, 30000);
        QCOMPARE(webhooks(webhook, "firing"), 1);
        QCOMPARE(vigil.terminate(SIGTERM), 0);
    }
};

QTEST_GUILESS_MAIN(TestAlertingRestart)
#include "tst_alerting_restart.moc"
