// The bundled presets (resources/logs/pipelines) against fixture logs:
// fixtures/presets/NAME.log runs through the preset and must give
// fixtures/presets/NAME.expected, one entry per line:
//   RFC3339 time <TAB> stream labels <TAB> line (\n \t \\ escaped)
// "YYYY" in a time is the current year (syslog without a year; the fixtures
// use months other than December and January, so no New Year correction).

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <ctime>

#include "core/config/config_errors.h"
#include "core/logs/pipeline/go_time_layout.h"
#include "core/logs/pipeline/presets.h"
#include "tests/core/logs/pipeline/pipeline_test_util.h"

using namespace vigil;
using namespace vigil::logs::pipeline;

namespace {

std::string unescape(const QString& s) {
    std::string in = s.toStdString(), out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '\\' && i + 1 < in.size()) {
            const char c = in[++i];
            out.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c);
        } else {
            out.push_back(in[i]);
        }
    }
    return out;
}

QStringList readLines(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    QStringList lines = QString::fromUtf8(f.readAll()).split('\n');
    if (!lines.isEmpty() && lines.back().isEmpty())
        lines.pop_back();
    return lines;
}

}  // namespace

class TestPipelinePresets : public QObject {
    Q_OBJECT
private slots:
    void presetNamesAreBundled() {
        const std::vector<std::string> want{"json-app", "nginx-access", "nginx-error", "postgresql",
                                            "syslog"};
        QCOMPARE(presetNames(), want);
    }

    void preset_data() {
        QTest::addColumn<QString>("name");
        for (const std::string& n : presetNames())
            QTest::newRow(n.c_str()) << QString::fromStdString(n);
    }
    void preset() {
        QFETCH(QString, name);
        auto loaded = loadPreset(name.toStdString());
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        auto& pipeline = *loaded.value();

        std::vector<Entry> out;
        for (const QString& line : readLines(pipelineFixture("presets/" + name + ".log"))) {
            Entry e;
            e.labels = {{"job", "test"}};
            e.tsNs = 1000;
            e.line = line.toStdString();
            pipeline.process(std::move(e), out);
        }
        pipeline.flush(0, true, out);

        const std::time_t now = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&now, &tm);
        const QString year = QString::number(tm.tm_year + 1900);
        const QStringList expected = readLines(pipelineFixture("presets/" + name + ".expected"));
        QCOMPARE(out.size(), static_cast<std::size_t>(expected.size()));
        for (std::size_t i = 0; i < out.size(); ++i) {
            const QStringList parts = expected[static_cast<int>(i)].split('\t');
            QCOMPARE(parts.size(), 3);
            QString ts = parts[0];
            ts.replace("YYYY", year);
            auto want = parseGoTime(kRfc3339Nano, ts.toStdString(), nullptr);
            QVERIFY(want.isOk());
            const std::string where = "entry " + std::to_string(i) + ": " + out[i].line;
            QVERIFY2(out[i].line == unescape(parts[2]), where.c_str());
            QCOMPARE(streamLabels(out[i]).toString(), parts[1].toStdString());
            QVERIFY2(out[i].tsNs == want.value(),
                     (where + " ts " + std::to_string(out[i].tsNs)).c_str());
        }
        QCOMPARE(pipeline.dropped(), std::uint64_t(0));
    }

    void unknownPreset() {
        auto p = loadPreset("nginx");
        QVERIFY(!p.isOk());
        QCOMPARE(p.status().message(),
                 std::string("unknown pipeline preset \"nginx\" (presets: json-app, nginx-access, "
                             "nginx-error, postgresql, syslog)"));
        QVERIFY(!loadPreset("../x").isOk());
    }

    // A pipeline file: `pipeline_stages:` or a bare list; errors name the file.
    void pipelineFiles() {
        QTemporaryDir dir;
        const QString good = dir.path() + "/good.yml";
        const QString bare = dir.path() + "/bare.yml";
        const QString bad = dir.path() + "/bad.yml";
        auto write = [](const QString& path, const char* text) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        };
        write(good, "pipeline_stages:\n  - static_labels: {a: b}\n");
        write(bare, "- static_labels: {a: b}\n");
        write(bad, "pipeline_stages:\n  - static_labels: {a: b}\nscrape_configs: []\n");
        for (const QString& path : {good, bare}) {
            auto p = loadPipelineFile(path.toStdString());
            QVERIFY2(p.isOk(), p.status().message().c_str());
            std::vector<Entry> out;
            p.value()->process(Entry{{{"job", "x"}}, {}, 1, "l", {}}, out);
            QCOMPARE(out.size(), std::size_t(1));
            QCOMPARE(out[0].labels.at("a"), std::string("b"));
        }
        auto p = loadPipelineFile(bad.toStdString());
        QVERIFY(!p.isOk());
        QCOMPARE(p.status().message(), bad.toStdString() + ":3:1: unknown key 'scrape_configs'");
        auto missing = loadPipelineFile((dir.path() + "/nope.yml").toStdString());
        QVERIFY(!missing.isOk());
        QVERIFY(missing.status().message().find("cannot open pipeline file") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestPipelinePresets)
#include "tst_pipeline_presets.moc"
