#include <QTemporaryDir>
#include <QtTest>

#include <chrono>

#include "core/config/vigil_config.h"
#include "core/dashboard/dashboard.h"
#include "core/dashboard/http_metrics_source.h"
#include "core/dashboard/local_metrics_source.h"
#include "core/dashboard/panel_queries.h"
#include "core/engine/engine.h"
#include "core/instrument/metric_registry.h"
#include "core/logs/live/live_tail_hub.h"
#include "core/logs/store/logs_service.h"
#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "ui/dashboards/panel_query_service.h"
#include "ui/logs/log_list_model.h"
#include "ui/logs/log_list_widget.h"
#include "ui/panels/logs_panel.h"
#include "ui/panels/panel_factory.h"

using namespace vigil;

namespace {

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

QByteArray dashboardJson(const QString& expr, const QString& options) {
    return QStringLiteral(
               "{\"title\":\"L\",\"schemaVersion\":39,\"panels\":[{\"id\":3,"
               "\"type\":\"logs\",\"title\":\"Errors\",\"gridPos\":{\"x\":0,\"y\":0,"
               "\"w\":24,\"h\":8},\"datasource\":{\"type\":\"loki\",\"uid\":\"vigil\"},"
               "\"targets\":[{\"refId\":\"A\",\"expr\":%1}],\"options\":{%2}}]}")
        .arg(QString::fromUtf8(QJsonDocument(QJsonArray{expr}).toJson(QJsonDocument::Compact))
                 .mid(1)
                 .chopped(1),
             options)
        .toUtf8();
}

}  // namespace

class TestLogsPanel : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    instrument::MetricRegistry m_registry;
    std::unique_ptr<logs::store::LogsService> m_logs;
    model::InMemoryStorage m_storage;
    promql::Engine m_engine;
    std::int64_t m_t0 = 0;

    panels::PanelData fetch(const dashboard::Panel& panel, dashboard::MetricsSource& source) {
        const dashboard::ResolvedRange range{nowMs() - 3'600'000, nowMs()};
        auto planned = dashboard::planPanelQueries(panel, range, {});
        return dashboards::fetchPanelData(&source, planned, range.fromMs, range.toMs);
    }

    dashboard::Dashboard load(const QString& expr, const QString& options) {
        auto d = dashboard::Dashboard::fromJson(dashboardJson(expr, options), "logs.json");
        if (!d.isOk())
            qFatal("%s", d.status().message().c_str());
        return std::move(d.value());
    }

