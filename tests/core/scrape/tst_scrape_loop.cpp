// ScrapeLoop semantics without HTTP: pages are handed in as responses.

#include <QtTest>
#include <cmath>

#include "core/model/in_memory_storage.h"
#include "core/scrape/scrape_loop.h"
#include "scrape_test_support.h"

using namespace vigil;
using namespace vigil::scrape;

namespace {

constexpr model::Timestamp kT0 = 1700000000000;
constexpr const char* kPromText = "text/plain; version=0.0.4";

TargetLabels makeTarget(const std::string& job = "node") {
    TargetDefaults defaults;
    defaults.jobName = job;
    defaults.scrapeInterval = std::chrono::seconds(15);
    defaults.scrapeTimeout = std::chrono::seconds(10);
    auto target = populateTargetLabels(model::Labels{{"__address__", "host:9100"}}, defaults, {});
    return target.value();
}

std::shared_ptr<LoopOptions> makeOptions() {
    auto options = std::make_shared<LoopOptions>();
    options->jobName = "node";
    return options;
}

ScrapeResponse page(std::string body, std::string contentType = kPromText) {
    ScrapeResponse response;
    response.body = std::move(body);
    response.contentType = std::move(contentType);
    return response;
}

ScrapeResponse failure(std::string message) {
    ScrapeResponse response;
    response.status = Status::error(std::move(message));
    return response;
}

double lastValue(model::Storage& storage, const std::string& name) {
    auto samples = test::seriesSamples(storage, name);
    return samples.empty() ? -1 : samples.back().v;
}

}  // namespace

class TestScrapeLoop : public QObject {
    Q_OBJECT
private slots:
    void syntheticSeries() {
        model::InMemoryStorage storage;
        auto options = makeOptions();
        RelabelConfig drop;
        drop.action = RelabelAction::kDrop;
        drop.sourceLabels = {"__name__"};
        drop.regex = RelabelRegex::compile("dropme").value();
        options->metricRelabelConfigs = {drop};
        ScrapeLoop loop(storage, makeTarget(), options);

        ScrapeReport report = loop.process(kT0, page("a 1\nb{x=\"1\"} 2\ndropme 3\n"));
        QVERIFY2(report.error.isOk(), report.error.message().c_str());
        QCOMPARE(report.samplesScraped, 3u);
        QCOMPARE(report.samplesPostRelabeling, 2u);
        QCOMPARE(report.seriesAdded, 2u);
        QCOMPARE(lastValue(storage, "up"), 1.0);
        QCOMPARE(lastValue(storage, "scrape_samples_scraped"), 3.0);
        QCOMPARE(lastValue(storage, "scrape_samples_post_metric_relabeling"), 2.0);
        QCOMPARE(lastValue(storage, "scrape_series_added"), 2.0);
        QVERIFY(test::seriesSamples(storage, "dropme").empty());
        auto up = test::selectSeries(storage, {{"__name__", "up"}});
        QCOMPARE(up.size(), 1u);
        QCOMPARE(up.begin()->first,
                 (model::Labels{{"__name__", "up"}, {"instance", "host:9100"}, {"job", "node"}}));
        QCOMPARE(up.begin()->second.front().t, kT0);
        auto b = test::selectSeries(storage, {{"__name__", "b"}});
        QCOMPARE(b.begin()->first,
                 (model::Labels{
                     {"__name__", "b"}, {"instance", "host:9100"}, {"job", "node"}, {"x", "1"}}));

        report = loop.process(kT0 + 15000, page("a 1\nb{x=\"1\"} 2\ndropme 3\n"));
        QCOMPARE(report.seriesAdded, 0u);
        QCOMPARE(lastValue(storage, "scrape_series_added"), 0.0);
        QCOMPARE(test::seriesSamples(storage, "a").size(), 2u);
        QCOMPARE(test::seriesSamples(storage, "a").back().t, kT0 + 15000);
        const TargetSnapshot snap = loop.snapshot();
        QCOMPARE(snap.health, TargetHealth::kUp);
        QCOMPARE(snap.lastSamplesScraped, 3u);
        QCOMPARE(snap.scrapeUrl, std::string("http://host:9100/metrics"));
        QVERIFY(snap.lastError.empty());
    }

    void labelCollisions_data() {
        QTest::addColumn<bool>("honor");
        QTest::addColumn<QString>("expected");
        QTest::newRow("exported_") << false
                                   << "m{exported_exported_job=\"x\", exported_instance=\"y\", "
                                      "exported_job=\"z\", instance=\"host:9100\", job=\"node\"}";
        QTest::newRow("honor_labels") << true << "m{exported_job=\"z\", instance=\"y\", job=\"x\"}";
    }
    void labelCollisions() {
        QFETCH(bool, honor);
        QFETCH(QString, expected);
        model::InMemoryStorage storage;
        auto options = makeOptions();
        options->honorLabels = honor;
        ScrapeLoop loop(storage, makeTarget(), options);
        auto report = loop.process(kT0, page("m{job=\"x\",instance=\"y\",exported_job=\"z\"} 1\n"));
        QVERIFY(report.error.isOk());
        auto series = test::selectSeries(storage, {{"__name__", "m"}});
        QCOMPARE(series.size(), 1u);
        QCOMPARE(QString::fromStdString(series.begin()->first.toString()), expected);
        // The synthetic series always carry the target's own labels.
        auto up = test::selectSeries(storage, {{"__name__", "up"}});
        QCOMPARE(up.begin()->first.get("job"), std::string_view("node"));
    }

