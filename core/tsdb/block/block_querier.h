#pragma once

#include <memory>
#include <vector>

#include "core/model/storage.h"
#include "core/tsdb/block/block.h"
#include "core/tsdb/chunk_series.h"

namespace vigil::tsdb {

// Walks a block's series (those in `ids`, in label order) with their chunks
// that overlap [mint, maxt], tombstones applied: a chunk entirely deleted is
// dropped, a partly deleted one is decoded, filtered and re-encoded sealed.
// A series left with no chunk is skipped. Not thread-safe. The block must
// outlive the cursor (it holds a reference).
class BlockSeriesCursor {
public:
    BlockSeriesCursor(std::shared_ptr<const Block> block, Postings ids, model::Timestamp mint,
                      model::Timestamp maxt);

    // False at the end or on error (see status()).
    bool next();
    const model::Labels& labels() const { return m_labels; }
    // Valid until the next call to next().
    std::span<const ChunkView> chunks() const { return m_views; }
    const Status& status() const { return m_status; }

private:
    std::shared_ptr<const Block> m_block;
    std::shared_ptr<const Tombstones> m_tombstones;
    Postings m_ids;
    std::size_t m_pos = 0;
    model::Timestamp m_mint;
    model::Timestamp m_maxt;
    model::Labels m_labels;
    std::vector<ChunkMeta> m_metas;
    std::vector<ChunkView> m_views;
    std::vector<std::vector<std::uint8_t>> m_rewritten;
    std::vector<model::Sample> m_scratch;
    Status m_status;
};

// A model::Querier over one block for [mint, maxt] (both inclusive), with
// its tombstones applied. Thread-safe for concurrent select() calls.
class BlockQuerier final : public model::Querier {
public:
    BlockQuerier(std::shared_ptr<const Block> block, model::Timestamp mint, model::Timestamp maxt);

    Result<std::unique_ptr<model::SeriesSet>> select(const std::vector<model::Matcher>& matchers,
                                                     const model::SelectHints& hints) override;
    Result<std::vector<std::string>> labelNames(
        const std::vector<model::Matcher>& matchers) override;
    Result<std::vector<std::string>> labelValues(
        const std::string& name, const std::vector<model::Matcher>& matchers) override;

    // Visits every series with chunks overlapping [mint, maxt] (tombstones
    // applied) in label order: the compactor's and exporters' view.
    Status forEachSeriesChunks(model::Timestamp mint, model::Timestamp maxt,
                               const ChunkSeriesVisitor& visitor) const;

private:
    std::shared_ptr<const Block> m_block;
    model::Timestamp m_mint;
    model::Timestamp m_maxt;
};

// Merges several queriers (head and blocks, or several blocks): series are
// k-way merged by labels; the samples of a series present in several
// sources are merged by time, and a timestamp seen in more than one source
// yields one sample (the first source's). Thread-safe if the sources are.
class MergeQuerier final : public model::Querier {
public:
    explicit MergeQuerier(std::vector<std::unique_ptr<model::Querier>> sources);

    Result<std::unique_ptr<model::SeriesSet>> select(const std::vector<model::Matcher>& matchers,
                                                     const model::SelectHints& hints) override;
    Result<std::vector<std::string>> labelNames(
        const std::vector<model::Matcher>& matchers) override;
    Result<std::vector<std::string>> labelValues(
        const std::string& name, const std::vector<model::Matcher>& matchers) override;

private:
    std::vector<std::unique_ptr<model::Querier>> m_sources;
};

// An iterator over samples held in a shared vector (sorted by time).
class VectorSampleIterator final : public model::SampleIterator {
public:
    explicit VectorSampleIterator(std::shared_ptr<const std::vector<model::Sample>> samples)
        : m_samples(std::move(samples)) {}
    bool next() override;
    bool seek(model::Timestamp t) override;
    model::Sample at() const override { return (*m_samples)[m_pos]; }

private:
    std::shared_ptr<const std::vector<model::Sample>> m_samples;
    std::size_t m_pos = 0;
    bool m_started = false;
};

}  // namespace vigil::tsdb
