#pragma once

// Prometheus's XOR chunk (tsdb/chunkenc/xor.go), byte for byte: a 2-byte
// big-endian sample count followed by a Gorilla bit stream (delta-of-delta
// timestamps in Prometheus's 0/14/17/20/64-bit buckets, XOR'd float64 values
// with leading/trailing-zero window reuse). See core/tsdb/FORMAT.md.
//
// This is the head's open chunk: append() costs a few dozen bit operations and
// no allocation once the buffer has grown; ~120 samples a chunk
// (kXorTargetSamples) before the head seals it.

#include <cstdint>
#include <span>
#include <vector>

#include "core/model/sample.h"
#include "core/tsdb/chunkenc/bstream.h"
#include "core/tsdb/chunkenc/chunk.h"
#include "core/util/status.h"

namespace vigil::tsdb {

inline constexpr int kXorTargetSamples = 120;
inline constexpr int kXorMaxSamples = 0xffff;  // the count is a uint16

// Gorilla value coding shared with the packed encoding's XOR fallback.
// Writes `v` relative to `prev`; `leading` == 0xff means no window yet.
void writeXorValue(BitWriter& w, double v, double prev, std::uint8_t& leading,
                   std::uint8_t& trailing);
// Reads one value written by writeXorValue, updating `v` (the previous value
// on entry) and the window; sets *windowRead (if given) when the value opened
// a new window. Returns nullptr or a description of the defect.
const char* readXorValue(BitReader& r, double& v, std::uint8_t& leading, std::uint8_t& trailing,
                         bool* windowRead = nullptr);

// A mutable XOR chunk that is its own appender.
// Thread-safety: not thread-safe. Readers holding bytes() or an iterator must
// not run concurrently with append() (append may reallocate).
class XorChunk {
public:
    XorChunk();

    // Restores a chunk (and the appender state needed to continue appending)
    // from its bytes, e.g. a memory-mapped head chunk. Walks all samples.
    // Unlike Prometheus's Appender(), a chunk whose values never changed keeps
    // "no window yet", so appending after a restore writes the same bytes as
    // appending without one (Prometheus would spend a 64-bit window; both
    // decode the same).
    static Result<XorChunk> fromBytes(std::span<const std::uint8_t> data);

    // REQUIRES: numSamples() < kXorMaxSamples.
    void append(model::Timestamp t, double v);

    int numSamples() const { return (m_bytes[0] << 8) | m_bytes[1]; }
    std::span<const std::uint8_t> bytes() const { return m_bytes; }
    // Releases excess capacity (after sealing or when the chunk is done).
    void compact() { m_bytes.shrink_to_fit(); }

private:
    std::vector<std::uint8_t> m_bytes;
    int m_freeBits = 0;  // unused low bits of m_bytes.back()
    model::Timestamp m_t = 0;
    double m_v = 0;
    std::uint64_t m_tDelta = 0;
    std::uint8_t m_leading = 0xff;  // 0xff: no window yet
    std::uint8_t m_trailing = 0;
};

// Iterates an XOR chunk. Malformed streams stop the iteration with a
// Corruption status (a truncated stream, a window wider than 64 bits, a count
// larger than the stream holds).
class XorIterator final : public ChunkIterator {
public:
    // REQUIRES: data.size() >= 2 (checked by decodeChunk); data outlives this.
    explicit XorIterator(std::span<const std::uint8_t> data);

    bool next() override;
    bool seek(model::Timestamp t) override;
    model::Sample at() const override { return {m_t, m_v}; }
    Status status() const override { return m_status; }

    // Appender state after the last sample read (used by XorChunk::fromBytes).
    int numRead() const { return m_numRead; }
    std::uint64_t tDelta() const { return m_tDelta; }
    std::uint8_t leading() const { return m_leading; }
    // Whether any value so far opened a leading/trailing window.
    bool windowSet() const { return m_windowSet; }
    std::uint8_t trailing() const { return m_trailing; }
    std::size_t bitPos() const { return m_reader.bitPos(); }

private:
    bool fail(const char* what);
    bool readValue();

    BitReader m_reader;
    int m_numTotal;
    int m_numRead = 0;
    model::Timestamp m_t = 0;
    double m_v = 0;
    std::uint64_t m_tDelta = 0;
    std::uint8_t m_leading = 0;
    std::uint8_t m_trailing = 0;
    bool m_windowSet = false;
    Status m_status;
};

}  // namespace vigil::tsdb
