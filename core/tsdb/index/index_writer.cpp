#include "core/tsdb/index/index_writer.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/tsdb/index/encoding.h"
#include "core/tsdb/wal/crc32c.h"

namespace vigil::tsdb {

Status IndexWriter::addSeries(model::Labels labels, std::vector<ChunkMeta> chunks) {
    if (!m_series.empty() && !(m_series.back().labels < labels))
        return Status::error("index: series " + labels.toString() +
                             " added out of order or twice (after " +
                             m_series.back().labels.toString() + ")");
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        if (chunks[i].maxt < chunks[i].mint || (i > 0 && chunks[i].mint <= chunks[i - 1].maxt))
            return Status::error("index: series " + labels.toString() + ": chunk " +
                                 std::to_string(i) + " [" + std::to_string(chunks[i].mint) + ", " +
                                 std::to_string(chunks[i].maxt) +
                                 "] is out of order or overlaps the previous one");
    }
    m_series.push_back(Series{std::move(labels), std::move(chunks)});
    return Status::ok();
}

namespace {

void appendSection(Encbuf& file, std::string_view payload) {
    file.putBe32(static_cast<std::uint32_t>(payload.size()));
    file.putBytes(payload);
    file.putBe32(crc32c(payload));
}

}  // namespace

Status IndexWriter::finish(Env* env, const std::string& path) {
    // Symbols.
    std::vector<std::string_view> symbols;
    for (const auto& s : m_series)
        for (const auto& l : s.labels) {
            symbols.push_back(l.name);
            symbols.push_back(l.value);
        }
    std::sort(symbols.begin(), symbols.end());
    symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
    std::unordered_map<std::string_view, std::uint32_t> symbolRef;
    symbolRef.reserve(symbols.size());
    Encbuf sym;
    sym.putUvarint(symbols.size());
    for (std::size_t i = 0; i < symbols.size(); ++i) {
        symbolRef.emplace(symbols[i], static_cast<std::uint32_t>(i));
        sym.putUvarintBytes(symbols[i]);
    }

    // Series entries and postings.
    Encbuf series;
    Encbuf offsets;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint32_t>> postings;
    for (std::size_t id = 0; id < m_series.size(); ++id) {
        const Series& s = m_series[id];
        if (series.size() > UINT32_MAX)
            return Status::error("index: series section exceeds 4 GiB");
        offsets.putBe32(static_cast<std::uint32_t>(series.size()));
        series.putUvarint(s.labels.size());
        for (const auto& l : s.labels) {
            std::uint32_t n = symbolRef[l.name];
            std::uint32_t v = symbolRef[l.value];
            series.putUvarint(n);
            series.putUvarint(v);
            postings[{n, v}].push_back(static_cast<std::uint32_t>(id));
        }
        series.putUvarint(s.chunks.size());
        for (std::size_t i = 0; i < s.chunks.size(); ++i) {
            const ChunkMeta& c = s.chunks[i];
            if (i == 0) {
                series.putVarint(c.mint);
                series.putUvarint(static_cast<std::uint64_t>(c.maxt) -
                                  static_cast<std::uint64_t>(c.mint));
                series.putUvarint(c.ref);
            } else {
                const ChunkMeta& p = s.chunks[i - 1];
                series.putUvarint(static_cast<std::uint64_t>(c.mint) -
                                  static_cast<std::uint64_t>(p.maxt));
                series.putUvarint(static_cast<std::uint64_t>(c.maxt) -
                                  static_cast<std::uint64_t>(c.mint));
                series.putVarint(static_cast<std::int64_t>(c.ref - p.ref));
            }
        }
    }
    Encbuf lists;
    Encbuf table;
    table.putUvarint(postings.size());
    for (const auto& [key, ids] : postings) {
        table.putUvarint(key.first);
        table.putUvarint(key.second);
        table.putUvarint(lists.size());
        lists.putUvarint(ids.size());
        std::uint32_t prev = 0;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            lists.putUvarint(i == 0 ? ids[i] : ids[i] - prev);
            prev = ids[i];
        }
    }

    Encbuf file;
    file.putBe32(kIndexMagic);
    file.putU8(kIndexVersion);
    std::uint64_t toc[5];
    toc[0] = file.size();
    appendSection(file, sym.str());
    toc[1] = file.size();
    appendSection(file, series.str());
    toc[2] = file.size();
    appendSection(file, offsets.str());
    toc[3] = file.size();
    appendSection(file, lists.str());
    toc[4] = file.size();
    appendSection(file, table.str());
    Encbuf tocBuf;
    for (std::uint64_t o : toc)
        tocBuf.putBe64(o);
    file.putBytes(tocBuf.str());
    file.putBe32(crc32c(tocBuf.str()));

    auto out = env->newWritableFile(path);
    if (!out)
        return out.status();
    Status st = (*out)->append(file.str());
    if (st.isOk())
        st = (*out)->sync();
    Status closed = (*out)->close();
    return st.isOk() ? closed : st;
}

}  // namespace vigil::tsdb
