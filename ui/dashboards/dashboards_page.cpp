#include "ui/dashboards/dashboards_page.h"

#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

#include "core/dashboard/local_metrics_source.h"
#include "core/engine/engine.h"
#include "core/logs/store/logs_service.h"
#include "core/scrape/scrape_manager.h"
#include "core/scrape/scrape_service.h"
#include "ui/dashboards/dashboard_canvas.h"
#include "ui/dashboards/dashboard_view.h"

namespace vigil::dashboards {

DashboardsPage::DashboardsPage(engine::Engine& engine, QWidget* parent) : QWidget(parent) {
    m_store = std::make_unique<dashboard::DashboardStore>(
        QDir(engine.dataDir()).filePath(QStringLiteral("dashboards")),
        dashboard::DashboardStore::defaultBundledDirs());
    auto source =
        std::make_shared<dashboard::LocalMetricsSource>(engine.queryEngine(), engine.storage());
    source->setLogReader(engine.logStore());  // logs panels; null when logs are disabled

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* splitter = new QSplitter(this);
    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(4, 4, 4, 4);
    m_list = new QListWidget(left);
    m_list->setObjectName(QStringLiteral("dashboardList"));
    leftLayout->addWidget(m_list, 1);
    auto* importButton = new QPushButton(tr("Import file…"), left);
    auto* pasteButton = new QPushButton(tr("Import pasted JSON"), left);
    auto* exportButton = new QPushButton(tr("Export…"), left);
    for (QPushButton* b : {importButton, pasteButton, exportButton})
        leftLayout->addWidget(b);
    m_status = new QLabel(left);
    m_status->setWordWrap(true);
    leftLayout->addWidget(m_status);
    connect(importButton, &QPushButton::clicked, this, &DashboardsPage::importFromFile);
    connect(pasteButton, &QPushButton::clicked, this, &DashboardsPage::importFromClipboard);
    connect(exportButton, &QPushButton::clicked, this, &DashboardsPage::exportCurrent);

    m_view = new DashboardView(source, m_store.get(), splitter);
    m_view->canvas()->setLiveTail(engine.liveTail());  // logs panels stream new lines
    splitter->addWidget(left);
    splitter->addWidget(m_view);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({220, 1000});
    layout->addWidget(splitter);

    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        if (m_view->maybeSave())
            open(item->data(Qt::UserRole).toString());
    });
    connect(m_view, &DashboardView::saved, this, [this] { reloadList(); });
    reloadList();
    if (!open(QStringLiteral("vigil-host-overview")) && m_list->count() > 0)
        open(m_list->item(0)->data(Qt::UserRole).toString());
}

DashboardsPage::~DashboardsPage() = default;

void DashboardsPage::reloadList() {
    m_list->clear();
    for (const auto& entry : m_store->list()) {
        auto* item = new QListWidgetItem(
            entry.title + (entry.bundled ? tr("  (bundled)") : QString()), m_list);
        item->setData(Qt::UserRole, entry.uid);
        item->setToolTip(entry.path);
    }
    m_status->setText(m_store->errors().join(QLatin1Char('\n')));
}

bool DashboardsPage::open(const QString& uid) {
    dashboard::ImportReport report;
    auto dashboard = m_store->load(uid, &report);
    if (!dashboard.isOk())
        return false;
    m_view->setDashboard(std::move(*dashboard));
    m_status->setText(report.unsupported.isEmpty()
                          ? QString()
                          : tr("Not supported in this dashboard: %1")
                                .arg(report.unsupported.join(QStringLiteral(", "))));
    return true;
}

bool DashboardsPage::maybeSave() {
    return m_view->maybeSave();
}

void DashboardsPage::importFromFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Import a Grafana dashboard"),
                                                      QString(), tr("Dashboards (*.json)"));
    if (path.isEmpty())
        return;
    auto uid = m_store->importFile(path);
    if (!uid.isOk()) {
        QMessageBox::warning(this, tr("Import"), QString::fromStdString(uid.status().message()));
        return;
    }
    reloadList();
    open(*uid);
}

void DashboardsPage::importFromClipboard() {
    auto uid =
        m_store->importJson(QGuiApplication::clipboard()->text().toUtf8(), tr("pasted JSON"));
    if (!uid.isOk()) {
        QMessageBox::warning(this, tr("Import"), QString::fromStdString(uid.status().message()));
        return;
    }
    reloadList();
    open(*uid);
}

void DashboardsPage::exportCurrent() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export dashboard"), m_view->dashboard().uid + QStringLiteral(".json"),
        tr("Dashboards (*.json)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_view->dashboard().toJson()) < 0)
        QMessageBox::warning(this, tr("Export"), file.errorString());
}

}  // namespace vigil::dashboards
