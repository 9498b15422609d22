#include "core/model/in_memory_storage.h"

#include <algorithm>
#include <mutex>
#include <set>

namespace vigil::model {

const char* appendErrorName(AppendError error) {
    switch (error) {
        case AppendError::kNone:
            return "none";
        case AppendError::kOutOfOrder:
            return "out_of_order";
        case AppendError::kDuplicate:
            return "duplicate";
        case AppendError::kOutOfBounds:
            return "out_of_bounds";
        case AppendError::kTooOld:
            return "too_old";
    }
    return "unknown";
}

Status collectSamples(SampleIterator& iterator, std::vector<Sample>& out) {
    while (iterator.next())
        out.push_back(iterator.at());
    return iterator.status();
}

namespace {

using SampleVector = std::shared_ptr<const std::vector<Sample>>;

class VectorIterator : public SampleIterator {
public:
    VectorIterator(SampleVector samples, Timestamp mint, Timestamp maxt)
        : m_samples(std::move(samples)) {
        auto lo = std::lower_bound(m_samples->begin(), m_samples->end(), mint,
                                   [](const Sample& s, Timestamp t) { return s.t < t; });
        auto hi = std::upper_bound(m_samples->begin(), m_samples->end(), maxt,
                                   [](Timestamp t, const Sample& s) { return t < s.t; });
        m_begin = static_cast<std::size_t>(lo - m_samples->begin());
        m_end = static_cast<std::size_t>(hi - m_samples->begin());
        m_pos = m_begin;
    }
    bool next() override {
        if (m_started)
            ++m_pos;
        m_started = true;
        return m_pos < m_end;
    }
    bool seek(Timestamp t) override {
        if (!m_started)
            m_started = true;
        if (m_pos < m_end && (*m_samples)[m_pos].t >= t)
            return true;
        auto it = std::lower_bound(m_samples->begin() + static_cast<std::ptrdiff_t>(m_pos),
                                   m_samples->begin() + static_cast<std::ptrdiff_t>(m_end), t,
                                   [](const Sample& s, Timestamp ts) { return s.t < ts; });
        m_pos = static_cast<std::size_t>(it - m_samples->begin());
        return m_pos < m_end;
    }
    Sample at() const override { return (*m_samples)[m_pos]; }

private:
    SampleVector m_samples;
    std::size_t m_begin = 0, m_end = 0, m_pos = 0;
    bool m_started = false;
};

class VectorSeriesSet : public SeriesSet {
public:
    VectorSeriesSet(std::vector<std::pair<Labels, SampleVector>> series, Timestamp mint,
                    Timestamp maxt)
        : m_series(std::move(series)), m_mint(mint), m_maxt(maxt) {}
    bool next() override {
        if (m_started)
            ++m_pos;
        m_started = true;
        return m_pos < m_series.size();
    }
    const Labels& labels() const override { return m_series[m_pos].first; }
    std::unique_ptr<SampleIterator> iterator() const override {
        return std::make_unique<VectorIterator>(m_series[m_pos].second, m_mint, m_maxt);
    }

private:
    std::vector<std::pair<Labels, SampleVector>> m_series;
    Timestamp m_mint, m_maxt;
    std::size_t m_pos = 0;
    bool m_started = false;
};

}  // namespace

class InMemoryQuerier : public Querier {
public:
    InMemoryQuerier(const InMemoryStorage& storage, Timestamp mint, Timestamp maxt)
        : m_storage(storage), m_mint(mint), m_maxt(maxt) {}

    Result<std::unique_ptr<SeriesSet>> select(const std::vector<Matcher>& matchers,
                                              const SelectHints&) override {
        std::vector<std::pair<Labels, SampleVector>> found;
        std::shared_lock lock(m_storage.m_mutex);
        for (const auto& [labels, samples] : m_storage.m_series) {
            if (!matchesAll(matchers, labels))
                continue;
            // A series with no sample in range is not part of the result.
            auto it = std::lower_bound(samples->begin(), samples->end(), m_mint,
                                       [](const Sample& s, Timestamp t) { return s.t < t; });
            if (it == samples->end() || it->t > m_maxt)
                continue;
            found.emplace_back(labels, samples);
        }
        return std::unique_ptr<SeriesSet>(
            std::make_unique<VectorSeriesSet>(std::move(found), m_mint, m_maxt));
    }

    Result<std::vector<std::string>> labelNames(const std::vector<Matcher>& matchers) override {
        std::set<std::string> names;
        std::shared_lock lock(m_storage.m_mutex);
        for (const auto& [labels, samples] : m_storage.m_series) {
            if (!matchesAll(matchers, labels))
                continue;
            for (const auto& label : labels)
                names.insert(label.name);
        }
        return std::vector<std::string>(names.begin(), names.end());
    }

    Result<std::vector<std::string>> labelValues(const std::string& name,
                                                 const std::vector<Matcher>& matchers) override {
        std::set<std::string> values;
        std::shared_lock lock(m_storage.m_mutex);
        for (const auto& [labels, samples] : m_storage.m_series) {
            if (!matchesAll(matchers, labels))
                continue;
            const std::string_view value = labels.get(name);
            if (!value.empty())
                values.insert(std::string(value));
        }
        return std::vector<std::string>(values.begin(), values.end());
    }

private:
    const InMemoryStorage& m_storage;
    Timestamp m_mint, m_maxt;
};

class InMemoryAppender : public Appender {
public:
    explicit InMemoryAppender(InMemoryStorage& storage) : m_storage(storage) {}

    AppendError append(const Labels& labels, Timestamp t, double v) override {
        m_pending.push_back({labels, {t, v}});
        return AppendError::kNone;
    }
    Status commit() override {
        std::unique_lock lock(m_storage.m_mutex);
        for (const auto& [labels, sample] : m_pending) {
            auto& slot = m_storage.m_series[labels];
            auto samples = slot ? std::make_shared<std::vector<Sample>>(*slot)
                                : std::make_shared<std::vector<Sample>>();
            if (!samples->empty() && samples->back().t >= sample.t)
                continue;  // in-order only
            samples->push_back(sample);
            slot = std::move(samples);
        }
        m_pending.clear();
        return Status::ok();
    }
    void rollback() override { m_pending.clear(); }

private:
    InMemoryStorage& m_storage;
    std::vector<std::pair<Labels, Sample>> m_pending;
};

std::unique_ptr<Querier> InMemoryStorage::querier(Timestamp mint, Timestamp maxt) {
    return std::make_unique<InMemoryQuerier>(*this, mint, maxt);
}

std::unique_ptr<Appender> InMemoryStorage::appender() {
    return std::make_unique<InMemoryAppender>(*this);
}

void InMemoryStorage::put(const Labels& labels, Timestamp t, double v) {
    std::unique_lock lock(m_mutex);
    auto& slot = m_series[labels];
    auto samples = slot ? std::make_shared<std::vector<Sample>>(*slot)
                        : std::make_shared<std::vector<Sample>>();
    auto it = std::lower_bound(samples->begin(), samples->end(), t,
                               [](const Sample& s, Timestamp ts) { return s.t < ts; });
    if (it != samples->end() && it->t == t) {
        it->v = v;
    } else {
        samples->insert(it, {t, v});
    }
    slot = std::move(samples);
}

void InMemoryStorage::clear() {
    std::unique_lock lock(m_mutex);
    m_series.clear();
}

std::size_t InMemoryStorage::seriesCount() const {
    std::shared_lock lock(m_mutex);
    return m_series.size();
}

}  // namespace vigil::model
