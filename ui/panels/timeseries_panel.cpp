#include "ui/panels/timeseries_panel.h"

#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHash>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QMouseEvent>
#include <QRubberBand>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

#include "core/dashboard/panel_queries.h"
#include "ui/panels/series_plot_item.h"

namespace vigil::panels {

// Hover tooltip and drag-to-zoom over the plot area.
class TimeSeriesPanel::ChartView : public QChartView {
public:
    ChartView(QChart* chart, TimeSeriesPanel* owner) : QChartView(chart, owner), m_owner(owner) {
        setRenderHint(QPainter::Antialiasing);
        setMouseTracking(true);
        setRubberBand(QChartView::NoRubberBand);
    }

protected:
    void mousePressEvent(QMouseEvent* event) override {
        if (event->button() == Qt::LeftButton && chart()->plotArea().contains(event->position())) {
            m_pressX = event->position().x();
            if (!m_band)
                m_band = new QRubberBand(QRubberBand::Rectangle, this);
            m_band->setGeometry(
                QRect(QPoint(int(m_pressX), int(chart()->plotArea().top())), QSize()));
            m_band->show();
        }
        QChartView::mousePressEvent(event);
    }
    void mouseMoveEvent(QMouseEvent* event) override {
        if (m_pressX >= 0 && m_band) {
            const QRectF plot = chart()->plotArea();
            const double x = std::clamp(event->position().x(), plot.left(), plot.right());
            m_band->setGeometry(QRect(QPoint(int(std::min(m_pressX, x)), int(plot.top())),
                                      QPoint(int(std::max(m_pressX, x)), int(plot.bottom()))));
        } else if (chart()->plotArea().contains(event->position())) {
            const qint64 t = qint64(m_owner->m_plot->timeAt(event->position().x()));
            QToolTip::showText(event->globalPosition().toPoint(), m_owner->tooltipAt(t), this);
        }
        QChartView::mouseMoveEvent(event);
    }
    void mouseReleaseEvent(QMouseEvent* event) override {
        if (m_pressX >= 0) {
            const double x = event->position().x();
            if (m_band)
                m_band->hide();
            if (std::abs(x - m_pressX) > 4) {
                const qint64 a = qint64(m_owner->m_plot->timeAt(std::min(m_pressX, x)));
                const qint64 b = qint64(m_owner->m_plot->timeAt(std::max(m_pressX, x)));
                emit m_owner->timeRangeSelected(a, b);
            }
            m_pressX = -1;
        }
        QChartView::mouseReleaseEvent(event);
    }

