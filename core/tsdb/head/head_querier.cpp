#include "core/tsdb/head/head_querier.h"

#include <algorithm>
#include <mutex>
#include <set>

namespace vigil::tsdb {

using head::MemSeries;
using head::SeriesSnapshot;
using model::Sample;
using model::Timestamp;

namespace {

// Iterates the decoded samples of one series snapshot within [mint, maxt].
class HeadIterator final : public model::SampleIterator {
public:
    HeadIterator(SeriesSnapshot snapshot, Timestamp mint, Timestamp maxt)
        : m_snapshot(std::move(snapshot)), m_mint(mint), m_maxt(maxt) {}

    bool next() override {
        if (!load())
            return false;
        if (m_started)
            ++m_pos;
        m_started = true;
        return m_pos < m_samples.size();
    }
    bool seek(Timestamp t) override {
        if (!load())
            return false;
        m_started = true;
        if (m_pos < m_samples.size() && m_samples[m_pos].t >= t)
            return true;
        auto it = std::lower_bound(m_samples.begin() + static_cast<std::ptrdiff_t>(m_pos),
                                   m_samples.end(), t,
                                   [](const Sample& s, Timestamp ts) { return s.t < ts; });
        m_pos = static_cast<std::size_t>(it - m_samples.begin());
        return m_pos < m_samples.size();
    }
    Sample at() const override { return m_samples[m_pos]; }
    Status status() const override { return m_status; }

private:
    // Decodes on first use, outside any lock.
    bool load() {
        if (m_loaded)
            return m_status.isOk();
        m_loaded = true;
        // Only the samples in [mint, maxt] are decoded (a sealed chunk's
        // values outside the window are never converted).
        thread_local std::vector<Sample> scratch;
        std::vector<Sample>& inOrder = m_snapshot.ooo.empty() ? m_samples : scratch;
        inOrder.clear();
        for (const auto& c : m_snapshot.sealed) {
            if (Status s =
                    decodeSamplesInRange(Encoding::kPacked, c.bytes(), m_mint, m_maxt, inOrder);
                !s) {
                m_status = s.withContext("reading a head chunk");
                return false;
            }
        }
        if (!m_snapshot.open.empty()) {
            if (Status s =
                    decodeSamplesInRange(Encoding::kXor, m_snapshot.open, m_mint, m_maxt, inOrder);
                !s) {
                m_status = s.withContext("reading the open head chunk");
                return false;
            }
        }
        if (!m_snapshot.ooo.empty())
            head::mergeSamples(inOrder, m_snapshot.ooo, m_samples);
        m_snapshot.clear();
        return true;
    }

    SeriesSnapshot m_snapshot;
    Timestamp m_mint, m_maxt;
    std::vector<Sample> m_samples;
    std::size_t m_pos = 0;
    bool m_started = false;
    bool m_loaded = false;
    Status m_status;
};

class EmptyIterator final : public model::SampleIterator {
public:
    bool next() override { return false; }
    bool seek(Timestamp) override { return false; }
    Sample at() const override { return {}; }
};

}  // namespace

// Series of one select(), in label order; each iterator() snapshots the
// series at that moment.
class HeadSeriesSet final : public model::SeriesSet {
public:
    HeadSeriesSet(Head& head, std::vector<std::pair<model::Labels, std::uint64_t>> series,
                  Timestamp mint, Timestamp maxt)
        : m_head(head), m_series(std::move(series)), m_mint(mint), m_maxt(maxt) {}

    bool next() override {
        if (m_started)
            ++m_pos;
        m_started = true;
        return m_pos < m_series.size();
    }
    const model::Labels& labels() const override { return m_series[m_pos].first; }
    std::unique_ptr<model::SampleIterator> iterator() const override {
        SeriesSnapshot snapshot;
        const bool found = m_head.m_series.forRef(m_series[m_pos].second, [&](MemSeries& s) {
            std::lock_guard guard(s.lock());
            s.snapshot(m_mint, m_maxt, snapshot);
        });
        if (!found)  // removed by truncate() since select()
            return std::make_unique<EmptyIterator>();
        return std::make_unique<HeadIterator>(std::move(snapshot), m_mint, m_maxt);
    }

private:
    Head& m_head;
    std::vector<std::pair<model::Labels, std::uint64_t>> m_series;
    Timestamp m_mint, m_maxt;
    std::size_t m_pos = 0;
    bool m_started = false;
};

HeadQuerier::HeadQuerier(Head& head, Timestamp mint, Timestamp maxt)
    : m_head(head), m_mint(mint), m_maxt(maxt) {}

Result<std::unique_ptr<model::SeriesSet>> HeadQuerier::select(
    const std::vector<model::Matcher>& matchers, const model::SelectHints&) {
    std::vector<std::pair<model::Labels, std::uint64_t>> found;
    if (m_mint <= m_maxt) {
        for (std::uint64_t ref : m_head.m_postings.select(matchers, m_head.m_symbols)) {
            m_head.m_series.forRef(ref, [&](MemSeries& s) {
                bool overlaps;
                {
                    std::lock_guard guard(s.lock());
                    overlaps = s.overlaps(m_mint, m_maxt);
                }
                if (overlaps)
                    found.emplace_back(s.labels(m_head.m_symbols), ref);
            });
        }
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return std::unique_ptr<model::SeriesSet>(
        std::make_unique<HeadSeriesSet>(m_head, std::move(found), m_mint, m_maxt));
}

Result<std::vector<std::string>> HeadQuerier::labelNames(
    const std::vector<model::Matcher>& matchers) {
    if (matchers.empty())
        return m_head.m_postings.labelNames(m_head.m_symbols);
    std::set<std::string_view> names;
    for (std::uint64_t ref : m_head.m_postings.select(matchers, m_head.m_symbols)) {
        m_head.m_series.forRef(ref, [&](MemSeries& s) {
            auto ids = s.labelIds();
            for (std::size_t i = 0; i < ids.size(); i += 2)
                names.insert(m_head.m_symbols.symbol(ids[i]));
        });
    }
    return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<std::string>> HeadQuerier::labelValues(
    const std::string& name, const std::vector<model::Matcher>& matchers) {
    if (matchers.empty())
        return m_head.m_postings.labelValues(name, m_head.m_symbols);
    std::set<std::string_view> values;
    const auto nameId = m_head.m_symbols.find(name);
    if (!nameId)
        return std::vector<std::string>{};
    for (std::uint64_t ref : m_head.m_postings.select(matchers, m_head.m_symbols)) {
        m_head.m_series.forRef(ref, [&](MemSeries& s) {
            auto ids = s.labelIds();
            for (std::size_t i = 0; i < ids.size(); i += 2) {
                if (ids[i] == *nameId)
                    values.insert(m_head.m_symbols.symbol(ids[i + 1]));
            }
        });
    }
    return std::vector<std::string>(values.begin(), values.end());
}

Result<std::vector<model::Labels>> HeadQuerier::series(
    const std::vector<model::Matcher>& matchers) {
    auto set = select(matchers, model::SelectHints{});
    if (!set)
        return set.status();
    std::vector<model::Labels> out;
    while ((*set)->next())
        out.push_back((*set)->labels());
    return out;
}

}  // namespace vigil::tsdb
