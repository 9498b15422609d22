// The pieces under the stages: Go time layouts, the JMESPath subset, the
// pack/unpack contract with LogQL, and the time-driven stages (multiline's
// max_wait_time, limit's waiting).

#include <yaml-cpp/yaml.h>

#include <QElapsedTimer>
#include <QtTest>

#include <chrono>

#include "core/config/config_errors.h"
#include "core/logs/logql/parser.h"
#include "core/logs/logql/pipeline.h"
#include "core/logs/pipeline/go_time_layout.h"
#include "core/logs/pipeline/json_path.h"
#include "core/logs/pipeline/json_value.h"
#include "core/logs/pipeline/pipeline.h"

using namespace vigil;
using namespace vigil::logs::pipeline;

namespace {

std::unique_ptr<Pipeline> build(const char* yaml) {
    config::ConfigErrors errors("t.yml");
    auto p = parsePipeline(YAML::Load(yaml), "pipeline_stages", errors);
    if (!p)
        qFatal("%s", errors.toStatus().message().c_str());
    return p;
}

logs::TimestampNs nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

class TestPipelineParts : public QObject {
    Q_OBJECT
private slots:
    void goLayouts_data() {
        QTest::addColumn<QString>("layout");
        QTest::addColumn<QString>("value");
        QTest::addColumn<qint64>("unixNs");  // -1: an error
        QTest::addColumn<QString>("error");
        auto ok = [](const char* name, const char* layout, const char* value, qint64 ns) {
            QTest::newRow(name) << layout << value << ns << QString();
        };
        auto bad = [](const char* name, const char* layout, const char* value, const char* err) {
            QTest::newRow(name) << layout << value << qint64(-1) << QString(err);
        };
        ok("rfc3339 nano", "2006-01-02T15:04:05.999999999Z07:00", "2024-03-05T10:11:12.000000001Z",
           1709633472000000001);
        ok("rfc3339 offset", "2006-01-02T15:04:05Z07:00", "2024-03-05T10:11:12-01:30",
           1709638872000000000);
        ok("fraction not in layout", "2006-01-02 15:04:05", "2024-03-05 10:11:12.25",
           1709633472250000000);
        ok("comma fraction", "2006-01-02 15:04:05,000", "2024-03-05 10:11:12,125",
           1709633472125000000);
        ok("long month and weekday", "Monday, January 2 2006", "tuesday, march 5 2024",
           1709596800000000000);
        ok("two digit year 69", "06-01-02", "69-01-01", -31536000000000000);
        ok("two digit year 68", "06-01-02", "68-01-01", 3092601600000000000);
        ok("12 AM is midnight", "2006-01-02 03:04 PM", "2024-03-05 12:30 AM", 1709598600000000000);
        ok("Z0700", "2006-01-02T15:04:05Z0700", "2024-03-05T10:11:12+0100", 1709629872000000000);
        ok("-07 short", "2006-01-02 15 -07", "2024-03-05 10 +02", 1709625600000000000);
        ok("GMT+3", "2006-01-02 15:04 MST", "2024-03-05 10:00 GMT+3", 1709622000000000000);
        ok("spaces collapse", "Jan _2 15:04:05 2006", "Mar  5 10:11:12   2024",
           1709633472000000000);
        ok("leap day", "2006-01-02", "2024-02-29", 1709164800000000000);
        bad("extra text", "2006-01-02", "2024-03-05 junk",
            "parsing time \"2024-03-05 junk\": extra text: \" junk\"");
        bad("cannot parse", "2006-01-02", "2024/03/05",
            "parsing time \"2024/03/05\" as \"2006-01-02\": cannot parse \"/03/05\" as \"-\"");
        bad("month range", "2006-01-02", "2024-13-05",
            "parsing time \"2024-13-05\": month out of range");
        bad("day range", "2006-01-02", "2023-02-29",
            "parsing time \"2023-02-29\": day out of range");
        bad("hour range", "15:04", "24:00", "parsing time \"24:00\": hour out of range");
        bad("bad month name", "Jan 2", "Foo 2",
            "parsing time \"Foo 2\" as \"Jan 2\": cannot parse \"Foo 2\" as \"Jan\"");
        bad("missing fraction digits", "05.000", "01.12",
            "parsing time \"01.12\" as \"05.000\": cannot parse \".12\" as \".000\"");
    }
    void goLayouts() {
        QFETCH(QString, layout);
        QFETCH(QString, value);
        QFETCH(qint64, unixNs);
        QFETCH(QString, error);
        auto r = parseGoTime(layout.toStdString(), value.toStdString(), nullptr);
        if (unixNs == -1) {
            QVERIFY(!r.isOk());
            QCOMPARE(QString::fromStdString(r.status().message()), error);
        } else {
            QVERIFY2(r.isOk(), r.status().message().c_str());
            QCOMPARE(r.value(), unixNs);
        }
    }

