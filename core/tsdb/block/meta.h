#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/sample.h"
#include "core/util/env.h"
#include "core/util/status.h"

namespace vigil::tsdb {

// The contents of a block's meta.json (FORMAT.md, "meta.json").
struct BlockMeta {
    std::string ulid;
    model::Timestamp minTime = 0;  // inclusive
    model::Timestamp maxTime = 0;  // exclusive
    std::uint64_t numSamples = 0;
    std::uint64_t numSeries = 0;
    std::uint64_t numChunks = 0;
    std::uint64_t numTombstones = 0;
    int level = 1;
    std::vector<std::string> sources;  // level-1 ancestors
    std::vector<std::string> parents;  // blocks merged into this one
    int version = 1;

    std::string toJson() const;
    // `path` only names the file in errors.
    static Result<BlockMeta> fromJson(std::string_view json, const std::string& path);
};

Result<BlockMeta> readBlockMeta(Env* env, const std::string& blockDir);
// Writes meta.json through a temporary file (atomic).
Status writeBlockMeta(Env* env, const std::string& blockDir, const BlockMeta& meta);

// A new ULID: 48 bits of `ms` and 80 random bits in Crockford base32.
std::string newUlid(std::uint64_t ms);
std::string newUlid();  // now
bool isUlid(std::string_view s);

}  // namespace vigil::tsdb
