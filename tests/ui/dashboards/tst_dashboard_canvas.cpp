#include <QJsonArray>
#include <QJsonDocument>
#include <QMimeData>
#include <QTreeWidget>
#include <QUndoStack>
#include <QtTest>

#include "core/dashboard/dashboard.h"
#include "ui/dashboards/dashboard_canvas.h"
#include "ui/dashboards/metrics_browser.h"
#include "ui/panels/panel_widget.h"

using vigil::dashboard::Dashboard;
using vigil::dashboards::DashboardCanvas;

namespace {

Dashboard makeDashboard() {
    const QByteArray json =
        "{\"title\":\"T\",\"uid\":\"t\",\"panels\":["
        "{\"id\":1,\"type\":\"timeseries\",\"title\":\"A\",\"gridPos\":{\"x\":0,\"y\":0,\"w\":12,"
        "\"h\":8}},"
        "{\"id\":2,\"type\":\"stat\",\"title\":\"B\",\"gridPos\":{\"x\":12,\"y\":0,\"w\":12,\"h\":"
        "8}},"
        "{\"id\":3,\"type\":\"row\",\"title\":\"Details\",\"collapsed\":false,\"gridPos\":{\"x\":0,"
        "\"y\":8,\"w\":24,\"h\":1},"
        "\"panels\":[]},"
        "{\"id\":4,\"type\":\"table\",\"title\":\"C\",\"gridPos\":{\"x\":0,\"y\":9,\"w\":24,\"h\":"
        "6}}]}";
    auto dashboard = Dashboard::fromJson(json, QStringLiteral("t.json"));
    if (!dashboard.isOk())
        qFatal("%s", dashboard.status().message().c_str());
    return std::move(*dashboard);
}

QString positions(const Dashboard& d) {
    QStringList out;
    for (const auto& p : d.panels)
        out << QStringLiteral("%1:%2,%3,%4,%5%6")
                   .arg(p.id)
                   .arg(p.gridPos.x)
                   .arg(p.gridPos.y)
                   .arg(p.gridPos.w)
                   .arg(p.gridPos.h)
                   .arg(p.isRow() && p.collapsed ? QStringLiteral("c%1").arg(p.children.size())
                                                 : QString());
    out.sort();
    return out.join(QLatin1Char(' '));
}

}  // namespace

class TestDashboardCanvas : public QObject {
    Q_OBJECT
private slots:
    void placesPanelsOnTheGrid() {
        Dashboard dashboard = makeDashboard();
        DashboardCanvas canvas;
        canvas.resize(1208, 800);  // 8 + 24 * 50
        canvas.setDashboard(&dashboard);
        QCOMPARE(canvas.columnWidth(), 50.0);
        QCOMPARE(canvas.panelWidget(1)->geometry(), QRect(8, 8, 592, 8 * 30 + 7 * 8));
        QCOMPARE(canvas.panelWidget(2)->geometry().x(), 608);
        QCOMPARE(canvas.panelWidget(4)->geometry().y(), 8 + 9 * 38);
        QCOMPARE(canvas.visiblePanelIds().size(), std::size_t(3));
    }

    void editsAreUndoable() {
        Dashboard dashboard = makeDashboard();
        DashboardCanvas canvas;
        canvas.resize(1208, 800);
        canvas.setDashboard(&dashboard);
        const QString original = positions(dashboard);
        QVERIFY(canvas.movePanel(1, 12, 0));  // onto B: B moves below
        QCOMPARE(positions(dashboard),
                 QStringLiteral("1:12,0,12,8 2:12,8,12,8 3:0,16,24,1 4:0,17,24,6"));
        QVERIFY(canvas.resizePanel(4, 12, 10));
        QCOMPARE(dashboard.findPanel(4)->gridPos.h, 10);
        const int added = canvas.addPanel(QStringLiteral("gauge"), 0, 0, 6, 4);
        QVERIFY(added > 4);
        QCOMPARE(dashboard.findPanel(added)->gridPos.y, 0);
        QCOMPARE(canvas.undoStack()->count(), 3);
        canvas.undoStack()->undo();
        QVERIFY(!dashboard.findPanel(added));
        canvas.undoStack()->undo();
        canvas.undoStack()->undo();
        QCOMPARE(positions(dashboard), original);
        canvas.undoStack()->redo();
        QCOMPARE(dashboard.findPanel(1)->gridPos.x, 12);
        QVERIFY(canvas.panelWidget(1));
    }

    void rowsCollapseAndExpandAsInGrafana() {
        Dashboard dashboard = makeDashboard();
        DashboardCanvas canvas;
        canvas.resize(1208, 800);
        canvas.setDashboard(&dashboard);
        QVERIFY(canvas.toggleRow(3));
        QCOMPARE(positions(dashboard), QStringLiteral("1:0,0,12,8 2:12,0,12,8 3:0,8,24,1c1"));
        QVERIFY(!canvas.panelWidget(4));
        QVERIFY(canvas.toggleRow(3));
        QCOMPARE(positions(dashboard),
                 QStringLiteral("1:0,0,12,8 2:12,0,12,8 3:0,8,24,1 4:0,9,24,6"));
        QVERIFY(canvas.panelWidget(4));
    }