    void drawForeground(QPainter* painter, const QRectF& rect) override {
        QChartView::drawForeground(painter, rect);
        const QRectF plot = chart()->plotArea();
        painter->save();
        painter->setFont(chart()->font());
        painter->setPen(palette().color(QPalette::WindowText));
        const QFontMetricsF metrics(chart()->font());
        for (const auto& [value, label] : m_owner->m_ticks) {
            const double y = m_owner->m_plot->toPosition(0, value).y();
            if (y < plot.top() - 1 || y > plot.bottom() + 1)
                continue;
            painter->drawText(
                QRectF(0, y - metrics.height() / 2, plot.left() - 6, metrics.height()),
                Qt::AlignRight | Qt::AlignVCenter, label);
        }
        painter->restore();
    }

private:
    TimeSeriesPanel* m_owner;
    QRubberBand* m_band = nullptr;
    double m_pressX = -1;
};

namespace {

// Nice tick step for about `target` ticks over [min, max].
double niceStep(double range, int target) {
    if (range <= 0 || !std::isfinite(range))
        return 1;
    const double raw = range / std::max(1, target);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double residual = raw / magnitude;
    const double nice = residual > 5 ? 10 : residual > 2 ? 5 : residual > 1 ? 2 : 1;
    return nice * magnitude;
}

QString legendCalcTitle(const QString& calc) {
    if (calc == QLatin1String("lastNotNull") || calc == QLatin1String("last"))
        return QObject::tr("Last");
    if (calc == QLatin1String("mean"))
        return QObject::tr("Mean");
    if (calc == QLatin1String("max"))
        return QObject::tr("Max");
    if (calc == QLatin1String("min"))
        return QObject::tr("Min");
    if (calc == QLatin1String("sum"))
        return QObject::tr("Total");
    return calc;
}

}  // namespace

TimeSeriesPanel::TimeSeriesPanel(QWidget* parent) : PanelWidget(parent) {}

QWidget* TimeSeriesPanel::createContent() {
    auto* content = new QWidget(this);
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_chart = new QChart();
    m_chart->legend()->hide();
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart->setBackgroundRoundness(0);
    m_chart->setBackgroundVisible(false);
    m_timeAxis = new QDateTimeAxis(m_chart);
    m_timeAxis->setTickCount(6);
    m_valueAxis = new QValueAxis(m_chart);
    m_valueAxis->setTickType(QValueAxis::TicksDynamic);
    // Qt Charts formats value labels printf-style only; Vigil draws them
    // itself with Grafana's units (ChartView::drawForeground).
    m_valueAxis->setLabelsVisible(false);
    const QColor text = palette().color(QPalette::WindowText);
    for (QAbstractAxis* axis :
         {static_cast<QAbstractAxis*>(m_timeAxis), static_cast<QAbstractAxis*>(m_valueAxis)}) {
        axis->setLabelsColor(text);
        // The plot item draws the grid and the axis lines (see there why).
        axis->setGridLineVisible(false);
        axis->setLineVisible(false);
    }
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);
    m_plot = new SeriesPlotItem(m_chart);
    // Above the grid and the axis lines, like Qt Charts' own series.
    m_plot->setZValue(5);
    connect(m_chart, &QChart::plotAreaChanged, this,
            [this](const QRectF& plotArea) { m_plot->setPlotArea(plotArea); });
    m_view = new ChartView(m_chart, this);
    m_view->setParent(content);
    layout->addWidget(m_view, 1);

    m_legend = new QTableWidget(content);
    m_legend->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_legend->setSelectionMode(QAbstractItemView::NoSelection);
    m_legend->setShowGrid(false);
    m_legend->verticalHeader()->hide();
    m_legend->setFrameShape(QFrame::NoFrame);
    m_legend->setMaximumHeight(90);
    connect(m_legend, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (QTableWidgetItem* item = m_legend->item(row, 0))
            toggleIsolation(item->data(Qt::UserRole).toString());
    });
    layout->addWidget(m_legend);
    return content;
}

