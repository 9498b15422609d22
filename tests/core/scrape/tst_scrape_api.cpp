// Targets and metadata: the snapshot the Engine hands the UI, the metadata
// store of the scrape loops, and GET /api/v1/targets, /api/v1/targets/metadata
// and /api/v1/metadata, compared with the real Prometheus scraping the same
// pages.

#include <httplib.h>
#include <unistd.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <thread>

#include "core/config/prometheus_config.h"
#include "core/instrument/metric_registry.h"
#include "core/model/in_memory_storage.h"
#include "core/scrape/scrape_api.h"
#include "core/scrape/scrape_manager.h"
#include "scrape_test_support.h"
#include "tests/support/http_client.h"
#include "tests/support/prometheus_process.h"

using namespace vigil;
using namespace vigil::scrape;
using namespace std::chrono_literals;

namespace {

constexpr model::Timestamp kT0 = 1700000000000;

TargetLabels makeTarget() {
    TargetDefaults defaults;
    defaults.jobName = "node";
    defaults.scrapeInterval = std::chrono::seconds(15);
    defaults.scrapeTimeout = std::chrono::seconds(10);
    return populateTargetLabels(model::Labels{{"__address__", "host:9100"}}, defaults, {}).value();
}

ScrapeResponse page(std::string body, std::string contentType = "text/plain; version=0.0.4") {
    ScrapeResponse response;
    response.body = std::move(body);
    response.contentType = std::move(contentType);
    return response;
}

const char* const kOpenMetricsType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

// The OpenMetrics page both scrapers see: every kind of metadata line.
const char* const kOpenMetricsPage =
    "# TYPE om_request_seconds histogram\n"
    "# UNIT om_request_seconds seconds\n"
    "# HELP om_request_seconds Request \\\"latency\\\" with a \\\\ and\\na newline.\n"
    "om_request_seconds_bucket{le=\"0.1\"} 3\n"
    "om_request_seconds_bucket{le=\"+Inf\"} 5\n"
    "om_request_seconds_count 5\n"
    "om_request_seconds_sum 1.5\n"
    "# TYPE om_jobs counter\n"
    "# HELP om_jobs Jobs run.\n"
    "om_jobs_total{kind=\"a\"} 7\n"
    "# TYPE om_build info\n"
    "om_build_info{version=\"1.2\"} 1\n"
    "# TYPE om_state stateset\n"
    "om_state{om_state=\"on\"} 1\n"
    "om_state{om_state=\"off\"} 0\n"
    "# HELP om_untyped Only help.\n"
    "om_untyped 3\n"
    "# EOF\n";

std::vector<config::ScrapeConfig> configsFrom(const std::string& yaml) {
    auto loaded = config::parsePrometheusConfig(yaml, "test.yml", "/");
    if (!loaded.isOk())
        qFatal("bad test config: %s", loaded.status().message().c_str());
    return loaded->config.scrapeConfigs;
}

QJsonDocument json(const std::string& body) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(body));
}

// /api/v1/metadata's data as family → sorted list of entries (Prometheus's
// order within a family is a Go map's).
std::map<QString, QStringList> metadataMap(const QJsonObject& data) {
    std::map<QString, QStringList> out;
    for (auto it = data.begin(); it != data.end(); ++it) {
        QStringList entries;
        for (const QJsonValue& v : it.value().toArray())
            entries << QString::fromUtf8(
                QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
        entries.sort();
        out[it.key()] = entries;
    }
    return out;
}

// /api/v1/targets/metadata's data as a sorted list of compact objects.
QStringList targetMetadataList(const QJsonArray& data) {
    QStringList out;
    for (const QJsonValue& v : data)
        out << QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    out.sort();
    return out;
}

}  // namespace

