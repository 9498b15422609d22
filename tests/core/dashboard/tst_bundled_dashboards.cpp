#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

#include "core/collect/host_collector.h"
#include "core/dashboard/dashboard.h"
#include "core/dashboard/local_metrics_source.h"
#include "core/dashboard/panel_queries.h"
#include "core/dashboard/variable_resolver.h"
#include "core/engine/engine.h"
#include "core/logs/logql/parser.h"
#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "core/promql/parser.h"
#include "tests/support/http_client.h"

using namespace vigil::dashboard;

namespace {

QString bundledDir() {
    return QStringLiteral(VIGIL_SOURCE_DIR "/dashboards");
}

QStringList bundledFiles() {
    return QDir(bundledDir()).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
}

Dashboard load(const QString& file) {
    QFile f(bundledDir() + QLatin1Char('/') + file);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(file));
    auto dashboard = Dashboard::fromJson(f.readAll(), file);
    if (!dashboard.isOk())
        qFatal("%s", dashboard.status().message().c_str());
    return std::move(*dashboard);
}

// The metric names a PromQL expression selects, roughly (for diagnostics).
QStringList metricNames(const QString& expr) {
    static const QRegularExpression kName(QStringLiteral("\\b(node_[a-zA-Z0-9_]+)"));
    QStringList names;
    auto it = kName.globalMatch(expr);
    while (it.hasNext())
        names << it.next().captured(1);
    return names;
}

}  // namespace

