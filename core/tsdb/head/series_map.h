#pragma once

// The head's series index by identity: label-set hash -> series (to find the
// series of an appended sample) and ref -> series (for the WAL, postings and
// queries). Both are split into stripes with their own reader-writer lock so
// that appenders and queriers on different series do not contend
// (Prometheus's stripeSeries).

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "core/model/labels.h"
#include "core/tsdb/head/mem_series.h"
#include "core/tsdb/head/symbol_table.h"

namespace vigil::tsdb::head {

// The hash that places a label set in the map. Only used in memory, so it
// need not be stable across versions: std::hash (Murmur-style, 8 bytes at a
// time) is several times faster than model::Labels::hash's bytewise FNV on
// the ~100 bytes of a typical label set, and the appender hashes every sample.
std::uint64_t seriesHash(const model::Labels& labels);

// Thread-safety: all methods are thread-safe. Lock order: hash stripe, then
// ref stripe, then a series' own lock; a series lock is never held while a
// stripe lock is taken.
//
// Lifetime: a MemSeries is owned by the map. A pointer obtained from
// getOrCreate() stays valid while the caller holds a pending append on it
// (pendingAppends > 0: removeIf() leaves it alone); forRef() gives access only
// for the duration of the callback.
class SeriesMap {
public:
    explicit SeriesMap(SymbolTable& symbols);
    ~SeriesMap();
    SeriesMap(const SeriesMap&) = delete;
    SeriesMap& operator=(const SeriesMap&) = delete;

    struct GetResult {
        MemSeries* series = nullptr;
        bool created = false;
    };
    // Finds the series of `labels` (whose hash is `hash`) or creates it with
    // ref `ref` (or the next free ref when `ref` is 0). On return the series'
    // pendingAppends was incremented (under its lock) when `pin` is set.
    // REQUIRES: labels is not empty.
    GetResult getOrCreate(const model::Labels& labels, std::uint64_t hash, std::uint64_t ref,
                          bool pin);

    // Runs `fn` on the series with `ref` (if any) while the series cannot be
    // removed. Returns false when there is no such series. `fn` may lock the
    // series but must not call back into the map.
    bool forRef(std::uint64_t ref, const std::function<void(MemSeries&)>& fn) const;
    bool contains(std::uint64_t ref) const;

    // Calls `fn` for every series, stripe by stripe, under the stripe's shared lock.
    void forEach(const std::function<void(MemSeries&)>& fn) const;

    // Removes series for which `pred` (called with the series locked) is
    // true; calls `onRemoved` for each before it is destroyed (with no series
    // lock held, the stripe locks held). Returns the number removed.
    std::size_t removeIf(const std::function<bool(const MemSeries&)>& pred,
                         const std::function<void(const MemSeries&)>& onRemoved);

    std::size_t size() const { return m_size.load(std::memory_order_relaxed); }
    // The ref the next created series gets.
    std::uint64_t nextRef() const { return m_nextRef.load(std::memory_order_relaxed); }
    // Makes future refs larger than `ref` (replay).
    void reserveRef(std::uint64_t ref);
    // Bytes of the maps themselves (not the series), estimated.
    std::size_t memoryBytes() const;

private:
    static constexpr std::size_t kStripes = 1024;

    struct alignas(64) HashStripe {
        mutable std::shared_mutex mutex;
        std::unordered_map<std::uint64_t, MemSeries*> byHash;  // chain through hashNext
    };
    struct alignas(64) RefStripe {
        mutable std::shared_mutex mutex;
        std::unordered_map<std::uint64_t, std::unique_ptr<MemSeries>> byRef;
    };

    MemSeries* findLocked(const HashStripe& stripe, const model::Labels& labels,
                          std::uint64_t hash) const;

    SymbolTable& m_symbols;
    std::unique_ptr<HashStripe[]> m_hashStripes;
    std::unique_ptr<RefStripe[]> m_refStripes;
    std::atomic<std::uint64_t> m_nextRef{1};
    std::atomic<std::size_t> m_size{0};
};

}  // namespace vigil::tsdb::head
