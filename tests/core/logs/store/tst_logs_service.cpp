#include <QTemporaryDir>
#include <QtTest>

#include <chrono>

#include "core/config/vigil_config.h"
#include "core/engine/engine.h"
#include "core/logs/store/logs_service.h"
#include "tests/support/http_client.h"

using namespace vigil;

namespace {

class Collector final : public logs::StreamVisitor {
public:
    std::vector<std::string> lines;
    bool beginStream(const model::Labels&) override { return true; }
    bool entry(logs::TimestampNs, std::string_view line) override {
        lines.emplace_back(line);
        return true;
    }
};

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

class TestLogsService : public QObject {
    Q_OBJECT
private slots:
    void configSection() {
        auto loaded = config::parseVigilConfig(
            "logs:\n  retention: 7d\n  max_size: 2GiB\n  max_streams: 500\n"
            "  max_label_value_length: 100\n  max_line_length: 64KiB\n  ingestion_rate: 4MB\n",
            "v.yml");
        QVERIFY2(loaded.isOk(), loaded.isOk() ? "" : loaded.status().message().c_str());
        const auto& logs = loaded->config.logs;
        QVERIFY(logs.enabled);
        QCOMPARE(logs.retention.count(), 7LL * 86400000);
        QCOMPARE(logs.maxSize, std::uint64_t(2) << 30);
        QCOMPARE(logs.maxStreams, std::int64_t(500));
        QCOMPARE(logs.maxLabelValueLength, std::int64_t(100));
        QCOMPARE(logs.maxLineLength, std::uint64_t(64 * 1024));
        QCOMPARE(logs.ingestionRate, std::uint64_t(4) << 20);

        auto bad = config::parseVigilConfig("logs:\n  max_streams: -1\n  retentoin: 1d\n", "v.yml");
        QVERIFY(!bad.isOk());
        QVERIFY2(bad.status().message().find(
                     "v.yml:2:16: logs.max_streams: must not be negative") != std::string::npos,
                 bad.status().message().c_str());
        QVERIFY2(bad.status().message().find("v.yml:3:") != std::string::npos,
                 bad.status().message().c_str());

        const auto opts = logs::store::logStoreOptions(
            {loaded->config.logs.retention.count(), logs.maxSize, logs.maxStreams,
             logs.maxLabelValueLength, logs.maxLineLength});
        QCOMPARE(opts.retentionNs, 7LL * 86400 * 1000000000);
        QCOMPARE(opts.maxStreams, std::size_t(500));
    }

    void chunkEncodingConfig_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("error");  // empty: valid
        QTest::addColumn<int>("encoding");   // logs::store::ChunkEncoding when valid
        QTest::newRow("default") << "logs:\n  max_streams: 5\n"
                                 << "" << 2;
        QTest::newRow("zstd") << "logs:\n  chunk_encoding: zstd\n"
                              << "" << 2;
        QTest::newRow("snappy") << "logs:\n  chunk_encoding: snappy\n"
                                << "" << 1;
        QTest::newRow("loki-only")
            << "logs:\n  chunk_encoding: gzip\n"
            << "v.yml:2:19: logs.chunk_encoding: 'gzip' is not one of zstd, snappy" << 0;
        QTest::newRow("case") << "logs:\n  chunk_encoding: ZSTD\n"
                              << "v.yml:2:19: logs.chunk_encoding: 'ZSTD' is not one of" << 0;
        QTest::newRow("not-scalar") << "logs:\n  chunk_encoding: [zstd]\n"
                                    << "v.yml:2:19: logs.chunk_encoding: expected a string" << 0;
        QTest::newRow("typo") << "logs:\n  chunk_encodng: zstd\n"
                              << "v.yml:2:3: unknown key 'chunk_encodng' in logs" << 0;
    }
    void chunkEncodingConfig() {
        QFETCH(QString, yaml);
        QFETCH(QString, error);
        QFETCH(int, encoding);
        auto loaded = config::parseVigilConfig(yaml.toStdString(), "v.yml");
        if (!error.isEmpty()) {
            QVERIFY(!loaded.isOk());
            QVERIFY2(loaded.status().message().find(error.toStdString()) != std::string::npos,
                     loaded.status().message().c_str());
            return;
        }
        QVERIFY2(loaded.isOk(), loaded.isOk() ? "" : loaded.status().message().c_str());
        const auto parsed = logs::store::parseChunkEncoding(loaded->config.logs.chunkEncoding);
        QVERIFY(parsed);
        QCOMPARE(static_cast<int>(*parsed), encoding);
        logs::store::LogsSettings settings;
        settings.chunkEncoding = *parsed;
        QCOMPARE(static_cast<int>(logs::store::logStoreOptions(settings).chunkEncoding), encoding);
    }

    // The engine opens the store, the listener takes Loki pushes, a restart
    // finds them again.
    void engineServesPushAndPersists() {
        QTemporaryDir dir;
        engine::EngineOptions options;
        options.dataDir = dir.path();
        options.config.server.listen = {"127.0.0.1", 0};
        options.config.hostCollector.enabled = false;
        const std::string ts = std::to_string(nowNs());
        {
            engine::Engine engine(options);
            QVERIFY(engine.logStore());
            Collector before;
            QVERIFY(!engine.logStore()->select({}, before).isOk());  // stopped: refused
            QVERIFY(engine.start().isOk());
            const std::string body = "{\"streams\":[{\"stream\":{\"job\":\"e2e\"},\"values\":[[\"" +
                                     ts + "\",\"hello from loki push\"]]}]}";
            auto reply = test::httpRequest(engine.httpAddress(), "POST", "/loki/api/v1/push", body,
                                           "application/json");
            QCOMPARE(reply.status, 204);
            logs::LogSelectParams p;
            p.matchers = {model::Matcher::make(model::MatchType::kEqual, "job", "e2e").value()};
            p.endNs = INT64_MAX;
            Collector c;
            QVERIFY(engine.logStore()->select(p, c).isOk());
            QCOMPARE(c.lines, std::vector<std::string>{"hello from loki push"});
            auto metrics = test::httpGet(engine.httpAddress(), "/metrics");
            QVERIFY(metrics.body.find("vigil_logs_ingested_entries_total 1") != std::string::npos);
            engine.stop();
        }
        QVERIFY(QFile::exists(dir.path() + "/logs/chunks/00000001.seg"));
        engine::Engine engine(options);
        QVERIFY(engine.start().isOk());
        logs::LogSelectParams p;
        p.matchers = {model::Matcher::make(model::MatchType::kEqual, "job", "e2e").value()};
        p.endNs = INT64_MAX;
        Collector c;
        QVERIFY(engine.logStore()->select(p, c).isOk());
        QCOMPARE(c.lines.size(), std::size_t(1));
        engine.stop();
    }

    void disabled() {
        QTemporaryDir dir;
        engine::EngineOptions options;
        options.dataDir = dir.path();
        options.config.server.listen = {"127.0.0.1", 0};
        options.config.hostCollector.enabled = false;
        options.config.logs.enabled = false;
        engine::Engine engine(options);
        QVERIFY(!engine.logStore());
        QVERIFY(engine.start().isOk());
        auto reply = test::httpRequest(engine.httpAddress(), "POST", "/loki/api/v1/push", "{}",
                                       "application/json");
        QCOMPARE(reply.status, 404);
        engine.stop();
    }
};

QTEST_GUILESS_MAIN(TestLogsService)
#include "tst_logs_service.moc"
