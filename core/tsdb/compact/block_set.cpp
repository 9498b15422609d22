#include "core/tsdb/compact/block_set.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/tsdb/block/block_querier.h"

namespace vigil::tsdb {

Result<std::unique_ptr<BlockSet>> BlockSet::open(Env* env, const std::string& dir,
                                                 BlockSetOptions options) {
    std::unique_ptr<BlockSet> s(new BlockSet());
    s->m_env = env;
    s->m_dir = dir;
    s->m_options = options;
    Status st = createDirs(env, dir);
    if (!st.isOk())
        return st;
    st = s->reload();
    if (!st.isOk())
        return st;
    return s;
}

Status BlockSet::reload() {
    auto names = m_env->getChildren(m_dir);
    if (!names)
        return names.status();
    std::vector<std::shared_ptr<Block>> blocks;
    std::vector<std::string> warnings;
    for (const auto& name : *names) {
        const std::string path = joinPath(m_dir, name);
        if (name.size() == 30 && name.ends_with(".tmp") && isUlid(name.substr(0, 26))) {
            Status st = removeAll(m_env, path);
            if (!st.isOk())
                return st;
            warnings.push_back("removed unfinished block " + name);
            continue;
        }
        if (!isUlid(name) || !m_env->isDirectory(path))
            continue;
        auto block = Block::open(m_env, path, m_options.verifyChunks);
        if (block) {
            blocks.push_back(std::move(block.value()));
            continue;
        }
        // Only damage sets a block aside; an I/O error (EMFILE, EIO) may be
        // transient and must not move data.
        const auto code = block.status().code();
        if (code != Status::Code::kCorruption && code != Status::Code::kNotFound)
            return block.status().withContext("opening block " + name);
        const std::string corruptedDir = joinPath(m_dir, "corrupted");
        Status st = createDirs(m_env, corruptedDir);
        std::string target = joinPath(corruptedDir, name);
        if (st.isOk() && m_env->fileExists(target))
            st = removeAll(m_env, target);
        if (st.isOk())
            st = m_env->renameFile(path, target);
        if (st.isOk())
            st = m_env->syncDir(m_dir);
        if (!st.isOk())
            return st.withContext("setting aside corrupt block " + name + " (" +
                                  block.status().message() + ")");
        warnings.push_back("block " + name + " set aside as corrupted/" + name + ": " +
                           block.status().message());
    }
    std::sort(blocks.begin(), blocks.end(), [](const auto& a, const auto& b) {
        return a->meta().minTime < b->meta().minTime ||
               (a->meta().minTime == b->meta().minTime && a->meta().ulid < b->meta().ulid);
    });
    std::lock_guard<std::mutex> lock(m_mutex);
    m_blocks = std::move(blocks);
    m_warnings = std::move(warnings);
    return Status::ok();
}

std::vector<std::shared_ptr<Block>> BlockSet::blocks() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_blocks;
}

std::vector<std::string> BlockSet::warnings() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_warnings;
}

std::unique_ptr<model::Querier> BlockSet::querier(model::Timestamp mint,
                                                  model::Timestamp maxt) const {
    std::vector<std::unique_ptr<model::Querier>> qs;
    for (const auto& b : blocks())
        if (b->meta().minTime <= maxt && b->meta().maxTime > mint)
            qs.push_back(std::make_unique<BlockQuerier>(b, mint, maxt));
    return std::make_unique<MergeQuerier>(std::move(qs));
}

Status BlockSet::deleteBlocks(const std::vector<std::string>& ulids) {
    for (const auto& id : ulids) {
        // Rename first so a crash never leaves a half-deleted block behind
        // under its id (Prometheus does the same with a .tmp-for-deletion suffix).
        std::string path = joinPath(m_dir, id);
        std::string doomed = path + ".tmp";
        Status st = m_env->renameFile(path, doomed);
        if (!st.isOk())
            return st;
        st = removeAll(m_env, doomed);
        if (!st.isOk())
            return st;
    }
    return m_env->syncDir(m_dir);
}

