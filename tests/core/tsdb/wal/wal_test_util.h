#pragma once

// Helpers shared by the WAL test suites.

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/tsdb/wal/wal.h"
#include "core/tsdb/wal/wal_reader.h"
#include "core/util/env.h"

namespace vigil::tsdb::wal::testing {

// Deterministic record content: compressible (repeating words) or random bytes.
inline std::string makeRecord(std::mt19937_64& rng, std::size_t size, bool compressible) {
    std::string r(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        if (compressible)
            r[i] = static_cast<char>("metric_value_"[(i + size) % 13]);
        else
            r[i] = static_cast<char>(rng());
    }
    return r;
}

struct ReadResult {
    std::vector<std::string> records;
    std::vector<std::uint64_t> offsets;  // start of each record in its segment
    std::vector<int> segments;           // segment of each record
    Status status;
    std::optional<WalCorruption> corruption;
};

// Reads every record of `dir` (checkpoint and segments) without repairing.
inline ReadResult readAll(Env* env, const std::string& dir) {
    ReadResult out;
    auto segments = WalReader::segmentsToReplay(env, dir, nullptr);
    if (!segments) {
        out.status = segments.status();
        return out;
    }
    WalReader reader(env, *segments);
    while (reader.next()) {
        out.records.emplace_back(reader.record());
        out.offsets.push_back(reader.recordOffset());
        out.segments.push_back(reader.segment().index);
    }
    out.status = reader.status();
    out.corruption = reader.corruption();
    return out;
}

inline Status logAll(Wal& wal, const std::vector<std::string>& records) {
    for (const auto& r : records) {
        if (Status s = wal.log(r); !s)
            return s;
    }
    return Status::ok();
}

}  // namespace vigil::tsdb::wal::testing
