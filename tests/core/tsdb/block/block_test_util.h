#pragma once

// Helpers shared by the block, index and compaction test suites.

#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/model/in_memory_storage.h"
#include "core/model/storage.h"
#include "core/tsdb/block/block_writer.h"
#include "core/tsdb/chunkenc/chunk.h"
#include "core/util/env.h"

namespace vigil::tsdb::testing {

using SeriesMap = std::map<model::Labels, std::vector<model::Sample>>;

// Writes `data` (samples sorted per series) as one block with chunks of
// `perChunk` samples. The range is [min sample, max sample + 1) unless given.
inline Result<BlockMeta> writeBlock(Env* env, const std::string& dir, const SeriesMap& data,
                                    std::size_t perChunk = 120,
                                    model::Timestamp mint = model::kMaxTimestamp,
                                    model::Timestamp maxt = model::kMinTimestamp) {
    BlockMeta meta;
    bool autoRange = mint == model::kMaxTimestamp;
    if (autoRange) {
        for (const auto& [l, s] : data)
            if (!s.empty()) {
                mint = std::min(mint, s.front().t);
                maxt = std::max(maxt, s.back().t + 1);
            }
    }
    meta.minTime = mint;
    meta.maxTime = maxt;
    auto w = BlockWriter::create(env, dir, meta);
    if (!w)
        return w.status();
    for (const auto& [labels, samples] : data) {
        std::vector<std::vector<std::uint8_t>> store;
        std::vector<ChunkView> views;
        for (std::size_t i = 0; i < samples.size(); i += perChunk) {
            std::size_t n = std::min(perChunk, samples.size() - i);
            std::span<const model::Sample> part(samples.data() + i, n);
            auto enc = encodeSealed(part);
            if (!enc)
                return enc.status();
            store.push_back(std::move(enc.value()));
            ChunkView v;
            v.mint = part.front().t;
            v.maxt = part.back().t;
            v.data = store.back();
            views.push_back(v);
        }
        Status st = (*w)->addSeries(labels, views);
        if (!st.isOk())
            return st;
    }
    return (*w)->commit();
}

// Everything a select returns, with the iterator's status checked.
inline Result<SeriesMap> collect(model::Querier& q, const std::vector<model::Matcher>& matchers) {
    auto set = q.select(matchers, {});
    if (!set)
        return set.status();
    SeriesMap out;
    model::Labels prev;
    bool first = true;
    while ((*set)->next()) {
        const model::Labels& l = (*set)->labels();
        if (!first && !(prev < l))
            return Status::error("series not sorted: " + l.toString() + " after " +
                                 prev.toString());
        prev = l;
        first = false;
        auto it = (*set)->iterator();
        std::vector<model::Sample> samples;
        Status st = model::collectSamples(*it, samples);
        if (!st.isOk())
            return st;
        out[l] = std::move(samples);
    }
    if (!(*set)->status().isOk())
        return (*set)->status();
    return out;
}

inline bool sameSamples(const std::vector<model::Sample>& a, const std::vector<model::Sample>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].t != b[i].t || std::memcmp(&a[i].v, &b[i].v, sizeof(double)) != 0)
            return false;
    return true;
}

// First difference between two series maps, or "" when equal.
inline std::string diff(const SeriesMap& got, const SeriesMap& want) {
    for (const auto& [l, s] : want) {
        auto it = got.find(l);
        if (it == got.end())
            return "missing series " + l.toString();
        if (!sameSamples(it->second, s))
            return "samples differ for " + l.toString() + ": got " +
                   std::to_string(it->second.size()) + ", want " + std::to_string(s.size());
    }
    for (const auto& [l, s] : got)
        if (!want.count(l))
            return "unexpected series " + l.toString();
    return {};
}

// Random series over a small label alphabet; samples every `step` ms with
// jitter-free timestamps in [t0, t0 + n*step) and decimal-ish values.
inline SeriesMap randomSeries(std::uint64_t seed, int nseries, int nsamples,
                              model::Timestamp t0 = 1735689600000, model::Timestamp step = 15000) {
    std::mt19937_64 rng(seed);
    SeriesMap out;
    const char* names[] = {"up", "node_load1", "http_requests_total", "cpu"};
    const char* jobs[] = {"node", "api", "db"};
    while (static_cast<int>(out.size()) < nseries) {
        std::vector<model::Label> ls;
        ls.push_back({"__name__", names[rng() % 4]});
        ls.push_back({"job", jobs[rng() % 3]});
        ls.push_back({"instance", "host-" + std::to_string(rng() % 50)});
        if (rng() % 3 == 0)
            ls.push_back({"env", rng() % 2 ? "prod" : "dev"});
        auto labels = model::Labels::fromUnsorted(ls);
        std::vector<model::Sample> s;
        double v = static_cast<double>(rng() % 1000);
        for (int i = 0; i < nsamples; ++i) {
            if (rng() % 10 == 0)
                continue;  // a missed scrape
            v += static_cast<double>(rng() % 100) / 100.0;
            s.push_back({t0 + i * step, v});
        }
        if (!s.empty())
            out[labels] = std::move(s);
    }
    return out;
}

inline std::unique_ptr<model::InMemoryStorage> toStorage(const SeriesMap& data) {
    auto st = std::make_unique<model::InMemoryStorage>();
    for (const auto& [l, samples] : data)
        for (const auto& s : samples)
            st->put(l, s.t, s.v);
    return st;
}

inline model::Matcher matcher(model::MatchType type, const char* name, const char* value) {
    return model::Matcher::make(type, name, value).value();
}

// Flips one byte of a file in place.
inline Status flipByte(Env* env, const std::string& path, std::uint64_t offset) {
    auto data = readFile(env, path);
    if (!data)
        return data.status();
    if (offset >= data->size())
        return Status::error("offset past the end");
    (*data)[offset] = static_cast<char>((*data)[offset] ^ 0x5a);
    auto f = env->newWritableFile(path);
    if (!f)
        return f.status();
    Status st = (*f)->append(*data);
    return st.isOk() ? (*f)->close() : st;
}

}  // namespace vigil::tsdb::testing
