#pragma once

#include <QObject>
#include <QString>

#include <memory>

#include "core/logs/live/live_tail_hub.h"
#include "core/util/status.h"

namespace vigil::logsui {

// Brings a live tail subscription to the GUI thread: the hub's callback only
// moves its batch into a bounded pending batch and posts one queued call;
// the GUI thread then emits received() with everything pending. So a busy
// GUI never blocks the hub, and a GUI that does not keep up (or is paused)
// costs at most maxPending entries (and 16 MiB of lines) — older ones are
// dropped and counted.
// Lives on, and is used from, the GUI thread.
class LiveTailAdapter : public QObject {
    Q_OBJECT
public:
    // `hub` must outlive the adapter.
    explicit LiveTailAdapter(logs::live::LiveTailHub& hub, QObject* parent = nullptr);
    ~LiveTailAdapter() override;

    // Subscribes to `query` (replacing a running subscription). Errors are
    // the LogQL parse errors ("parse error at line 1, col 8: ...").
    Status start(const QString& query);
    void stop();
    bool isRunning() const { return m_subscription != nullptr; }

    // While paused, batches stay pending (bounded); resuming delivers them.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    void setMaxPending(std::size_t entries);

signals:
    // On the GUI thread: new entries (oldest first) and how many were lost
    // since the previous signal.
    void received(const vigil::logs::live::LiveBatch& batch);

private:
    struct Pending;
    void flush();

    logs::live::LiveTailHub& m_hub;
    std::shared_ptr<Pending> m_pending;
    std::unique_ptr<logs::live::LiveTailSubscription> m_subscription;
    bool m_paused = false;
};

}  // namespace vigil::logsui

Q_DECLARE_METATYPE(vigil::logs::live::LiveBatch)
