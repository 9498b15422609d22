#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace vigil::model {

// Milliseconds since the Unix epoch, as Prometheus stores them.
using Timestamp = std::int64_t;

inline constexpr Timestamp kMinTimestamp = std::numeric_limits<Timestamp>::min();
inline constexpr Timestamp kMaxTimestamp = std::numeric_limits<Timestamp>::max();

struct Sample {
    Timestamp t = 0;
    double v = 0;
};

// Prometheus's staleness marker: a NaN with this exact bit pattern
// (value.StaleNaN). Any other NaN is an ordinary sample value.
inline constexpr std::uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

inline double staleNaN() {
    return std::bit_cast<double>(kStaleNaNBits);
}
inline bool isStaleNaN(double v) {
    return std::bit_cast<std::uint64_t>(v) == kStaleNaNBits;
}

}  // namespace vigil::model
