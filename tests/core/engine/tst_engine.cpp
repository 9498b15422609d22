#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "core/config/prometheus_config.h"
#include "core/engine/engine.h"
#include "core/scrape/scrape_manager.h"
#include "tests/core/scrape/scrape_test_support.h"
#include "tests/support/http_client.h"

using vigil::Status;
using vigil::engine::Engine;
using vigil::engine::EngineOptions;
using vigil::engine::Service;

namespace {

// Records its transitions in a shared journal; can be told to fail.
class JournalService : public Service {
public:
    JournalService(QString name, QStringList& journal, bool failStart = false)
        : Service(std::move(name)), m_journal(journal), m_failStart(failStart) {}
    ~JournalService() override { stop(); }

protected:
    Status doStart() override {
        if (m_failStart)
            return Status::error("refusing to start (test)");
        m_journal << "start " + name();
        return Status::ok();
    }
    void doStop() override { m_journal << "stop " + name(); }

private:
    QStringList& m_journal;
    bool m_failStart;
};

EngineOptions testOptions(const QString& dataDir) {
    EngineOptions options;
    options.dataDir = dataDir;
    options.config.server.listen = {"127.0.0.1", 0};
    return options;
}

long residentKiB() {
    QFile status("/proc/self/status");
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLong();
    }
    return 0;
}

// The value of one sample line of a /metrics page (-1 when absent).
double metricValue(const std::string& page, const std::string& series) {
    const QRegularExpression re(
        "^" + QRegularExpression::escape(QString::fromStdString(series)) + " (\\S+)$",
        QRegularExpression::MultilineOption);
    const auto match = re.match(QString::fromStdString(page));
    return match.hasMatch() ? match.captured(1).toDouble() : -1;
}

}  // namespace

class TestEngine : public QObject {
    Q_OBJECT
private slots:
    // The targets snapshot through the facade and GET /api/v1/targets and
    // /api/v1/metadata on the listener; the self metrics at /metrics move.
    void targetsMetadataAndSelfMetrics() {
        using namespace vigil;
        test::ExpositionServer server;
        server.setPage("/metrics", {"# HELP a_total Things done.\n# TYPE a_total counter\n"
                                    "a_total{k=\"v\"} 1\n"});
        server.setPage("/broken", {"broken{ 1\n"});
        const std::string yaml =
            "scrape_configs:\n"
            "  - job_name: good\n    scrape_interval: 1s\n    scrape_timeout: 500ms\n"
            "    static_configs:\n      - targets: ['" +
            server.address() +
            "']\n"
            "  - job_name: broken\n    scrape_interval: 1s\n    scrape_timeout: 500ms\n"
            "    metrics_path: /broken\n"
            "    static_configs:\n      - targets: ['" +
            server.address() +
            "', 'gone:1']\n"
            "    relabel_configs:\n      - {source_labels: [__address__], regex: 'gone.*', "
            "action: drop}\n";
        auto loaded = config::parsePrometheusConfig(yaml, "test.yml", "/");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        QTemporaryDir dir;
        EngineOptions options = testOptions(dir.path());
        options.config.hostCollector.enabled = false;
        options.config.scrapeConfigs = loaded->config.scrapeConfigs;
        Engine engine(options);
        QVERIFY(engine.targets().active.empty());  // not started: nothing, and no crash
        QVERIFY(engine.start().isOk());
        const QString address = engine.httpAddress();

        auto scraped = [&engine] {
            const scrape::TargetsSnapshot snap = engine.targets();
            int n = 0;
            for (const auto& t : snap.active)
                n += t.health != scrape::TargetHealth::kUnknown ? 1 : 0;
            return n;
        };
        QTRY_COMPARE_WITH_TIMEOUT(scraped(), 2, 10000);

        const scrape::TargetsSnapshot snap = engine.targets();
        QCOMPARE(snap.active.size(), std::size_t(2));
        QCOMPARE(snap.dropped.size(), std::size_t(1));
        QCOMPARE(snap.dropped[0].job, std::string("broken"));
        QCOMPARE(snap.dropped[0].discoveredLabels.get("__address__"), std::string_view("gone:1"));
        const scrape::TargetSnapshot& broken = snap.active[0];  // sorted by job
        const scrape::TargetSnapshot& good = snap.active[1];
        QCOMPARE(broken.job, std::string("broken"));
        QCOMPARE(broken.health, scrape::TargetHealth::kDown);
        QVERIFY2(broken.lastError.starts_with("line 1: "), broken.lastError.c_str());
        QCOMPARE(good.job, std::string("good"));
        QCOMPARE(good.health, scrape::TargetHealth::kUp);
        QCOMPARE(good.scrapeUrl, "http://" + server.address() + "/metrics");
        QCOMPARE(good.labels, (model::Labels{{"instance", server.address()}, {"job", "good"}}));
        QCOMPARE(good.discoveredLabels.get("__scrape_interval__"), std::string_view("1s"));
        QVERIFY(good.lastScrape > std::chrono::system_clock::now() - std::chrono::seconds(10));
        QVERIFY(good.lastScrapeDurationSeconds > 0);

        const auto targets = test::httpGet(address, "/api/v1/targets");
        QCOMPARE(targets.status, 200);
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(targets.body));
        QCOMPARE(doc["status"].toString(), QString("success"));
        const QJsonArray active = doc["data"]["activeTargets"].toArray();
        QCOMPARE(active.size(), 2);
        QCOMPARE(active[1]["health"].toString(), QString("up"));
        QCOMPARE(active[1]["scrapePool"].toString(), QString("good"));
        QCOMPARE(active[0]["health"].toString(), QString("down"));
        QCOMPARE(doc["data"]["droppedTargets"].toArray().size(), 1);

