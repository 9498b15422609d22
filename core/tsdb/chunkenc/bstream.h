#pragma once

// Bit and varint primitives shared by the chunk encodings.
//
// Bits are written most-significant first inside each byte, exactly as
// Prometheus's tsdb/chunkenc/bstream.go does, so that an XOR chunk written here
// is byte-identical to one written by Prometheus. Varints are Go's
// encoding/binary varints (LEB128; signed ones zig-zag encoded first).
//
// Thread-safety: none of these types are thread-safe; use one per thread.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vigil::tsdb {

inline constexpr int kMaxVarintLen64 = 10;

inline std::uint64_t zigzagEncode(std::int64_t x) {
    return (static_cast<std::uint64_t>(x) << 1) ^ static_cast<std::uint64_t>(x >> 63);
}
inline std::int64_t zigzagDecode(std::uint64_t u) {
    return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
}

inline int uvarintLen(std::uint64_t v) {
    return v == 0 ? 1 : (std::bit_width(v) + 6) / 7;
}

inline void putUvarint(std::vector<std::uint8_t>& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(v) | 0x80);
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}
inline void putVarint(std::vector<std::uint8_t>& out, std::int64_t v) {
    putUvarint(out, zigzagEncode(v));
}

// Appends bits to a byte vector. The writer remembers how many low bits of the
// last byte are still free; the vector must not be modified by anyone else
// between writes.
class BitWriter {
public:
    // `freeBits` is the number of unused low bits in out.back() (0..7); pass
    // the value from a previous writer's freeBits() to continue its stream.
    explicit BitWriter(std::vector<std::uint8_t>& out, int freeBits = 0)
        : m_out(out), m_free(freeBits) {}

    void writeBit(bool bit) {
        if (m_free == 0) {
            m_out.push_back(0);
            m_free = 8;
        }
        --m_free;
        if (bit)
            m_out.back() |= static_cast<std::uint8_t>(1u << m_free);
    }

    // Writes the low `n` bits of `v`, most significant first. REQUIRES: 0 <= n <= 64.
    void writeBits(std::uint64_t v, int n) {
        while (n > 0) {
            if (m_free == 0) {
                m_out.push_back(0);
                m_free = 8;
            }
            const int take = n < m_free ? n : m_free;
            const auto bits = static_cast<std::uint8_t>((v >> (n - take)) & ((1u << take) - 1u));
            m_out.back() |= static_cast<std::uint8_t>(bits << (m_free - take));
            m_free -= take;
            n -= take;
        }
    }

    void writeByte(std::uint8_t b) { writeBits(b, 8); }

    // Ends the current byte: the next write starts a new byte.
    void alignToByte() { m_free = 0; }
    int freeBits() const { return m_free; }

private:
    std::vector<std::uint8_t>& m_out;
    int m_free;
};

// Reads bits written by BitWriter. Every read checks bounds and returns false
// at the end of the data instead of reading past it.
class BitReader {
public:
    explicit BitReader(std::span<const std::uint8_t> data, std::size_t byteOffset = 0)
        : m_data(data), m_pos(byteOffset * 8) {}

    bool readBit(bool& bit) {
        if (m_pos >= m_data.size() * 8)
            return false;
        bit = (m_data[m_pos >> 3] >> (7 - (m_pos & 7))) & 1u;
        ++m_pos;
        return true;
    }

    // REQUIRES: 0 <= n <= 64.
    bool readBits(int n, std::uint64_t& out) {
        if (n == 0) {
            out = 0;
            return true;
        }
        const std::size_t byte = m_pos >> 3;
        const int off = static_cast<int>(m_pos & 7);
        if (m_pos + static_cast<std::size_t>(n) > m_data.size() * 8)
            return false;
        if (off + n <= 64 && byte + 8 <= m_data.size()) {
            // Fast path: one unaligned big-endian 64-bit load.
            std::uint64_t w = 0;
            for (int i = 0; i < 8; ++i)
                w = (w << 8) | m_data[byte + static_cast<std::size_t>(i)];
            out = (w << off) >> (64 - n);
            m_pos += static_cast<std::size_t>(n);
            return true;
        }
        std::uint64_t v = 0;
        while (n > 0) {
            const int avail = 8 - static_cast<int>(m_pos & 7);
            const int take = n < avail ? n : avail;
            const unsigned b = m_data[m_pos >> 3];
            v = (v << take) | ((b >> (avail - take)) & ((1u << take) - 1u));
            m_pos += static_cast<std::size_t>(take);
            n -= take;
        }
        out = v;
        return true;
    }

    bool readByte(std::uint8_t& b) {
        std::uint64_t v = 0;
        if (!readBits(8, v))
            return false;
        b = static_cast<std::uint8_t>(v);
        return true;
    }

    // Go's binary.ReadUvarint: fails on truncation and on overflow past 64 bits.
    bool readUvarint(std::uint64_t& out) {
        std::uint64_t x = 0;
        int shift = 0;
        for (int i = 0; i < kMaxVarintLen64; ++i) {
            std::uint8_t b = 0;
            if (!readByte(b))
                return false;
            if (b < 0x80) {
                if (i == kMaxVarintLen64 - 1 && b > 1)
                    return false;
                out = x | (static_cast<std::uint64_t>(b) << shift);
                return true;
            }
            x |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            shift += 7;
        }
        return false;
    }
    bool readVarint(std::int64_t& out) {
        std::uint64_t u = 0;
        if (!readUvarint(u))
            return false;
        out = zigzagDecode(u);
        return true;
    }

    void alignToByte() { m_pos = (m_pos + 7) & ~static_cast<std::size_t>(7); }
    std::size_t bitPos() const { return m_pos; }
    // The byte offset of the next read after alignToByte().
    std::size_t bytePos() const { return (m_pos + 7) >> 3; }

private:
    std::span<const std::uint8_t> m_data;
    std::size_t m_pos;
};

}  // namespace vigil::tsdb
