// Forwarding to an external Alertmanager (prometheus.yml `alerting:`):
// configuration errors with positions, Prometheus's queue semantics (bounded,
// oldest dropped, drops counted), and delivery to the real Alertmanager 0.25
// (Debian prometheus-alertmanager) on 127.0.0.1, verified via its
// /api/v2/alerts.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "core/notify/receivers/alertmanager_forwarder.h"
#include "tests/core/notify/receivers/http_sink.h"
#include "tests/support/http_client.h"
#include "tests/support/prometheus_process.h"  // freeLoopbackPort

using namespace vigil;
using namespace vigil::notify::receivers;

namespace {

model::Alert makeAlert(const std::string& name, model::Timestamp startsAtMs) {
    model::Alert a;
    a.labels = model::Labels{{"alertname", name}, {"severity", "page"}};
    a.annotations = model::Labels{{"summary", "it <broke> & burned"}};
    a.startsAtMs = startsAtMs;
    a.generatorUrl = "http://vigil.example:9090/graph?g0.expr=up%3D%3D0&g0.tab=1";
    return a;
}

AlertingConfig configFor(const std::string& target, const std::string& prefix = {}) {
    auto loaded = parseAlertingConfig(
        "global: {scrape_interval: 15s}\nalerting:\n  alertmanagers:\n  - static_configs:\n"
        "    - targets: ['" +
            target + "']\n    path_prefix: '" + prefix + "'\n    timeout: 2s\n",
        "prometheus.yml");
    return loaded.isOk() ? loaded->config : AlertingConfig{};
}

class AlertmanagerProcess {
public:
    ~AlertmanagerProcess() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(10000)) {
                m_process.kill();
                m_process.waitForFinished();
            }
        }
    }
    static QString binary() { return QStandardPaths::findExecutable("prometheus-alertmanager"); }
    QString start(const QString& routePrefix) {
        if (binary().isEmpty())
            return "prometheus-alertmanager is not installed";
        m_port = test::freeLoopbackPort();
        QFile config(m_dir.filePath("alertmanager.yml"));
        if (!config.open(QIODevice::WriteOnly))
            return "cannot write alertmanager.yml";
        config.write("route: {receiver: 'null'}\nreceivers:\n- name: 'null'\n");
        config.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(
            binary(),
            {"--config.file=" + config.fileName(), "--storage.path=" + m_dir.filePath("data"),
             QString("--web.listen-address=127.0.0.1:%1").arg(m_port),
             "--web.route-prefix=" + routePrefix, "--cluster.listen-address="});
        if (!m_process.waitForStarted(10000))
            return "alertmanager did not start";
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000) {
            if (m_process.state() != QProcess::Running)
                return "alertmanager exited: " + QString::fromUtf8(m_process.readAll());
            if (test::httpGet(address(), routePrefix.toStdString() + "/-/ready").status == 200)
                return {};
            QThread::msleep(100);
        }
        return "alertmanager was not ready within 30 s";
    }
    QString address() const { return QString("127.0.0.1:%1").arg(m_port); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    int m_port = 0;
};

}  // namespace

class TestAlertmanagerForwarder : public QObject {
    Q_OBJECT
private slots:
    void parse() {
        auto loaded = parseAlertingConfig(
            "alerting:\n  alertmanagers:\n  - scheme: https\n    path_prefix: /am/\n"
            "    timeout: 3s\n    api_version: v2\n    basic_auth: {username: u, password: p}\n"
            "    static_configs:\n    - targets: ['a:9093', 'b:9093']\n",
            "prometheus.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        const auto& set = loaded->config.alertmanagers.at(0);
        QCOMPARE(set.timeout.count(), 3000);
        QCOMPARE(set.http.basicAuthUser, std::string("u"));
        QCOMPARE(set.urls(), (std::vector<std::string>{"https://a:9093/am/api/v2/alerts",
                                                       "https://b:9093/am/api/v2/alerts"}));
    }

    void parseErrors_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("error");
        QTest::newRow("api-v1") << "alerting:\n  alertmanagers:\n  - api_version: v1\n"
                                << "prometheus.yml:3:18: alerting.alertmanagers[0].api_version: "
                                   "unsupported Alertmanager API version \"v1\"";
        QTest::newRow("sd") << "alerting:\n  alertmanagers:\n  - file_sd_configs: []\n"
                            << "prometheus.yml:3:5: alerting.alertmanagers[0].file_sd_configs: "
                               "service discovery";
        QTest::newRow("scheme") << "alerting:\n  alertmanagers:\n  - scheme: ftp\n"
                                << "prometheus.yml:3:13";
        QTest::newRow("unknown") << "alerting:\n  alertmanagers:\n  - timeuot: 1s\n"
                                 << "prometheus.yml:3:5: unknown key 'timeuot'";
        QTest::newRow("target") << "alerting:\n  alertmanagers:\n  - static_configs:\n"
                                   "    - targets: ['http://a:9093/']\n"
                                << "prometheus.yml:4:16: alerting.alertmanagers[0]."
                                   "static_configs[0].targets: \"http://a:9093/\" is not a valid";
    }

