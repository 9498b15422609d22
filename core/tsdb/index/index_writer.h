#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/util/env.h"
#include "core/util/status.h"

namespace vigil::tsdb {

// Where a chunk of a series lives in the block's chunk files and what time it
// covers (both ends inclusive).
struct ChunkMeta {
    model::Timestamp mint = 0;
    model::Timestamp maxt = 0;
    std::uint64_t ref = 0;  // segment << 32 | offset (FORMAT.md, "Chunks file")
};

inline constexpr std::uint32_t kIndexMagic = 0x56494458;  // "VIDX"
inline constexpr std::uint8_t kIndexVersion = 1;

// Builds a block's `index` file (FORMAT.md, "Index"). Series are buffered in
// memory (labels and chunk metas, a few percent of the block's size) and the
// file is written by finish().
// Not thread-safe.
class IndexWriter {
public:
    // REQUIRES: series are added in strictly increasing label order; chunks
    // sorted by mint and not overlapping. Violations are reported as
    // InvalidArgument naming the series.
    Status addSeries(model::Labels labels, std::vector<ChunkMeta> chunks);

    std::uint32_t numSeries() const { return static_cast<std::uint32_t>(m_series.size()); }

    // Writes the index to `path`, syncs and closes it.
    Status finish(Env* env, const std::string& path);

private:
    struct Series {
        model::Labels labels;
        std::vector<ChunkMeta> chunks;
    };
    std::vector<Series> m_series;
};

}  // namespace vigil::tsdb
