#pragma once

#include <QColor>
#include <QGraphicsItem>
#include <QImage>
#include <QPointF>
#include <QRectF>

#include <cstdint>
#include <vector>

namespace vigil::panels {

// Draws the data of a timeseries panel (lines, fills, bars, points, the
// thresholds and the grid at the axes' ticks) inside its QChart's plot area,
// as one QGraphicsItem child of the chart. The chart keeps the axes, their
// labels and the layout; this item maps values itself from the plot area
// and the axis ranges it is given. The grid is drawn here rather than by
// the axes because Qt Charts paints its grid lines on every repaint.
//
// Why not one QLineSeries per series: Qt Charts recomputes a stroked hit-test
// shape (QPainterPathStroker) for every series on every update, which cost
// about half of a dashboard refresh, and paints every series again on every
// repaint of the view. This item has a cheap shape (its rectangle), takes no
// mouse or hover events (the view does the tooltip and the zoom), and keeps
// what it drew in an image that is drawn again only when the data, the
// visibility, the ranges or the size change.
//
// Thread-safety: GUI thread only, like every QGraphicsItem.
class SeriesPlotItem : public QGraphicsItem {
public:
    enum class Style { kLine, kBars, kPoints };

    struct Series {
        QColor color;
        // x: time in ms, y: value; a NaN y is a gap where the line breaks.
        std::vector<QPointF> points;
        // Stacked series: the value below each point (same size as points);
        // empty: the fill and the bars go down to 0.
        std::vector<double> lower;
        bool visible = true;
    };
    struct ThresholdArea {
        double from = 0;
        double to = 0;
        QColor color;
    };
    struct ThresholdLine {
        double value = 0;
        QColor color;
    };
    struct Options {
        Style style = Style::kLine;
        int lineWidth = 1;
        int pointSize = 5;
        int fillAlpha = 0;          // 0..255; 0: no fill under lines
        double barHalfWidthMs = 0;  // bars: half the width of a bar, in ms
        // Above this many points in all visible series, lines are drawn
        // without antialiasing: a dense plot looks the same and paints
        // several times faster.
        std::size_t antialiasPointLimit = 4000;
    };

    explicit SeriesPlotItem(QGraphicsItem* parent = nullptr);

    void setOptions(const Options& options);
    const Options& options() const { return m_options; }
    // The series, in drawing order (later on top).
    void setSeries(std::vector<Series> series);
    const std::vector<Series>& series() const { return m_series; }
    void setSeriesVisible(std::size_t index, bool visible);
    void setThresholds(std::vector<ThresholdArea> areas, std::vector<ThresholdLine> lines);
    // The grid: vertical lines at these times, horizontal lines at these
    // values (the axes' ticks), in this colour.
    void setGrid(std::vector<double> timeTicks, std::vector<double> valueTicks, QColor color);
    // The value ranges the plot area shows (the axes' ranges).
    void setRanges(double fromMs, double toMs, double minValue, double maxValue);
    // The chart's plot area, in the chart's (this item's parent's) coordinates.
    void setPlotArea(const QRectF& plotArea);
    QRectF plotArea() const { return m_plot; }

    // Value <-> position in the parent's coordinates.
    QPointF toPosition(double timeMs, double value) const;
    double timeAt(double x) const;

    // For tests: how many times the plot was drawn into the cache.
    int cacheRenders() const { return m_cacheRenders; }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    void invalidate();
    // What the cache image covers: the plot area and a margin for the lines
    // on its edges, on whole pixels.
    QRectF cacheRect() const;
    void renderCache(qreal devicePixelRatio);
    // kFill: the area under a line; kMarks: the line, the bars or the points.
    enum class Pass { kFill, kMarks };
    void drawSeries(QPainter& painter, const Series& series, bool antialias, Pass pass);

    Options m_options;
    std::vector<Series> m_series;
    std::vector<ThresholdArea> m_thresholdAreas;
    std::vector<ThresholdLine> m_thresholdLines;
    double m_fromMs = 0;
    double m_toMs = 1;
    double m_minValue = 0;
    double m_maxValue = 1;
    QRectF m_plot;
    std::vector<double> m_timeTicks;
    std::vector<double> m_valueTicks;
    QColor m_gridColor;

    QImage m_cache;
    bool m_cacheValid = false;
    int m_cacheRenders = 0;
    std::vector<QPointF> m_scratch;  // pixel positions of one run of points
};

}  // namespace vigil::panels
