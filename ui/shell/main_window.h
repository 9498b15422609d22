#pragma once

#include <QMainWindow>
#include <QPointer>
#include <array>

#include "ui/shell/navigation_pages.h"

class QListWidget;
class QSettings;
class QStackedWidget;
class QLabel;

namespace vigil::engine {
class Engine;
}

namespace vigil::dashboards {
class DashboardsPage;
}

namespace vigil::ui {

class TrayIcon;

// Vigil's main window: the left navigation (Dashboards, Explore, Logs, Alerts,
// Targets, Settings; also Ctrl+1..6) and the page stack. Its geometry and the
// current page are saved in `settings` on close and restored on start.
// Colours come from the application palette only, so light and dark follow
// the system.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `engine` and `settings` must outlive the window.
    MainWindow(engine::Engine& engine, QSettings& settings, QWidget* parent = nullptr);
    ~MainWindow() override;

    // With a visible tray icon, closing the window hides it instead of quitting.
    void setTrayIcon(TrayIcon* tray);

    void showPage(Page page);
    Page currentPage() const;
    QWidget* pageWidget(Page page) const;
    QListWidget* navigation() const { return m_navigation; }
    QAction* pageAction(Page page) const { return m_pageActions[static_cast<std::size_t>(page)]; }

    void saveState();

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void buildNavigation();
    void buildMenus();
    void restoreState();
    void updateStatus();
    void applyPalette();

    engine::Engine& m_engine;
    dashboards::DashboardsPage* m_dashboards = nullptr;
    QSettings& m_settings;
    QListWidget* m_navigation = nullptr;
    QStackedWidget* m_pages = nullptr;
    QLabel* m_statusLabel = nullptr;
    std::array<QAction*, kPageCount> m_pageActions{};
    QPointer<TrayIcon> m_tray;
};

}  // namespace vigil::ui
