#include "ui/shell/tray_icon.h"

#include <QAction>
#include <QApplication>
#include <QEvent>
#include <QIcon>
#include <QMenu>
#include <QSystemTrayIcon>
#include <QWidget>

namespace vigil::ui {

TrayIcon::TrayIcon(QWidget* window, QObject* parent) : QObject(parent), m_window(window) {
    m_menu = new QMenu();
    m_showHide = m_menu->addAction(tr("Hide Vigil"));
    m_showHide->setObjectName(QStringLiteral("trayShowHide"));
    m_menu->addSeparator();
    m_quit = m_menu->addAction(tr("Quit"));
    m_quit->setObjectName(QStringLiteral("trayQuit"));
    connect(m_showHide, &QAction::triggered, this, &TrayIcon::toggleWindow);
    connect(m_quit, &QAction::triggered, qApp, &QCoreApplication::quit);
    connect(m_menu, &QMenu::aboutToShow, this, &TrayIcon::updateShowHideText);

    m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/vigil.svg")), this);
    m_tray->setToolTip(tr("Vigil"));
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger)
                    toggleWindow();
            });
    if (available())
        m_tray->show();
    updateShowHideText();
}

TrayIcon::~TrayIcon() {
    delete m_menu;
}

void TrayIcon::notify(const QString& title, const QString& body, bool critical) {
    m_lastNotification = title + QLatin1Char('\n') + body;
    if (m_tray->isVisible())
        m_tray->showMessage(title, body,
                            critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Information,
                            10000);
}

bool TrayIcon::available() {
    return QSystemTrayIcon::isSystemTrayAvailable();
}

bool TrayIcon::isVisible() const {
    return m_tray->isVisible();
}

void TrayIcon::toggleWindow() {
    if (!m_window)
        return;
    if (m_window->isVisible() && !m_window->isMinimized()) {
        m_window->hide();
    } else {
        m_window->showNormal();
        m_window->raise();
        m_window->activateWindow();
    }
    updateShowHideText();
}

void TrayIcon::updateShowHideText() {
    const bool shown = m_window && m_window->isVisible() && !m_window->isMinimized();
    m_showHide->setText(shown ? tr("Hide Vigil") : tr("Show Vigil"));
}

}  // namespace vigil::ui
