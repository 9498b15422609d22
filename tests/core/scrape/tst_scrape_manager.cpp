// The scrape manager end to end: configs → targets → HTTP → InMemoryStorage,
// on 127.0.0.1 with 1 s intervals.

#include <zlib.h>

#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <set>

#include "core/config/prometheus_config.h"
#include "core/instrument/metric_registry.h"
#include "core/model/in_memory_storage.h"
#include "core/scrape/scrape_manager.h"
#include "core/scrape/scrape_service.h"
#include "scrape_test_support.h"

using namespace vigil;
using namespace vigil::scrape;
using namespace std::chrono_literals;

namespace {

std::vector<config::ScrapeConfig> configsFrom(const std::string& yaml,
                                              const std::string& baseDir = "/") {
    auto loaded = config::parsePrometheusConfig(yaml, "test.yml", baseDir);
    if (!loaded.isOk())
        qFatal("bad test config: %s", loaded.status().message().c_str());
    return loaded->config.scrapeConfigs;
}

// A scrape job on the given targets, 1 s interval.
std::string job(const std::string& name, const std::vector<std::string>& targets,
                const std::string& extra = {}, const std::string& path = "/metrics") {
    std::string yaml =
        "  - job_name: " + name +
        "\n    scrape_interval: 1s\n    scrape_timeout: 500ms\n    metrics_path: " + path + "\n" +
        extra + "    static_configs:\n      - targets: [";
    for (std::size_t i = 0; i < targets.size(); ++i)
        yaml += (i ? ", '" : "'") + targets[i] + "'";
    return yaml + "]\n";
}

std::string yamlOf(const std::vector<std::string>& jobs) {
    std::string yaml = "scrape_configs:\n";
    for (const auto& j : jobs)
        yaml += j;
    return yaml;
}

std::vector<model::Sample> upOf(model::Storage& storage, const std::string& instance) {
    return test::seriesSamples(storage, "up", instance);
}

// `in` as a gzip member (what a server sends with Content-Encoding: gzip).
bool gzipped(const std::string& in, std::string& out) {
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    out.resize(deflateBound(&z, static_cast<uLong>(in.size())));
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return rc == Z_STREAM_END;
}

int freePort() {
    QTcpServer server;
    return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
}

const TargetSnapshot* find(const std::vector<TargetSnapshot>& snaps, const std::string& job) {
    for (const auto& s : snaps) {
        if (s.job == job)
            return &s;
    }
    return nullptr;
}

}  // namespace

class TestScrapeManager : public QObject {
    Q_OBJECT
private slots:
    void offsetsAreSpreadAndStable() {
        // Prometheus's formula: base (to the next interval boundary) + hash % interval.
        const auto interval = std::chrono::milliseconds(15000);
        QCOMPARE(scrapeOffset(0, 0, interval, 1000).count(), 14000);
        QCOMPARE(scrapeOffset(5000, 0, interval, 1000).count(), 4000);  // 14000 + 5000 - 15000
        QCOMPARE(scrapeOffset(5000, 0, interval, 1000 + 15000).count(), 4000);
        std::set<std::int64_t> distinct;
        for (std::uint64_t h = 0; h < 100; ++h)
            distinct.insert(scrapeOffset(h * 0x9E3779B97F4A7C15ULL, 0, interval, 0).count());
        QVERIFY(distinct.size() > 90);
    }

