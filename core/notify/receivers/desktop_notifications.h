#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/notify/receivers/notification_data.h"

namespace vigil::notify::receivers {

// A notification for the desktop: what the GUI's notifier shows (a system
// tray message, the alert list badge). Plain values, safe to queue across
// threads.
struct DesktopNotification {
    std::string receiver;
    std::string groupKey;
    bool firing = true;
    bool renotification = false;  // a repeat for a group already shown
    std::string title;            // default.tmpl's __subject
    std::string body;             // __text_alert_list of the firing (else resolved) alerts
    std::string alertmanagerUrl;  // where "open" leads
    NotificationData data;        // everything else the UI may show
};

// The seam between the notification pipeline and the GUI: the Engine hands
// the hub to the desktop notifiers and the UI subscribes (it re-posts to its
// own thread with a queued signal). Thread-safe; listeners run on the
// notifying thread and must not block.
class DesktopNotificationHub {
public:
    using Listener = std::function<void(const DesktopNotification&)>;

    // Returns an id for unsubscribe().
    std::uint64_t subscribe(Listener listener);
    void unsubscribe(std::uint64_t id);
    // Delivers to every listener; returns how many there were.
    std::size_t publish(const DesktopNotification& notification);
    std::size_t listenerCount() const;

private:
    mutable std::mutex m_mutex;
    std::map<std::uint64_t, Listener> m_listeners;  // GUARDED_BY(m_mutex)
    std::uint64_t m_nextId = 1;                     // GUARDED_BY(m_mutex)
};

}  // namespace vigil::notify::receivers
