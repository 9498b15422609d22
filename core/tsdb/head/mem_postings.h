#pragma once

// The head's inverted index (Prometheus tsdb/index/postings.go MemPostings):
// label name -> label value -> sorted refs of the series carrying that pair,
// plus the list of every series. Names and values are symbol ids.

#include <cstdint>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/matcher.h"
#include "core/tsdb/head/symbol_table.h"

namespace vigil::tsdb::head {

// Thread-safety: all methods are thread-safe (one reader-writer lock; writers
// are series creation and garbage collection, not sample appends).
class MemPostings {
public:
    // Adds `ref` under each (name, value) pair of `labelIds` (alternating
    // name and value ids, as MemSeries::labelIds()).
    void add(std::uint64_t ref, std::span<const std::uint32_t> labelIds);

    struct Removed {
        std::uint64_t ref = 0;
        std::vector<std::uint32_t> labelIds;
    };
    // Removes the given series from every list they are in.
    void remove(const std::vector<Removed>& removed);

    // The refs (sorted) of the series that every matcher accepts, with
    // Prometheus's PostingsForMatchers semantics: a series lacking a label
    // has the value "" for it. Empty `matchers` select every series.
    std::vector<std::uint64_t> select(const std::vector<model::Matcher>& matchers,
                                      const SymbolTable& symbols) const;

    // Every label name / every value of `name` of the series in the index, sorted.
    std::vector<std::string> labelNames(const SymbolTable& symbols) const;
    std::vector<std::string> labelValues(std::string_view name, const SymbolTable& symbols) const;

    std::size_t memoryBytes() const;

private:
    using ValueMap = std::unordered_map<std::uint32_t, std::vector<std::uint64_t>>;

    // The union of the lists of the values of `nameId` for which
    // `m.matches(value) == want`. REQUIRES: m_mutex held (shared).
    std::vector<std::uint64_t> unionOf(const ValueMap& values, const model::Matcher& m, bool want,
                                       const SymbolTable& symbols) const;

    mutable std::shared_mutex m_mutex;
    std::unordered_map<std::uint32_t, ValueMap> m_index;  // GUARDED_BY(m_mutex)
    std::vector<std::uint64_t> m_all;                     // GUARDED_BY(m_mutex)
};

// Sorted-list set operations.
std::vector<std::uint64_t> intersectPostings(std::vector<std::vector<std::uint64_t>> lists);
std::vector<std::uint64_t> subtractPostings(const std::vector<std::uint64_t>& from,
                                            const std::vector<std::uint64_t>& remove);

}  // namespace vigil::tsdb::head
