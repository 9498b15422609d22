// The LogQL engine: Loki's .logqltest evaluation files (exact pass count, so
// a regression fails), `vigilctl logql test`, log queries (limit, direction,
// interval, pipeline output) and the in-memory store.

#include <QtTest>

#include <cmath>
#include <cstdio>
#include <thread>

#include "core/logs/logql/engine.h"
#include "core/logs/logql/line_template.h"
#include "core/logs/logql/logqltest.h"
#include "core/logs/logql/logs_query.h"
#include "core/logs/logql/pipeline.h"
#include "core/logs/memory_log_store.h"

using namespace vigil;

namespace {

QString sharedDir() {
    const QString dir = qEnvironmentVariable("VIGIL_SHARED_DIR");
    return dir.isEmpty() ? QStringLiteral("/work/shared") : dir;
}

constexpr std::int64_t kSec = 1000000000;

// The evals Vigil passes out of Loki's 1,095. The 4 others need a label
// with an empty value to be a distinct series ({name=""} vs {}), which
// model::Labels (empty == absent) cannot represent.
constexpr std::size_t kExpectedPassed = 1091;
constexpr std::size_t kExpectedFailed = 4;

logs::LogStream stream(model::Labels labels,
                       std::vector<std::pair<std::int64_t, std::string>> entries) {
    logs::LogStream s;
    s.labels = std::move(labels);
    for (auto& [t, line] : entries)
        s.entries.push_back({t, line, model::Labels()});
    return s;
}

}  // namespace

class TestLogqlEngine : public QObject {
    Q_OBJECT

private slots:
    void logqltestFiles() {
        const QString dir = sharedDir() + "/conformance/loki/logqltest";
        const QStringList files = QDir(dir).entryList({"*.logqltest"}, QDir::Files, QDir::Name);
        if (files.isEmpty())
            QSKIP(qPrintable("shared .logqltest files absent: " + dir));
        logql::LogqlTestSummary summary;
        for (const QString& f : files) {
            Status s = logql::runLogqlTestFile((dir + "/" + f).toStdString(), summary);
            QVERIFY2(s.isOk(), s.message().c_str());
        }
        for (const auto& f : summary.failures)
            qInfo("%s:%d: %s\n  expected: %s\n  got: %s", f.file.c_str(), f.line, f.query.c_str(),
                  f.expected.c_str(), f.got.c_str());
        QCOMPARE(summary.passed + summary.failed, std::size_t(1095));
        QCOMPARE(summary.passed, kExpectedPassed);
        QCOMPARE(summary.failed, kExpectedFailed);
        // >= 95 % as the issue demands.
        QVERIFY(summary.passed * 100 >= 95 * (summary.passed + summary.failed));
    }

    void vigilctlLogqlTest() {
        const QString file = sharedDir() + "/conformance/loki/logqltest/functions.logqltest";
        if (!QFileInfo::exists(file))
            QSKIP(qPrintable("shared file absent: " + file));
        const QString vigilctl = qEnvironmentVariable("VIGIL_BIN_DIR") + "/vigilctl";
        if (!QFileInfo(vigilctl).isExecutable())
            QFAIL(qPrintable("vigilctl not found at " + vigilctl + " (VIGIL_BIN_DIR)"));
        QProcess p;
        p.start(vigilctl, {"logql", "test", file});
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(
            QRegularExpression("\\n?\\d+ passed, 0 failed, 0 skipped\\n$").match(out).hasMatch(),
            qPrintable(out));

        // A failing eval is printed with file:line, query, expected and got.
        QTemporaryFile bad;
        QVERIFY(bad.open());
        bad.write(
            "load\n  {app=\"a\"} \"x\" @ 10s\n\neval instant at 20s "
            "count_over_time({app=\"a\"}[1m])\n  {app=\"a\"} 2\n");
        bad.close();
        p.start(vigilctl, {"logql", "test", bad.fileName()});
        QVERIFY(p.waitForFinished(60000));
        const QString out2 = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(out2.contains(bad.fileName() + ":4: FAIL count_over_time({app=\"a\"}[1m])"),
                 qPrintable(out2));
        QVERIFY2(out2.contains("expected: \n    {app=\"a\"} 2"), qPrintable(out2));
        QVERIFY2(out2.contains("got:      \n    {app=\"a\"} 1"), qPrintable(out2));
        QVERIFY2(out2.endsWith("0 passed, 1 failed, 0 skipped\n"), qPrintable(out2));
    }

