#include "core/tsdb/import/openmetrics_import.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>

#include "core/scrape/openmetrics_parser.h"
#include "core/tsdb/block/block_writer.h"
#include "core/tsdb/index/mapped_file.h"

namespace vigil::tsdb {

using model::Sample;
using model::Timestamp;

namespace {

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

struct ChunkRec {
    Timestamp mint;
    Timestamp maxt;
    std::size_t offset;  // in the block's arena
    std::size_t size;
};

struct BlockBuild {
    std::vector<std::uint8_t> arena;
    std::vector<std::vector<ChunkRec>> series;  // by series index
    Timestamp mint = model::kMaxTimestamp;
    Timestamp maxt = model::kMinTimestamp;
};

struct SeriesState {
    model::Labels labels;
    std::vector<Sample> pending;
    std::int64_t pendingBlock = 0;
    Timestamp last = 0;
    double lastValue = 0;
    bool hasLast = false;
};

class Importer {
public:
    Importer(const ImportOptions& options) : m_options(options) {}

    Status add(std::uint32_t idx, Timestamp t, double v, std::size_t line) {
        SeriesState& s = m_series[idx];
        if (s.hasLast && t <= s.last) {
            if (t == s.last) {
                if (std::memcmp(&s.lastValue, &v, sizeof v) == 0)
                    return Status::ok();
                return Status::error("line " + std::to_string(line) + ": duplicate sample for " +
                                     s.labels.toString() + " at timestamp " + std::to_string(t) +
                                     " with a different value");
            }
            return Status::error("line " + std::to_string(line) + ": out of order sample for " +
                                 s.labels.toString() + ": timestamp " + std::to_string(t) +
                                 " is before " + std::to_string(s.last));
        }
        std::int64_t block = floorDiv(t, m_options.maxBlockDurationMs);
        if (!s.pending.empty() &&
            (block != s.pendingBlock || s.pending.size() >= m_options.samplesPerChunk)) {
            Status st = seal(idx);
            if (!st.isOk())
                return st;
        }
        s.pendingBlock = block;
        s.pending.push_back(Sample{t, v});
        s.last = t;
        s.lastValue = v;
        s.hasLast = true;
        ++m_samples;
        return Status::ok();
    }

    Status seal(std::uint32_t idx) {
        SeriesState& s = m_series[idx];
        if (s.pending.empty())
            return Status::ok();
        auto enc = encodeSealed(s.pending);
        if (!enc)
            return enc.status().withContext("encoding " + s.labels.toString());
        BlockBuild& b = m_blocks[s.pendingBlock];
        if (b.series.size() <= idx)
            b.series.resize(m_series.size());
        b.series[idx].push_back(
            ChunkRec{s.pending.front().t, s.pending.back().t, b.arena.size(), enc->size()});
        b.arena.insert(b.arena.end(), enc->begin(), enc->end());
        b.mint = std::min(b.mint, s.pending.front().t);
        b.maxt = std::max(b.maxt, s.pending.back().t);
        s.pending.clear();
        return Status::ok();
    }

    std::uint32_t seriesFor(const scrape::OpenMetricsParser& p) {
        auto it = m_byRaw.find(p.series());
        if (it != m_byRaw.end())
            return it->second;
        // A new spelling: find the canonical series (label order may differ
        // between spellings of the same series).
        model::Labels labels = p.labels();
        std::uint64_t h = labels.hash();
        auto& bucket = m_byHash[h];
        for (std::uint32_t idx : bucket)
            if (m_series[idx].labels == labels) {
                m_byRaw.emplace(p.series(), idx);
                return idx;
            }
        auto idx = static_cast<std::uint32_t>(m_series.size());
        m_series.push_back(SeriesState{std::move(labels), {}, 0, 0, 0, false});
        m_series.back().pending.reserve(std::min<std::size_t>(m_options.samplesPerChunk, 512));
        bucket.push_back(idx);
        m_byRaw.emplace(p.series(), idx);
        return idx;
    }

