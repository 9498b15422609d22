#pragma once

#include <QChartView>
#include <QPointer>

#include <QList>

#include <array>
#include <map>
#include <vector>

#include "ui/panels/panel_widget.h"

class QAreaSeries;
class QDateTimeAxis;
class QLineSeries;
class QRubberBand;
class QScatterSeries;
class QTableWidget;
class QValueAxis;

namespace vigil::panels {

// The timeseries panel (Grafana's default graph): lines, bars or points,
// stacking, fill, units on the value axis, thresholds as lines or areas, a
// legend with min/max/mean/last that isolates a series on click, a hover
// tooltip with every series at that time, and drag-to-zoom. Each series
// keeps its chart objects across refreshes and gets its points with one
// QXYSeries::replace(), reduced to min/max per pixel column first.
class TimeSeriesPanel : public PanelWidget {
    Q_OBJECT
public:
    explicit TimeSeriesPanel(QWidget* parent = nullptr);

    // For tests: what is drawn.
    int visibleSeriesCount() const;
    QStringList seriesNames() const;
    std::size_t pointCount(const QString& name) const;
    QStringList valueAxisLabels() const;
    QTableWidget* legend() const { return m_legend; }
    QString tooltipAt(qint64 timeMs) const;
    void toggleIsolation(const QString& name);

protected:
    QWidget* createContent() override;
    void configure(const dashboard::Panel& panel,
                   const dashboard::InterpolationContext& context) override;
    void render(const PanelData& data) override;

private:
    struct Slot {
        QString name;
        QColor color;
        QLineSeries* line = nullptr;
        QLineSeries* lower = nullptr;  // stacked fill: the series below
        QAreaSeries* area = nullptr;
        QScatterSeries* points = nullptr;
        std::vector<QPointF> drawn;  // after stacking and reduction
        QList<QPointF> pending;      // for the replace() of this refresh
        QList<QPointF> pendingLower;
        const dashboard::SeriesData* data = nullptr;
        bool used = false;
    };
    Slot& slotFor(const QString& name, int index);
    void updateAxes(double minValue, double maxValue, qint64 fromMs, qint64 toMs);
    void updateThresholds(double minValue, double maxValue, qint64 fromMs, qint64 toMs);
    void updateLegend(const std::vector<NamedSeries>& series);
    void applyVisibility();

    class ChartView;
    ChartView* m_view = nullptr;
    QChart* m_chart = nullptr;
    QDateTimeAxis* m_timeAxis = nullptr;
    QValueAxis* m_valueAxis = nullptr;
    std::vector<std::pair<double, QString>> m_ticks;  // value axis labels, unit-formatted
    QTableWidget* m_legend = nullptr;
    std::vector<Slot> m_slots;
    std::vector<QLineSeries*> m_thresholdSeries;
    std::vector<QAreaSeries*> m_thresholdAreas;
    QString m_isolated;
    std::array<double, 2> m_thresholdKey{0, 0};
    qint64 m_thresholdFrom = 0;
    qint64 m_thresholdTo = 0;

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
