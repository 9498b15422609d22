#include <QDateTime>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "core/logs/store/log_store.h"

using namespace vigil;

namespace {

QString vigilctl() {
    return qEnvironmentVariable("VIGIL_BIN_DIR") + "/vigilctl";
}

struct Run {
    int code = -1;
    QString out, err;
};

Run run(const QStringList& args) {
    QProcess p;
    p.start(vigilctl(), args);
    p.waitForFinished(60000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

class Collector final : public logs::StreamVisitor {
public:
    std::vector<model::Labels> streams;
    std::vector<std::string> lines;
    bool beginStream(const model::Labels& l) override {
        streams.push_back(l);
        return true;
    }
    bool entry(logs::TimestampNs, std::string_view line) override {
        lines.emplace_back(line);
        return true;
    }
};

}  // namespace

class TestLogsImport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        if (!QFile::exists(vigilctl()))
            QSKIP("vigilctl is not built (VIGIL_BIN_DIR)");
    }

    void importsLinesInOrder() {
        QTemporaryDir dir;
        const QString file = dir.path() + "/old.log";
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            for (int i = 0; i < 5000; ++i)
                f.write(QByteArray("Jan  1 00:00:00 host app: line ") + QByteArray::number(i) +
                        "\r\n");
            f.write("last line without newline");
        }
        const QString data = dir.path() + "/data";
        Run r = run({"logs", "import", file, data, "--label", "job=old", "--label", "env=test"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith("imported 5001 of 5001 lines"), qPrintable(r.out));
        QVERIFY2(!r.out.contains('\r'), "no progress bar when stdout is not a terminal");

        auto store = logs::store::LogStore::open(
            Env::posix(), logs::store::logsDirForDataDir(data.toStdString()), {}, nullptr);
        QVERIFY(store.isOk());
        Collector c;
        logs::LogSelectParams p;
        p.matchers = {model::Matcher::make(model::MatchType::kEqual, "job", "old").value()};
        p.endNs = INT64_MAX;
        QVERIFY(store.value()->select(p, c).isOk());
        QCOMPARE(c.streams.size(), std::size_t(1));
        QCOMPARE(c.streams[0].get("env"), std::string_view("test"));
        QCOMPARE(c.streams[0].get("filename"), std::string_view(file.toStdString()));
        QCOMPARE(c.lines.size(), std::size_t(5001));
        QCOMPARE(c.lines[4999], std::string("Jan  1 00:00:00 host app: line 4999"));
        QCOMPARE(c.lines[5000], std::string("last line without newline"));
    }

    // What was imported comes back through `vigilctl logs query`.
    void queriesWhatWasImported() {
        QTemporaryDir dir;
        const QString file = dir.path() + "/app.log";
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            for (int i = 0; i < 10; ++i)
                f.write(QByteArray("level=") + (i % 3 == 0 ? "error" : "info") + " msg=\"request " +
                        QByteArray::number(i) + "\"\n");
        }
        const QString data = dir.path() + "/data";
        Run imported = run({"logs", "import", file, data, "--label", "job=app"});
        QVERIFY2(imported.code == 0, qPrintable(imported.err));

