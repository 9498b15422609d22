#pragma once

// The TSDB head (Prometheus tsdb/head.go): the recent, mutable part of the
// database. Series live in memory with compressed chunks; every committed
// batch is first written to the write-ahead log, which open() replays. Blocks
// are cut from the head with forEachSeriesChunks() and then dropped from it
// with truncate(). In-memory layout and WAL use: core/tsdb/FORMAT.md, "Head".

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/instrument/metric_registry.h"
#include "core/model/matcher.h"
#include "core/model/storage.h"
#include "core/tsdb/chunk_series.h"
#include "core/tsdb/head/mem_postings.h"
#include "core/tsdb/head/mem_series.h"
#include "core/tsdb/head/series_map.h"
#include "core/tsdb/head/symbol_table.h"
#include "core/tsdb/wal/wal.h"
#include "core/util/env.h"
#include "core/util/status.h"

namespace vigil::tsdb {

struct HeadOptions {
    // Block range: no chunk spans a multiple of it (Prometheus: 2h).
    std::int64_t chunkRange = 2 * 3600 * 1000;
    // Samples per chunk before it is sealed into the packed encoding.
    int samplesPerChunk = kXorTargetSamples;
    // Samples up to this much older than the head's newest sample are
    // accepted out of order; 0 (the default) refuses every out-of-order sample.
    std::int64_t outOfOrderWindow = 0;
    // fsync the WAL in every commit(). Without it a commit survives a crash
    // of the process (the data reached the OS) but not a power loss until the
    // next sync().
    bool syncOnCommit = false;
    // Samples older than this are out of bounds (the newest block's maxt).
    model::Timestamp minValidTime = model::kMinTimestamp;
    wal::WalOptions wal;
};

struct HeadStats {
    std::uint64_t series = 0;
    std::uint64_t samples = 0;
    std::uint64_t chunks = 0;
    model::Timestamp mint = model::kMaxTimestamp;  // kMaxTimestamp/kMinTimestamp when empty
    model::Timestamp maxt = model::kMinTimestamp;
    // Estimated bytes held: series, chunks, symbols, postings, maps.
    std::uint64_t memoryBytes = 0;
    std::uint64_t samplesAppended = 0;
    std::uint64_t rejectedOutOfOrder = 0, rejectedDuplicate = 0, rejectedOutOfBounds = 0,
                  rejectedTooOld = 0;
};

class HeadAppender;
class HeadQuerier;

// Thread-safety: every method is thread-safe. Appenders and queriers may be
// used from many threads at once (each Appender by one thread); appends take
// per-series locks and a shared commit lock, never a global exclusive lock;
// truncate() and deleteRange() wait for running commits and hold new ones
// only while they rewrite chunks. Appenders and queriers must not outlive the
// Head.
class Head final : public model::Storage {
public:
    // Opens the head, replaying the WAL in `walDir` (checkpoint, then
    // segments). A torn or corrupt tail is cut at the last good record and
    // reported in warnings() (and with qWarning); it never fails the open.
    // An empty `walDir` makes a head without a WAL (nothing is durable).
    // `env` and `metrics` (optional) must outlive the Head.
    static Result<std::unique_ptr<Head>> open(Env* env, std::string walDir, HeadOptions options,
                                              instrument::MetricRegistry* metrics = nullptr);
    ~Head() override;

    std::unique_ptr<model::Appender> appender() override;
    // A querier over [mint, maxt] (inclusive).
    std::unique_ptr<model::Querier> querier(model::Timestamp mint, model::Timestamp maxt) override;

    // Visits every series with samples in [mint, maxt) in label order, with
    // its samples in that range as packed chunks (sealed chunks as they are,
    // the rest encoded on the fly): the input for cutting a block. The spans
    // are valid during the callback only.
    Status forEachSeriesChunks(model::Timestamp mint, model::Timestamp maxt,
                               const ChunkSeriesVisitor& visitor);

    // Drops every sample older than `mint`, removes series left empty, raises
    // the lower bound for appends to `mint`, and writes a WAL checkpoint of
    // what is left, deleting the segments it covers.
    Status truncate(model::Timestamp mint);

    // Deletes the samples in [mint, maxt] of the series matching `matchers`,
    // logging a Tombstones record first (replayed by open()). Returns the
    // number of samples deleted.
    Result<std::uint64_t> deleteRange(const std::vector<model::Matcher>& matchers,
                                      model::Timestamp mint, model::Timestamp maxt);

    // Makes everything committed so far durable.
    Status sync();
    // Syncs and closes the WAL; later commits fail.
    Status close();

    HeadStats stats() const;
    // Repairs and oddities found by open(), one line each.
    const std::vector<std::string>& warnings() const { return m_warnings; }
    model::Timestamp minValidTime() const { return m_minValid.load(std::memory_order_acquire); }

private:
    friend class HeadAppender;
    friend class HeadQuerier;
    friend class HeadSeriesSet;

    Head(Env* env, std::string walDir, HeadOptions options, instrument::MetricRegistry* metrics);
    Status replay();
    Status applyTombstones(std::string_view record, std::vector<std::string>& warnings);
    head::MemSeries* resolveReplayRef(std::uint64_t ref);
    void noteTimes(model::Timestamp mint, model::Timestamp maxt);
    head::AppendLimits limits() const;
    void countRejected(model::AppendError error, std::uint64_t n = 1);
    void seriesCreated(head::MemSeries& s);
    std::uint64_t nextBatchId() { return m_batchIds.fetch_add(1, std::memory_order_relaxed); }
    // Deletes [mint, maxt] from the series with these refs; returns samples deleted.
    std::uint64_t deleteFromSeries(const std::vector<std::uint64_t>& refs, model::Timestamp mint,
                                   model::Timestamp maxt);

    Env* const m_env;
    const std::string m_walDir;
    const HeadOptions m_options;
    const head::ChunkingOptions m_chunking;

    head::SymbolTable m_symbols;
    head::SeriesMap m_series{m_symbols};
    head::MemPostings m_postings;
    std::unique_ptr<wal::Wal> m_wal;  // null without a WAL; set once in open()

    // Commits hold it shared from the WAL write until their samples are
    // applied; truncate and deleteRange take it exclusively so that the
    // order of the WAL and of the in-memory state agree.
    std::shared_mutex m_commitMutex;
    std::mutex m_truncateMutex;  // one truncate at a time

    std::atomic<model::Timestamp> m_mint{model::kMaxTimestamp};
    std::atomic<model::Timestamp> m_maxt{model::kMinTimestamp};
    std::atomic<model::Timestamp> m_minValid;
    std::atomic<std::uint64_t> m_batchIds{1};
    std::atomic<std::uint64_t> m_samples{0};
    std::atomic<std::uint64_t> m_appended{0};
    std::atomic<std::uint64_t> m_rejected[5] = {};

    // Replay only: refs of Series records whose labels an earlier ref
    // already had, mapped to that ref (Prometheus does the same).
    std::unordered_map<std::uint64_t, std::uint64_t> m_refAliases;  // immutable after open()

    std::vector<std::string> m_warnings;

    instrument::Counter* m_appendedCounter = nullptr;
    instrument::Counter* m_rejectedCounters[5] = {};
    instrument::Gauge* m_seriesGauge = nullptr;
};

}  // namespace vigil::tsdb
