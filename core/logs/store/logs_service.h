#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/engine/service.h"
#include "core/logs/store/log_store.h"

namespace vigil::logs::live {
class LiveTailHub;
}

namespace vigil::logs::store {

// The engine service that owns the log store: opens it on start (rebuilding
// the index and replaying the WAL), runs maintain() on its own thread every
// `interval` (head chunk cuts by age, segment sealing, retention, the active
// stream count), and cuts every head chunk and closes the store on stop.
//
// It is also the engine's LogReader and LogWriter: calls are forwarded to
// the open store and refused with an error while the service is stopped, so
// readers and writers may hold a reference for the engine's lifetime.
// Thread-safe.
class LogsService final : public engine::Service, public LogReader, public LogWriter {
public:
    // `registry` must outlive the service.
    LogsService(std::string dir, LogStoreOptions options, instrument::MetricRegistry& registry,
                std::chrono::milliseconds interval = std::chrono::seconds(5));
    ~LogsService() override;

    // The open store, or null while stopped.
    std::shared_ptr<LogStore> store() const;

    // The live tail every accepted entry is offered to after push() stored
    // it, whoever the writer (push receiver, file tailer, import); null for
    // none. `hub` must outlive the service. REQUIRES: not started.
    void setLiveTail(live::LiveTailHub* hub) { m_liveTail = hub; }
    live::LiveTailHub* liveTail() const { return m_liveTail; }

    PushResult push(const std::vector<LogStream>& streams) override;
    Status select(const LogSelectParams& params, StreamVisitor& visitor) const override;
    Result<std::vector<std::string>> labelNames(TimestampNs startNs,
                                                TimestampNs endNs) const override;
    Result<std::vector<std::string>> labelValues(const std::string& name,
                                                 const std::vector<model::Matcher>& matchers,
                                                 TimestampNs startNs,
                                                 TimestampNs endNs) const override;
    Result<std::vector<model::Labels>> series(const std::vector<model::Matcher>& matchers,
                                              TimestampNs startNs,
                                              TimestampNs endNs) const override;

protected:
    Status doStart() override;
    void doStop() override;

private:
    void maintenanceLoop();

    const std::string m_dir;
    const LogStoreOptions m_options;
    instrument::MetricRegistry& m_registry;
    const std::chrono::milliseconds m_interval;

    live::LiveTailHub* m_liveTail = nullptr;  // set before start, then read-only

    mutable std::mutex m_storeMutex;
    std::shared_ptr<LogStore> m_store;  // GUARDED_BY(m_storeMutex)

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;  // GUARDED_BY(m_mutex)
    std::thread m_thread;
};

// The store's options from vigil.yml's `logs:` section.
struct LogsSettings {
    std::int64_t retentionMs = 0;
    std::uint64_t maxBytes = 0;
    std::int64_t maxStreams = 0;
    std::int64_t maxLabelValueLength = 0;
    std::uint64_t maxLineLength = 0;
    ChunkEncoding chunkEncoding = ChunkEncoding::kZstd;
};
LogStoreOptions logStoreOptions(const LogsSettings& settings);

}  // namespace vigil::logs::store
