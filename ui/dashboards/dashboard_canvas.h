#pragma once

#include <QPointer>
#include <QWidget>

#include <map>
#include <set>

#include "core/dashboard/dashboard.h"
#include "core/dashboard/interpolation.h"

class QUndoStack;

namespace vigil::logs::live {
class LiveTailHub;
}
namespace vigil::panels {
class PanelWidget;
}

namespace vigil::dashboards {

class RowHeader;
class ResizeHandle;

// MIME types of the drag sources that can drop on the canvas.
inline constexpr const char* kPanelTypeMime = "application/x-vigil-panel-type";
inline constexpr const char* kMetricMime = "application/x-vigil-metric";
inline constexpr const char* kPanelsMime = "application/x-vigil-panels";

// The dashboard grid: places one PanelWidget per panel on Grafana's
// 24-column grid (30 px rows with an 8 px gap), with collapsible rows. In
// edit mode a panel moves by dragging its header and resizes by its corner;
// the others make room as in Grafana (core/dashboard/grid_layout.h), live
// while dragging. Panel types dropped from the palette and metrics dropped
// from the metrics browser create panels where they land. Every edit is one
// undoable command on undoStack(). The canvas edits the Dashboard it is
// given; it never queries data (DashboardView does).
class DashboardCanvas : public QWidget {
    Q_OBJECT
public:
    explicit DashboardCanvas(QWidget* parent = nullptr);
    ~DashboardCanvas() override;

    // `dashboard` must outlive the canvas (or the next setDashboard).
    void setDashboard(dashboard::Dashboard* dashboard);
    dashboard::Dashboard* dashboard() const { return m_dashboard; }
    void setInterpolation(const dashboard::InterpolationContext& context);
    // The engine's live tail, handed to the logs panels the canvas creates
    // (null: logs panels only re-query). `hub` must outlive the canvas.
    void setLiveTail(logs::live::LiveTailHub* hub) { m_liveTail = hub; }

    void setEditMode(bool on);
    bool editMode() const { return m_editMode; }
    void setLayoutLocked(bool locked);
    bool layoutLocked() const { return m_locked; }

    QUndoStack* undoStack() const { return m_undo; }
    panels::PanelWidget* panelWidget(int id) const;
    std::vector<int> visiblePanelIds() const;  // on the grid, rows excluded

    // Grid geometry.
    double columnWidth() const;
    QRect cellRect(const dashboard::GridItem& item) const;
    QPoint gridPositionAt(const QPoint& pixel, int w, int h) const;

    // Edits (undoable; false/0 when refused: locked, unknown id, not editing).
    bool movePanel(int id, int x, int y);
    bool resizePanel(int id, int w, int h);
    int addPanel(const QString& type, int x, int y, int w = 12, int h = 8);
    // A timeseries panel for a metric: rate() for counters, histogram_quantile
    // for histograms (or *_bucket series), the raw series for gauges.
    int addMetricPanel(const QString& metric, const QString& metricType, int x, int y);
    bool toggleRow(int rowId);
    bool removePanels(const std::set<int>& ids);
    int duplicatePanel(int id);
    // Replaces a panel's settings (from the panel editor), keeping its place.
    bool updatePanel(const dashboard::Panel& panel);
    QByteArray copyPanels(const std::set<int>& ids) const;  // JSON array of panels
    std::vector<int> pastePanels(const QByteArray& json);   // new ids; placed at the bottom

    const std::set<int>& selection() const { return m_selection; }
    void setSelection(std::set<int> ids);

    // Rebuilds the widgets from the model (after undo/redo or a reload).
    void rebuild();

signals:
    void changed();                                   // the model was edited
    void panelsCreated(const std::vector<int>& ids);  // new widgets need data
    void rowToggled(int rowId);
    void timeRangeSelected(qint64 fromMs, qint64 toMs);
    void editRequested(int panelId);  // a double-click on a panel's header in edit mode

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    friend class SnapshotCommand;
    friend class ResizeHandle;
    void applyLayout(const dashboard::GridLayout& layout, int followingId = 0);
    void relayout();
    void pushSnapshot(const QString& text, const dashboard::Dashboard& before);
    void restore(const dashboard::Dashboard& state);
    int nextId() const;
    dashboard::Panel makePanel(const QString& type, const QString& title, int x, int y, int w,
                               int h) const;
    void insertPanel(dashboard::Panel panel, int x, int y);
    void updateMinimumHeight();
    void resizeDragged(int id, const QPoint& globalPos, bool finished);

    dashboard::Dashboard* m_dashboard = nullptr;
    dashboard::InterpolationContext m_context;
    logs::live::LiveTailHub* m_liveTail = nullptr;
    std::map<int, QPointer<panels::PanelWidget>> m_widgets;

    std::map<int, QPointer<RowHeader>> m_rows;
    std::map<int, QPointer<ResizeHandle>> m_handles;
    QUndoStack* m_undo = nullptr;
    bool m_editMode = false;
    bool m_locked = false;
    std::set<int> m_selection;

    // A panel being dragged by its header.
    int m_dragId = 0;
    QPoint m_dragOffset;
    QPoint m_dragTarget{-1, -1};
    // Where a palette/metric drop would land.
    QRect m_dropPreview;
};

}  // namespace vigil::dashboards
