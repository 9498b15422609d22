#include "core/engine/periodic_thread.h"

namespace vigil::engine {

void PeriodicThread::start(std::chrono::milliseconds interval, std::function<void()> tick,
                           std::function<void()> finish) {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
    }
    m_thread = std::thread([this, interval, tick = std::move(tick), finish = std::move(finish)] {
        run(interval, tick, finish);
    });
}

void PeriodicThread::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void PeriodicThread::run(std::chrono::milliseconds interval, const std::function<void()>& tick,
                         const std::function<void()>& finish) {
    auto next = std::chrono::steady_clock::now();
    for (;;) {
        tick();
        next += interval;
        const auto now = std::chrono::steady_clock::now();
        if (next < now)  // fell behind: skip the missed ticks
            next = now + interval;
        std::unique_lock lock(m_mutex);
        if (m_wake.wait_until(lock, next, [this] { return m_stopping; }))
            break;
    }
    if (finish)
        finish();
}

}  // namespace vigil::engine
