#include "core/tsdb/chunkenc/xor_chunk.h"

#include <bit>
#include <cassert>
#include <string>

namespace vigil::tsdb {

namespace {

// Prometheus's bitRange: whether x fits the nbits two's-complement bucket
// (asymmetric: +2^(n-1) fits, -2^(n-1) does not; see its docs/bstream.md).
bool bitRange(std::int64_t x, int nbits) {
    const std::int64_t half = std::int64_t{1} << (nbits - 1);
    return -(half - 1) <= x && x <= half;
}

}  // namespace

XorChunk::XorChunk() {
    m_bytes.reserve(128);
    m_bytes.assign(2, 0);
}

Result<XorChunk> XorChunk::fromBytes(std::span<const std::uint8_t> data) {
    if (data.size() < 2)
        return Status::corruption("xor chunk: " + std::to_string(data.size()) +
                                  " bytes, shorter than its 2-byte header");
    XorIterator it(data);
    while (it.next()) {
    }
    if (!it.status().isOk())
        return it.status();
    const std::size_t bits = data.size() * 8;
    if (bits - it.bitPos() > 7)
        return Status::corruption("xor chunk: " + std::to_string((bits - it.bitPos()) / 8) +
                                  " trailing bytes after sample " + std::to_string(it.numRead()));
    XorChunk c;
    c.m_bytes.assign(data.begin(), data.end());
    c.m_freeBits = static_cast<int>(bits - it.bitPos());
    const model::Sample last = it.at();
    c.m_t = last.t;
    c.m_v = last.v;
    c.m_tDelta = it.tDelta();
    c.m_leading = it.windowSet() ? it.leading() : 0xff;
    c.m_trailing = it.trailing();
    return c;
}

void XorChunk::append(model::Timestamp t, double v) {
    const int num = numSamples();
    assert(num < kXorMaxSamples);
    BitWriter w(m_bytes, m_freeBits);
    std::uint64_t tDelta = 0;
    if (num == 0) {
        const std::uint64_t zz = zigzagEncode(t);
        std::uint64_t u = zz;
        while (u >= 0x80) {
            w.writeByte(static_cast<std::uint8_t>(u) | 0x80);
            u >>= 7;
        }
        w.writeByte(static_cast<std::uint8_t>(u));
        w.writeBits(std::bit_cast<std::uint64_t>(v), 64);
    } else if (num == 1) {
        tDelta = static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(m_t);
        std::uint64_t u = tDelta;
        while (u >= 0x80) {
            w.writeByte(static_cast<std::uint8_t>(u) | 0x80);
            u >>= 7;
        }
        w.writeByte(static_cast<std::uint8_t>(u));
        writeXorValue(w, v, m_v, m_leading, m_trailing);
    } else {
        tDelta = static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(m_t);
        const auto dod = static_cast<std::int64_t>(tDelta - m_tDelta);
        const auto u = static_cast<std::uint64_t>(dod);
        if (dod == 0) {
            w.writeBit(false);
        } else if (bitRange(dod, 14)) {
            w.writeBits(0b10, 2);
            w.writeBits(u, 14);
        } else if (bitRange(dod, 17)) {
            w.writeBits(0b110, 3);
            w.writeBits(u, 17);
        } else if (bitRange(dod, 20)) {
            w.writeBits(0b1110, 4);
            w.writeBits(u, 20);
        } else {
            w.writeBits(0b1111, 4);
            w.writeBits(u, 64);
        }
        writeXorValue(w, v, m_v, m_leading, m_trailing);
    }
    m_freeBits = w.freeBits();
    m_t = t;
    m_v = v;
    m_tDelta = tDelta;
    const int n = num + 1;
    m_bytes[0] = static_cast<std::uint8_t>(n >> 8);
    m_bytes[1] = static_cast<std::uint8_t>(n);
}

void writeXorValue(BitWriter& w, double v, double prev, std::uint8_t& leading,
                   std::uint8_t& trailing) {
    const std::uint64_t delta =
        std::bit_cast<std::uint64_t>(v) ^ std::bit_cast<std::uint64_t>(prev);
    if (delta == 0) {
        w.writeBit(false);
        return;
    }
    w.writeBit(true);
    auto newLeading = static_cast<std::uint8_t>(std::countl_zero(delta));
    const auto newTrailing = static_cast<std::uint8_t>(std::countr_zero(delta));
    if (newLeading >= 32)
        newLeading = 31;  // the field is 5 bits wide
    if (leading != 0xff && newLeading >= leading && newTrailing >= trailing) {
        w.writeBit(false);
        w.writeBits(delta >> trailing, 64 - leading - trailing);
        return;
    }
    leading = newLeading;
    trailing = newTrailing;
    w.writeBit(true);
    w.writeBits(leading, 5);
    // 64 significant bits are written as 0: the field is 6 bits wide and 0
    // significant bits never occur (that is the delta == 0 case).
    const int sigbits = 64 - leading - trailing;
    w.writeBits(static_cast<std::uint64_t>(sigbits), 6);
    w.writeBits(delta >> trailing, sigbits);
}

const char* readXorValue(BitReader& r, double& v, std::uint8_t& leading, std::uint8_t& trailing,
                         bool* windowRead) {
    bool bit = false;
    if (!r.readBit(bit))
        return "truncated value control bit";
    if (!bit)
        return nullptr;
    if (!r.readBit(bit))
        return "truncated value control bit";
    if (bit) {
        std::uint64_t lead = 0;
        std::uint64_t sig = 0;
        if (!r.readBits(5, lead) || !r.readBits(6, sig))
            return "truncated value window";
        if (sig == 0)
            sig = 64;
        if (lead + sig > 64)
            return "value window wider than 64 bits";
        leading = static_cast<std::uint8_t>(lead);
        trailing = static_cast<std::uint8_t>(64 - lead - sig);
        if (windowRead)
            *windowRead = true;
    } else if (leading == 0xff) {
        return "value window reused before one was defined";
    }
    const int mbits = 64 - leading - trailing;
    std::uint64_t bits = 0;
    if (!r.readBits(mbits, bits))
        return "truncated value bits";
    v = std::bit_cast<double>(std::bit_cast<std::uint64_t>(v) ^ (bits << trailing));
    return nullptr;
}

XorIterator::XorIterator(std::span<const std::uint8_t> data)
    : m_reader(data, 2), m_numTotal(data.size() >= 2 ? (data[0] << 8) | data[1] : 0) {}

bool XorIterator::fail(const char* what) {
    m_status = Status::corruption("xor chunk: sample " + std::to_string(m_numRead + 1) + " of " +
                                  std::to_string(m_numTotal) + ": " + what);
    return false;
}

bool XorIterator::seek(model::Timestamp t) {
    if (!m_status.isOk())
        return false;
    while (m_numRead == 0 || t > m_t) {
        if (!next())
            return false;
    }
    return true;
}

bool XorIterator::next() {
    if (!m_status.isOk() || m_numRead == m_numTotal)
        return false;
    if (m_numRead == 0) {
        std::int64_t t = 0;
        if (!m_reader.readVarint(t))
            return fail("truncated or malformed first timestamp varint");
        std::uint64_t bits = 0;
        if (!m_reader.readBits(64, bits))
            return fail("truncated first value");
        m_t = t;
        m_v = std::bit_cast<double>(bits);
        ++m_numRead;
        return true;
    }
    if (m_numRead == 1) {
        std::uint64_t tDelta = 0;
        if (!m_reader.readUvarint(tDelta))
            return fail("truncated or malformed timestamp delta varint");
        m_tDelta = tDelta;
        m_t = static_cast<model::Timestamp>(static_cast<std::uint64_t>(m_t) + m_tDelta);
        return readValue();
    }
    int d = 0;
    for (int i = 0; i < 4; ++i) {
        d <<= 1;
        bool bit = false;
        if (!m_reader.readBit(bit))
            return fail("truncated timestamp bucket");
        if (!bit)
            break;
        d |= 1;
    }
    int sz = 0;
    std::int64_t dod = 0;
    switch (d) {
        case 0b0:
            break;
        case 0b10:
            sz = 14;
            break;
        case 0b110:
            sz = 17;
            break;
        case 0b1110:
            sz = 20;
            break;
        default: {  // 0b1111
            std::uint64_t bits = 0;
            if (!m_reader.readBits(64, bits))
                return fail("truncated 64-bit timestamp delta-of-delta");
            dod = static_cast<std::int64_t>(bits);
            break;
        }
    }
    if (sz != 0) {
        std::uint64_t bits = 0;
        if (!m_reader.readBits(sz, bits))
            return fail("truncated timestamp delta-of-delta");
        if (bits > (std::uint64_t{1} << (sz - 1)))
            bits -= std::uint64_t{1} << sz;
        dod = static_cast<std::int64_t>(bits);
    }
    m_tDelta = m_tDelta + static_cast<std::uint64_t>(dod);
    m_t = static_cast<model::Timestamp>(static_cast<std::uint64_t>(m_t) + m_tDelta);
    return readValue();
}

bool XorIterator::readValue() {
    if (const char* err = readXorValue(m_reader, m_v, m_leading, m_trailing, &m_windowSet))
        return fail(err);
    ++m_numRead;
    return true;
}

}  // namespace vigil::tsdb
