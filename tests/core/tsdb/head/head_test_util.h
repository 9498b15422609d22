#pragma once

// Helpers shared by the head test suites.

#include <bit>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model/in_memory_storage.h"
#include "core/model/matcher.h"
#include "core/model/storage.h"
#include "core/tsdb/head/head.h"

namespace vigil::tsdb::testing {

using SeriesSamples = std::map<model::Labels, std::vector<model::Sample>>;

inline model::Matcher matcher(model::MatchType type, std::string name, std::string value) {
    auto m = model::Matcher::make(type, std::move(name), std::move(value));
    if (!m)
        qFatal("bad matcher: %s", m.status().message().c_str());
    return *m;
}

// Everything `querier` returns for `matchers`, in order; the labels in the
// order they came (to check sorting) in `order` if given.
inline Status queryAll(model::Querier& querier, const std::vector<model::Matcher>& matchers,
                       SeriesSamples& out, std::vector<model::Labels>* order = nullptr) {
    auto set = querier.select(matchers, {});
    if (!set)
        return set.status();
    while ((*set)->next()) {
        auto it = (*set)->iterator();
        std::vector<model::Sample> samples;
        if (Status s = model::collectSamples(*it, samples); !s)
            return s;
        out[(*set)->labels()] = std::move(samples);
        if (order)
            order->push_back((*set)->labels());
    }
    return (*set)->status();
}

inline bool sameSamples(const std::vector<model::Sample>& a, const std::vector<model::Sample>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].t != b[i].t ||
            std::bit_cast<std::uint64_t>(a[i].v) != std::bit_cast<std::uint64_t>(b[i].v))
            return false;
    }
    return true;
}

// A description of the first difference, or "" when equal.
inline std::string diff(const SeriesSamples& want, const SeriesSamples& got) {
    for (const auto& [labels, samples] : want) {
        auto it = got.find(labels);
        if (it == got.end())
            return "missing series " + labels.toString();
        if (!sameSamples(samples, it->second))
            return "samples differ for " + labels.toString() + ": want " +
                   std::to_string(samples.size()) + ", got " + std::to_string(it->second.size());
    }
    for (const auto& [labels, samples] : got) {
        if (!want.count(labels))
            return "unexpected series " + labels.toString();
    }
    return {};
}

inline std::vector<model::Matcher> anySeries() {
    return {matcher(model::MatchType::kRegexp, "__name__", ".+")};
}

}  // namespace vigil::tsdb::testing
