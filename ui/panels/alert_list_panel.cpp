#include "ui/panels/alert_list_panel.h"

#include <QDateTime>
#include <QHeaderView>
#include <QJsonObject>
#include <QTreeWidget>

#include <algorithm>
#include <map>

namespace vigil::panels {
namespace {

int severityRank(std::string_view severity) {
    if (severity == "critical" || severity == "page")
        return 3;
    if (severity == "warning")
        return 2;
    if (severity == "info")
        return 1;
    return 0;
}

QString since(qint64 activeAtMs, qint64 nowMs) {
    if (activeAtMs <= 0)
        return {};
    qint64 s = std::max<qint64>(0, (nowMs - activeAtMs) / 1000);
    if (s < 60)
        return QObject::tr("%1s").arg(s);
    if (s < 3600)
        return QObject::tr("%1m").arg(s / 60);
    if (s < 86400)
        return QObject::tr("%1h %2m").arg(s / 3600).arg((s % 3600) / 60);
    return QObject::tr("%1d %2h").arg(s / 86400).arg((s % 86400) / 3600);
}

}  // namespace

AlertListPanel::AlertListPanel(QWidget* parent) : PanelWidget(parent) {}

QWidget* AlertListPanel::createContent() {
    m_tree = new QTreeWidget(this);
    m_tree->setRootIsDecorated(false);
    m_tree->setHeaderLabels({tr("State"), tr("Alert"), tr("Labels"), tr("For")});
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_tree->setFrameShape(QFrame::NoFrame);
    return m_tree;
}

void AlertListPanel::configure(const dashboard::Panel& panel,
                               const dashboard::InterpolationContext&) {
    const QJsonObject options = panel.raw.value(QStringLiteral("options")).toObject();
    m_sortOrder = options.value(QStringLiteral("sortOrder")).toInt(1);
    m_maxItems = std::max(1, options.value(QStringLiteral("maxItems")).toInt(20));
}

void AlertListPanel::render(const PanelData& data) {
    m_rows.clear();
    // ALERTS_FOR_STATE carries activeAt (seconds) per alert label set.
    std::map<model::Labels, qint64> activeAt;
    for (const QueryFrame& frame : data.frames)
        if (frame.refId == QLatin1String("ALERTS_FOR_STATE"))
            for (const auto& series : frame.series)
                if (!series.values.empty())
                    activeAt[series.labels.withoutMetricName()] =
                        qint64(series.values.back() * 1000.0);
    for (const QueryFrame& frame : data.frames) {
        if (frame.refId != QLatin1String("ALERTS"))
            continue;
        for (const auto& series : frame.series) {
            Row row;
            row.name = QString::fromStdString(std::string(series.labels.get("alertname")));
            row.state = QString::fromStdString(std::string(series.labels.get("alertstate")));
            row.severityRank = severityRank(series.labels.get("severity"));
            QStringList labels;
            for (const auto& label : series.labels)
                if (label.name != model::kMetricName && label.name != "alertname" &&
                    label.name != "alertstate")
                    labels << QString::fromStdString(label.name + "=" + label.value);
            row.labels = labels.join(QStringLiteral(", "));
            const auto it =
                activeAt.find(series.labels.withoutMetricName().without({"alertstate"}));
            if (it != activeAt.end())
                row.activeAtMs = it->second;
            m_rows.push_back(std::move(row));
        }
    }
    std::stable_sort(m_rows.begin(), m_rows.end(), [this](const Row& a, const Row& b) {
        switch (m_sortOrder) {
            case 2:
                return a.name > b.name;
            case 3:
                return a.severityRank > b.severityRank;
            case 4:
                return a.activeAtMs > b.activeAtMs;
            case 5:
                return a.activeAtMs < b.activeAtMs;
            default:
                return a.name < b.name;
        }
    });
    if (int(m_rows.size()) > m_maxItems)
        m_rows.resize(std::size_t(m_maxItems));
    m_tree->clear();
    const qint64 now = data.toMs ? data.toMs : QDateTime::currentMSecsSinceEpoch();
    for (const Row& row : m_rows) {
        auto* item = new QTreeWidgetItem(
            m_tree, {row.state, row.name, row.labels, since(row.activeAtMs, now)});
        item->setForeground(
            0, grafanaColor(row.state == QLatin1String("firing") ? QStringLiteral("red")
                                                                 : QStringLiteral("orange")));
    }
    if (m_rows.empty()) {
        auto* item =
            new QTreeWidgetItem(m_tree, {QString(), tr("No alerts"), QString(), QString()});
        item->setDisabled(true);
    }
    for (int c : {0, 1, 3})
        m_tree->resizeColumnToContents(c);
}

}  // namespace vigil::panels