    // A location applies to times without an offset, across DST changes.
    void locations() {
        auto ny = Location::load("America/New_York");
        QVERIFY(ny.isOk());
        auto summer = parseGoTime("2006-01-02 15:04", "2024-07-01 12:00", ny.value().get());
        QCOMPARE(summer.value(), 1719849600000000000);  // 16:00Z (EDT)
        auto winter = parseGoTime("2006-01-02 15:04", "2024-01-01 12:00", ny.value().get());
        QCOMPARE(winter.value(), 1704128400000000000);  // 17:00Z (EST)
        // An explicit offset wins over the location.
        auto explicitOffset =
            parseGoTime("2006-01-02 15:04 -0700", "2024-01-01 12:00 +0000", ny.value().get());
        QCOMPARE(explicitOffset.value(), 1704110400000000000);
        // A zone abbreviation the location uses.
        auto abbrev = parseGoTime("2006-01-02 15:04 MST", "2024-01-01 12:00 EST", ny.value().get());
        QCOMPARE(abbrev.value(), 1704128400000000000);
        QVERIFY(!Location::load("Nowhere/City").isOk());
        QVERIFY(Location::load("UTC").isOk());
        QVERIFY(Location::load("Local").isOk());
    }

    void jsonPaths_data() {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("result");  // "<null>" when nothing
        QTest::newRow("field") << "a"
                               << "1";
        QTest::newRow("nested") << "b.c"
                                << "x";
        QTest::newRow("quoted") << "\"d.e\""
                                << "dot";
        QTest::newRow("quoted nested") << "b.\"f-g\""
                                       << "dash";
        QTest::newRow("escape in quoted") << "\"q\\\"k\""
                                          << "quote";
        QTest::newRow("index") << "arr[1]"
                               << "20";
        QTest::newRow("negative index") << "arr[-1]"
                                        << "30";
        QTest::newRow("index out of range") << "arr[5]"
                                            << "<null>";
        QTest::newRow("index then field") << "objs[0].n"
                                          << "first";
        QTest::newRow("missing") << "nope.x"
                                 << "<null>";
        QTest::newRow("field of a string") << "b.c.d"
                                           << "<null>";
        QTest::newRow("whole object") << "b"
                                      << "{\"c\":\"x\",\"f-g\":\"dash\"}";
        QTest::newRow("spaces") << " b . c "
                                << "x";
    }
    void jsonPaths() {
        QFETCH(QString, expression);
        QFETCH(QString, result);
        JsonValue root;
        std::string error;
        QVERIFY(
            parseJson("{\"a\":1,\"b\":{\"f-g\":\"dash\",\"c\":\"x\"},\"d.e\":\"dot\",\"q\\\"k\":"
                      "\"quote\",\"arr\":[10,20,30],\"objs\":[{\"n\":\"first\"}]}",
                      &root, &error));
        auto path = JsonPath::compile(expression.toStdString());
        QVERIFY2(path.isOk(), path.status().message().c_str());
        const JsonValue* v = path.value().evaluate(root);
        QCOMPARE(v ? QString::fromStdString(jsonToExtracted(*v)) : QString("<null>"), result);
    }

    void jsonPathErrors_data() {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("construct");
        QTest::newRow("wildcard") << "a.*"
                                  << "wildcard *";
        QTest::newRow("list wildcard") << "a[*]"
                                       << "wildcard [*]";
        QTest::newRow("flatten") << "a[]"
                                 << "flatten []";
        QTest::newRow("slice") << "a[1:2]"
                               << "slice [a:b]";
        QTest::newRow("filter") << "a[?b=='c']"
                                << "filter [?...]";
        QTest::newRow("pipe") << "a | b"
                              << "pipe |";
        QTest::newRow("multiselect hash") << "{x: a}"
                                          << "multi-select hash {...}";
        QTest::newRow("multiselect list") << "[a, b]"
                                          << "multi-select list [a, b]";
        QTest::newRow("function") << "to_string(a)"
                                  << "function call to_string()";
        QTest::newRow("current") << "@"
                                 << "current node @";
        QTest::newRow("literal") << "`1`"
                                 << "literal `...`";
        QTest::newRow("raw string") << "'x'"
                                    << "raw string literal '...'";
        QTest::newRow("and") << "a && b"
                             << "and expression &&";
        QTest::newRow("not") << "!a"
                             << "not expression !";
    }
    void jsonPathErrors() {
        QFETCH(QString, expression);
        QFETCH(QString, construct);
        auto path = JsonPath::compile(expression.toStdString());
        QVERIFY(!path.isOk());
        QVERIFY(!JsonPath::compile("a[123456789012345678901]").isOk());
        const QString message = QString::fromStdString(path.status().message());
        QVERIFY2(message.contains(construct + " (at offset") && message.contains("not supported"),
                 qPrintable(message));
    }