    Result<ImportStats> run(Env* env, std::string_view text, const std::string& dataDir) {
        if (m_options.maxBlockDurationMs <= 0)
            return Status::error("max block duration must be positive");
        if (m_options.samplesPerChunk == 0 || m_options.samplesPerChunk > 65535)
            return Status::error("samples per chunk must be 1..65535");
        scrape::OpenMetricsParser parser(text);
        std::uint64_t nextProgress = 0;
        while (true) {
            scrape::Entry e = parser.next();
            if (e == scrape::Entry::kEnd)
                break;
            if (e == scrape::Entry::kInvalid)
                return parser.status();
            if (e != scrape::Entry::kSeries)
                continue;
            auto ts = parser.timestamp();
            if (!ts)
                return Status::error("line " + std::to_string(parser.line()) +
                                     ": expected timestamp for series " +
                                     std::string(parser.series()) + ", got none");
            std::uint32_t idx = seriesFor(parser);
            Status st = add(idx, *ts, parser.value(), parser.line());
            if (!st.isOk())
                return st;
            if (m_options.progress || m_dropParsedPages) {
                auto done = static_cast<std::uint64_t>(parser.series().data() - text.data());
                if (done >= nextProgress) {
                    if (m_options.progress)
                        m_options.progress(done, text.size());
                    if (m_dropParsedPages)
                        dropParsed(text, done);
                    nextProgress = done + (4u << 20);
                }
            }
        }
        if (m_options.progress)
            m_options.progress(text.size(), text.size());
        m_byRaw = {};
        m_byHash = {};
        for (std::uint32_t i = 0; i < m_series.size(); ++i) {
            Status st = seal(i);
            if (!st.isOk())
                return st;
            m_series[i].pending = {};
        }
        std::vector<std::uint32_t> order(m_series.size());
        for (std::uint32_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            return m_series[a].labels < m_series[b].labels;
        });

        Status st = createDirs(env, dataDir);
        if (!st.isOk())
            return st;
        ImportStats stats;
        stats.series = m_series.size();
        stats.samples = m_samples;
        std::vector<ChunkView> views;
        for (auto& [blockIdx, b] : m_blocks) {
            BlockMeta meta;
            meta.minTime = b.mint;
            meta.maxTime = b.maxt + 1;
            auto w = BlockWriter::create(env, dataDir, meta);
            if (!w)
                return w.status();
            for (std::uint32_t idx : order) {
                if (idx >= b.series.size() || b.series[idx].empty())
                    continue;
                views.clear();
                for (const ChunkRec& c : b.series[idx]) {
                    ChunkView v;
                    v.mint = c.mint;
                    v.maxt = c.maxt;
                    v.encoding = Encoding::kPacked;
                    v.data = std::span<const std::uint8_t>(b.arena.data() + c.offset, c.size);
                    views.push_back(v);
                }
                st = (*w)->addSeries(m_series[idx].labels, views);
                if (!st.isOk())
                    return st;
            }
            auto done = (*w)->commit();
            if (!done)
                return done.status();
            b = BlockBuild{};  // free the arena
            stats.blocks++;
            stats.chunks += done->numChunks;
            std::string dir = joinPath(dataDir, done->ulid);
            for (const char* f : {"index", "meta.json", "tombstones"}) {
                auto size = env->getFileSize(joinPath(dir, f));
                if (size)
                    stats.blockBytes += *size;
            }
            auto segs = env->getChildren(joinPath(dir, "chunks"));
            if (!segs)
                return segs.status();
            for (const auto& seg : *segs) {
                auto size = env->getFileSize(joinPath(joinPath(dir, "chunks"), seg));
                if (size) {
                    stats.chunkBytes += *size;
                    stats.blockBytes += *size;
                }
            }
        }
        return stats;
    }

    // The input is a read-only file mapping: parsed pages may be released
    // (they fault back in from the page cache if a series key stored as a
    // view into them is compared again), so resident memory stays at the
    // encoded chunks instead of growing to the whole file.
    void setDropParsedPages(bool on) { m_dropParsedPages = on; }

private:
    void dropParsed(std::string_view text, std::uint64_t done) {
        static const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
        auto base = reinterpret_cast<std::uintptr_t>(text.data());
        std::uintptr_t from = (base + m_dropped + page - 1) / page * page;
        std::uintptr_t to = (base + done) / page * page;
        if (to <= from)
            return;
        // Advisory: a failure only costs memory.
        (void)::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
        m_dropped = to - base;
    }

    bool m_dropParsedPages = false;
    std::uint64_t m_dropped = 0;
    const ImportOptions& m_options;
    std::vector<SeriesState> m_series;
    std::unordered_map<std::string_view, std::uint32_t> m_byRaw;  // views into the input
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> m_byHash;
    std::map<std::int64_t, BlockBuild> m_blocks;
    std::uint64_t m_samples = 0;
};

}  // namespace

Result<ImportStats> importOpenMetrics(Env* env, std::string_view text, const std::string& dataDir,
                                      const ImportOptions& options) {
    Importer importer(options);
    return importer.run(env, text, dataDir);
}

Result<ImportStats> importOpenMetricsFile(Env* env, const std::string& path,
                                          const std::string& dataDir,
                                          const ImportOptions& options) {
    auto file = MappedFile::open(env, path);
    if (!file)
        return file.status();
    Importer importer(options);
    importer.setDropParsedPages((*file)->mapped());
    auto r = importer.run(env, (*file)->data(), dataDir);
    if (!r)
        return r.status().withContext(path);
    return r;
}

}  // namespace vigil::tsdb
