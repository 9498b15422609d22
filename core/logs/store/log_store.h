#pragma once

// The log store: Loki's chunk store in one process. Format and invariants:
// core/logs/store/FORMAT.md.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/logs/log_store_api.h"
#include "core/logs/store/chunk_codec.h"
#include "core/util/env.h"

namespace vigil::instrument {
class MetricRegistry;
class Counter;
class Gauge;
}  // namespace vigil::instrument
namespace vigil::tsdb::wal {
class Wal;
}

namespace vigil::logs::store {

struct LogStoreOptions {
    // Entries older than now - retention are refused, and segment files
    // whose newest entry is older are deleted. 0: keep everything.
    std::int64_t retentionNs = 0;
    // Segment files are deleted, oldest first, while their total exceeds
    // this. 0: no size limit.
    std::uint64_t maxBytes = 0;
    // Active streams (a non-empty head, or written within streamIdleNs);
    // 0: unlimited.
    std::size_t maxStreams = 10000;
    std::size_t maxLabelValueLength = 2048;  // Loki's max_label_value_length
    std::size_t maxLineLength = 256 * 1024;  // Loki's max_line_size
    std::int64_t maxFutureNs = 10LL * 60 * 1000000000;
    std::int64_t streamIdleNs = 30LL * 60 * 1000000000;

    // Head chunks are cut at this many uncompressed bytes, into blocks of
    // blockBytes, or when older than maxChunkAgeNs (by wall clock).
    std::size_t chunkTargetBytes = 1536 * 1024;
    std::size_t blockBytes = 256 * 1024;
    std::int64_t maxChunkAgeNs = 2LL * 3600 * 1000000000;
    std::int64_t chunkIdleNs = 30LL * 60 * 1000000000;
    // How new chunks compress their blocks (vigil.yml logs.chunk_encoding);
    // chunks already on disk keep theirs, and every encoding stays readable.
    ChunkEncoding chunkEncoding = ChunkEncoding::kZstd;
    int zstdLevel = kDefaultZstdLevel;
    // A select that reads two or more chunks decompresses the next chunk on
    // a second thread while it visits the current one (see BlockPrefetcher
    // in log_store.cpp). Off: everything on the calling thread.
    bool scanPrefetch = true;

    std::uint64_t walRotateBytes = 64ULL << 20;
    std::uint64_t segmentBytes = 64ULL << 20;
    std::int64_t segmentSpanNs = 3600LL * 1000000000;
    // When push() returns, its entries were handed to the operating system
    // (they survive a crash of the process, kill -9). With syncOnPush they
    // were also fsynced (they survive a power loss); otherwise the WAL is
    // fsynced by the first push at least walSyncIntervalNs after the last
    // sync, and by maintain(), so a power loss loses at most about that
    // much. One fsync per push costs as much as the push itself on slow
    // disks, which is why it is not the default (Prometheus's WAL does not
    // fsync per append either).
    bool syncOnPush = false;
    std::int64_t walSyncIntervalNs = 1000000000;

    // The wall clock, ns; tests replace it.
    std::function<std::int64_t()> nowNs;
};

struct LogStoreStats {
    std::size_t streams = 0;        // known streams
    std::size_t activeStreams = 0;  // counted by the cardinality guard
    std::size_t chunks = 0;         // on disk
    std::size_t segments = 0;
    std::uint64_t diskBytes = 0;  // segment files
    std::uint64_t headBytes = 0;  // uncompressed, in memory
    std::uint64_t headEntries = 0;
};

// Thread-safety: every public method may be called from any thread. Writers
// serialize on an exclusive lock; select() takes a shared lock only to
// snapshot what it will read (chunk references and the head entries in
// range), then reads without it, so a long scan does not hold up pushes.
class LogStore final : public LogReader, public LogWriter {
public:
    // Opens (creating if needed) the store in `dir`: rebuilds the index from
    // the segment files and replays the WAL. `env` must outlive the store;
    // `registry` may be null (the counters are then private).
    static Result<std::unique_ptr<LogStore>> open(Env* env, std::string dir,
                                                  LogStoreOptions options,
                                                  instrument::MetricRegistry* registry);
    // Closes without flushing (the WAL keeps the heads); call close() first
    // for a clean shutdown.
    ~LogStore() override;