    void parseErrors() {
        QFETCH(QString, yaml);
        QFETCH(QString, error);
        auto loaded = parseAlertingConfig(yaml.toStdString(), "prometheus.yml");
        QVERIFY(!loaded.isOk());
        const QString message = QString::fromStdString(loaded.status().message());
        QVERIFY2(message.contains(error), qPrintable(message));
    }

    void encodesPostableAlerts() {
        const std::string body =
            AlertmanagerForwarder::encodeBatch({makeAlert("A", 1714557600123)});
        const QJsonArray a = QJsonDocument::fromJson(QByteArray::fromStdString(body)).array();
        QCOMPARE(a.size(), 1);
        const QJsonObject o = a[0].toObject();
        QCOMPARE(o.value("startsAt").toString(), QString("2024-05-01T10:00:00.123Z"));
        QVERIFY(!o.contains("endsAt"));  // unknown: Alertmanager applies resolve_timeout
        QCOMPARE(o.value("labels").toObject().value("alertname").toString(), QString("A"));
        QCOMPARE(o.value("annotations").toObject().value("summary").toString(),
                 QString("it <broke> & burned"));
    }

    // The queue keeps the newest alerts and counts what it drops.
    void queueDropsOldest() {
        test::HttpSink sink;
        sink.setDelayMs(500);
        AlertmanagerForwarder::Options options;
        options.queueCapacity = 5;
        options.maxBatchSize = 64;
        AlertmanagerForwarder forwarder(configFor("127.0.0.1:" + std::to_string(sink.port())),
                                        nullptr, options);
        forwarder.send({makeAlert("first", 1000)});
        // Wait until the first batch is in flight, then overflow the queue.
        for (int i = 0; i < 100 && sink.requests().empty(); ++i)
            QThread::msleep(10);
        QCOMPARE(sink.requests().size(), std::size_t(1));
        std::vector<model::Alert> burst;
        for (int i = 0; i < 8; ++i)
            burst.push_back(makeAlert("burst" + std::to_string(i), 1000));
        forwarder.send(burst);                      // 8 > capacity 5: the 3 oldest go
        forwarder.send({makeAlert("late", 1000)});  // queue full: burst3 goes
        QCOMPARE(forwarder.stats().dropped, std::uint64_t(4));
        QVERIFY(forwarder.waitIdle(std::chrono::seconds(10)));
        const auto requests = sink.requests();
        QCOMPARE(requests.size(), std::size_t(2));
        const QJsonArray second =
            QJsonDocument::fromJson(QByteArray::fromStdString(requests[1].body)).array();
        QStringList names;
        for (const auto& v : second)
            names << v.toObject().value("labels").toObject().value("alertname").toString();
        QCOMPARE(names, (QStringList{"burst4", "burst5", "burst6", "burst7", "late"}));
        QCOMPARE(QString::fromStdString(requests[1].path), QString("/api/v2/alerts"));
        const auto stats = forwarder.stats();
        QCOMPARE(stats.sent, std::uint64_t(6));
        QCOMPARE(stats.batches, std::uint64_t(2));
        QCOMPARE(stats.errors, std::uint64_t(0));
    }