void TimeSeriesPanel::configure(const dashboard::Panel& panel,
                                const dashboard::InterpolationContext&) {
    const QJsonObject defaults = panel.raw.value(QStringLiteral("fieldConfig"))
                                     .toObject()
                                     .value(QStringLiteral("defaults"))
                                     .toObject();
    const QJsonObject custom = defaults.value(QStringLiteral("custom")).toObject();
    m_drawStyle = custom.value(QStringLiteral("drawStyle")).toString(QStringLiteral("line"));
    m_stacking = custom.value(QStringLiteral("stacking"))
                     .toObject()
                     .value(QStringLiteral("mode"))
                     .toString(QStringLiteral("none"));
    m_fillOpacity = custom.value(QStringLiteral("fillOpacity")).toInt(0);
    m_lineWidth = std::max(1, custom.value(QStringLiteral("lineWidth")).toInt(1));
    m_pointSize = std::max(2, custom.value(QStringLiteral("pointSize")).toInt(5));
    m_thresholdsStyle = custom.value(QStringLiteral("thresholdsStyle"))
                            .toObject()
                            .value(QStringLiteral("mode"))
                            .toString(QStringLiteral("off"));
    const QJsonObject legend = panel.raw.value(QStringLiteral("options"))
                                   .toObject()
                                   .value(QStringLiteral("legend"))
                                   .toObject();
    m_showLegend =
        legend.value(QStringLiteral("showLegend")).toBool(true) &&
        legend.value(QStringLiteral("displayMode")).toString() != QLatin1String("hidden");
    m_legendMode = legend.value(QStringLiteral("displayMode")).toString(QStringLiteral("list"));
    m_legendCalcs.clear();
    for (const QJsonValue& calc : legend.value(QStringLiteral("calcs")).toArray())
        m_legendCalcs << calc.toString();
    m_overrideColors.clear();
    for (const QJsonValue& o : panel.raw.value(QStringLiteral("fieldConfig"))
                                   .toObject()
                                   .value(QStringLiteral("overrides"))
                                   .toArray()) {
        const QJsonObject override = o.toObject();
        const QJsonObject matcher = override.value(QStringLiteral("matcher")).toObject();
        if (matcher.value(QStringLiteral("id")).toString() != QLatin1String("byName"))
            continue;
        for (const QJsonValue& p : override.value(QStringLiteral("properties")).toArray()) {
            const QJsonObject property = p.toObject();
            if (property.value(QStringLiteral("id")).toString() == QLatin1String("color"))
                m_overrideColors[matcher.value(QStringLiteral("options")).toString()] =
                    grafanaColor(property.value(QStringLiteral("value"))
                                     .toObject()
                                     .value(QStringLiteral("fixedColor"))
                                     .toString());
        }
    }
    m_legend->setVisible(m_showLegend);
    // The style applies at once to what is drawn; colours with the next data.
    SeriesPlotItem::Options options = m_plot->options();
    options.style = m_drawStyle == QLatin1String("bars")     ? SeriesPlotItem::Style::kBars
                    : m_drawStyle == QLatin1String("points") ? SeriesPlotItem::Style::kPoints
                                                             : SeriesPlotItem::Style::kLine;
    options.lineWidth = m_lineWidth;
    options.pointSize = m_pointSize;
    options.fillAlpha = std::clamp(m_fillOpacity, 0, 100) * 255 / 100;
    m_plot->setOptions(options);
}

TimeSeriesPanel::Slot& TimeSeriesPanel::slotFor(const QString& name, int index) {
    for (Slot& slot : m_slots)
        if (slot.name == name && !slot.used)
            return slot;
    Slot slot;
    slot.name = name;
    auto it = m_overrideColors.find(name);
    slot.color =
        it != m_overrideColors.end() ? it->second
        : fieldOptions().colorMode == QLatin1String("fixed") && fieldOptions().fixedColor.isValid()
            ? fieldOptions().fixedColor
            : paletteColor(index);
    m_slots.push_back(slot);
    return m_slots.back();
}

bool TimeSeriesPanel::slotVisible(const Slot& slot) const {
    return m_isolated.isEmpty() || slot.name == m_isolated;
}

