#pragma once

// The records the head writes to the WAL (Prometheus tsdb/record). Byte
// formats are specified in core/tsdb/FORMAT.md ("Write-ahead log", "Records").
//
// Encoders clear `out` and write one record into it, so a caller can reuse
// one buffer. Decoders append to `out` (reuse a vector: no per-sample
// allocation for samples) and fail with a kCorruption Status naming the
// record kind, the byte offset and the entry that is damaged; on failure
// `out` holds the entries decoded before the damage.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/util/status.h"

namespace vigil::tsdb::record {

enum class RecordType : std::uint8_t {
    kUnknown = 0,
    kSeries = 1,
    kSamples = 2,
    kTombstones = 3,
};

// The type of an encoded record; kUnknown for an empty record or an unknown
// type byte.
RecordType recordType(std::string_view record);
const char* recordTypeName(RecordType type);

// A series and the reference the head gave it.
struct RefSeries {
    std::uint64_t ref = 0;
    model::Labels labels;

    friend bool operator==(const RefSeries&, const RefSeries&) = default;
};

struct RefSample {
    std::uint64_t ref = 0;
    model::Timestamp t = 0;
    double v = 0;
};

// Deleted time range [mint, maxt] of a series.
struct Tombstone {
    std::uint64_t ref = 0;
    model::Timestamp mint = 0;
    model::Timestamp maxt = 0;

    friend bool operator==(const Tombstone&, const Tombstone&) = default;
};

void encodeSeries(std::span<const RefSeries> series, std::string& out);
// Refs and timestamps are delta-encoded against the first sample.
void encodeSamples(std::span<const RefSample> samples, std::string& out);
void encodeTombstones(std::span<const Tombstone> tombstones, std::string& out);

Status decodeSeries(std::string_view record, std::vector<RefSeries>& out);
Status decodeSamples(std::string_view record, std::vector<RefSample>& out);
Status decodeTombstones(std::string_view record, std::vector<Tombstone>& out);

}  // namespace vigil::tsdb::record
