#include "core/tsdb/block/block.h"

namespace vigil::tsdb {

Result<std::shared_ptr<Block>> Block::open(Env* env, const std::string& dir, bool verifyChunks) {
    std::shared_ptr<Block> b(new Block());
    b->m_env = env;
    b->m_dir = dir;
    auto meta = readBlockMeta(env, dir);
    if (!meta)
        return meta.status();
    b->m_meta = std::move(meta.value());
    auto indexFile = MappedFile::open(env, joinPath(dir, "index"));
    if (!indexFile)
        return indexFile.status();
    auto index = IndexReader::open(indexFile.value());
    if (!index)
        return index.status();
    b->m_index = std::move(index.value());
    auto chunks = ChunkReader::open(env, joinPath(dir, "chunks"));
    if (!chunks)
        return chunks.status();
    b->m_chunks = std::move(chunks.value());
    if (verifyChunks) {
        Status st = b->m_chunks->verifyAll();
        if (!st.isOk())
            return st;
    }
    std::string tombPath = joinPath(dir, "tombstones");
    if (env->fileExists(tombPath)) {
        auto t = readTombstones(env, dir);
        if (!t)
            return t.status();
        b->m_tombstones = std::make_shared<const Tombstones>(std::move(t.value()));
        auto size = env->getFileSize(tombPath);
        b->m_tombstoneBytes = size ? *size : 0;
    } else {
        b->m_tombstones = std::make_shared<const Tombstones>();
    }
    auto metaSize = env->getFileSize(joinPath(dir, "meta.json"));
    b->m_fixedBytes =
        b->m_index->sizeBytes() + b->m_chunks->sizeBytes() + (metaSize ? *metaSize : 0);
    return b;
}

std::shared_ptr<const Tombstones> Block::tombstones() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_tombstones;
}

std::uint64_t Block::sizeBytes() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_fixedBytes + m_tombstoneBytes;
}

Status Block::deleteRange(const std::vector<model::Matcher>& matchers, model::Timestamp mint,
                          model::Timestamp maxt) {
    if (mint > maxt)
        return Status::error("delete: start " + std::to_string(mint) + " is after end " +
                             std::to_string(maxt));
    auto ids = m_index->postingsForMatchers(matchers);
    if (!ids)
        return ids.status();
    std::lock_guard<std::mutex> lock(m_mutex);
    Tombstones next = *m_tombstones;
    std::vector<ChunkMeta> chunks;
    bool changed = false;
    for (std::uint32_t id : *ids) {
        Status st = m_index->series(id, nullptr, &chunks);
        if (!st.isOk())
            return st;
        if (chunks.empty() || chunks.back().maxt < mint || chunks.front().mint > maxt)
            continue;
        next.add(id, Interval{std::max(mint, m_meta.minTime), std::min(maxt, m_meta.maxTime - 1)});
        changed = true;
    }
    if (!changed)
        return Status::ok();
    Status st = writeTombstones(m_env, m_dir, next);
    if (!st.isOk())
        return st;
    BlockMeta meta = m_meta;
    meta.numTombstones = next.numIntervals();
    st = writeBlockMeta(m_env, m_dir, meta);
    if (!st.isOk())
        return st;
    m_tombstones = std::make_shared<const Tombstones>(std::move(next));
    auto size = m_env->getFileSize(joinPath(m_dir, "tombstones"));
    m_tombstoneBytes = size ? *size : 0;
    return Status::ok();
}

}  // namespace vigil::tsdb
