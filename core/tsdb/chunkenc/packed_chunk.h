#pragma once

// The packed chunk (Encoding::kPacked): Vigil's immutable encoding for sealed
// chunks. Byte format in core/tsdb/FORMAT.md, "Packed chunk".
//
// In short: timestamps and decimal value mantissas are each an "integer
// stream": order-0/1/2 differences, frame-of-reference bit-packed at the
// narrowest width that pays, with outliers stored as exceptions (patched FOR).
// Values that are exact decimals m * 10^e share one exponent; values that are
// not (NaN, StaleNaN, ±Inf, -0.0, binary fractions) are exceptions stored as
// raw bits, or, when most values are not decimal, the whole value column
// falls back to Gorilla XOR. The encoder tries the alternatives on each chunk
// and keeps the smallest, so the format is chosen by measurement per chunk.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/model/sample.h"
#include "core/tsdb/chunkenc/chunk.h"
#include "core/util/status.h"

namespace vigil::tsdb {

inline constexpr std::size_t kMaxPackedSamples = 0xffff;

// How one integer stream (timestamps or mantissas) was laid out.
struct IntStreamLayout {
    int order = 0;            // 0: values, 1: deltas, 2: delta-of-deltas
    int width = 0;            // bits per packed residual
    int exceptions = 0;       // residuals stored outside the packed bits
    std::uint64_t scale = 1;  // common factor of the residuals
    bool sparse = false;      // zero residuals marked in a bitmap
};

// What the encoder chose for one chunk (for benchmarks, tests, diagnostics).
struct PackedLayout {
    IntStreamLayout timestamps;
    bool decimalValues = false;  // false: XOR value column
    int exponent = 0;            // decimal only
    IntStreamLayout mantissas;   // decimal only
    int rawValues = 0;           // decimal only: values stored as raw bits
};

// Encodes sealed chunks. Keeps scratch buffers between calls so that sealing
// many chunks does not allocate per chunk.
// Thread-safety: not thread-safe; use one encoder per thread.
class PackedEncoder {
public:
    PackedEncoder();
    ~PackedEncoder();
    PackedEncoder(PackedEncoder&&) noexcept;
    PackedEncoder& operator=(PackedEncoder&&) noexcept;

    // Appends the encoding of `samples` to `out`. Fails, leaving `out`
    // unchanged, unless 1 <= samples.size() <= kMaxPackedSamples.
    Status encode(std::span<const model::Sample> samples, std::vector<std::uint8_t>& out);

    // The layout chosen by the last encode().
    const PackedLayout& lastLayout() const { return m_layout; }

private:
    std::vector<std::uint64_t> m_ints;
    struct Scratch;
    std::unique_ptr<Scratch> m_scratch;  // planning buffers (packed_chunk.cpp)
    std::vector<std::int8_t> m_exponents;
    std::vector<std::int64_t> m_mantissas;
    std::vector<std::uint32_t> m_rawPositions;
    std::vector<std::uint8_t> m_decimalSection;
    std::vector<std::uint8_t> m_xorSection;
    PackedLayout m_layout;
};

// Decodes a packed chunk, appending its samples to `out`. Validates the whole
// chunk, including that no bytes trail it. Thread-safe (per-thread scratch).
Status decodePacked(std::span<const std::uint8_t> data, std::vector<model::Sample>& out);

// Decodes the samples with mint <= t <= maxt and appends them to `out`,
// converting only those values (see packed_chunk.cpp). The read path for
// queries that need part of a chunk. On error `out` is left as it was.
// Thread-safe (per-thread scratch).
Status decodePackedRange(std::span<const std::uint8_t> data, model::Timestamp mint,
                         model::Timestamp maxt, std::vector<model::Sample>& out);

// Decodes only the layout header information (for diagnostics).
Result<PackedLayout> inspectPacked(std::span<const std::uint8_t> data);

}  // namespace vigil::tsdb