    void logQueryLimitAndDirection() {
        logs::MemoryLogStore store;
        store.push({stream({{"app", "a"}}, {{1 * kSec, "a1"}, {3 * kSec, "a3"}, {5 * kSec, "a5"}}),
                    stream({{"app", "b"}}, {{2 * kSec, "b2"}, {4 * kSec, "b4"}})});
        logql::Engine engine(store);
        logql::QueryParams p;
        p.startNs = 0;
        p.endNs = 5 * kSec;  // exclusive: a5 is out
        p.limit = 3;
        p.direction = logs::Direction::kBackward;
        auto r = engine.query("{app=~\"a|b\"}", p);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->type, logql::QueryResult::Type::kStreams);
        // The newest 3 of a1 b2 a3 b4: b4 a3 b2.
        QCOMPARE(r->streams.size(), std::size_t(2));
        QCOMPARE(r->streams[0].labels.toString(), std::string("{app=\"a\"}"));
        QCOMPARE(r->streams[0].entries.size(), std::size_t(1));
        QCOMPARE(r->streams[0].entries[0].line, std::string("a3"));
        QCOMPARE(r->streams[1].entries.size(), std::size_t(2));
        QCOMPARE(r->streams[1].entries[0].line, std::string("b4"));  // newest first
        QCOMPARE(r->streams[1].entries[1].line, std::string("b2"));
        QCOMPARE(r->stats.entriesReturned, std::uint64_t(3));

