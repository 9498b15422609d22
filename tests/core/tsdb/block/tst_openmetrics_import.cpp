// OpenMetrics import: against promtool's create-blocks-from on the same
// generated file (series and samples compared one by one through
// `promtool tsdb dump`), block alignment, input errors, and the vigilctl
// tsdb commands driven as a user would.

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "core/tsdb/block/block_querier.h"
#include "core/tsdb/compact/block_set.h"
#include "core/tsdb/import/openmetrics_import.h"
#include "tests/core/tsdb/block/block_test_util.h"

using namespace vigil;
using namespace vigil::tsdb;
using namespace vigil::tsdb::testing;
using model::MatchType;

namespace {

QString sharedDir() {
    QString d = qEnvironmentVariable("VIGIL_SHARED_DIR");
    return d.isEmpty() ? QStringLiteral("/work/shared") : d;
}

// Generates the small dataset; empty on failure.
QString generate(const QString& dir, const QStringList& extra = {}) {
    QString script = sharedDir() + "/tools/gen_openmetrics.py";
    if (!QFile::exists(script))
        return {};
    QProcess p;
    p.setStandardOutputFile(dir + "/in.om");
    p.start("python3", QStringList{script, "--hosts", "2", "--hours", "1"} + extra);
    if (!p.waitForFinished(120000) || p.exitCode() != 0)
        return {};
    return dir + "/in.om";
}

// Go's labels.String() as promtool dump prints it.
std::string promLabels(const model::Labels& l) {
    std::string s = "{";
    for (std::size_t i = 0; i < l.size(); ++i) {
        if (i)
            s += ", ";
        s += l[i].name + "=\"" + model::escapeLabelValue(l[i].value) + "\"";
    }
    return s + "}";
}

SeriesMap readAll(const std::string& dir) {
    auto set = BlockSet::open(Env::posix(), dir);
    if (!set)
        return {};
    auto q = (*set)->querier(model::kMinTimestamp, model::kMaxTimestamp);
    auto got = collect(*q, {matcher(MatchType::kRegexp, "__name__", ".+")});
    return got ? *got : SeriesMap{};
}

QString vigilctl() {
    QString bin = qEnvironmentVariable("VIGIL_BIN_DIR");
    return bin.isEmpty() ? QString() : bin + "/vigilctl";
}

struct Run {
    int code;
    QString out;
    QString err;
};

Run run(const QString& program, const QStringList& args) {
    QProcess p;
    p.start(program, args);
    p.waitForFinished(300000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TestOpenMetricsImport : public QObject {
    Q_OBJECT

private slots:
    void sameSeriesAndSamplesAsPromtool();
    void blocksAlignToMaxDuration_data();
    void blocksAlignToMaxDuration();
    void badInputNamesTheLine_data();
    void badInputNamesTheLine();
    void vigilctlCommands();
};

void TestOpenMetricsImport::sameSeriesAndSamplesAsPromtool() {
    QTemporaryDir tmp;
    QString file = generate(tmp.path());
    if (file.isEmpty())
        QSKIP("gen_openmetrics.py not found under VIGIL_SHARED_DIR/tools (or python3 missing)");
    QString promtool = QStandardPaths::findExecutable("promtool");
    if (promtool.isEmpty())
        QSKIP("promtool is not installed: cannot compare with Prometheus");
    const std::string vigilDir = tmp.filePath("vigil").toStdString();
    auto stats = importOpenMetricsFile(Env::posix(), file.toStdString(), vigilDir);
    QVERIFY2(stats.isOk(), stats.status().message().c_str());

    Run created =
        run(promtool, {"tsdb", "create-blocks-from", "openmetrics", file, tmp.filePath("prom")});
    QVERIFY2(created.code == 0, qPrintable(created.err));
    QDir().mkpath(tmp.filePath("prom/wal"));  // promtool tsdb dump opens a DB, which wants one
    QProcess dump;
    dump.start(promtool, {"tsdb", "dump", tmp.filePath("prom")});
    QVERIFY(dump.waitForFinished(300000));
    QCOMPARE(dump.exitCode(), 0);
    // "{labels} value timestamp" per sample, grouped per series in label order.
    std::map<std::string, std::vector<model::Sample>> want;
    std::uint64_t promSamples = 0;
    for (const QByteArray& line : dump.readAllStandardOutput().split('\n')) {
        if (line.isEmpty())
            continue;
        int ts = line.lastIndexOf(' ');
        int val = line.lastIndexOf(' ', ts - 1);
        QVERIFY(ts > 0 && val > 0);
        model::Sample s;
        s.t = line.mid(ts + 1).toLongLong();
        QByteArray v = line.mid(val + 1, ts - val - 1);
        s.v = v == "NaN"    ? std::nan("")
              : v == "+Inf" ? INFINITY
              : v == "-Inf" ? -INFINITY
                            : std::strtod(v.constData(), nullptr);
        want[line.left(val).toStdString()].push_back(s);
        ++promSamples;
    }
    QVERIFY(promSamples > 0);
    SeriesMap got = readAll(vigilDir);
    QCOMPARE(got.size(), want.size());
    QCOMPARE(stats->samples, promSamples);
    QCOMPARE(stats->series, std::uint64_t(want.size()));
    for (const auto& [labels, samples] : got) {
        auto it = want.find(promLabels(labels));
        QVERIFY2(it != want.end(), promLabels(labels).c_str());
        auto w = it->second;
        std::sort(w.begin(), w.end(), [](auto& a, auto& b) { return a.t < b.t; });
        QCOMPARE(samples.size(), w.size());
        for (std::size_t i = 0; i < w.size(); ++i) {
            QCOMPARE(samples[i].t, w[i].t);
            // promtool prints %g (shortest round-trip), so the parse is exact.
            QVERIFY2(samples[i].v == w[i].v || (std::isnan(samples[i].v) && std::isnan(w[i].v)),
                     (promLabels(labels) + " at " + std::to_string(w[i].t)).c_str());
        }
    }
}

void TestOpenMetricsImport::blocksAlignToMaxDuration_data() {
    QTest::addColumn<qint64>("durationMs");
    QTest::addColumn<int>("blocks");
    // Samples at 1h50m .. 4h10m (after the epoch): 2h blocks cut at 2h and 4h.
    QTest::newRow("2h") << qint64(2 * kHourMs) << 3;
    QTest::newRow("6h") << qint64(6 * kHourMs) << 1;
    QTest::newRow("1h") << qint64(kHourMs) << 4;
}

void TestOpenMetricsImport::blocksAlignToMaxDuration() {
    QFETCH(qint64, durationMs);
    QFETCH(int, blocks);
    std::string text = "# TYPE m gauge\n";
    SeriesMap want;
    for (std::int64_t t = 110 * 60; t <= 250 * 60; t += 600) {
        text += "m{a=\"1\"} " + std::to_string(t) + " " + std::to_string(t) + "\n";
        text += "m{a=\"2\"} 0.5 " + std::to_string(t) + ".25\n";
        want[model::Labels{{"__name__", "m"}, {"a", "1"}}].push_back({t * 1000, double(t)});
        want[model::Labels{{"__name__", "m"}, {"a", "2"}}].push_back({t * 1000 + 250, 0.5});
    }
    text += "# EOF\n";
    QTemporaryDir tmp;
    ImportOptions opt;
    opt.maxBlockDurationMs = durationMs;
    opt.samplesPerChunk = 4;
    auto stats = importOpenMetrics(Env::posix(), text, tmp.path().toStdString(), opt);
    QVERIFY2(stats.isOk(), stats.status().message().c_str());
    QCOMPARE(stats->blocks, std::uint64_t(blocks));
    auto set = BlockSet::open(Env::posix(), tmp.path().toStdString());
    QVERIFY(set.isOk());
    QCOMPARE((*set)->blocks().size(), std::size_t(blocks));
    for (const auto& b : (*set)->blocks()) {
        auto start = (b->meta().minTime / durationMs) * durationMs;
        QVERIFY2(b->meta().maxTime <= start + durationMs, b->meta().ulid.c_str());
    }
    SeriesMap got = readAll(tmp.path().toStdString());
    QVERIFY2(diff(got, want).empty(), diff(got, want).c_str());
}

void TestOpenMetricsImport::badInputNamesTheLine_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expect");
    QTest::newRow("no timestamp") << "m 1 10\nm 2\n# EOF\n"
                                  << "line 2: expected timestamp";
    QTest::newRow("out of order") << "m 1 10\nm 2 11\nm 3 10.5\n# EOF\n"
                                  << "line 3: out of order";
    QTest::newRow("duplicate") << "m 1 10\nm 2 10\n# EOF\n"
                               << "line 2: duplicate sample";
    QTest::newRow("syntax") << "m 1 10\nm{a=b} 2 11\n# EOF\n"
                            << "line 2";
    QTest::newRow("no EOF") << "m 1 10\n"
                            << "EOF";
}

void TestOpenMetricsImport::badInputNamesTheLine() {
    QFETCH(QString, text);
    QFETCH(QString, expect);
    QTemporaryDir tmp;
    const std::string out = tmp.filePath("data").toStdString();
    auto stats = importOpenMetrics(Env::posix(), text.toStdString(), out);
    QVERIFY(!stats.isOk());
    QVERIFY2(stats.status().message().find(expect.toStdString()) != std::string::npos,
             stats.status().message().c_str());
    QVERIFY(!Env::posix()->fileExists(out));  // nothing written
    // The same value at the same timestamp is accepted (as promtool).
    auto ok = importOpenMetrics(Env::posix(), "m 1 10\nm 1 10\n# EOF\n", out);
    QVERIFY(ok.isOk());
    QCOMPARE(ok->samples, std::uint64_t(1));
}

void TestOpenMetricsImport::vigilctlCommands() {
    QString ctl = vigilctl();
    if (ctl.isEmpty() || !QFile::exists(ctl))
        QSKIP("vigilctl not built (VIGIL_BIN_DIR unset or the app is not part of this build)");
    QTemporaryDir tmp;
    QString file = generate(tmp.path());
    if (file.isEmpty())
        QSKIP("gen_openmetrics.py not found under VIGIL_SHARED_DIR/tools (or python3 missing)");
    const QString data = tmp.filePath("data");
    Run imp =
        run(ctl, {"tsdb", "import", "openmetrics", file, data, "--max-block-duration", "30m"});
    QVERIFY2(imp.code == 0, qPrintable(imp.err));
    QRegularExpression summary(
        "^imported 186 series, 44640 samples into 2 blocks: ([0-9.]+) bytes/sample \\(chunks "
        "[0-9.]+\\), "
        "[0-9.]+ s \\([0-9.]+ CPU s\\)\\n$");
    auto m = summary.match(imp.out);
    QVERIFY2(m.hasMatch(), qPrintable(imp.out));
    QVERIFY(m.captured(1).toDouble() > 0.1 && m.captured(1).toDouble() < 2.0);
    QVERIFY2(imp.err.isEmpty(),
             qPrintable(imp.err));  // no progress bar when stderr is not a terminal

    Run an = run(ctl, {"tsdb", "analyze", data});
    QCOMPARE(an.code, 0);
    QVERIFY2(an.out.contains("Blocks: 2\nSeries: 186\nSamples: 44640\n"), qPrintable(an.out));
    QVERIFY2(an.out.contains(QRegularExpression("Label names with most values:\\n\\s+12 le\\n")),
             qPrintable(an.out));
    QVERIFY2(
        an.out.contains(QRegularExpression(
            "Metric names with most series:\\n\\s+96 http_request_duration_seconds_bucket\\n")),
        qPrintable(an.out));

    Run bad = run(ctl, {"tsdb", "delete", data, "--match", "up{", "--start", "0"});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains("--match"), qPrintable(bad.err));
    Run badTime = run(ctl, {"tsdb", "delete", data, "--match", "up", "--start", "yesterday"});
    QCOMPARE(badTime.code, 2);
    QVERIFY2(badTime.err.contains("yesterday"), qPrintable(badTime.err));
    Run del =
        run(ctl, {"tsdb", "delete", data, "--match", "node_load1{instance=\"host-0000:9100\"}",
                  "--start", "2025-01-01T00:10:00Z", "--end", "1735690800"});
    QVERIFY2(del.code == 0, qPrintable(del.err));
    SeriesMap after = readAll((data + "/metrics").toStdString());
    const model::Labels load{
        {"__name__", "node_load1"}, {"instance", "host-0000:9100"}, {"job", "node"}};
    QVERIFY(after.count(load));
    for (const auto& s : after[load])
        QVERIFY(s.t < 1735690200000 || s.t > 1735690800000);
    QCOMPARE(after[load].size(), std::size_t(240 - 41));

    const QString snap = tmp.filePath("snap");
    Run sn = run(ctl, {"tsdb", "snapshot", data, snap});
    QVERIFY2(sn.code == 0, qPrintable(sn.err));
    SeriesMap copy = readAll(snap.toStdString());
    QVERIFY2(diff(copy, after).empty(), diff(copy, after).c_str());
    Run again = run(ctl, {"tsdb", "snapshot", data, snap});
    QCOMPARE(again.code, 1);
    QVERIFY2(again.err.contains("already exists"), qPrintable(again.err));
}

QTEST_GUILESS_MAIN(TestOpenMetricsImport)
#include "tst_openmetrics_import.moc"
