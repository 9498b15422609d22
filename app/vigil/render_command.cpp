#include "app/vigil/render_command.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <cstring>
#include <memory>

#include "core/dashboard/dashboard.h"
#include "core/dashboard/http_metrics_source.h"
#include "core/dashboard/local_metrics_source.h"
#include "core/engine/app_paths.h"
#include "core/logs/store/log_store.h"
#include "core/promql/engine.h"
#include "core/tsdb/db/exclusive_db.h"
#include "ui/dashboards/dashboard_renderer.h"

namespace vigil::app {
namespace {

int fail(const QString& message, int code = 1) {
    std::fprintf(stderr, "vigil render: %s\n", qPrintable(message));
    return code;
}

}  // namespace

bool isRenderCommand(int argc, char** argv) {
    return argc >= 2 && std::strcmp(argv[1], "render") == 0;
}

int runRenderCommand(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("vigil"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Render a Grafana dashboard to PNG without a display."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("render"), QStringLiteral("the render command"));
    parser.addPositionalArgument(QStringLiteral("DASHBOARD.json"),
                                 QStringLiteral("the dashboard to render"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("PNG file to write."),
                                 QStringLiteral("file"));
    const QCommandLineOption from(QStringLiteral("from"),
                                  QStringLiteral("Start (now-1h, ISO 8601, epoch ms)."),
                                  QStringLiteral("time"), QStringLiteral("now-1h"));
    const QCommandLineOption to(QStringLiteral("to"), QStringLiteral("End."),
                                QStringLiteral("time"), QStringLiteral("now"));
    const QCommandLineOption width(QStringLiteral("width"), QStringLiteral("Width in pixels."),
                                   QStringLiteral("px"), QStringLiteral("1600"));
    const QCommandLineOption variable(QStringLiteral("var"),
                                      QStringLiteral("Set a variable (repeatable)."),
                                      QStringLiteral("name=value"));
    const QCommandLineOption panel(QStringLiteral("panel"),
                                   QStringLiteral("Render only this panel id."),
                                   QStringLiteral("id"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("Read metrics from this Vigil data directory."),
                                     QStringLiteral("dir"));
    const QCommandLineOption datasource(
        QStringLiteral("datasource"),
        QStringLiteral("Read metrics from a Prometheus-compatible API."), QStringLiteral("url"));
    parser.addOptions({out, from, to, width, variable, panel, dataDir, datasource});
    parser.process(app);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return fail(QStringLiteral("exactly one DASHBOARD.json is required"), 2);
    if (!parser.isSet(out))
        return fail(QStringLiteral("--out FILE.png is required"), 2);
    if (parser.isSet(dataDir) && parser.isSet(datasource))
        return fail(QStringLiteral("--data-dir and --datasource exclude each other"), 2);

    dashboards::RenderOptions options;
    options.from = parser.value(from);
    options.to = parser.value(to);
    bool ok = false;
    options.width = parser.value(width).toInt(&ok);
    if (!ok || options.width < 200)
        return fail(QStringLiteral("--width: expected a number of pixels >= 200, got '%1'")
                        .arg(parser.value(width)),
                    2);
    if (parser.isSet(panel)) {
        options.panelId = parser.value(panel).toInt(&ok);
        if (!ok)
            return fail(
                QStringLiteral("--panel: expected a panel id, got '%1'").arg(parser.value(panel)),
                2);
    }
    for (const QString& assignment : parser.values(variable)) {
        const qsizetype eq = assignment.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return fail(QStringLiteral("--var: expected name=value, got '%1'").arg(assignment), 2);
        options.variables[assignment.left(eq)] << assignment.mid(eq + 1);
    }

    QFile file(positional[1]);
    if (!file.open(QIODevice::ReadOnly))
        return fail(positional[1] + QStringLiteral(": ") + file.errorString());
    QJsonParseError parseError;
    QJsonObject object = QJsonDocument::fromJson(file.readAll(), &parseError).object();
    std::vector<std::pair<QString, QString>> inputs;
    for (const QJsonValue& input : object.value(QStringLiteral("__inputs")).toArray())
        inputs.emplace_back(input.toObject().value(QStringLiteral("name")).toString(),
                            QStringLiteral("Vigil"));
    if (!inputs.empty())
        object = dashboard::resolveInputs(object, inputs);
    file.seek(0);
    auto loaded = parseError.error == QJsonParseError::NoError
                      ? dashboard::Dashboard::fromObject(object, positional[1])
                      : dashboard::Dashboard::fromJson(file.readAll(), positional[1]);
    if (!loaded.isOk())
        return fail(QString::fromStdString(loaded.status().message()));

    std::unique_ptr<dashboard::MetricsSource> source;
    std::unique_ptr<tsdb::ExclusiveDb> db;
    std::unique_ptr<promql::Engine> engine;
    std::unique_ptr<logs::store::LogStore> logStore;  // read by `source` while rendering
    if (parser.isSet(datasource)) {
        source = std::make_unique<dashboard::HttpMetricsSource>(parser.value(datasource));
    } else {
        const QString dir = engine::AppPaths::resolve(QString(), parser.value(dataDir)).dataDir;
        auto opened = tsdb::ExclusiveDb::open(dir.toStdString());
        if (!opened.isOk())
            return fail(QString::fromStdString(opened.status().message()) +
                        QStringLiteral(" (or render from it with --datasource http://ADDRESS)"));
        db = std::move(*opened);
        engine = std::make_unique<promql::Engine>();
        auto local = std::make_unique<dashboard::LocalMetricsSource>(*engine, *db);
        // Logs panels read the log store; the TSDB lock above means Vigil is
        // not running, so opening the store here is safe. Closed without a
        // flush: its WAL keeps what it holds.
        const std::string logsDir = logs::store::logsDirForDataDir(dir.toStdString());
        if (QDir(QString::fromStdString(logsDir)).exists()) {
            auto store = logs::store::LogStore::open(Env::posix(), logsDir, {}, nullptr);
            if (store.isOk()) {
                logStore = std::move(*store);
                local->setLogReader(logStore.get());
            } else {
                std::fprintf(stderr, "vigil render: logs panels show no logs: %s\n",
                             store.status().message().c_str());
            }
        }
        source = std::move(local);
    }

    dashboards::RenderReport report;
    auto image = dashboards::renderDashboard(std::move(*loaded), *source, options, &report);
    if (!image.isOk())
        return fail(QString::fromStdString(image.status().message()));
    if (!image->save(parser.value(out), "PNG"))
        return fail(parser.value(out) + QStringLiteral(": cannot write the PNG file"));
    for (const QString& error : report.panelErrors)
        std::fprintf(stderr, "vigil render: panel %s\n", qPrintable(error));
    std::printf("rendered %d panels (%d with data, %d without, %d failed) to %s\n", report.panels,
                report.panelsWithData, int(report.panelsWithoutData.size()),
                int(report.panelErrors.size()), qPrintable(parser.value(out)));
    return 0;
}

}  // namespace vigil::app
