#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/tsdb/chunkenc/chunk.h"
#include "core/util/status.h"

namespace vigil::tsdb {

// One encoded chunk of one series, as the head seals it and as blocks store
// it. `data` is the chunk's bytes (see FORMAT.md, "Chunk encodings"); its
// owner (head, block, compactor) states how long the span stays valid.
struct ChunkView {
    model::Timestamp mint = 0;  // first sample's timestamp
    model::Timestamp maxt = 0;  // last sample's timestamp
    Encoding encoding = Encoding::kPacked;
    std::span<const std::uint8_t> data;
};

// The unit of exchange between the head, blocks and the compactor: a series
// and its chunks, sorted by mint, not overlapping. Series arrive sorted by
// labels. Returning a non-OK Status from the callback stops the walk and is
// returned by the walker.
using ChunkSeriesVisitor =
    std::function<Status(const model::Labels& labels, std::span<const ChunkView> chunks)>;

}  // namespace vigil::tsdb
