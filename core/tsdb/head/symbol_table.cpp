#include "core/tsdb/head/symbol_table.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vigil::tsdb::head {

SymbolTable::SymbolTable() : m_blocks(new std::atomic<std::string_view*>[kMaxBlocks]) {
    for (std::uint32_t i = 0; i < kMaxBlocks; ++i)
        m_blocks[i].store(nullptr, std::memory_order_relaxed);
}

SymbolTable::~SymbolTable() {
    for (std::uint32_t i = 0; i < kMaxBlocks; ++i)
        delete[] m_blocks[i].load(std::memory_order_relaxed);
}

std::string_view SymbolTable::store(std::string_view s) {
    if (s.size() > kArenaChunk / 4) {
        // Large strings get their own allocation so they do not waste a chunk.
        m_arena.emplace_back(new char[s.size()]);
        m_arenaBytes += s.size();
        std::memcpy(m_arena.back().get(), s.data(), s.size());
        char* p = m_arena.back().get();
        // Keep the current chunk the last one for small strings.
        if (m_arena.size() >= 2)
            std::swap(m_arena[m_arena.size() - 1], m_arena[m_arena.size() - 2]);
        return {p, s.size()};
    }
    if (m_arenaUsed + s.size() > kArenaChunk) {
        m_arena.emplace_back(new char[kArenaChunk]);
        m_arenaBytes += kArenaChunk;
        m_arenaUsed = 0;
    }
    char* p = m_arena.back().get() + m_arenaUsed;
    std::memcpy(p, s.data(), s.size());
    m_arenaUsed += s.size();
    return {p, s.size()};
}

std::uint32_t SymbolTable::intern(std::string_view s) {
    {
        std::shared_lock lock(m_mutex);
        auto it = m_ids.find(s);
        if (it != m_ids.end())
            return it->second;
    }
    std::unique_lock lock(m_mutex);
    auto it = m_ids.find(s);
    if (it != m_ids.end())
        return it->second;
    const std::uint32_t id = m_count;
    if ((id >> kBlockBits) >= kMaxBlocks) {
        std::fprintf(stderr, "vigil: head symbol table full (%u symbols)\n", id);
        std::abort();
    }
    std::string_view* block = m_blocks[id >> kBlockBits].load(std::memory_order_relaxed);
    if (block == nullptr) {
        block = new std::string_view[kBlockSize];
        m_blocks[id >> kBlockBits].store(block, std::memory_order_release);
    }
    const std::string_view stored = store(s);
    block[id & kBlockMask] = stored;
    m_ids.emplace(stored, id);
    ++m_count;
    return id;
}

std::optional<std::uint32_t> SymbolTable::find(std::string_view s) const {
    std::shared_lock lock(m_mutex);
    auto it = m_ids.find(s);
    if (it == m_ids.end())
        return std::nullopt;
    return it->second;
}

std::size_t SymbolTable::size() const {
    std::shared_lock lock(m_mutex);
    return m_count;
}

std::size_t SymbolTable::memoryBytes() const {
    std::shared_lock lock(m_mutex);
    const std::size_t blocks = (m_count + kBlockSize - 1) / kBlockSize;
    // Map: a node (key view + id + next + hash) plus a bucket pointer each.
    return m_arenaBytes + blocks * kBlockSize * sizeof(std::string_view) +
           kMaxBlocks * sizeof(void*) + m_ids.size() * 48 + m_ids.bucket_count() * 8;
}

}  // namespace vigil::tsdb::head
