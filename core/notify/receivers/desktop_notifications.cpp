#include "core/notify/receivers/desktop_notifications.h"

namespace vigil::notify::receivers {

std::uint64_t DesktopNotificationHub::subscribe(Listener listener) {
    std::lock_guard lock(m_mutex);
    const std::uint64_t id = m_nextId++;
    m_listeners.emplace(id, std::move(listener));
    return id;
}

void DesktopNotificationHub::unsubscribe(std::uint64_t id) {
    std::lock_guard lock(m_mutex);
    m_listeners.erase(id);
}

std::size_t DesktopNotificationHub::publish(const DesktopNotification& notification) {
    std::vector<Listener> listeners;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [id, l] : m_listeners)
            listeners.push_back(l);
    }
    // Outside the lock: a listener may subscribe or unsubscribe.
    for (const auto& l : listeners)
        l(notification);
    return listeners.size();
}

std::size_t DesktopNotificationHub::listenerCount() const {
    std::lock_guard lock(m_mutex);
    return m_listeners.size();
}

}  // namespace vigil::notify::receivers
