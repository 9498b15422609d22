#pragma once

#include <QAbstractTableModel>

#include "ui/panels/panel_widget.h"

class QSortFilterProxyModel;
class QTableView;

namespace vigil::panels {

// Rows and columns for the table panel, as Grafana shows Prometheus
// results: instant queries become one row per label set, with a column per
// label and a "Value #<refId>" column per query (series of several queries
// joined on their labels); range queries become long rows (Time, Series,
// Value). Numeric columns sort as numbers.
class TableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;

    void setFrames(const PanelData& data, const FieldOptions& options);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Cell {
        QString text;
        QVariant sortKey;
    };
    QStringList m_columns;
    std::vector<std::vector<Cell>> m_rows;
};

class TablePanel : public PanelWidget {
    Q_OBJECT
public:
    explicit TablePanel(QWidget* parent = nullptr);
    QAbstractItemModel* viewModel() const;

protected:
    QWidget* createContent() override;
    void render(const PanelData& data) override;

private:
    TableModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTableView* m_view = nullptr;
};

}  // namespace vigil::panels
