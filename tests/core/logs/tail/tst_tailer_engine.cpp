#include <QtTest>

#include <fstream>

#include "core/config/vigil_config.h"
#include "core/engine/engine.h"
#include "core/logs/store/logs_service.h"
#include "core/logs/tail/tailer.h"

using namespace vigil;

namespace {

class Collect final : public logs::StreamVisitor {
public:
    bool beginStream(const model::Labels& l) override {
        labels.push_back(l);
        return true;
    }
    bool entry(logs::TimestampNs, std::string_view line) override {
        lines.emplace_back(line);
        return true;
    }
    std::vector<model::Labels> labels;
    std::vector<std::string> lines;
};

Collect query(engine::Engine& engine) {
    Collect collect;
    logs::LogSelectParams params;
    params.matchers.push_back(*model::Matcher::make(model::MatchType::kEqual, "job", "app"));
    params.startNs = 0;
    params.endNs = std::numeric_limits<logs::TimestampNs>::max();
    (void)engine.logStore()->select(params, collect);
    return collect;
}

}  // namespace

class TestTailerEngine : public QObject {
    Q_OBJECT

private slots:
    void linesAppendedAreQueryable() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/logs/app.log";
        QDir().mkpath(dir.path() + "/logs");
        { std::ofstream(log.toStdString()) << "before start\n"; }
        const std::string yml =
            "server:\n  listen: 127.0.0.1:0\n"
            "host_collector:\n  enabled: false\n"
            "logs:\n  scrape_configs:\n    - job_name: app\n"
            "      static_configs:\n        - labels:\n"
            "            job: app\n            __path__: " +
            dir.path().toStdString() + "/logs/*.log\n";
        auto loaded = config::parseVigilConfig(yml, "vigil.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        engine::EngineOptions options;
        options.config = loaded->config;
        options.dataDir = dir.path() + "/data";
        {
            engine::Engine engine(options);
            QVERIFY(engine.tailerService() != nullptr);
            Status started = engine.start();
            QVERIFY2(started.isOk(), started.message().c_str());
            { std::ofstream(log.toStdString(), std::ios::app) << "after start\n"; }
            QTRY_COMPARE_WITH_TIMEOUT(query(engine).lines.size(), std::size_t(2), 5000);
            const Collect got = query(engine);
            QCOMPARE(got.lines, (std::vector<std::string>{"before start", "after start"}));
            QCOMPARE(got.labels[0].get("filename"), std::string_view(log.toStdString()));
            const auto targets = engine.logTargets();
            QCOMPARE(targets.size(), std::size_t(1));
            QCOMPARE(targets[0].path, log.toStdString());
            QCOMPARE(targets[0].job, std::string("app"));
            const std::string metrics = engine.metrics().render();
            QVERIFY2(metrics.find("vigil_logs_tailer_read_lines_total{path=\"" + log.toStdString() +
                                  "\"} 2") != std::string::npos,
                     metrics.c_str());
            QVERIFY(metrics.find("vigil_logs_tailer_files_active 1") != std::string::npos);
            engine.stop();
        }
        // Positions are in the data directory; a restart reads only new lines.
        QVERIFY(QFile::exists(dir.path() + "/data/positions.yaml"));
        { std::ofstream(log.toStdString(), std::ios::app) << "while stopped\n"; }
        {
            engine::Engine engine(options);
            QVERIFY(engine.start().isOk());
            QTRY_COMPARE_WITH_TIMEOUT(query(engine).lines.size(), std::size_t(3), 5000);
            QTest::qWait(300);
            QCOMPARE(query(engine).lines,
                     (std::vector<std::string>{"before start", "after start", "while stopped"}));
            engine.stop();
        }
    }

    // The tailer runs a job's pipeline_stages: multiline joins a stack trace
    // to its first line, regex + labels + timestamp set the level and the
    // time from the line, and the stream gets the level label.
    void pipelineStagesShapeWhatIsStored() {
        QTemporaryDir dir;
        QDir().mkpath(dir.path() + "/logs");
        const QString log = dir.path() + "/logs/app.log";
        const std::string yml =
            "server:\n  listen: 127.0.0.1:0\n"
            "host_collector:\n  enabled: false\n"
            "logs:\n  scrape_configs:\n    - job_name: app\n"
            "      static_configs:\n        - labels:\n"
            "            job: app\n            __path__: " +
            dir.path().toStdString() +
            "/logs/*.log\n"
            "      pipeline_stages:\n"
            "        - multiline:\n            firstline: '^\\d{4}-'\n"
            "            max_wait_time: 200ms\n"
            "        - regex:\n"
            "            expression: '^(?P<time>\\S+) (?P<level>[A-Z]+) '\n"
            "        - timestamp:\n            source: time\n            format: RFC3339\n"
            "        - labels:\n            level:\n";
        auto loaded = config::parseVigilConfig(yml, "vigil.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        engine::EngineOptions options;
        options.config = loaded->config;
        options.dataDir = dir.path() + "/data";
        engine::Engine engine(options);
        Status started = engine.start();
        QVERIFY2(started.isOk(), started.message().c_str());
        // Within the store's retention: an hour ago, on a whole second.
        const QDateTime t0 = QDateTime::fromSecsSinceEpoch(
            QDateTime::currentSecsSinceEpoch() - 3600, QTimeZone::utc());
        const std::string first = t0.toString(Qt::ISODate).toStdString();
        const std::string second = t0.addSecs(1).toString(Qt::ISODate).toStdString();
        {
            std::ofstream out(log.toStdString());
            out << first << " ERROR boom\n"
                << "  at frame one\n"
                << "  at frame two\n"
                << second << " INFO fine\n";
        }
        // The last block is released by max_wait_time, not by a next line.
        QTRY_COMPARE_WITH_TIMEOUT(query(engine).lines.size(), std::size_t(2), 5000);
        const Collect got = query(engine);
        QCOMPARE(got.labels.size(), std::size_t(2));
        QCOMPARE(got.labels[0].get("level"), std::string_view("ERROR"));
        QCOMPARE(got.labels[1].get("level"), std::string_view("INFO"));
        QCOMPARE(got.lines[0], first + " ERROR boom\n  at frame one\n  at frame two");
        QCOMPARE(got.lines[1], second + " INFO fine");
        // The time came from the line, not the read time.
        class First final : public logs::StreamVisitor {
        public:
            bool beginStream(const model::Labels&) override { return true; }
            bool entry(logs::TimestampNs ts, std::string_view) override {
                if (first == 0)
                    first = ts;
                return true;
            }
            logs::TimestampNs first = 0;
        } firstEntry;
        logs::LogSelectParams params;
        params.matchers.push_back(
            *model::Matcher::make(model::MatchType::kEqual, "level", "ERROR"));
        params.startNs = 0;
        params.endNs = std::numeric_limits<logs::TimestampNs>::max();
        QVERIFY(engine.logStore()->select(params, firstEntry).isOk());
        QCOMPARE(firstEntry.first, logs::TimestampNs(t0.toSecsSinceEpoch()) * 1'000'000'000);
        engine.stop();
    }
};

QTEST_GUILESS_MAIN(TestTailerEngine)

#include "tst_tailer_engine.moc"
