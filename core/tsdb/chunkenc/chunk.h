#pragma once

// The common face of Vigil's chunk encodings (see core/tsdb/FORMAT.md,
// "Chunk encodings"):
//
//   * Encoding::kXor: Prometheus's Gorilla XOR chunk, byte-compatible. The
//     head's open chunk: append one sample at a time, cheaply.
//   * Encoding::kPacked: an immutable, whole-chunk encoding for sealed chunks
//     (what the head keeps after sealing and what blocks store on disk):
//     frame-of-reference bit-packed timestamps and decimal mantissas with
//     exceptions, XOR values as the fallback. 0.83 vs XOR's 3.0 bytes per
//     sample on the anchor dataset (FORMAT.md has the measurements).
//
// Chunk bytes carry no checksum and no length prefix: framing and integrity
// are the block and WAL layers' job. Decoders never trust the bytes: any
// malformed input yields a Corruption status naming what was wrong, never a
// crash or a read out of bounds.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/model/sample.h"
#include "core/util/status.h"

namespace vigil::tsdb {

// Stored in block chunk files next to each chunk, so the values are part of
// the on-disk format and must never be renumbered. kXor matches Prometheus's
// chunkenc.EncXOR; Vigil's own encodings start at 0x40 to stay clear of
// Prometheus's numbering.
enum class Encoding : std::uint8_t {
    kXor = 1,
    kPacked = 0x40,
};

std::string_view encodingName(Encoding e);
// Returns false for a byte that names no known encoding.
bool isKnownEncoding(std::uint8_t e);

// Walks the samples of one chunk in stored order.
//
// Usage:  while (it->next()) use(it->at());  then check it->status().
// Thread-safety: an iterator is used by one thread at a time. The chunk bytes
// it reads must stay live and unmodified while it is in use.
class ChunkIterator {
public:
    virtual ~ChunkIterator() = default;

    // Moves to the next sample. Returns false at the end or on malformed data
    // (then status() says why).
    virtual bool next() = 0;

    // Moves forward to the first sample with timestamp >= t and returns true,
    // or returns false if there is none. Never moves backwards: if the current
    // sample already has timestamp >= t it stays there. An iterator that has
    // not started is advanced to its first sample first. (Prometheus's
    // chunkenc.Iterator.Seek semantics.)
    virtual bool seek(model::Timestamp t) = 0;

    // REQUIRES: the last next()/seek() returned true.
    virtual model::Sample at() const = 0;

    virtual Status status() const = 0;
};

// Returns an iterator over `data`, an encoded chunk of the given encoding.
// Packed chunks are fully decoded and validated here; XOR chunks are checked
// for their header and validated lazily (status() reports a bad stream).
// REQUIRES: `data` outlives the iterator.
Result<std::unique_ptr<ChunkIterator>> decodeChunk(Encoding encoding,
                                                   std::span<const std::uint8_t> data);

// Decodes every sample of a chunk and appends them to `out`. The fast path
// for queries and compaction; validates the whole chunk. On error `out` may
// hold a prefix of the samples (or placeholders). Thread-safe.
Status decodeSamples(Encoding encoding, std::span<const std::uint8_t> data,
                     std::vector<model::Sample>& out);

// Appends the samples of a chunk with mint <= t <= maxt to `out`. A packed
// chunk converts only the values inside the window, so reading the tail of
// a long chunk costs little more than its timestamps; an XOR chunk stops at
// the first sample after maxt. Unlike decodeSamples it need not validate the
// part of the chunk after the window. On error `out` may hold a prefix.
// Thread-safe.
Status decodeSamplesInRange(Encoding encoding, std::span<const std::uint8_t> data,
                            model::Timestamp mint, model::Timestamp maxt,
                            std::vector<model::Sample>& out);

// Encodes samples as a sealed (Encoding::kPacked) chunk. Fails (invalid
// argument) for an empty span or more than kMaxPackedSamples (65535) samples.
// Timestamps need not be increasing for a round trip, but seek() assumes
// they are. Thread-safe (uses a per-thread encoder).
Result<std::vector<std::uint8_t>> encodeSealed(std::span<const model::Sample> samples);

}  // namespace vigil::tsdb
