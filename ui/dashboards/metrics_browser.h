#pragma once

#include <QWidget>

#include <vector>

#include "core/dashboard/metrics_source.h"

class QLineEdit;
class QTreeWidget;

namespace vigil::dashboards {

// The metric names of the data source with their type and help text, a
// drag source for the dashboard canvas: dropping one creates a timeseries
// panel with a query fitting its type (DashboardCanvas::addMetricPanel).
// A filter box narrows the list as you type.
class MetricsBrowser : public QWidget {
    Q_OBJECT
public:
    explicit MetricsBrowser(QWidget* parent = nullptr);

    void setMetrics(std::vector<dashboard::MetricInfo> metrics);
    void setError(const QString& message);
    void setFilter(const QString& text);
    QTreeWidget* tree() const { return m_tree; }
    // The drag payload of a metric (kMetricMime: {"name","type","help"}).
    static QByteArray mimePayload(const dashboard::MetricInfo& metric);

private:
    void applyFilter();

    QLineEdit* m_filter = nullptr;
    QTreeWidget* m_tree = nullptr;
};

}  // namespace vigil::dashboards