    void scrapesPlainGzipAndOpenMetrics() {
        test::ExpositionServer server;
        server.setPage("/metrics", {test::readTestFile("testdata/node_exporter.prom")});
        test::Page gz;
        gz.body = test::readTestFile("testdata/node_exporter.prom.gz");
        gz.contentEncoding = "gzip";
        server.setPage("/gz", gz);
        server.setPage("/om", {test::readTestFile("testdata/all_types.om.txt"),
                               "application/openmetrics-text; version=1.0.0; charset=utf-8"});
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        QVERIFY(manager
                    .applyConfig(configsFrom(yamlOf({job("plain", {server.address()}),
                                                     job("gzip", {server.address()}, {}, "/gz"),
                                                     job("om", {server.address()}, {}, "/om")})))
                    .isOk());
        QVERIFY(manager.start().isOk());
        QVERIFY(test::waitFor([&] { return manager.scrapesCompleted() >= 3; }, 10s));
        manager.stop();

        for (const char* name : {"plain", "gzip", "om"}) {
            auto up = test::selectSeries(storage, {{"__name__", "up"}, {"job", name}});
            QVERIFY2(up.size() == 1 && up.begin()->second.back().v == 1.0, name);
        }
        auto scraped =
            test::selectSeries(storage, {{"__name__", "scrape_samples_scraped"}, {"job", "gzip"}});
        QVERIFY(scraped.begin()->second.back().v > 500);
        QVERIFY(
            !test::selectSeries(storage, {{"__name__", "node_load1"}, {"job", "gzip"}}).empty());
        QVERIFY(
            !test::selectSeries(storage, {{"__name__", "acme_http_requests_total"}, {"job", "om"}})
                 .empty());
        auto snaps = manager.targetSnapshots();
        QCOMPARE(snaps.size(), 3u);
        QCOMPARE(find(snaps, "gzip")->health, TargetHealth::kUp);
        QCOMPARE(find(snaps, "gzip")->scrapeUrl, "http://" + server.address() + "/gz");
        QCOMPARE(find(snaps, "gzip")->labels,
                 (model::Labels{{"instance", server.address()}, {"job", "gzip"}}));
        QCOMPARE(find(snaps, "gzip")->discoveredLabels.get("__metrics_path__"),
                 std::string_view("/gz"));
        const std::string metrics = registry.render();
        QVERIFY(metrics.find("vigil_scrape_samples_appended_total ") != std::string::npos);
        QVERIFY(metrics.find("vigil_scrapes_total{job=\"om\"}") != std::string::npos);
    }

    // A huge page (100,000 series, about 5 MB, gzip-compressed on the wire)
    // is scraped whole: every series is stored with the scrape's timestamp.
    void hugeGzipPageIsScrapedWhole() {
        constexpr int kSeries = 100000;
        std::string body = "# HELP huge_metric A big family.\n# TYPE huge_metric gauge\n";
        for (int i = 0; i < kSeries; ++i)
            body += "huge_metric{shard=\"" + std::to_string(i % 100) + "\",id=\"" +
                    std::to_string(i) + "\"} " + std::to_string(i) + "\n";
        QVERIFY(body.size() > 4'000'000);
        test::ExpositionServer server;
        test::Page page{body};
        QVERIFY(gzipped(body, page.body));
        page.contentEncoding = "gzip";
        server.setPage("/metrics", page);
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        QVERIFY(manager.applyConfig(configsFrom(yamlOf({job("huge", {server.address()})}))).isOk());
        QVERIFY(manager.start().isOk());
        QVERIFY(test::waitFor([&] { return !upOf(storage, server.address()).empty(); }, 20s));
        manager.stop();
        QCOMPARE(upOf(storage, server.address()).front().v, 1.0);
        QCOMPARE(test::seriesSamples(storage, "scrape_samples_scraped").front().v, double(kSeries));
        const auto series = test::selectSeries(storage, {{"__name__", "huge_metric"}});
        QCOMPARE(series.size(), std::size_t(kSeries));
        const auto& one = series.at(model::Labels{{"__name__", "huge_metric"},
                                                  {"id", "4242"},
                                                  {"instance", server.address()},
                                                  {"job", "huge"},
                                                  {"shard", "42"}});
        QCOMPARE(one.front().v, 4242.0);
        QCOMPARE(manager.targetMetadata().at(0).metadata->at(0),
                 (MetricMetadata{"huge_metric", "gauge", "A big family.", ""}));
    }

