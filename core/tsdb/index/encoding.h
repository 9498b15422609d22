#pragma once

// Byte-level encoders and a bounds-checked decoder for the block files
// (FORMAT.md, "Blocks"): big-endian fixed integers, uvarint and varint.
// Decbuf never reads out of bounds: a short or malformed read sets a sticky
// error flag and yields zeros, so a parser checks ok() once per record.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::tsdb {

// a + b in two's complement, without signed-overflow UB on corrupt input
// (FORMAT.md: timestamp arithmetic is modulo 2^64).
inline std::int64_t wrapAdd(std::int64_t a, std::uint64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + b);
}

class Encbuf {
public:
    void putU8(std::uint8_t v) { m_buf.push_back(static_cast<char>(v)); }
    void putBe32(std::uint32_t v) {
        for (int s = 24; s >= 0; s -= 8)
            m_buf.push_back(static_cast<char>((v >> s) & 0xff));
    }
    void putBe64(std::uint64_t v) {
        for (int s = 56; s >= 0; s -= 8)
            m_buf.push_back(static_cast<char>((v >> s) & 0xff));
    }
    void putUvarint(std::uint64_t v) {
        while (v >= 0x80) {
            m_buf.push_back(static_cast<char>((v & 0x7f) | 0x80));
            v >>= 7;
        }
        m_buf.push_back(static_cast<char>(v));
    }
    void putVarint(std::int64_t v) {
        putUvarint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
    }
    void putBytes(std::string_view b) { m_buf.append(b); }
    void putUvarintBytes(std::string_view b) {
        putUvarint(b.size());
        m_buf.append(b);
    }

    std::string& str() { return m_buf; }
    std::size_t size() const { return m_buf.size(); }
    void clear() { m_buf.clear(); }

private:
    std::string m_buf;
};

class Decbuf {
public:
    Decbuf() = default;
    explicit Decbuf(std::string_view b) : m_b(b) {}

    bool ok() const { return m_ok; }
    std::size_t remaining() const { return m_b.size(); }
    // Bytes consumed so far relative to `base` (the buffer this one started as).
    const char* pos() const { return m_b.data(); }

    std::uint8_t u8() {
        if (m_b.empty())
            return fail();
        auto v = static_cast<std::uint8_t>(m_b[0]);
        m_b.remove_prefix(1);
        return v;
    }
    std::uint32_t be32() {
        if (m_b.size() < 4)
            return fail();
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v = (v << 8) | static_cast<std::uint8_t>(m_b[i]);
        m_b.remove_prefix(4);
        return v;
    }
    std::uint64_t be64() {
        if (m_b.size() < 8)
            return fail();
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v = (v << 8) | static_cast<std::uint8_t>(m_b[i]);
        m_b.remove_prefix(8);
        return v;
    }
    std::uint64_t uvarint() {
        std::uint64_t v = 0;
        for (int i = 0, shift = 0; i < 10; ++i, shift += 7) {
            if (m_b.size() <= static_cast<std::size_t>(i))
                return fail();
            auto byte = static_cast<std::uint8_t>(m_b[i]);
            if (i == 9 && byte > 1)
                return fail();
            v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if (byte < 0x80) {
                m_b.remove_prefix(i + 1);
                return v;
            }
        }
        return fail();
    }
    std::int64_t varint() {
        std::uint64_t u = uvarint();
        return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
    }
    std::string_view bytes(std::size_t n) {
        if (m_b.size() < n) {
            fail();
            return {};
        }
        std::string_view v = m_b.substr(0, n);
        m_b.remove_prefix(n);
        return v;
    }
    std::string_view uvarintBytes() {
        std::uint64_t n = uvarint();
        if (!m_ok)
            return {};
        return bytes(static_cast<std::size_t>(std::min<std::uint64_t>(n, SIZE_MAX)));
    }

private:
    std::uint8_t fail() {
        m_ok = false;
        m_b = {};
        return 0;
    }

    std::string_view m_b;
    bool m_ok = true;
};

}  // namespace vigil::tsdb