void TimeSeriesPanel::render(const PanelData& data) {
    const std::vector<NamedSeries> series = namedSeries(data);
    // One column per pixel. The panel's width bounds the plot area's; the
    // chart itself is not laid out before its first data is shown.
    const int columns = std::max(50, width());
    for (Slot& slot : m_slots)
        slot.used = false;
    const bool stacking = m_stacking != QLatin1String("none");

    // Stacking: cumulative sums per timestamp across series, in order.
    std::map<qint64, double> stackTotals;
    std::map<qint64, double> percentTotals;
    if (m_stacking == QLatin1String("percent"))
        for (const NamedSeries& s : series)
            for (std::size_t i = 0; i < s.data->timestamps.size(); ++i)
                if (!std::isnan(s.data->values[i]))
                    percentTotals[s.data->timestamps[i]] += s.data->values[i];

    // What each slot draws, by slot index (slotFor() may append slots).
    std::vector<SeriesPlotItem::Series> drawn;
    double minValue = std::numeric_limits<double>::infinity();
    double maxValue = -std::numeric_limits<double>::infinity();
    double barHalfWidthMs = 0;
    int index = 0;
    std::vector<double> stackedValues;
    std::vector<double> below;
    for (const NamedSeries& s : series) {
        Slot& slot = slotFor(s.name, index++);
        const auto slotIndex = std::size_t(&slot - m_slots.data());
        slot.used = true;
        slot.data = s.data;
        const std::vector<model::Timestamp>& t = s.data->timestamps;
        const std::vector<double>* v = &s.data->values;
        if (stacking) {
            stackedValues = s.data->values;
            below.assign(stackedValues.size(), 0.0);
            for (std::size_t i = 0; i < stackedValues.size(); ++i) {
                if (std::isnan(stackedValues[i]))
                    continue;
                double value = stackedValues[i];
                if (!percentTotals.empty() && percentTotals[t[i]] != 0)
                    value = value / percentTotals[t[i]];
                below[i] = stackTotals[t[i]];
                stackTotals[t[i]] += value;
                stackedValues[i] = stackTotals[t[i]];
            }
            v = &stackedValues;
        }
        if (barHalfWidthMs == 0 && t.size() > 1)
            barHalfWidthMs = double(t[1] - t[0]) * 0.4;
        const auto reduced = dashboard::minMaxPerColumn(t, *v, data.fromMs, data.toMs, columns);
        SeriesPlotItem::Series out;
        out.color = slot.color;
        out.points.reserve(reduced.size());
        if (stacking)
            out.lower.reserve(reduced.size());
        std::size_t k = 0;
        for (const auto& p : reduced) {
            // NaN stays in: the line breaks there.
            out.points.emplace_back(double(p.t), p.v);
            if (!std::isnan(p.v)) {
                minValue = std::min(minValue, p.v);
                maxValue = std::max(maxValue, p.v);
            }
            if (stacking) {
                while (k < t.size() && t[k] < p.t)
                    ++k;
                out.lower.push_back(k < below.size() ? below[k] : 0.0);
            }
        }
        if (drawn.size() <= slotIndex)
            drawn.resize(slotIndex + 1);
        drawn[slotIndex] = std::move(out);
    }
    // Series that disappeared are no longer drawn.
    std::vector<SeriesPlotItem::Series> plotted;
    plotted.reserve(series.size());
    for (std::size_t i = 0; i < m_slots.size(); ++i)
        if (m_slots[i].used) {
            plotted.push_back(std::move(drawn[i]));
            plotted.back().visible = slotVisible(m_slots[i]);
        }
    m_slots.erase(
        std::remove_if(m_slots.begin(), m_slots.end(), [](const Slot& slot) { return !slot.used; }),
        m_slots.end());
    if (!std::isfinite(minValue)) {
        minValue = 0;
        maxValue = 1;
    }
    if (!stacking && (m_fillOpacity > 0 || m_drawStyle == QLatin1String("bars")))
        minValue = std::min(minValue, 0.0);
    if (m_drawStyle == QLatin1String("bars")) {
        SeriesPlotItem::Options options = m_plot->options();
        options.barHalfWidthMs = barHalfWidthMs > 0 ? barHalfWidthMs : 1000.0;
        m_plot->setOptions(options);
    }
    updateAxes(minValue, maxValue, data.fromMs, data.toMs);
    m_plot->setSeries(std::move(plotted));
    updateThresholds(m_valueAxis->min(), m_valueAxis->max());
    updateLegend(series);
}

