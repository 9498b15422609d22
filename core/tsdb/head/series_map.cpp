#include "core/tsdb/head/series_map.h"

#include <mutex>

namespace vigil::tsdb::head {

namespace {

// Refs are sequential: spread them over stripes by their low bits.
std::size_t refStripe(std::uint64_t ref, std::size_t stripes) {
    return static_cast<std::size_t>(ref % stripes);
}
// Label hashes are well mixed already; use their high bits (the low ones
// pick the bucket inside the stripe's map).
std::size_t hashStripe(std::uint64_t hash, std::size_t stripes) {
    return static_cast<std::size_t>((hash >> 40) % stripes);
}

}  // namespace

std::uint64_t seriesHash(const model::Labels& labels) {
    const std::hash<std::string_view> hasher;
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (const auto& l : labels) {
        h = (h ^ hasher(l.name)) * 0xbf58476d1ce4e5b9ULL;
        h = (h ^ hasher(l.value)) * 0x94d049bb133111ebULL;
        h ^= h >> 29;
    }
    return h;
}

SeriesMap::SeriesMap(SymbolTable& symbols)
    : m_symbols(symbols),
      m_hashStripes(new HashStripe[kStripes]),
      m_refStripes(new RefStripe[kStripes]) {}

SeriesMap::~SeriesMap() = default;

MemSeries* SeriesMap::findLocked(const HashStripe& stripe, const model::Labels& labels,
                                 std::uint64_t hash) const {
    auto it = stripe.byHash.find(hash);
    if (it == stripe.byHash.end())
        return nullptr;
    for (MemSeries* s = it->second; s != nullptr; s = s->hashNext) {
        if (s->labelsEqual(labels, m_symbols))
            return s;
    }
    return nullptr;
}

SeriesMap::GetResult SeriesMap::getOrCreate(const model::Labels& labels, std::uint64_t hash,
                                            std::uint64_t ref, bool pin) {
    HashStripe& hs = m_hashStripes[hashStripe(hash, kStripes)];
    {
        std::shared_lock lock(hs.mutex);
        if (MemSeries* s = findLocked(hs, labels, hash)) {
            if (pin) {
                std::lock_guard guard(s->lock());
                ++s->pendingAppends;
            }
            return {s, false};
        }
    }
    // Intern outside the stripe lock: the symbol table has its own.
    std::vector<std::uint32_t> ids;
    ids.reserve(labels.size() * 2);
    for (const auto& l : labels) {
        ids.push_back(m_symbols.intern(l.name));
        ids.push_back(m_symbols.intern(l.value));
    }
    std::unique_lock lock(hs.mutex);
    if (MemSeries* s = findLocked(hs, labels, hash)) {
        if (pin) {
            std::lock_guard guard(s->lock());
            ++s->pendingAppends;
        }
        return {s, false};
    }
    if (ref == 0)
        ref = m_nextRef.fetch_add(1, std::memory_order_relaxed);
    else
        reserveRef(ref);
    auto owned = std::make_unique<MemSeries>(ref, hash, std::move(ids));
    MemSeries* s = owned.get();
    if (pin)
        s->pendingAppends = 1;  // not yet visible to anyone
    auto [it, inserted] = hs.byHash.try_emplace(hash, s);
    if (!inserted) {
        s->hashNext = it->second;
        it->second = s;
    }
    {
        RefStripe& rs = m_refStripes[refStripe(ref, kStripes)];
        std::unique_lock refLock(rs.mutex);
        rs.byRef.emplace(ref, std::move(owned));
    }
    m_size.fetch_add(1, std::memory_order_relaxed);
    return {s, true};
}

void SeriesMap::reserveRef(std::uint64_t ref) {
    std::uint64_t next = m_nextRef.load(std::memory_order_relaxed);
    while (next <= ref && !m_nextRef.compare_exchange_weak(next, ref + 1)) {
    }
}

bool SeriesMap::forRef(std::uint64_t ref, const std::function<void(MemSeries&)>& fn) const {
    const RefStripe& rs = m_refStripes[refStripe(ref, kStripes)];
    std::shared_lock lock(rs.mutex);
    auto it = rs.byRef.find(ref);
    if (it == rs.byRef.end())
        return false;
    fn(*it->second);
    return true;
}

bool SeriesMap::contains(std::uint64_t ref) const {
    const RefStripe& rs = m_refStripes[refStripe(ref, kStripes)];
    std::shared_lock lock(rs.mutex);
    return rs.byRef.count(ref) != 0;
}

void SeriesMap::forEach(const std::function<void(MemSeries&)>& fn) const {
    for (std::size_t i = 0; i < kStripes; ++i) {
        const RefStripe& rs = m_refStripes[i];
        std::shared_lock lock(rs.mutex);
        for (const auto& [ref, s] : rs.byRef)
            fn(*s);
    }
}

std::size_t SeriesMap::removeIf(const std::function<bool(const MemSeries&)>& pred,
                                const std::function<void(const MemSeries&)>& onRemoved) {
    // Find candidates under shared locks, then remove each under the
    // exclusive locks in the documented order, checking again.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> candidates;  // ref, hash
    forEach([&](MemSeries& s) {
        std::lock_guard guard(s.lock());
        if (pred(s))
            candidates.emplace_back(s.ref(), s.hash());
    });
    std::size_t removed = 0;
    for (const auto& [ref, hash] : candidates) {
        HashStripe& hs = m_hashStripes[hashStripe(hash, kStripes)];
        RefStripe& rs = m_refStripes[refStripe(ref, kStripes)];
        std::unique_lock hashLock(hs.mutex);
        std::unique_lock refLock(rs.mutex);
        auto it = rs.byRef.find(ref);
        if (it == rs.byRef.end())
            continue;
        MemSeries* s = it->second.get();
        {
            std::lock_guard guard(s->lock());
            if (!pred(*s))
                continue;
        }
        auto hit = hs.byHash.find(hash);
        if (hit != hs.byHash.end()) {
            if (hit->second == s) {
                if (s->hashNext != nullptr)
                    hit->second = s->hashNext;
                else
                    hs.byHash.erase(hit);
            } else {
                for (MemSeries* p = hit->second; p != nullptr; p = p->hashNext) {
                    if (p->hashNext == s) {
                        p->hashNext = s->hashNext;
                        break;
                    }
                }
            }
        }
        onRemoved(*s);
        rs.byRef.erase(it);
        m_size.fetch_sub(1, std::memory_order_relaxed);
        ++removed;
    }
    return removed;
}

std::size_t SeriesMap::memoryBytes() const {
    std::size_t bytes = kStripes * (sizeof(HashStripe) + sizeof(RefStripe));
    for (std::size_t i = 0; i < kStripes; ++i) {
        {
            std::shared_lock lock(m_hashStripes[i].mutex);
            // A node holds key, value, next pointer and the cached hash.
            bytes +=
                m_hashStripes[i].byHash.size() * 32 + m_hashStripes[i].byHash.bucket_count() * 8;
        }
        std::shared_lock lock(m_refStripes[i].mutex);
        bytes += m_refStripes[i].byRef.size() * 32 + m_refStripes[i].byRef.bucket_count() * 8;
    }
    return bytes;
}

}  // namespace vigil::tsdb::head
