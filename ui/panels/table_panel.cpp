#include "ui/panels/table_panel.h"

#include <QDateTime>
#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QTableView>

#include <cmath>
#include <map>
#include <set>

namespace vigil::panels {

void TableModel::setFrames(const PanelData& data, const FieldOptions& options) {
    beginResetModel();
    m_columns.clear();
    m_rows.clear();
    bool allInstant = true;
    for (const QueryFrame& frame : data.frames)
        for (const auto& series : frame.series)
            allInstant = allInstant && (frame.instant || series.values.size() <= 1);
    if (allInstant) {
        std::set<std::string> labelNames;
        for (const QueryFrame& frame : data.frames)
            for (const auto& series : frame.series)
                for (const auto& label : series.labels)
                    if (label.name != model::kMetricName)
                        labelNames.insert(label.name);
        QStringList valueColumns;
        for (const QueryFrame& frame : data.frames)
            valueColumns << (data.frames.size() == 1 ? QStringLiteral("Value")
                                                     : QStringLiteral("Value #") + frame.refId);
        // Join on the label set without the metric name.
        std::map<model::Labels, std::vector<double>> rows;
        for (std::size_t f = 0; f < data.frames.size(); ++f)
            for (const auto& series : data.frames[f].series) {
                auto& row = rows[series.labels.withoutMetricName()];
                row.resize(data.frames.size(), std::numeric_limits<double>::quiet_NaN());
                if (!series.values.empty())
                    row[f] = series.values.back();
            }
        for (const auto& name : labelNames)
            m_columns << QString::fromStdString(name);
        m_columns << valueColumns;
        for (const auto& [labels, values] : rows) {
            std::vector<Cell> row;
            for (const auto& name : labelNames) {
                const QString v = QString::fromStdString(std::string(labels.get(name)));
                row.push_back({v, v});
            }
            for (double v : values)
                row.push_back({std::isnan(v) ? QString() : options.format(v), v});
            m_rows.push_back(std::move(row));
        }
    } else {
        m_columns = {tr("Time"), tr("Series"), tr("Value")};
        for (const NamedSeries& s : namedSeries(data))
            for (std::size_t i = 0; i < s.data->timestamps.size(); ++i) {
                const qint64 t = s.data->timestamps[i];
                m_rows.push_back({{QDateTime::fromMSecsSinceEpoch(t).toString(
                                       QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                                   t},
                                  {s.name, s.name},
                                  {options.format(s.data->values[i]), s.data->values[i]}});
            }
    }
    endResetModel();
}

int TableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_columns.size());
}

QVariant TableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(m_rows.size()) ||
        index.column() >= int(m_columns.size()))
        return {};
    const Cell& cell = m_rows[std::size_t(index.row())][std::size_t(index.column())];
    if (role == Qt::DisplayRole)
        return cell.text;
    if (role == Qt::UserRole)
        return cell.sortKey;
    if (role == Qt::TextAlignmentRole && cell.sortKey.typeId() == QMetaType::Double)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant TableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section < int(m_columns.size()))
        return m_columns[section];
    return {};
}

TablePanel::TablePanel(QWidget* parent) : PanelWidget(parent) {}

QWidget* TablePanel::createContent() {
    m_model = new TableModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    return m_view;
}

void TablePanel::render(const PanelData& data) {
    m_model->setFrames(data, fieldOptions());
    m_view->resizeColumnsToContents();
}

QAbstractItemModel* TablePanel::viewModel() const {
    return m_proxy;
}

}  // namespace vigil::panels
