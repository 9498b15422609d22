// Runs `vigilctl promql test` over Prometheus's PromQL test scripts (v2.42
// and a newer upstream snapshot, see /work/shared/conformance/promql/
// FORMAT.md) and over Vigil's own scripts in testdata/, and checks the
// summary line: v2.42 and Vigil's scripts must pass completely; the newer
// scripts must not fail any eval and may skip only native-histogram evals
// (every float eval passes, including anchored/smoothed ranges and start
// timestamps).

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

namespace {

QString sharedDir() {
    const QByteArray env = qgetenv("VIGIL_SHARED_DIR");
    return env.isEmpty() ? QStringLiteral("/work/shared") : QString::fromLocal8Bit(env);
}

struct Summary {
    int passed = -1, failed = -1, skipped = 0;
    int exitCode = -1;
    QString output;
    QStringList skipReasons;
};

Summary runScripts(const QString& dir, const QStringList& extraArgs) {
    Summary s;
    const QStringList files = QDir(dir).entryList({"*.test"}, QDir::Files, QDir::Name);
    QStringList args = {"promql", "test"};
    args += extraArgs;
    for (const auto& f : files)
        args << QDir(dir).filePath(f);
    QProcess p;
    p.start(qEnvironmentVariable("VIGIL_BIN_DIR") + "/vigilctl", args);
    if (!p.waitForFinished(540000))
        return s;
    s.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    s.output = QString::fromUtf8(p.readAllStandardOutput());
    const QStringList lines = s.output.split('\n', Qt::SkipEmptyParts);
    if (lines.isEmpty())
        return s;
    static const QRegularExpression summaryRe(
        "^(\\d+) passed, (\\d+) failed(?:, (\\d+) skipped)?$");
    const auto m = summaryRe.match(lines.last());
    if (!m.hasMatch())
        return s;
    s.passed = m.captured(1).toInt();
    s.failed = m.captured(2).toInt();
    s.skipped = m.captured(3).isEmpty() ? 0 : m.captured(3).toInt();
    for (const auto& l : lines)
        if (l.trimmed().startsWith("reason: "))
            s.skipReasons << l.trimmed().mid(8);
    return s;
}

QString failingLines(const QString& output) {
    QStringList out;
    for (const auto& l : output.split('\n'))
        if (l.contains(": FAILED "))
            out << l;
    return out.join('\n');
}

// Reasons an eval of the newer scripts may be skipped for: native
// histograms, which Vigil leaves out on purpose. Nothing else.
bool acceptableSkipReason(const QString& reason) {
    static const QStringList kAllowed = {
        "native histograms are not supported",
        "native histograms with custom buckets (load_with_nhcb) are not supported",
        "native histogram trim operator",
    };
    for (const auto& a : kAllowed)
        if (reason.contains(a))
            return true;
    return false;
}

}  // namespace

class TestPromqlConformance : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        if (qEnvironmentVariable("VIGIL_BIN_DIR").isEmpty())
            QSKIP("VIGIL_BIN_DIR is not set");
    }

    void prometheus242() {
        const QString dir = sharedDir() + "/conformance/promql";
        if (!QDir(dir).exists())
            QSKIP(qPrintable("shared conformance data is absent: " + dir));
        const Summary s = runScripts(dir, {});
        QVERIFY2(s.passed >= 0, qPrintable("no summary line:\n" + s.output.right(2000)));
        qInfo("v2.42: %d passed, %d failed, %d skipped", s.passed, s.failed, s.skipped);
        QVERIFY2(s.failed == 0, qPrintable(failingLines(s.output)));
        QCOMPARE(s.skipped, 0);
        QCOMPARE(s.passed, 566);
        QCOMPARE(s.exitCode, 0);
    }

    void upstreamMain() {
        const QString dir = sharedDir() + "/conformance/promql/upstream-main-d15adb9ad7";
        if (!QDir(dir).exists())
            QSKIP(qPrintable("shared conformance data is absent: " + dir));
        const Summary s = runScripts(dir, {"--semantics", "3"});
        QVERIFY2(s.passed >= 0, qPrintable("no summary line:\n" + s.output.right(2000)));
        qInfo("upstream main: %d passed, %d failed, %d skipped", s.passed, s.failed, s.skipped);
        QCOMPARE(s.passed + s.failed + s.skipped, 2214);
        QVERIFY2(s.failed == 0, qPrintable(failingLines(s.output)));
        QCOMPARE(s.skipReasons.size(), s.skipped);
        for (const auto& r : s.skipReasons)
            QVERIFY2(acceptableSkipReason(r), qPrintable("skip reason: " + r));
        // 1209 when this was set: every eval without native histograms.
        // Raise it (and lower the skips) as native histograms are added.
        QVERIFY2(s.passed >= 1209, qPrintable(QString::number(s.passed)));
        QCOMPARE(s.exitCode, 0);
    }

    void vigilScripts() {
        const QString dir = QStringLiteral(VIGIL_TEST_DATA_DIR) + "/testdata";
        const Summary s242 = runScripts(dir, {});
        QVERIFY2(s242.passed > 0, qPrintable(s242.output.right(2000)));
        QVERIFY2(s242.failed == 0, qPrintable(failingLines(s242.output)));
        QCOMPARE(s242.skipped, 0);
    }
};

QTEST_GUILESS_MAIN(TestPromqlConformance)
#include "tst_promql_conformance.moc"