    void slowAndBrokenTargetsFailAlone() {
        test::ExpositionServer server;
        server.setPage("/metrics", {"fast_metric 1\n"});
        test::Page slow{"slow_metric 1\n"};
        slow.delay = 3s;
        server.setPage("/slow", slow);
        server.setPage("/broken", {"broken_metric{ 1\n"});
        test::Page huge{std::string(200000, '#') + "\nhuge_metric 1\n"};
        server.setPage("/huge", huge);
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        QVERIFY(
            manager
                .applyConfig(configsFrom(yamlOf(
                    {job("fast", {server.address()}), job("slow", {server.address()}, {}, "/slow"),
                     job("broken", {server.address()}, {}, "/broken"),
                     job("huge", {server.address()}, "    body_size_limit: 100KB\n", "/huge")})))
                .isOk());
        QVERIFY(manager.start().isOk());
        const auto start = std::chrono::steady_clock::now();
        QVERIFY(test::waitFor(
            [&] {
                auto slowUp = test::selectSeries(storage, {{"__name__", "up"}, {"job", "slow"}});
                return !slowUp.empty() && slowUp.begin()->second.size() >= 2;
            },
            15s));
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        manager.stop();

        auto fastUp =
            test::selectSeries(storage, {{"__name__", "up"}, {"job", "fast"}}).begin()->second;
        // The fast target kept its 1 s rhythm while the slow one timed out.
        QVERIFY2(fastUp.size() + 1 >= static_cast<std::size_t>(elapsed),
                 (std::to_string(fastUp.size()) + " scrapes in " + std::to_string(elapsed) + " s")
                     .c_str());
        for (const auto& s : fastUp)
            QCOMPARE(s.v, 1.0);
        auto fastDuration =
            test::selectSeries(storage, {{"__name__", "scrape_duration_seconds"}, {"job", "fast"}});
        for (const auto& s : fastDuration.begin()->second)
            QVERIFY2(s.v < 0.4, std::to_string(s.v).c_str());

        auto slowUp =
            test::selectSeries(storage, {{"__name__", "up"}, {"job", "slow"}}).begin()->second;
        for (const auto& s : slowUp)
            QCOMPARE(s.v, 0.0);
        auto slowDuration =
            test::selectSeries(storage, {{"__name__", "scrape_duration_seconds"}, {"job", "slow"}});
        for (const auto& s : slowDuration.begin()->second)
            QVERIFY2(s.v >= 0.45 && s.v < 1.0, std::to_string(s.v).c_str());
        QVERIFY(test::seriesSamples(storage, "slow_metric").empty());

        auto snaps = manager.targetSnapshots();
        QVERIFY(find(snaps, "slow")->lastError.find("context deadline exceeded") !=
                std::string::npos);
        QCOMPARE(find(snaps, "slow")->health, TargetHealth::kDown);
        QVERIFY2(find(snaps, "broken")->lastError.starts_with("line 1: "),
                 find(snaps, "broken")->lastError.c_str());
        QCOMPARE(find(snaps, "huge")->lastError, std::string("body size limit exceeded"));
        QCOMPARE(test::selectSeries(storage, {{"__name__", "up"}, {"job", "broken"}})
                     .begin()
                     ->second.back()
                     .v,
                 0.0);
        QCOMPARE(find(snaps, "fast")->health, TargetHealth::kUp);
        QVERIFY(registry.render().find("vigil_scrape_failures_total{job=\"slow\"}") !=
                std::string::npos);
    }

    void stalenessWhenSeriesAndTargetsGo() {
        test::ExpositionServer server;
        server.setPage("/metrics", {"a 1\nb 2\n"});
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        QVERIFY(manager.applyConfig(configsFrom(yamlOf({job("j", {server.address()})}))).isOk());
        QVERIFY(manager.start().isOk());
        QVERIFY(test::waitFor([&] { return !test::seriesSamples(storage, "b").empty(); }, 5s));
        server.setPage("/metrics", {"a 1\n"});
        QVERIFY(test::waitFor(
            [&] {
                auto b = test::seriesSamples(storage, "b");
                return !b.empty() && model::isStaleNaN(b.back().v);
            },
            5s));

        // The target goes away (reload without it): its series end.
        QVERIFY(manager.applyConfig(configsFrom(yamlOf({job("other", {"127.0.0.1:1"})}))).isOk());
        QVERIFY(test::waitFor(
            [&] {
                auto a = test::seriesSamples(storage, "a");
                auto up = upOf(storage, server.address());
                return !a.empty() && model::isStaleNaN(a.back().v) && !up.empty() &&
                       model::isStaleNaN(up.back().v);
            },
            8s));
        manager.stop();
        QVERIFY(manager.targetSnapshots().size() == 1);
    }

    void reloadKeepsUnchangedTargets() {
        test::ExpositionServer server;
        server.setPage("/metrics", {"a 1\n"});
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        const std::string j1 = job("keep", {server.address()});
        QVERIFY(manager.applyConfig(configsFrom(yamlOf({j1}))).isOk());
        QVERIFY(manager.start().isOk());
        QVERIFY(test::waitFor([&] { return server.requestCount("/metrics") >= 1; }, 5s));
        // Same job plus a new one, several times: the kept target never ends.
        for (int i = 0; i < 3; ++i) {
            QVERIFY(manager
                        .applyConfig(configsFrom(
                            yamlOf({j1, job("new" + std::to_string(i), {"127.0.0.1:1"})})))
                        .isOk());
            std::this_thread::sleep_for(400ms);
        }
        QVERIFY(test::waitFor([&] { return server.requestCount("/metrics") >= 3; }, 5s));
        manager.stop();
        for (const auto& s : test::seriesSamples(storage, "a"))
            QVERIFY(!model::isStaleNaN(s.v));
        // Duplicate job names are refused as a whole.
        auto bad =
            manager.applyConfig({configsFrom(yamlOf({j1}))[0], configsFrom(yamlOf({j1}))[0]});
        QCOMPARE(bad.message(),
                 std::string("found multiple scrape configs with job name \"keep\""));
    }

