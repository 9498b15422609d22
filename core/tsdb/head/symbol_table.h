#pragma once

// Label string interning for the head: every distinct label name and value is
// stored once and series refer to it by a 32-bit id (Prometheus keeps strings
// per series; interning is what brings the head under 1 KiB per series).

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil::tsdb::head {

// Thread-safety: intern() and find() may be called from any thread (a shared
// lock for lookups, an exclusive one to add). symbol() takes no lock: an id
// obtained by any thread through a synchronising hand-over (a lock, an
// acquire load) may be resolved from any other. Symbols are never freed
// while the table lives, so a string_view from symbol() stays valid that long.
class SymbolTable {
public:
    SymbolTable();
    ~SymbolTable();
    SymbolTable(const SymbolTable&) = delete;
    SymbolTable& operator=(const SymbolTable&) = delete;

    // The id of `s`, adding it if it is new. Aborts when 2^26 distinct
    // strings are exceeded (far beyond what a workstation's head holds).
    std::uint32_t intern(std::string_view s);
    // The id of `s` if it is interned.
    std::optional<std::uint32_t> find(std::string_view s) const;
    // REQUIRES: `id` was returned by intern() or find().
    std::string_view symbol(std::uint32_t id) const {
        return m_blocks[id >> kBlockBits].load(std::memory_order_acquire)[id & kBlockMask];
    }

    std::size_t size() const;
    // Bytes held: strings, the id blocks and the lookup map (estimated).
    std::size_t memoryBytes() const;

private:
    static constexpr std::uint32_t kBlockBits = 12;
    static constexpr std::uint32_t kBlockSize = 1u << kBlockBits;
    static constexpr std::uint32_t kBlockMask = kBlockSize - 1;
    static constexpr std::uint32_t kMaxBlocks = 1u << 14;
    static constexpr std::size_t kArenaChunk = 64 * 1024;

    std::string_view store(std::string_view s);  // REQUIRES: m_mutex held exclusively

    mutable std::shared_mutex m_mutex;
    std::unordered_map<std::string_view, std::uint32_t> m_ids;  // GUARDED_BY(m_mutex)
    std::vector<std::unique_ptr<char[]>> m_arena;               // GUARDED_BY(m_mutex)
    std::size_t m_arenaUsed = kArenaChunk;                      // GUARDED_BY(m_mutex)
    std::size_t m_arenaBytes = 0;                               // GUARDED_BY(m_mutex)
    std::uint32_t m_count = 0;                                  // GUARDED_BY(m_mutex)
    // Blocks of kBlockSize views; a block pointer is published (release)
    // before any id in it is handed out.
    std::unique_ptr<std::atomic<std::string_view*>[]> m_blocks;
};

}  // namespace vigil::tsdb::head