        QTRY_COMPARE_WITH_TIMEOUT(
            QString::fromStdString(test::httpGet(address, "/api/v1/metadata").body),
            QString("{\"status\":\"success\",\"data\":{\"a_total\":[{\"type\":\"counter\","
                    "\"help\":\"Things done.\",\"unit\":\"\"}]}}"),
            5000);
        QCOMPARE(test::httpGet(address, "/api/v1/targets/metadata?metric=a_total").body,
                 "{\"status\":\"success\",\"data\":[{\"target\":{\"instance\":\"" +
                     server.address() +
                     "\",\"job\":\"good\"},\"type\":\"counter\",\"help\":\"Things "
                     "done.\",\"unit\":\"\"}]}");

        // Self metrics: they exist and they move.
        const std::string before = test::httpGet(address, "/metrics").body;
        const double appended = metricValue(before, "vigil_scrape_samples_appended_total");
        const double failures = metricValue(before, "vigil_scrape_failures_total{job=\"broken\"}");
        QVERIFY2(appended > 0, before.c_str());
        QVERIFY(failures > 0);
        QVERIFY(metricValue(before, "vigil_scrape_queue_depth") >= 0);
        QVERIFY(metricValue(before, "vigil_remote_write_inflight_requests") == 0);
        QCOMPARE(metricValue(before, "vigil_remote_write_requests_total{code=\"400\"}"), -1.0);
        // An empty WriteRequest (snappy of nothing) is stored fine; garbage is 400.
        QCOMPARE(test::httpRequest(address, "POST", "/api/v1/write", std::string(1, '\0'),
                                   "application/x-protobuf")
                     .status,
                 204);
        QCOMPARE(
            test::httpRequest(address, "POST", "/api/v1/write", "garbage", "application/x-protobuf")
                .status,
            400);
        QTest::qWait(2200);  // two more scrapes of each target
        const std::string after = test::httpGet(address, "/metrics").body;
        QVERIFY(metricValue(after, "vigil_scrape_samples_appended_total") > appended);
        QVERIFY(metricValue(after, "vigil_scrape_failures_total{job=\"broken\"}") > failures);
        QCOMPARE(metricValue(after, "vigil_remote_write_requests_total{code=\"204\"}"), 1.0);
        QCOMPARE(metricValue(after, "vigil_remote_write_requests_total{code=\"400\"}"), 1.0);
        engine.stop();
    }

    // Vigil's own metrics land in the TSDB under job "vigil", with the
    // listener's address as instance, like a Prometheus self-scrape.
    void selfMonitoringStoresOwnMetrics() {
        using namespace vigil;
        QTemporaryDir dir;
        EngineOptions options = testOptions(dir.path());
        options.config.hostCollector.enabled = false;
        options.config.selfMonitoring.scrapeInterval = std::chrono::milliseconds(200);
        Engine engine(options);
        QVERIFY(engine.start().isOk());
        const QString address = engine.httpAddress();
        auto query = [&address](const char* encoded) {
            return QJsonDocument::fromJson(QByteArray::fromStdString(
                test::httpGet(address, std::string("/api/v1/query?query=") + encoded).body));
        };
        // up{job="vigil"}
        QTRY_COMPARE_WITH_TIMEOUT(
            query("up%7Bjob%3D%22vigil%22%7D")["data"]["result"].toArray().size(), 1, 10000);
        const QJsonObject up =
            query("up%7Bjob%3D%22vigil%22%7D")["data"]["result"].toArray()[0].toObject();
        QCOMPARE(up["metric"]["instance"].toString(), address);
        QCOMPARE(up["value"].toArray()[1].toString(), QString("1"));
        // process_resident_memory_bytes{job="vigil"} is this process's RSS.
        const QJsonArray rss =
            query("process_resident_memory_bytes%7Bjob%3D%22vigil%22%7D")["data"]["result"]
                .toArray();
        QCOMPARE(rss.size(), 1);
        QVERIFY(rss[0]["value"].toArray()[1].toString().toDouble() > 1e6);
        // A counter of the engine itself moves between collections.
        QTRY_VERIFY_WITH_TIMEOUT(
            query("sum(vigil_tsdb_head_series%7Bjob%3D%22vigil%22%7D)")["data"]["result"]
                    .toArray()
                    .size() == 1,
            5000);
        engine.stop();
    }

    void startStopFiftyTimes() {
        QTemporaryDir dir;
        Engine engine(testOptions(dir.path()));
        long rssAfterWarmup = 0;
        for (int i = 0; i < 50; ++i) {
            const Status started = engine.start();
            QVERIFY2(started.isOk(), started.message().c_str());
            QVERIFY(engine.isRunning());
            const QString address = engine.httpAddress();
            QVERIFY(!address.isEmpty());
            const auto reply = vigil::test::httpGet(address, "/-/ready");
            QCOMPARE(reply.status, 200);
            engine.stop();
            QVERIFY(!engine.isRunning());
            QVERIFY(engine.httpAddress().isEmpty());
            // The port is really closed after stop().
            QCOMPARE(vigil::test::httpGet(address, "/-/healthy").status, 0);
            if (i == 4)
                rssAfterWarmup = residentKiB();
        }
#if defined(__SANITIZE_ADDRESS__)
        // Under ASan the quarantine holds freed memory, so RSS says nothing;
        // LeakSanitizer checks for leaks when the process exits instead.
        (void)rssAfterWarmup;
#else
        // No growth beyond noise across 45 more cycles.
        const long growth = residentKiB() - rssAfterWarmup;
        QVERIFY2(growth < 4096, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(growth)));
