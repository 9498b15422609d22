#pragma once

#include <QImage>
#include <QString>
#include <QStringList>

#include <map>

#include "core/dashboard/dashboard.h"
#include "core/dashboard/metrics_source.h"

namespace vigil::dashboards {

// Renders a dashboard, or one of its panels, to an image without showing a
// window (the offscreen platform): `vigil render` for reports, and tests.
// Queries run synchronously on the calling thread, which is fine for a
// command-line tool and never used by the interactive window.
struct RenderOptions {
    QString from = QStringLiteral("now-1h");
    QString to = QStringLiteral("now");
    qint64 nowMs = 0;  // 0: the current time
    int width = 1600;
    std::map<QString, QStringList> variables;  // --var name=value (overrides)
    int panelId = 0;                           // 0: the whole dashboard
    bool expandRows = true;                    // open collapsed rows so every panel shows
};

struct RenderReport {
    int panels = 0;  // panels drawn
    int panelsWithData = 0;
    QStringList panelErrors;        // "Title: error"
    QStringList panelsWithoutData;  // titles
};

Result<QImage> renderDashboard(dashboard::Dashboard dashboard, dashboard::MetricsSource& source,
                               const RenderOptions& options, RenderReport* report = nullptr);

}  // namespace vigil::dashboards
