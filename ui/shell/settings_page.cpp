#include "ui/shell/settings_page.h"

#include <QDesktopServices>
#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include "core/engine/engine.h"

namespace vigil::ui {

SettingsPage::SettingsPage(engine::Engine& engine, QWidget* parent)
    : QWidget(parent), m_engine(engine) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(32, 24, 32, 24);

    auto* heading = new QLabel(tr("Settings"), this);
    QFont headingFont = heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.6);
    headingFont.setBold(true);
    heading->setFont(headingFont);
    layout->addWidget(heading);

    auto* form = new QFormLayout();
    auto* configLabel = new QLabel(engine.configFile(), this);
    configLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* dataLabel = new QLabel(engine.dataDir(), this);
    dataLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_listen = new QLabel(this);
    m_listen->setOpenExternalLinks(true);
    form->addRow(tr("Configuration file:"), configLabel);
    form->addRow(tr("Data directory:"), dataLabel);
    form->addRow(tr("HTTP listener:"), m_listen);
    layout->addLayout(form);

    auto* openConfig = new QPushButton(tr("Open configuration folder"), this);
    connect(openConfig, &QPushButton::clicked, this, [this] {
        QDesktopServices::openUrl(
            QUrl::fromLocalFile(QFileInfo(m_engine.configFile()).absolutePath()));
    });
    layout->addWidget(openConfig, 0, Qt::AlignLeft);

    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Engine services"), this));
    m_services = new QTreeWidget(this);
    m_services->setHeaderLabels({tr("Service"), tr("State"), tr("Detail")});
    m_services->setRootIsDecorated(false);
    m_services->header()->setStretchLastSection(true);
    layout->addWidget(m_services, 1);

    connect(&engine, &engine::Engine::serviceStateChanged, this, &SettingsPage::refresh);
    connect(&engine, &engine::Engine::started, this, &SettingsPage::refresh);
    connect(&engine, &engine::Engine::stopped, this, &SettingsPage::refresh);
    refresh();
}

void SettingsPage::refresh() {
    const QString address = m_engine.httpAddress();
    if (address.isEmpty()) {
        m_listen->setText(tr("not listening"));
    } else {
        const QString url = QStringLiteral("http://%1/metrics").arg(address);
        m_listen->setText(QStringLiteral("<a href=\"%1\">%1</a>").arg(url.toHtmlEscaped()));
    }
    m_services->clear();
    for (const auto& status : m_engine.serviceStatuses()) {
        auto* item = new QTreeWidgetItem(m_services);
        item->setText(0, status.name);
        item->setText(1, QString::fromLatin1(engine::serviceStateName(status.state)));
        item->setText(2, status.detail);
    }
}

}  // namespace vigil::ui
