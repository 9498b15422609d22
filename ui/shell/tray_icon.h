#pragma once

#include <QObject>
#include <QPointer>

class QAction;
class QMenu;
class QSystemTrayIcon;
class QWidget;

namespace vigil::ui {

// Vigil's tray icon (its own SVG, not a theme icon) with Show/Hide and Quit.
// It exists even when no tray is available, so its menu is testable; it is
// shown only when QSystemTrayIcon::isSystemTrayAvailable().
class TrayIcon : public QObject {
    Q_OBJECT
public:
    // `window` is shown and hidden by the tray; it may be destroyed first.
    explicit TrayIcon(QWidget* window, QObject* parent = nullptr);
    ~TrayIcon() override;

    static bool available();
    // True when the icon is visible in a tray, so hiding the window is safe.
    bool isVisible() const;

    QMenu* menu() const { return m_menu; }
    QAction* showHideAction() const { return m_showHide; }
    QAction* quitAction() const { return m_quit; }

    void toggleWindow();
    // Shows a notification from the tray (an alert from a desktop_configs
    // receiver); remembered for tests when no tray is available.
    void notify(const QString& title, const QString& body, bool critical);
    const QString& lastNotification() const { return m_lastNotification; }

private:
    void updateShowHideText();

    QPointer<QWidget> m_window;
    QMenu* m_menu = nullptr;
    QAction* m_showHide = nullptr;
    QAction* m_quit = nullptr;
    QSystemTrayIcon* m_tray = nullptr;
    QString m_lastNotification;
};

}  // namespace vigil::ui