class TestScrapeApi : public QObject {
    Q_OBJECT
private slots:
    void apiTime_data() {
        QTest::addColumn<qint64>("ns");
        QTest::addColumn<QString>("expected");
        QTest::newRow("never") << qint64(0) << "0001-01-01T00:00:00Z";
        QTest::newRow("whole second") << qint64(1700000000) * 1000000000 << "2023-11-14T22:13:20Z";
        QTest::newRow("ms cut zeros")
            << qint64(1700000000120) * 1000000 << "2023-11-14T22:13:20.12Z";
        QTest::newRow("ns") << qint64(1700000000123456789) << "2023-11-14T22:13:20.123456789Z";
    }
    void apiTime() {
        QFETCH(qint64, ns);
        QFETCH(QString, expected);
        const auto t = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::nanoseconds(ns)));
        QCOMPARE(QString::fromStdString(formatApiTime(t)), expected);
    }

    void globalUrlReplacesLoopback() {
        char host[256] = {};
        QVERIFY(gethostname(host, sizeof(host) - 1) == 0);
        QCOMPARE(globalUrl("http://127.0.0.1:9100/metrics?a=b"),
                 "http://" + std::string(host) + ":9100/metrics?a=b");
        QCOMPARE(globalUrl("https://localhost/x"), "https://" + std::string(host) + "/x");
        QCOMPARE(globalUrl("http://[::1]:80/m"), "http://" + std::string(host) + ":80/m");
        QCOMPARE(globalUrl("http://10.0.0.1:9100/metrics"),
                 std::string("http://10.0.0.1:9100/metrics"));
    }

    void targetsJsonShape() {
        TargetsSnapshot snap;
        TargetSnapshot t;
        t.job = "node";
        t.scrapeUrl = "http://10.1.2.3:9100/metrics";
        t.discoveredLabels = model::Labels{{"__address__", "10.1.2.3:9100"}, {"job", "node"}};
        t.labels = model::Labels{{"instance", "10.1.2.3:9100"}, {"job", "node"}};
        t.health = TargetHealth::kDown;
        t.lastScrape = std::chrono::system_clock::time_point(std::chrono::milliseconds(kT0 + 5));
        t.lastScrapeDurationSeconds = 0.25;
        t.lastError = "line 3: \"bad\"";
        t.interval = 15s;
        t.timeout = 10s;
        snap.active.push_back(t);
        snap.dropped.push_back({"other", model::Labels{{"__address__", "x:1"}, {"job", "other"}}});

        const std::string active =
            "{\"discoveredLabels\":{\"__address__\":\"10.1.2.3:9100\",\"job\":\"node\"},"
            "\"labels\":{\"instance\":\"10.1.2.3:9100\",\"job\":\"node\"},\"scrapePool\":\"node\","
            "\"scrapeUrl\":\"http://10.1.2.3:9100/metrics\","
            "\"globalUrl\":\"http://10.1.2.3:9100/metrics\",\"lastError\":\"line 3: \\\"bad\\\"\","
            "\"lastScrape\":\"2023-11-14T22:13:20.005Z\",\"lastScrapeDuration\":0.25,"
            "\"health\":\"down\",\"scrapeInterval\":\"15s\",\"scrapeTimeout\":\"10s\"}";
        const std::string dropped =
            "{\"discoveredLabels\":{\"__address__\":\"x:1\",\"job\":\"other\"}}";
        QCOMPARE(renderTargetsJson(snap, "", ""),
                 "{\"activeTargets\":[" + active + "],\"droppedTargets\":[" + dropped + "]}");
        QCOMPARE(renderTargetsJson(snap, "active", ""),
                 "{\"activeTargets\":[" + active + "],\"droppedTargets\":[]}");
        QCOMPARE(renderTargetsJson(snap, "dropped", ""),
                 "{\"activeTargets\":[],\"droppedTargets\":[" + dropped + "]}");
        QCOMPARE(renderTargetsJson(snap, "any", "other"),
                 "{\"activeTargets\":[],\"droppedTargets\":[" + dropped + "]}");
    }

    void loopKeepsMetadataAndForgetsIt() {
        model::InMemoryStorage storage;
        auto options = std::make_shared<LoopOptions>();
        options->jobName = "node";
        ScrapeLoop loop(storage, makeTarget(), options);
        QVERIFY(loop.metadata()->empty());

        loop.process(kT0, page("# HELP a_total Counts \\\\ things.\n# TYPE a_total counter\n"
                               "a_total 1\n# TYPE b gauge\nb 2\n# HELP c Only help.\nc 1\n"));
        std::vector<MetricMetadata> expected = {{"a_total", "counter", "Counts \\ things.", ""},
                                                {"b", "gauge", "", ""},
                                                {"c", "unknown", "Only help.", ""}};
        QCOMPARE(*loop.metadata(), expected);

        // A snapshot taken before is immutable; a change publishes anew.
        auto before = loop.metadata();
        loop.process(kT0 + 15000, page("# TYPE b counter\nb 3\n"));
        QCOMPARE(before->at(1).type, std::string("gauge"));
        QCOMPARE(loop.metadata()->at(1).type, std::string("counter"));
        // Unchanged metadata is not republished.
        auto same = loop.metadata();
        loop.process(kT0 + 30000, page("# TYPE b counter\nb 3\n"));
        QCOMPARE(loop.metadata().get(), same.get());

        // a_total and c were last seen at scrape 1; Prometheus keeps them
        // while at most 10 scrapes have gone by since, then forgets them.
        for (int i = 3; i <= 10; ++i)  // scrapes 4 to 11
            loop.process(kT0 + i * 15000, page("# TYPE b counter\nb 3\n"));
        QCOMPARE(loop.metadata()->size(), std::size_t(3));
        loop.process(kT0 + 12 * 15000, page("# TYPE b counter\nb 3\n"));
        QCOMPARE(loop.metadata()->size(), std::size_t(1));
        QCOMPARE(loop.metadata()->front().metric, std::string("b"));
        // A failed scrape still ages the metadata but keeps it meanwhile.
        ScrapeResponse failed;
        failed.status = Status::error("connection refused");
        loop.process(kT0 + 13 * 15000, failed);
        QCOMPARE(loop.metadata()->size(), std::size_t(1));
    }

    void loopMetadataIsBounded() {
        model::InMemoryStorage storage;
        auto options = std::make_shared<LoopOptions>();
        options->jobName = "node";
        ScrapeLoop loop(storage, makeTarget(), options);
        std::string body;
        for (std::size_t i = 0; i < kMaxMetadataFamiliesPerTarget + 100; ++i)
            body += "# TYPE m" + std::to_string(i) + " gauge\n";
        body += "x 1\n";
        loop.process(kT0, page(body));
        QCOMPARE(loop.metadata()->size(), kMaxMetadataFamiliesPerTarget);
        // Bytes are bounded too: huge HELP texts stop being recorded.
        ScrapeLoop big(storage, makeTarget(), options);
        const std::string help(1 << 20, 'h');
        body.clear();
        for (int i = 0; i < 8; ++i)
            body += "# HELP big" + std::to_string(i) + " " + help + "\n";
        body += "x 1\n";
        big.process(kT0, page(body));
        std::size_t bytes = 0, withHelp = 0;
        for (const MetricMetadata& m : *big.metadata()) {
            bytes += m.metric.size() + m.type.size() + m.help.size() + m.unit.size();
            withHelp += m.help.empty() ? 0 : 1;
        }
        QVERIFY2(bytes <= kMaxMetadataBytesPerTarget, qPrintable(QString::number(bytes)));
        QCOMPARE(withHelp, std::size_t(3));
    }

    void metadataJsonShape() {
        auto list = std::make_shared<std::vector<MetricMetadata>>(std::vector<MetricMetadata>{
            {"a", "counter", "A \"quoted\".", ""}, {"b", "gauge", "B.", "bytes"}});
        auto other = std::make_shared<std::vector<MetricMetadata>>(std::vector<MetricMetadata>{
            {"a", "counter", "A other.", ""}, {"b", "gauge", "B.", "bytes"}});
        std::vector<TargetMetadata> targets = {{"j", model::Labels{{"job", "j"}}, list},
                                               {"j", model::Labels{{"job", "k"}}, other}};
        QCOMPARE(renderMetadataJson(targets, "", -1),
                 std::string(
                     "{\"a\":[{\"type\":\"counter\",\"help\":\"A \\\"quoted\\\".\",\"unit\":\"\"},"
                     "{\"type\":\"counter\",\"help\":\"A other.\",\"unit\":\"\"}],"
                     "\"b\":[{\"type\":\"gauge\",\"help\":\"B.\",\"unit\":\"bytes\"}]}"));
        QCOMPARE(renderMetadataJson(targets, "b", -1),
                 std::string("{\"b\":[{\"type\":\"gauge\",\"help\":\"B.\",\"unit\":\"bytes\"}]}"));
        QCOMPARE(renderMetadataJson(targets, "", 1).find("\"b\""), std::string::npos);
        QCOMPARE(renderMetadataJson(targets, "", 0), std::string("{}"));
        QCOMPARE(renderMetadataJson(targets, "nope", -1), std::string("{}"));
    }

    // The same pages scraped by Vigil's manager and by the real Prometheus
    // give the same answers on the three endpoints.
    void sameAsPrometheus() {
        if (test::PrometheusProcess::binary().isEmpty())
            QSKIP("prometheus (Debian package prometheus) is not installed");
        test::ExpositionServer server;
        server.setPage("/metrics", {test::readTestFile("testdata/node_exporter.prom")});
        server.setPage("/om", {kOpenMetricsPage, kOpenMetricsType});
        server.setPage("/broken", {"broken{ 1\n"});

        const std::string scrapeConfigs =
            "scrape_configs:\n"
            "  - job_name: node\n"
            "    scrape_interval: 1s\n    scrape_timeout: 1s\n"
            "    static_configs:\n      - targets: ['" +
            server.address() +
            "']\n"
            "  - job_name: om\n"
            "    scrape_interval: 1s\n    scrape_timeout: 1s\n    metrics_path: /om\n"
            "    static_configs:\n      - targets: ['" +
            server.address() +
            "']\n"
            "        labels: {team: a}\n"
            "  - job_name: broken\n"
            "    scrape_interval: 1s\n    scrape_timeout: 1s\n    metrics_path: /broken\n"
            "    static_configs:\n      - targets: ['" +
            server.address() +
            "', 'drop.me:1']\n"
            "    relabel_configs:\n"
            "      - source_labels: [__address__]\n        regex: 'drop.*'\n        action: drop\n";

        test::PrometheusProcess prometheus;
        const QString started = prometheus.start(QByteArray::fromStdString(scrapeConfigs));
        QVERIFY2(started.isEmpty(), qPrintable(started));

        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        QVERIFY(manager.applyConfig(configsFrom(scrapeConfigs)).isOk());
        QVERIFY(manager.start().isOk());

        httplib::Server api;
        installScrapeApi(api, [&manager]() -> const ScrapeManager* { return &manager; });
        api.Get("/api/v1/metadata",
                [&manager](const httplib::Request& req, httplib::Response& res) {
                    handleMetadata(&manager, req, res);
                });
        const int port = api.bind_to_any_port("127.0.0.1");
        std::thread apiThread([&api] { api.listen_after_bind(); });
        const QString vigil = QString("127.0.0.1:%1").arg(port);
        auto stopApi = qScopeGuard([&] {
            api.stop();
            apiThread.join();
            manager.stop();
        });

        // Both have scraped every target twice (Prometheus: lastScrape set on
        // all three; Vigil: up written twice per target).
        auto ready = [](const QString& address) {
            const QJsonArray active = json(test::httpGet(address, "/api/v1/targets?state=active")
                                               .body)["data"]["activeTargets"]
                                          .toArray();
            int scraped = 0;
            for (const QJsonValue& t : active)
                scraped += t["health"].toString() != "unknown" ? 1 : 0;
            return active.size() == 3 && scraped == 3;
        };
        QElapsedTimer timer;
        timer.start();
        while (!(ready(prometheus.address()) && ready(vigil)) && timer.elapsed() < 30000)
            QTest::qWait(200);
        QTest::qWait(2500);  // a couple more scrapes each
        QVERIFY2(ready(prometheus.address()), qPrintable(prometheus.log()));
        QVERIFY(ready(vigil));

        // /api/v1/metadata, whole and filtered.
        for (const std::string query :
             {"/api/v1/metadata", "/api/v1/metadata?metric=node_load1",
              "/api/v1/metadata?metric=om_request_seconds", "/api/v1/metadata?metric=nope",
              "/api/v1/metadata?limit=0"}) {
            const auto p = test::httpGet(prometheus.address(), query);
            const auto v = test::httpGet(vigil, query);
            QCOMPARE(v.status, p.status);
            QCOMPARE(json(v.body)["status"].toString(), QString("success"));
            const auto expected = metadataMap(json(p.body)["data"].toObject());
            QVERIFY2(!expected.empty() || query.find("nope") != std::string::npos ||
                         query.find("limit=0") != std::string::npos,
                     query.c_str());
            QCOMPARE(metadataMap(json(v.body)["data"].toObject()), expected);
        }
        // limit=N: N families (which ones is a Go map's choice).
        QCOMPARE(
            json(test::httpGet(vigil, "/api/v1/metadata?limit=2").body)["data"].toObject().size(),
            2);

        // /api/v1/targets/metadata.
        for (const std::string query :
             {"/api/v1/targets/metadata", "/api/v1/targets/metadata?metric=om_jobs",
              "/api/v1/targets/metadata?match_target=%7Bjob%3D%22om%22%7D",
              "/api/v1/targets/metadata?match_target=%7Bteam%3D%22a%22%7D&metric=om_untyped",
              "/api/v1/targets/metadata?metric=nope"}) {
            const auto p = test::httpGet(prometheus.address(), query);
            const auto v = test::httpGet(vigil, query);
            QCOMPARE(v.status, p.status);
            QCOMPARE(targetMetadataList(json(v.body)["data"].toArray()),
                     targetMetadataList(json(p.body)["data"].toArray()));
        }

        // Errors: the same status and message.
        for (const std::string query :
             {"/api/v1/metadata?limit=x", "/api/v1/targets/metadata?limit=1.5",
              "/api/v1/targets/metadata?match_target=%7Bjob%3D"}) {
            const auto p = test::httpGet(prometheus.address(), query);
            const auto v = test::httpGet(vigil, query);
            QCOMPARE(v.status, p.status);
            QCOMPARE(json(v.body)["errorType"].toString(), json(p.body)["errorType"].toString());
            QCOMPARE(json(v.body)["error"].toString(), json(p.body)["error"].toString());
        }

        // /api/v1/targets: the same targets with the same fields, including
        // the dropped one; times and durations differ by nature.
        for (const std::string query :
             {"/api/v1/targets", "/api/v1/targets?state=dropped", "/api/v1/targets?state=Active",
              "/api/v1/targets?scrapePool=om"}) {
            const QJsonObject p =
                json(test::httpGet(prometheus.address(), query).body)["data"].toObject();
            const QJsonObject v = json(test::httpGet(vigil, query).body)["data"].toObject();
            QCOMPARE(v.keys(), p.keys());
            QCOMPARE(v["droppedTargets"].toArray(), p["droppedTargets"].toArray());
            bool timesWellFormed = true;
            auto normalise = [&timesWellFormed](QJsonArray targets) {
                std::map<QString, QJsonObject> byPool;
                for (const QJsonValue& t : targets) {
                    QJsonObject o = t.toObject();
                    timesWellFormed = timesWellFormed && o["lastScrape"].toString().endsWith('Z') &&
                                      o["lastScrapeDuration"].isDouble();
                    o.remove("lastScrape");
                    o.remove("lastScrapeDuration");
                    // Error texts are each scraper's own wording; both say something.
                    o["lastError"] = o["lastError"].toString().isEmpty() ? "" : "error";
                    byPool[o["scrapePool"].toString()] = o;
                }
                return byPool;
            };
            const auto expected = normalise(p["activeTargets"].toArray());
            const auto actual = normalise(v["activeTargets"].toArray());
            QVERIFY(timesWellFormed);
            QCOMPARE(actual.size(), expected.size());
            for (const auto& [pool, object] : expected) {
                QVERIFY2(actual.count(pool), qPrintable(pool));
                if (actual.at(pool) != object) {
                    qWarning().noquote()
                        << "vigil:     "
                        << QJsonDocument(actual.at(pool)).toJson(QJsonDocument::Compact);
                    qWarning().noquote()
                        << "prometheus:" << QJsonDocument(object).toJson(QJsonDocument::Compact);
                }
                QCOMPARE(actual.at(pool), object);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestScrapeApi)
#include "tst_scrape_api.moc"
