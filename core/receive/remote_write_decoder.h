#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

// The label sets of recently received series, keyed by a 128-bit
// fingerprint of their encoded label bytes, so that a series seen before
// costs one probe of a flat table (prefetched ahead of use) instead of
// building and validating a new label set: senders repeat the same series
// every few seconds. Only valid label sets are kept. Two series are taken
// for the same when both 64-bit halves of the fingerprint agree (a chance
// collision among a million series has a probability around 1e-27; the
// receiver trusts its authenticated senders as to deliberate ones).
//
// Bounded: two generations of at most `maxEntries` each; when the current
// one is full it becomes the previous one and the old previous is dropped
// (series found in the previous generation move to the current one).
//
// Thread-safety: none; one request uses a cache at a time.
class SeriesCache {
public:
    struct Fingerprint {
        std::uint64_t h1 = 0, h2 = 0;
    };

    explicit SeriesCache(std::size_t maxEntries = 1 << 16);
    ~SeriesCache();
    SeriesCache(const SeriesCache&) = delete;
    SeriesCache& operator=(const SeriesCache&) = delete;

    // Starts loading the table slot of `fp` into the CPU cache.
    void prefetch(const Fingerprint& fp) const;
    // The cached set of `fp`, or null.
    const model::Labels* find(const Fingerprint& fp);
    const model::Labels& insert(const Fingerprint& fp, model::Labels labels);
    std::size_t size() const;

    // The decoder's buffers, reused from one request to the next so that a
    // request allocates nothing of its own once they have grown.
    struct Scratch;
    Scratch& scratch() { return *m_scratch; }

private:
    struct Generation {
        struct Slot {
            std::uint64_t h1 = 0, h2 = 0;
            std::uint32_t entry = 0;  // index into entries + 1; 0: empty
        };
        std::vector<Slot> table;  // power of two, at most half full
        std::vector<model::Labels> entries;
        const model::Labels* find(const Fingerprint& fp) const;
        void clear(std::size_t maxEntries);
    };

    std::size_t m_maxEntries;
    Generation m_current;
    Generation m_previous;
    std::unique_ptr<Scratch> m_scratch;
};

// Decodes one remote write 1.0 request body (snappy block format around a
// prometheus.WriteRequest) and appends every float sample to `appender`,
// without committing. A body whose decoded size would exceed
// `maxDecodedBytes` is refused before decompression (kResourceExhausted).
// Malformed input is kInvalidArgument with a message saying what is wrong.
// With a `cache`, label sets of known series come from it (and new valid
// ones go into it); the result is the same as without.
Result<RemoteWriteStats> decodeRemoteWrite(std::string_view body, std::uint64_t maxDecodedBytes,
                                           model::Appender& appender, SeriesCache* cache = nullptr);

}  // namespace vigil::receive
