#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QListView>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <chrono>

#include "core/instrument/metric_registry.h"
#include "core/logs/live/live_tail_hub.h"
#include "core/logs/store/logs_service.h"
#include "ui/logs/live_tail_adapter.h"
#include "ui/logs/log_list_model.h"
#include "ui/logs/log_list_widget.h"
#include "ui/logs/log_volume_widget.h"
#include "ui/logs/logs_page.h"

using namespace vigil;
using logs::LogLevel;
using logsui::LogListModel;
using logsui::LogRow;

namespace {

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

LogRow makeRow(std::int64_t ts, const QString& line, LogLevel level = LogLevel::kInfo) {
    static const auto labels = std::make_shared<const model::Labels>(model::Labels{{"job", "t"}});
    return LogRow{ts, labels, line, level};
}

// A real log store in a temp dir with a live tail hub attached.
struct Store {
    QTemporaryDir dir;
    instrument::MetricRegistry registry;
    logs::live::LiveTailHub hub;
    logs::store::LogsService service;

    explicit Store(logs::live::LiveTailOptions options = {})
        : hub(options), service(dir.path().toStdString(), {}, registry) {
        service.setLiveTail(&hub);
    }

    void push(const std::string& job, const std::vector<std::string>& lines, std::int64_t t0) {
        logs::LogStream s;
        s.labels = model::Labels{{"job", job}};
        for (const auto& l : lines)
            s.entries.push_back({t0++, l, {}});
        auto r = service.push({s});
        QCOMPARE(r.accepted, lines.size());
    }
};

}  // namespace

class TestLogsPage : public QObject {
    Q_OBJECT
private slots:
    void modelPassesTheTester() {
        LogListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows({makeRow(3, "c"), makeRow(2, "b"), makeRow(1, "a")});
        QCOMPARE(model.rowCount(), 3);
        model.reverse();
        QCOMPARE(model.data(model.index(0, 0)).toString(), QString("a"));
        model.setMaxRows(4);
        model.append({makeRow(4, "d"), makeRow(5, "e"), makeRow(6, "f")});
        QCOMPARE(model.rowCount(), 4);  // the oldest went
        QCOMPARE(model.data(model.index(0, 0)).toString(), QString("c"));
        QCOMPARE(model.data(model.index(3, 0)).toString(), QString("f"));
        model.append({makeRow(7, "g"), makeRow(8, "h"), makeRow(9, "i"), makeRow(10, "j"),
                      makeRow(11, "k")});
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.data(model.index(0, 0)).toString(), QString("h"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void levelColours_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("level");
        QTest::addColumn<QString>("color");
        QTest::newRow("critical") << "FATAL boom"
                                  << "critical"
                                  << "#705da0";
        QTest::newRow("error") << "level=error x"
                               << "error"
                               << "#e24d42";
        QTest::newRow("warning") << "WARN x"
                                 << "warning"
                                 << "#eab839";
        QTest::newRow("info") << "{\"level\":\"info\"}"
                              << "info"
                              << "#7eb26d";
        QTest::newRow("debug") << "debug x"
                               << "debug"
                               << "#1f78c1";
        QTest::newRow("trace") << "TRACE x"
                               << "trace"
                               << "#6ed0e0";
        QTest::newRow("unknown") << "hello"
                                 << "unknown"
                                 << "#8e8e8e";
    }
    void levelColours() {
        QFETCH(QString, line);
        QFETCH(QString, level);
        QFETCH(QString, color);
        logs::LogStream s;
        s.labels = model::Labels{{"job", "x"}};
        s.entries.push_back({1, line.toStdString(), {}});
        LogListModel model;
        model.setRows(logsui::rowsFromStreams({s}, true));
        const QModelIndex i = model.index(0, 0);
        QCOMPARE(model.data(i, LogListModel::kLevelNameRole).toString(), level);
        QCOMPARE(model.data(i, LogListModel::kLevelColorRole).value<QColor>().name(), color);
    }

    void parsedFields_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QStringList>("fields");
        QTest::newRow("json") << "{\"level\":\"info\",\"n\":3,\"o\":{\"a\":1}}"
                              << QStringList{"level=info", "n=3", "o={\"a\":1}"};
        QTest::newRow("logfmt") << "ts=1 msg=\"a \\\"b\\\" c\" bare ok=true"
                                << QStringList{"ts=1", "msg=a \"b\" c", "ok=true"};
        QTest::newRow("plain") << "just words" << QStringList{};
    }
    void parsedFields() {
        QFETCH(QString, line);
        QFETCH(QStringList, fields);
        QStringList got;
        for (const auto& [k, v] : logsui::parseLogFields(line))
            got << k + "=" + v;
        QCOMPARE(got, fields);
    }