        p.direction = logs::Direction::kForward;
        p.limit = 2;
        r = engine.query("{app=~\"a|b\"}", p);
        QVERIFY(r.isOk());
        QCOMPARE(r->streams.size(), std::size_t(2));
        QCOMPARE(r->streams[0].entries[0].line, std::string("a1"));
        QCOMPARE(r->streams[1].entries[0].line, std::string("b2"));
    }

    void logQueryPipelineRewritesLinesAndLabels() {
        logs::MemoryLogStore store;
        store.push({stream({{"app", "a"}},
                           {{1 * kSec, "{\"level\":\"error\",\"req\":{\"path\":\"/x\"},\"ms\":12}"},
                            {2 * kSec, "{\"level\":\"info\",\"req\":{\"path\":\"/y\"},\"ms\":3}"},
                            {3 * kSec, "not json"},
                            // A bad \u escape is a parse error, not a crash.
                            {4 * kSec, "{\"level\":\"\\uZZZZ\"}"}})});
        logql::Engine engine(store);
        logql::QueryParams p;
        p.startNs = 0;
        p.endNs = 10 * kSec;
        p.direction = logs::Direction::kForward;
        auto r = engine.query(
            "{app=\"a\"} | json | __error__=\"\" | ms > 5 | line_format \"{{.level | upper}} "
            "{{.req_path}}\"",
            p);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->streams.size(), std::size_t(1));
        QCOMPARE(r->streams[0].labels.toString(),
                 std::string("{app=\"a\", level=\"error\", ms=\"12\", req_path=\"/x\"}"));
        QCOMPARE(r->streams[0].entries.size(), std::size_t(1));
        QCOMPARE(r->streams[0].entries[0].line, std::string("ERROR /x"));

        // A parse failure is kept with __error__ in a log query.
        r = engine.query("{app=\"a\"} | json | __error__!=\"\"", p);
        QVERIFY(r.isOk());
        // Two streams: the error details differ.
        QCOMPARE(r->streams.size(), std::size_t(2));
        std::vector<std::string> lines;
        for (const auto& stream : r->streams) {
            QCOMPARE(std::string(stream.labels.get("__error__")), std::string("JSONParserErr"));
            for (const auto& entry : stream.entries)
                lines.push_back(entry.line);
        }
        std::sort(lines.begin(), lines.end());
        QCOMPARE(lines, (std::vector<std::string>{"not json", "{\"level\":\"\\uZZZZ\"}"}));
    }

    // Group references too large to be a group expand to nothing, as in Go,
    // instead of overflowing.
    void hugeGroupReferencesExpandToNothing() {
        logs::MemoryLogStore store;
        store.push({stream({{"app", "a"}}, {{1 * kSec, "x"}})});
        logql::Engine engine(store);
        logql::QueryParams p;
        p.startNs = 2 * kSec;
        p.endNs = 2 * kSec;
        p.instant = true;
        auto r = engine.query(
            "label_replace(count_over_time({app=\"a\"}[1m]), \"x\", "
            "\"<$99999999999999999999>\", \"app\", \"(.*)\")",
            p);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->series.size(), std::size_t(1));
        QCOMPARE(std::string(r->series[0].labels.get("x")), std::string("<>"));
        p.instant = false;
        p.startNs = 0;
        p.endNs = 10 * kSec;
        p.direction = logs::Direction::kForward;
        r = engine.query(
            "{app=\"a\"} | line_format "
            "\"{{regexReplaceAll \\\"(a)\\\" .app \\\"[$12345678901234567890]\\\"}}\"",
            p);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->streams[0].entries[0].line, std::string("[]"));
    }

    void logQueryStreamOrderIsLokis() {
        // Loki sorts streams by label string: {a="1", b="2"} before {a="1"}.
        logs::MemoryLogStore store;
        store.push(
            {stream({{"a", "1"}}, {{1, "x"}}), stream({{"a", "1"}, {"b", "2"}}, {{2, "y"}})});
        logql::Engine engine(store);
        logql::QueryParams p;
        p.startNs = 0;
        p.endNs = 10;
        auto r = engine.query("{a=\"1\"}", p);
        QVERIFY(r.isOk());
        QCOMPARE(r->streams.size(), std::size_t(2));
        QCOMPARE(r->streams[0].labels.toString(), std::string("{a=\"1\", b=\"2\"}"));
        QCOMPARE(r->streams[1].labels.toString(), std::string("{a=\"1\"}"));
    }

    void logQueryInterval() {
        logs::MemoryLogStore store;
        std::vector<std::pair<std::int64_t, std::string>> entries;
        for (int i = 0; i < 10; ++i)
            entries.emplace_back(i * kSec, "l" + std::to_string(i));
        store.push({stream({{"app", "a"}}, entries)});
        logql::Engine engine(store);
        logql::QueryParams p;
        p.startNs = 0;
        p.endNs = 10 * kSec;
        p.intervalNs = 3 * kSec;
        p.direction = logs::Direction::kForward;
        auto r = engine.query("{app=\"a\"}", p);
        QVERIFY(r.isOk());
        QCOMPARE(r->streams[0].entries.size(), std::size_t(4));  // 0 3 6 9
        QCOMPARE(r->streams[0].entries[1].line, std::string("l3"));
    }

    void metricQueryShapes() {
        logs::MemoryLogStore store;
        std::vector<std::pair<std::int64_t, std::string>> entries;
        for (int i = 1; i <= 12; ++i)
            entries.emplace_back(i * 10 * kSec, "x");
        store.push({stream({{"app", "a"}}, entries)});
        logql::Engine engine(store);
        logql::QueryParams p;
        p.startNs = 60 * kSec;
        p.endNs = 120 * kSec;
        p.stepNs = 30 * kSec;
        auto r = engine.query("count_over_time({app=\"a\"}[1m])", p);
        QVERIFY(r.isOk());
        QCOMPARE(r->type, logql::QueryResult::Type::kMatrix);
        QCOMPARE(r->series.size(), std::size_t(1));
        QCOMPARE(r->series[0].points.size(), std::size_t(3));
        QCOMPARE(r->series[0].points[2].tNs, 120 * kSec);
        QCOMPARE(r->series[0].points[2].value, 6.0);

        p.instant = true;
        p.stepNs = 0;
        r = engine.query("sum(rate({app=\"a\"}[1m])) * 60", p);
        QVERIFY(r.isOk());
        QCOMPARE(r->type, logql::QueryResult::Type::kVector);
        QCOMPARE(r->series[0].points[0].value, 6.0);

        r = engine.query("1 + 2", p);
        QVERIFY(r.isOk());
        QCOMPARE(r->type, logql::QueryResult::Type::kScalar);
        QCOMPARE(r->scalar.value, 3.0);

        r = engine.query("count_over_time({app=\"a\"} | logfmt --strict | x > 1 [1m])", p);
        QVERIFY(r.isOk());  // no x label: every line dropped, no error
        QVERIFY(r->series.empty());

        r = engine.query("count_over_time({app=\"a\"} |~ \"(\" [1m])", p);
        QVERIFY(!r.isOk());
        QVERIFY2(r.status().message().find("parse error at line 1, col") != std::string::npos,
                 r.status().message().c_str());
    }

    void lineTemplates_data() {
        QTest::addColumn<QString>("tmpl");
        QTest::addColumn<QString>("expected");
        QTest::newRow("field") << "L={{.level}}"
                               << "L=error";
        QTest::newRow("missing label is empty") << "V={{.missing}}"
                                                << "V=";
        QTest::newRow("pipe upper") << "{{.level | upper}}"
                                    << "ERROR";
        QTest::newRow("line") << "[{{__line__}}]"
                              << "[GET /x 200]";
        QTest::newRow("timestamp date")
            << "{{ __timestamp__ | date \"2006-01-02T15:04:05Z07:00\" }}"
            << "2024-05-29T16:26:40Z";
        QTest::newRow("printf") << "{{ printf \"%05.1f|%s\" 3.14159 .level }}"
                                << "003.1|error";
        QTest::newRow("if eq") << "{{ if eq .level \"error\" }}E{{ else }}O{{ end }}"
                               << "E";
        QTest::newRow("regexReplaceAll") << "{{ regexReplaceAll \"(\\\\d+)\" .code \"<$1>\" }}"
                                         << "<500>";
        QTest::newRow("math") << "{{ add 1 .code }} {{ divf .code 4 }}"
                              << "501 125";
        QTest::newRow("sprig strings")
            << "{{ trunc 3 .level }}|{{ substr 1 3 .level }}|{{ replace \"r\" \"R\" .level }}|"
               "{{ default \"x\" .missing }}|{{ alignRight 6 .level }}"
            << "err|rr|eRRoR|x| error";
        QTest::newRow("duration bytes") << "{{ duration \"1m30s\" }} {{ bytes \"2KB\" }}"
                                        << "90 2000";
        QTest::newRow("variables") << "{{ $l := .level }}{{ $l }}-{{ len $l }}"
                                   << "error-5";
    }
    void lineTemplates() {
        QFETCH(QString, tmpl);
        QFETCH(QString, expected);
        auto t = logql::LineTemplate::compile(tmpl.toStdString());
        QVERIFY2(t.isOk(), t.status().message().c_str());
        model::Labels labels{{"level", "error"}, {"code", "500"}};
        logql::LineTemplate::Context ctx;
        ctx.label = [&](std::string_view n) -> std::optional<std::string_view> {
            if (!labels.has(n))
                return std::nullopt;
            return labels.get(n);
        };
        ctx.forEachLabel = [&](const auto& visit) {
            for (const auto& l : labels)
                visit(l.name, l.value);
        };
        ctx.line = "GET /x 200";
        ctx.tsNs = 1717000000LL * kSec;
        auto out = t->render(ctx);
        QVERIFY2(out.isOk(), out.status().message().c_str());
        QCOMPARE(QString::fromStdString(out.value()), expected);
    }

    void lineTemplateErrors() {
        auto t = logql::LineTemplate::compile("{{ nosuchfunc }}");
        QVERIFY(!t.isOk());
        QVERIFY2(
            t.status().message().find("function \"nosuchfunc\" not defined") != std::string::npos,
            t.status().message().c_str());
        t = logql::LineTemplate::compile("{{ .a ");
        QVERIFY(!t.isOk());
        QVERIFY2(t.status().message().find("unclosed action") != std::string::npos,
                 t.status().message().c_str());
    }

    void logsQueryOutput() {
        logs::MemoryLogStore store;
        store.push({stream({{"app", "a"}},
                           {{1717000000LL * kSec + 5, "one"}, {1717000002LL * kSec, "two"}}),
                    stream({{"app", "b"}}, {{1717000001LL * kSec, "mid \"q\""}})});
        auto run = [&](logql::LogsQueryOptions o) {
            char* buf = nullptr;
            std::size_t size = 0;
            std::FILE* f = open_memstream(&buf, &size);
            Status s = logql::runLogsQuery(store, o, f);
            std::fclose(f);
            std::string out(buf, size);
            std::free(buf);
            return std::make_pair(s, out);
        };
        logql::LogsQueryOptions o;
        o.query = "{app=~\"a|b\"}";
        o.fromNs = 1717000000LL * kSec;
        o.toNs = 1717000010LL * kSec;
        auto [s1, raw] = run(o);
        QVERIFY2(s1.isOk(), s1.message().c_str());
        QCOMPARE(raw, std::string("two\nmid \"q\"\none\n"));  // backward across streams

        o.output = logql::LogsQueryOptions::Output::kJson;
        o.direction = logs::Direction::kForward;
        o.limit = 1;
        auto [s2, json] = run(o);
        QVERIFY(s2.isOk());
        QCOMPARE(json, std::string("{\"timestamp\":\"2024-05-29T16:26:40.000000005Z\","
                                   "\"labels\":{\"app\":\"a\"},\"line\":\"one\"}\n"));

        o.query = "sum(count_over_time({app=~\"a|b\"}[10s]))";
        o.fromNs = o.toNs = 1717000005LL * kSec;
        auto [s3, metric] = run(o);
        QVERIFY(s3.isOk());
        QVERIFY2(metric.starts_with("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                                    "\"result\":[{\"metric\":{},\"value\":[1717000005,\"3\"]}]"),
                 metric.c_str());

        o.query = "{app=";
        auto [s4, bad] = run(o);
        QVERIFY(!s4.isOk());
        QVERIFY2(s4.message().starts_with("parse error at line 1, col"), s4.message().c_str());
        QCOMPARE(logql::formatRfc3339Nano(0), std::string("1970-01-01T00:00:00Z"));
        QCOMPARE(logql::formatRfc3339Nano(-1), std::string("1969-12-31T23:59:59.999999999Z"));
    }

    void logsQueryFollow() {
        logs::MemoryLogStore store;
        const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
        store.push({stream({{"app", "a"}}, {{now - 2 * kSec, "old"}})});
        logql::LogsQueryOptions o;
        o.query = "{app=\"a\"}";
        o.fromNs = now - 60 * kSec;
        o.toNs = now;
        o.follow = true;
        o.pollMs = 20;
        std::atomic<bool> stop{false};
        char* buf = nullptr;
        std::size_t size = 0;
        std::FILE* f = open_memstream(&buf, &size);
        std::thread writer([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(60));
            store.push({stream({{"app", "a"}}, {{now + 1, "new1"}, {now + 2, "new2"}})});
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            stop = true;
        });
        Status s = logql::runLogsQuery(store, o, f, &stop);
        writer.join();
        std::fclose(f);
        std::string out(buf, size);
        std::free(buf);
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(out, std::string("old\nnew1\nnew2\n"));
    }

    void memoryStoreSelectAndLabels() {
        logs::MemoryLogStore store;
        store.push({stream({{"app", "a"}, {"env", "p"}}, {{5, "x"}, {1, "y"}}),
                    stream({{"app", "b"}}, {{100, "z"}})});
        QCOMPARE(store.labelNames(0, 50).value(), (std::vector<std::string>{"app", "env"}));
        QCOMPARE(store.labelNames(0, 101).value(), (std::vector<std::string>{"app", "env"}));
        QCOMPARE(store.labelValues("app", {}, 0, 1000).value(),
                 (std::vector<std::string>{"a", "b"}));
        QCOMPARE(store.series({}, 50, 101).value().size(), std::size_t(1));

        struct Collect : logs::StreamVisitor {
            std::vector<std::string> lines;
            bool beginStream(const model::Labels&) override { return true; }
            bool entry(logs::TimestampNs, std::string_view line) override {
                lines.emplace_back(line);
                return true;
            }
        } c;
        logs::LogSelectParams params;
        params.matchers = {model::Matcher::make(model::MatchType::kEqual, "app", "a").value()};
        params.startNs = 1;
        params.endNs = 5;  // exclusive
        QVERIFY(store.select(params, c).isOk());
        QCOMPARE(c.lines, (std::vector<std::string>{"y"}));
        c.lines.clear();
        params.endNs = 6;
        params.direction = logs::Direction::kBackward;
        QVERIFY(store.select(params, c).isOk());
        QCOMPARE(c.lines, (std::vector<std::string>{"x", "y"}));
    }
};

QTEST_GUILESS_MAIN(TestLogqlEngine)
#include "tst_logql_engine.moc"
