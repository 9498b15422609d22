#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "core/model/storage.h"

namespace vigil::model {

// A simple, complete Storage kept in a sorted map: series → samples. It is
// the reference against which the TSDB is checked, and the store behind
// PromQL unit tests and `promql test` scripts' `load` commands. Not built
// for size or speed. Thread-safe.
class InMemoryStorage : public Storage {
public:
    std::unique_ptr<Querier> querier(Timestamp mint, Timestamp maxt) override;
    std::unique_ptr<Appender> appender() override;

    // Adds or replaces a sample directly (test set-up: out-of-order allowed).
    void put(const Labels& labels, Timestamp t, double v);
    void clear();
    std::size_t seriesCount() const;

private:
    friend class InMemoryAppender;
    friend class InMemoryQuerier;

    mutable std::shared_mutex m_mutex;
    // Sorted by labels; samples sorted by time. GUARDED_BY(m_mutex)
    std::map<Labels, std::shared_ptr<const std::vector<Sample>>> m_series;
};

// Drains an iterator into `out` (appending). Returns the iterator's status.
Status collectSamples(SampleIterator& iterator, std::vector<Sample>& out);

}  // namespace vigil::model
