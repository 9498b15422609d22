#pragma once

#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

#include <memory>

#include "core/dashboard/dashboard.h"
#include "core/dashboard/dashboard_store.h"
#include "core/dashboard/variable_resolver.h"

class QAction;
class QComboBox;
class QHBoxLayout;
class QListWidget;
class QScrollArea;
class QToolButton;

namespace vigil::dashboards {

class DashboardCanvas;
class PanelQueryService;

// One open dashboard: the toolbar (time range with relative and absolute
// ranges and shift back/forward, refresh interval, refresh, edit, lock,
// save), the variables bar, the panel palette in edit mode and the canvas.
// Variable resolution and queries run on worker threads; the GUI thread only
// plans and draws. Time range and refresh are saved in the dashboard JSON.
class DashboardView : public QWidget {
    Q_OBJECT
public:
    DashboardView(std::shared_ptr<dashboard::MetricsSource> source,
                  dashboard::DashboardStore* store, QWidget* parent = nullptr);
    ~DashboardView() override;

    void setDashboard(dashboard::Dashboard dashboard);
    const dashboard::Dashboard& dashboard() const { return m_dashboard; }
    DashboardCanvas* canvas() const { return m_canvas; }
    class MetricsBrowser* metricsBrowser() const {
        return m_metrics;
    }
    // Loads the metrics browser's list from the data source (off the GUI
    // thread); done when edit mode opens.
    void loadMetrics();
    // Opens the panel editor (a double-click on a header in edit mode).
    void editPanel(int panelId);
    PanelQueryService* queryService() const { return m_queries; }

    // Relative ("now-6h") or absolute (epoch ms / ISO) range; refreshes.
    void setTimeRange(const QString& from, const QString& to);
    void shiftTimeRange(int direction);                // -1 back, +1 forward, by the range's length
    void setRefreshInterval(const QString& interval);  // "" = off, "5s", "1m", ...
    void setVariableValue(const QString& name, const QStringList& values);

    bool isModified() const;
    bool save();
    // Asks to save unsaved changes; false when the user cancels.
    bool maybeSave();

public slots:
    void refresh();

signals:
    void titleChanged(const QString& title);
    void saved(const QString& uid);
    void refreshed();  // every panel has its data

private:
    void buildToolbar(QHBoxLayout* layout);
    void rebuildVariablesBar();
    void startQueries();
    void updateTimeCombo();

    dashboard::Dashboard m_dashboard;
    std::shared_ptr<dashboard::MetricsSource> m_source;
    dashboard::DashboardStore* m_store = nullptr;
    DashboardCanvas* m_canvas = nullptr;
    PanelQueryService* m_queries = nullptr;
    QScrollArea* m_scroll = nullptr;
    QComboBox* m_timeCombo = nullptr;
    QComboBox* m_refreshCombo = nullptr;
    QToolButton* m_editButton = nullptr;
    QToolButton* m_lockButton = nullptr;
    QAction* m_saveAction = nullptr;
    QWidget* m_variablesBar = nullptr;
    QListWidget* m_palette = nullptr;
    class MetricsBrowser* m_metrics = nullptr;
    QFutureWatcher<Result<std::vector<dashboard::MetricInfo>>> m_metricsWatcher;
    QTimer m_refreshTimer;
    QFutureWatcher<
        std::pair<dashboard::InterpolationContext, std::vector<dashboard::ResolvedVariable>>>
        m_variables;
    dashboard::InterpolationContext m_context;
    std::vector<dashboard::ResolvedVariable> m_resolved;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    bool m_refreshPending = false;
};

}  // namespace vigil::dashboards