void TimeSeriesPanel::updateAxes(double minValue, double maxValue, qint64 fromMs, qint64 toMs) {
    const FieldOptions& options = fieldOptions();
    double lo = options.min.value_or(minValue);
    double hi = options.max.value_or(maxValue);
    if (hi <= lo)
        hi = lo + (lo == 0 ? 1 : std::abs(lo) * 0.1);
    const double step = niceStep(hi - lo, 4);
    if (!options.min)
        lo = std::floor(lo / step) * step;
    if (!options.max)
        hi = std::ceil(hi / step) * step;
    m_valueAxis->setRange(lo, hi);
    m_valueAxis->setTickAnchor(lo);
    m_valueAxis->setTickInterval(step);
    m_ticks.clear();
    int n = 0;
    for (double v = lo; v <= hi + step * 1e-9 && n < 50; v += step, ++n)
        m_ticks.emplace_back(v, options.format(std::abs(v) < step * 1e-9 ? 0.0 : v));
    int labelWidth = 0;
    const QFontMetrics metrics(m_chart->font());
    for (const auto& tick : m_ticks)
        labelWidth = std::max(labelWidth, metrics.horizontalAdvance(tick.second));
    // Each change re-lays out the chart: only when something moved.
    const QMargins margins(labelWidth + 8, 2, 2, 2);
    if (margins != m_chartMargins) {
        m_chartMargins = margins;
        m_chart->setMargins(margins);
    }
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(fromMs),
                         QDateTime::fromMSecsSinceEpoch(toMs));
    m_plot->setRanges(double(fromMs), double(toMs), lo, hi);
    // The time axis puts its tickCount() labels evenly over the range.
    std::vector<double> timeTicks;
    const int timeTickCount = std::max(2, m_timeAxis->tickCount());
    for (int i = 0; i < timeTickCount; ++i)
        timeTicks.push_back(double(fromMs) + double(toMs - fromMs) * i / (timeTickCount - 1));
    std::vector<double> valueTicks;
    for (const auto& tick : m_ticks)
        valueTicks.push_back(tick.first);
    QColor grid = palette().color(QPalette::WindowText);
    grid.setAlpha(40);
    m_plot->setGrid(std::move(timeTicks), std::move(valueTicks), grid);
    const qint64 span = toMs - fromMs;
    // Ticks less than a minute apart need seconds, or neighbours read alike.
    const qint64 tickSpacing = span / (timeTickCount - 1);
    m_timeAxis->setFormat(tickSpacing < 60'000         ? QStringLiteral("HH:mm:ss")
                          : span <= 2 * 3600 * 1000LL  ? QStringLiteral("HH:mm")
                          : span <= 3 * 86400 * 1000LL ? QStringLiteral("MM/dd HH:mm")
                                                       : QStringLiteral("MM/dd"));
}

QString TimeSeriesPanel::timeAxisFormat() const {
    return m_timeAxis->format();
}

void TimeSeriesPanel::updateThresholds(double minValue, double maxValue) {
    std::vector<SeriesPlotItem::ThresholdArea> areaList;
    std::vector<SeriesPlotItem::ThresholdLine> lineList;
    if (m_thresholdsStyle != QLatin1String("off")) {
        const auto& steps = fieldOptions().thresholds;
        const bool lines = m_thresholdsStyle.contains(QLatin1String("line")) ||
                           m_thresholdsStyle == QLatin1String("dashed");
        const bool areas = m_thresholdsStyle.contains(QLatin1String("area"));
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const double from = steps[i].value.value_or(minValue);
            const double to =
                i + 1 < steps.size() && steps[i + 1].value ? *steps[i + 1].value : maxValue;
            if (areas && steps[i].color.alpha() > 0 && to > minValue && from < maxValue) {
                QColor fill = steps[i].color;
                fill.setAlpha(40);
                areaList.push_back({std::max(from, minValue), std::min(to, maxValue), fill});
            }
            if (lines && steps[i].value)
                lineList.push_back({*steps[i].value, steps[i].color});
        }
    }
    m_plot->setThresholds(std::move(areaList), std::move(lineList));
}