    void unreachableCountsErrors() {
        AlertmanagerForwarder forwarder(
            configFor("127.0.0.1:" + std::to_string(test::freeLoopbackPort())));
        forwarder.send({makeAlert("A", 1000), makeAlert("B", 1000)});
        QVERIFY(forwarder.waitIdle(std::chrono::seconds(10)));
        const auto stats = forwarder.stats();
        QCOMPARE(stats.sent, std::uint64_t(0));
        QCOMPARE(stats.dropped, std::uint64_t(2));
        QCOMPARE(stats.errors, std::uint64_t(1));
        QVERIFY(!stats.lastError.empty());
    }

    void batches() {
        test::HttpSink sink;
        AlertmanagerForwarder::Options options;
        options.maxBatchSize = 64;
        AlertmanagerForwarder forwarder(configFor("127.0.0.1:" + std::to_string(sink.port())),
                                        nullptr, options);
        sink.setDelayMs(200);
        forwarder.send({makeAlert("warmup", 1000)});
        for (int i = 0; i < 100 && sink.requests().empty(); ++i)
            QThread::msleep(10);
        std::vector<model::Alert> many;
        for (int i = 0; i < 130; ++i)
            many.push_back(makeAlert("a" + std::to_string(i), 1000));
        forwarder.send(many);
        QVERIFY(forwarder.waitIdle(std::chrono::seconds(10)));
        const auto requests = sink.requests();
        QCOMPARE(requests.size(), std::size_t(4));  // 1 + 64 + 64 + 2
        QCOMPARE(
            QJsonDocument::fromJson(QByteArray::fromStdString(requests[1].body)).array().size(),
            64);
        QCOMPARE(
            QJsonDocument::fromJson(QByteArray::fromStdString(requests[3].body)).array().size(), 2);
    }

    void realAlertmanager() {
        AlertmanagerProcess am;
        const QString error = am.start("/am");
        if (error.contains("not installed"))
            QSKIP(qPrintable(error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const model::Timestamp now = QDateTime::currentMSecsSinceEpoch() / 1000 * 1000;
        AlertmanagerForwarder forwarder(configFor(am.address().toStdString(), "/am"));
        model::Alert resolved = makeAlert("Gone", now - 60000);
        resolved.endsAtMs = now + 3600 * 1000;
        forwarder.send(
            {makeAlert("DiskFull", now - 5000), makeAlert("CpuHot", now - 1000), resolved});
        QVERIFY(forwarder.waitIdle(std::chrono::seconds(10)));
        const auto stats = forwarder.stats();
        QVERIFY2(stats.errors == 0, stats.lastError.c_str());
        QCOMPARE(stats.sent, std::uint64_t(3));

        const auto reply = test::httpGet(am.address(), "/am/api/v2/alerts");
        QCOMPARE(reply.status, 200);
        const QJsonArray alerts =
            QJsonDocument::fromJson(QByteArray::fromStdString(reply.body)).array();
        QCOMPARE(alerts.size(), 3);
        QMap<QString, QJsonObject> byName;
        for (const auto& v : alerts)
            byName[v.toObject().value("labels").toObject().value("alertname").toString()] =
                v.toObject();
        QCOMPARE(byName.keys(), (QStringList{"CpuHot", "DiskFull", "Gone"}));
        const QJsonObject disk = byName["DiskFull"];
        QCOMPARE(disk.value("labels").toObject().value("severity").toString(), QString("page"));
        QCOMPARE(disk.value("annotations").toObject().value("summary").toString(),
                 QString("it <broke> & burned"));
        QCOMPARE(QDateTime::fromString(disk.value("startsAt").toString(), Qt::ISODateWithMs)
                     .toMSecsSinceEpoch(),
                 now - 5000);
        QCOMPARE(disk.value("generatorURL").toString(),
                 QString("http://vigil.example:9090/graph?g0.expr=up%3D%3D0&g0.tab=1"));
        QCOMPARE(QDateTime::fromString(byName["Gone"].value("endsAt").toString(), Qt::ISODateWithMs)
                     .toMSecsSinceEpoch(),
                 now + 3600 * 1000);
        QCOMPARE(disk.value("status").toObject().value("state").toString(), QString("active"));
    }
};

QTEST_GUILESS_MAIN(TestAlertmanagerForwarder)
#include "tst_alertmanager_forwarder.moc"
