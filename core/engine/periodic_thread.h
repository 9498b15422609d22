#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace vigil::engine {

// A thread that runs `tick` at once and then every `interval`, on the
// interval's grid: a slow tick does not shift the following ones, and ticks
// missed while behind (a suspend, a slow disk) are skipped, not caught up.
// stop() wakes the thread, lets a running tick finish, runs `finish` (when
// given) on the thread and joins it. The services that collect on a schedule
// (host collector, self-monitoring) run on one.
// start() and stop() are called from one thread (the owning service's).
class PeriodicThread {
public:
    PeriodicThread() = default;
    ~PeriodicThread() { stop(); }
    PeriodicThread(const PeriodicThread&) = delete;
    PeriodicThread& operator=(const PeriodicThread&) = delete;

    // REQUIRES: not running; interval > 0.
    void start(std::chrono::milliseconds interval, std::function<void()> tick,
               std::function<void()> finish = {});
    // Idempotent.
    void stop();

private:
    void run(std::chrono::milliseconds interval, const std::function<void()>& tick,
             const std::function<void()>& finish);

    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;  // GUARDED_BY(m_mutex)
};

}  // namespace vigil::engine
