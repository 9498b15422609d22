#pragma once

#include <atomic>
#include <thread>

namespace vigil::tsdb::head {

// A one-byte lock for per-series state. Critical sections are short (an
// append, a copy of a chunk, at most sealing one chunk), so waiters spin and
// then yield instead of sleeping in the kernel. Meets BasicLockable, so
// std::lock_guard works.
class SpinLock {
public:
    void lock() {
        for (int spins = 0; m_locked.exchange(true, std::memory_order_acquire); ++spins) {
            while (m_locked.load(std::memory_order_relaxed)) {
                if (++spins > 64)
                    std::this_thread::yield();
            }
        }
    }
    bool try_lock() { return !m_locked.exchange(true, std::memory_order_acquire); }
    void unlock() { m_locked.store(false, std::memory_order_release); }

private:
    std::atomic<bool> m_locked{false};
};

}  // namespace vigil::tsdb::head
