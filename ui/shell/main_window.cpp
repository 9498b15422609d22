#include "ui/shell/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QIcon>
#include <QLabel>
#include <QListWidget>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>

#include "core/engine/engine.h"
#include "ui/dashboards/dashboards_page.h"
#include "ui/logs/logs_page.h"
#include "ui/shell/planned_page.h"
#include "ui/shell/settings_page.h"
#include "ui/shell/tray_icon.h"
#include "vigil/version.h"

namespace vigil::ui {

Q_LOGGING_CATEGORY(lcShell, "vigil.ui")

namespace {
constexpr auto kGeometryKey = "mainWindow/geometry";
constexpr auto kStateKey = "mainWindow/state";
constexpr auto kPageKey = "mainWindow/page";
}  // namespace

MainWindow::MainWindow(engine::Engine& engine, QSettings& settings, QWidget* parent)
    : QMainWindow(parent), m_engine(engine), m_settings(settings) {
    setObjectName(QStringLiteral("vigilMainWindow"));
    setWindowTitle(tr("Vigil"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/vigil.svg")));
    resize(1280, 800);

    buildNavigation();
    buildMenus();

    m_statusLabel = new QLabel(this);
    statusBar()->addWidget(m_statusLabel);
    connect(&engine, &engine::Engine::serviceStateChanged, this, &MainWindow::updateStatus);
    connect(&engine, &engine::Engine::started, this, &MainWindow::updateStatus);
    updateStatus();

    applyPalette();
    restoreState();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildNavigation() {
    m_navigation = new QListWidget(this);
    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_navigation->setIconSize(QSize(20, 20));
    m_navigation->setSpacing(2);
    m_navigation->setMinimumWidth(150);
    m_navigation->setMaximumWidth(220);
    m_navigation->setSelectionMode(QAbstractItemView::SingleSelection);

    m_pages = new QStackedWidget(this);
    m_pages->setObjectName(QStringLiteral("pages"));
    for (const PageInfo& info : pageInfos()) {
        auto* item = new QListWidgetItem(QIcon::fromTheme(info.iconName), info.title, m_navigation);
        item->setSizeHint(QSize(0, 36));
        QWidget* page = nullptr;
        if (info.page == Page::kSettings)
            page = new SettingsPage(m_engine, m_pages);
        else if (info.page == Page::kDashboards)
            page = m_dashboards = new dashboards::DashboardsPage(m_engine, m_pages);
        else if (info.page == Page::kLogs)
            page = new logsui::LogsPage(m_engine, m_pages);
        else
            page = new PlannedPage(info.title, info.plannedText, m_pages);
        page->setObjectName(QStringLiteral("page_") + info.title.toLower());
        m_pages->addWidget(page);
    }
    connect(m_navigation, &QListWidget::currentRowChanged, m_pages,
            &QStackedWidget::setCurrentIndex);

    auto* splitter = new QSplitter(this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->addWidget(m_navigation);
    splitter->addWidget(m_pages);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    setCentralWidget(splitter);
    m_navigation->setCurrentRow(0);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QCoreApplication::quit);
    quit->setShortcut(QKeySequence::Quit);
    quit->setObjectName(QStringLiteral("actionQuit"));

    QMenu* go = menuBar()->addMenu(tr("&Go"));
    for (const PageInfo& info : pageInfos()) {
        const int index = static_cast<int>(info.page);
        QAction* action = go->addAction(info.title);
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + index)));
        action->setShortcutContext(Qt::WindowShortcut);
        action->setObjectName(QStringLiteral("actionGo%1").arg(index + 1));
        connect(action, &QAction::triggered, this, [this, page = info.page] { showPage(page); });
        m_pageActions[static_cast<std::size_t>(index)] = action;
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Vigil"), this, [this] {
        QMessageBox::about(
            this, tr("About Vigil"),
            tr("<b>Vigil %1</b><p>Metrics, alerts, dashboards and logs for your workstation, "
               "compatible with Prometheus, Alertmanager, Grafana and Loki.</p>"
               "<p>Revision %2, Qt %3.</p>")
                .arg(QString::fromLatin1(kVersion), QString::fromLatin1(kRevision),
                     QString::fromLatin1(qVersion())));
    });
}

void MainWindow::setTrayIcon(TrayIcon* tray) {
    m_tray = tray;
}

void MainWindow::showPage(Page page) {
    m_navigation->setCurrentRow(static_cast<int>(page));
}

Page MainWindow::currentPage() const {
    return static_cast<Page>(m_pages->currentIndex());
}

QWidget* MainWindow::pageWidget(Page page) const {
    return m_pages->widget(static_cast<int>(page));
}

void MainWindow::updateStatus() {
    const QString address = m_engine.httpAddress();
    m_statusLabel->setText(address.isEmpty()
                               ? tr("Engine stopped")
                               : tr("Engine running · listening on http://%1").arg(address));
}

void MainWindow::applyPalette() {
    // The navigation blends with the window background in light and dark alike.
    QPalette navigationPalette = palette();
    navigationPalette.setColor(QPalette::Base, palette().color(QPalette::Window));
    m_navigation->setPalette(navigationPalette);
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange ||
        event->type() == QEvent::ApplicationPaletteChange) {
        applyPalette();
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::saveState() {
    m_settings.setValue(kGeometryKey, saveGeometry());
    m_settings.setValue(kStateKey, QMainWindow::saveState());
    m_settings.setValue(kPageKey, static_cast<int>(currentPage()));
    m_settings.sync();
}

void MainWindow::restoreState() {
    const QByteArray geometry = m_settings.value(kGeometryKey).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    const QByteArray state = m_settings.value(kStateKey).toByteArray();
    if (!state.isEmpty())
        QMainWindow::restoreState(state);
    const int page = m_settings.value(kPageKey, 0).toInt();
    if (page >= 0 && page < kPageCount)
        showPage(static_cast<Page>(page));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveState();
    if (m_tray && m_tray->isVisible()) {
        // The engine keeps running; the tray brings the window back.
        hide();
        event->ignore();
        return;
    }
    // Leaving with unsaved dashboard edits asks first.
    if (m_dashboards && !m_dashboards->maybeSave()) {
        event->ignore();
        return;
    }
    event->accept();
    qApp->quit();
}

}  // namespace vigil::ui
