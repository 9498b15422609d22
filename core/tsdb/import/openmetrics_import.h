#pragma once

// Backfill: builds blocks from an OpenMetrics text file, the input of
// `promtool tsdb create-blocks-from openmetrics`.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/tsdb/compact/compactor.h"
#include "core/util/env.h"

namespace vigil::tsdb {

struct ImportOptions {
    // Blocks are cut at multiples of this duration (promtool's
    // --max-block-duration; its default is 2h).
    std::int64_t maxBlockDurationMs = 2 * kHourMs;
    std::size_t samplesPerChunk = kBlockChunkSamples;
    // Called now and then with the bytes of input parsed so far and the total.
    std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct ImportStats {
    std::uint64_t series = 0;
    std::uint64_t samples = 0;
    std::uint64_t chunks = 0;
    std::uint64_t blocks = 0;
    std::uint64_t chunkBytes = 0;  // chunk segment files
    std::uint64_t blockBytes = 0;  // every file of the new blocks
};

// Parses `text` (OpenMetrics 1.0, every sample with a timestamp; series'
// samples in increasing time order) and writes one block per aligned range
// of `maxBlockDurationMs` holding data into `dataDir` (created if missing).
// The whole input is parsed before anything is written, so a bad line
// writes nothing; errors name the line. Samples are sealed into chunks of
// `samplesPerChunk` as they are read, so memory holds the encoded chunks
// (about 1 byte per sample) and one chunk of raw samples per series, not
// the parsed file. A repeated (series, timestamp) with the same value is
// dropped, with a different value it is an error (as promtool).
Result<ImportStats> importOpenMetrics(Env* env, std::string_view text, const std::string& dataDir,
                                      const ImportOptions& options = {});
// The same for a file (memory-mapped).
Result<ImportStats> importOpenMetricsFile(Env* env, const std::string& path,
                                          const std::string& dataDir,
                                          const ImportOptions& options = {});

}  // namespace vigil::tsdb
