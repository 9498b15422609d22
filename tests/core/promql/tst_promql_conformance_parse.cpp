// Parses every expression of the PromQL conformance scripts (Prometheus's
// promql/testdata, v2.42 and a newer main snapshot) and checks that
// non-failing evals parse and that toString() output round-trips.

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include "core/promql/parser.h"

using namespace vigil;
using namespace vigil::promql;

namespace {

struct Totals {
    int files = 0;
    int evals = 0;
    int parsed = 0;
    int skippedUnsupported = 0;
    int failEvals = 0;
    int failEvalsRejectedByParser = 0;
};
Totals g_totals;

QString sharedDir() {
    const QByteArray env = qgetenv("VIGIL_SHARED_DIR");
    return env.isEmpty() ? QStringLiteral("/work/shared") : QString::fromLocal8Bit(env);
}

struct EvalCase {
    int line = 0;
    QString expr;
    bool expectFail = false;
};

// Extracts eval commands as FORMAT.md describes: one command per trimmed
// line, `#` lines and blank lines end a block, `expect fail` inside the
// block (newer files) marks the eval as failing.
QList<EvalCase> extractEvals(const QString& path, QString* error) {
    QList<EvalCase> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = "cannot open " + path;
        return out;
    }
    static const QRegularExpression instantRe(
        QStringLiteral(
            "^eval(?:_(fail|warn|ordered|info))?\\s+instant\\s+(?:at\\s+(\\S+)\\s+)?(.+)$"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression rangeRe(
        QStringLiteral("^eval(?:_(fail|warn|info))?\\s+range\\s+from\\s+(\\S+)\\s+to\\s+(\\S+)\\s+"
                       "step\\s+(\\S+)\\s+(.+)$"),
        QRegularExpression::CaseInsensitiveOption);
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n');
    EvalCase* current = nullptr;
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (line.isEmpty() || line.startsWith('#')) {
            current = nullptr;
            continue;
        }
        if (line.startsWith(QLatin1String("eval"), Qt::CaseInsensitive)) {
            EvalCase c;
            c.line = i + 1;
            if (auto m = instantRe.match(line); m.hasMatch()) {
                c.expr = m.captured(3);
                c.expectFail = m.captured(1).compare("fail", Qt::CaseInsensitive) == 0;
            } else if (auto r = rangeRe.match(line); r.hasMatch()) {
                c.expr = r.captured(5);
                c.expectFail = r.captured(1).compare("fail", Qt::CaseInsensitive) == 0;
            } else {
                *error = QStringLiteral("%1:%2: unrecognised eval command: %3")
                             .arg(path)
                             .arg(i + 1)
                             .arg(line);
                return out;
            }
            out.append(c);
            current = &out.last();
            continue;
        }
        if (current && line.startsWith(QLatin1String("expect fail")))
            current->expectFail = true;
        if (line.startsWith(QLatin1String("load")) || line == QLatin1String("clear"))
            current = nullptr;
    }
    return out;
}

}  // namespace

class TestPromqlConformanceParse : public QObject {
    Q_OBJECT

private slots:
    void parseAll_data() {
        QTest::addColumn<QString>("path");
        const QString root = sharedDir() + "/conformance/promql";
        if (!QDir(root).exists())
            QSKIP(qPrintable("conformance scripts not found under " + root));
        for (const QString& sub : {QString(), QStringLiteral("upstream-main-d15adb9ad7")}) {
            QDir dir(sub.isEmpty() ? root : root + "/" + sub);
            for (const QString& name : dir.entryList({"*.test"}, QDir::Files, QDir::Name)) {
                const QString label = sub.isEmpty() ? "v2.42/" + name : "main/" + name;
                QTest::newRow(qPrintable(label)) << dir.filePath(name);
            }
        }
    }

    void parseAll() {
        QFETCH(QString, path);
        QString error;
        const QList<EvalCase> evals = extractEvals(path, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(!evals.isEmpty(), qPrintable("no eval commands found in " + path));
        ++g_totals.files;
        QStringList problems;
        for (const EvalCase& c : evals) {
            ++g_totals.evals;
            const std::string expr = c.expr.toStdString();
            const QString where = QStringLiteral("%1:%2: %3").arg(path).arg(c.line).arg(c.expr);
            ParseError perr;
            ExprPtr ast = parse(expr, &perr);
            if (c.expectFail) {
                ++g_totals.failEvals;
                if (!ast) {
                    ++g_totals.failEvalsRejectedByParser;
                    if (perr.message.empty() || perr.offset > expr.size())
                        problems << where + " -> bad error " +
                                        QString::fromStdString(perr.toString());
                }
                continue;
            }
            if (!ast) {
                const QString msg = QString::fromStdString(perr.toString());
                if (perr.message.find(kNotSupported) != std::string::npos) {
                    ++g_totals.skippedUnsupported;
                    qInfo("skipped (unsupported): %s -> %s", qPrintable(where), qPrintable(msg));
                } else {
                    problems << where + " -> " + msg;
                }
                continue;
            }
            ++g_totals.parsed;
            const std::string printed = toString(*ast);
            auto again = parse(printed);
            if (!again.isOk()) {
                problems << where + " -> printed as '" + QString::fromStdString(printed) +
                                "' which does not parse: " +
                                QString::fromStdString(again.status().message());
                continue;
            }
            const std::string printedAgain = toString(**again);
            if (printedAgain != printed) {
                problems << where + " -> round trip changed '" + QString::fromStdString(printed) +
                                "' into '" + QString::fromStdString(printedAgain) + "'";
            }
            if ((*again)->type() != ast->type())
                problems << where + " -> round trip changed the value type";
        }
        if (!problems.isEmpty()) {
            const QStringList shown = problems.mid(0, 25);
            QFAIL(
                qPrintable(QString::number(problems.size()) + " problem(s):\n" + shown.join('\n')));
        }
    }

    void cleanupTestCase() {
        qInfo(
            "conformance parse: %d files, %d evals: %d parsed and round-tripped, %d skipped as "
            "unsupported, %d eval_fail/expect-fail of which %d rejected by the parser",
            g_totals.files, g_totals.evals, g_totals.parsed, g_totals.skippedUnsupported,
            g_totals.failEvals, g_totals.failEvalsRejectedByParser);
    }
};

QTEST_GUILESS_MAIN(TestPromqlConformanceParse)
#include "tst_promql_conformance_parse.moc"
