#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/engine/service.h"
#include "core/logs/tail/tailer.h"

namespace vigil::logs::tail {

// The engine service that runs the Tailer on its own thread: open() on
// start (an invalid positions file fails the start), run() until stop, then
// close() (pipelines flushed, positions written).
class TailerService final : public engine::Service {
public:
    // `writer` must outlive the service.
    TailerService(TailerOptions options, LogWriter& writer);
    ~TailerService() override;

    // The tailed files and journal jobs; safe from any thread. Empty while
    // stopped.
    std::vector<LogTargetInfo> targets() const;

protected:
    Status doStart() override;
    void doStop() override;

private:
    TailerOptions m_options;
    LogWriter& m_writer;
    mutable std::mutex m_tailerMutex;
    std::shared_ptr<Tailer> m_tailer;  // GUARDED_BY(m_tailerMutex); null while stopped
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace vigil::logs::tail