    void limitsFailTheScrape() {
        test::ExpositionServer server;
        server.setPage("/metrics", {"a 1\nb 2\nc{x=\"1\",y=\"2\"} 3\n"});
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        QVERIFY(manager
                    .applyConfig(configsFrom(
                        yamlOf({job("samples", {server.address()}, "    sample_limit: 2\n"),
                                job("labels", {server.address()}, "    label_limit: 4\n"),
                                job("targets",
                                    {"127.0.0.1:" + std::to_string(server.port()),
                                     "localhost:" + std::to_string(server.port())},
                                    "    target_limit: 1\n", "/targets")})))
                    .isOk());
        QVERIFY(manager.start().isOk());
        QVERIFY(test::waitFor([&] { return manager.scrapesCompleted() >= 4; }, 10s));
        manager.stop();
        auto snaps = manager.targetSnapshots();
        QCOMPARE(find(snaps, "samples")->lastError, std::string("sample limit exceeded"));
        QCOMPARE(find(snaps, "labels")->lastError,
                 std::string("label_limit exceeded (metric: c, number of labels: 5, limit: 4)"));
        for (const auto& s : snaps) {
            if (s.job == "targets")
                QCOMPARE(s.lastError,
                         std::string("target_limit exceeded (number of targets: 2, limit: 1)"));
        }
        // Targets over the limit are not asked at all.
        QCOMPARE(server.requestCount("/targets"), 0u);
        QVERIFY(test::selectSeries(storage, {{"__name__", "a"}, {"job", "samples"}}).empty());
    }

    void authenticationReachesTheServer() {
        test::ExpositionServer server;
        server.setPage("/basic", {"a 1\n"});
        server.setPage("/bearer", {"a 1\n"});
        QTemporaryDir dir;
        const std::string tokenFile = dir.filePath("token").toStdString();
        std::ofstream(tokenFile) << "t0k3n\n";
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        QVERIFY(manager
                    .applyConfig(configsFrom(yamlOf(
                        {job("basic", {server.address()},
                             "    basic_auth:\n      username: user\n      password: s3cret\n",
                             "/basic"),
                         job("bearer", {server.address()},
                             "    bearer_token_file: " + tokenFile + "\n", "/bearer")})))
                    .isOk());
        QVERIFY(manager.start().isOk());
        QVERIFY(test::waitFor(
            [&] { return server.requestCount("/basic") > 0 && server.requestCount("/bearer") > 0; },
            5s));
        manager.stop();
        QCOMPARE(test::headerValue(server.requests("/basic").front(), "Authorization"),
                 std::string("Basic dXNlcjpzM2NyZXQ="));
        QCOMPARE(test::headerValue(server.requests("/bearer").front(), "Authorization"),
                 std::string("Bearer t0k3n"));
        QCOMPARE(test::headerValue(server.requests("/bearer").front(),
                                   "X-Prometheus-Scrape-Timeout-Seconds"),
                 std::string("0.5"));
    }

    void fileSdTargetsFollowTheFile() {
        test::ExpositionServer server;
        server.setPage("/metrics", {"a 1\n"});
        QTemporaryDir dir;
        const std::string file = dir.filePath("targets.json").toStdString();
        auto write = [&](const std::string& text) {
            {
                std::ofstream out(file + ".tmp");
                out << text;
            }
            std::rename((file + ".tmp").c_str(), file.c_str());
        };
        const std::string byIp = "127.0.0.1:" + std::to_string(server.port());
        const std::string byName = "localhost:" + std::to_string(server.port());
        write("[{\"targets\": [\"" + byIp + "\"], \"labels\": {\"team\": \"a\"}}]");
        const std::string yaml =
            "scrape_configs:\n  - job_name: sd\n    scrape_interval: 1s\n    scrape_timeout: "
            "500ms\n"
            "    file_sd_configs:\n      - files: ['" +
            dir.filePath("*.json").toStdString() +
            "']\n    relabel_configs:\n      - source_labels: [__meta_filepath]\n"
            "        target_label: sd_file\n";
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        QVERIFY(manager.applyConfig(configsFrom(yaml)).isOk());
        QVERIFY(manager.start().isOk());
        QVERIFY(test::waitFor([&] { return !upOf(storage, byIp).empty(); }, 5s));
        auto a = test::selectSeries(storage, {{"__name__", "a"}, {"instance", byIp}});
        QCOMPARE(a.begin()->first.get("team"), std::string_view("a"));
        QCOMPARE(a.begin()->first.get("sd_file"), std::string_view(file));

        // A broken file keeps its targets and is reported.
        write("[{\"targets\": [");
        QVERIFY(test::waitFor(
            [&] {
                auto statuses = manager.jobStatuses();
                return !statuses.empty() && !statuses[0].errors.empty();
            },
            5s));
        QVERIFY(manager.jobStatuses()[0].errors[0].starts_with(file + ":"));
        QCOMPARE(manager.targetSnapshots().size(), 1u);

        write("[{\"targets\": [\"" + byName + "\"]}]");
        QVERIFY(test::waitFor([&] { return !upOf(storage, byName).empty(); }, 5s));
        QVERIFY(test::waitFor(
            [&] {
                auto up = upOf(storage, byIp);
                return !up.empty() && model::isStaleNaN(up.back().v);
            },
            6s));
        manager.stop();
        auto snaps = manager.targetSnapshots();
        QCOMPARE(snaps.size(), 1u);
        QCOMPARE(snaps[0].labels.get("instance"), std::string_view(byName));
    }

