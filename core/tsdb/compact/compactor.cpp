#include "core/tsdb/compact/compactor.h"

#include <algorithm>
#include <set>

#include "core/tsdb/block/block_querier.h"
#include "core/tsdb/block/block_writer.h"

namespace vigil::tsdb {

using model::Sample;
using model::Timestamp;

std::vector<std::int64_t> exponentialBlockRanges(std::int64_t minSize, int steps, int stepSize) {
    std::vector<std::int64_t> out;
    std::int64_t cur = minSize;
    for (int i = 0; i < steps; ++i) {
        out.push_back(cur);
        cur *= stepSize;
    }
    return out;
}

std::vector<std::int64_t> blockRangesForRetention(std::int64_t retentionMs) {
    std::int64_t maxBlock = std::min<std::int64_t>(retentionMs / 10, 31 * kDayMs);
    std::vector<std::int64_t> out;
    for (std::int64_t r : exponentialBlockRanges(2 * kHourMs, 10, 3))
        if (r <= maxBlock || out.empty())
            out.push_back(r);
    return out;
}

namespace {

std::vector<std::string> selectOverlapping(const std::vector<BlockMeta>& ds) {
    std::vector<std::string> out;
    if (ds.size() < 2)
        return out;
    Timestamp globalMaxt = ds[0].maxTime;
    for (std::size_t i = 1; i < ds.size(); ++i) {
        if (ds[i].minTime < globalMaxt) {
            if (out.empty())
                out.push_back(ds[i - 1].ulid);
            out.push_back(ds[i].ulid);
        } else if (!out.empty()) {
            break;
        }
        globalMaxt = std::max(globalMaxt, ds[i].maxTime);
    }
    return out;
}

std::vector<std::vector<BlockMeta>> splitByRange(const std::vector<BlockMeta>& ds,
                                                 std::int64_t tr) {
    std::vector<std::vector<BlockMeta>> out;
    for (std::size_t i = 0; i < ds.size();) {
        const BlockMeta& m = ds[i];
        std::int64_t t0 = m.minTime >= 0 ? tr * (m.minTime / tr) : tr * ((m.minTime - tr + 1) / tr);
        if (m.maxTime > t0 + tr) {
            ++i;
            continue;
        }
        std::vector<BlockMeta> group;
        for (; i < ds.size(); ++i) {
            if (ds[i].maxTime > t0 + tr)
                break;
            group.push_back(ds[i]);
        }
        if (!group.empty())
            out.push_back(std::move(group));
    }
    return out;
}

}  // namespace

std::vector<std::string> planCompaction(std::vector<BlockMeta> ds,
                                        const std::vector<std::int64_t>& ranges) {
    std::sort(ds.begin(), ds.end(),
              [](const BlockMeta& a, const BlockMeta& b) { return a.minTime < b.minTime; });
    auto overlapping = selectOverlapping(ds);
    if (!overlapping.empty())
        return overlapping;
    if (ds.empty())
        return {};
    // Leave the newest block alone: it was just cut and its range may still fill up.
    ds.pop_back();
    if (!ds.empty() && ranges.size() >= 2) {
        Timestamp highTime = ds.back().minTime;
        for (std::size_t r = 1; r < ranges.size(); ++r) {
            for (const auto& p : splitByRange(ds, ranges[r])) {
                Timestamp mint = p.front().minTime;
                Timestamp maxt = p.back().maxTime;
                if ((maxt - mint == ranges[r] || maxt <= highTime) && p.size() > 1) {
                    std::vector<std::string> out;
                    for (const auto& m : p)
                        out.push_back(m.ulid);
                    return out;
                }
            }
        }
    }
    // A big enough block with more than 5 % tombstones is rewritten alone.
    for (std::size_t i = ds.size(); i-- > 0;) {
        const BlockMeta& m = ds[i];
        if (ranges.empty() || m.maxTime - m.minTime < ranges[ranges.size() / 2])
            break;
        if (static_cast<double>(m.numTombstones) / static_cast<double>(m.numSeries + 1) > 0.05)
            return {m.ulid};
    }
    return {};
}

namespace {

// Re-encodes `samples` (sorted, unique) as sealed chunks of at most `per`
// samples into `store`, appending views to `out`.
Status encodeRun(const std::vector<Sample>& samples, std::size_t per,
                 std::vector<std::vector<std::uint8_t>>& store, std::vector<ChunkView>& out) {
    for (std::size_t i = 0; i < samples.size(); i += per) {
        std::size_t n = std::min(per, samples.size() - i);
        std::span<const Sample> part(samples.data() + i, n);
        auto enc = encodeSealed(part);
        if (!enc)
            return enc.status();
        store.push_back(std::move(enc.value()));
        ChunkView v;
        v.mint = part.front().t;
        v.maxt = part.back().t;
        v.encoding = Encoding::kPacked;
        v.data = store.back();
        out.push_back(v);
    }
    return Status::ok();
}

// Merges the chunks of one series from several blocks (`in`: each source's
// chunks in source order) into sorted, non-overlapping chunks.
Status mergeSeriesChunks(std::vector<std::pair<std::size_t, ChunkView>> in, std::size_t per,
                         std::vector<std::vector<std::uint8_t>>& store,
                         std::vector<ChunkView>& out) {
    std::stable_sort(in.begin(), in.end(),
                     [](const auto& a, const auto& b) { return a.second.mint < b.second.mint; });
    std::vector<std::pair<std::size_t, Sample>> tagged;
    std::vector<Sample> merged;
    std::vector<Sample> scratch;
    for (std::size_t i = 0; i < in.size();) {
        // A cluster: chunks that overlap one another transitively.
        std::size_t j = i + 1;
        Timestamp clusterMaxt = in[i].second.maxt;
        while (j < in.size() && in[j].second.mint <= clusterMaxt) {
            clusterMaxt = std::max(clusterMaxt, in[j].second.maxt);
            ++j;
        }
        if (j == i + 1) {
            out.push_back(in[i].second);
            i = j;
            continue;
        }
        tagged.clear();
        for (std::size_t k = i; k < j; ++k) {
            scratch.clear();
            Status st = decodeSamples(in[k].second.encoding, in[k].second.data, scratch);
            if (!st.isOk())
                return st;
            for (const Sample& s : scratch)
                tagged.emplace_back(in[k].first, s);
        }
        std::stable_sort(tagged.begin(), tagged.end(), [](const auto& a, const auto& b) {
            return a.second.t < b.second.t || (a.second.t == b.second.t && a.first < b.first);
        });
        merged.clear();
        for (const auto& [src, s] : tagged)
            if (merged.empty() || merged.back().t != s.t)
                merged.push_back(s);
        Status st = encodeRun(merged, per, store, out);
        if (!st.isOk())
            return st;
        i = j;
    }
    return Status::ok();
}

}  // namespace

Result<BlockMeta> compactBlocks(Env* env, const std::string& dir,
                                const std::vector<std::shared_ptr<const Block>>& blocks,
                                std::size_t samplesPerChunk) {
    if (blocks.empty())
        return Status::error("compact: no blocks given");
    if (samplesPerChunk == 0 || samplesPerChunk > 65535)
        return Status::error("compact: samples per chunk must be 1..65535");
    BlockMeta meta;
    meta.minTime = blocks[0]->meta().minTime;
    meta.maxTime = blocks[0]->meta().maxTime;
    std::set<std::string> sources;
    int level = 0;
    for (const auto& b : blocks) {
        meta.minTime = std::min(meta.minTime, b->meta().minTime);
        meta.maxTime = std::max(meta.maxTime, b->meta().maxTime);
        level = std::max(level, b->meta().level);
        sources.insert(b->meta().sources.begin(), b->meta().sources.end());
        meta.parents.push_back(b->meta().ulid);
    }
    meta.level = level + 1;
    meta.sources.assign(sources.begin(), sources.end());
    auto writer = BlockWriter::create(env, dir, meta);
    if (!writer)
        return writer.status();

    std::vector<std::unique_ptr<BlockSeriesCursor>> cursors;
    std::vector<bool> valid;
    for (const auto& b : blocks) {
        auto ids = b->index().postingsForMatchers({});
        if (!ids)
            return ids.status();
        cursors.push_back(std::make_unique<BlockSeriesCursor>(
            b, std::move(ids.value()), model::kMinTimestamp, model::kMaxTimestamp));
        valid.push_back(cursors.back()->next());
        if (!cursors.back()->status().isOk())
            return cursors.back()->status();
    }
    std::vector<std::vector<std::uint8_t>> store;
    std::vector<ChunkView> out;
    std::vector<std::pair<std::size_t, ChunkView>> in;
    std::vector<std::size_t> current;
    while (true) {
        const model::Labels* min = nullptr;
        current.clear();
        for (std::size_t i = 0; i < cursors.size(); ++i) {
            if (!valid[i])
                continue;
            const model::Labels& l = cursors[i]->labels();
            if (!min || l < *min) {
                min = &l;
                current.assign(1, i);
            } else if (l == *min) {
                current.push_back(i);
            }
        }
        if (!min)
            break;
        model::Labels labels = *min;
        store.clear();
        out.clear();
        in.clear();
        for (std::size_t i : current)
            for (const ChunkView& c : cursors[i]->chunks())
                in.emplace_back(i, c);
        Status st = mergeSeriesChunks(std::move(in), samplesPerChunk, store, out);
        in = {};
        if (!st.isOk())
            return st.withContext("compact: series " + labels.toString());
        st = (*writer)->addSeries(labels, out);
        if (!st.isOk())
            return st;
        for (std::size_t i : current) {
            valid[i] = cursors[i]->next();
            if (!cursors[i]->status().isOk())
                return cursors[i]->status();
        }
    }
    auto done = (*writer)->commit();
    if (!done)
        return done.status();
    if (done->numSamples == 0) {
        Status st = removeAll(env, joinPath(dir, done->ulid));
        if (!st.isOk())
            return st;
        BlockMeta empty = *done;
        empty.ulid.clear();
        return empty;
    }
    return done;
}

std::vector<std::string> planRetention(std::vector<RetentionBlock> blocks, std::int64_t retentionMs,
                                       std::uint64_t maxBytes, std::uint64_t otherBytes) {
    // Newest first.
    std::sort(blocks.begin(), blocks.end(), [](const RetentionBlock& a, const RetentionBlock& b) {
        return a.maxTime > b.maxTime;
    });
    std::set<std::string> doomed;
    if (retentionMs > 0) {
        for (std::size_t i = 1; i < blocks.size(); ++i) {
            if (blocks[0].maxTime - blocks[i].maxTime > retentionMs) {
                for (std::size_t k = i; k < blocks.size(); ++k)
                    doomed.insert(blocks[k].ulid);
                break;
            }
        }
    }
    if (maxBytes > 0) {
        std::uint64_t total = otherBytes;
        for (std::size_t i = 0; i < blocks.size(); ++i) {
            total += blocks[i].sizeBytes;
            if (total > maxBytes) {
                for (std::size_t k = i; k < blocks.size(); ++k)
                    doomed.insert(blocks[k].ulid);
                break;
            }
        }
    }
    std::vector<std::string> out;
    for (const auto& b : blocks)
        if (doomed.count(b.ulid))
            out.push_back(b.ulid);
    return out;
}

}  // namespace vigil::tsdb