class TestBundledDashboards : public QObject {
    Q_OBJECT
private slots:
    void everyBundledDashboardOpensCleanly_data() {
        QTest::addColumn<QString>("file");
        for (const QString& file : bundledFiles())
            QTest::newRow(qPrintable(file)) << file;
    }
    void everyBundledDashboardOpensCleanly() {
        QFETCH(QString, file);
        QFile f(bundledDir() + QLatin1Char('/') + file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        ImportReport report;
        auto dashboard = Dashboard::fromJson(f.readAll(), file, &report);
        QVERIFY2(dashboard.isOk(), dashboard.status().message().c_str());
        QVERIFY2(report.unsupported.isEmpty(), qPrintable(report.unsupported.join(", ")));
        QVERIFY2(report.migrations.isEmpty(), qPrintable(report.migrations.join(", ")));
        QVERIFY(report.panels > 0);
        QVERIFY(!dashboard->uid.isEmpty() && !dashboard->title.isEmpty());
        // Every query parses once variables hold plausible values.
        // Every query parses once variables hold plausible values: custom
        // and interval variables their first option, query variables "x".
        VariableResolveContext offline;
        offline.fromMs = 0;
        offline.toMs = 3'600'000;
        offline.intervalMs = 15'000;
        InterpolationContext context = resolveDashboardVariables(*dashboard, offline);
        context.rateIntervalMs = 60'000;
        for (auto& [name, value] : context.variables)
            if (value.values.isEmpty())
                value.values = {QStringLiteral("x")};
        for (const Panel* panel : dashboard->allPanels()) {
            for (const Target& target : panel->targets) {
                const QString expr = interpolate(target.expr, context);
                if (panel->type == QLatin1String("logs")) {
                    auto parsed = vigil::logql::parse(expr.toStdString());
                    QVERIFY2(parsed.isOk() && parsed.value()->isLogQuery(),
                             qPrintable(QStringLiteral("%1 / %2: %3: %4")
                                            .arg(file, panel->title, expr,
                                                 parsed.isOk() ? QStringLiteral("a metric query")
                                                               : QString::fromStdString(
                                                                     parsed.status().message()))));
                    continue;
                }
                auto parsed = vigil::promql::parse(expr.toStdString());
                QVERIFY2(parsed.isOk(),
                         qPrintable(QStringLiteral("%1 / %2: %3: %4")
                                        .arg(file, panel->title, expr,
                                             QString::fromStdString(parsed.status().message()))));
            }
        }
    }

    void uidsAreUnique() {
        QSet<QString> uids;
        for (const QString& file : bundledFiles()) {
            const QString uid = load(file).uid;
            QVERIFY2(!uids.contains(uid), qPrintable(uid));
            uids.insert(uid);
        }
        QVERIFY(uids.size() >= 8);
    }

    // With only the built-in host collector, the host dashboards show data:
    // every panel whose metrics this machine has returns series.
    void hostDashboardsShowDataFromTheHostCollector_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("host-overview") << "host-overview.json";
        QTest::newRow("system-overview") << "system-overview.json";
    }
    void hostDashboardsShowDataFromTheHostCollector() {
        QFETCH(QString, file);
        vigil::model::InMemoryStorage storage;
        auto collector = vigil::collect::HostCollector::create({});
        QVERIFY2(collector.isOk(), collector.status().message().c_str());
        const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
        // Four collections 15 s apart (timestamps), so rates have two points.
        for (int i = 3; i >= 0; --i) {
            auto appender = storage.appender();
            QVERIFY((*collector)->collectInto(*appender, now - i * 15'000).isOk());
            QVERIFY(appender->commit().isOk());
            QTest::qWait(300);
        }
        vigil::collect::MetricBatch batch;
        (*collector)->collect(batch);
        QSet<QString> families;
        for (const auto& family : batch.families())
            if (!family.samples.empty())
                families.insert(QString::fromStdString(family.name));

        vigil::promql::Engine engine;
        LocalMetricsSource source(engine, storage);
        const Dashboard dashboard = load(file);
        VariableResolveContext resolve;
        resolve.source = &source;
        resolve.fromMs = now - 3'600'000;
        resolve.toMs = now;
        std::vector<ResolvedVariable> resolved;
        const InterpolationContext variables =
            resolveDashboardVariables(dashboard, resolve, &resolved);
        for (const auto& variable : resolved)
            QVERIFY2(variable.error.isEmpty() && !variable.value.values.isEmpty(),
                     qPrintable(variable.name + QStringLiteral(": ") + variable.error));
        int withData = 0;
        for (const Panel* panel : dashboard.allPanels()) {
            if (panel->targets.empty())
                continue;
            QStringList missing;
            for (const Target& target : panel->targets)
                for (const QString& name : metricNames(target.expr))
                    if (!families.contains(name) && !name.startsWith(QLatin1String("node_uname")))
                        missing << name;
            bool hasData = false;
            for (const PlannedQuery& planned : planPanelQueries(
                     *panel, {now - 3'600'000, now}, variables, PanelQueryOptions{800, 15000})) {
                auto result = source.query(planned.query);
                QVERIFY2(result.isOk(),
                         qPrintable(panel->title + QStringLiteral(": ") +
                                    QString::fromStdString(result.status().message())));
                for (const SeriesData& series : result->series)
                    hasData = hasData || !series.values.empty();
            }
            if (!missing.isEmpty()) {
                // Sensors and PSI are absent on some machines (VMs, old kernels).
                qInfo("%s: no data expected on this machine (it has no %s)",
                      qPrintable(panel->title), qPrintable(missing.join(QStringLiteral(", "))));
                continue;
            }
            QVERIFY2(hasData, qPrintable(file + QStringLiteral(": panel \"") + panel->title +
                                         QStringLiteral("\" shows no data")));
            ++withData;
        }
        QVERIFY(withData >= 6);
    }

    // The Vigil self-monitoring dashboard against a running engine with
    // nothing configured: Vigil's own metrics (job "vigil") fill its panels.
    void vigilSelfDashboardShowsTheEngine() {
        QTemporaryDir dir;
        vigil::engine::EngineOptions options;
        options.dataDir = dir.path();
        options.config.server.listen = {"127.0.0.1", 0};
        options.config.hostCollector.scrapeInterval = std::chrono::milliseconds(500);
        options.config.selfMonitoring.scrapeInterval = std::chrono::milliseconds(500);
        vigil::engine::Engine engine(options);
        QVERIFY(engine.start().isOk());
        // One (empty) remote-write request, so that the requests-by-code
        // counter has a series as soon as anyone sends.
        QCOMPARE(vigil::test::httpRequest(engine.httpAddress(), "POST", "/api/v1/write",
                                          std::string(1, '\0'), "application/x-protobuf")
                     .status,
                 204);
        QTest::qWait(2600);  // five collections: rates have points

        LocalMetricsSource source(engine.queryEngine(), engine.storage());
        const Dashboard dashboard = load(QStringLiteral("vigil-self.json"));
        const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
        VariableResolveContext resolve;
        resolve.source = &source;
        resolve.fromMs = now - 300'000;
        resolve.toMs = now;
        const InterpolationContext variables = resolveDashboardVariables(dashboard, resolve);
        int withData = 0;
        for (const Panel* panel : dashboard.allPanels()) {
            if (panel->targets.empty())
                continue;
            bool hasData = false;
            QStringList exprs;
            for (const PlannedQuery& planned : planPanelQueries(
                     *panel, {now - 300'000, now}, variables, PanelQueryOptions{800, 1000})) {
                auto result = source.query(planned.query);
                QVERIFY2(result.isOk(),
                         qPrintable(panel->title + QStringLiteral(": ") +
                                    QString::fromStdString(result.status().message())));
                for (const SeriesData& series : result->series)
                    hasData = hasData || !series.values.empty();
                exprs << planned.query.expr;
            }
            // The GUI's event-loop probe and the scrape manager (no
            // scrape_configs here) publish nothing in this engine.
            const QString joined = exprs.join(QLatin1Char(' '));
            if (joined.contains(QLatin1String("vigil_ui_")) ||
                joined.contains(QLatin1String("vigil_scrape"))) {
                qInfo("%s: no data expected without the GUI or scrape_configs",
                      qPrintable(panel->title));
                continue;
            }
            QVERIFY2(hasData, qPrintable(QStringLiteral("vigil-self: panel \"") + panel->title +
                                         QStringLiteral("\" shows no data: ") + joined));
            ++withData;
        }
        QVERIFY2(withData >= 6, qPrintable(QString::number(withData)));
        engine.stop();
    }
};

QTEST_GUILESS_MAIN(TestBundledDashboards)
#include "tst_bundled_dashboards.moc"
