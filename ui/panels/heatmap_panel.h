#pragma once

#include "ui/panels/panel_widget.h"

namespace vigil::panels {

// The heatmap of classic histogram buckets (series with an `le` label, as
// `sum by (le) (increase(x_bucket[$__rate_interval]))` returns them): one
// column per timestamp, one row per bucket, the count per bucket (the
// difference of successive cumulative buckets) as colour intensity.
class HeatmapPanel : public PanelWidget {
    Q_OBJECT
public:
    explicit HeatmapPanel(QWidget* parent = nullptr);

    struct Grid {
        QStringList buckets;                      // upper bounds, ascending ("0.1", ..., "+Inf")
        std::vector<qint64> times;                // column timestamps
        std::vector<std::vector<double>> counts;  // [bucket][time], non-cumulative
        double maxCount = 0;
    };
    const Grid& grid() const { return m_grid; }
    static Grid bucketsFrom(const PanelData& data);

protected:
    QWidget* createContent() override;
    void render(const PanelData& data) override;

private:
    Grid m_grid;
    QWidget* m_canvas = nullptr;
};

}  // namespace vigil::panels
