#pragma once

#include <memory>
#include <span>
#include <string>

#include "core/tsdb/block/chunk_files.h"
#include "core/tsdb/block/meta.h"
#include "core/tsdb/chunk_series.h"
#include "core/tsdb/index/index_writer.h"
#include "core/util/env.h"

namespace vigil::tsdb {

// Samples in one chunk (its header's count); 0 for malformed bytes.
std::uint64_t chunkSampleCount(const ChunkView& chunk);

// Writes one immutable block (FORMAT.md, "Blocks") into
// `<parentDir>/<ulid>.tmp/` and publishes it with an atomic rename in
// commit(). Until commit() returns OK no block is visible under its id; a
// writer destroyed without a successful commit removes its temporary
// directory. Not thread-safe.
//
// Usage:
//   auto w = BlockWriter::create(env, dir, meta);   // meta: minTime, maxTime, level...
//   for each series in label order: w->addSeries(labels, chunks);
//   auto meta = w->commit();
class BlockWriter {
public:
    // `meta` gives the range [minTime, maxTime), the compaction level,
    // sources and parents; the id is generated when `meta.ulid` is empty and
    // the stats are computed. A level-1 block with no sources gets itself.
    static Result<std::unique_ptr<BlockWriter>> create(
        Env* env, const std::string& parentDir, BlockMeta meta,
        std::uint64_t segmentSize = kDefaultSegmentSize);
    ~BlockWriter();

    // REQUIRES: series in strictly increasing label order; chunks sorted by
    // time, not overlapping, inside [minTime, maxTime). A series without
    // chunks is skipped. The chunk bytes are copied before returning.
    Status addSeries(const model::Labels& labels, std::span<const ChunkView> chunks);

    // Writes index, tombstones and meta.json, syncs everything and renames
    // the directory into place. Returns the published block's meta.
    Result<BlockMeta> commit();

    const std::string& tmpDir() const { return m_tmpDir; }
    std::uint64_t chunkBytes() const { return m_chunks ? m_chunks->bytesWritten() : 0; }

private:
    BlockWriter() = default;

    Env* m_env = nullptr;
    std::string m_parentDir;
    std::string m_tmpDir;
    BlockMeta m_meta;
    std::unique_ptr<ChunkWriter> m_chunks;
    IndexWriter m_index;
    bool m_committed = false;
    bool m_failed = false;
};

}  // namespace vigil::tsdb
