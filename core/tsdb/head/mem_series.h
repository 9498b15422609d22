#pragma once

// One series of the head (Prometheus tsdb/head.go memSeries): its interned
// labels, the open XOR chunk being appended to, the sealed (packed) chunks,
// the last sample for the out-of-order and duplicate checks, and an optional
// buffer of out-of-order samples.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/model/storage.h"
#include "core/tsdb/chunk_series.h"
#include "core/tsdb/chunkenc/xor_chunk.h"
#include "core/tsdb/head/spin_lock.h"
#include "core/tsdb/head/symbol_table.h"

namespace vigil::tsdb::head {

// An immutable packed chunk. Shared so that queriers and block writers can
// keep reading it after the series dropped it (truncate, delete).
struct SealedChunk {
    model::Timestamp mint = 0;
    model::Timestamp maxt = 0;
    std::shared_ptr<const std::uint8_t[]> data;
    std::uint32_t size = 0;
    std::uint32_t samples = 0;

    std::span<const std::uint8_t> bytes() const { return {data.get(), size}; }
};

// How the head cuts chunks.
struct ChunkingOptions {
    // Chunks never span a multiple of this (the block range), so cutting a
    // block never splits a chunk.
    std::int64_t chunkRange = 2 * 3600 * 1000;
    int samplesPerChunk = kXorTargetSamples;
};

// What the head knows that decides whether a sample is acceptable.
struct AppendLimits {
    model::Timestamp minValidTime = model::kMinTimestamp;
    model::Timestamp headMaxt = model::kMinTimestamp;
    std::int64_t outOfOrderWindow = 0;
};

// The outcome of MemSeries::check().
enum class Admission : std::uint8_t {
    kInOrder,        // newer than the last sample: goes to the open chunk
    kOutOfOrder,     // within the out-of-order window: goes to the buffer
    kDuplicateSame,  // same timestamp and value bits as a stored sample: accepted, not stored
    kRejected,       // see the AppendError
};
struct Verdict {
    Admission admission = Admission::kInOrder;
    model::AppendError error = model::AppendError::kNone;
};

// What a querier copies out of a series under its lock.
struct SeriesSnapshot {
    std::vector<SealedChunk> sealed;  // overlapping the range, in time order
    std::vector<std::uint8_t> open;   // the open XOR chunk's bytes, if it overlaps
    std::vector<model::Sample> ooo;   // out-of-order samples in the range, sorted

    void clear() {
        sealed.clear();
        open.clear();
        ooo.clear();
    }
};

// Thread-safety: ref, hash and labels are immutable. Everything else is
// guarded by lock(), which callers hold around the methods marked REQUIRES.
// `hashNext` is guarded by the series map stripe the series hashes to.
class MemSeries {
public:
    MemSeries(std::uint64_t ref, std::uint64_t hash, std::vector<std::uint32_t> labelIds);
    MemSeries(const MemSeries&) = delete;
    MemSeries& operator=(const MemSeries&) = delete;

    std::uint64_t ref() const { return m_ref; }
    std::uint64_t hash() const { return m_hash; }
    // Name and value ids, alternating, sorted by name.
    std::span<const std::uint32_t> labelIds() const { return {m_labelIds.get(), m_labelCount}; }
    model::Labels labels(const SymbolTable& symbols) const;
    bool labelsEqual(const model::Labels& labels, const SymbolTable& symbols) const;

    SpinLock& lock() const { return m_lock; }

    // REQUIRES: lock() held (for all methods below).
    // Decides what to do with (t, v). `batch` (non-zero) names the appender
    // batch: its pending samples count as the newest (see notePending).
    Verdict check(model::Timestamp t, double v, const AppendLimits& limits,
                  std::uint64_t batch) const;
    // Records a sample of `batch` that check() accepted but that is not
    // committed yet, so later samples of the same batch are checked against it.
    void notePending(std::uint64_t batch, model::Timestamp t, double v, Admission admission);
    // Stores a sample check() admitted as kInOrder or kOutOfOrder.
    void store(Admission admission, model::Timestamp t, double v, const ChunkingOptions& options);

    bool empty() const { return !m_open && m_sealed.empty() && (!m_ooo || m_ooo->empty()); }
    // Whether any stored sample lies in [mint, maxt].
    bool overlaps(model::Timestamp mint, model::Timestamp maxt) const;
    void snapshot(model::Timestamp mint, model::Timestamp maxt, SeriesSnapshot& out) const;

    // Drops every sample before `mint`; returns how many.
    std::uint64_t truncateBefore(model::Timestamp mint, const ChunkingOptions& options);
    // Drops every sample in [mint, maxt]; returns how many. The last sample
    // seen stays the reference for the order checks (as in Prometheus).
    std::uint64_t deleteRange(model::Timestamp mint, model::Timestamp maxt,
                              const ChunkingOptions& options);

    // Oldest and newest stored timestamps. REQUIRES: !empty().
    model::Timestamp minTime() const;
    model::Timestamp maxTime() const;
    std::uint64_t numSamples() const { return m_numSamples; }
    std::uint64_t numChunks() const { return m_sealed.size() + (m_open ? 1 : 0); }
    std::size_t memoryBytes() const;

    // Appenders holding this series between append() and commit()/rollback();
    // garbage collection leaves such series alone. GUARDED_BY(lock())
    std::uint32_t pendingAppends = 0;
    // Set once a Series record for it reached the WAL.
    std::atomic<bool> walLogged{false};
    // Next series in the same hash bucket. GUARDED_BY(stripe of hash())
    MemSeries* hashNext = nullptr;

private:
    void appendInOrder(model::Timestamp t, double v, const ChunkingOptions& options);
    void seal();
    // All in-order samples, decoded, in time order.
    void inOrderSamples(std::vector<model::Sample>& out) const;
    // Replaces the in-order chunks with `samples` (sorted), keeping the last
    // sample reference.
    void rebuild(std::span<const model::Sample> samples, const ChunkingOptions& options);

    const std::uint64_t m_ref;
    const std::uint64_t m_hash;
    const std::unique_ptr<std::uint32_t[]> m_labelIds;
    const std::uint32_t m_labelCount;
    mutable SpinLock m_lock;

    // All GUARDED_BY(m_lock):
    std::unique_ptr<XorChunk> m_open;  // null when there is no open chunk
    model::Timestamp m_openMint = 0;
    model::Timestamp m_openMaxt = 0;
    model::Timestamp m_openBoundary = 0;  // the open chunk is cut at a sample >= this
    std::vector<SealedChunk> m_sealed;
    std::unique_ptr<std::vector<model::Sample>> m_ooo;  // sorted; null until needed
    bool m_hasLast = false;
    model::Timestamp m_lastT = 0;
    double m_lastV = 0;
    std::uint64_t m_pendingBatch = 0;
    model::Timestamp m_pendingT = 0;
    double m_pendingV = 0;
    std::uint64_t m_numSamples = 0;
};

// Floor division of `t` by `range` times `range` plus `range`: the first
// chunk-range boundary after `t` (saturating at kMaxTimestamp).
model::Timestamp nextBoundary(model::Timestamp t, std::int64_t range);

// Merges sorted in-order samples with sorted out-of-order ones; on equal
// timestamps the in-order sample wins.
void mergeSamples(std::span<const model::Sample> inOrder, std::span<const model::Sample> ooo,
                  std::vector<model::Sample>& out);

}  // namespace vigil::tsdb::head
