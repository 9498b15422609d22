// LogQL conformance: every verdict of queries.tsv agrees through
// `vigilctl logql check`, and every query of Loki's .logqltest files parses
// unless the file expects it to fail.

#include <QtTest>

#include "core/logs/logql/parser.h"

namespace {

QString sharedDir() {
    const QString dir = qEnvironmentVariable("VIGIL_SHARED_DIR");
    return dir.isEmpty() ? QStringLiteral("/work/shared") : dir;
}

}  // namespace

class TestLogqlConformance : public QObject {
    Q_OBJECT

private slots:
    void queriesTsv() {
        const QString path = sharedDir() + "/conformance/loki/queries.tsv";
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
            QSKIP(qPrintable("shared LogQL conformance data absent: " + path));
        const QString vigilctl = qEnvironmentVariable("VIGIL_BIN_DIR") + "/vigilctl";
        if (!QFileInfo(vigilctl).isExecutable())
            QFAIL(qPrintable("vigilctl not found at " + vigilctl + " (VIGIL_BIN_DIR)"));

        const QStringList lines = QString::fromUtf8(file.readAll()).split('\n');
        QVERIFY(lines.size() > 1);
        const QStringList header = lines[0].split('\t');
        const int idCol = header.indexOf("id");
        const int expectCol = header.indexOf("expect");
        const int queryCol = header.indexOf("query");
        const int layerCol = header.indexOf("layer");
        QVERIFY(idCol >= 0 && expectCol >= 0 && queryCol >= 0 && layerCol >= 0);

        int rows = 0, valid = 0, invalid = 0, layerMismatches = 0;
        QStringList disagreements;
        for (int i = 1; i < lines.size(); ++i) {
            if (lines[i].trimmed().isEmpty())
                continue;
            const QStringList cols = lines[i].split('\t');
            QVERIFY2(cols.size() > queryCol, qPrintable("short row " + QString::number(i + 1)));
            const QString id = cols[idCol];
            const QString expect = cols[expectCol];
            QVERIFY2(expect == "valid" || expect == "invalid", qPrintable(id + ": " + expect));
            ++rows;

            QProcess process;
            process.start(vigilctl, {"logql", "check", cols[queryCol]});
            QVERIFY2(process.waitForFinished(30000), qPrintable(id + ": vigilctl timed out"));
            const int code = process.exitCode();
            const QString out = QString::fromUtf8(process.readAllStandardOutput());
            QVERIFY2(code == 0 || code == 1,
                     qPrintable(id + ": exit code " + QString::number(code)));
            const bool gotValid = code == 0;
            gotValid ? ++valid : ++invalid;
            if (gotValid != (expect == "valid")) {
                disagreements << id + " expected " + expect + ": " + cols[queryCol] + " -> " +
                                     out.trimmed();
            }
            if (!gotValid) {
                // The error names its position.
                QVERIFY2(out.contains(QRegularExpression("parse error at line \\d+, col \\d+: ")),
                         qPrintable(id + ": " + out));
                // Grammar errors say "syntax error"; validation errors do not
                // (queries.tsv's layer column: syntax / semantic).
                const QString layer = out.contains("syntax error") ? "syntax" : "semantic";
                if (expect == "invalid" && layer != cols[layerCol]) {
                    ++layerMismatches;
                    disagreements << id + " expected a " + cols[layerCol] +
                                         " error: " + out.trimmed();
                }
            } else {
                QVERIFY2(out.startsWith("valid "), qPrintable(id + ": " + out));
            }
        }
        qInfo(
            "queries.tsv: %d rows, %d accepted, %d rejected, %d verdict disagreements, %d "
            "syntax/semantic layer disagreements",
            rows, valid, invalid, static_cast<int>(disagreements.size()) - layerMismatches,
            layerMismatches);
        QVERIFY2(disagreements.isEmpty(), qPrintable(disagreements.join('\n')));
        QVERIFY(rows >= 100);
    }

    void logqltestQueries() {
        const QDir dir(sharedDir() + "/conformance/loki/logqltest");
        const QStringList files = dir.entryList({"*.logqltest"}, QDir::Files, QDir::Name);
        if (files.isEmpty())
            QSKIP(qPrintable("shared .logqltest files absent: " + dir.path()));

        static const QRegularExpression evalLine(
            "^eval\\S*\\s+(?:instant\\s+at\\s+\\S+|range\\s+from\\s+\\S+\\s+to\\s+\\S+\\s+step\\s+"
            "\\S+)\\s+(.+)$");
        int evals = 0, okTotal = 0, okParsed = 0, failRejected = 0, failAccepted = 0;
        QStringList problems;
        for (const QString& name : files) {
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
            const QStringList lines = QString::fromUtf8(file.readAll()).split('\n');
            for (int i = 0; i < lines.size(); ++i) {
                if (!lines[i].startsWith("eval"))
                    continue;
                const auto match = evalLine.match(lines[i]);
                QVERIFY2(match.hasMatch(), qPrintable(name + ":" + QString::number(i + 1)));
                ++evals;
                bool expectFail = false;
                for (int j = i + 1;
                     j < lines.size() && (lines[j].startsWith(' ') || lines[j].startsWith('\t'));
                     ++j) {
                    if (lines[j].trimmed().startsWith("expect fail"))
                        expectFail = true;
                }
                const std::string query = match.captured(1).toStdString();
                vigil::logql::ParseError error;
                vigil::logql::ExprPtr expr = vigil::logql::parse(query, &error);
                const QString where = name + ":" + QString::number(i + 1) + ": ";
                if (expectFail) {
                    // Loki fails these either at parse time or while evaluating
                    // (data-dependent __error__, many-to-many matching, ...).
                    expr ? ++failAccepted : ++failRejected;
                    continue;
                }
                ++okTotal;
                if (!expr) {
                    problems << where + QString::fromStdString(query) + " -> " +
                                    QString::fromStdString(error.toString());
                    continue;
                }
                ++okParsed;
                // The canonical form parses back to itself.
                const std::string rendered = expr->toString();
                vigil::logql::ExprPtr again = vigil::logql::parse(rendered, &error);
                if (!again || again->toString() != rendered)
                    problems << where + "round trip of " + QString::fromStdString(rendered);
            }
        }
        qInfo(
            "logqltest: %d eval queries; %d expected to work: %d parse and round-trip; "
            "%d expect fail: %d rejected by the parser, %d left to evaluation",
            evals, okTotal, okParsed, failRejected + failAccepted, failRejected, failAccepted);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
        QCOMPARE(okParsed, okTotal);
        QVERIFY(evals >= 1000);
        QVERIFY(failRejected > 0);
    }
};

QTEST_GUILESS_MAIN(TestLogqlConformance)
#include "tst_logql_conformance.moc"
