// For every fixture in shared/conformance/alertmanager, `vigilctl routes
// test` must name the same receivers as the real amtool 0.25 did (the
// *.expected files), for every label set; and `vigilctl routes show` must
// print the same tree as `amtool config routes` when amtool is installed.

#include <QtTest>

namespace {

QString shared() {
    return qEnvironmentVariable("VIGIL_SHARED_DIR");
}
QString vigilctl() {
    return qEnvironmentVariable("VIGIL_BIN_DIR") + "/vigilctl";
}

// The oracle script's split: commas outside double quotes separate labels.
QStringList splitLabels(const QString& line) {
    QStringList tokens;
    QString token;
    bool inQuotes = false, escaped = false;
    for (QChar c : line) {
        if (escaped) {
            token += c;
            escaped = false;
            continue;
        }
        if (c == '\\') {
            token += c;
            escaped = true;
        } else if (c == '"') {
            token += c;
            inQuotes = !inQuotes;
        } else if (c == ',' && !inQuotes) {
            tokens << token;
            token.clear();
        } else {
            token += c;
        }
    }
    if (!token.trimmed().isEmpty())
        tokens << token;
    return tokens;
}

QString run(const QString& program, const QStringList& args, int* exitCode = nullptr) {
    QProcess process;
    process.start(program, args);
    process.waitForFinished(30000);
    if (exitCode)
        *exitCode = process.exitCode();
    return QString::fromUtf8(process.readAllStandardOutput());
}

}  // namespace

class TestRoutesConformance : public QObject {
    Q_OBJECT
private slots:
    void receiversMatchAmtool_data() {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("labels");
        QTest::addColumn<QString>("expected");
        const QDir dir(shared() + "/conformance/alertmanager");
        if (!dir.exists())
            return;
        for (const QString& file : dir.entryList({"*.expected"}, QDir::Files, QDir::Name)) {
            if (file.endsWith(".live.expected"))
                continue;
            const QString base = file.left(file.size() - QString(".expected").size());
            QFile f(dir.filePath(file));
            if (!f.open(QIODevice::ReadOnly))
                continue;
            int lineNumber = 0;
            for (const QByteArray& raw : f.readAll().split('\n')) {
                ++lineNumber;
                const QString line = QString::fromUtf8(raw);
                const int tab = line.indexOf('\t');
                if (tab < 0)
                    continue;
                QTest::newRow(qPrintable(QStringLiteral("%1:%2").arg(file).arg(lineNumber)))
                    << dir.filePath(base + ".alertmanager.yml") << line.left(tab)
                    << line.mid(tab + 1);
            }
        }
    }
    void receiversMatchAmtool() {
        if (shared().isEmpty() || !QDir(shared() + "/conformance/alertmanager").exists()) {
            QSKIP("shared/conformance/alertmanager is absent (VIGIL_SHARED_DIR)");
        }
        QFETCH(QString, config);
        QFETCH(QString, labels);
        QFETCH(QString, expected);
        QStringList args{"routes", "test", "--config", config};
        if (labels != "{}")
            args << splitLabels(labels);
        int exitCode = -1;
        const QString out = run(vigilctl(), args, &exitCode);
        QCOMPARE(exitCode, 0);
        QCOMPARE(out.trimmed(), expected.trimmed());
    }

    void treeMatchesAmtool() {
        const QString amtool = QStandardPaths::findExecutable("amtool");
        if (amtool.isEmpty())
            QSKIP("amtool (Debian package prometheus-alertmanager) is not installed");
        const QDir dir(shared() + "/conformance/alertmanager");
        if (!dir.exists())
            QSKIP("shared/conformance/alertmanager is absent (VIGIL_SHARED_DIR)");
        int compared = 0;
        for (const QString& file : dir.entryList({"*.alertmanager.yml"}, QDir::Files, QDir::Name)) {
            const QString config = dir.filePath(file);
            const QString theirs = run(amtool, {"config", "routes", "--config.file=" + config});
            const QString ours = run(vigilctl(), {"routes", "show", "--config", config});
            QCOMPARE(ours, theirs);
            ++compared;

            // `routes test --tree` against `amtool config routes test --tree`
            // for every label set of the fixture.
            QFile labels(dir.filePath(file.left(file.size() - QString(".alertmanager.yml").size()) +
                                      ".labels"));
            if (!labels.open(QIODevice::ReadOnly))
                continue;
            for (const QByteArray& raw : labels.readAll().split('\n')) {
                const QString line = QString::fromUtf8(raw).trimmed();
                if (line.isEmpty() || line.startsWith('#'))
                    continue;
                const QStringList set = line == "{}" ? QStringList() : splitLabels(line);
                const QString theirTree =
                    run(amtool, QStringList{"config", "routes", "test", "--tree",
                                            "--config.file=" + config, "--"} +
                                    set);
                const QString ourTree = run(
                    vigilctl(), QStringList{"routes", "test", "--tree", "--config", config} + set);
                QVERIFY2(ourTree == theirTree,
                         qPrintable(line + "\namtool:\n" + theirTree + "vigilctl:\n" + ourTree));
            }
        }
        QVERIFY(compared >= 4);
    }
};

QTEST_GUILESS_MAIN(TestRoutesConformance)
#include "tst_routes_conformance.moc"