    void stalenessWhenSeriesDisappears() {
        model::InMemoryStorage storage;
        ScrapeLoop loop(storage, makeTarget(), makeOptions());
        QVERIFY(loop.process(kT0, page("a 1\nb 2\n")).error.isOk());
        auto report = loop.process(kT0 + 1000, page("a 1\n"));
        QCOMPARE(report.staleMarkers, 1u);
        auto b = test::seriesSamples(storage, "b");
        QCOMPARE(b.size(), 2u);
        QCOMPARE(b[1].t, kT0 + 1000);
        QVERIFY(model::isStaleNaN(b[1].v));
        // Only once.
        QCOMPARE(loop.process(kT0 + 2000, page("a 1\n")).staleMarkers, 0u);
        QCOMPARE(test::seriesSamples(storage, "b").size(), 2u);
        // It comes back as a new series.
        QVERIFY(loop.process(kT0 + 3000, page("a 1\nb 5\n")).error.isOk());
        QCOMPARE(test::seriesSamples(storage, "b").back().v, 5.0);
        QVERIFY(!model::isStaleNaN(test::seriesSamples(storage, "a").back().v));
    }

    void failedScrapeEndsAllSeries() {
        model::InMemoryStorage storage;
        ScrapeLoop loop(storage, makeTarget(), makeOptions());
        QVERIFY(loop.process(kT0, page("a 1\nb 2\n")).error.isOk());
        auto report = loop.process(
            kT0 + 1000, failure("server returned HTTP status 500 Internal Server Error"));
        QCOMPARE(report.error.message(),
                 std::string("server returned HTTP status 500 Internal Server Error"));
        QCOMPARE(report.staleMarkers, 2u);
        QVERIFY(model::isStaleNaN(test::seriesSamples(storage, "a").back().v));
        QVERIFY(model::isStaleNaN(test::seriesSamples(storage, "b").back().v));
        QCOMPARE(lastValue(storage, "up"), 0.0);
        QCOMPARE(lastValue(storage, "scrape_samples_scraped"), 0.0);
        const TargetSnapshot snap = loop.snapshot();
        QCOMPARE(snap.health, TargetHealth::kDown);
        QCOMPARE(snap.lastError,
                 std::string("server returned HTTP status 500 Internal Server Error"));
    }

    void parseErrorFailsScrape() {
        model::InMemoryStorage storage;
        ScrapeLoop loop(storage, makeTarget(), makeOptions());
        auto report = loop.process(kT0, page("good 1\nbad{ 2\n"));
        QVERIFY(!report.error.isOk());
        QVERIFY2(report.error.message().find("line 2") != std::string::npos,
                 report.error.message().c_str());
        QVERIFY(test::seriesSamples(storage, "good").empty());  // rolled back
        QCOMPARE(lastValue(storage, "up"), 0.0);
        QCOMPARE(lastValue(storage, "scrape_samples_scraped"), 1.0);
    }

    void sampleLimit() {
        model::InMemoryStorage storage;
        auto options = makeOptions();
        options->sampleLimit = 2;
        ScrapeLoop loop(storage, makeTarget(), options);
        QVERIFY(loop.process(kT0, page("a 1\nb 2\n")).error.isOk());
        auto report = loop.process(kT0 + 1000, page("a 1\nb 2\nc 3\n"));
        QCOMPARE(report.error.message(), std::string("sample limit exceeded"));
        QCOMPARE(lastValue(storage, "up"), 0.0);
        QCOMPARE(lastValue(storage, "scrape_samples_scraped"), 3.0);
        QCOMPARE(lastValue(storage, "scrape_samples_post_metric_relabeling"), 3.0);
        QVERIFY(test::seriesSamples(storage, "c").empty());
        // The page is dropped whole: the earlier series end.
        QVERIFY(model::isStaleNaN(test::seriesSamples(storage, "a").back().v));
    }

