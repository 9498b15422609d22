#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/logs/log_store_api.h"
#include "core/logs/logql/ast.h"
#include "core/model/labels.h"
#include "core/util/status.h"

namespace vigil::logql {

// One point of a metric result; tNs in nanoseconds since the epoch.
struct Point {
    std::int64_t tNs = 0;
    double value = 0;
};

struct SeriesResult {
    model::Labels labels;
    std::vector<Point> points;  // ascending time; one point for a vector
};

struct QueryStats {
    std::uint64_t linesProcessed = 0;
    std::uint64_t bytesProcessed = 0;
    std::uint64_t entriesReturned = 0;
    double execSeconds = 0;
};

// The result of a query in Loki's terms.
struct QueryResult {
    enum class Type { kStreams, kVector, kMatrix, kScalar };
    Type type = Type::kStreams;
    std::vector<logs::LogStream> streams;  // kStreams: entries in the query direction
    std::vector<SeriesResult> series;      // kVector (one point each) / kMatrix
    Point scalar;                          // kScalar
    QueryStats stats;
};

struct QueryParams {
    std::int64_t startNs = 0;     // instant queries: the evaluation time
    std::int64_t endNs = 0;       // log queries: exclusive; metric queries: last step <= end
    std::int64_t stepNs = 0;      // metric range queries; 0 = instant
    std::int64_t intervalNs = 0;  // log queries: keep at most one entry per interval
    std::size_t limit = 100;      // log queries: max entries returned
    logs::Direction direction = logs::Direction::kBackward;
    bool instant = false;
};

// Evaluates LogQL queries over a LogReader, with Loki's semantics: range
// windows are left-open and right-closed, (t - offset - range, t - offset];
// a range query evaluates at start, start+step, ... <= end; a line that a
// stage marked with __error__ makes a metric query fail unless a label
// filter removes it; results of instant vector queries keep the order of
// sort/sort_desc and are otherwise sorted by labels.
// Thread-safe: holds only a reference to the reader (which must outlive it).
class Engine {
public:
    struct Options {
        // Upper bound on the series a metric query may hold, and on the
        // steps of a range query; exceeding either fails the query.
        std::size_t maxSeries = 500000;
        std::size_t maxSteps = 11000;
    };

    explicit Engine(const logs::LogReader& reader);
    Engine(const logs::LogReader& reader, Options options);

    // Parses and runs `query`. Parse errors come back with Loki's "parse error
    // at line L, col C: ..." text.
    Result<QueryResult> query(std::string_view query, const QueryParams& params) const;
    Result<QueryResult> exec(const Expr& expr, const QueryParams& params) const;

private:
    const logs::LogReader& m_reader;
    Options m_options;
};

}  // namespace vigil::logql
