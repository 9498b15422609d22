// GUI-thread time of one dashboard refresh: 20 timeseries panels with 50
// series each over 1h (15 s resolution, 241 points per series), the data
// already fetched (queries run on worker threads and are not GUI time).
// Measured: handing the data to every panel (series reuse, min/max per
// pixel column, one replace() per series, axes, legend) plus laying out and
// painting the whole dashboard once. Target: under 50 ms.

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "core/dashboard/dashboard.h"
#include "ui/dashboards/dashboard_canvas.h"
#include "ui/panels/panel_widget.h"
#include "ui/panels/series_plot_item.h"
#include "ui/panels/timeseries_panel.h"

using namespace vigil;

namespace {
// CPU time of the calling (GUI) thread: what the refresh costs the GUI,
// independent of other load on the machine.
double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}
}  // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    QJsonArray panels;
    for (int i = 0; i < 20; ++i)
        panels.append(QJsonObject{
            {QStringLiteral("id"), i + 1},
            {QStringLiteral("type"), QStringLiteral("timeseries")},
            {QStringLiteral("title"), QStringLiteral("Panel %1").arg(i + 1)},
            {QStringLiteral("gridPos"), QJsonObject{{QStringLiteral("x"), (i % 2) * 12},
                                                    {QStringLiteral("y"), (i / 2) * 8},
                                                    {QStringLiteral("w"), 12},
                                                    {QStringLiteral("h"), 8}}},
            {QStringLiteral("fieldConfig"),
             QJsonObject{{QStringLiteral("defaults"),
                          QJsonObject{{QStringLiteral("unit"), QStringLiteral("bytes")}}}}},
            {QStringLiteral("targets"),
             QJsonArray{
                 QJsonObject{{QStringLiteral("refId"), QStringLiteral("A")},
                             {QStringLiteral("expr"), QStringLiteral("x")},
                             {QStringLiteral("legendFormat"), QStringLiteral("{{instance}}")}}}}});
    auto dashboard = dashboard::Dashboard::fromObject(
        QJsonObject{{QStringLiteral("title"), QStringLiteral("bench")},
                    {QStringLiteral("panels"), panels}},
        QStringLiteral("bench"));
    if (!dashboard.isOk())
        return 1;
    dashboards::DashboardCanvas canvas;
    canvas.resize(1600, 900);
    canvas.setDashboard(&*dashboard);
    canvas.resize(1600, canvas.minimumHeight());
    canvas.show();
    QApplication::processEvents();

    const qint64 to = 1'790'000'000'000;
    const qint64 from = to - 3'600'000;
    // BENCH_STEP_MS changes the resolution (default 15 s: 241 points per series).
    const qint64 stepMs = qEnvironmentVariableIntValue("BENCH_STEP_MS") > 0
                              ? qEnvironmentVariableIntValue("BENCH_STEP_MS")
                              : 15'000;
    auto makeData = [&](int round) {
        panels::PanelData data;
        data.fromMs = from;
        data.toMs = to;
        panels::QueryFrame frame;
        frame.refId = QStringLiteral("A");
        frame.legendFormat = QStringLiteral("{{instance}}");
        for (int s = 0; s < 50; ++s) {
            dashboard::SeriesData series;
            series.labels = model::Labels{{"instance", ("host-" + std::to_string(s)).c_str()}};
            for (qint64 t = from; t <= to; t += stepMs) {
                series.timestamps.push_back(t);
                series.values.push_back(1e6 * (s + 1) *
                                        (1.5 + std::sin(double(t) / 3e5 + s + round)));
            }
            frame.series.push_back(std::move(series));
        }
        data.frames.push_back(std::move(frame));
        return data;
    };
    QImage target(canvas.size(), QImage::Format_ARGB32);
    std::vector<double> times;  // GUI-thread CPU time
    std::vector<double> wall;
    // Per phase: handing the data to the panels, the event processing that
    // follows (layouts, the backing-store repaint of the shown dashboard),
    // and one more full paint of the dashboard into an image.
    std::vector<double> dataPhase, eventsPhase, paintPhase;
    // How often the panels' plots were drawn (not just copied from their
    // cache): once per panel and refresh, or the bench measures too little.
    auto plotRenders = [&] {
        int n = 0;
        for (int id : canvas.visiblePanelIds())
            if (auto* p = qobject_cast<panels::TimeSeriesPanel*>(canvas.panelWidget(id)))
                n += p->plotItem()->cacheRenders();
        return n;
    };
    int rendersBefore = 0;
    for (int round = 0; round < 8; ++round) {
        const panels::PanelData data = makeData(round);  // built by the workers in the app
        if (round == 1)
            rendersBefore = plotRenders();
        QElapsedTimer timer;
        timer.start();
        const double cpu0 = threadCpuMs();
        for (int id : canvas.visiblePanelIds())
            canvas.panelWidget(id)->setData(data);
        const double dataMs = threadCpuMs() - cpu0;
        QApplication::processEvents();
        // Events posted while processing (layout requests, scene updates)
        // are part of the refresh too.
        QApplication::sendPostedEvents();
        QApplication::processEvents();
        const double eventsMs = threadCpuMs() - cpu0 - dataMs;
        QPainter painter(&target);
        canvas.render(&painter);
        painter.end();
        const double total = threadCpuMs() - cpu0;
        if (qEnvironmentVariableIsSet("BENCH_VERBOSE"))
            std::printf("  round %d: setData %.1f ms, events %.1f ms, paint %.1f ms\n", round,
                        dataMs, eventsMs, total - dataMs - eventsMs);
        times.push_back(total);
        wall.push_back(double(timer.nsecsElapsed()) / 1e6);
        if (round > 0) {
            dataPhase.push_back(dataMs);
            eventsPhase.push_back(eventsMs);
            paintPhase.push_back(total - dataMs - eventsMs);
        }
    }
    if (qEnvironmentVariableIsSet("BENCH_SCREENSHOT"))
        target.save(qEnvironmentVariable("BENCH_SCREENSHOT"));
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    // The first round creates the chart objects; later rounds are refreshes.
    std::printf(
        "dashboard refresh, 20 panels x 50 series x 1h, GUI-thread time incl. one full paint:\n");
    std::printf("  dashboard %d x %d px, %lld points per series\n", canvas.width(), canvas.height(),
                static_cast<long long>((to - from) / stepMs + 1));
    std::printf("  first render   %.1f ms\n", times.front());
    std::vector<double> refreshes(times.begin() + 1, times.end());
    std::sort(refreshes.begin(), refreshes.end());
    std::printf("  refresh median %.1f ms, max %.1f ms (target < 50 ms) over %zu refreshes\n",
                refreshes[refreshes.size() / 2], refreshes.back(), refreshes.size());
    std::printf("    per phase (medians): setData %.1f ms, events %.1f ms, paint %.1f ms\n",
                median(dataPhase), median(eventsPhase), median(paintPhase));
    std::printf("    plots drawn per refresh: %.1f (of %zu panels)\n",
                double(plotRenders() - rendersBefore) / double(times.size() - 1),
                canvas.visiblePanelIds().size());
    std::sort(wall.begin() + 1, wall.end());
    std::printf("  (wall clock median %.1f ms on this machine's current load)\n",
                wall[wall.size() / 2]);
    return 0;
}
