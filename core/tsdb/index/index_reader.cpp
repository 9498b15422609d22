#include "core/tsdb/index/index_reader.h"

#include <algorithm>
#include <iterator>
#include <optional>

#include "core/tsdb/index/encoding.h"
#include "core/tsdb/wal/crc32c.h"

namespace vigil::tsdb {

namespace {
constexpr std::size_t kHeaderSize = 5;
constexpr std::size_t kTocSize = 5 * 8 + 4;
}  // namespace

Status IndexReader::corruption(const std::string& what, std::uint64_t offset) const {
    return Status::corruption(m_file->path() + ": offset " + std::to_string(offset) + ": " + what);
}

Result<std::unique_ptr<IndexReader>> IndexReader::open(std::shared_ptr<const MappedFile> file) {
    std::unique_ptr<IndexReader> r(new IndexReader());
    r->m_file = std::move(file);
    std::string_view data = r->m_file->data();
    if (data.size() < kHeaderSize + kTocSize)
        return r->corruption("index too short (" + std::to_string(data.size()) + " bytes)", 0);
    Decbuf head(data.substr(0, kHeaderSize));
    std::uint32_t magic = head.be32();
    std::uint8_t version = head.u8();
    if (magic != kIndexMagic)
        return r->corruption("bad index magic", 0);
    if (version != kIndexVersion)
        return r->corruption("unsupported index version " + std::to_string(version), 4);
    const std::uint64_t tocOffset = data.size() - kTocSize;
    std::string_view tocBytes = data.substr(tocOffset, 40);
    Decbuf tocCrc(data.substr(tocOffset + 40, 4));
    if (crc32c(tocBytes) != tocCrc.be32())
        return r->corruption("TOC checksum mismatch", tocOffset);
    Decbuf toc(tocBytes);
    std::string_view sections[5];
    std::uint64_t bases[5];
    static const char* kNames[5] = {"symbols", "series", "series offsets", "postings",
                                    "postings table"};
    for (int i = 0; i < 5; ++i) {
        std::uint64_t off = toc.be64();
        if (off < kHeaderSize || off + 8 > tocOffset)
            return r->corruption(std::string("TOC: ") + kNames[i] + " section offset " +
                                     std::to_string(off) + " out of bounds",
                                 tocOffset);
        Decbuf len(data.substr(off, 4));
        std::uint64_t n = len.be32();
        if (off + 4 + n + 4 > tocOffset)
            return r->corruption(std::string(kNames[i]) + " section length " + std::to_string(n) +
                                     " runs past the end",
                                 off);
        std::string_view payload = data.substr(off + 4, n);
        Decbuf crc(data.substr(off + 4 + n, 4));
        if (crc32c(payload) != crc.be32())
            return r->corruption(std::string(kNames[i]) + " section checksum mismatch", off);
        sections[i] = payload;
        bases[i] = off + 4;
    }

    Decbuf sym(sections[0]);
    std::uint64_t nsym = sym.uvarint();
    if (!sym.ok() || nsym > sections[0].size())
        return r->corruption("bad symbol count", bases[0]);
    r->m_symbols.reserve(nsym);
    for (std::uint64_t i = 0; i < nsym; ++i) {
        std::string_view s = sym.uvarintBytes();
        if (!sym.ok())
            return r->corruption("symbol " + std::to_string(i) + " truncated", bases[0]);
        r->m_symbols.push_back(s);
    }
    r->m_series = sections[1];
    r->m_seriesBase = bases[1];
    r->m_offsets = sections[2];
    if (r->m_offsets.size() % 4 != 0)
        return r->corruption("series offsets section is not a multiple of 4 bytes", bases[2]);
    r->m_numSeries = static_cast<std::uint32_t>(r->m_offsets.size() / 4);
    r->m_lists = sections[3];
    r->m_listsBase = bases[3];

    Decbuf table(sections[4]);
    std::uint64_t nentries = table.uvarint();
    if (!table.ok() || nentries > sections[4].size())
        return r->corruption("bad postings table count", bases[4]);
    r->m_table.reserve(nentries);
    for (std::uint64_t i = 0; i < nentries; ++i) {
        std::uint64_t n = table.uvarint();
        std::uint64_t v = table.uvarint();
        std::uint64_t off = table.uvarint();
        if (!table.ok())
            return r->corruption("postings table entry " + std::to_string(i) + " truncated",
                                 bases[4]);
        auto name = r->symbol(n);
        auto value = r->symbol(v);
        if (!name)
            return name.status();
        if (!value)
            return value.status();
        if (off >= r->m_lists.size())
            return r->corruption(
                "postings table entry " + std::to_string(i) + ": list offset out of bounds",
                bases[4]);
        TableEntry e{*name, *value, off};
        if (!r->m_table.empty()) {
            const TableEntry& p = r->m_table.back();
            if (!(p.name < e.name || (p.name == e.name && p.value < e.value)))
                return r->corruption("postings table not sorted at entry " + std::to_string(i),
                                     bases[4]);
        }
        r->m_table.push_back(e);
    }
    return r;
}

Result<std::string_view> IndexReader::symbol(std::uint64_t ref) const {
    if (ref >= m_symbols.size())
        return corruption("symbol ref " + std::to_string(ref) + " out of range", 0);
    return m_symbols[ref];
}

Status IndexReader::series(std::uint32_t id, model::Labels* labels,
                           std::vector<ChunkMeta>* chunks) const {
    if (id >= m_numSeries)
        return Status::error("series id " + std::to_string(id) + " out of range");
    Decbuf off(m_offsets.substr(static_cast<std::size_t>(id) * 4, 4));
    std::uint32_t start = off.be32();
    if (start >= m_series.size())
        return corruption("series " + std::to_string(id) + ": entry offset out of bounds",
                          m_seriesBase);
    Decbuf d(m_series.substr(start));
    std::uint64_t nl = d.uvarint();
    if (!d.ok() || nl > d.remaining())
        return corruption("series " + std::to_string(id) + ": bad label count",
                          m_seriesBase + start);
    if (labels) {
        std::vector<model::Label> ls;
        ls.reserve(nl);
        for (std::uint64_t i = 0; i < nl; ++i) {
            auto n = symbol(d.uvarint());
            auto v = symbol(d.uvarint());
            if (!d.ok() || !n || !v || v->empty() || (!ls.empty() && ls.back().name >= *n))
                return corruption(
                    "series " + std::to_string(id) + ": bad label " + std::to_string(i),
                    m_seriesBase + start);
            ls.push_back(model::Label{std::string(*n), std::string(*v)});
        }
        *labels = model::Labels::fromSorted(std::move(ls));
    } else {
        for (std::uint64_t i = 0; i < 2 * nl; ++i)
            d.uvarint();
    }
    if (chunks) {
        chunks->clear();
        std::uint64_t nc = d.uvarint();
        if (!d.ok() || nc > d.remaining())
            return corruption("series " + std::to_string(id) + ": bad chunk count",
                              m_seriesBase + start);
        chunks->reserve(nc);
        for (std::uint64_t i = 0; i < nc; ++i) {
            ChunkMeta c;
            if (i == 0) {
                c.mint = d.varint();
                c.maxt = wrapAdd(c.mint, d.uvarint());
                c.ref = d.uvarint();
            } else {
                const ChunkMeta& p = chunks->back();
                c.mint = wrapAdd(p.maxt, d.uvarint());
                c.maxt = wrapAdd(c.mint, d.uvarint());
                c.ref = p.ref + static_cast<std::uint64_t>(d.varint());
            }
            if (c.maxt < c.mint || (i > 0 && c.mint <= chunks->back().maxt))
                return corruption("series " + std::to_string(id) + ": chunk " + std::to_string(i) +
                                      " has an invalid time range",
                                  m_seriesBase + start);
            chunks->push_back(c);
        }
        if (!d.ok())
            return corruption("series " + std::to_string(id) + ": chunk metas truncated",
                              m_seriesBase + start);
    }
    return Status::ok();
}

std::vector<std::string_view> IndexReader::labelNames() const {
    std::vector<std::string_view> out;
    for (const auto& e : m_table)
        if (out.empty() || out.back() != e.name)
            out.push_back(e.name);
    return out;
}

std::vector<std::string_view> IndexReader::labelValues(std::string_view name) const {
    std::vector<std::string_view> out;
    auto lo = std::lower_bound(m_table.begin(), m_table.end(), name,
                               [](const TableEntry& e, std::string_view n) { return e.name < n; });
    for (auto it = lo; it != m_table.end() && it->name == name; ++it)
        out.push_back(it->value);
    return out;
}

Status IndexReader::readList(std::uint64_t offset, Postings* out) const {
    Decbuf d(m_lists.substr(offset));
    std::uint64_t n = d.uvarint();
    if (!d.ok() || n > d.remaining())
        return corruption("postings list: bad count", m_listsBase + offset);
    Postings list;
    list.reserve(n);
    std::uint64_t prev = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t v = d.uvarint();
        std::uint64_t id = i == 0 ? v : prev + v;
        if ((i > 0 && v == 0) || id >= m_numSeries)
            return corruption("postings list: bad series id at entry " + std::to_string(i),
                              m_listsBase + offset);
        list.push_back(static_cast<std::uint32_t>(id));
        prev = id;
    }
    if (!d.ok())
        return corruption("postings list truncated", m_listsBase + offset);
    if (out->empty())
        *out = std::move(list);
    else
        *out = unionPostings(*out, list);
    return Status::ok();
}

