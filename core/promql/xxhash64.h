#pragma once

#include <cstdint>
#include <string_view>

#include "core/model/labels.h"

// XXH64 (seed 0), the hash behind Prometheus's labels.Labels.Hash(). PromQL
// needs Prometheus's exact label hash where the hash value is observable:
// limit_ratio keeps a series when hash / 2^64 is below the ratio, so the
// chosen subset must be the one Prometheus chooses. Pure functions;
// thread-safe.

namespace vigil::promql {

// Streaming XXH64: update() any number of times, then digest(). Feeding the
// bytes in pieces gives the same value as one call over their concatenation.
class XxHash64 {
public:
    XxHash64();
    void update(std::string_view bytes);
    std::uint64_t digest() const;

private:
    std::uint64_t m_v[4];
    std::uint64_t m_total = 0;
    unsigned char m_buf[32];
    std::size_t m_bufLen = 0;
};

std::uint64_t xxhash64(std::string_view bytes);

// Prometheus's Labels.Hash(): XXH64 over name, 0xff, value, 0xff for every
// label in sorted order.
std::uint64_t prometheusLabelsHash(const model::Labels& labels);

}  // namespace vigil::promql
