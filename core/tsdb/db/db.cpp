#include "core/tsdb/db/db.h"

#include <QLoggingCategory>
#include <algorithm>

#include "core/tsdb/block/block_querier.h"
#include "core/tsdb/block/block_writer.h"

namespace vigil::tsdb {

Q_LOGGING_CATEGORY(lcTsdb, "vigil.tsdb")

namespace {

// Creates `dir` and its missing parents through the Env.
Status createDirectories(Env* env, const std::string& dir) {
    std::string path;
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = dir.find('/', pos + 1);
        path = dir.substr(0, pos);
        if (path.empty() || env->isDirectory(path))
            continue;
        if (Status s = env->createDir(path); !s.isOk())
            return s;
    }
    return Status::ok();
}

std::int64_t floorTo(std::int64_t t, std::int64_t range) {
    std::int64_t q = t / range;
    if (t % range != 0 && t < 0)
        --q;
    return q * range;
}

}  // namespace

std::string tsdbDirForDataDir(const std::string& dataDir) {
    return dataDir + "/metrics";
}

Result<std::unique_ptr<Db>> Db::open(Env* env, const std::string& dir, DbOptions options,
                                     instrument::MetricRegistry* metrics) {
    std::unique_ptr<Db> db(new Db());
    db->m_env = env;
    db->m_dir = dir;
    db->m_options = options;
    if (Status s = createDirectories(env, dir); !s.isOk())
        return s.withContext("opening the TSDB");

    BlockSetOptions blockOptions;
    blockOptions.retentionMs = options.retentionMs;
    blockOptions.retentionBytes = options.retentionBytes;
    auto blocks = BlockSet::open(env, dir, blockOptions);
    if (!blocks)
        return blocks.status().withContext("opening the TSDB blocks in " + dir);
    db->m_blocks = std::move(*blocks);
    for (const auto& w : db->m_blocks->warnings())
        db->m_openWarnings.push_back(w);

    HeadOptions headOptions;
    headOptions.chunkRange = options.blockRangeMs;
    headOptions.outOfOrderWindow = options.outOfOrderWindowMs;
    headOptions.syncOnCommit = options.syncOnCommit;
    // Samples older than the newest block belong to it and are refused.
    for (const auto& block : db->m_blocks->blocks()) {
        headOptions.minValidTime = std::max(headOptions.minValidTime, block->meta().maxTime);
    }
    auto head = Head::open(env, dir + "/wal", headOptions, metrics);
    if (!head)
        return head.status().withContext("opening the TSDB head in " + dir);
    db->m_head = std::move(*head);
    for (const auto& w : db->m_head->warnings())
        db->m_openWarnings.push_back(w);
    for (const auto& w : db->m_openWarnings)
        qCWarning(lcTsdb).noquote() << QString::fromStdString(w);

    if (metrics) {
        db->m_compactions = &metrics->counter("vigil_tsdb_compactions_total",
                                              "Blocks written by head and block compaction.");
        db->m_compactionFailures =
            &metrics->counter("vigil_tsdb_compactions_failed_total",
                              "Compactions that failed (the data stays where it was).");
        db->m_blockCount = &metrics->gauge("vigil_tsdb_blocks_loaded", "Blocks currently loaded.");
        db->m_blockCount->set(static_cast<double>(db->m_blocks->blocks().size()));
    }
    return db;
}

Db::~Db() {
    (void)close();
}

std::unique_ptr<model::Appender> Db::appender() {
    return m_head->appender();
}

std::unique_ptr<model::Querier> Db::querier(model::Timestamp mint, model::Timestamp maxt) {
    std::vector<std::unique_ptr<model::Querier>> sources;
    sources.push_back(m_blocks->querier(mint, maxt));
    sources.push_back(m_head->querier(mint, maxt));
    return std::make_unique<MergeQuerier>(std::move(sources));
}

