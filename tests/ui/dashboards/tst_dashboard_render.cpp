#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <set>

#include "core/collect/host_collector.h"
#include "core/dashboard/dashboard.h"
#include "core/dashboard/local_metrics_source.h"
#include "core/dashboard/variable_resolver.h"
#include "core/logs/store/log_store.h"
#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "core/promql/functions.h"
#include "core/promql/parser.h"
#include "core/util/env.h"
#include "ui/dashboards/dashboard_renderer.h"

using namespace vigil;
using dashboard::Dashboard;

namespace {

constexpr qint64 kNow = 1'790'000'000'000;

QString sharedDir() {
    const QByteArray env = qgetenv("VIGIL_SHARED_DIR");
    return env.isEmpty() ? QStringLiteral("/work/shared") : QString::fromLocal8Bit(env);
}

Result<Dashboard> loadFixture(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Status::ioError(path.toStdString() + ": cannot open");
    QJsonObject object = QJsonDocument::fromJson(file.readAll()).object();
    std::vector<std::pair<QString, QString>> inputs;
    for (const QJsonValue& input : object.value(QStringLiteral("__inputs")).toArray())
        inputs.emplace_back(input.toObject().value(QStringLiteral("name")).toString(),
                            QStringLiteral("Vigil"));
    return Dashboard::fromObject(dashboard::resolveInputs(object, inputs), path);
}

void collectSelectors(const promql::Expr& expr, std::vector<const promql::VectorSelector*>& out) {
    using promql::NodeKind;
    switch (expr.kind) {
        case NodeKind::kVectorSelector:
            out.push_back(static_cast<const promql::VectorSelector*>(&expr));
            break;
        case NodeKind::kMatrixSelector:
            out.push_back(static_cast<const promql::MatrixSelector&>(expr).selector.get());
            break;
        case NodeKind::kSubquery:
            collectSelectors(*static_cast<const promql::SubqueryExpr&>(expr).expr, out);
            break;
        case NodeKind::kParen:
            collectSelectors(*static_cast<const promql::ParenExpr&>(expr).expr, out);
            break;
        case NodeKind::kUnary:
            collectSelectors(*static_cast<const promql::UnaryExpr&>(expr).expr, out);
            break;
        case NodeKind::kBinary:
            collectSelectors(*static_cast<const promql::BinaryExpr&>(expr).lhs, out);
            collectSelectors(*static_cast<const promql::BinaryExpr&>(expr).rhs, out);
            break;
        case NodeKind::kAggregate: {
            const auto& aggregate = static_cast<const promql::AggregateExpr&>(expr);
            collectSelectors(*aggregate.expr, out);
            if (aggregate.param)
                collectSelectors(*aggregate.param, out);
            break;
        }
        case NodeKind::kCall:
            for (const auto& arg : static_cast<const promql::Call&>(expr).args)
                collectSelectors(*arg, out);
            break;
        default:
            break;
    }
}

// A value a matcher accepts: the literal, "x" for a regex that takes it,
// or the first alternative of a simple regex.
std::optional<std::string> valueFor(const model::Matcher& matcher) {
    using model::MatchType;
    if (matcher.type() == MatchType::kEqual)
        return matcher.value();
    if (matcher.type() != MatchType::kRegexp)
        return std::nullopt;
    for (std::string candidate :
         {"x", "x:x", "sda", "eth0", "200", "500", "GET", "/", "ext4", "true"})
        if (matcher.matches(candidate))
            return candidate;
    std::string first = matcher.value().substr(0, matcher.value().find('|'));
    first.erase(
        std::remove_if(
            first.begin(), first.end(),
            [](char c) { return std::string_view("()^$\\").find(c) != std::string_view::npos; }),
        first.end());
    if (matcher.matches(first))
        return first;
    return std::nullopt;
}

// A generated dataset for a dashboard: for every selector its queries and
// variables use, two series that satisfy it, an hour of samples at 15 s
// (counters rise, gauges wander, histogram buckets are cumulative).
void generateFor(const Dashboard& dashboard, model::InMemoryStorage& storage) {
    dashboard::InterpolationContext context;
    context.fromMs = kNow - 3'600'000;
    context.toMs = kNow;
    context.intervalMs = 15'000;
    context.rateIntervalMs = 60'000;
    for (const auto& variable : dashboard.variables) {
        dashboard::VariableValue value;
        value.values = {variable.type == QLatin1String("custom")
                            ? variable.query.split(QLatin1Char(',')).value(0).trimmed()
                            : QStringLiteral("x")};
        context.variables[variable.name] = value;
    }
    QStringList expressions;
    static const QRegularExpression kLabelValues(
        QStringLiteral("label_values\\((.+),\\s*(\\w+)\\)"));
    for (const auto& variable : dashboard.variables) {
        const auto match = kLabelValues.match(variable.query);
        if (match.hasMatch())
            expressions << dashboard::interpolate(match.captured(1), context) +
                               QStringLiteral("#") + match.captured(2);
    }
    for (const auto* panel : dashboard.allPanels())
        for (const auto& target : panel->targets)
            expressions << dashboard::interpolate(target.expr, context);
    std::set<std::string> seen;
    for (const QString& text : expressions) {
        const QString expr = text.section(QLatin1Char('#'), 0, 0);
        const std::string extraLabel = text.section(QLatin1Char('#'), 1).toStdString();
        auto parsed = promql::parse(expr.toStdString());
        if (!parsed.isOk())
            continue;
        std::vector<const promql::VectorSelector*> selectors;
        collectSelectors(**parsed, selectors);
        for (const auto* selector : selectors) {
            std::vector<model::Label> base = {{"job", "x"}, {"instance", "x"}};
            bool satisfiable = true;
            for (const auto& matcher : selector->matchers) {
                // `label!=""` needs the label to exist.
                if ((matcher.type() == model::MatchType::kNotEqual ||
                     matcher.type() == model::MatchType::kNotRegexp) &&
                    !matcher.matches("") && matcher.matches("x")) {
                    base.push_back({matcher.name(), "x"});
                    continue;
                }
                auto value = valueFor(matcher);
                if (matcher.type() == model::MatchType::kEqual ||
                    matcher.type() == model::MatchType::kRegexp) {
                    if (!value) {
                        satisfiable = false;
                        break;
                    }
                    base.push_back({matcher.name(), *value});
                }
            }
            if (!extraLabel.empty())
                base.push_back({extraLabel, "x"});
            if (!satisfiable)
                continue;
            model::Labels labels = model::Labels::fromUnsorted(base);
            const std::string name(labels.metricName());
            if (name.empty() || !seen.insert(labels.toString()).second)
                continue;
            const bool counter = name.ends_with("_total") || name.ends_with("_count") ||
                                 name.ends_with("_sum") || name.ends_with("_bucket") ||
                                 name.ends_with("_seconds_total");
            const std::vector<std::string> buckets =
                name.ends_with("_bucket") ? std::vector<std::string>{"0.1", "1", "10", "+Inf"}
                                          : std::vector<std::string>{""};
            for (int copy = 0; copy < 2; ++copy)
                for (std::size_t b = 0; b < buckets.size(); ++b) {
                    std::vector<model::Label> l(labels.begin(), labels.end());
                    if (!buckets[b].empty())
                        l.push_back({"le", buckets[b]});
                    if (copy == 1)
                        l.push_back({"copy", "2"});
                    const model::Labels series = model::Labels::fromUnsorted(l);
                    double v = 0;
                    for (qint64 t = kNow - 3'600'000; t <= kNow; t += 15'000) {
                        v = counter ? v + double(b + 1) * (1 + (t / 15'000) % 7)
                                    : 50 + 40 * std::sin(double(t) / 6e5 + copy);
                        storage.put(series, t, v);
                    }
                }
        }
    }
}

}  // namespace

class TestDashboardRender : public QObject {
    Q_OBJECT
private slots:
    // Every Grafana fixture renders to PNG with data from a generated
    // dataset: the panels whose queries are PromQL show data.
    void fixturesRenderWithData_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<double>("minShare");  // of the panels, with data
        QTest::newRow("node-exporter-full") << "node-exporter-full.json" << 0.9;
        QTest::newRow("node-exporter-full-old") << "node-exporter-full-old-schema14.json" << 0.9;
        QTest::newRow("prometheus-2.0-stats") << "prometheus-2.0-stats-schema22.json" << 0.9;
        QTest::newRow("redis-1x") << "redis-exporter-1x.json" << 0.9;
        QTest::newRow("redis-0.3x") << "redis-exporter-0.3x-schema12.json" << 0.9;
        QTest::newRow("postgres") << "postgres-overview-mixin.json" << 0.9;
        QTest::newRow("k8s-resources") << "kube-prometheus-k8s-resources-cluster.json" << 0.9;
        QTest::newRow("prometheus-overview") << "kube-prometheus-prometheus-overview.json" << 0.9;
        QTest::newRow("apiserver") << "kube-prometheus-apiserver.json" << 0.9;
        // Loki dashboards: their LogQL panels wait for the log store; the
        // PromQL ones (Loki's own metrics) render.
        QTest::newRow("loki-operational") << "loki-operational.json" << 0.5;
    }
    void fixturesRenderWithData() {
        QFETCH(QString, file);
        QFETCH(double, minShare);
        const QString path = sharedDir() + QStringLiteral("/fixtures/grafana/") + file;
        if (!QFile::exists(path))
            QSKIP(qPrintable(QStringLiteral("Grafana fixtures are absent: ") + path));
        auto dashboard = loadFixture(path);
        QVERIFY2(dashboard.isOk(), dashboard.status().message().c_str());
        model::InMemoryStorage storage;
        generateFor(*dashboard, storage);
        promql::Engine engine;
        dashboard::LocalMetricsSource source(engine, storage);
        dashboards::RenderOptions options;
        options.nowMs = kNow;
        options.width = 1400;
        dashboards::RenderReport report;
        auto image = dashboards::renderDashboard(*dashboard, source, options, &report);
        QVERIFY2(image.isOk(), image.status().message().c_str());
        QVERIFY(image->width() == 1400 && image->height() > 300);
        const double share = double(report.panelsWithData) / std::max(1, report.panels);
        QVERIFY2(
            share >= minShare,
            qPrintable(QStringLiteral("%1 of %2 panels with data; errors: %3; empty: %4")
                           .arg(report.panelsWithData)
                           .arg(report.panels)
                           .arg(report.panelErrors.join(QStringLiteral(" | ")).left(2000))
                           .arg(report.panelsWithoutData.join(QStringLiteral(", ")).left(1000))));
        QTemporaryDir dir;
        const QString png = dir.filePath(file + QStringLiteral(".png"));
        QVERIFY(image->save(png));
        QVERIFY(QFileInfo(png).size() > 10'000);
        if (!qEnvironmentVariableIsEmpty("VIGIL_SCREENSHOT_DIR"))
            image->save(qEnvironmentVariable("VIGIL_SCREENSHOT_DIR") + QLatin1Char('/') + file +
                        QStringLiteral(".png"));
    }

    // Node Exporter Full against nothing but the built-in host collector:
    // its core panels show this machine.
    void nodeExporterFullShowsTheHostCollector() {
        const QString path =
            sharedDir() + QStringLiteral("/fixtures/grafana/node-exporter-full.json");
        if (!QFile::exists(path))
            QSKIP("Grafana fixtures are absent");
        auto dashboard = loadFixture(path);
        QVERIFY(dashboard.isOk());
        model::InMemoryStorage storage;
        auto collector = collect::HostCollector::create({});
        QVERIFY(collector.isOk());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 4; i >= 0; --i) {
            auto appender = storage.appender();
            QVERIFY((*collector)->collectInto(*appender, now - i * 15'000).isOk());
            QVERIFY(appender->commit().isOk());
            QTest::qWait(200);
        }
        promql::Engine engine;
        dashboard::LocalMetricsSource source(engine, storage);
        for (const char* title :
             {"CPU Busy", "Sys Load", "RAM Used", "Root FS Used", "CPU Cores", "RAM Total",
              "Uptime", "CPU Basic", "Memory Basic", "Network Traffic Basic",
              "Disk Space Used Basic", "Disk IOps", "Filesystem Space Available"}) {
            int id = 0;
            for (const auto* panel : dashboard->allPanels())
                if (panel->title == QLatin1String(title))
                    id = panel->id;
            QVERIFY2(id, title);
            dashboards::RenderOptions options;
            options.nowMs = now;
            options.from = QStringLiteral("now-5m");
            options.panelId = id;
            dashboards::RenderReport report;
            auto image = dashboards::renderDashboard(*dashboard, source, options, &report);
            QVERIFY2(image.isOk(), image.status().message().c_str());
            QVERIFY2(report.panelsWithData == 1,
                     qPrintable(QString::fromLatin1(title) + QStringLiteral(": ") +
                                report.panelErrors.join(QLatin1Char(';')) +
                                report.panelsWithoutData.join(QLatin1Char(';'))));
        }
    }

    void renderCommandWritesAPng() {
        const QString vigil =
            QString::fromLocal8Bit(qgetenv("VIGIL_BIN_DIR")) + QStringLiteral("/vigil");
        if (!QFile::exists(vigil))
            QSKIP("vigil is not built next to this test (VIGIL_BIN_DIR)");
        QTemporaryDir dir;
        // An empty data directory: panels say "No data", the PNG is written.
        QProcess process;
        process.start(vigil, {QStringLiteral("render"),
                              QStringLiteral(VIGIL_SOURCE_DIR "/dashboards/host-overview.json"),
                              QStringLiteral("--out"), dir.filePath(QStringLiteral("host.png")),
                              QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data")),
                              QStringLiteral("--width"), QStringLiteral("1200")});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 0);
        QVERIFY2(process.readAllStandardOutput().startsWith("rendered 18 panels"), "summary line");
        QImage image(dir.filePath(QStringLiteral("host.png")));
        QCOMPARE(image.width(), 1200);
        QProcess bad;
        bad.start(vigil, {QStringLiteral("render"),
                          QStringLiteral(VIGIL_SOURCE_DIR "/dashboards/host-overview.json"),
                          QStringLiteral("--out"), dir.filePath(QStringLiteral("x.png")),
                          QStringLiteral("--var"), QStringLiteral("nope=1"),
                          QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data"))});
        QVERIFY(bad.waitForFinished(60000));
        QCOMPARE(bad.exitCode(), 1);
        QVERIFY(bad.readAllStandardError().contains(
            "--var nope: the dashboard has no variable 'nope'"));
    }

    // The bundled logs dashboard renders the lines of a real log store, in
    // process and through `vigil render --data-dir`.
    void logsDashboardRendersLines() {
        QTemporaryDir dir;
        const std::string logsDir =
            logs::store::logsDirForDataDir(dir.filePath(QStringLiteral("data")).toStdString());
        const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("data"))));
        {
            auto store = logs::store::LogStore::open(Env::posix(), logsDir, {}, nullptr);
            QVERIFY2(store.isOk(), store.isOk() ? "" : store.status().message().c_str());
            logs::LogStream s;
            s.labels = model::Labels{{"job", "varlogs"}};
            s.entries = {{(now - 120'000) * 1'000'000, "level=info service started", {}},
                         {(now - 60'000) * 1'000'000, "level=error disk full", {}}};
            QCOMPARE((*store)->push({s}).accepted, std::size_t(2));
            QVERIFY((*store)->close().isOk());
        }
        QFile f(QStringLiteral(VIGIL_SOURCE_DIR "/dashboards/logs-overview.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        auto dashboard = Dashboard::fromJson(f.readAll(), "logs-overview.json");
        QVERIFY2(dashboard.isOk(), dashboard.isOk() ? "" : dashboard.status().message().c_str());
        {
            auto store = logs::store::LogStore::open(Env::posix(), logsDir, {}, nullptr);
            QVERIFY(store.isOk());
            model::InMemoryStorage storage;
            promql::Engine engine;
            dashboard::LocalMetricsSource source(engine, storage);
            source.setLogReader(store->get());
            dashboards::RenderOptions options;
            options.width = 1000;
            dashboards::RenderReport report;
            auto image = dashboards::renderDashboard(*dashboard, source, options, &report);
            QVERIFY(image.isOk());
            QVERIFY2(report.panelErrors.isEmpty(), qPrintable(report.panelErrors.join(';')));
            QCOMPARE(report.panels, 2);
            QCOMPARE(report.panelsWithData, 2);
        }
        const QString vigil =
            QString::fromLocal8Bit(qgetenv("VIGIL_BIN_DIR")) + QStringLiteral("/vigil");
        if (!QFile::exists(vigil))
            QSKIP("vigil is not built next to this test (VIGIL_BIN_DIR)");
        QProcess process;
        process.start(vigil, {QStringLiteral("render"),
                              QStringLiteral(VIGIL_SOURCE_DIR "/dashboards/logs-overview.json"),
                              QStringLiteral("--out"), dir.filePath(QStringLiteral("logs.png")),
                              QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data")),
                              QStringLiteral("--width"), QStringLiteral("1000")});
        QVERIFY(process.waitForFinished(60000));
        const QByteArray out = process.readAllStandardOutput();
        QCOMPARE(process.exitCode(), 0);
        QVERIFY2(out.startsWith("rendered 2 panels (2 with data, 0 without, 0 failed)"),
                 out.constData());
        QCOMPARE(QImage(dir.filePath(QStringLiteral("logs.png"))).width(), 1000);
    }
};

QTEST_MAIN(TestDashboardRender)
#include "tst_dashboard_render.moc"
