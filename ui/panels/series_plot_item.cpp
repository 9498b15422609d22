#include "ui/panels/series_plot_item.h"

#include <QPainter>
#include <QPainterPath>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

namespace vigil::panels {

namespace {

// Positions further than this outside the plot are pulled in: the raster
// engine works in fixed point, and a value far outside a fixed axis range
// must not overflow it. The visible part of a line does not change much.
constexpr double kFarOutside = 1e5;

double clampPixel(double position, double low, double high) {
    return std::clamp(position, low - kFarOutside, high + kFarOutside);
}

}  // namespace

SeriesPlotItem::SeriesPlotItem(QGraphicsItem* parent) : QGraphicsItem(parent) {
    setAcceptHoverEvents(false);
    setAcceptedMouseButtons(Qt::NoButton);
    setFlag(QGraphicsItem::ItemIsSelectable, false);
    setFlag(QGraphicsItem::ItemIsFocusable, false);
}

void SeriesPlotItem::setOptions(const Options& options) {
    m_options = options;
    invalidate();
}

void SeriesPlotItem::setSeries(std::vector<Series> series) {
    m_series = std::move(series);
    invalidate();
}

void SeriesPlotItem::setSeriesVisible(std::size_t index, bool visible) {
    if (index >= m_series.size() || m_series[index].visible == visible)
        return;
    m_series[index].visible = visible;
    invalidate();
}

void SeriesPlotItem::setThresholds(std::vector<ThresholdArea> areas,
                                   std::vector<ThresholdLine> lines) {
    m_thresholdAreas = std::move(areas);
    m_thresholdLines = std::move(lines);
    invalidate();
}

void SeriesPlotItem::setGrid(std::vector<double> timeTicks, std::vector<double> valueTicks,
                             QColor color) {
    if (timeTicks == m_timeTicks && valueTicks == m_valueTicks && color == m_gridColor)
        return;
    m_timeTicks = std::move(timeTicks);
    m_valueTicks = std::move(valueTicks);
    m_gridColor = color;
    invalidate();
}

void SeriesPlotItem::setRanges(double fromMs, double toMs, double minValue, double maxValue) {
    if (!(toMs > fromMs))
        toMs = fromMs + 1;
    if (!(maxValue > minValue))
        maxValue = minValue + 1;
    if (fromMs == m_fromMs && toMs == m_toMs && minValue == m_minValue && maxValue == m_maxValue)
        return;
    m_fromMs = fromMs;
    m_toMs = toMs;
    m_minValue = minValue;
    m_maxValue = maxValue;
    invalidate();
}

void SeriesPlotItem::setPlotArea(const QRectF& plotArea) {
    if (plotArea == m_plot)
        return;
    prepareGeometryChange();
    m_plot = plotArea;
    invalidate();
}

QPointF SeriesPlotItem::toPosition(double timeMs, double value) const {
    return {m_plot.left() + (timeMs - m_fromMs) * m_plot.width() / (m_toMs - m_fromMs),
            m_plot.bottom() - (value - m_minValue) * m_plot.height() / (m_maxValue - m_minValue)};
}

double SeriesPlotItem::timeAt(double x) const {
    if (m_plot.width() <= 0)
        return m_fromMs;
    return m_fromMs + (x - m_plot.left()) * (m_toMs - m_fromMs) / m_plot.width();
}

QRectF SeriesPlotItem::cacheRect() const {
    // On whole pixels: the cached image is then copied, never resampled.
    return QRectF(QPointF(std::floor(m_plot.left()) - 2, std::floor(m_plot.top()) - 2),
                  QPointF(std::ceil(m_plot.right()) + 2, std::ceil(m_plot.bottom()) + 2));
}

QRectF SeriesPlotItem::boundingRect() const {
    return cacheRect();
}

QPainterPath SeriesPlotItem::shape() const {
    QPainterPath path;
    path.addRect(cacheRect());
    return path;
}

void SeriesPlotItem::invalidate() {
    m_cacheValid = false;
    update();
}

void SeriesPlotItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    if (m_plot.width() < 1 || m_plot.height() < 1)
        return;
    const qreal ratio = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    if (!m_cacheValid || m_cache.devicePixelRatioF() != ratio)
        renderCache(ratio);
    painter->drawImage(cacheRect().topLeft(), m_cache);
}

