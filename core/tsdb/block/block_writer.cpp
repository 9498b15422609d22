#include "core/tsdb/block/block_writer.h"

#include "core/tsdb/block/tombstones.h"
#include "core/tsdb/index/encoding.h"

namespace vigil::tsdb {

std::uint64_t chunkSampleCount(const ChunkView& chunk) {
    std::string_view b(reinterpret_cast<const char*>(chunk.data.data()), chunk.data.size());
    Decbuf d(b);
    if (chunk.encoding == Encoding::kXor) {
        std::uint64_t hi = d.u8();
        std::uint64_t lo = d.u8();
        return d.ok() ? (hi << 8 | lo) : 0;
    }
    std::uint64_t n = d.uvarint();
    return d.ok() ? n : 0;
}

Result<std::unique_ptr<BlockWriter>> BlockWriter::create(Env* env, const std::string& parentDir,
                                                         BlockMeta meta,
                                                         std::uint64_t segmentSize) {
    if (meta.minTime >= meta.maxTime)
        return Status::error("block range [" + std::to_string(meta.minTime) + ", " +
                             std::to_string(meta.maxTime) + ") is empty");
    // meta.json stores times as JSON numbers (doubles): keep them exact.
    constexpr model::Timestamp kJsonSafe = 9007199254740992;  // 2^53
    if (meta.minTime < -kJsonSafe || meta.maxTime > kJsonSafe)
        return Status::error("block range [" + std::to_string(meta.minTime) + ", " +
                             std::to_string(meta.maxTime) + ") exceeds +-2^53 ms");
    std::unique_ptr<BlockWriter> w(new BlockWriter());
    w->m_env = env;
    w->m_parentDir = parentDir;
    if (meta.ulid.empty())
        meta.ulid = newUlid();
    if (meta.sources.empty() && meta.level == 1)
        meta.sources.push_back(meta.ulid);
    meta.numSamples = meta.numSeries = meta.numChunks = meta.numTombstones = 0;
    w->m_meta = std::move(meta);
    w->m_tmpDir = joinPath(parentDir, w->m_meta.ulid + ".tmp");
    if (env->fileExists(w->m_tmpDir)) {
        Status st = removeAll(env, w->m_tmpDir);
        if (!st.isOk())
            return st;
    }
    Status st = createDirs(env, joinPath(w->m_tmpDir, "chunks"));
    if (!st.isOk())
        return st;
    w->m_chunks = std::make_unique<ChunkWriter>(env, joinPath(w->m_tmpDir, "chunks"), segmentSize);
    return w;
}

BlockWriter::~BlockWriter() {
    if (!m_committed && m_env) {
        m_chunks.reset();
        (void)removeAll(m_env, m_tmpDir);
    }
}

Status BlockWriter::addSeries(const model::Labels& labels, std::span<const ChunkView> chunks) {
    if (m_failed || m_committed)
        return Status::error("block writer: addSeries after failure or commit");
    if (chunks.empty())
        return Status::ok();
    std::vector<ChunkMeta> metas;
    metas.reserve(chunks.size());
    std::uint64_t samples = 0;
    for (const ChunkView& c : chunks) {
        if (c.mint < m_meta.minTime || c.maxt >= m_meta.maxTime || c.maxt < c.mint)
            return Status::error("block writer: series " + labels.toString() + ": chunk [" +
                                 std::to_string(c.mint) + ", " + std::to_string(c.maxt) +
                                 "] outside the block range [" + std::to_string(m_meta.minTime) +
                                 ", " + std::to_string(m_meta.maxTime) + ")");
        auto ref = m_chunks->write(c.encoding, c.data);
        if (!ref) {
            m_failed = true;
            return ref.status();
        }
        metas.push_back(ChunkMeta{c.mint, c.maxt, *ref});
        samples += chunkSampleCount(c);
    }
    Status st = m_index.addSeries(labels, std::move(metas));
    if (!st.isOk())
        return st;
    m_meta.numSeries++;
    m_meta.numChunks += chunks.size();
    m_meta.numSamples += samples;
    return Status::ok();
}

Result<BlockMeta> BlockWriter::commit() {
    if (m_failed || m_committed)
        return Status::error("block writer: commit after failure or commit");
    m_failed = true;  // until proven otherwise
    Status st = m_chunks->finish();
    if (!st.isOk())
        return st;
    st = m_env->syncDir(joinPath(m_tmpDir, "chunks"));
    if (!st.isOk())
        return st;
    st = m_index.finish(m_env, joinPath(m_tmpDir, "index"));
    if (!st.isOk())
        return st;
    st = writeTombstones(m_env, m_tmpDir, Tombstones{});
    if (!st.isOk())
        return st;
    st = writeBlockMeta(m_env, m_tmpDir, m_meta);
    if (!st.isOk())
        return st;
    st = m_env->syncDir(m_tmpDir);
    if (!st.isOk())
        return st;
    const std::string finalDir = joinPath(m_parentDir, m_meta.ulid);
    st = m_env->renameFile(m_tmpDir, finalDir);
    if (!st.isOk())
        return st;
    m_committed = true;
    m_failed = false;
    st = m_env->syncDir(m_parentDir);
    if (!st.isOk())
        return st.withContext("block " + m_meta.ulid + " renamed but the directory sync failed");
    return m_meta;
}

}  // namespace vigil::tsdb
