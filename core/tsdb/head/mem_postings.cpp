#include "core/tsdb/head/mem_postings.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <mutex>

namespace vigil::tsdb::head {

namespace {

void insertSorted(std::vector<std::uint64_t>& list, std::uint64_t ref) {
    // Refs are handed out in increasing order, so this is nearly always an append.
    if (list.empty() || list.back() < ref) {
        list.push_back(ref);
        return;
    }
    auto it = std::lower_bound(list.begin(), list.end(), ref);
    if (it == list.end() || *it != ref)
        list.insert(it, ref);
}

void eraseSorted(std::vector<std::uint64_t>& list, const std::vector<std::uint64_t>& sortedRefs) {
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](std::uint64_t r) {
                                  return std::binary_search(sortedRefs.begin(), sortedRefs.end(),
                                                            r);
                              }),
               list.end());
}

}  // namespace

std::vector<std::uint64_t> intersectPostings(std::vector<std::vector<std::uint64_t>> lists) {
    if (lists.empty())
        return {};
    std::sort(lists.begin(), lists.end(),
              [](const auto& a, const auto& b) { return a.size() < b.size(); });
    std::vector<std::uint64_t> acc = std::move(lists[0]), tmp;
    for (std::size_t i = 1; i < lists.size() && !acc.empty(); ++i) {
        tmp.clear();
        std::set_intersection(acc.begin(), acc.end(), lists[i].begin(), lists[i].end(),
                              std::back_inserter(tmp));
        acc.swap(tmp);
    }
    return acc;
}

std::vector<std::uint64_t> subtractPostings(const std::vector<std::uint64_t>& from,
                                            const std::vector<std::uint64_t>& remove) {
    std::vector<std::uint64_t> out;
    out.reserve(from.size());
    std::set_difference(from.begin(), from.end(), remove.begin(), remove.end(),
                        std::back_inserter(out));
    return out;
}

void MemPostings::add(std::uint64_t ref, std::span<const std::uint32_t> labelIds) {
    std::unique_lock lock(m_mutex);
    for (std::size_t i = 0; i + 1 < labelIds.size(); i += 2)
        insertSorted(m_index[labelIds[i]][labelIds[i + 1]], ref);
    insertSorted(m_all, ref);
}

void MemPostings::remove(const std::vector<Removed>& removed) {
    if (removed.empty())
        return;
    // Group the refs per list so each list is rewritten once.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint64_t>> perList;
    std::vector<std::uint64_t> all;
    for (const auto& r : removed) {
        all.push_back(r.ref);
        for (std::size_t i = 0; i + 1 < r.labelIds.size(); i += 2)
            perList[{r.labelIds[i], r.labelIds[i + 1]}].push_back(r.ref);
    }
    std::sort(all.begin(), all.end());
    std::unique_lock lock(m_mutex);
    for (auto& [key, refs] : perList) {
        std::sort(refs.begin(), refs.end());
        auto nit = m_index.find(key.first);
        if (nit == m_index.end())
            continue;
        auto vit = nit->second.find(key.second);
        if (vit == nit->second.end())
            continue;
        eraseSorted(vit->second, refs);
        if (vit->second.empty()) {
            nit->second.erase(vit);
            if (nit->second.empty())
                m_index.erase(nit);
        }
    }
    eraseSorted(m_all, all);
}

std::vector<std::uint64_t> MemPostings::unionOf(const ValueMap& values, const model::Matcher& m,
                                                bool want, const SymbolTable& symbols) const {
    std::vector<std::uint64_t> out;
    std::size_t lists = 0;
    for (const auto& [valueId, refs] : values) {
        if (m.matches(symbols.symbol(valueId)) == want) {
            out.insert(out.end(), refs.begin(), refs.end());
            ++lists;
        }
    }
    if (lists > 1) {
        // A series has one value per name, so the lists are disjoint.
        std::sort(out.begin(), out.end());
    }
    return out;
}

std::vector<std::uint64_t> MemPostings::select(const std::vector<model::Matcher>& matchers,
                                               const SymbolTable& symbols) const {
    using model::MatchType;
    std::vector<std::vector<std::uint64_t>> its, notIts;
    std::shared_lock lock(m_mutex);
    for (const auto& m : matchers) {
        const auto nameId = symbols.find(m.name());
        const ValueMap* values = nullptr;
        if (nameId) {
            auto it = m_index.find(*nameId);
            if (it != m_index.end())
                values = &it->second;
        }
        // Exact values are looked up directly; everything else walks the
        // values of the name.
        auto exact = [&](const std::string& value) -> std::vector<std::uint64_t> {
            if (values == nullptr)
                return {};
            auto id = symbols.find(value);
            if (!id)
                return {};
            auto it = values->find(*id);
            return it == values->end() ? std::vector<std::uint64_t>{} : it->second;
        };
        if (!m.matchesEmpty()) {
            // Only series that have the label with a matching value.
            if (values == nullptr)
                return {};
            std::vector<std::uint64_t> list = m.type() == MatchType::kEqual
                                                  ? exact(m.value())
                                                  : unionOf(*values, m, true, symbols);
            if (list.empty())
                return {};
            its.push_back(std::move(list));
        } else if (values != nullptr) {
            // Every series except those having the label with a value the
            // matcher refuses (series without the label have "" and match).
            std::vector<std::uint64_t> list = m.type() == MatchType::kNotEqual
                                                  ? exact(m.value())
                                                  : unionOf(*values, m, false, symbols);
            if (!list.empty())
                notIts.push_back(std::move(list));
        }
    }
    std::vector<std::uint64_t> result = its.empty() ? m_all : intersectPostings(std::move(its));
    lock.unlock();
    for (const auto& n : notIts) {
        if (result.empty())
            break;
        result = subtractPostings(result, n);
    }
    return result;
}

std::vector<std::string> MemPostings::labelNames(const SymbolTable& symbols) const {
    std::vector<std::string> out;
    {
        std::shared_lock lock(m_mutex);
        for (const auto& [nameId, values] : m_index)
            out.emplace_back(symbols.symbol(nameId));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> MemPostings::labelValues(std::string_view name,
                                                  const SymbolTable& symbols) const {
    std::vector<std::string> out;
    const auto nameId = symbols.find(name);
    if (!nameId)
        return out;
    {
        std::shared_lock lock(m_mutex);
        auto it = m_index.find(*nameId);
        if (it == m_index.end())
            return out;
        for (const auto& [valueId, refs] : it->second)
            out.emplace_back(symbols.symbol(valueId));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t MemPostings::memoryBytes() const {
    std::shared_lock lock(m_mutex);
    std::size_t bytes = m_all.capacity() * sizeof(std::uint64_t);
    for (const auto& [nameId, values] : m_index) {
        bytes += 64 + values.bucket_count() * 8;
        for (const auto& [valueId, refs] : values)
            bytes += 48 + refs.capacity() * sizeof(std::uint64_t);
    }
    return bytes;
}

}  // namespace vigil::tsdb::head
