#include "core/logs/store/chunk_codec.h"

#include <snappy.h>
#include <zstd.h>

namespace vigil::logs::store {

const char* chunkEncodingName(ChunkEncoding encoding) {
    switch (encoding) {
        case ChunkEncoding::kSnappy:
            return "snappy";
        case ChunkEncoding::kZstd:
            return "zstd";
    }
    return "unknown";
}

std::optional<ChunkEncoding> parseChunkEncoding(std::string_view name) {
    if (name == "snappy")
        return ChunkEncoding::kSnappy;
    if (name == "zstd")
        return ChunkEncoding::kZstd;
    return std::nullopt;
}

std::optional<ChunkEncoding> chunkEncodingFromByte(std::uint8_t byte) {
    switch (byte) {
        case static_cast<std::uint8_t>(ChunkEncoding::kSnappy):
            return ChunkEncoding::kSnappy;
        case static_cast<std::uint8_t>(ChunkEncoding::kZstd):
            return ChunkEncoding::kZstd;
        default:
            return std::nullopt;
    }
}

BlockCompressor::BlockCompressor() = default;

BlockCompressor::~BlockCompressor() {
    ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(m_zstd));
}

Status BlockCompressor::compress(ChunkEncoding encoding, int zstdLevel, std::string_view raw,
                                 std::string& out) {
    const std::size_t at = out.size();
    if (encoding == ChunkEncoding::kSnappy) {
        out.resize(at + snappy::MaxCompressedLength(raw.size()));
        std::size_t n = 0;
        snappy::RawCompress(raw.data(), raw.size(), out.data() + at, &n);
        out.resize(at + n);
        return Status::ok();
    }
    if (!m_zstd) {
        m_zstd = ZSTD_createCCtx();
        if (!m_zstd)
            return Status::error("zstd: cannot allocate a compression context");
    }
    auto* cctx = static_cast<ZSTD_CCtx*>(m_zstd);
    out.resize(at + ZSTD_compressBound(raw.size()));
    // compressBound guarantees room, so what remains is running out of
    // memory for the context's tables.
    const std::size_t n = ZSTD_compressCCtx(cctx, out.data() + at, out.size() - at, raw.data(),
                                            raw.size(), zstdLevel);
    out.resize(ZSTD_isError(n) ? at : at + n);
    if (ZSTD_isError(n))
        return Status::error(std::string("zstd: compressing a block: ") + ZSTD_getErrorName(n));
    return Status::ok();
}

BlockDecompressor::BlockDecompressor() = default;

BlockDecompressor::~BlockDecompressor() {
    ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(m_zstd));
}

std::string BlockDecompressor::decompress(ChunkEncoding encoding, std::string_view compressed,
                                          std::uint64_t rawLen, std::string& out) {
    if (encoding == ChunkEncoding::kSnappy) {
        std::size_t n = 0;
        if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(), &n) || n != rawLen)
            return "snappy block length does not match the header's " + std::to_string(rawLen);
        out.resize(n);
        if (!snappy::RawUncompress(compressed.data(), compressed.size(), out.data()))
            return "snappy block does not decompress";
        return {};
    }
    const unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
        return "zstd block has no valid frame header";
    if (size != rawLen)
        return "zstd block length " + std::to_string(size) + " does not match the header's " +
               std::to_string(rawLen);
    if (!m_zstd) {
        m_zstd = ZSTD_createDCtx();
        if (!m_zstd)
            return "zstd: cannot allocate a decompression context";
    }
    out.resize(static_cast<std::size_t>(size));
    const std::size_t n = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(m_zstd), out.data(),
                                              out.size(), compressed.data(), compressed.size());
    if (ZSTD_isError(n))
        return std::string("zstd block does not decompress: ") + ZSTD_getErrorName(n);
    if (n != out.size())
        return "zstd block decompresses to " + std::to_string(n) + " bytes, not " +
               std::to_string(out.size());
    return {};
}

BlockDecompressor& threadBlockDecompressor() {
    thread_local BlockDecompressor decompressor;
    return decompressor;
}

}  // namespace vigil::logs::store