    // What pack writes, LogQL's `| unpack` turns back into labels and line.
    void packIsReadByUnpack() {
        auto p = build(
            "- regex: {expression: '^(?P<level>\\w+) '}\n"
            "- labels: {level: }\n"
            "- pack: {labels: [level, container]}\n");
        std::vector<Entry> out;
        const logs::TimestampNs before = nowNs();
        p->process(
            Entry{{{"job", "a"}, {"container", "web"}}, {}, 5, "warn \"x\" \\ \xc3\xa9\t<y>", {}},
            out);
        QCOMPARE(out.size(), std::size_t(1));
        QCOMPARE(streamLabels(out[0]).toString(), std::string("{job=\"a\"}"));
        QVERIFY2(out[0].tsNs >= before, "ingest_timestamp defaults to true");

        auto expr = logql::parse("{job=\"a\"} | unpack");
        QVERIFY(expr.isOk());
        const auto& sel = static_cast<const logql::LogQueryExpr&>(*expr.value()).selector;
        auto compiled = logql::Pipeline::compile(sel.stages);
        QVERIFY(compiled.isOk());
        logql::LineLabels labels;
        labels.reset(streamLabels(out[0]), model::Labels());
        std::string line = out[0].line;
        QVERIFY(compiled.value().process(out[0].tsNs, line, labels));
        QVERIFY(!labels.hasError());
        QCOMPARE(line, std::string("warn \"x\" \\ \xc3\xa9\t<y>"));
        QCOMPARE(labels.result().toString(),
                 std::string("{container=\"web\", job=\"a\", level=\"warn\"}"));
    }

    // multiline: flush(now) releases a block once max_wait_time passed since
    // its last line; a newer block stays.
    void multilineMaxWait() {
        auto p = build("- multiline: {firstline: '^start', max_wait_time: 1s}\n");
        std::vector<Entry> out;
        p->process(Entry{{{"job", "a"}}, {}, 1, "start a", {}}, out);
        p->process(Entry{{{"job", "a"}}, {}, 2, " more", {}}, out);
        p->process(Entry{{{"job", "b"}}, {}, 3, "start b", {}}, out);
        QVERIFY(out.empty());
        const logs::TimestampNs now = nowNs();
        p->flush(now, false, out);
        QVERIFY(out.empty());
        p->flush(now + 2'000'000'000, false, out);
        QCOMPARE(out.size(), std::size_t(2));
        QCOMPARE(out[0].line, std::string("start a\n more"));
        QCOMPARE(out[0].tsNs, 1);
        QCOMPARE(out[1].line, std::string("start b"));
        out.clear();
        p->flush(now + 10'000'000'000, true, out);
        QVERIFY(out.empty());
    }

    // limit without drop waits for tokens instead of dropping.
    void limitWaits() {
        auto p = build("- limit: {rate: 50, burst: 1}\n");
        std::vector<Entry> out;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 4; ++i)
            p->process(Entry{{{"job", "a"}}, {}, i, "x", {}}, out);
        QCOMPARE(out.size(), std::size_t(4));
        QVERIFY2(timer.elapsed() >= 50, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(p->dropped(), std::uint64_t(0));
    }

    // The extracted map starts with the labels (Promtail's rule), so stages
    // can read labels by name.
    void extractedStartsWithLabels() {
        auto p = build(
            "- template: {source: combined, template: '{{ .job }}-{{ .Entry }}'}\n"
            "- output: {source: combined}\n");
        std::vector<Entry> out;
        p->process(Entry{{{"job", "api"}}, {}, 1, "line", {}}, out);
        QCOMPARE(out.size(), std::size_t(1));
        QCOMPARE(out[0].line, std::string("api-line"));
    }
};

QTEST_GUILESS_MAIN(TestPipelineParts)
#include "tst_pipeline_parts.moc"