void SeriesPlotItem::renderCache(qreal devicePixelRatio) {
    const QRectF area = cacheRect();
    const QSize pixels = (area.size() * devicePixelRatio).toSize().expandedTo(QSize(1, 1));
    if (m_cache.size() != pixels)
        m_cache = QImage(pixels, QImage::Format_ARGB32_Premultiplied);
    m_cache.setDevicePixelRatio(devicePixelRatio);
    m_cache.fill(Qt::transparent);
    m_cacheValid = true;
    ++m_cacheRenders;

    QPainter painter(&m_cache);
    painter.translate(-area.topLeft());
    const double left = m_plot.left();
    const double right = m_plot.right();
    // Series and thresholds stay inside the plot; a line on its edge shows.
    painter.setClipRect(m_plot.adjusted(-1, -1, 1, 1));
    for (const ThresholdArea& band : m_thresholdAreas) {
        const double top = clampPixel(toPosition(0, band.to).y(), m_plot.top(), m_plot.bottom());
        const double bottom =
            clampPixel(toPosition(0, band.from).y(), m_plot.top(), m_plot.bottom());
        painter.fillRect(
            QRectF(QPointF(left, std::min(top, bottom)), QPointF(right, std::max(top, bottom))),
            band.color);
    }

    // The grid, one device pixel wide, on whole pixels; over the threshold
    // areas, under the data.
    if (m_gridColor.isValid()) {
        const double pixel = 1.0 / devicePixelRatio;
        auto snap = [&](double v) { return std::floor(v * devicePixelRatio) / devicePixelRatio; };
        for (double t : m_timeTicks) {
            const double x = toPosition(t, 0).x();
            if (x >= left - 0.5 && x <= right + 0.5)
                painter.fillRect(QRectF(snap(x), m_plot.top(), pixel, m_plot.height()),
                                 m_gridColor);
        }
        for (double v : m_valueTicks) {
            const double y = toPosition(0, v).y();
            if (y >= m_plot.top() - 0.5 && y <= m_plot.bottom() + 0.5)
                painter.fillRect(QRectF(left, snap(y), m_plot.width(), pixel), m_gridColor);
        }
    }

    std::size_t visiblePoints = 0;
    for (const Series& series : m_series)
        if (series.visible)
            visiblePoints += series.points.size();
    const bool antialias = visiblePoints <= m_options.antialiasPointLimit;
    // The fills first, so that no fill covers the line of another series.
    if (m_options.style == Style::kLine && m_options.fillAlpha > 0)
        for (const Series& series : m_series)
            if (series.visible)
                drawSeries(painter, series, antialias, Pass::kFill);
    for (const Series& series : m_series)
        if (series.visible)
            drawSeries(painter, series, antialias, Pass::kMarks);

    painter.setRenderHint(QPainter::Antialiasing, false);
    for (const ThresholdLine& line : m_thresholdLines) {
        const double y = toPosition(0, line.value).y();
        if (y < m_plot.top() - 1 || y > m_plot.bottom() + 1)
            continue;
        QPen pen(line.color);
        pen.setStyle(Qt::DashLine);
        painter.setPen(pen);
        painter.drawLine(QPointF(left, y), QPointF(right, y));
    }
}

void SeriesPlotItem::drawSeries(QPainter& painter, const Series& series, bool antialias,
                                Pass pass) {
    const auto& points = series.points;
    const bool stacked = series.lower.size() == points.size() && !points.empty();
    const double top = m_plot.top();
    const double bottom = m_plot.bottom();
    const double zeroY =
        clampPixel(toPosition(0, std::clamp(0.0, m_minValue, m_maxValue)).y(), top, bottom);
    auto baseY = [&](std::size_t i) {
        return stacked ? clampPixel(toPosition(0, series.lower[i]).y(), top, bottom) : zeroY;
    };
    auto position = [&](const QPointF& p) {
        const QPointF at = toPosition(p.x(), p.y());
        return QPointF(at.x(), clampPixel(at.y(), top, bottom));
    };
    painter.setRenderHint(QPainter::Antialiasing, antialias);

    if (m_options.style == Style::kBars) {
        QColor fill = series.color;
        fill.setAlpha(200);
        std::vector<QRectF> bars;
        bars.reserve(points.size());
        for (std::size_t i = 0; i < points.size(); ++i) {
            if (!std::isfinite(points[i].y()))
                continue;
            const QPointF a = position(QPointF(points[i].x() - m_options.barHalfWidthMs, 0));
            const QPointF b = position(QPointF(points[i].x() + m_options.barHalfWidthMs, 0));
            const double y = position(points[i]).y();
            const double base = baseY(i);
            bars.emplace_back(QPointF(a.x(), std::min(y, base)), QPointF(b.x(), std::max(y, base)));
        }
        painter.setPen(Qt::NoPen);
        painter.setBrush(fill);
        painter.drawRects(bars.data(), int(bars.size()));
        return;
    }
    if (m_options.style == Style::kPoints) {
        painter.setPen(Qt::NoPen);
        painter.setBrush(series.color);
        const double radius = m_options.pointSize / 2.0;
        for (const QPointF& p : points)
            if (std::isfinite(p.y()))
                painter.drawEllipse(position(p), radius, radius);
        return;
    }

    // Lines or the fill under them, one polyline per run between gaps.
    QPen pen(series.color);
    pen.setWidth(m_options.lineWidth);
    pen.setJoinStyle(Qt::BevelJoin);
    QColor fill = series.color;
    fill.setAlpha(m_options.fillAlpha);
    std::size_t i = 0;
    while (i < points.size()) {
        while (i < points.size() && !std::isfinite(points[i].y()))
            ++i;
        const std::size_t begin = i;
        m_scratch.clear();
        while (i < points.size() && std::isfinite(points[i].y()))
            m_scratch.push_back(position(points[i++]));
        if (m_scratch.empty())
            break;
        const std::size_t runLength = m_scratch.size();
        if (pass == Pass::kFill) {
            m_scratch.reserve(2 * runLength);
            // The area: the line forward, then its base backward.
            for (std::size_t k = runLength; k-- > 0;)
                m_scratch.emplace_back(m_scratch[k].x(), baseY(begin + k));
            painter.setPen(Qt::NoPen);
            painter.setBrush(fill);
            painter.drawPolygon(m_scratch.data(), int(m_scratch.size()));
            continue;
        }
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        if (runLength == 1)
            painter.drawPoint(m_scratch.front());
        else
            painter.drawPolyline(m_scratch.data(), int(runLength));
    }
}

}  // namespace vigil::panels
