#pragma once

// Reading the head (Prometheus tsdb/head_read.go): select() resolves the
// matchers on the in-memory postings and returns the series with samples in
// [mint, maxt] sorted by labels; iterator() copies what it needs of a series
// under the series' lock (shared sealed chunks, a copy of the open chunk, the
// out-of-order samples in range) and decodes outside it.

#include <memory>
#include <string>
#include <vector>

#include "core/model/storage.h"
#include "core/tsdb/head/head.h"

namespace vigil::tsdb {

// Thread-safety: select(), labelNames() and labelValues() may be called
// concurrently. REQUIRES: the Head outlives the querier and its series sets.
class HeadQuerier final : public model::Querier {
public:
    HeadQuerier(Head& head, model::Timestamp mint, model::Timestamp maxt);

    Result<std::unique_ptr<model::SeriesSet>> select(const std::vector<model::Matcher>& matchers,
                                                     const model::SelectHints& hints) override;
    // Names and values of the series in the head matching `matchers`,
    // whatever their time range (as Prometheus's head does).
    Result<std::vector<std::string>> labelNames(
        const std::vector<model::Matcher>& matchers) override;
    Result<std::vector<std::string>> labelValues(
        const std::string& name, const std::vector<model::Matcher>& matchers) override;

    // Labels of the series matching `matchers` with samples in range, sorted
    // (the /api/v1/series call).
    Result<std::vector<model::Labels>> series(const std::vector<model::Matcher>& matchers);

private:
    Head& m_head;
    model::Timestamp m_mint, m_maxt;
};

}  // namespace vigil::tsdb