    void metricDropsChooseASensibleQuery_data() {
        QTest::addColumn<QString>("metric");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("expr");
        QTest::newRow("counter") << "http_requests_total"
                                 << "counter"
                                 << "rate(http_requests_total[$__rate_interval])";
        QTest::newRow("histogram")
            << "http_request_duration_seconds_bucket"
            << "histogram"
            << "histogram_quantile(0.95, sum by (le) "
               "(rate(http_request_duration_seconds_bucket[$__rate_interval])))";
        QTest::newRow("gauge") << "node_load1"
                               << "gauge"
                               << "node_load1";
    }
    void metricDropsChooseASensibleQuery() {
        QFETCH(QString, metric);
        QFETCH(QString, type);
        QFETCH(QString, expr);
        Dashboard dashboard = makeDashboard();
        DashboardCanvas canvas;
        canvas.resize(1208, 800);
        canvas.setDashboard(&dashboard);
        const int id = canvas.addMetricPanel(metric, type, 0, 30);
        QVERIFY(id);
        QCOMPARE(dashboard.findPanel(id)->type, QStringLiteral("timeseries"));
        QCOMPARE(dashboard.findPanel(id)->targets.front().expr, expr);
    }

    // A metric dragged from the metrics browser and dropped on the grid.
    void metricDropFromTheBrowserCreatesAPanel() {
        Dashboard dashboard = makeDashboard();
        DashboardCanvas canvas;
        canvas.resize(1208, 900);
        canvas.setDashboard(&dashboard);
        canvas.setEditMode(true);
        vigil::dashboards::MetricsBrowser browser;
        browser.setMetrics(
            {{"http_requests_total", "counter", "Requests."}, {"node_load1", "gauge", "Load."}});
        browser.setFilter(QStringLiteral("load"));
        QVERIFY(browser.tree()->topLevelItem(0)->isHidden());
        QVERIFY(!browser.tree()->topLevelItem(1)->isHidden());
        QTreeWidgetItem* item = browser.tree()->topLevelItem(0);
        std::unique_ptr<QMimeData> mime(browser.tree()->model()->mimeData(
            {browser.tree()->model()->index(browser.tree()->indexOfTopLevelItem(item), 0)}));
        QVERIFY(mime->hasFormat(QLatin1String(vigil::dashboards::kMetricMime)));
        const QPoint at = canvas.cellRect({0, 12, 15, 12, 8, false}).topLeft() + QPoint(5, 5);
        QDragEnterEvent enter(at, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&canvas, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(at), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&canvas, &drop);
        const auto& added = dashboard.panels.back();
        QCOMPARE(added.targets.front().expr,
                 QStringLiteral("rate(http_requests_total[$__rate_interval])"));
        QCOMPARE(added.gridPos.x, 12);
    }

    void copyPasteDuplicateAndRemove() {
        Dashboard dashboard = makeDashboard();
        DashboardCanvas canvas;
        canvas.resize(1208, 800);
        canvas.setDashboard(&dashboard);
        const int copy = canvas.duplicatePanel(1);
        QVERIFY(copy);
        QCOMPARE(dashboard.findPanel(copy)->title, QStringLiteral("A"));
        const QByteArray json = canvas.copyPanels({1, 2});
        QCOMPARE(QJsonDocument::fromJson(json).array().size(), 2);
        // Paste into another dashboard: new ids, at the bottom.
        Dashboard other = makeDashboard();
        DashboardCanvas target;
        target.resize(1208, 800);
        target.setDashboard(&other);
        const auto pasted = target.pastePanels(json);
        QCOMPARE(pasted.size(), std::size_t(2));
        for (int id : pasted) {
            QVERIFY(id > 4);
            QVERIFY(other.findPanel(id)->gridPos.y >= 15);
        }
        QVERIFY(canvas.removePanels({1, copy}));
        QVERIFY(!dashboard.findPanel(1));
        canvas.setLayoutLocked(true);
        QVERIFY(!canvas.movePanel(2, 0, 0));
        QVERIFY(!canvas.removePanels({2}));
    }

    void draggingAHeaderMovesThePanel() {
        Dashboard dashboard = makeDashboard();
        DashboardCanvas canvas;
        canvas.resize(1208, 900);
        canvas.setDashboard(&dashboard);
        canvas.setEditMode(true);
        canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&canvas));
        QWidget* header = canvas.panelWidget(4)->header();
        const QPoint start = header->rect().center();
        QTest::mousePress(header, Qt::LeftButton, Qt::NoModifier, start);
        // Drag C up to the top-left (grid row 0): A and B make room.
        const QPoint target = header->mapFromGlobal(canvas.mapToGlobal(QPoint(8 + 20, 8 + 10)));
        for (int step = 1; step <= 5; ++step) {
            QMouseEvent move(QEvent::MouseMove, start + (target - start) * step / 5,
                             header->mapToGlobal(start + (target - start) * step / 5), Qt::NoButton,
                             Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(header, &move);
        }
        QTest::mouseRelease(header, Qt::LeftButton, Qt::NoModifier, target);
        QCOMPARE(dashboard.findPanel(4)->gridPos.y, 0);
        QVERIFY(dashboard.findPanel(1)->gridPos.y >= 6);
        QCOMPARE(canvas.undoStack()->count(), 1);
    }
};

QTEST_MAIN(TestDashboardCanvas)
#include "tst_dashboard_canvas.moc"
