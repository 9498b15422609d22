#include "core/promql/xxhash64.h"

#include <cstring>

namespace vigil::promql {

namespace {

constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr std::uint64_t kP5 = 0x27D4EB2F165667C5ULL;

inline std::uint64_t rotl(std::uint64_t x, int r) {
    return (x << r) | (x >> (64 - r));
}

// Little-endian loads, as XXH64 specifies; byte-wise, so alignment- and
// host-endian-independent.
inline std::uint64_t read64(const unsigned char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

inline std::uint32_t read32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

inline std::uint64_t xxRound(std::uint64_t acc, std::uint64_t lane) {
    acc += lane * kP2;
    acc = rotl(acc, 31);
    return acc * kP1;
}

inline std::uint64_t mergeRound(std::uint64_t acc, std::uint64_t v) {
    acc ^= xxRound(0, v);
    return acc * kP1 + kP4;
}

}  // namespace

XxHash64::XxHash64() : m_v{kP1 + kP2, kP2, 0, 0 - kP1}, m_buf{} {}

void XxHash64::update(std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t n = bytes.size();
    m_total += n;
    if (m_bufLen + n < 32) {
        std::memcpy(m_buf + m_bufLen, p, n);
        m_bufLen += n;
        return;
    }
    if (m_bufLen > 0) {
        const std::size_t fill = 32 - m_bufLen;
        std::memcpy(m_buf + m_bufLen, p, fill);
        for (int i = 0; i < 4; ++i)
            m_v[i] = xxRound(m_v[i], read64(m_buf + 8 * i));
        p += fill;
        n -= fill;
        m_bufLen = 0;
    }
    while (n >= 32) {
        for (int i = 0; i < 4; ++i)
            m_v[i] = xxRound(m_v[i], read64(p + 8 * i));
        p += 32;
        n -= 32;
    }
    std::memcpy(m_buf, p, n);
    m_bufLen = n;
}

std::uint64_t XxHash64::digest() const {
    std::uint64_t h;
    if (m_total >= 32) {
        h = rotl(m_v[0], 1) + rotl(m_v[1], 7) + rotl(m_v[2], 12) + rotl(m_v[3], 18);
        for (int i = 0; i < 4; ++i)
            h = mergeRound(h, m_v[i]);
    } else {
        h = m_v[2] + kP5;  // m_v[2] holds the seed (0)
    }
    h += m_total;
    const unsigned char* p = m_buf;
    std::size_t n = m_bufLen;
    while (n >= 8) {
        h ^= xxRound(0, read64(p));
        h = rotl(h, 27) * kP1 + kP4;
        p += 8;
        n -= 8;
    }
    if (n >= 4) {
        h ^= static_cast<std::uint64_t>(read32(p)) * kP1;
        h = rotl(h, 23) * kP2 + kP3;
        p += 4;
        n -= 4;
    }
    while (n > 0) {
        h ^= *p * kP5;
        h = rotl(h, 11) * kP1;
        ++p;
        --n;
    }
    h ^= h >> 33;
    h *= kP2;
    h ^= h >> 29;
    h *= kP3;
    h ^= h >> 32;
    return h;
}

std::uint64_t xxhash64(std::string_view bytes) {
    XxHash64 h;
    h.update(bytes);
    return h.digest();
}

std::uint64_t prometheusLabelsHash(const model::Labels& labels) {
    static constexpr char kSep[1] = {'\xff'};
    XxHash64 h;
    for (const auto& l : labels) {
        h.update(l.name);
        h.update({kSep, 1});
        h.update(l.value);
        h.update({kSep, 1});
    }
    return h.digest();
}

}  // namespace vigil::promql
