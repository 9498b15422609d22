// `vigilctl check rules` / `vigilctl test rules` against `promtool` (Debian's
// prometheus 2.42): the same files give the same verdicts, exit codes and
// output. Without promtool the expected verdicts are still checked.

#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QString& program, const QStringList& args, const QString& dir) {
    QProcess process;
    process.setWorkingDirectory(dir);
    process.start(program, args);
    Run r;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return r;
    }
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    return r;
}

QString vigilctl() {
    return qEnvironmentVariable("VIGIL_BIN_DIR") + "/vigilctl";
}

}  // namespace

class TestRulesPromtool : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        m_dataDir = QFileInfo(QFINDTESTDATA("data/rules_basic.yml")).absolutePath();
        QVERIFY(!m_dataDir.isEmpty());
        QVERIFY2(QFileInfo::exists(vigilctl()), qPrintable(vigilctl()));
        m_promtool = QStandardPaths::findExecutable("promtool");
    }

    void testRules_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("expectedExit");
        QTest::addColumn<bool>("sameOutput");  // byte-identical stdout and stderr
        QTest::newRow("passing alerts, recordings, templates") << "test_pass.yml" << 0 << true;
        QTest::newRow("stale markers and gaps") << "test_stale.yml" << 0 << true;
        QTest::newRow("keep_firing_for") << "test_keep_firing.yml" << 0 << true;
        QTest::newRow("group_eval_order") << "test_order.yml" << 0 << true;
        QTest::newRow("deliberately failing") << "test_fail.yml" << 1 << true;
        QTest::newRow("rule evaluation error") << "test_eval_error.yml" << 1 << true;
        QTest::newRow("unknown field in test file") << "test_bad_file.yml" << 1 << true;
        QTest::newRow("invalid rule file") << "test_bad_rules.yml" << 1 << true;
    }
    void testRules() {
        QFETCH(QString, file);
        QFETCH(int, expectedExit);
        QFETCH(bool, sameOutput);
        Run vigil = run(vigilctl(), {"test", "rules", file}, m_dataDir);
        QCOMPARE(vigil.exitCode, expectedExit);
        QVERIFY(vigil.out.startsWith("Unit Testing:  " + file.toUtf8() + "\n"));
        if (expectedExit == 0)
            QVERIFY(vigil.out.contains("  SUCCESS\n"));
        else
            QVERIFY(vigil.err.startsWith("  FAILED:\n"));
        if (m_promtool.isEmpty())
            QSKIP(
                "promtool is not installed (Debian package prometheus): verdicts checked, "
                "comparison skipped");
        Run prom = run(m_promtool, {"test", "rules", file}, m_dataDir);
        QCOMPARE(vigil.exitCode, prom.exitCode);
        if (sameOutput) {
            QCOMPARE(QString::fromUtf8(vigil.out), QString::fromUtf8(prom.out));
            QCOMPARE(QString::fromUtf8(vigil.err), QString::fromUtf8(prom.err));
        }
    }

    void checkRules_data() {
        QTest::addColumn<QStringList>("files");
        QTest::addColumn<int>("expectedExit");
        QTest::newRow("valid") << QStringList{"rules_basic.yml", "rules_order.yml"} << 0;
        QTest::newRow("valid, keep_firing_for") << QStringList{"rules_keep_firing.yml"} << 0;
        QTest::newRow("valid with limit") << QStringList{"rules_eval_error.yml"} << 0;
        QTest::newRow("invalid") << QStringList{"rules_invalid.yml"} << 1;
        QTest::newRow("valid then invalid")
            << QStringList{"rules_basic.yml", "rules_invalid.yml"} << 1;
        QTest::newRow("structural errors") << QStringList{"check_unknown_field.yml"} << 1;
        QTest::newRow("validation errors") << QStringList{"check_invalid.yml"} << 1;
        QTest::newRow("duplicates are a lint warning") << QStringList{"check_duplicates.yml"} << 0;
        QTest::newRow("empty file") << QStringList{"check_empty.yml"} << 0;
    }
    void checkRules() {
        QFETCH(QStringList, files);
        QFETCH(int, expectedExit);
        Run vigil = run(vigilctl(), QStringList{"check", "rules"} + files, m_dataDir);
        QCOMPARE(vigil.exitCode, expectedExit);
        QVERIFY(vigil.out.startsWith("Checking " + files.first().toUtf8() + "\n"));
        if (m_promtool.isEmpty())
            QSKIP(
                "promtool is not installed (Debian package prometheus): verdicts checked, "
                "comparison skipped");
        Run prom = run(m_promtool, QStringList{"check", "rules"} + files, m_dataDir);
        QCOMPARE(vigil.exitCode, prom.exitCode);
        QCOMPARE(QString::fromUtf8(vigil.out), QString::fromUtf8(prom.out));
        QCOMPARE(QString::fromUtf8(vigil.err), QString::fromUtf8(prom.err));
    }

    // The bundled rules for the host collector are valid Prometheus rules.
    void bundledHostRules() {
        const QString file = QFINDTESTDATA("../../../resources/rules/host.rules.yml");
        QVERIFY2(!file.isEmpty(), "resources/rules/host.rules.yml not found");
        Run vigil = run(vigilctl(), {"check", "rules", file}, m_dataDir);
        QCOMPARE(vigil.exitCode, 0);
        QVERIFY2(vigil.err.isEmpty(), vigil.err.constData());
        if (m_promtool.isEmpty())
            QSKIP("promtool is not installed (Debian package prometheus)");
        Run prom = run(m_promtool, {"check", "rules", file}, m_dataDir);
        QVERIFY2(prom.exitCode == 0 && prom.err.isEmpty(), prom.err.constData());
        QCOMPARE(QString::fromUtf8(vigil.out), QString::fromUtf8(prom.out));
    }

    void bundledHostRulesTests() {
        const QString file = QFINDTESTDATA("../../../resources/rules/host.rules.test.yml");
        QVERIFY2(!file.isEmpty(), "resources/rules/host.rules.test.yml not found");
        Run vigil = run(vigilctl(), {"test", "rules", file}, m_dataDir);
        QVERIFY2(vigil.exitCode == 0, vigil.err.constData());
        if (m_promtool.isEmpty())
            QSKIP("promtool is not installed (Debian package prometheus)");
        Run prom = run(m_promtool, {"test", "rules", file}, m_dataDir);
        QVERIFY2(prom.exitCode == 0, prom.err.constData());
    }

    // Loki ruler files: `vigilctl check rules --logql` validates LogQL
    // expressions and positions errors in the file; the bundled example loads.
    void checkLogRules() {
        const QString bundled = QFINDTESTDATA("../../../resources/rules/logs.rules.yml");
        QVERIFY2(!bundled.isEmpty(), "resources/rules/logs.rules.yml not found");
        Run ok = run(vigilctl(), {"check", "rules", "--logql", bundled}, m_dataDir);
        QVERIFY2(ok.exitCode == 0, ok.err.constData());
        QVERIFY2(ok.out.contains("SUCCESS: 4 rules found"), ok.out.constData());
        // LogQL is not PromQL.
        Run asPromql = run(vigilctl(), {"check", "rules", bundled}, m_dataDir);
        QCOMPARE(asPromql.exitCode, 1);

        Run bad = run(vigilctl(), {"check", "rules", "--logql", "logs_invalid.yml"}, m_dataDir);
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("logs_invalid.yml:5:16: group \"logs\", rule 1, "
                                  "\"LinesNotSamples\": expression is a LogQL log query"),
                 bad.err.constData());
        QVERIFY2(bad.err.contains("logs_invalid.yml:7:49: group \"logs\", rule 2, "
                                  "\"job:errors:rate5m\": could not parse expression: parse "
                                  "error at line 1, col 35: syntax error: unexpected ["),
                 bad.err.constData());
        // A PromQL file is not a LogQL one.
        Run promql = run(vigilctl(), {"check", "rules", "--logql", "rules_basic.yml"}, m_dataDir);
        QCOMPARE(promql.exitCode, 1);
    }

private:
    QString m_dataDir;
    QString m_promtool;
};

QTEST_GUILESS_MAIN(TestRulesPromtool)
#include "tst_rules_promtool.moc"