Result<bool> Db::compactHead() {
    std::lock_guard lock(m_maintenanceMutex);
    const HeadStats stats = m_head->stats();
    if (stats.samples == 0 || stats.maxt < stats.mint)
        return false;
    const std::int64_t range = m_options.blockRangeMs;
    // Prometheus: compactable once the head spans 1.5 block ranges.
    if (stats.maxt - stats.mint <= range + range / 2)
        return false;

    const model::Timestamp mint = floorTo(stats.mint, range);
    const model::Timestamp maxt = mint + range;
    BlockMeta meta;
    meta.minTime = mint;
    meta.maxTime = maxt;
    auto writer = BlockWriter::create(m_env, m_dir, meta);
    if (!writer)
        return writer.status().withContext("cutting the head into a block");
    Status visited = m_head->forEachSeriesChunks(
        mint, maxt, [&](const model::Labels& labels, std::span<const ChunkView> chunks) {
            return (*writer)->addSeries(labels, chunks);
        });
    if (!visited.isOk()) {
        if (m_compactionFailures)
            m_compactionFailures->inc();
        return visited.withContext("cutting the head into a block");
    }
    auto written = (*writer)->commit();
    if (!written) {
        if (m_compactionFailures)
            m_compactionFailures->inc();
        return written.status().withContext("writing the head block");
    }
    if (Status reloaded = m_blocks->reload(); !reloaded.isOk())
        return reloaded;
    // Only once the block is in place does the head let go of the data.
    if (Status truncated = m_head->truncate(maxt); !truncated.isOk())
        return truncated;
    if (m_compactions)
        m_compactions->inc();
    if (m_blockCount)
        m_blockCount->set(static_cast<double>(m_blocks->blocks().size()));
    qCInfo(lcTsdb).noquote() << "wrote block" << QString::fromStdString(written->ulid) << "for"
                             << mint << "-" << maxt;
    return true;
}

std::uint64_t Db::walBytes() const {
    // Segments only; checkpoints are small next to them.
    std::uint64_t total = 0;
    const std::string walDir = m_dir + "/wal";
    auto names = m_env->getChildren(walDir);
    if (!names)
        return 0;
    for (const auto& name : *names) {
        if (auto size = m_env->getFileSize(walDir + "/" + name))
            total += *size;
    }
    return total;
}

Status Db::maintain() {
    while (true) {
        auto cut = compactHead();
        if (!cut)
            return cut.status();
        if (!*cut)
            break;
    }
    {
        std::lock_guard lock(m_maintenanceMutex);
        while (true) {
            auto merged = m_blocks->compactOnce();
            if (!merged) {
                if (m_compactionFailures)
                    m_compactionFailures->inc();
                return merged.status().withContext("compacting blocks");
            }
            if (!*merged)
                break;
            if (m_compactions)
                m_compactions->inc();
        }
        auto deleted = m_blocks->applyRetention(walBytes());
        if (!deleted)
            return deleted.status().withContext("applying retention");
        for (const auto& ulid : *deleted) {
            qCInfo(lcTsdb).noquote() << "retention deleted block" << QString::fromStdString(ulid);
        }
        if (m_blockCount)
            m_blockCount->set(static_cast<double>(m_blocks->blocks().size()));
    }
    return Status::ok();
}

Status Db::deleteSeries(const std::vector<model::Matcher>& matchers, model::Timestamp mint,
                        model::Timestamp maxt) {
    std::lock_guard lock(m_maintenanceMutex);
    if (Status s = m_blocks->deleteSeries(matchers, mint, maxt); !s.isOk())
        return s;
    auto deleted = m_head->deleteRange(matchers, mint, maxt);
    return deleted ? Status::ok() : deleted.status();
}

Status Db::snapshot(const std::string& outDir) {
    std::lock_guard lock(m_maintenanceMutex);
    if (Status s = m_blocks->snapshot(outDir); !s.isOk())
        return s;
    const HeadStats stats = m_head->stats();
    if (stats.samples == 0 || stats.maxt < stats.mint)
        return Status::ok();
    BlockMeta meta;
    meta.minTime = stats.mint;
    meta.maxTime = stats.maxt + 1;
    auto writer = BlockWriter::create(m_env, outDir, meta);
    if (!writer)
        return writer.status().withContext("writing the head into the snapshot");
    Status visited = m_head->forEachSeriesChunks(
        meta.minTime, meta.maxTime,
        [&](const model::Labels& labels, std::span<const ChunkView> chunks) {
            return (*writer)->addSeries(labels, chunks);
        });
    if (!visited.isOk())
        return visited.withContext("writing the head into the snapshot");
    auto written = (*writer)->commit();
    return written ? Status::ok()
                   : written.status().withContext("writing the head into the snapshot");
}

DbStats Db::stats() const {
    DbStats out;
    out.head = m_head->stats();
    out.mint = out.head.mint;
    out.maxt = out.head.maxt;
    for (const auto& block : m_blocks->blocks()) {
        ++out.blocks;
        out.blockBytes += block->sizeBytes();
        out.blockSamples += block->meta().numSamples;
        out.mint = std::min(out.mint, block->meta().minTime);
        out.maxt = std::max(out.maxt, block->meta().maxTime - 1);
    }
    return out;
}

std::vector<std::string> Db::warnings() const {
    return m_openWarnings;
}

Status Db::close() {
    if (!m_head)
        return Status::ok();
    Status closed = m_head->close();
    return closed;
}

}  // namespace vigil::tsdb
