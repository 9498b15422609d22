#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/model/storage.h"
#include "core/promql/ast.h"
#include "core/promql/evaluator.h"
#include "core/promql/value.h"
#include "core/util/status.h"

// The PromQL query engine: parses, limits and runs instant and range
// queries against any model::Querier (the TSDB, a remote API, an
// InMemoryStorage), as Prometheus's promql.Engine.
//
// Limits: a maximum of samples per query (default 50M), a per-query timeout
// and cancellation. Queries started with the same non-empty `slot` (e.g. a
// dashboard panel id) supersede each other: starting a query cancels the
// older one still running in that slot, which then fails with "query was
// canceled in expression evaluation".
//
// Threads: instantQuery()/rangeQuery() run on the calling thread;
// submit*() run on the engine's own worker pool (std::thread, size
// EngineOptions::workerThreads) and return a future. All methods are
// thread-safe. The Querier passed to submit*() must outlive the future.

namespace vigil::promql {

struct EngineOptions {
    std::int64_t lookbackMs = 5 * 60 * 1000;
    std::int64_t defaultSubqueryStepMs = 60 * 1000;
    std::size_t maxSamples = 50'000'000;
    std::chrono::milliseconds timeout{2 * 60 * 1000};
    unsigned workerThreads = 0;  // 0: std::thread::hardware_concurrency()
    bool prometheus3 = false;    // see EvalOptions::prometheus3
};

// Cancels one running query; shared between the engine and whoever may
// cancel it (the UI). Thread-safe.
class QueryToken {
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    const std::atomic<bool>* flag() const { return &m_cancelled; }

private:
    std::atomic<bool> m_cancelled{false};
};

struct QueryControl {
    std::string slot;                   // empty: not superseded by other queries
    std::shared_ptr<QueryToken> token;  // optional caller-held token
};

struct QueryResult {
    Status status;
    std::string failedExpr;  // the sub-expression at fault, when known
    bool parseError = false;
    Value value;
    EvalStats stats;
};

class Engine {
public:
    explicit Engine(EngineOptions options = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    const EngineOptions& options() const { return m_options; }

    QueryResult instantQuery(model::Querier& querier, std::string_view query, model::Timestamp t,
                             const QueryControl& control = {});
    QueryResult instantQuery(model::Querier& querier, const Expr& expr, model::Timestamp t,
                             const QueryControl& control = {});
    QueryResult rangeQuery(model::Querier& querier, std::string_view query, model::Timestamp start,
                           model::Timestamp end, std::int64_t stepMs,
                           const QueryControl& control = {});
    QueryResult rangeQuery(model::Querier& querier, const Expr& expr, model::Timestamp start,
                           model::Timestamp end, std::int64_t stepMs,
                           const QueryControl& control = {});

    // The same over a Storage: the querier is opened over just the time
    // range the query reads (queryDataRange()), so the storage decodes
    // only the chunks around it. Prefer these when the caller has a
    // Storage rather than an already opened Querier.
    QueryResult instantQuery(model::Storage& storage, std::string_view query, model::Timestamp t,
                             const QueryControl& control = {});
    QueryResult rangeQuery(model::Storage& storage, std::string_view query, model::Timestamp start,
                           model::Timestamp end, std::int64_t stepMs,
                           const QueryControl& control = {});

    // The same on the worker pool.
    std::future<QueryResult> submitInstant(model::Querier& querier, std::string query,
                                           model::Timestamp t, QueryControl control = {});
    std::future<QueryResult> submitRange(model::Querier& querier, std::string query,
                                         model::Timestamp start, model::Timestamp end,
                                         std::int64_t stepMs, QueryControl control = {});

    // Cancels the query running in `slot`, if any.
    void cancelSlot(const std::string& slot);

private:
    QueryResult run(model::Querier& querier, const Expr& expr, model::Timestamp start,
                    model::Timestamp end, std::int64_t stepMs, const QueryControl& control);
    std::shared_ptr<QueryToken> enterSlot(const QueryControl& control);
    void leaveSlot(const std::string& slot, const std::shared_ptr<QueryToken>& token);
    void post(std::function<void()> task);
    void workerLoop();

    const EngineOptions m_options;

    std::mutex m_slotMutex;
    std::map<std::string, std::shared_ptr<QueryToken>> m_slots;  // GUARDED_BY(m_slotMutex)

    std::mutex m_queueMutex;
    std::condition_variable m_queueCv;
    std::deque<std::function<void()>> m_queue;  // GUARDED_BY(m_queueMutex)
    bool m_stopping = false;                    // GUARDED_BY(m_queueMutex)
    std::vector<std::thread> m_workers;
};

}  // namespace vigil::promql