    // Cuts every head chunk to disk, syncs, and closes the WAL. Later
    // pushes fail.
    Status close();

    // Periodic work: cuts head chunks that are old or idle, seals the
    // segment when it spans too long, applies retention, updates the active
    // stream count. Called by the LogsService every few seconds.
    Status maintain();
    // Cuts every non-empty head chunk and syncs the segment file.
    Status flushHeads();

    LogStoreStats stats() const;
    // Entries refused so far for `reason` (also in /metrics).
    std::uint64_t discarded(LogRejection reason) const;

    // LogWriter
    PushResult push(const std::vector<LogStream>& streams) override;
    // As push(), also telling which entries were accepted: `accepted` gets
    // one flag per entry (streams in order, entries in order), 1 when stored.
    PushResult push(const std::vector<LogStream>& streams, std::vector<std::uint8_t>* accepted);

    // LogReader
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

    const std::string& dir() const { return m_dir; }

    struct Stream;
    struct Segment;
    struct ChunkRef;

private:
    LogStore(Env* env, std::string dir, LogStoreOptions options,
             instrument::MetricRegistry* registry);

    Status recover();
    Status loadSegment(int index, bool newest);
    Stream* findStream(const model::Labels& labels) const;  // REQUIRES: m_mutex held
    Stream* createStream(model::Labels labels);             // REQUIRES: m_mutex held (exclusive)
    Status cutHead(Stream& stream);                         // REQUIRES: exclusive
    Status openNewSegment();                                // REQUIRES: exclusive
    Status rotateWal();                                     // REQUIRES: exclusive
    Status applyRetention(std::int64_t now);                // REQUIRES: exclusive
    void reject(PushResult& result, LogRejection reason, std::size_t count, std::string message);
    // Candidate streams for the matchers, in label order, with data that
    // may overlap [startNs, endNs). REQUIRES: m_mutex held.
    std::vector<Stream*> matchStreams(const std::vector<model::Matcher>& matchers,
                                      TimestampNs startNs, TimestampNs endNs) const;
    std::int64_t now() const;

    Env* const m_env;
    const std::string m_dir;
    const LogStoreOptions m_options;

    mutable std::shared_mutex m_mutex;
    std::vector<std::unique_ptr<Stream>> m_streams;  // by id; null once removed
    std::unordered_map<std::uint64_t, std::vector<Stream*>> m_byHash;
    // name → value → stream ids, ascending.
    std::map<std::string, std::map<std::string, std::vector<std::uint32_t>, std::less<>>,
             std::less<>>
        m_postings;
    std::map<int, std::shared_ptr<Segment>> m_segments;
    std::shared_ptr<Segment> m_active;  // the segment being appended to
    std::unique_ptr<WritableFile> m_activeFile;
    std::unique_ptr<tsdb::wal::Wal> m_wal;
    std::uint32_t m_nextWalRef = 0;
    std::uint64_t m_walBytes = 0;  // logged since the last rotation
    std::int64_t m_lastWalSync = 0;
    std::size_t m_activeStreams = 0;
    bool m_closed = false;
    std::string m_scratch;         // encoding buffer for cuts
    BlockCompressor m_compressor;  // used under the exclusive lock
    std::string m_walBuf;

    std::unique_ptr<instrument::MetricRegistry> m_ownRegistry;
    instrument::MetricRegistry& m_registry;
    std::array<instrument::Counter*, 9> m_discardedCounters{};
    std::array<std::atomic<std::uint64_t>, 9> m_discarded{};
    instrument::Counter& m_ingestedEntries;
    instrument::Counter& m_ingestedBytes;
    instrument::Counter& m_chunksCut;
    instrument::Gauge& m_activeGauge;
    instrument::Gauge& m_diskGauge;
};

// "too_old", "line_too_long", ... (the reason label of the discarded counter).
const char* rejectionReasonName(LogRejection reason);

// `<data dir>/logs`.
std::string logsDirForDataDir(const std::string& dataDir);

}  // namespace vigil::logs::store