Status IndexReader::postings(std::string_view name, std::string_view value, Postings* out) const {
    auto it =
        std::lower_bound(m_table.begin(), m_table.end(), std::make_pair(name, value),
                         [](const TableEntry& e, const auto& k) {
                             return e.name < k.first || (e.name == k.first && e.value < k.second);
                         });
    if (it == m_table.end() || it->name != name || it->value != value)
        return Status::ok();
    return readList(it->offset, out);
}

Result<std::uint64_t> IndexReader::postingsCount(std::string_view name,
                                                 std::string_view value) const {
    Postings p;
    Status st = postings(name, value, &p);
    if (!st.isOk())
        return st;
    return static_cast<std::uint64_t>(p.size());
}

template <typename Pred>
Result<Postings> IndexReader::unionOfValues(std::string_view name, Pred accept) const {
    std::vector<Postings> lists;
    auto lo = std::lower_bound(m_table.begin(), m_table.end(), name,
                               [](const TableEntry& e, std::string_view n) { return e.name < n; });
    for (auto it = lo; it != m_table.end() && it->name == name; ++it) {
        if (!accept(it->value))
            continue;
        Postings p;
        Status st = readList(it->offset, &p);
        if (!st.isOk())
            return st;
        lists.push_back(std::move(p));
    }
    Postings all;
    std::size_t total = 0;
    for (const auto& l : lists)
        total += l.size();
    all.reserve(total);
    for (const auto& l : lists)
        all.insert(all.end(), l.begin(), l.end());
    // Each series has one value per name, so the lists are disjoint.
    std::sort(all.begin(), all.end());
    return all;
}