void TimeSeriesPanel::updateLegend(const std::vector<NamedSeries>& series) {
    if (!m_showLegend)
        return;
    // Items are reused and the columns measured again only when a text
    // changed: a refresh usually changes no name.
    bool changed = false;
    auto setText = [&](int row, int column, const QString& text) {
        QTableWidgetItem* item = m_legend->item(row, column);
        if (!item) {
            m_legend->setItem(row, column, new QTableWidgetItem(text));
            changed = true;
        } else if (item->text() != text) {
            item->setText(text);
            changed = true;
        }
        return m_legend->item(row, column);
    };
    const bool table = m_legendMode == QLatin1String("table") || !m_legendCalcs.isEmpty();
    QStringList headers{tr("Name")};
    for (const QString& calc : m_legendCalcs)
        headers << legendCalcTitle(calc);
    if (headers != m_legendHeaders) {
        m_legend->setColumnCount(int(headers.size()));
        m_legend->setHorizontalHeaderLabels(headers);
        m_legendHeaders = headers;
        changed = true;
    }
    m_legend->horizontalHeader()->setVisible(table);
    if (m_legend->rowCount() != int(series.size())) {
        m_legend->setRowCount(int(series.size()));
        changed = true;
    }
    QHash<QString, QColor> colors;
    for (const Slot& slot : m_slots)
        colors.insert(slot.name, slot.color);
    for (int row = 0; row < int(series.size()); ++row) {
        const NamedSeries& s = series[std::size_t(row)];
        QTableWidgetItem* name = setText(row, 0, QStringLiteral("■ ") + s.name);
        if (name->data(Qt::UserRole).toString() != s.name)
            name->setData(Qt::UserRole, s.name);
        const QColor color = colors.value(s.name);
        if (color.isValid() && name->foreground().color() != color)
            name->setForeground(color);
        for (int c = 0; c < int(m_legendCalcs.size()); ++c)
            setText(row, c + 1, fieldOptions().format(reduceSeries(*s.data, m_legendCalcs[c])));
    }
    if (changed)
        m_legend->resizeColumnsToContents();
    m_legend->horizontalHeader()->setStretchLastSection(false);
    const int rowHeight = m_legend->fontMetrics().height() + 4;
    m_legend->verticalHeader()->setDefaultSectionSize(rowHeight);
    m_legend->setMaximumHeight(std::min(6, int(series.size())) * rowHeight +
                               (table ? m_legend->horizontalHeader()->height() : 0) + 4);
}

void TimeSeriesPanel::toggleIsolation(const QString& name) {
    m_isolated = m_isolated == name ? QString() : name;
    applyVisibility();
}

void TimeSeriesPanel::applyVisibility() {
    for (std::size_t i = 0; i < m_slots.size(); ++i)
        m_plot->setSeriesVisible(i, slotVisible(m_slots[i]));
}

QChartView* TimeSeriesPanel::chartView() const {
    return m_view;
}

int TimeSeriesPanel::visibleSeriesCount() const {
    int n = 0;
    for (const SeriesPlotItem::Series& series : m_plot->series())
        n += series.visible ? 1 : 0;
    return n;
}

QStringList TimeSeriesPanel::seriesNames() const {
    QStringList names;
    for (const Slot& slot : m_slots)
        names << slot.name;
    return names;
}

std::size_t TimeSeriesPanel::pointCount(const QString& name) const {
    for (std::size_t i = 0; i < m_slots.size() && i < m_plot->series().size(); ++i)
        if (m_slots[i].name == name)
            return std::size_t(std::count_if(m_plot->series()[i].points.begin(),
                                             m_plot->series()[i].points.end(),
                                             [](const QPointF& p) { return !std::isnan(p.y()); }));
    return 0;
}

QStringList TimeSeriesPanel::valueAxisLabels() const {
    QStringList labels;
    for (const auto& tick : m_ticks)
        labels << tick.second;
    return labels;
}

QString TimeSeriesPanel::tooltipAt(qint64 timeMs) const {
    QStringList lines{
        QDateTime::fromMSecsSinceEpoch(timeMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))};
    std::vector<std::pair<double, QString>> rows;
    for (const Slot& slot : m_slots) {
        if (!slot.data || slot.data->timestamps.empty() || !slotVisible(slot))
            continue;
        const auto& t = slot.data->timestamps;
        auto it = std::lower_bound(t.begin(), t.end(), timeMs);
        std::size_t i = std::size_t(it - t.begin());
        if (i == t.size() || (i > 0 && timeMs - t[i - 1] < t[i] - timeMs))
            i = i == 0 ? 0 : i - 1;
        const double v = slot.data->values[i];
        rows.emplace_back(std::isnan(v) ? -std::numeric_limits<double>::infinity() : v,
                          slot.name + QStringLiteral(": ") + fieldOptions().format(v));
    }
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& row : rows)
        lines << row.second;
    return lines.join(QLatin1Char('\n'));
}

}  // namespace vigil::panels