#endif
    }

    void freshEnginesFiftyTimes() {
        QTemporaryDir dir;
        for (int i = 0; i < 50; ++i) {
            Engine engine(testOptions(dir.path()));
            QVERIFY(engine.start().isOk());
            // Destroying a running engine stops it.
        }
    }

    void servicesStopInReverseOrder() {
        QTemporaryDir dir;
        QStringList journal;
        Engine engine(testOptions(dir.path()));
        engine.addService(std::make_unique<JournalService>("a", journal));
        engine.addService(std::make_unique<JournalService>("b", journal));
        QVERIFY(engine.start().isOk());
        engine.stop();
        QCOMPARE(journal, QStringList({"start a", "start b", "stop b", "stop a"}));
        const auto statuses = engine.serviceStatuses();
        // Built-in services first, in start order: storage, log store, listener,
        // collector, rules.
        QStringList names;
        for (const auto& status : statuses)
            names << status.name;
        QCOMPARE(names, QStringList({"tsdb", "logs", "http", "host-collector", "self-monitoring",
                                     "rules", "a", "b"}));
    }

    void failedStartRollsBack() {
        QTemporaryDir dir;
        QStringList journal;
        Engine engine(testOptions(dir.path()));
        engine.addService(std::make_unique<JournalService>("a", journal));
        engine.addService(std::make_unique<JournalService>("broken", journal, /*failStart=*/true));
        const Status started = engine.start();
        QVERIFY(!started.isOk());
        QVERIFY2(started.message().find("starting broken: refusing to start") != std::string::npos,
                 started.message().c_str());
        QCOMPARE(journal, QStringList({"start a", "stop a"}));
        QVERIFY(!engine.isRunning());
        // The lock was released: another engine may take the directory.
        Engine other(testOptions(dir.path()));
        QVERIFY(other.start().isOk());
    }

    void secondEngineOnSameDataDirRefuses() {
        QTemporaryDir dir;
        Engine first(testOptions(dir.path()));
        QVERIFY(first.start().isOk());
        Engine second(testOptions(dir.path()));
        const Status refused = second.start();
        QVERIFY(!refused.isOk());
        QVERIFY2(refused.message().find("is in use by another Vigil process (pid " +
                                        std::to_string(QCoreApplication::applicationPid())) !=
                     std::string::npos,
                 refused.message().c_str());
        first.stop();
        QVERIFY(second.start().isOk());
    }

    void takenPortIsReported() {
        QTemporaryDir dirA, dirB;
        Engine first(testOptions(dirA.path()));
        QVERIFY(first.start().isOk());
        const QString address = first.httpAddress();
        EngineOptions options = testOptions(dirB.path());
        options.config.server.listen.port = address.mid(address.lastIndexOf(':') + 1).toInt();
        Engine second(options);
        const Status refused = second.start();
        QVERIFY(!refused.isOk());
        QVERIFY2(refused.message().find("cannot listen on " + address.toStdString()) !=
                     std::string::npos,
                 refused.message().c_str());
    }

    void stateChangesArriveAsSignals() {
        QTemporaryDir dir;
        Engine engine(testOptions(dir.path()));
        QSignalSpy spy(&engine, &Engine::serviceStateChanged);
        QVERIFY(engine.start().isOk());
        engine.stop();
        QVERIFY(spy.count() >= 4);  // starting, running, stopping, stopped
        QCOMPARE(spy.last().at(1).value<Service::State>(), Service::State::kStopped);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