    void detailsShowLabelsAndFields() {
        logsui::LogListWidget widget;
        widget.model()->setRows({makeRow(5'000'000, "level=warn user=bob", LogLevel::kWarning)});
        widget.showDetails(0);
        QTreeWidget* tree = widget.details();
        QVERIFY(!tree->isHidden());
        QStringList texts;
        for (QTreeWidgetItemIterator it(tree); *it; ++it)
            texts << (*it)->text(0) + "=" + (*it)->text(1);
        QVERIFY2(texts.contains("Level=warning"), qPrintable(texts.join(",")));
        QVERIFY2(texts.contains("job=t"), qPrintable(texts.join(",")));
        QVERIFY2(texts.contains("user=bob"), qPrintable(texts.join(",")));
    }

    void queryOverRealStore() {
        Store store;
        QVERIFY(store.service.start().isOk());
        const std::int64_t t = nowNs() - 60'000'000'000;  // a minute ago
        store.push("app",
                   {"level=info started", "level=error failed x", "level=warn slow",
                    "level=error failed y"},
                   t);
        store.push("other", {"error elsewhere"}, t);
        logsui::LogsPage page(&store.service, &store.hub);
        QSignalSpy finished(&page, &logsui::LogsPage::queryFinished);
        page.setQuery("{job=\"app\"} |= \"failed\"");
        page.runQuery();
        QVERIFY(finished.wait(5000));
        QVERIFY2(page.errorText().isEmpty(), qPrintable(page.errorText()));
        LogListModel* model = page.list()->model();
        QCOMPARE(model->rowCount(), 2);
        // Newest first by default.
        QCOMPARE(model->data(model->index(0, 0)).toString(), QString("level=error failed y"));
        QCOMPARE(model->data(model->index(0, 0), LogListModel::kLevelNameRole).toString(),
                 QString("error"));
        QVERIFY2(page.statusText().startsWith("2 line"), qPrintable(page.statusText()));
        // The volume histogram counts every matching line by level.
        QTRY_VERIFY(!page.volume()->volume().buckets.empty());
        const auto totals = page.volume()->totals();
        QCOMPARE(totals[static_cast<std::size_t>(LogLevel::kError)], std::uint64_t(2));
        QCOMPARE(totals[static_cast<std::size_t>(LogLevel::kInfo)], std::uint64_t(0));
        // The bar under the pointer names its time range and counts.
        page.volume()->resize(600, 100);
        const int bars = static_cast<int>(page.volume()->volume().buckets.size());
        QString withLines;
        for (int b = 0; b < bars; ++b)
            if (page.volume()->bucketText(b).contains("error 2"))
                withLines = page.volume()->bucketText(b);
        QVERIFY2(!withLines.isEmpty(), "a bucket holds the two errors");
        QCOMPARE(page.volume()->bucketAt(4), 0);
        QCOMPARE(page.volume()->bucketAt(595), bars - 1);
        QCOMPARE(page.volume()->bucketAt(700), -1);

        // Oldest first, and the limit.
        page.setNewestFirst(false);
        QCOMPARE(model->data(model->index(0, 0)).toString(), QString("level=error failed x"));
        page.setQuery("{job=~\"app|other\"}");
        page.setLimit(3);
        page.runQuery();
        QVERIFY(finished.wait(5000));
        QCOMPARE(model->rowCount(), 3);
        QVERIFY(page.statusText().contains("limit reached"));
        QTRY_COMPARE(page.volume()->totals()[static_cast<std::size_t>(LogLevel::kError)],
                     std::uint64_t(3));

        // The query box completes stream selectors.
        QSignalSpy completions(&page, &logsui::LogsPage::completionsReady);
        page.refreshCompletions();
        QVERIFY(completions.wait(5000));
        QCOMPARE(page.completions(), (QStringList{"{job=\"app\"}", "{job=\"other\"}"}));
        store.service.stop();
    }

    void parseErrorShowsItsPosition() {
        Store store;
        QVERIFY(store.service.start().isOk());
        logsui::LogsPage page(&store.service, &store.hub);
        QSignalSpy finished(&page, &logsui::LogsPage::queryFinished);
        page.setQuery("{job=\"a\"} |= bad");
        page.runQuery();
        QVERIFY(finished.wait(5000));
        QVERIFY2(page.errorText().contains("parse error at line 1, col 14"),
                 qPrintable(page.errorText()));
        auto* edit = page.findChild<QLineEdit*>("logsQuery");
        QVERIFY(edit);
        QCOMPARE(edit->cursorPosition(), 13);
        page.setQuery("rate({job=\"a\"}[1m])");
        page.runQuery();
        QVERIFY(finished.wait(5000));
        QVERIFY2(page.errorText().contains("metric query"), qPrintable(page.errorText()));
        store.service.stop();
    }