Result<Postings> IndexReader::postingsForMatchers(
    const std::vector<model::Matcher>& matchers) const {
    std::optional<Postings> result;
    std::vector<Postings> excluded;
    for (const auto& m : matchers) {
        if (m.matchesEmpty()) {
            // Series without the label match; remove those whose value is rejected.
            auto rejected =
                unionOfValues(m.name(), [&](std::string_view v) { return !m.matches(v); });
            if (!rejected)
                return rejected.status();
            excluded.push_back(std::move(rejected.value()));
            continue;
        }
        Result<Postings> matched = Postings{};
        if (m.type() == model::MatchType::kEqual) {
            Postings p;
            Status st = postings(m.name(), m.value(), &p);
            if (!st.isOk())
                return st;
            matched = std::move(p);
        } else {
            matched = unionOfValues(m.name(), [&](std::string_view v) { return m.matches(v); });
            if (!matched)
                return matched.status();
        }
        result = result ? intersectPostings(*result, *matched) : std::move(matched.value());
        if (result->empty())
            return Postings{};
    }
    if (!result) {
        Postings all(m_numSeries);
        for (std::uint32_t i = 0; i < m_numSeries; ++i)
            all[i] = i;
        result = std::move(all);
    }
    for (const auto& e : excluded)
        result = subtractPostings(*result, e);
    return std::move(*result);
}

Postings intersectPostings(const Postings& a, const Postings& b) {
    Postings out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

Postings unionPostings(const Postings& a, const Postings& b) {
    Postings out;
    out.reserve(a.size() + b.size());
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

Postings subtractPostings(const Postings& a, const Postings& b) {
    Postings out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

}  // namespace vigil::tsdb