    void jobStatusesReportDroppedAndInvalidTargets() {
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        // Relabeling breaks one address (the config loader checks the
        // written ones) and drops another.
        const std::string yaml = yamlOf({job("j", {"good:1", "bad:1", "drop:1"},
                                             "    relabel_configs:\n"
                                             "      - source_labels: [__address__]\n"
                                             "        regex: bad:1\n"
                                             "        target_label: __address__\n"
                                             "        replacement: bad/addr:1\n"
                                             "      - source_labels: [__address__]\n"
                                             "        regex: drop:1\n"
                                             "        action: drop\n")});
        QVERIFY(manager.applyConfig(configsFrom(yaml)).isOk());
        const auto statuses = manager.jobStatuses();
        QCOMPARE(statuses.size(), 1u);
        QCOMPARE(statuses[0].activeTargets, 1u);
        QCOMPARE(statuses[0].droppedTargets.size(), 1u);
        QCOMPARE(statuses[0].droppedTargets[0].discoveredLabels.get("__address__"),
                 std::string_view("drop:1"));
        QCOMPARE(statuses[0].errors,
                 std::vector<std::string>{
                     "instance 1 in group 0: \"bad/addr:1\" is not a valid hostname"});
        const auto snaps = manager.targetSnapshots();
        QCOMPARE(snaps.size(), 1u);
        QCOMPARE(snaps[0].health, TargetHealth::kUnknown);
        QCOMPARE(snaps[0].scrapeUrl, std::string("http://good:1/metrics"));
    }

    void serviceLifecycle() {
        test::ExpositionServer server;
        server.setPage("/metrics", {"a 1\n"});
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeService service(storage, configsFrom(yamlOf({job("svc", {server.address()})})),
                              registry);
        QVERIFY(service.start().isOk());
        QCOMPARE(service.state(), engine::Service::State::kRunning);
        QVERIFY(test::waitFor([&] { return !upOf(storage, server.address()).empty(); }, 5s));
        service.stop();
        QCOMPARE(service.state(), engine::Service::State::kStopped);
    }

    void realNodeExporter() {
        const QString binary = QStandardPaths::findExecutable("prometheus-node-exporter");
        if (binary.isEmpty())
            QSKIP("prometheus-node-exporter is not installed");
        const int port = freePort();
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(binary, {QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port)});
        QVERIFY(process.waitForStarted(5000));
        const std::string address = "127.0.0.1:" + std::to_string(port);
        model::InMemoryStorage storage;
        instrument::MetricRegistry registry;
        ScrapeManager manager(storage, registry);
        std::string node = job("node", {address});
        node.replace(node.find("500ms"), 5, "900ms");
        QVERIFY(manager.applyConfig(configsFrom(yamlOf({node}))).isOk());
        QVERIFY(manager.start().isOk());
        const bool scraped = test::waitFor(
            [&] {
                auto up = upOf(storage, address);
                return !up.empty() && up.back().v == 1.0;
            },
            20s);
        manager.stop();
        process.terminate();
        process.waitForFinished(5000);
        QVERIFY2(scraped, find(manager.targetSnapshots(), "node")->lastError.c_str());
        auto load = test::selectSeries(storage, {{"__name__", "node_load1"}, {"job", "node"}});
        QCOMPARE(load.size(), 1u);
        auto cpu = test::selectSeries(storage, {{"__name__", "node_cpu_seconds_total"}});
        QVERIFY(cpu.size() >= 8);
        QVERIFY(test::seriesSamples(storage, "scrape_samples_scraped", address).back().v > 100);
    }
};

QTEST_GUILESS_MAIN(TestScrapeManager)
#include "tst_scrape_manager.moc"
