#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/model/matcher.h"
#include "core/tsdb/index/index_writer.h"
#include "core/tsdb/index/mapped_file.h"
#include "core/util/status.h"

namespace vigil::tsdb {

// Series ids of a block, sorted increasing (which is label order).
using Postings = std::vector<std::uint32_t>;

// Reads a block's `index` file (FORMAT.md, "Index"). open() validates the
// header, the TOC and every section's checksum; later reads still check
// every offset and count and report Corruption instead of reading out of
// bounds. Immutable after open(); thread-safe. Views it returns point into
// the mapped file and stay valid while the reader lives.
class IndexReader {
public:
    static Result<std::unique_ptr<IndexReader>> open(std::shared_ptr<const MappedFile> file);

    std::uint32_t numSeries() const { return m_numSeries; }
    std::size_t numSymbols() const { return m_symbols.size(); }
    // Number of (name, value) pairs with a postings list.
    std::size_t numLabelPairs() const { return m_table.size(); }
    std::uint64_t sizeBytes() const { return m_file->data().size(); }

    // The labels and chunk metas of series `id`.
    Status series(std::uint32_t id, model::Labels* labels, std::vector<ChunkMeta>* chunks) const;

    // Label names present in the block, sorted.
    std::vector<std::string_view> labelNames() const;
    // Values of `name` (sorted); empty when the name is absent.
    std::vector<std::string_view> labelValues(std::string_view name) const;
    // Appends, merged into `out` kept sorted, the series with name=value.
    Status postings(std::string_view name, std::string_view value, Postings* out) const;
    // Number of series with label `name` = `value` (0 when absent).
    Result<std::uint64_t> postingsCount(std::string_view name, std::string_view value) const;

    // Series matching every matcher, with Prometheus's semantics: an absent
    // label is "", so a matcher that accepts "" also selects series without
    // the label; with no matcher that rejects "", evaluation starts from all
    // series. An empty matcher list selects all series.
    Result<Postings> postingsForMatchers(const std::vector<model::Matcher>& matchers) const;

private:
    struct TableEntry {
        std::string_view name;
        std::string_view value;
        std::uint64_t offset;
    };

    IndexReader() = default;
    Status corruption(const std::string& what, std::uint64_t offset) const;
    Result<std::string_view> symbol(std::uint64_t ref) const;
    Status readList(std::uint64_t offset, Postings* out) const;
    // Union of the postings of every value of `name` that `accept` accepts.
    template <typename Pred>
    Result<Postings> unionOfValues(std::string_view name, Pred accept) const;

    std::shared_ptr<const MappedFile> m_file;
    std::vector<std::string_view> m_symbols;
    std::string_view m_series;
    std::uint64_t m_seriesBase = 0;  // file offset of the series payload
    std::string_view m_offsets;
    std::string_view m_lists;
    std::uint64_t m_listsBase = 0;
    std::vector<TableEntry> m_table;  // sorted by (name, value)
    std::uint32_t m_numSeries = 0;
};

// Sorted-list set operations on postings.
Postings intersectPostings(const Postings& a, const Postings& b);
Postings unionPostings(const Postings& a, const Postings& b);
Postings subtractPostings(const Postings& a, const Postings& b);

}  // namespace vigil::tsdb
