#include <QComboBox>
#include <QCompleter>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QStringListModel>
#include <QUndoStack>
#include <QtTest>

#include "core/dashboard/local_metrics_source.h"
#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "ui/dashboards/dashboard_canvas.h"
#include "ui/dashboards/panel_editor.h"
#include "ui/dashboards/panel_query_service.h"
#include "ui/dashboards/promql_editor.h"
#include "ui/panels/panel_widget.h"

using namespace vigil;
using dashboards::PanelEditor;
using dashboards::PromQLEditor;

namespace {

constexpr qint64 kEnd = 1'790'000'000'000;

dashboard::Panel makePanel() {
    auto parsed = dashboard::Dashboard::fromJson(
        "{\"title\":\"t\",\"panels\":[{\"id\":3,\"type\":\"timeseries\",\"title\":\"Load\","
        "\"gridPos\":{\"x\":0,"
        "\"y\":0,\"w\":12,\"h\":8},\"targets\":[{\"refId\":\"A\",\"expr\":\"node_load1\","
        "\"editorMode\":\"code\"}],"
        "\"fieldConfig\":{\"defaults\":{\"unit\":\"short\"}}}]}",
        QStringLiteral("t.json"));
    return parsed->panels.front();
}

}  // namespace

class TestPanelEditor : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        for (qint64 t = kEnd - 3'600'000; t <= kEnd; t += 15'000) {
            m_storage.put(model::Labels{{"__name__", "node_load1"}, {"instance", "a"}}, t, 0.5);
            m_storage.put(model::Labels{{"__name__", "http_requests_total"}, {"instance", "a"}}, t,
                          double(t - kEnd) / 1000 + 4000);
        }
    }

    void errorsAreUnderlinedWhereTheyAre() {
        PromQLEditor editor;
        editor.setPlainText(QStringLiteral("sum(rate(x[5m])"));
        QVERIFY2(editor.errorText().contains(QStringLiteral("parse error")),
                 qPrintable(editor.errorText()));
        QVERIFY(editor.errorSpan().first >= 0);
        QCOMPARE(editor.extraSelections().size(), 1);
        editor.setPlainText(
            QStringLiteral("sum by (job) (rate(x{job=~\"$job\"}[$__rate_interval]))"));
        QCOMPARE(editor.errorText(), QString());  // variables are accepted
        QCOMPARE(editor.extraSelections().size(), 0);
        editor.setPlainText(QStringLiteral("rat(x[5m])"));
        QVERIFY2(editor.errorText().contains(QStringLiteral("unknown function")),
                 qPrintable(editor.errorText()));
        QCOMPARE(editor.errorSpan().first, 0);
    }

    void completesMetricsAndFunctions() {
        PromQLEditor editor;
        editor.setCompletions({QStringLiteral("node_load1")}, {QStringLiteral("instance")});
        const QStringList words =
            static_cast<QStringListModel*>(editor.completer()->model())->stringList();
        QVERIFY(words.contains(QStringLiteral("node_load1")));
        QVERIFY(words.contains(QStringLiteral("histogram_quantile")));
        QVERIFY(words.contains(QStringLiteral("$__rate_interval")));
    }

    void editsAreLiveAndReturnedWhole() {
        promql::Engine engine;
        auto source = std::make_shared<dashboard::LocalMetricsSource>(engine, m_storage);
        PanelEditor editor(makePanel(), source, {}, {kEnd - 3'600'000, kEnd});
        editor.resize(1000, 700);
        editor.show();
        editor.queryService()->waitForIdle();
        QTRY_COMPARE(editor.preview()->bodyState(), QStringLiteral("content"));
        // Completion offers the source's metric names once they are fetched.
        QTRY_VERIFY(static_cast<QStringListModel*>(editor.queryEditors()[0]->completer()->model())
                        ->stringList()
                        .contains(QStringLiteral("http_requests_total")));

        editor.queryEditors()[0]->setPlainText(QStringLiteral("rate(http_requests_total[5m])"));
        editor.legendEditor(0)->setText(QStringLiteral("{{instance}} req/s"));
        editor.unitBox()->setCurrentText(QStringLiteral("reqps"));
        editor.thresholdsEditor()->setText(QStringLiteral("green; 0.9 orange; 2 red"));
        editor.titleEditor()->setText(QStringLiteral("Requests"));
        editor.refreshPreview();
        editor.queryService()->waitForIdle();
        QTRY_COMPARE(editor.preview()->bodyState(), QStringLiteral("content"));

        editor.queryEditors()[0]->setPlainText(QStringLiteral("rate(http_requests_total[5m]"));
        editor.refreshPreview();
        editor.queryService()->waitForIdle();
        QTRY_COMPARE(editor.preview()->bodyState(), QStringLiteral("error"));
        editor.queryEditors()[0]->setPlainText(QStringLiteral("rate(http_requests_total[5m])"));

        const dashboard::Panel edited = editor.panel();
        QCOMPARE(edited.title, QStringLiteral("Requests"));
        QCOMPARE(edited.targets.size(), std::size_t(1));
        QCOMPARE(edited.targets[0].expr, QStringLiteral("rate(http_requests_total[5m])"));
        QCOMPARE(edited.targets[0].legendFormat, QStringLiteral("{{instance}} req/s"));
        QCOMPARE(edited.targets[0].raw.value("editorMode").toString(),
                 QStringLiteral("code"));  // kept
        const QJsonObject defaults =
            edited.raw.value("fieldConfig").toObject().value("defaults").toObject();
        QCOMPARE(defaults.value("unit").toString(), QStringLiteral("reqps"));
        const QJsonArray steps = defaults.value("thresholds").toObject().value("steps").toArray();
        QCOMPARE(steps.size(), 3);
        QCOMPARE(steps[2].toObject().value("value").toDouble(), 2.0);
        QCOMPARE(steps[2].toObject().value("color").toString(), QStringLiteral("red"));

        // Applied through the canvas: one undoable edit, the place kept.
        auto dashboard = dashboard::Dashboard::fromJson(
            "{\"title\":\"t\",\"panels\":[{\"id\":3,\"type\":\"timeseries\",\"title\":\"Load\","
            "\"gridPos\":{\"x\":6,"
            "\"y\":0,\"w\":12,\"h\":8}}]}",
            QStringLiteral("t.json"));
        dashboards::DashboardCanvas canvas;
        canvas.resize(1208, 800);
        canvas.setDashboard(&*dashboard);
        QVERIFY(canvas.updatePanel(edited));
        QCOMPARE(dashboard->findPanel(3)->title, QStringLiteral("Requests"));
        QCOMPARE(dashboard->findPanel(3)->gridPos.x, 6);
        QCOMPARE(canvas.undoStack()->count(), 1);
    }

    void thresholdText() {
        QString error;
        const QJsonArray steps =
            PanelEditor::parseThresholds(QStringLiteral("80 orange; 90 red"), &error);
        QVERIFY(error.isEmpty());
        QCOMPARE(steps.size(), 3);  // the base step is added
        QVERIFY(steps[0].toObject().value("value").isNull());
        QCOMPARE(PanelEditor::formatThresholds(steps), QStringLiteral("green; 80 orange; 90 red"));
        PanelEditor::parseThresholds(QStringLiteral("green; eighty orange"), &error);
        QVERIFY2(error.contains(QStringLiteral("threshold 2")), qPrintable(error));
    }

private:
    model::InMemoryStorage m_storage;
};

QTEST_MAIN(TestPanelEditor)
#include "tst_panel_editor.moc"
