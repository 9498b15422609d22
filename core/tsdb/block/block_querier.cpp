#include "core/tsdb/block/block_querier.h"

#include <algorithm>
#include <set>

namespace vigil::tsdb {

using model::Sample;
using model::Timestamp;

// ---------------------------------------------------------------- cursor

BlockSeriesCursor::BlockSeriesCursor(std::shared_ptr<const Block> block, Postings ids,
                                     Timestamp mint, Timestamp maxt)
    : m_block(std::move(block)),
      m_tombstones(m_block->tombstones()),
      m_ids(std::move(ids)),
      m_mint(mint),
      m_maxt(maxt) {}

bool BlockSeriesCursor::next() {
    if (!m_status.isOk())
        return false;
    const IndexReader& index = m_block->index();
    while (m_pos < m_ids.size()) {
        std::uint32_t id = m_ids[m_pos++];
        m_status = index.series(id, &m_labels, &m_metas);
        if (!m_status.isOk())
            return false;
        const Intervals* deleted = m_tombstones->get(id);
        m_views.clear();
        m_rewritten.clear();
        for (const ChunkMeta& meta : m_metas) {
            if (meta.maxt < m_mint || meta.mint > m_maxt)
                continue;
            if (deleted && coversRange(*deleted, meta.mint, meta.maxt))
                continue;
            auto chunk = m_block->chunks().chunk(meta.ref);
            if (!chunk) {
                m_status = chunk.status();
                return false;
            }
            ChunkView view = *chunk;
            view.mint = meta.mint;
            view.maxt = meta.maxt;
            bool touched = false;
            if (deleted)
                for (const Interval& iv : *deleted)
                    touched = touched || iv.overlaps(meta.mint, meta.maxt);
            if (touched) {
                m_scratch.clear();
                m_status = decodeSamples(view.encoding, view.data, m_scratch);
                if (!m_status.isOk()) {
                    m_status =
                        m_status.withContext(m_block->dir() + ": series " + m_labels.toString());
                    return false;
                }
                std::erase_if(m_scratch, [&](const Sample& s) { return isDeleted(*deleted, s.t); });
                if (m_scratch.empty())
                    continue;
                auto enc = encodeSealed(m_scratch);
                if (!enc) {
                    m_status = enc.status();
                    return false;
                }
                m_rewritten.push_back(std::move(enc.value()));
                view.encoding = Encoding::kPacked;
                view.data = m_rewritten.back();
                view.mint = m_scratch.front().t;
                view.maxt = m_scratch.back().t;
            }
            m_views.push_back(view);
        }
        // (Moving m_rewritten's inner vectors when it grows keeps their buffers,
        // so the views stay valid.)
        if (!m_views.empty())
            return true;
    }
    return false;
}

// ---------------------------------------------------------------- iterators

bool VectorSampleIterator::next() {
    if (!m_started) {
        m_started = true;
        m_pos = 0;
    } else if (m_pos < m_samples->size()) {
        ++m_pos;
    }
    return m_pos < m_samples->size();
}

bool VectorSampleIterator::seek(Timestamp t) {
    if (!m_started) {
        m_started = true;
        m_pos = 0;
    }
    if (m_pos >= m_samples->size())
        return false;
    if ((*m_samples)[m_pos].t >= t)
        return true;
    auto it =
        std::lower_bound(m_samples->begin() + static_cast<std::ptrdiff_t>(m_pos), m_samples->end(),
                         t, [](const Sample& s, Timestamp v) { return s.t < v; });
    m_pos = static_cast<std::size_t>(it - m_samples->begin());
    return m_pos < m_samples->size();
}

namespace {

class BlockSeriesSet final : public model::SeriesSet {
public:
    BlockSeriesSet(std::shared_ptr<const Block> block, Postings ids, Timestamp mint, Timestamp maxt)
        : m_block(std::move(block)),
          m_tombstones(m_block->tombstones()),
          m_ids(std::move(ids)),
          m_mint(mint),
          m_maxt(maxt) {}

