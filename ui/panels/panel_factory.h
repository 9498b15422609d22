#pragma once

#include <QString>

namespace vigil::dashboard {
struct Panel;
}

class QWidget;

namespace vigil::panels {

class PanelWidget;

// The widget for a panel type (timeseries, stat, gauge, bargauge, table,
// text, heatmap, alertlist, logs); other types get an UnsupportedPanel that names them.
PanelWidget* createPanelWidget(const QString& type, QWidget* parent = nullptr);

}  // namespace vigil::panels