        Run raw = run({"logs", "query", "--data-dir", data, "--from", "now-1h",
                       "{job=\"app\"} |= \"error\""});
        QVERIFY2(raw.code == 0, qPrintable(raw.err));
        const QStringList lines = raw.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);  // i = 9, 6, 3, 0: newest first, as logcli
        QCOMPARE(lines.front(), QStringLiteral("level=error msg=\"request 9\""));

        Run json = run({"logs", "query", "--data-dir", data, "--output", "json", "--limit", "2",
                        "{job=\"app\"} | logfmt | level=\"info\""});
        QVERIFY2(json.code == 0, qPrintable(json.err));
        QCOMPARE(json.out.split('\n', Qt::SkipEmptyParts).size(), 2);
        QVERIFY2(json.out.contains("\"level\":\"info\""), qPrintable(json.out));

        // An instant metric query (from == to), a second after the import.
        const QString at =
            QString::number((QDateTime::currentMSecsSinceEpoch() + 1000) * 1'000'000);
        Run metric = run({"logs", "query", "--data-dir", data, "--from", at, "--to", at,
                          "sum by (level) (count_over_time({job=\"app\"} | logfmt [1h]))"});
        QVERIFY2(metric.code == 0, qPrintable(metric.err));
        QVERIFY2(metric.out.contains("\"level\":\"error\""), qPrintable(metric.out));

        Run bad = run({"logs", "query", "--data-dir", data, "{job=\"app\""});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("parse error"), qPrintable(bad.err));
        Run usage = run({"logs", "query", "{job=\"app\"}"});
        QCOMPARE(usage.code, 2);
        QVERIFY2(usage.err.contains("--data-dir is required"), qPrintable(usage.err));
    }

    // On a terminal (script(1) gives the command a pty), a progress bar.
    void progressBarOnTerminal() {
        if (QStandardPaths::findExecutable("script").isEmpty())
            QSKIP("script(1) is not installed: no pseudo-terminal to test with");
        QTemporaryDir dir;
        const QString file = dir.path() + "/t.log";
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("one\ntwo\n");
        f.close();
        QProcess p;
        p.start(
            "script",
            {"-qec", vigilctl() + " logs import " + file + " " + dir.path() + "/d --label job=t",
             "/dev/null"});
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(out.contains("\r[########################################] 100.0% 2 lines"),
                 qPrintable(out));
        QVERIFY2(out.contains("imported 2 of 2 lines"), qPrintable(out));
    }

    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown preset")
            << QStringList{"--preset", "apache"}
            << QString(
                   "--preset: unknown pipeline preset \"apache\" (presets: json-app, "
                   "nginx-access, nginx-error, postgresql, syslog)");
        QTest::newRow("preset and pipeline")
            << QStringList{"--preset", "syslog", "--pipeline", "p.yml"}
            << QString("--preset and --pipeline cannot be used together");
        QTest::newRow("bad label")
            << QStringList{"--label", "1x=y"} << QString("invalid label name \"1x\"");
        QTest::newRow("no value") << QStringList{"--label", "job"}
                                  << QString("expected NAME=VALUE");
    }
    void usageErrors() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QFile f(dir.path() + "/x.log");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x\n");
        f.close();
        Run r = run(QStringList{"logs", "import", f.fileName(), dir.path() + "/d"} + args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    // --preset: the file's own timestamps, labels from the lines, multiline
    // blocks flushed at the end of the file.
    void importsThroughPreset() {
        QTemporaryDir dir;
        const QString file = dir.path() + "/postgresql.log";
        // Times an hour ago, so that the store takes them.
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-3600);
        auto at = [&](int s) {
            return t0.addSecs(s).toString("yyyy-MM-dd HH:mm:ss.zzz").toUtf8() + " UTC";
        };
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(at(0) + " [10] LOG:  ready\n");
            f.write(at(1) + " [11] ERROR:  boom\n");
            f.write(at(2) + " [11] STATEMENT:  select 1\n\t  from t;\n");
        }
        const QString data = dir.path() + "/data";
        Run r = run({"logs", "import", file, data, "--label", "job=pg", "--preset", "postgresql"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith("imported 3 of 3 entries from 4 lines"), qPrintable(r.out));
        QVERIFY2(r.out.contains("into 3 streams"), qPrintable(r.out));
        QVERIFY2(r.out.contains("; 0 dropped by the pipeline"), qPrintable(r.out));

        auto store = logs::store::LogStore::open(
            Env::posix(), logs::store::logsDirForDataDir(data.toStdString()), {}, nullptr);
        QVERIFY(store.isOk());
        class Entries final : public logs::StreamVisitor {
        public:
            std::vector<std::pair<std::string, std::string>> got;  // level, line
            std::vector<logs::TimestampNs> ts;
            std::string level;
            bool beginStream(const model::Labels& l) override {
                level = std::string(l.get("level"));
                return true;
            }
            bool entry(logs::TimestampNs t, std::string_view line) override {
                got.emplace_back(level, std::string(line));
                ts.push_back(t);
                return true;
            }
        } c;
        logs::LogSelectParams p;
        p.matchers = {model::Matcher::make(model::MatchType::kEqual, "job", "pg").value()};
        p.endNs = INT64_MAX;
        QVERIFY(store.value()->select(p, c).isOk());
        QCOMPARE(c.got.size(), std::size_t(3));
        std::sort(c.got.begin(), c.got.end());
        QCOMPARE(c.got[0].first, std::string("error"));
        QCOMPARE(c.got[1].first, std::string("info"));
        QCOMPARE(c.got[2].first, std::string("statement"));
        QCOMPARE(c.got[2].second,
                 (at(2) + " [11] STATEMENT:  select 1\n\t  from t;").toStdString());
        const logs::TimestampNs t0ns = t0.toMSecsSinceEpoch() * 1'000'000;
        for (logs::TimestampNs t : c.ts)
            QVERIFY2(t >= t0ns && t <= t0ns + 2'000'000'000, qPrintable(QString::number(t)));
    }

    // --pipeline FILE: the summary counts what the pipeline dropped; a bad
    // file is reported with its position.
    void importsThroughPipelineFile() {
        QTemporaryDir dir;
        const QString file = dir.path() + "/app.log";
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("level=info msg=a\nlevel=debug msg=b\nlevel=debug msg=c\nlevel=warn msg=d\n");
        }
        const QString pipelineFile = dir.path() + "/p.yml";
        {
            QFile f(pipelineFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(
                "pipeline_stages:\n"
                "  - logfmt: {mapping: {level: }}\n"
                "  - drop: {source: level, value: debug}\n"
                "  - labels: {level: }\n");
        }
        const QString data = dir.path() + "/data";
        Run r =
            run({"logs", "import", file, data, "--label", "job=app", "--pipeline", pipelineFile});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith("imported 2 of 2 entries from 4 lines"), qPrintable(r.out));
        QVERIFY2(r.out.contains("into 2 streams"), qPrintable(r.out));
        QVERIFY2(r.out.contains("; 2 dropped by the pipeline"), qPrintable(r.out));

        {
            QFile f(pipelineFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("pipeline_stages:\n  - regex: {expression: '('}\n");
        }
        Run bad = run({"logs", "import", file, data, "--pipeline", pipelineFile});
        QCOMPARE(bad.code, 1);
        QVERIFY2(
            bad.err.contains(pipelineFile + ":2:25: pipeline_stages[0].regex.expression: could not "
                                            "compile regular expression"),
            qPrintable(bad.err));
    }

    void missingFile() {
        QTemporaryDir dir;
        Run r = run({"logs", "import", dir.path() + "/nope.log", dir.path() + "/d"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cannot open " + dir.path() + "/nope.log"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestLogsImport)
#include "tst_logs_import.moc"
