#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/model/matcher.h"
#include "core/tsdb/block/chunk_files.h"
#include "core/tsdb/block/meta.h"
#include "core/tsdb/block/tombstones.h"
#include "core/tsdb/index/index_reader.h"
#include "core/util/env.h"

namespace vigil::tsdb {

// An open, immutable on-disk block: meta, memory-mapped index and chunk
// segments, and its tombstones. Thread-safe: readers may share a Block;
// deleteRange() swaps the tombstones under a mutex, and a reader keeps the
// set it started with.
class Block {
public:
    // Opens and validates `dir`: meta.json, the index (header, TOC, every
    // section checksum), the chunk segment headers and the tombstones file.
    // With `verifyChunks` every chunk's frame and checksum are checked too.
    // Errors are Corruption naming the file and offset.
    static Result<std::shared_ptr<Block>> open(Env* env, const std::string& dir,
                                               bool verifyChunks = false);

    // The meta.json read at open(). Immutable: deleteRange() rewrites the
    // file's numTombstones but not this copy (use tombstones() for the
    // current set).
    const BlockMeta& meta() const { return m_meta; }
    const std::string& dir() const { return m_dir; }
    const IndexReader& index() const { return *m_index; }
    const ChunkReader& chunks() const { return *m_chunks; }
    std::shared_ptr<const Tombstones> tombstones() const;
    // Bytes of all the block's files.
    std::uint64_t sizeBytes() const;

    // Records that samples of series matching `matchers` in [mint, maxt]
    // (inclusive) are deleted, and persists the tombstones and meta.json.
    Status deleteRange(const std::vector<model::Matcher>& matchers, model::Timestamp mint,
                       model::Timestamp maxt);

private:
    Block() = default;

    Env* m_env = nullptr;
    std::string m_dir;
    BlockMeta m_meta;
    std::unique_ptr<IndexReader> m_index;
    std::unique_ptr<ChunkReader> m_chunks;
    std::uint64_t m_fixedBytes = 0;  // everything but tombstones
    mutable std::mutex m_mutex;
    std::shared_ptr<const Tombstones> m_tombstones;  // GUARDED_BY(m_mutex)
    std::uint64_t m_tombstoneBytes = 0;              // GUARDED_BY(m_mutex)
};

}  // namespace vigil::tsdb
