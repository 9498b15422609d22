#pragma once

#include <QChartView>

#include <map>
#include <vector>

#include "ui/panels/panel_widget.h"

class QDateTimeAxis;
class QRubberBand;
class QTableWidget;
class QValueAxis;

namespace vigil::panels {

class SeriesPlotItem;

// The timeseries panel (Grafana's default graph): lines, bars or points,
// stacking, fill, units on the value axis, thresholds as lines or areas, a
// legend with min/max/mean/last that isolates a series on click, a hover
// tooltip with every series at that time, and drag-to-zoom. A QChart lays
// out the plot and draws the axes and their time labels; the data, the
// thresholds and the grid are drawn by one SeriesPlotItem in the chart's plot
// area (see there why not QXYSeries), each series reduced to min/max per
// pixel column first.
class TimeSeriesPanel : public PanelWidget {
    Q_OBJECT
public:
    explicit TimeSeriesPanel(QWidget* parent = nullptr);

    // For tests: what is drawn.
    int visibleSeriesCount() const;
    QStringList seriesNames() const;
    // Points drawn for that series (after the reduction; gaps not counted).
    std::size_t pointCount(const QString& name) const;
    QStringList valueAxisLabels() const;
    QString timeAxisFormat() const;
    QTableWidget* legend() const { return m_legend; }
    QString tooltipAt(qint64 timeMs) const;
    void toggleIsolation(const QString& name);
    QChartView* chartView() const;
    const SeriesPlotItem* plotItem() const { return m_plot; }

protected:
    QWidget* createContent() override;
    void configure(const dashboard::Panel& panel,
                   const dashboard::InterpolationContext& context) override;
    void render(const PanelData& data) override;

private:
    // One series across refreshes: its name keeps its colour. The slots are
    // in the order of the plot item's series.
    struct Slot {
        QString name;
        QColor color;
        const dashboard::SeriesData* data = nullptr;  // in PanelWidget::data()
        bool used = false;
    };
    Slot& slotFor(const QString& name, int index);
    bool slotVisible(const Slot& slot) const;
    void updateAxes(double minValue, double maxValue, qint64 fromMs, qint64 toMs);
    void updateThresholds(double minValue, double maxValue);
    void updateLegend(const std::vector<NamedSeries>& series);
    void applyVisibility();

    class ChartView;
    ChartView* m_view = nullptr;
    QChart* m_chart = nullptr;
    QDateTimeAxis* m_timeAxis = nullptr;
    QValueAxis* m_valueAxis = nullptr;
    std::vector<std::pair<double, QString>> m_ticks;  // value axis labels, unit-formatted
    QTableWidget* m_legend = nullptr;
    QStringList m_legendHeaders;       // as set on m_legend
    SeriesPlotItem* m_plot = nullptr;  // owned by m_chart
    std::vector<Slot> m_slots;
    QString m_isolated;
    QMargins m_chartMargins;

    // Options read by configure().
    QString m_drawStyle = QStringLiteral("line");
    QString m_stacking = QStringLiteral("none");
    int m_fillOpacity = 0;
    int m_lineWidth = 1;
    int m_pointSize = 5;
    QString m_thresholdsStyle = QStringLiteral("off");
    QString m_legendMode = QStringLiteral("list");
    bool m_showLegend = true;
    QStringList m_legendCalcs;
    std::map<QString, QColor> m_overrideColors;
};

}  // namespace vigil::panels
