#include <QListWidget>
#include <QProcess>
#include <QStandardPaths>
#include <QToolButton>
#include <QUndoStack>
#include <QtTest>

#include "core/dashboard/local_metrics_source.h"
#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "ui/dashboards/dashboard_canvas.h"
#include "ui/dashboards/dashboard_view.h"
#include "ui/panels/panel_widget.h"

using vigil::dashboard::Dashboard;

namespace {

// A drag with the real pointer (XTEST through xdotool), as one chained
// xdotool command run in the background: Qt's drag-and-drop runs a nested
// event loop until the button is released, so the test must keep
// processing events while the pointer moves (QTRY_* below).
void startDrag(QProcess& process, const QPoint& from, const QPoint& to) {
    QStringList args{
        QStringLiteral("mousemove"), QString::number(from.x()), QString::number(from.y()),
        QStringLiteral("sleep"),     QStringLiteral("0.2"),     QStringLiteral("mousedown"),
        QStringLiteral("1"),         QStringLiteral("sleep"),   QStringLiteral("0.2")};
    for (int step = 1; step <= 12; ++step) {
        const QPoint p = from + (to - from) * step / 12;
        args << QStringLiteral("mousemove") << QString::number(p.x()) << QString::number(p.y())
             << QStringLiteral("sleep") << QStringLiteral("0.05");
    }
    args << QStringLiteral("sleep") << QStringLiteral("0.2") << QStringLiteral("mouseup")
         << QStringLiteral("1");
    process.start(QStringLiteral("xdotool"), args);
}

}  // namespace

class TestDashboardDragXvfb : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        if (QGuiApplication::platformName() != QLatin1String("xcb"))
            QSKIP("needs a real X display (runs under xvfb-run with the ctest label xvfb)");
        if (QStandardPaths::findExecutable(QStringLiteral("xdotool")).isEmpty())
            QSKIP("xdotool is not installed (make deps)");
    }

    void paletteDropAndPanelMoveWithARealMouse() {
        vigil::model::InMemoryStorage storage;
        vigil::promql::Engine engine;
        auto source = std::make_shared<vigil::dashboard::LocalMetricsSource>(engine, storage);
        vigil::dashboards::DashboardView view(source, nullptr);
        auto dashboard = Dashboard::fromJson(
            "{\"title\":\"Drag\",\"uid\":\"drag\",\"panels\":["
            "{\"id\":1,\"type\":\"timeseries\",\"title\":\"A\",\"gridPos\":{\"x\":0,\"y\":0,\"w\":"
            "12,\"h\":8}},"
            "{\"id\":2,\"type\":\"timeseries\",\"title\":\"B\",\"gridPos\":{\"x\":12,\"y\":0,\"w\":"
            "12,\"h\":8}}]}",
            QStringLiteral("drag.json"));
        QVERIFY(dashboard.isOk());
        view.setDashboard(std::move(*dashboard));
        view.resize(1300, 800);
        view.move(0, 0);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (auto* button : view.findChildren<QToolButton*>())
            if (button->text() == QLatin1String("Edit"))
                button->setChecked(true);
        QVERIFY(view.canvas()->editMode());
        auto* palette = view.findChild<QListWidget*>(QStringLiteral("panelPalette"));
        QVERIFY(palette && palette->isVisible());
        QTest::qWait(200);

        // 1. Drag "Stat" from the palette to the left half below the panels.
        QListWidgetItem* stat = nullptr;
        for (int i = 0; i < palette->count(); ++i)
            if (palette->item(i)->data(Qt::UserRole).toString() == QLatin1String("stat"))
                stat = palette->item(i);
        QVERIFY(stat);
        const QPoint from =
            palette->viewport()->mapToGlobal(palette->visualItemRect(stat).center());
        vigil::dashboards::DashboardCanvas* canvas = view.canvas();
        const QRect cell = canvas->cellRect({0, 0, 10, 12, 8, false});
        const QPoint to = canvas->mapToGlobal(cell.topLeft() + QPoint(10, 10));
        QProcess first;
        startDrag(first, from, to);
        QTRY_VERIFY_WITH_TIMEOUT(first.state() == QProcess::NotRunning, 20000);
        QCOMPARE(first.exitCode(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(int(view.dashboard().panels.size()), 3, 5000);
        const auto& added = view.dashboard().panels.back();
        QCOMPARE(added.type, QStringLiteral("stat"));
        QCOMPARE(added.gridPos.x, 0);
        QCOMPARE(added.gridPos.y, 8);  // floated up under A
        QVERIFY(canvas->panelWidget(added.id));

        // 2. Move B by its header to the bottom-left: it takes the place
        // under the new panel, and A/stat stay put.
        vigil::panels::PanelWidget* b = canvas->panelWidget(2);
        const QPoint header = b->header()->mapToGlobal(b->header()->rect().center());
        const QPoint offset = header - b->mapToGlobal(QPoint(0, 0));
        const QRect target = canvas->cellRect({0, 0, 16, 12, 8, false});
        QProcess second;
        startDrag(second, header, canvas->mapToGlobal(target.topLeft()) + offset);
        QTRY_VERIFY_WITH_TIMEOUT(second.state() == QProcess::NotRunning, 20000);
        QCOMPARE(second.exitCode(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(view.dashboard().findPanel(2)->gridPos.x, 0, 5000);
        QCOMPARE(view.dashboard().findPanel(2)->gridPos.y, 16);
        QCOMPARE(view.dashboard().findPanel(1)->gridPos.y, 0);
        QCOMPARE(canvas->undoStack()->count(), 2);
        if (!qEnvironmentVariableIsEmpty("VIGIL_SCREENSHOT_DIR"))
            view.grab().save(qEnvironmentVariable("VIGIL_SCREENSHOT_DIR") +
                             QStringLiteral("/drag.png"));
    }
};

QTEST_MAIN(TestDashboardDragXvfb)
#include "tst_dashboard_drag_xvfb.moc"
