#include "ui/panels/panel_factory.h"

#include "ui/panels/alert_list_panel.h"
#include "ui/panels/heatmap_panel.h"
#include "ui/panels/logs_panel.h"
#include "ui/panels/stat_panels.h"
#include "ui/panels/table_panel.h"
#include "ui/panels/text_panel.h"
#include "ui/panels/timeseries_panel.h"

namespace vigil::panels {

PanelWidget* createPanelWidget(const QString& type, QWidget* parent) {
    if (type == QLatin1String("timeseries"))
        return new TimeSeriesPanel(parent);
    if (type == QLatin1String("stat"))
        return new ValuePanel(ValuePanel::Kind::kStat, parent);
    if (type == QLatin1String("gauge"))
        return new ValuePanel(ValuePanel::Kind::kGauge, parent);
    if (type == QLatin1String("bargauge"))
        return new ValuePanel(ValuePanel::Kind::kBarGauge, parent);
    if (type == QLatin1String("table"))
        return new TablePanel(parent);
    if (type == QLatin1String("text"))
        return new TextPanel(parent);
    if (type == QLatin1String("heatmap"))
        return new HeatmapPanel(parent);
    if (type == QLatin1String("alertlist"))
        return new AlertListPanel(parent);
    if (type == QLatin1String("logs"))
        return new LogsPanel(parent);
    return new UnsupportedPanel(parent);
}

}  // namespace vigil::panels