private slots:
    void initTestCase() {
        m_logs = std::make_unique<logs::store::LogsService>(
            m_dir.path().toStdString(), logs::store::LogStoreOptions{}, m_registry);
        QVERIFY(m_logs->start().isOk());
        m_t0 = (nowMs() - 60'000) * 1'000'000;
        logs::LogStream s;
        s.labels = model::Labels{{"job", "varlogs"}};
        for (const char* line : {"level=info boot", "level=error disk 1 failed",
                                 "level=error disk 2 failed", "level=warn slow"})
            s.entries.push_back({m_t0 + std::int64_t(s.entries.size()), line, {}});
        QCOMPARE(m_logs->push({s}).accepted, std::size_t(4));
    }
    void cleanupTestCase() { m_logs->stop(); }

    void plansLogQueries() {
        auto d = load("{job=\"varlogs\"}", "\"sortOrder\":\"Ascending\"");
        const dashboard::Panel& panel = d.panels.front();
        QCOMPARE(panel.type, QString("logs"));
        auto planned = dashboard::planPanelQueries(panel, {1000, 2000}, {});
        QCOMPARE(planned.size(), std::size_t(1));
        QVERIFY(planned[0].logs.has_value());
        QCOMPARE(planned[0].logs->expr, QString("{job=\"varlogs\"}"));
        QCOMPARE(planned[0].logs->startMs, std::int64_t(1000));
        QCOMPARE(planned[0].logs->endMs, std::int64_t(2001));
        QCOMPARE(planned[0].logs->limit, std::size_t(1000));
        QVERIFY(!planned[0].logs->newestFirst);
    }

    void rendersLinesFromTheStore() {
        dashboard::LocalMetricsSource source(m_engine, m_storage);
        source.setLogReader(m_logs.get());
        auto d = load("{job=\"varlogs\"} |~ \"(?i)error\"",
                      "\"showTime\":true,\"wrapLogMessage\":true,\"sortOrder\":\"Descending\"");
        const dashboard::Panel& panel = d.panels.front();
        std::unique_ptr<panels::PanelWidget> widget(panels::createPanelWidget("logs"));
        auto* logsPanel = qobject_cast<panels::LogsPanel*>(widget.get());
        QVERIFY(logsPanel);
        widget->setPanel(panel);
        widget->setData(fetch(panel, source));
        QCOMPARE(widget->bodyState(), QString("content"));
        logsui::LogListModel* model = logsPanel->list()->model();
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->data(model->index(0, 0)).toString(), QString("level=error disk 2 failed"));
        QCOMPARE(model->data(model->index(0, 0), logsui::LogListModel::kLevelNameRole).toString(),
                 QString("error"));
        QVERIFY(logsPanel->list()->showTime());
        QVERIFY(logsPanel->list()->wrapLines());
    }

    // With the engine's live tail and a range ending now, lines stored after
    // the query appear without a refresh: on top when newest first, at the
    // bottom when oldest first; a range in the past does not stream.
    void liveLinesArriveBetweenRefreshes() {
        logs::live::LiveTailHub hub;
        m_logs->setLiveTail(&hub);
        dashboard::LocalMetricsSource source(m_engine, m_storage);
        source.setLogReader(m_logs.get());
        for (const bool newestFirst : {true, false}) {
            auto d =
                load("{job=\"live\"} |= \"disk\"",
                     newestFirst ? "\"sortOrder\":\"Descending\"" : "\"sortOrder\":\"Ascending\"");
            const dashboard::Panel& panel = d.panels.front();
            panels::LogsPanel widget;
            widget.setLiveTail(&hub);
            dashboard::InterpolationContext context;
            context.fromMs = nowMs() - 3'600'000;
            context.toMs = nowMs();
            widget.setPanel(panel, context);
            QCOMPARE(widget.liveQueries(), QStringList{"{job=\"live\"} |= \"disk\""});
            widget.setData(fetch(panel, source));
            logsui::LogListModel* model = widget.list()->model();
            const int before = model->rowCount();
            if (newestFirst)  // nothing stored yet for job="live"
                QCOMPARE(widget.bodyState(), QString("no-data"));

            logs::LogStream s;
            s.labels = model::Labels{{"job", "live"}};
            const std::int64_t t = nowMs() * 1'000'000;
            s.entries.push_back({t, "disk full", {}});
            s.entries.push_back({t + 1, "cpu hot", {}});
            s.entries.push_back({t + 2, "disk ok", {}});
            QCOMPARE(m_logs->push({s}).accepted, std::size_t(3));
            QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), before + 2, 5000);
            const int newest = newestFirst ? 0 : model->rowCount() - 1;
            const int older = newestFirst ? 1 : model->rowCount() - 2;
            QCOMPARE(model->data(model->index(newest, 0)).toString(), QString("disk ok"));
            QCOMPARE(model->data(model->index(older, 0)).toString(), QString("disk full"));
            QCOMPARE(widget.bodyState(), QString("content"));
        }
        // Dedup applies to live lines: the repeat of the newest line and a
        // repeat within the batch are left out.
        {
            auto d = load("{job=\"dedup\"}", "\"dedupStrategy\":\"numbers\"");
            panels::LogsPanel widget;
            widget.setLiveTail(&hub);
            dashboard::InterpolationContext context;
            context.fromMs = nowMs() - 3'600'000;
            context.toMs = nowMs();
            widget.setPanel(d.panels.front(), context);
            widget.setData(fetch(d.panels.front(), source));
            logsui::LogListModel* model = widget.list()->model();
            logs::LogStream s;
            s.labels = model::Labels{{"job", "dedup"}};
            const std::int64_t t = nowMs() * 1'000'000;
            s.entries.push_back({t, "retry 1", {}});
            s.entries.push_back({t + 1, "retry 2", {}});
            s.entries.push_back({t + 2, "done", {}});
            QCOMPARE(m_logs->push({s}).accepted, std::size_t(3));
            QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 2, 5000);
            s.entries = {{t + 3, "done", {}}, {t + 4, "retry 3", {}}};
            QCOMPARE(m_logs->push({s}).accepted, std::size_t(2));
            QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 5000);
            QTest::qWait(100);
            QCOMPARE(model->rowCount(), 3);
            QCOMPARE(model->data(model->index(0, 0)).toString(), QString("retry 3"));
            QCOMPARE(model->data(model->index(1, 0)).toString(), QString("done"));
            QCOMPARE(model->data(model->index(2, 0)).toString(), QString("retry 1"));
        }
        // A range that ended an hour ago is shown as queried, not streamed.
        auto d = load("{job=\"live\"}", "");
        panels::LogsPanel past;
        past.setLiveTail(&hub);
        dashboard::InterpolationContext context;
        context.fromMs = nowMs() - 7'200'000;
        context.toMs = nowMs() - 3'600'000;
        past.setPanel(d.panels.front(), context);
        QVERIFY(past.liveQueries().isEmpty());
        m_logs->setLiveTail(nullptr);
    }

    void dedupNumbers() {
        dashboard::LocalMetricsSource source(m_engine, m_storage);
        source.setLogReader(m_logs.get());
        auto d = load("{job=\"varlogs\"}", "\"dedupStrategy\":\"numbers\"");
        const dashboard::Panel& panel = d.panels.front();
        panels::LogsPanel widget;
        widget.setPanel(panel);
        widget.setData(fetch(panel, source));
        // "disk 1 failed" and "disk 2 failed" differ only in digits.
        QCOMPARE(widget.list()->model()->rowCount(), 3);
    }

    void dedupKeys_data() {
        QTest::addColumn<QString>("strategy");
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("same");
        QTest::newRow("exact same") << "exact"
                                    << "x 1"
                                    << "x 1" << true;
        QTest::newRow("exact differs") << "exact"
                                       << "x 1"
                                       << "x 2" << false;
        QTest::newRow("numbers") << "numbers"
                                 << "took 12ms"
                                 << "took 340ms" << true;
        QTest::newRow("numbers words") << "numbers"
                                       << "took 12ms"
                                       << "ate 12ms" << false;
        QTest::newRow("signature") << "signature"
                                   << "a=1, b=2"
                                   << "x=9, yy=3" << true;
        QTest::newRow("signature punct") << "signature"
                                         << "a=1, b=2"
                                         << "a=1; b=2" << false;
    }
    void dedupKeys() {
        QFETCH(QString, strategy);
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, same);
        QCOMPARE(panels::logDedupKey(a, strategy) == panels::logDedupKey(b, strategy), same);
    }

    void noDataAndErrorsInThePanel() {
        dashboard::LocalMetricsSource source(m_engine, m_storage);
        source.setLogReader(m_logs.get());
        panels::LogsPanel widget;
        auto empty = load("{job=\"nothing-here\"}", "");
        widget.setPanel(empty.panels.front());
        widget.setData(fetch(empty.panels.front(), source));
        QCOMPARE(widget.bodyState(), QString("no-data"));

        auto metric = load("rate({job=\"varlogs\"}[1m])", "");
        widget.setPanel(metric.panels.front());
        widget.setData(fetch(metric.panels.front(), source));
        QCOMPARE(widget.bodyState(), QString("error"));
        QVERIFY2(widget.messageText().contains("needs a log query"),
                 qPrintable(widget.messageText()));

        auto bad = load("{job=\"varlogs\"} |= ", "");
        widget.setPanel(bad.panels.front());
        widget.setData(fetch(bad.panels.front(), source));
        QCOMPARE(widget.bodyState(), QString("error"));
        QVERIFY2(widget.messageText().contains("parse error at line 1"),
                 qPrintable(widget.messageText()));

        dashboard::LocalMetricsSource noLogs(m_engine, m_storage);
        auto ok = load("{job=\"varlogs\"}", "");
        widget.setPanel(ok.panels.front());
        widget.setData(fetch(ok.panels.front(), noLogs));
        QCOMPARE(widget.bodyState(), QString("error"));
        QVERIFY2(widget.messageText().contains("log store is not enabled"),
                 qPrintable(widget.messageText()));
    }

    // A remote source (here Vigil's own listener) answers logs panels through
    // the Loki query API.
    void remoteSourceUsesTheLokiApi() {
        QTemporaryDir dir;
        engine::EngineOptions options;
        options.dataDir = dir.path();
        options.config.server.listen = {"127.0.0.1", 0};
        options.config.hostCollector.enabled = false;
        engine::Engine engine(options);
        QVERIFY(engine.start().isOk());
        logs::LogStream s;
        s.labels = model::Labels{{"job", "remote"}};
        s.entries = {{(nowMs() - 5000) * 1'000'000, "level=error remote one", {}},
                     {(nowMs() - 4000) * 1'000'000, "level=info remote two", {}}};
        QCOMPARE(engine.logStore()->push({s}).accepted, std::size_t(2));
        dashboard::HttpMetricsSource source(QStringLiteral("http://") + engine.httpAddress());
        auto d = load("{job=\"remote\"}", "\"sortOrder\":\"Ascending\"");
        panels::LogsPanel widget;
        widget.setPanel(d.panels.front());
        widget.setData(fetch(d.panels.front(), source));
        QCOMPARE(widget.bodyState(), QString("content"));
        logsui::LogListModel* model = widget.list()->model();
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->data(model->index(0, 0)).toString(), QString("level=error remote one"));
        QCOMPARE(model->data(model->index(0, 0), logsui::LogListModel::kLabelsRole).toString(),
                 QString("{job=\"remote\"}"));

        auto metric = load("count_over_time({job=\"remote\"}[1m])", "");
        widget.setPanel(metric.panels.front());
        widget.setData(fetch(metric.panels.front(), source));
        QCOMPARE(widget.bodyState(), QString("error"));
        QVERIFY2(widget.messageText().contains("needs a log query"),
                 qPrintable(widget.messageText()));
        engine.stop();
    }
};

QTEST_MAIN(TestLogsPanel)
#include "tst_logs_panel.moc"
