#pragma once

// Block compression of the log store's chunks (core/logs/store/FORMAT.md,
// "Chunk segment files"): the encoding byte of a chunk record and the
// compressor/decompressor pair for each encoding.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/status.h"

namespace vigil::logs::store {

// The values are the chunk header's encoding byte: never renumber.
enum class ChunkEncoding : std::uint8_t {
    kSnappy = 1,  // raw snappy block format (no framing); version 1 chunks are all snappy
    kZstd = 2,    // one zstd frame per block, content size in the frame header
};

// The zstd level new chunks use unless LogStoreOptions says otherwise.
// Measured with tests/bench/logs_store.sh: level 1 stores the bench's log
// lines at 1/5.27 of raw; levels 2 and 3 do worse on 256 KiB blocks (1/5.0)
// and cost more ingest CPU.
constexpr int kDefaultZstdLevel = 1;

// "snappy" / "zstd": Loki's chunk_encoding names.
const char* chunkEncodingName(ChunkEncoding encoding);
std::optional<ChunkEncoding> parseChunkEncoding(std::string_view name);
// A chunk header's encoding byte, or nullopt for a value this version does
// not know.
std::optional<ChunkEncoding> chunkEncodingFromByte(std::uint8_t byte);

// Compresses blocks. Holds the zstd compression context, whose tables are
// allocated once and reused by every block it compresses.
// Thread-safety: none; the store uses its compressor under its exclusive
// lock.
class BlockCompressor {
public:
    BlockCompressor();
    ~BlockCompressor();
    BlockCompressor(const BlockCompressor&) = delete;
    BlockCompressor& operator=(const BlockCompressor&) = delete;

    // Appends the compressed form of `raw` to `out`. zstdLevel is used only
    // for kZstd (zstd clamps it to its range). Fails only when zstd cannot
    // allocate its context.
    Status compress(ChunkEncoding encoding, int zstdLevel, std::string_view raw, std::string& out);

private:
    void* m_zstd = nullptr;  // ZSTD_CCtx, created on first use
};

// Decompresses blocks. Holds the zstd decompression context; see
// threadBlockDecompressor() for the one each scanning thread reuses.
// Thread-safety: none.
class BlockDecompressor {
public:
    BlockDecompressor();
    ~BlockDecompressor();
    BlockDecompressor(const BlockDecompressor&) = delete;
    BlockDecompressor& operator=(const BlockDecompressor&) = delete;

    // Decompresses `compressed`, which the chunk header says holds `rawLen`
    // bytes, into `out` (resized to rawLen; its capacity is reused). Returns
    // an empty string on success, otherwise why the block is damaged (the
    // caller names the chunk). The length recorded inside the block is
    // checked against rawLen before anything is allocated, so a damaged
    // header cannot make it allocate more than the block says; it never
    // reads or writes out of bounds on damaged input.
    std::string decompress(ChunkEncoding encoding, std::string_view compressed,
                           std::uint64_t rawLen, std::string& out);

private:
    void* m_zstd = nullptr;  // ZSTD_DCtx, created on first use
};

// The calling thread's decompressor: a scan decompresses every block of every
// chunk through one context per thread instead of allocating one per block.
BlockDecompressor& threadBlockDecompressor();

}  // namespace vigil::logs::store
