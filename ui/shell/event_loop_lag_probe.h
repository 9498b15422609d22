#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace vigil::instrument {
class Histogram;
class MetricRegistry;
}  // namespace vigil::instrument

namespace vigil::ui {

// Measures GUI responsiveness: a precise timer fires every `interval` on the
// GUI thread and each tick records how late it came into the
// vigil_ui_event_loop_lag_seconds histogram. Anything that blocks the GUI
// thread shows up there.
class EventLoopLagProbe : public QObject {
    Q_OBJECT
public:
    static constexpr const char* kMetricName = "vigil_ui_event_loop_lag_seconds";

    // `registry` must outlive the probe. Starts at once.
    explicit EventLoopLagProbe(instrument::MetricRegistry& registry, int intervalMs = 100,
                               QObject* parent = nullptr);

private:
    void tick();

    instrument::Histogram& m_histogram;
    QTimer m_timer;
    QElapsedTimer m_sinceLastTick;
    int m_intervalMs;
};

}  // namespace vigil::ui
