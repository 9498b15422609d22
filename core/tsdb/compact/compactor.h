#pragma once

// Leveled compaction, as Prometheus's tsdb/compact.go does it: blocks of the
// smallest range are merged into ever larger aligned ranges, overlapping
// blocks are merged first, and tombstones are applied on the way.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/tsdb/block/block.h"
#include "core/util/env.h"

namespace vigil::tsdb {

inline constexpr std::int64_t kHourMs = 3600 * 1000;
inline constexpr std::int64_t kDayMs = 24 * kHourMs;
inline constexpr std::int64_t kDefaultRetentionMs = 15 * kDayMs;
inline constexpr std::uint64_t kDefaultRetentionBytes = 10ULL << 30;
// Samples per chunk written by the compactor and the importer (see
// FORMAT.md, "Blocks": chosen by measurement).
inline constexpr std::size_t kBlockChunkSamples = 480;

// {minSize, minSize*stepSize, ...}, `steps` values (Prometheus's
// ExponentialBlockRanges).
std::vector<std::int64_t> exponentialBlockRanges(std::int64_t minSize, int steps, int stepSize);
// Prometheus's defaults: 2h × 3^k for 10 steps, keeping only ranges up to
// the maximum block duration = min(10 % of the retention, 31 days).
std::vector<std::int64_t> blockRangesForRetention(std::int64_t retentionMs);

// Picks the blocks to compact next (Prometheus's LeveledCompactor.plan):
// overlapping blocks first; otherwise, ignoring the newest block, the first
// group of blocks that fills (or lies before the newest block within) an
// aligned range of ranges[1..]; otherwise a large block with > 5 %
// tombstones on its own. Returns the chosen blocks' ulids (empty: nothing
// to do).
std::vector<std::string> planCompaction(std::vector<BlockMeta> metas,
                                        const std::vector<std::int64_t>& ranges);

// Merges `blocks` into one new block in `dir`: series merged by labels;
// overlapping chunks decoded, merged by time, deduplicated (equal
// timestamps keep the sample of the earliest block in `blocks`) and
// re-encoded sealed; tombstones applied. Returns the new block's meta, or a
// meta with an empty ulid when nothing was left (everything deleted) and no
// block was written.
Result<BlockMeta> compactBlocks(Env* env, const std::string& dir,
                                const std::vector<std::shared_ptr<const Block>>& blocks,
                                std::size_t samplesPerChunk = kBlockChunkSamples);

// One block's facts for retention.
struct RetentionBlock {
    std::string ulid;
    std::int64_t minTime = 0;
    std::int64_t maxTime = 0;  // exclusive
    std::uint64_t sizeBytes = 0;
};

// Blocks to delete (ulids) under time and size retention, whichever comes
// first (Prometheus's beyondTimeRetention / beyondSizeRetention): by time,
// every block whose maxTime is more than `retentionMs` before the newest
// block's maxTime; by size, counting from the newest block (plus
// `otherBytes`, e.g. the WAL and head), every block from the one that takes
// the total past `maxBytes`. 0 disables either limit.
std::vector<std::string> planRetention(std::vector<RetentionBlock> blocks, std::int64_t retentionMs,
                                       std::uint64_t maxBytes, std::uint64_t otherBytes = 0);

}  // namespace vigil::tsdb
