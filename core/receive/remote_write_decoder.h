#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/model/storage.h"
#include "core/util/status.h"

namespace vigil::receive {

struct RemoteWriteStats {
    std::uint64_t series = 0;
    std::uint64_t samples = 0;        // appended
    std::uint64_t rejected = 0;       // refused by the storage (out of order, duplicate, too old)
    std::uint64_t invalidSeries = 0;  // skipped: invalid or duplicate label names
    std::uint64_t histogramsDropped = 0;  // native histograms: Vigil stores floats only
    std::uint64_t exemplarsDropped = 0;
    std::string firstProblem;  // names the first rejected sample or invalid series
};

// Decodes one remote write 1.0 request body (snappy block format around a
// prometheus.WriteRequest) and appends every float sample to `appender`,
// without committing. A body whose decoded size would exceed
// `maxDecodedBytes` is refused before decompression (kResourceExhausted).
// Malformed input is kInvalidArgument with a message saying what is wrong.
Result<RemoteWriteStats> decodeRemoteWrite(std::string_view body, std::uint64_t maxDecodedBytes,
                                           model::Appender& appender);

}  // namespace vigil::receive
