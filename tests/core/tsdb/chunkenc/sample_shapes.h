#pragma once

// Sample series of the shapes the chunk encodings must round-trip, shared by
// the chunk encoding tests. Deterministic for a given seed.

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "core/model/sample.h"

namespace vigil::tsdb::testing {

enum class Shape {
    kRegularCounter,  // 15 s scrapes, integer counter
    kIrregularGauge,  // jittered scrapes, 2-decimal gauge
    kCentiCounter,    // cpu-seconds style counter (0.01 resolution, large)
    kConstant,
    kRandomFloats,  // arbitrary bit patterns, including NaN payloads
    kNaNs,          // ordinary NaNs, StaleNaN, ±Inf, -0.0 mixed with decimals
    kStaleTail,     // a decimal series that ends in staleness markers
    kHugeAndTiny,   // 1e300, 1e-300, denormals, max/min doubles
    kExtremeTimes,  // timestamps near the int64 limits, non-monotonic jumps
    kCounterReset,  // counter with resets and a missed scrape
    kKibiBytes,     // memory gauge in KiB multiples
    kSixDecimals,   // histogram _sum printed with %.6f
};

inline const char* shapeName(Shape s) {
    switch (s) {
        case Shape::kRegularCounter:
            return "regular-counter";
        case Shape::kIrregularGauge:
            return "irregular-gauge";
        case Shape::kCentiCounter:
            return "centi-counter";
        case Shape::kConstant:
            return "constant";
        case Shape::kRandomFloats:
            return "random-floats";
        case Shape::kNaNs:
            return "nans-infs-negzero";
        case Shape::kStaleTail:
            return "stale-tail";
        case Shape::kHugeAndTiny:
            return "huge-and-tiny";
        case Shape::kExtremeTimes:
            return "extreme-times";
        case Shape::kCounterReset:
            return "counter-reset";
        case Shape::kKibiBytes:
            return "kibibytes";
        case Shape::kSixDecimals:
            return "six-decimals";
    }
    return "?";
}

inline const Shape kAllShapes[] = {
    Shape::kRegularCounter, Shape::kIrregularGauge, Shape::kCentiCounter, Shape::kConstant,
    Shape::kRandomFloats,   Shape::kNaNs,           Shape::kStaleTail,    Shape::kHugeAndTiny,
    Shape::kExtremeTimes,   Shape::kCounterReset,   Shape::kKibiBytes,    Shape::kSixDecimals,
};

inline std::vector<model::Sample> makeSamples(Shape shape, std::size_t n, std::uint32_t seed = 1) {
    std::mt19937_64 rng(seed);
    std::vector<model::Sample> out;
    out.reserve(n);
    model::Timestamp t = 1735689600000;
    double v = 0;
    std::int64_t ticks = 123456789;
    const double specials[] = {
        std::numeric_limits<double>::quiet_NaN(),
        -std::numeric_limits<double>::quiet_NaN(),
        std::bit_cast<double>(std::uint64_t{0x7ff8dead0000beefULL}),
        std::bit_cast<double>(std::uint64_t{0x7ff0000000000001ULL}),  // signalling NaN bits
        model::staleNaN(),
        std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(),
        -0.0,
        0.0,
        0.1 + 0.2,
    };
    for (std::size_t i = 0; i < n; ++i) {
        switch (shape) {
            case Shape::kRegularCounter:
                t += 15000;
                v += static_cast<double>(rng() % 500);
                break;
            case Shape::kIrregularGauge:
                t += 15000 + static_cast<std::int64_t>(rng() % 41) - 20;
                v = static_cast<double>(static_cast<std::int64_t>(rng() % 2000)) / 100.0;
                break;
            case Shape::kCentiCounter:
                t += 15000;
                ticks += static_cast<std::int64_t>(rng() % 1500);
                v = static_cast<double>(ticks) / 100.0;
                break;
            case Shape::kConstant:
                t += 30000;
                v = 1.0;
                break;
            case Shape::kRandomFloats:
                t += 1 + static_cast<std::int64_t>(rng() % 100000);
                v = std::bit_cast<double>(rng());
                break;
            case Shape::kNaNs:
                t += 15000;
                v = (rng() % 3 == 0) ? specials[rng() % std::size(specials)]
                                     : static_cast<double>(rng() % 100) / 10.0;
                break;
            case Shape::kStaleTail:
                t += 15000;
                v = i + 3 >= n ? model::staleNaN() : static_cast<double>(i % 7) * 0.25;
                break;
            case Shape::kHugeAndTiny: {
                const double pool[] = {1e300,
                                       -1e300,
                                       1e-300,
                                       5e-324,
                                       std::numeric_limits<double>::max(),
                                       std::numeric_limits<double>::lowest(),
                                       std::numeric_limits<double>::min(),
                                       1e22,
                                       1e23,
                                       9007199254740993.0,
                                       123456789012345678.0,
                                       -42.0};
                t += 10000;
                v = pool[rng() % std::size(pool)];
                break;
            }
            case Shape::kExtremeTimes: {
                const model::Timestamp pool[] = {
                    model::kMinTimestamp,     model::kMaxTimestamp,    0, -1, 1,
                    model::kMaxTimestamp - 1, model::kMinTimestamp + 1};
                t = (rng() % 2 == 0) ? pool[rng() % std::size(pool)]
                                     : static_cast<model::Timestamp>(rng());
                v = static_cast<double>(i);
                break;
            }
            case Shape::kCounterReset:
                t += (rng() % 50 == 0) ? 30000 : 15000;  // a missed scrape now and then
                v = (rng() % 40 == 0) ? 0.0 : v + static_cast<double>(rng() % 100);
                break;
            case Shape::kKibiBytes:
                t += 15000;
                v = static_cast<double>((8000000 + static_cast<std::int64_t>(rng() % 20000)) *
                                        1024);
                break;
            case Shape::kSixDecimals:
                t += 15000;
                ticks += static_cast<std::int64_t>(rng() % 3000000);
                v = static_cast<double>(ticks) / 1e6;
                break;
        }
        out.push_back({t, v});
    }
    return out;
}

inline bool sameBits(const model::Sample& a, const model::Sample& b) {
    return a.t == b.t && std::bit_cast<std::uint64_t>(a.v) == std::bit_cast<std::uint64_t>(b.v);
}

}  // namespace vigil::tsdb::testing
