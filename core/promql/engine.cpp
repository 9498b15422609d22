#include "core/promql/engine.h"

#include "core/promql/parser.h"
#include "core/promql/select_range.h"

namespace vigil::promql {

Engine::Engine(EngineOptions options) : m_options(options) {
    unsigned n = m_options.workerThreads;
    if (n == 0)
        n = std::max(1u, std::thread::hardware_concurrency());
    m_workers.reserve(n);
    for (unsigned i = 0; i < n; ++i)
        m_workers.emplace_back([this] { workerLoop(); });
}

Engine::~Engine() {
    {
        std::lock_guard lock(m_queueMutex);
        m_stopping = true;
    }
    m_queueCv.notify_all();
    for (auto& w : m_workers)
        w.join();
}

void Engine::workerLoop() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_queueMutex);
            m_queueCv.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                return;  // stopping and drained
            task = std::move(m_queue.front());
            m_queue.pop_front();
        }
        task();
    }
}

void Engine::post(std::function<void()> task) {
    {
        std::lock_guard lock(m_queueMutex);
        m_queue.push_back(std::move(task));
    }
    m_queueCv.notify_one();
}

std::shared_ptr<QueryToken> Engine::enterSlot(const QueryControl& control) {
    auto token = control.token ? control.token : std::make_shared<QueryToken>();
    if (control.slot.empty())
        return token;
    std::lock_guard lock(m_slotMutex);
    auto& current = m_slots[control.slot];
    if (current)
        current->cancel();
    current = token;
    return token;
}

void Engine::leaveSlot(const std::string& slot, const std::shared_ptr<QueryToken>& token) {
    if (slot.empty())
        return;
    std::lock_guard lock(m_slotMutex);
    auto it = m_slots.find(slot);
    if (it != m_slots.end() && it->second == token)
        m_slots.erase(it);
}

void Engine::cancelSlot(const std::string& slot) {
    std::lock_guard lock(m_slotMutex);
    auto it = m_slots.find(slot);
    if (it != m_slots.end())
        it->second->cancel();
}

QueryResult Engine::run(model::Querier& querier, const Expr& expr, model::Timestamp start,
                        model::Timestamp end, std::int64_t stepMs, const QueryControl& control) {
    auto token = enterSlot(control);
    EvalOptions opts;
    opts.lookbackMs = m_options.lookbackMs;
    opts.defaultSubqueryStepMs = m_options.defaultSubqueryStepMs;
    opts.maxSamples = m_options.maxSamples;
    opts.prometheus3 = m_options.prometheus3;
    opts.cancelled = token->flag();
    opts.deadline = std::chrono::steady_clock::now() + m_options.timeout;
    EvalOutcome out = evaluate(querier, expr, start, end, stepMs, opts);
    leaveSlot(control.slot, token);
    QueryResult r;
    r.status = std::move(out.status);
    r.failedExpr = std::move(out.failedExpr);
    r.value = std::move(out.value);
    r.stats = out.stats;
    return r;
}

namespace {
QueryResult parseFailure(const Status& st) {
    QueryResult r;
    r.status = st;
    r.parseError = true;
    return r;
}
}  // namespace

QueryResult Engine::instantQuery(model::Querier& querier, std::string_view query,
                                 model::Timestamp t, const QueryControl& control) {
    auto expr = parse(query);
    if (!expr)
        return parseFailure(expr.status());
    return run(querier, **expr, t, t, 0, control);
}

QueryResult Engine::instantQuery(model::Querier& querier, const Expr& expr, model::Timestamp t,
                                 const QueryControl& control) {
    return run(querier, expr, t, t, 0, control);
}

QueryResult Engine::rangeQuery(model::Querier& querier, std::string_view query,
                               model::Timestamp start, model::Timestamp end, std::int64_t stepMs,
                               const QueryControl& control) {
    auto expr = parse(query);
    if (!expr)
        return parseFailure(expr.status());
    return rangeQuery(querier, **expr, start, end, stepMs, control);
}

QueryResult Engine::rangeQuery(model::Querier& querier, const Expr& expr, model::Timestamp start,
                               model::Timestamp end, std::int64_t stepMs,
                               const QueryControl& control) {
    if (stepMs <= 0) {
        QueryResult r;
        r.status = Status::error(
            "zero or negative query resolution step widths are not accepted. Try a positive "
            "integer");
        return r;
    }
    if (end < start) {
        QueryResult r;
        r.status = Status::error("end timestamp must not be before start time");
        return r;
    }
    if ((end - start) / stepMs > 11000) {
        QueryResult r;
        r.status = Status::error(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
            "resolution "
            "(?step=XX)");
        return r;
    }
    return run(querier, expr, start, end, stepMs, control);
}

QueryResult Engine::instantQuery(model::Storage& storage, std::string_view query,
                                 model::Timestamp t, const QueryControl& control) {
    auto expr = parse(query);
    if (!expr)
        return parseFailure(expr.status());
    const DataRange r = queryDataRange(**expr, t, t, 0, m_options.lookbackMs);
    auto querier = storage.querier(r.mint, r.maxt);
    return run(*querier, **expr, t, t, 0, control);
}

QueryResult Engine::rangeQuery(model::Storage& storage, std::string_view query,
                               model::Timestamp start, model::Timestamp end, std::int64_t stepMs,
                               const QueryControl& control) {
    auto expr = parse(query);
    if (!expr)
        return parseFailure(expr.status());
    const DataRange r =
        queryDataRange(**expr, start, end, stepMs > 0 ? stepMs : 0, m_options.lookbackMs);
    auto querier = storage.querier(r.mint, r.maxt);
    return rangeQuery(*querier, **expr, start, end, stepMs, control);
}

std::future<QueryResult> Engine::submitInstant(model::Querier& querier, std::string query,
                                               model::Timestamp t, QueryControl control) {
    // Enter the slot now, so a newer submission cancels this one even
    // before a worker picks it up.
    if (!control.token)
        control.token = std::make_shared<QueryToken>();
    enterSlot(control);
    std::string slot = std::move(control.slot);
    control.slot.clear();  // already registered; run() must not re-enter
    auto task = std::make_shared<std::packaged_task<QueryResult()>>(
        [this, &querier, query = std::move(query), t, control, slot] {
            QueryResult r = instantQuery(querier, query, t, control);
            leaveSlot(slot, control.token);
            return r;
        });
    auto fut = task->get_future();
    post([task] { (*task)(); });
    return fut;
}

std::future<QueryResult> Engine::submitRange(model::Querier& querier, std::string query,
                                             model::Timestamp start, model::Timestamp end,
                                             std::int64_t stepMs, QueryControl control) {
    if (!control.token)
        control.token = std::make_shared<QueryToken>();
    enterSlot(control);
    std::string slot = std::move(control.slot);
    control.slot.clear();
    auto task = std::make_shared<std::packaged_task<QueryResult()>>(
        [this, &querier, query = std::move(query), start, end, stepMs, control, slot] {
            QueryResult r = rangeQuery(querier, query, start, end, stepMs, control);
            leaveSlot(slot, control.token);
            return r;
        });
    auto fut = task->get_future();
    post([task] { (*task)(); });
    return fut;
}

}  // namespace vigil::promql
