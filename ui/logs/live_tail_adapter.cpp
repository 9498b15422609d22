#include "ui/logs/live_tail_adapter.h"

#include <QMetaObject>
#include <QPointer>

#include <mutex>

namespace vigil::logsui {

struct LiveTailAdapter::Pending {
    std::mutex mutex;
    logs::live::LiveBatch batch;  // GUARDED_BY(mutex)
    bool posted = false;          // GUARDED_BY(mutex): a flush is queued
    std::size_t bytes = 0;        // GUARDED_BY(mutex): line bytes in `batch`
    std::size_t maxEntries = 20000;
    std::size_t maxBytes = 16u << 20;
};

LiveTailAdapter::LiveTailAdapter(logs::live::LiveTailHub& hub, QObject* parent)
    : QObject(parent), m_hub(hub), m_pending(std::make_shared<Pending>()) {
    qRegisterMetaType<vigil::logs::live::LiveBatch>();
}

LiveTailAdapter::~LiveTailAdapter() {
    stop();
}

void LiveTailAdapter::setMaxPending(std::size_t entries) {
    std::lock_guard lock(m_pending->mutex);
    m_pending->maxEntries = std::max<std::size_t>(1, entries);
}

Status LiveTailAdapter::start(const QString& query) {
    stop();
    std::weak_ptr<Pending> weakPending = m_pending;
    QPointer<LiveTailAdapter> self(this);
    // Runs on the hub's thread: merge, bound, post at most one flush.
    auto callback = [weakPending, self](logs::live::LiveBatch&& batch) {
        auto pending = weakPending.lock();
        if (!pending)
            return;
        bool post = false;
        {
            std::lock_guard lock(pending->mutex);
            auto& into = pending->batch;
            into.dropped += batch.dropped;
            for (auto& e : batch.entries) {
                pending->bytes += e.line.size();
                into.entries.push_back(std::move(e));
            }
            std::size_t excess = 0;
            while (excess < into.entries.size() &&
                   (into.entries.size() - excess > pending->maxEntries ||
                    pending->bytes > pending->maxBytes)) {
                pending->bytes -= into.entries[excess].line.size();
                ++excess;
            }
            if (excess > 0) {
                into.entries.erase(into.entries.begin(),
                                   into.entries.begin() + static_cast<std::ptrdiff_t>(excess));
                into.dropped += excess;
            }
            post = !pending->posted;
            pending->posted = true;
        }
        // `self` is only used as the invocation's context: Qt drops the
        // call when the adapter is gone.
        if (post && self)
            QMetaObject::invokeMethod(
                self.data(),
                [self] {
                    if (self)
                        self->flush();
                },
                Qt::QueuedConnection);
    };
    auto sub = m_hub.subscribe(query.toStdString(), std::move(callback));
    if (!sub.isOk())
        return sub.status();
    m_subscription = std::move(sub.value());
    return Status::ok();
}

void LiveTailAdapter::stop() {
    if (m_subscription) {
        m_subscription->unsubscribe();  // waits for a running callback
        m_subscription.reset();
    }
    std::lock_guard lock(m_pending->mutex);
    m_pending->batch = {};
    m_pending->bytes = 0;
}

void LiveTailAdapter::setPaused(bool paused) {
    m_paused = paused;
    if (!paused)
        flush();
}

void LiveTailAdapter::flush() {
    logs::live::LiveBatch batch;
    {
        std::lock_guard lock(m_pending->mutex);
        m_pending->posted = false;
        if (m_paused)
            return;  // keep collecting (bounded); resume flushes
        batch = std::move(m_pending->batch);
        m_pending->batch = {};
        m_pending->bytes = 0;
    }
    if (batch.entries.empty() && batch.dropped == 0)
        return;
    emit received(batch);
}

}  // namespace vigil::logsui