Result<bool> BlockSet::compactOnce() {
    auto current = blocks();
    std::vector<BlockMeta> metas;
    for (const auto& b : current) {
        metas.push_back(b->meta());
        metas.back().numTombstones = b->tombstones()->numIntervals();
    }
    auto plan = planCompaction(
        metas, blockRangesForRetention(m_options.retentionMs > 0 ? m_options.retentionMs
                                                                 : kDefaultRetentionMs));
    if (plan.empty())
        return false;
    std::vector<std::shared_ptr<const Block>> chosen;
    for (const auto& id : plan)
        for (const auto& b : current)
            if (b->meta().ulid == id)
                chosen.push_back(b);
    auto meta = compactBlocks(m_env, m_dir, chosen);
    if (!meta)
        return meta.status();
    Status st = deleteBlocks(plan);
    if (!st.isOk())
        return st;
    st = reload();
    if (!st.isOk())
        return st;
    return true;
}

Result<std::vector<std::string>> BlockSet::applyRetention(std::uint64_t otherBytes) {
    std::vector<RetentionBlock> rb;
    for (const auto& b : blocks())
        rb.push_back(
            RetentionBlock{b->meta().ulid, b->meta().minTime, b->meta().maxTime, b->sizeBytes()});
    auto doomed = planRetention(rb, m_options.retentionMs, m_options.retentionBytes, otherBytes);
    if (doomed.empty())
        return doomed;
    Status st = deleteBlocks(doomed);
    if (!st.isOk())
        return st;
    st = reload();
    if (!st.isOk())
        return st;
    return doomed;
}

Status BlockSet::deleteSeries(const std::vector<model::Matcher>& matchers, model::Timestamp mint,
                              model::Timestamp maxt) {
    for (const auto& b : blocks()) {
        if (b->meta().maxTime <= mint || b->meta().minTime > maxt)
            continue;
        Status st = b->deleteRange(matchers, mint, maxt);
        if (!st.isOk())
            return st.withContext("block " + b->meta().ulid);
    }
    return Status::ok();
}

Status linkOrCopyFile(Env* env, const std::string& from, const std::string& to) {
    if (env == Env::posix()) {
        if (::link(from.c_str(), to.c_str()) == 0)
            return Status::ok();
        if (errno != EXDEV && errno != EPERM && errno != ENOTSUP)
            return Status::ioError(to + ": link from " + from + ": " + std::strerror(errno));
    }
    auto data = readFile(env, from);
    if (!data)
        return data.status();
    auto out = env->newWritableFile(to);
    if (!out)
        return out.status();
    Status st = (*out)->append(*data);
    if (st.isOk())
        st = (*out)->sync();
    Status closed = (*out)->close();
    return st.isOk() ? closed : st;
}

Status BlockSet::snapshot(const std::string& outDir) const {
    if (m_env->fileExists(outDir))
        return Status::error("snapshot: " + outDir + " already exists");
    const std::string tmp = outDir + ".tmp";
    if (m_env->fileExists(tmp)) {
        Status st = removeAll(m_env, tmp);
        if (!st.isOk())
            return st;
    }
    Status st = createDirs(m_env, tmp);
    if (!st.isOk())
        return st;
    // Holding the Block objects keeps their files: a concurrent compaction
    // deletes by rename + unlink, and links taken before stay valid.
    for (const auto& b : blocks()) {
        const std::string dst = joinPath(tmp, b->meta().ulid);
        st = createDirs(m_env, joinPath(dst, "chunks"));
        if (!st.isOk())
            return st;
        for (const char* f : {"meta.json", "index", "tombstones"}) {
            std::string src = joinPath(b->dir(), f);
            if (!m_env->fileExists(src))
                continue;
            st = linkOrCopyFile(m_env, src, joinPath(dst, f));
            if (!st.isOk())
                return st;
        }
        auto segs = m_env->getChildren(joinPath(b->dir(), "chunks"));
        if (!segs)
            return segs.status();
        for (const auto& seg : *segs) {
            st = linkOrCopyFile(m_env, joinPath(joinPath(b->dir(), "chunks"), seg),
                                joinPath(joinPath(dst, "chunks"), seg));
            if (!st.isOk())
                return st;
        }
        st = m_env->syncDir(joinPath(dst, "chunks"));
        if (st.isOk())
            st = m_env->syncDir(dst);
        if (!st.isOk())
            return st;
    }
    st = m_env->syncDir(tmp);
    if (!st.isOk())
        return st;
    st = m_env->renameFile(tmp, outDir);
    if (!st.isOk())
        return st;
    std::string parent = outDir.substr(
        0, outDir.find_last_of('/') == std::string::npos ? 0 : outDir.find_last_of('/'));
    return m_env->syncDir(parent.empty() ? "." : parent);
}

}  // namespace vigil::tsdb
