#pragma once

// Deleted time ranges per series of a block (FORMAT.md, "Tombstones").

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/model/sample.h"
#include "core/util/env.h"
#include "core/util/status.h"

namespace vigil::tsdb {

// [mint, maxt], both inclusive.
struct Interval {
    model::Timestamp mint = 0;
    model::Timestamp maxt = 0;
    bool contains(model::Timestamp t) const { return mint <= t && t <= maxt; }
    bool overlaps(model::Timestamp lo, model::Timestamp hi) const {
        return mint <= hi && lo <= maxt;
    }
    friend bool operator==(const Interval&, const Interval&) = default;
};
using Intervals = std::vector<Interval>;  // sorted by mint, merged, non-overlapping

// Adds `iv` to `ivs`, merging overlapping and adjacent intervals.
void addInterval(Intervals& ivs, Interval iv);
// True if `t` is in one of `ivs`.
bool isDeleted(const Intervals& ivs, model::Timestamp t);
// True if [mint, maxt] lies entirely within one interval.
bool coversRange(const Intervals& ivs, model::Timestamp mint, model::Timestamp maxt);

// Series id -> deleted intervals. A value type; not thread-safe.
class Tombstones {
public:
    void add(std::uint32_t seriesId, Interval iv) { addInterval(m_map[seriesId], iv); }
    // nullptr when the series has no tombstones.
    const Intervals* get(std::uint32_t seriesId) const {
        auto it = m_map.find(seriesId);
        return it == m_map.end() ? nullptr : &it->second;
    }
    bool empty() const { return m_map.empty(); }
    std::uint64_t numIntervals() const;
    const std::map<std::uint32_t, Intervals>& all() const { return m_map; }

    std::string encode() const;
    // `path` only names the file in errors.
    static Result<Tombstones> decode(std::string_view data, const std::string& path);

private:
    std::map<std::uint32_t, Intervals> m_map;
};

Result<Tombstones> readTombstones(Env* env, const std::string& blockDir);
// Replaces the block's tombstones file atomically.
Status writeTombstones(Env* env, const std::string& blockDir, const Tombstones& t);

}  // namespace vigil::tsdb