    bool next() override {
        if (!m_status.isOk())
            return false;
        const IndexReader& index = m_block->index();
        while (m_pos < m_ids.size()) {
            std::uint32_t id = m_ids[m_pos++];
            m_status = index.series(id, &m_labels, &m_metas);
            if (!m_status.isOk())
                return false;
            const Intervals* deleted = m_tombstones->get(id);
            // Reuse the previous series' buffer unless an iterator still
            // reads it: the usual reader takes one iterator per series and
            // drops it before next(), so a query allocates no buffer per
            // series.
            if (!m_samples || m_samples.use_count() > 1)
                m_samples = std::make_shared<std::vector<Sample>>();
            std::vector<Sample>* samples = m_samples.get();
            samples->clear();
            for (const ChunkMeta& meta : m_metas) {
                if (meta.maxt < m_mint || meta.mint > m_maxt)
                    continue;
                if (deleted && coversRange(*deleted, meta.mint, meta.maxt))
                    continue;
                auto chunk = m_block->chunks().chunk(meta.ref);
                if (!chunk) {
                    m_status = chunk.status();
                    return false;
                }
                std::size_t before = samples->size();
                // A chunk reaching outside [mint, maxt] (typically the one
                // holding an instant query's short window) is decoded only
                // inside it.
                const bool partial = meta.mint < m_mint || meta.maxt > m_maxt;
                m_status = partial ? decodeSamplesInRange(chunk->encoding, chunk->data, m_mint,
                                                          m_maxt, *samples)
                                   : decodeSamples(chunk->encoding, chunk->data, *samples);
                if (!m_status.isOk()) {
                    m_status =
                        m_status.withContext(m_block->dir() + ": series " + m_labels.toString());
                    return false;
                }
                if (deleted) {
                    auto first = samples->begin() + static_cast<std::ptrdiff_t>(before);
                    samples->erase(std::remove_if(first, samples->end(),
                                                  [&](const Sample& s) {
                                                      return s.t < m_mint || s.t > m_maxt ||
                                                             (deleted && isDeleted(*deleted, s.t));
                                                  }),
                                   samples->end());
                }
            }
            if (samples->empty())
                continue;
            return true;
        }
        return false;
    }
    const model::Labels& labels() const override { return m_labels; }
    std::unique_ptr<model::SampleIterator> iterator() const override {
        return std::make_unique<VectorSampleIterator>(m_samples);
    }
    Status status() const override { return m_status; }

private:
    std::shared_ptr<const Block> m_block;
    std::shared_ptr<const Tombstones> m_tombstones;
    Postings m_ids;
    std::size_t m_pos = 0;
    Timestamp m_mint;
    Timestamp m_maxt;
    model::Labels m_labels;
    std::vector<ChunkMeta> m_metas;
    std::shared_ptr<std::vector<Sample>> m_samples;
    Status m_status;
};

}  // namespace

// ---------------------------------------------------------------- BlockQuerier

BlockQuerier::BlockQuerier(std::shared_ptr<const Block> block, Timestamp mint, Timestamp maxt)
    : m_block(std::move(block)), m_mint(mint), m_maxt(maxt) {}

Result<std::unique_ptr<model::SeriesSet>> BlockQuerier::select(
    const std::vector<model::Matcher>& matchers, const model::SelectHints& hints) {
    (void)hints;
    auto ids = m_block->index().postingsForMatchers(matchers);
    if (!ids)
        return ids.status();
    Timestamp mint = m_mint;
    Timestamp maxt = m_maxt;
    if (m_block->meta().maxTime <= mint || m_block->meta().minTime > maxt)
        ids.value().clear();
    return std::unique_ptr<model::SeriesSet>(
        new BlockSeriesSet(m_block, std::move(ids.value()), mint, maxt));
}

Result<std::vector<std::string>> BlockQuerier::labelNames(
    const std::vector<model::Matcher>& matchers) {
    std::vector<std::string> out;
    if (matchers.empty()) {
        for (auto n : m_block->index().labelNames())
            out.emplace_back(n);
        return out;
    }
    auto ids = m_block->index().postingsForMatchers(matchers);
    if (!ids)
        return ids.status();
    std::set<std::string> names;
    model::Labels labels;
    for (std::uint32_t id : *ids) {
        Status st = m_block->index().series(id, &labels, nullptr);
        if (!st.isOk())
            return st;
        for (const auto& l : labels)
            names.insert(l.name);
    }
    return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<std::string>> BlockQuerier::labelValues(
    const std::string& name, const std::vector<model::Matcher>& matchers) {
    std::vector<std::string> out;
    if (matchers.empty()) {
        for (auto v : m_block->index().labelValues(name))
            out.emplace_back(v);
        return out;
    }
    auto ids = m_block->index().postingsForMatchers(matchers);
    if (!ids)
        return ids.status();
    std::set<std::string> values;
    model::Labels labels;
    for (std::uint32_t id : *ids) {
        Status st = m_block->index().series(id, &labels, nullptr);
        if (!st.isOk())
            return st;
        std::string_view v = labels.get(name);
        if (!v.empty())
            values.emplace(v);
    }
    return std::vector<std::string>(values.begin(), values.end());
}

Status BlockQuerier::forEachSeriesChunks(Timestamp mint, Timestamp maxt,
                                         const ChunkSeriesVisitor& visitor) const {
    auto ids = m_block->index().postingsForMatchers({});
    if (!ids)
        return ids.status();
    BlockSeriesCursor cursor(m_block, std::move(ids.value()), mint, maxt);
    while (cursor.next()) {
        Status st = visitor(cursor.labels(), cursor.chunks());
        if (!st.isOk())
            return st;
    }
    return cursor.status();
}

// ---------------------------------------------------------------- merging

namespace {

class MergingSampleIterator final : public model::SampleIterator {
public:
    explicit MergingSampleIterator(std::vector<std::unique_ptr<model::SampleIterator>> its)
        : m_its(std::move(its)), m_valid(m_its.size(), false) {}

    bool next() override {
        if (!m_started) {
            m_started = true;
            for (std::size_t i = 0; i < m_its.size(); ++i)
                m_valid[i] = m_its[i]->next();
        } else {
            if (!m_hasCur)
                return false;
            if (m_bound > m_cur.t) {
                // Fast path: only the current source holds m_cur.t. Blocks
                // rarely overlap, so one source usually runs on for a whole
                // chunk range before another's head is reached.
                m_valid[m_curSource] = m_its[m_curSource]->next();
                if (m_valid[m_curSource]) {
                    Sample s = m_its[m_curSource]->at();
                    if (s.t < m_bound) {
                        m_cur = s;
                        return true;
                    }
                }
                return pick();
            }
            for (std::size_t i = 0; i < m_its.size(); ++i)
                if (m_valid[i] && m_its[i]->at().t == m_cur.t)
                    m_valid[i] = m_its[i]->next();
        }
        return pick();
    }
    bool seek(Timestamp t) override {
        if (m_started && m_hasCur && m_cur.t >= t)
            return true;
        if (m_started && !m_hasCur)
            return false;
        for (std::size_t i = 0; i < m_its.size(); ++i) {
            if (!m_started || (m_valid[i] && m_its[i]->at().t < t))
                m_valid[i] = m_its[i]->seek(t);
        }
        m_started = true;
        return pick();
    }
    Sample at() const override { return m_cur; }
    Status status() const override {
        for (const auto& it : m_its) {
            Status st = it->status();
            if (!st.isOk())
                return st;
        }
        return Status::ok();
    }

private:
    // Makes the smallest head current (the first source wins ties) and
    // records the smallest head of the other sources in m_bound.
    bool pick() {
        m_hasCur = false;
        m_bound = model::kMaxTimestamp;
        for (std::size_t i = 0; i < m_its.size(); ++i) {
            if (!m_valid[i])
                continue;
            Sample s = m_its[i]->at();
            if (!m_hasCur || s.t < m_cur.t) {
                if (m_hasCur)
                    m_bound = std::min(m_bound, m_cur.t);
                m_cur = s;
                m_curSource = i;
                m_hasCur = true;
            } else {
                m_bound = std::min(m_bound, s.t);
            }
        }
        return m_hasCur;
    }

    std::vector<std::unique_ptr<model::SampleIterator>> m_its;
    std::vector<bool> m_valid;
    bool m_started = false;
    bool m_hasCur = false;
    Sample m_cur{};
    std::size_t m_curSource = 0;
    Timestamp m_bound = model::kMaxTimestamp;  // smallest head of the other sources
};

class MergedSeriesSet final : public model::SeriesSet {
public:
    explicit MergedSeriesSet(std::vector<std::unique_ptr<model::SeriesSet>> sets)
        : m_sets(std::move(sets)), m_valid(m_sets.size(), false) {}

    bool next() override {
        if (!m_started) {
            m_started = true;
            for (std::size_t i = 0; i < m_sets.size(); ++i)
                m_valid[i] = m_sets[i]->next();
        } else {
            for (std::size_t i : m_current)
                m_valid[i] = m_sets[i]->next();
        }
        m_current.clear();
        const model::Labels* min = nullptr;
        for (std::size_t i = 0; i < m_sets.size(); ++i) {
            if (!m_valid[i])
                continue;
            const model::Labels& l = m_sets[i]->labels();
            if (!min || l < *min) {
                min = &l;
                m_current.assign(1, i);
            } else if (l == *min) {
                m_current.push_back(i);
            }
        }
        // Points into the current source set, which keeps its labels until
        // its next(); that happens only in our next(), so no copy is needed.
        m_labels = min;
        return min != nullptr;
    }
    const model::Labels& labels() const override { return *m_labels; }
    std::unique_ptr<model::SampleIterator> iterator() const override {
        if (m_current.size() == 1)
            return m_sets[m_current[0]]->iterator();
        std::vector<std::unique_ptr<model::SampleIterator>> its;
        for (std::size_t i : m_current)
            its.push_back(m_sets[i]->iterator());
        return std::make_unique<MergingSampleIterator>(std::move(its));
    }
    Status status() const override {
        for (const auto& s : m_sets) {
            Status st = s->status();
            if (!st.isOk())
                return st;
        }
        return Status::ok();
    }

private:
    std::vector<std::unique_ptr<model::SeriesSet>> m_sets;
    std::vector<bool> m_valid;
    std::vector<std::size_t> m_current;
    bool m_started = false;
    const model::Labels* m_labels = nullptr;
};

std::vector<std::string> mergeSorted(std::vector<std::vector<std::string>> lists) {
    std::set<std::string> all;
    for (auto& l : lists)
        for (auto& s : l)
            all.insert(std::move(s));
    return std::vector<std::string>(all.begin(), all.end());
}

}  // namespace

MergeQuerier::MergeQuerier(std::vector<std::unique_ptr<model::Querier>> sources)
    : m_sources(std::move(sources)) {}

Result<std::unique_ptr<model::SeriesSet>> MergeQuerier::select(
    const std::vector<model::Matcher>& matchers, const model::SelectHints& hints) {
    if (m_sources.size() == 1)
        return m_sources[0]->select(matchers, hints);
    std::vector<std::unique_ptr<model::SeriesSet>> sets;
    for (auto& q : m_sources) {
        auto s = q->select(matchers, hints);
        if (!s)
            return s.status();
        sets.push_back(std::move(s.value()));
    }
    return std::unique_ptr<model::SeriesSet>(new MergedSeriesSet(std::move(sets)));
}

Result<std::vector<std::string>> MergeQuerier::labelNames(
    const std::vector<model::Matcher>& matchers) {
    std::vector<std::vector<std::string>> lists;
    for (auto& q : m_sources) {
        auto r = q->labelNames(matchers);
        if (!r)
            return r.status();
        lists.push_back(std::move(r.value()));
    }
    return mergeSorted(std::move(lists));
}

Result<std::vector<std::string>> MergeQuerier::labelValues(
    const std::string& name, const std::vector<model::Matcher>& matchers) {
    std::vector<std::vector<std::string>> lists;
    for (auto& q : m_sources) {
        auto r = q->labelValues(name, matchers);
        if (!r)
            return r.status();
        lists.push_back(std::move(r.value()));
    }
    return mergeSorted(std::move(lists));
}

}  // namespace vigil::tsdb
