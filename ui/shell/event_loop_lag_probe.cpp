#include "ui/shell/event_loop_lag_probe.h"

#include <algorithm>

#include "core/instrument/metric_registry.h"

namespace vigil::ui {

EventLoopLagProbe::EventLoopLagProbe(instrument::MetricRegistry& registry, int intervalMs,
                                     QObject* parent)
    : QObject(parent),
      m_histogram(registry.histogram(
          kMetricName,
          "How late a periodic timer fires on the GUI thread: the time the event loop "
          "was kept from running.",
          {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})),
      m_intervalMs(intervalMs) {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopLagProbe::tick);
    m_sinceLastTick.start();
    m_timer.start();
}

void EventLoopLagProbe::tick() {
    const qint64 elapsedNs = m_sinceLastTick.nsecsElapsed();
    m_sinceLastTick.restart();
    const double lagSeconds = std::max<qint64>(0, elapsedNs - qint64(m_intervalMs) * 1000000) / 1e9;
    m_histogram.observe(lagSeconds);
}

}  // namespace vigil::ui
