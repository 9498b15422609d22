#include <QtTest>

#include "ui/dashboards/dashboard_canvas.h"
#include "ui/dashboards/dashboard_view.h"
#include "ui/dashboards/dashboards_page.h"

#include <QApplication>
#include <QIcon>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QSettings>
#include <QStatusBar>
#include <QTranslator>
#include <QTreeWidget>

#include "core/engine/engine.h"
#include "tests/support/http_client.h"
#include "ui/logs/logs_page.h"
#include "ui/shell/event_loop_lag_probe.h"
#include "ui/shell/main_window.h"
#include "ui/shell/navigation_pages.h"
#include "ui/shell/planned_page.h"
#include "ui/shell/tray_icon.h"

using vigil::ui::MainWindow;
using vigil::ui::Page;

Q_DECLARE_METATYPE(Page)

class TestMainWindow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<vigil::engine::Engine> m_engine;
    std::unique_ptr<QSettings> m_settings;

    static QList<Page> allPages() {
        return {Page::kDashboards, Page::kExplore, Page::kLogs,
                Page::kAlerts,     Page::kTargets, Page::kSettings};
    }

private slots:
    void initTestCase() {
        vigil::engine::EngineOptions options;
        options.dataDir = m_dir.path() + "/data";
        options.configFile = m_dir.path() + "/vigil.yml";
        options.config.server.listen = {"127.0.0.1", 0};
        m_engine = std::make_unique<vigil::engine::Engine>(options);
        QVERIFY(m_engine->start().isOk());
        m_settings = std::make_unique<QSettings>(m_dir.path() + "/ui.ini", QSettings::IniFormat);
    }
    void cleanupTestCase() { m_engine->stop(); }

    void windowShowsWithNavigation() {
        MainWindow window(*m_engine, *m_settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.navigation()->count(), vigil::ui::kPageCount);
        const QStringList expected{"Dashboards", "Explore", "Logs",
                                   "Alerts",     "Targets", "Settings"};
        for (int i = 0; i < expected.size(); ++i)
            QCOMPARE(window.navigation()->item(i)->text(), expected[i]);
        QVERIFY(window.statusBar()->findChild<QLabel*>()->text().contains(m_engine->httpAddress()));
        const QString shot = QDir(QStringLiteral(VIGIL_SOURCE_DIR "/build")).exists()
                                 ? QStringLiteral(VIGIL_SOURCE_DIR "/build/main_window.png")
                                 : m_dir.path() + "/main_window.png";
        QVERIFY(window.grab().save(shot));
    }

    void mouseNavigation_data() {
        QTest::addColumn<Page>("page");
        for (Page page : allPages())
            QTest::newRow(qPrintable(vigil::ui::pageInfo(page).title)) << page;
    }
    void mouseNavigation() {
        QFETCH(Page, page);
        MainWindow window(*m_engine, *m_settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // Start elsewhere so the click must change the page.
        window.showPage(page == Page::kDashboards ? Page::kSettings : Page::kDashboards);
        QListWidget* nav = window.navigation();
        const QRect rect = nav->visualItemRect(nav->item(static_cast<int>(page)));
        QTest::mouseClick(nav->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(window.currentPage(), page);
        QVERIFY(window.pageWidget(page)->isVisible());
    }

    void keyboardNavigation_data() { mouseNavigation_data(); }
    void keyboardNavigation() {
        QFETCH(Page, page);
        MainWindow window(*m_engine, *m_settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        window.showPage(page == Page::kDashboards ? Page::kSettings : Page::kDashboards);
        const int index = static_cast<int>(page);
        QCOMPARE(window.pageAction(page)->shortcut(),
                 QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + index)));
        QTest::keyClick(&window, static_cast<Qt::Key>(Qt::Key_1 + index), Qt::ControlModifier);
        QCOMPARE(window.currentPage(), page);
    }

    void plannedPagesSayWhatWillBeThere() {
        MainWindow window(*m_engine, *m_settings);
        for (Page page : allPages()) {
            if (page == Page::kSettings || page == Page::kDashboards || page == Page::kLogs)
                continue;
            auto* planned = qobject_cast<vigil::ui::PlannedPage*>(window.pageWidget(page));
            QVERIFY(planned);
            auto* text = planned->findChild<QLabel*>("plannedText");
            QVERIFY(text);
            QVERIFY2(text->text().contains("will live here"), qPrintable(text->text()));
        }
    }

    void logsPageIsTheLogViewer() {
        MainWindow window(*m_engine, *m_settings);
        auto* page = qobject_cast<vigil::logsui::LogsPage*>(window.pageWidget(Page::kLogs));
        QVERIFY(page);
        QVERIFY(page->findChild<QWidget*>("logsQuery"));
    }

    void dashboardsPageOpensTheHostOverview() {
        MainWindow window(*m_engine, *m_settings);
        auto* page =
            qobject_cast<vigil::dashboards::DashboardsPage*>(window.pageWidget(Page::kDashboards));
        QVERIFY(page);
        auto* list = page->findChild<QListWidget*>("dashboardList");
        QVERIFY(list);
        QVERIFY2(list->count() >= 8, qPrintable(QString::number(list->count())));
        QCOMPARE(page->view()->dashboard().uid, QStringLiteral("vigil-host-overview"));
        QVERIFY(page->view()->canvas()->visiblePanelIds().size() >= 10);
    }

    void settingsPageShowsEngineState() {
        MainWindow window(*m_engine, *m_settings);
        auto* services = window.pageWidget(Page::kSettings)->findChild<QTreeWidget*>();
        QVERIFY(services);
        QVERIFY(services->topLevelItemCount() >= 3);
        for (int i = 0; i < services->topLevelItemCount(); ++i) {
            QCOMPARE(services->topLevelItem(i)->text(1), QStringLiteral("running"));
        }
        QCOMPARE(services->topLevelItem(0)->text(0), QStringLiteral("tsdb"));
        QCOMPARE(services->topLevelItem(1)->text(0), QStringLiteral("logs"));
        QCOMPARE(services->topLevelItem(2)->text(0), QStringLiteral("http"));

        bool showsAddress = false;
        for (auto* label : window.pageWidget(Page::kSettings)->findChildren<QLabel*>()) {
            showsAddress |= label->text().contains(m_engine->httpAddress());
        }
        QVERIFY(showsAddress);
    }

    void geometryAndPageAreRemembered() {
        const QString ini = m_dir.path() + "/geometry.ini";
        {
            QSettings settings(ini, QSettings::IniFormat);
            MainWindow window(*m_engine, settings);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.resize(901, 603);
            window.showPage(Page::kAlerts);
            QTRY_COMPARE(window.size(), QSize(901, 603));
            QVERIFY(window.close());  // no tray under offscreen: the close is accepted
        }
        QSettings settings(ini, QSettings::IniFormat);
        MainWindow restored(*m_engine, settings);
        restored.show();
        QVERIFY(QTest::qWaitForWindowExposed(&restored));
        QCOMPARE(restored.size(), QSize(901, 603));
        QCOMPARE(restored.currentPage(), Page::kAlerts);
    }

    void followsThePalette() {
        MainWindow window(*m_engine, *m_settings);
        window.show();
        const QPalette original = QApplication::palette();
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(30, 30, 30));
        dark.setColor(QPalette::WindowText, Qt::white);
        dark.setColor(QPalette::Base, QColor(20, 20, 20));
        dark.setColor(QPalette::Text, Qt::white);
        QApplication::setPalette(dark);
        QTRY_COMPARE(window.navigation()->palette().color(QPalette::Base), QColor(30, 30, 30));
        QCOMPARE(window.palette().color(QPalette::WindowText), QColor(Qt::white));
        QApplication::setPalette(original);
        QTRY_COMPARE(window.navigation()->palette().color(QPalette::Base),
                     original.color(QPalette::Window));
    }

    void trayMenuHasItsActions() {
        MainWindow window(*m_engine, *m_settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        vigil::ui::TrayIcon tray(&window);
        QStringList texts;
        for (QAction* action : tray.menu()->actions()) {
            if (!action->isSeparator())
                texts << action->text();
        }
        QCOMPARE(texts, QStringList({"Hide Vigil", "Quit"}));
        tray.showHideAction()->trigger();
        QVERIFY(!window.isVisible());
        QCOMPARE(tray.showHideAction()->text(), QStringLiteral("Show Vigil"));
        tray.showHideAction()->trigger();
        QVERIFY(window.isVisible());
        QCOMPARE(tray.showHideAction()->text(), QStringLiteral("Hide Vigil"));
        // Without a system tray (offscreen), the icon is not shown and the
        // window must not hide itself on close.
        QCOMPARE(vigil::ui::TrayIcon::available(), false);
        QVERIFY(!tray.isVisible());
    }

    void quitActionQuits() {
        vigil::ui::TrayIcon tray(nullptr);
        QSignalSpy spy(qApp, &QCoreApplication::aboutToQuit);
        QTimer::singleShot(0, tray.quitAction(), &QAction::trigger);
        QTimer::singleShot(5000, qApp, [] { QCoreApplication::exit(3); });  // guard
        QCOMPARE(QCoreApplication::exec(), 0);
        QCOMPARE(spy.count(), 1);
    }

    void ownSvgIcon() {
        const QIcon icon(QStringLiteral(":/icons/vigil.svg"));
        QVERIFY(!icon.isNull());
        const QImage image = icon.pixmap(64, 64).toImage();
        QVERIFY(!image.isNull());
        // The SVG renders (its blue background), not a blank or theme icon.
        QCOMPARE(QColor(image.pixel(32, 6)).blue() > 100, true);
    }

    void germanCatalogueIsCompiledIn() {
        QTranslator translator;
        QVERIFY(translator.load(QStringLiteral(":/i18n/vigil_de.qm")));
        QCOMPARE(translator.translate("Navigation", "Settings"), QStringLiteral("Einstellungen"));
        QCOMPARE(translator.translate("vigil::ui::TrayIcon", "Quit"), QStringLiteral("Beenden"));
    }

    void eventLoopLagIsMeasured() {
        vigil::instrument::MetricRegistry registry;
        vigil::ui::EventLoopLagProbe probe(registry, 10);
        QTest::qWait(100);
        // Block the GUI thread for 120 ms: the probe must see it.
        QThread::msleep(120);
        QTest::qWait(50);
        const QString text = QString::fromStdString(registry.render());
        static const QRegularExpression count("vigil_ui_event_loop_lag_seconds_count (\\d+)");
        const auto match = count.match(text);
        QVERIFY2(match.hasMatch(), qPrintable(text));
        QVERIFY(match.captured(1).toInt() >= 5);
        static const QRegularExpression slow(
            "vigil_ui_event_loop_lag_seconds_bucket\\{le=\"0.1\"\\} (\\d+)");
        const auto slowMatch = slow.match(text);
        QVERIFY(slowMatch.hasMatch());
        QVERIFY2(slowMatch.captured(1).toInt() < match.captured(1).toInt(),
                 "the 120 ms stall is above 0.1 s");
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
