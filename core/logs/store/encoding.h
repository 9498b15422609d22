#pragma once

// Varint and label encoding shared by the log store's WAL records and chunk
// records (core/logs/store/FORMAT.md). Decoders never read past the end of
// their input: each returns false on truncated or malformed data.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/model/labels.h"

namespace vigil::logs::store {

inline void putUvarint(std::string& out, std::uint64_t v) {
    char buf[10];
    int n = 0;
    while (v >= 0x80) {
        buf[n++] = static_cast<char>(v | 0x80);
        v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    out.append(buf, static_cast<std::size_t>(n));
}

inline void putVarint(std::string& out, std::int64_t v) {
    putUvarint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

inline void putBytes(std::string& out, std::string_view s) {
    putUvarint(out, s.size());
    out.append(s);
}

inline void putFixed32(std::string& out, std::uint32_t v) {
    char buf[4];
    for (int i = 0; i < 4; ++i)
        buf[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    out.append(buf, 4);
}

inline std::uint32_t getFixed32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

// A cursor over encoded bytes.
class Decoder {
public:
    explicit Decoder(std::string_view data) : m_p(data.data()), m_end(data.data() + data.size()) {}

    bool uvarint(std::uint64_t& v) {
        // Fast path: one byte.
        if (m_p < m_end && static_cast<unsigned char>(*m_p) < 0x80) {
            v = static_cast<unsigned char>(*m_p++);
            return true;
        }
        v = 0;
        for (int shift = 0; shift < 64 && m_p < m_end; shift += 7) {
            const auto b = static_cast<unsigned char>(*m_p++);
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if (b < 0x80)
                return true;
        }
        return false;
    }
    bool varint(std::int64_t& v) {
        std::uint64_t u = 0;
        if (!uvarint(u))
            return false;
        v = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
        return true;
    }
    bool bytes(std::string_view& s) {
        std::uint64_t n = 0;
        if (!uvarint(n) || n > static_cast<std::uint64_t>(m_end - m_p))
            return false;
        s = std::string_view(m_p, static_cast<std::size_t>(n));
        m_p += n;
        return true;
    }
    bool u8(std::uint8_t& v) {
        if (m_p >= m_end)
            return false;
        v = static_cast<std::uint8_t>(*m_p++);
        return true;
    }
    bool skip(std::uint64_t n) {
        if (n > static_cast<std::uint64_t>(m_end - m_p))
            return false;
        m_p += n;
        return true;
    }
    std::size_t remaining() const { return static_cast<std::size_t>(m_end - m_p); }
    const char* pos() const { return m_p; }
    bool done() const { return m_p >= m_end; }

private:
    const char* m_p;
    const char* m_end;
};

inline void putLabels(std::string& out, const model::Labels& labels) {
    putUvarint(out, labels.size());
    for (const auto& l : labels) {
        putBytes(out, l.name);
        putBytes(out, l.value);
    }
}

inline bool getLabels(Decoder& d, model::Labels& labels) {
    std::uint64_t n = 0;
    if (!d.uvarint(n) || n > d.remaining())
        return false;
    std::vector<model::Label> pairs;
    pairs.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) {
        std::string_view name;
        std::string_view value;
        if (!d.bytes(name) || !d.bytes(value))
            return false;
        pairs.push_back({std::string(name), std::string(value)});
    }
    labels = model::Labels::fromUnsorted(std::move(pairs));
    return true;
}

}  // namespace vigil::logs::store
