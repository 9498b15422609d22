#include "ui/panels/heatmap_panel.h"

#include <QPainter>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace vigil::panels {
namespace {

double parseLe(const std::string& le) {
    if (le == "+Inf")
        return std::numeric_limits<double>::infinity();
    return std::strtod(le.c_str(), nullptr);
}

class HeatmapCanvas : public QWidget {
public:
    explicit HeatmapCanvas(HeatmapPanel* owner) : QWidget(owner), m_owner(owner) {}

protected:
    void paintEvent(QPaintEvent*) override {
        const auto& grid = m_owner->grid();
        if (grid.times.empty() || grid.buckets.isEmpty())
            return;
        QPainter painter(this);
        const int labelWidth = 48;
        const QRectF area(labelWidth, 0, width() - labelWidth, height());
        const double cellW = area.width() / double(grid.times.size());
        const double cellH = area.height() / double(grid.buckets.size());
        const QColor hot(QStringLiteral("#FA6400"));
        for (int b = 0; b < int(grid.buckets.size()); ++b) {
            const double y = area.bottom() - (b + 1) * cellH;
            for (std::size_t t = 0; t < grid.times.size(); ++t) {
                const double c = grid.counts[std::size_t(b)][t];
                if (!(c > 0))
                    continue;
                QColor color = hot;
                color.setAlphaF(
                    float(std::clamp(0.1 + 0.9 * c / std::max(grid.maxCount, 1e-12), 0.0, 1.0)));
                painter.fillRect(QRectF(area.left() + double(t) * cellW, y,
                                        std::max(1.0, cellW - 1), std::max(1.0, cellH - 1)),
                                 color);
            }
        }
        painter.setPen(palette().color(QPalette::WindowText));
        const int every = std::max(1, int(std::ceil(14.0 / std::max(cellH, 1.0))));
        for (int b = 0; b < int(grid.buckets.size()); b += every)
            painter.drawText(QRectF(0, area.bottom() - (b + 1) * cellH, labelWidth - 4, cellH),
                             Qt::AlignRight | Qt::AlignVCenter, grid.buckets[b]);
    }

private:
    HeatmapPanel* m_owner;
};

}  // namespace

HeatmapPanel::HeatmapPanel(QWidget* parent) : PanelWidget(parent) {}

QWidget* HeatmapPanel::createContent() {
    m_canvas = new HeatmapCanvas(this);
    return m_canvas;
}

HeatmapPanel::Grid HeatmapPanel::bucketsFrom(const PanelData& data) {
    Grid grid;
    // le -> series (cumulative counts by time)
    std::map<double, std::pair<std::string, const dashboard::SeriesData*>> byLe;
    std::set<qint64> times;
    for (const QueryFrame& frame : data.frames)
        for (const auto& series : frame.series) {
            const std::string le(series.labels.get("le"));
            if (le.empty())
                continue;
            byLe[parseLe(le)] = {le, &series};
            times.insert(series.timestamps.begin(), series.timestamps.end());
        }
    grid.times.assign(times.begin(), times.end());
    std::vector<double> previous(grid.times.size(), 0.0);
    for (const auto& [bound, entry] : byLe) {
        grid.buckets << QString::fromStdString(entry.first);
        std::vector<double> cumulative(grid.times.size(), std::numeric_limits<double>::quiet_NaN());
        const auto& s = *entry.second;
        for (std::size_t i = 0; i < s.timestamps.size(); ++i) {
            const auto it = std::lower_bound(grid.times.begin(), grid.times.end(), s.timestamps[i]);
            cumulative[std::size_t(it - grid.times.begin())] = s.values[i];
        }
        std::vector<double> counts(grid.times.size(), 0.0);
        for (std::size_t t = 0; t < grid.times.size(); ++t) {
            if (std::isnan(cumulative[t]))
                continue;
            counts[t] = std::max(0.0, cumulative[t] - previous[t]);
            previous[t] = cumulative[t];
            grid.maxCount = std::max(grid.maxCount, counts[t]);
        }
        grid.counts.push_back(std::move(counts));
    }
    return grid;
}

void HeatmapPanel::render(const PanelData& data) {
    m_grid = bucketsFrom(data);
    m_canvas->update();
}

}  // namespace vigil::panels
