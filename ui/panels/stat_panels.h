#pragma once

#include "ui/panels/panel_widget.h"

namespace vigil::panels {

// One reduced value per series (Grafana's reduceOptions: lastNotNull, mean,
// max, ...), shared by the stat, gauge and bar gauge panels.
struct ReducedValue {
    QString name;
    double value = 0;
    std::vector<QPointF> sparkline;  // (t, v) of the series, for stat panels
};

class ValueCanvas;

// stat: a big value coloured by threshold (text or background), with an
// optional sparkline; one tile per series.
// gauge: an arc from min to max with the threshold bands; one per series.
// bargauge: one bar per series, filled to the value, coloured by threshold.
class ValuePanel : public PanelWidget {
    Q_OBJECT
public:
    enum class Kind { kStat, kGauge, kBarGauge };
    explicit ValuePanel(Kind kind, QWidget* parent = nullptr);

    Kind kind() const { return m_kind; }
    const std::vector<ReducedValue>& values() const { return m_values; }
    // For tests: the text shown for value `i`, and its colour.
    QString valueText(std::size_t i) const;
    QColor valueColor(std::size_t i) const;

protected:
    QWidget* createContent() override;
    void configure(const dashboard::Panel& panel,
                   const dashboard::InterpolationContext& context) override;
    void render(const PanelData& data) override;

private:
    friend class ValueCanvas;
    Kind m_kind;
    ValueCanvas* m_canvas = nullptr;
    std::vector<ReducedValue> m_values;
    QString m_calc = QStringLiteral("lastNotNull");
    QString m_colorMode = QStringLiteral("value");
    bool m_sparkline = true;
    bool m_showName = false;
    bool m_horizontal = true;
    bool m_thresholdMarkers = true;
};

}  // namespace vigil::panels
