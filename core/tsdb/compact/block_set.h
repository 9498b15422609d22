#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/model/storage.h"
#include "core/tsdb/block/block.h"
#include "core/tsdb/compact/compactor.h"
#include "core/util/env.h"

namespace vigil::tsdb {

struct BlockSetOptions {
    // Check every chunk's checksum when a block is opened (a few ms per GB of
    // chunks at CRC speed), so a damaged block is set aside at once instead
    // of failing a query later.
    bool verifyChunks = true;
    std::int64_t retentionMs = kDefaultRetentionMs;         // 0: no time limit
    std::uint64_t retentionBytes = kDefaultRetentionBytes;  // 0: no size limit
};

// The blocks of a data directory. open()/reload() open every `<ulid>/`
// directory; a block that fails validation is moved to
// `<dir>/corrupted/<ulid>` with a warning naming the reason, and the rest
// stay queryable. Leftover `<ulid>.tmp` directories (a crash mid-write) are
// removed. Thread-safe: the block list is swapped under a mutex; queriers
// keep the blocks they started with alive.
class BlockSet {
public:
    static Result<std::unique_ptr<BlockSet>> open(Env* env, const std::string& dir,
                                                  BlockSetOptions options = {});

    Status reload();
    const std::string& dir() const { return m_dir; }
    // Sorted by minTime.
    std::vector<std::shared_ptr<Block>> blocks() const;
    // Warnings from the last reload (blocks set aside, leftovers removed).
    std::vector<std::string> warnings() const;

    // A merging querier over the blocks overlapping [mint, maxt].
    std::unique_ptr<model::Querier> querier(model::Timestamp mint, model::Timestamp maxt) const;

    // Runs one planned compaction; returns false when there was nothing to
    // do. The parents are deleted once the new block is in place.
    Result<bool> compactOnce();
    // Deletes the blocks beyond time or size retention; returns their ulids.
    Result<std::vector<std::string>> applyRetention(std::uint64_t otherBytes = 0);
    // Tombstones for series matching `matchers` in [mint, maxt] in every block.
    Status deleteSeries(const std::vector<model::Matcher>& matchers, model::Timestamp mint,
                        model::Timestamp maxt);
    // Writes a consistent copy of every block into `outDir` (hard links
    // where the file system allows, copies otherwise). `outDir` must not
    // exist; it appears complete or not at all (built as `outDir`.tmp and
    // renamed).
    Status snapshot(const std::string& outDir) const;

private:
    BlockSet() = default;
    Status deleteBlocks(const std::vector<std::string>& ulids);

    Env* m_env = nullptr;
    std::string m_dir;
    BlockSetOptions m_options;
    mutable std::mutex m_mutex;
    std::vector<std::shared_ptr<Block>> m_blocks;  // GUARDED_BY(m_mutex)
    std::vector<std::string> m_warnings;           // GUARDED_BY(m_mutex)
};

// Links (or, across file systems or on a non-POSIX Env, copies) `from` to `to`.
Status linkOrCopyFile(Env* env, const std::string& from, const std::string& to);

}  // namespace vigil::tsdb