    void liveModeReceivesPushedLines() {
        Store store;
        QVERIFY(store.service.start().isOk());
        logsui::LogsPage page(&store.service, &store.hub);
        page.setQuery("{job=\"live\"} != \"noise\"");
        page.setLive(true);
        QVERIFY(page.isLive());
        QVERIFY(store.hub.hasSubscribers());
        const std::int64_t t = nowNs();
        store.push("live", {"one", "noise", "two"}, t);
        store.push("elsewhere", {"not me"}, t);
        LogListModel* model = page.list()->model();
        QTRY_COMPARE(model->rowCount(), 2);
        store.push("live", {"three"}, t + 10);
        QTRY_COMPARE(model->rowCount(), 3);
        // Newest at the bottom.
        QCOMPARE(model->data(model->index(2, 0)).toString(), QString("three"));
        QVERIFY(page.droppedText().isEmpty());

        // Paused: nothing shows until resume, then everything does.
        page.setPaused(true);
        store.push("live", {"four", "five"}, t + 20);
        QTest::qWait(100);
        QCOMPARE(model->rowCount(), 3);
        page.setPaused(false);
        QTRY_COMPARE(model->rowCount(), 5);

        page.setLive(false);
        QVERIFY(!page.isLive());
        QVERIFY(!store.hub.hasSubscribers());
        store.service.stop();
    }

    void liveModeShowsDrops() {
        logs::live::LiveTailOptions options;
        options.maxBufferedEntries = 100;
        Store store(options);
        QVERIFY(store.service.start().isOk());
        logsui::LogsPage page(&store.service, &store.hub);
        page.setQuery("{job=\"burst\"}");
        page.setLive(true);
        std::vector<std::string> lines;
        for (int i = 0; i < 500; ++i)
            lines.push_back("line " + std::to_string(i));
        store.push("burst", lines, nowNs());  // one push: more than the subscriber may buffer
        LogListModel* model = page.list()->model();
        QTRY_COMPARE(model->rowCount(), 100);
        QTRY_COMPARE(model->dropped(), std::uint64_t(400));
        QCOMPARE(page.droppedText(), QString("400 lines dropped"));
        QCOMPARE(model->data(model->index(99, 0)).toString(), QString("line 499"));
        store.service.stop();
    }

    // A paused (or slow) GUI keeps a bounded backlog and learns what it lost.
    void adapterBoundsThePausedBacklog() {
        logs::live::LiveTailOptions options;
        options.deliveryInterval = std::chrono::milliseconds(1);
        logs::live::LiveTailHub hub(options);
        logsui::LiveTailAdapter adapter(hub);
        adapter.setMaxPending(10);
        std::vector<logs::live::LiveBatch> received;
        connect(&adapter, &logsui::LiveTailAdapter::received, this,
                [&](const logs::live::LiveBatch& b) { received.push_back(b); });
        QVERIFY(adapter.start("{job=\"a\"}").isOk());
        adapter.setPaused(true);
        for (int i = 0; i < 50; ++i) {
            logs::LogStream s;
            s.labels = model::Labels{{"job", "a"}};
            s.entries.push_back({i, "l" + std::to_string(i), {}});
            hub.offer({s});
            QTest::qWait(2);
        }
        QTest::qWait(300);
        QVERIFY(received.empty());
        adapter.setPaused(false);
        QCOMPARE(received.size(), std::size_t(1));
        QCOMPARE(received[0].entries.size(), std::size_t(10));
        QCOMPARE(received[0].dropped, std::uint64_t(40));
        QCOMPARE(received[0].entries.back().line, std::string("l49"));
        QVERIFY(!adapter.start("{job=").isOk());
        QVERIFY(!adapter.isRunning());
    }

    void liveRefusesMetricQueries() {
        logs::live::LiveTailHub hub;
        logsui::LogsPage page(nullptr, &hub);
        page.setQuery("count_over_time({job=\"a\"}[1m])");
        page.setLive(true);
        QVERIFY(!page.isLive());
        QVERIFY2(page.errorText().contains("log query"), qPrintable(page.errorText()));
    }

    // 100k lines: filling the model and scrolling through stays fast because
    // rows are not measured one by one (uniform sizes).
    void hundredThousandLinesScroll() {
        logsui::LogListWidget widget;
        widget.resize(1000, 600);
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        std::vector<LogRow> rows;
        rows.reserve(100000);
        for (int i = 0; i < 100000; ++i)
            rows.push_back(makeRow(i, QStringLiteral("GET /api/item/%1 200 level=info").arg(i)));
        QElapsedTimer timer;
        timer.start();
        widget.model()->setRows(std::move(rows));
        QScrollBar* bar = widget.view()->verticalScrollBar();
        QCoreApplication::processEvents();
        for (int step = 0; step <= 20; ++step) {
            bar->setValue(bar->maximum() * step / 20);
            widget.view()->viewport()->repaint();
        }
        const qint64 ms = timer.elapsed();
        qInfo("100k lines: set + 21 scroll repaints in %lld ms", ms);
        QCOMPARE(widget.model()->rowCount(), 100000);
        QVERIFY(bar->maximum() > 0);
        QVERIFY2(ms < 5000, qPrintable(QString::number(ms)));
        // The last row is reachable.
        widget.view()->scrollToBottom();
        QCoreApplication::processEvents();
        const QRect last = widget.view()->visualRect(widget.model()->index(99999, 0));
        QVERIFY(last.isValid());
        QVERIFY(widget.view()->viewport()->rect().contains(last.center()));
    }
};

QTEST_MAIN(TestLogsPage)
#include "tst_logs_page.moc"
