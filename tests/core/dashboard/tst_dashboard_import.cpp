#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QtTest>

#include "core/dashboard/dashboard.h"

using vigil::dashboard::Dashboard;
using vigil::dashboard::ImportReport;

namespace {

QString sharedDir() {
    const QByteArray env = qgetenv("VIGIL_SHARED_DIR");
    return env.isEmpty() ? QStringLiteral("/work/shared") : QString::fromLocal8Bit(env);
}

QByteArray readFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QString dataFile(const char* name) {
    return QStringLiteral(VIGIL_TEST_DATA_DIR "/data/") + QLatin1String(name);
}

}  // namespace

class TestDashboardImport : public QObject {
    Q_OBJECT
private slots:
    // The counts of ../shared/fixtures/grafana/SOURCES.md ("Statistics").
    void fixturesImportWithTheirCounts_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("panels");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("variables");
        QTest::addColumn<int>("queries");
        QTest::addColumn<QStringList>("unsupported");
        const QStringList links{QStringLiteral("dashboard links")};
        QTest::newRow("node-exporter-full")
            << "node-exporter-full.json" << 125 << 16 << 4 << 286 << links;
        QTest::newRow("node-exporter-full-old-schema14")
            << "node-exporter-full-old-schema14.json" << 172 << 19 << 3 << 472 << QStringList();
        QTest::newRow("prometheus-2.0-stats")
            << "prometheus-2.0-stats-schema22.json" << 13 << 0 << 0 << 21 << links;
        QTest::newRow("redis-1x") << "redis-exporter-1x.json" << 13 << 0 << 3 << 19
                                  << QStringList();
        QTest::newRow("redis-0.3x")
            << "redis-exporter-0.3x-schema12.json" << 12 << 0 << 1 << 17 << QStringList();
        QTest::newRow("postgres") << "postgres-overview-mixin.json" << 6 << 1 << 4 << 15
                                  << QStringList();
        QTest::newRow("loki-logs") << "loki-logs.json" << 10 << 0 << 7 << 10 << links;
        QTest::newRow("loki-operational")
            << "loki-operational.json" << 54 << 13 << 4 << 79
            << QStringList{QStringLiteral("dashboard links"),
                           QStringLiteral("transformation \"merge\"")};
        QTest::newRow("k8s-resources-cluster")
            << "kube-prometheus-k8s-resources-cluster.json" << 22 << 0 << 2 << 44
            << QStringList{QStringLiteral("dashboard links"),
                           QStringLiteral("transformation \"joinByField\""),
                           QStringLiteral("transformation \"organize\"")};
        QTest::newRow("prometheus-overview")
            << "kube-prometheus-prometheus-overview.json" << 10 << 5 << 4 << 15 << QStringList();
        QTest::newRow("apiserver")
            << "kube-prometheus-apiserver.json" << 17 << 0 << 3 << 16 << links;
    }
    void fixturesImportWithTheirCounts() {
        QFETCH(QString, file);
        QFETCH(int, panels);
        QFETCH(int, rows);
        QFETCH(int, variables);
        QFETCH(int, queries);
        QFETCH(QStringList, unsupported);
        const QString path = sharedDir() + QStringLiteral("/fixtures/grafana/") + file;
        if (!QFile::exists(path))
            QSKIP(qPrintable(QStringLiteral("Grafana fixtures are absent: ") + path));
        ImportReport report;
        auto dashboard = Dashboard::fromJson(readFile(path), file, &report);
        QVERIFY2(dashboard.isOk(), dashboard.status().message().c_str());
        QCOMPARE(report.panels, panels);
        QCOMPARE(report.rows, rows);
        QCOMPARE(report.variables, variables);
        QCOMPARE(report.queries, queries);
        QCOMPARE(report.unsupported, unsupported);
        // The migrated model holds every panel, nested ones included.
        QCOMPARE(static_cast<int>(dashboard->allPanels().size()), panels);
        for (const auto* panel : dashboard->allPanels()) {
            QVERIFY2(
                panel->type != QLatin1String("graph") && panel->type != QLatin1String("singlestat"),
                qPrintable(panel->title));
            QVERIFY(panel->gridPos.w >= 1 && panel->gridPos.x + panel->gridPos.w <= 24);
        }
        // Import, export, import again: stable.
        const QByteArray exported = dashboard->toJson();
        auto again = Dashboard::fromJson(exported, file);
        QVERIFY2(again.isOk(), again.status().message().c_str());
        QCOMPARE(QJsonDocument::fromJson(again->toJson()), QJsonDocument::fromJson(exported));
        QVERIFY(again->toObject().value(QStringLiteral("schemaVersion")).toInt() >= 36);
    }

    void exportKeepsWhatVigilDoesNotUse() {
        ImportReport report;
        auto dashboard = Dashboard::fromJson(readFile(dataFile("mini_features.json")),
                                             QStringLiteral("mini_features.json"), &report);
        QVERIFY2(dashboard.isOk(), dashboard.status().message().c_str());
        const QJsonObject out = dashboard->toObject();
        QCOMPARE(out.value(QStringLiteral("gnetId")).toInt(), 1860);
        QVERIFY(out.value(QStringLiteral("x-custom-top"))
                    .toObject()
                    .value(QStringLiteral("kept"))
                    .toBool());
        const QJsonObject first = out.value(QStringLiteral("panels")).toArray()[0].toObject();
        QCOMPARE(first.value(QStringLiteral("pluginVersion")).toString(), QStringLiteral("11.6.1"));
        QCOMPARE(first.value(QStringLiteral("targets"))
                     .toArray()[0]
                     .toObject()
                     .value(QStringLiteral("editorMode"))
                     .toString(),
                 QStringLiteral("code"));
        // The object form of a query variable survives.
        QVERIFY(out.value(QStringLiteral("templating"))
                    .toObject()
                    .value(QStringLiteral("list"))
                    .toArray()[0]
                    .toObject()
                    .value(QStringLiteral("query"))
                    .isObject());
        QCOMPARE(dashboard->variables[0].query, QStringLiteral("label_values(up, job)"));
        QCOMPARE(dashboard->variables[0].current,
                 (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(dashboard->refresh, QStringLiteral("30s"));
        QCOMPARE(dashboard->time.from, QStringLiteral("now-1h"));
    }

    void unsupportedFeaturesAreNamed() {
        ImportReport report;
        auto dashboard = Dashboard::fromJson(readFile(dataFile("mini_features.json")),
                                             QStringLiteral("mini_features.json"), &report);
        QVERIFY(dashboard.isOk());
        QCOMPARE(report.unsupported,
                 (QStringList{QStringLiteral("annotation queries"),
                              QStringLiteral("data source type \"elasticsearch\""),
                              QStringLiteral("panel type \"piechart\""),
                              QStringLiteral("repeated panels"),
                              QStringLiteral("variable type \"adhoc\"")}));
        QCOMPARE(report.panels, 3);
        QCOMPARE(report.rows, 1);
        QCOMPARE(report.queries, 3);  // the empty expr does not count
        // Panels float up on load as in Grafana: "Rate" had y=4 with nothing above.
        QCOMPARE(dashboard->findPanel(1)->gridPos.y, 0);
        // The collapsed row keeps its child, moved with it.
        const auto* row = dashboard->findPanel(3);
        QVERIFY(row && row->isRow() && row->collapsed);
        QCOMPARE(row->children.size(), std::size_t(1));
        QCOMPARE(row->children[0].gridPos.y - row->gridPos.y, 1);
    }

    void legacyRowsAndPanelsAreMigrated() {
        ImportReport report;
        auto dashboard = Dashboard::fromJson(readFile(dataFile("legacy_rows.json")),
                                             QStringLiteral("legacy_rows.json"), &report);
        QVERIFY2(dashboard.isOk(), dashboard.status().message().c_str());
        QCOMPARE(report.rows, 2);
        QCOMPARE(report.panels, 4);
        // Row panels appear because one row shows its title and one collapses.
        QCOMPARE(dashboard->panels.size(), std::size_t(5));  // row, 3 panels, collapsed row
        const auto& top = dashboard->panels;
        QCOMPARE(top[0].type, QStringLiteral("timeseries"));
        QCOMPARE(top[0].gridPos, (vigil::dashboard::GridItem{1, 0, 1, 12, 7, false}));
        QCOMPARE(top[1].type, QStringLiteral("gauge"));
        QCOMPARE(top[1].gridPos, (vigil::dashboard::GridItem{2, 12, 1, 12, 7, false}));
        QCOMPARE(top[2].type, QStringLiteral("text"));
        QCOMPARE(top[2].gridPos, (vigil::dashboard::GridItem{3, 0, 8, 24, 3, false}));
        QVERIFY(top[3].isRow() && !top[3].collapsed);
        QCOMPARE(top[3].gridPos.y, 0);
        QVERIFY(top[4].isRow() && top[4].collapsed);
        QCOMPARE(top[4].gridPos.y, 11);
        QCOMPARE(top[4].children.size(), std::size_t(1));
        QCOMPARE(top[4].children[0].type, QStringLiteral("timeseries"));

        const QJsonObject graph = top[0].raw;
        const QJsonObject defaults = graph.value(QStringLiteral("fieldConfig"))
                                         .toObject()
                                         .value(QStringLiteral("defaults"))
                                         .toObject();
        QCOMPARE(defaults.value(QStringLiteral("unit")).toString(), QStringLiteral("bytes"));
        QCOMPARE(defaults.value(QStringLiteral("min")).toDouble(), 0.0);
        const QJsonObject custom = defaults.value(QStringLiteral("custom")).toObject();
        QCOMPARE(custom.value(QStringLiteral("fillOpacity")).toInt(), 30);
        QCOMPARE(custom.value(QStringLiteral("stacking"))
                     .toObject()
                     .value(QStringLiteral("mode"))
                     .toString(),
                 QStringLiteral("normal"));
        const QJsonObject legend = graph.value(QStringLiteral("options"))
                                       .toObject()
                                       .value(QStringLiteral("legend"))
                                       .toObject();
        QCOMPARE(legend.value(QStringLiteral("displayMode")).toString(), QStringLiteral("table"));
        QCOMPARE(legend.value(QStringLiteral("calcs")).toArray(),
                 (QJsonArray{QStringLiteral("max"), QStringLiteral("lastNotNull")}));
        QVERIFY(!graph.contains(QStringLiteral("yaxes")));

        const QJsonObject gauge = top[1].raw;
        const QJsonObject gaugeDefaults = gauge.value(QStringLiteral("fieldConfig"))
                                              .toObject()
                                              .value(QStringLiteral("defaults"))
                                              .toObject();
        QCOMPARE(gaugeDefaults.value(QStringLiteral("unit")).toString(), QStringLiteral("percent"));
        const QJsonArray steps = gaugeDefaults.value(QStringLiteral("thresholds"))
                                     .toObject()
                                     .value(QStringLiteral("steps"))
                                     .toArray();
        QCOMPARE(steps.size(), 3);
        QVERIFY(steps[0].toObject().value(QStringLiteral("value")).isNull());
        QCOMPARE(steps[2].toObject().value(QStringLiteral("value")).toDouble(), 90.0);
        QCOMPARE(steps[2].toObject().value(QStringLiteral("color")).toString(),
                 QStringLiteral("red"));
        QCOMPARE(gauge.value(QStringLiteral("options"))
                     .toObject()
                     .value(QStringLiteral("reduceOptions"))
                     .toObject()
                     .value(QStringLiteral("calcs"))
                     .toArray(),
                 QJsonArray{QStringLiteral("mean")});
        QCOMPARE(top[2]
                     .raw.value(QStringLiteral("options"))
                     .toObject()
                     .value(QStringLiteral("content"))
                     .toString(),
                 QStringLiteral("# hello"));
        QCOMPARE(dashboard->toObject().value(QStringLiteral("graphTooltip")).toInt(), 1);
    }

    void inputsAreResolvedOnImport() {
        const QJsonObject document =
            QJsonDocument::fromJson(readFile(dataFile("legacy_rows.json"))).object();
        const QJsonObject resolved = vigil::dashboard::resolveInputs(
            document, {{QStringLiteral("DS_LOCAL"), QStringLiteral("Vigil \"local\"")}});
        QVERIFY(!resolved.contains(QStringLiteral("__inputs")));
        auto dashboard = Dashboard::fromObject(resolved, QStringLiteral("legacy_rows.json"));
        QVERIFY(dashboard.isOk());
        QVERIFY(dashboard->panels[0].datasource.has_value());
        QCOMPARE(dashboard->panels[0].datasource->uid, QStringLiteral("Vigil \"local\""));
    }

    void badDocumentsNameTheProblem_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("syntax") << QByteArray("{\n  \"title\": \"x\",\n  \"panels\": [,]\n}")
                                << QStringLiteral("bad.json:3:");
        QTest::newRow("not-object")
            << QByteArray("[1]") << QStringLiteral("bad.json: a dashboard is a JSON object");
        QTest::newRow("panels-type") << QByteArray("{\"title\":\"x\",\"panels\":{}}")
                                     << QStringLiteral("bad.json: panels: expected an array");
        QTest::newRow("panel-entry") << QByteArray("{\"title\":\"x\",\"panels\":[{}, 3]}")
                                     << QStringLiteral("bad.json: panels[1]: expected an object");
        QTest::newRow("gridpos") << QByteArray("{\"title\":\"x\",\"panels\":[{\"gridPos\":[1]}]}")
                                 << QStringLiteral("bad.json: panels[0].gridPos");
        QTest::newRow("v2-resource")
            << QByteArray(
                   "{\"apiVersion\":\"dashboard.grafana.app/"
                   "v2\",\"kind\":\"Dashboard\",\"spec\":{\"elements\":{}}}")
            << QStringLiteral("bad.json: spec: Grafana's v2 dashboard resource");
        QTest::newRow("not-a-dashboard")
            << QByteArray("{\"foo\":1}") << QStringLiteral("bad.json: not a Grafana dashboard");
    }
    void badDocumentsNameTheProblem() {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        auto dashboard = Dashboard::fromJson(json, QStringLiteral("bad.json"));
        QVERIFY(!dashboard.isOk());
        QVERIFY2(QString::fromStdString(dashboard.status().message()).startsWith(message),
                 dashboard.status().message().c_str());
    }

    void kubernetesV1ResourceIsUnwrapped() {
        const QByteArray json =
            "{\"apiVersion\":\"dashboard.grafana.app/"
            "v1beta1\",\"kind\":\"Dashboard\",\"metadata\":{},"
            "\"spec\":{\"title\":\"Wrapped\",\"panels\":[{\"id\":1,\"type\":\"stat\",\"gridPos\":{"
            "\"x\":0,"
            "\"y\":0,\"w\":6,\"h\":4}}]}}";
        auto dashboard = Dashboard::fromJson(json, QStringLiteral("k8s.json"));
        QVERIFY2(dashboard.isOk(), dashboard.status().message().c_str());
        QCOMPARE(dashboard->title, QStringLiteral("Wrapped"));
        QCOMPARE(dashboard->allPanels().size(), std::size_t(1));
    }

    void vigilctlCheckPrintsTheJsonSummary() {
        const QString vigilctl =
            QString::fromLocal8Bit(qgetenv("VIGIL_BIN_DIR")) + QStringLiteral("/vigilctl");
        if (!QFile::exists(vigilctl))
            QSKIP("vigilctl is not built next to this test (VIGIL_BIN_DIR)");
        QProcess process;
        process.start(vigilctl, {QStringLiteral("dashboard"), QStringLiteral("check"),
                                 QStringLiteral("--json"), dataFile("mini_features.json")});
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 0);
        QCOMPARE(
            process.readAllStandardOutput().trimmed(),
            QByteArray("{\"panels\":3,\"rows\":1,\"variables\":3,\"queries\":3,\"unsupported\":["
                       "\"annotation queries\",\"data source type \\\"elasticsearch\\\"\","
                       "\"panel type \\\"piechart\\\"\",\"repeated panels\",\"variable type "
                       "\\\"adhoc\\\"\"]}"));
        QProcess bad;
        bad.start(vigilctl,
                  {QStringLiteral("dashboard"), QStringLiteral("check"), dataFile("missing.json")});
        QVERIFY(bad.waitForFinished(30000));
        QCOMPARE(bad.exitCode(), 1);
    }
};

QTEST_GUILESS_MAIN(TestDashboardImport)
#include "tst_dashboard_import.moc"
