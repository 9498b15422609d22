#include "ui/dashboards/dashboard_renderer.h"

#include <QDateTime>
#include <QPainter>

#include <algorithm>

#include "core/dashboard/panel_queries.h"
#include "core/dashboard/time_range.h"
#include "core/dashboard/variable_resolver.h"
#include "ui/dashboards/dashboard_canvas.h"
#include "ui/dashboards/panel_query_service.h"
#include "ui/panels/panel_factory.h"
#include "ui/panels/panel_widget.h"

namespace vigil::dashboards {
namespace {

panels::PanelData runPanel(const dashboard::Panel& panel, const dashboard::ResolvedRange& range,
                           const dashboard::InterpolationContext& context,
                           dashboard::MetricsSource& source, int widthPx) {
    return fetchPanelData(&source,
                          dashboard::planPanelQueries(panel, range, context,
                                                      dashboard::PanelQueryOptions{widthPx, 15000}),
                          range.fromMs, range.toMs);
}

void account(const panels::PanelWidget& widget, RenderReport* report) {
    if (!report)
        return;
    ++report->panels;
    const QString state = widget.bodyState();
    if (state == QLatin1String("content"))
        ++report->panelsWithData;
    else if (state == QLatin1String("error"))
        report->panelErrors << widget.panel().title + QStringLiteral(": ") + widget.messageText();
    else
        report->panelsWithoutData << widget.panel().title;
}

}  // namespace

Result<QImage> renderDashboard(dashboard::Dashboard dashboard, dashboard::MetricsSource& source,
                               const RenderOptions& options, RenderReport* report) {
    const qint64 now = options.nowMs ? options.nowMs : QDateTime::currentMSecsSinceEpoch();
    auto range = dashboard::resolveTimeRange(options.from, options.to, now);
    if (!range.isOk())
        return range.status();

    // Variables: saved selections, overridden by --var.
    for (dashboard::Variable& variable : dashboard.variables) {
        auto it = options.variables.find(variable.name);
        if (it != options.variables.end())
            variable.current = it->second;
    }
    for (const auto& [name, values] : options.variables) {
        const bool known =
            std::any_of(dashboard.variables.begin(), dashboard.variables.end(),
                        [&](const dashboard::Variable& v) { return v.name == name; });
        if (!known)
            return Status::error("--var " + name.toStdString() +
                                 ": the dashboard has no variable '" + name.toStdString() + "'");
    }
    dashboard::VariableResolveContext resolve;
    resolve.source = &source;
    resolve.fromMs = range->fromMs;
    resolve.toMs = range->toMs;
    resolve.intervalMs =
        dashboard::calculateIntervalMs(range->toMs - range->fromMs, options.width, 0);
    const dashboard::InterpolationContext context =
        dashboard::resolveDashboardVariables(dashboard, resolve);

    const double columnPx = double(options.width) / dashboard::kGridColumns;
    if (options.panelId) {
        const dashboard::Panel* panel = dashboard.findPanel(options.panelId);
        if (!panel || panel->isRow())
            return Status::error("--panel " + std::to_string(options.panelId) +
                                 ": no such panel in '" + dashboard.title.toStdString() + "'");
        std::unique_ptr<panels::PanelWidget> widget(panels::createPanelWidget(panel->type));
        widget->setAttribute(Qt::WA_DontShowOnScreen);
        widget->resize(std::max(200, int(panel->gridPos.w * columnPx)),
                       std::max(150, dashboard::gridHeightPx(panel->gridPos.h)));
        widget->setPanel(*panel, context);
        widget->show();
        widget->setData(runPanel(*panel, *range, context, source, widget->width()));
        account(*widget, report);
        return widget->grab().toImage();
    }

    // Open collapsed rows so every panel shows (toggleRow reorders panels).
    for (bool again = options.expandRows; again;) {
        again = false;
        for (const dashboard::Panel& row : dashboard.panels)
            if (row.isRow() && row.collapsed) {
                dashboard.toggleRow(row.id);
                again = true;
                break;
            }
    }

    DashboardCanvas canvas;
    canvas.setAttribute(Qt::WA_DontShowOnScreen);
    canvas.resize(options.width, 400);
    canvas.setInterpolation(context);
    canvas.setDashboard(&dashboard);
    canvas.resize(options.width, canvas.minimumHeight());
    canvas.show();
    for (int id : canvas.visiblePanelIds()) {
        panels::PanelWidget* widget = canvas.panelWidget(id);
        const dashboard::Panel* panel = dashboard.findPanel(id);
        if (!widget || !panel)
            continue;
        widget->setData(runPanel(*panel, *range, context, source, widget->width()));
        account(*widget, report);
    }
    QImage image(canvas.size(), QImage::Format_ARGB32);
    image.fill(canvas.palette().color(QPalette::Window));
    QPainter painter(&image);
    canvas.render(&painter);
    return image;
}

}  // namespace vigil::dashboards