    void labelLimits_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("error");
        QTest::newRow("label_limit")
            << 0 << "label_limit exceeded (metric: m, number of labels: 4, limit: 3)";
        QTest::newRow("label_name_length_limit")
            << 1
            // __name__ counts too, as in Prometheus (labels in sorted order).
            << "label_name_length_limit exceeded (metric: m, label name: __name__, length: 8, "
               "limit: 5)";
        QTest::newRow("label_value_length_limit")
            << 2
            << "label_value_length_limit exceeded (metric: m, label name: instance, value: "
               "\"host:9100\", length: 9, limit: 5)";
    }
    void labelLimits() {
        QFETCH(int, which);
        QFETCH(QString, error);
        model::InMemoryStorage storage;
        auto options = makeOptions();
        if (which == 0)
            options->labelLimit = 3;
        if (which == 1)
            options->labelNameLengthLimit = 5;
        if (which == 2)
            options->labelValueLengthLimit = 5;
        ScrapeLoop loop(storage, makeTarget(), options);
        auto report = loop.process(kT0, page("m{a=\"1\"} 1\n"));
        QCOMPARE(QString::fromStdString(report.error.message()), error);
        QCOMPARE(lastValue(storage, "up"), 0.0);
        QVERIFY(test::seriesSamples(storage, "m").empty());
    }

    void honorTimestamps_data() {
        QTest::addColumn<bool>("honor");
        QTest::newRow("honor_timestamps: true") << true;
        QTest::newRow("honor_timestamps: false") << false;
    }
    void honorTimestamps() {
        QFETCH(bool, honor);
        model::InMemoryStorage storage;
        auto options = makeOptions();
        options->honorTimestamps = honor;
        ScrapeLoop loop(storage, makeTarget(), options);
        QVERIFY(loop.process(kT0, page("ts 1 1600000000000\nplain 1\n")).error.isOk());
        QCOMPARE(test::seriesSamples(storage, "ts").front().t, honor ? 1600000000000 : kT0);
        // A series with its own timestamp gets no staleness marker.
        auto report = loop.process(kT0 + 1000, page("\n"));
        QCOMPARE(report.staleMarkers, honor ? 1u : 2u);
        QCOMPARE(test::seriesSamples(storage, "ts").size(), honor ? 1u : 2u);
    }

    void openMetricsByContentType() {
        model::InMemoryStorage storage;
        ScrapeLoop loop(storage, makeTarget(), makeOptions());
        const std::string body = test::readTestFile("testdata/all_types.om.txt");
        auto report = loop.process(
            kT0, page(body, "application/openmetrics-text; version=1.0.0; charset=utf-8"));
        QVERIFY2(report.error.isOk(), report.error.message().c_str());
        QCOMPARE(report.samplesScraped, 26u);
        // The same bytes as 0.0.4 text fail (exemplars are not 0.0.4 syntax).
        model::InMemoryStorage other;
        ScrapeLoop textLoop(other, makeTarget(), makeOptions());
        QVERIFY(!textLoop.process(kT0, page(body, kPromText)).error.isOk());
    }

    void markAllStale() {
        model::InMemoryStorage storage;
        ScrapeLoop loop(storage, makeTarget(), makeOptions());
        QVERIFY(loop.process(kT0, page("a 1\n")).error.isOk());
        loop.markAllStale(kT0 + 30000);
        for (const char* name : {"a", "up", "scrape_duration_seconds", "scrape_samples_scraped",
                                 "scrape_samples_post_metric_relabeling", "scrape_series_added"}) {
            auto samples = test::seriesSamples(storage, name);
            QVERIFY2(samples.size() == 2 && model::isStaleNaN(samples[1].v) &&
                         samples[1].t == kT0 + 30000,
                     name);
        }
    }

    void forcedError() {
        model::InMemoryStorage storage;
        ScrapeLoop loop(storage, makeTarget(), makeOptions());
        loop.setForcedError(
            Status::error("target_limit exceeded (number of targets: 2, limit: 1)"));
        auto report = loop.process(kT0, page("a 1\n"));
        QCOMPARE(report.error.message(),
                 std::string("target_limit exceeded (number of targets: 2, limit: 1)"));
        QVERIFY(test::seriesSamples(storage, "a").empty());
        loop.setForcedError(Status::ok());
        QVERIFY(loop.process(kT0 + 1000, page("a 1\n")).error.isOk());
    }

    void urls_data() {
        QTest::addColumn<QString>("param");
        QTest::addColumn<QString>("url");
        QTest::newRow("config params") << ""
                                       << "https://h:443/probe?module=http+2xx&target=a%2Fb";
        QTest::newRow("__param_ overrides") << "tcp"
                                            << "https://h:443/probe?module=tcp&target=a%2Fb";
    }
    void urls() {
        QFETCH(QString, param);
        QFETCH(QString, url);
        std::vector<model::Label> labels{
            {"__scheme__", "https"}, {"__address__", "h:443"}, {"__metrics_path__", "/probe"}};
        if (!param.isEmpty())
            labels.push_back({"__param_module", param.toStdString()});
        const std::map<std::string, std::vector<std::string>> params{{"module", {"http 2xx"}},
                                                                     {"target", {"a/b"}}};
        QCOMPARE(QString::fromStdString(
                     targetUrl(model::Labels::fromUnsorted(std::move(labels)), params)),
                 url);
    }
};

QTEST_GUILESS_MAIN(TestScrapeLoop)
#include "tst_scrape_loop.moc"
