#include "ui/dashboards/metrics_browser.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMimeData>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ui/dashboards/dashboard_canvas.h"

namespace vigil::dashboards {
namespace {

// Drags carry the metric as JSON in kMetricMime.
class MetricTree : public QTreeWidget {
public:
    using QTreeWidget::QTreeWidget;

protected:
    QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override {
        auto* mime = new QMimeData();
        if (!items.isEmpty()) {
            const QTreeWidgetItem* item = items.first();
            mime->setData(
                QLatin1String(kMetricMime),
                MetricsBrowser::mimePayload({item->text(0), item->text(1), item->toolTip(0)}));
            mime->setText(item->text(0));
        }
        return mime;
    }
};

}  // namespace

MetricsBrowser::MetricsBrowser(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter metrics"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, &MetricsBrowser::applyFilter);
    m_tree = new MetricTree(this);
    m_tree->setObjectName(QStringLiteral("metricsBrowser"));
    m_tree->setHeaderLabels({tr("Metric"), tr("Type")});
    m_tree->setRootIsDecorated(false);
    m_tree->setDragEnabled(true);
    m_tree->setDragDropMode(QAbstractItemView::DragOnly);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree, 1);
}

QByteArray MetricsBrowser::mimePayload(const dashboard::MetricInfo& metric) {
    return QJsonDocument(QJsonObject{{QStringLiteral("name"), metric.name},
                                     {QStringLiteral("type"), metric.type},
                                     {QStringLiteral("help"), metric.help}})
        .toJson(QJsonDocument::Compact);
}

void MetricsBrowser::setMetrics(std::vector<dashboard::MetricInfo> metrics) {
    m_tree->clear();
    for (const auto& metric : metrics) {
        auto* item = new QTreeWidgetItem(m_tree, {metric.name, metric.type});
        item->setToolTip(0, metric.help);
        item->setFlags(item->flags() | Qt::ItemIsDragEnabled);
    }
    m_tree->resizeColumnToContents(0);
    applyFilter();
}

void MetricsBrowser::setError(const QString& message) {
    m_tree->clear();
    auto* item = new QTreeWidgetItem(m_tree, {message});
    item->setFlags(Qt::NoItemFlags);
}

void MetricsBrowser::setFilter(const QString& text) {
    m_filter->setText(text);
}

void MetricsBrowser::applyFilter() {
    const QString text = m_filter->text().trimmed();
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_tree->topLevelItem(i);
        item->setHidden(!text.isEmpty() && !item->text(0).contains(text, Qt::CaseInsensitive));
    }
}

}  // namespace vigil::dashboards
