#include "core/promql/evaluator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include <re2/re2.h>

#include "core/promql/eval_support.h"
#include "core/promql/functions.h"
#include "core/promql/functions_impl.h"
#include "core/promql/xxhash64.h"
#include "core/util/go_float.h"

namespace vigil::promql {

using model::Labels;
using model::Timestamp;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// An evaluated node. kScalar: one value per step; kVector: series whose
// points sit on the step grid; kMatrix: raw points (top-level range vector);
// kString: str.
struct EV {
    ValueType type = ValueType::kNone;
    std::vector<double> scalar;
    Matrix matrix;
    std::string str;
};

// Series read for a range function: one contiguous buffer for all series.
struct RangeData {
    std::vector<Labels> labels;
    std::vector<char> dropName;           // per series, delayed name removal
    std::vector<std::size_t> offsets{0};  // series i is points[offsets[i], offsets[i+1])
    std::vector<FPoint> points;
    std::int64_t rangeMs = 0;
    std::int64_t offsetMs = 0;
    bool hasAt = false;
    std::int64_t atMs = 0;
    std::size_t size() const { return labels.size(); }
    std::span<const FPoint> series(std::size_t i) const {
        return {points.data() + offsets[i], offsets[i + 1] - offsets[i]};
    }
};

struct Context {
    model::Querier& querier;
    const EvalOptions& options;
    EvalStats stats;
    Timestamp queryStart;
    Timestamp queryEnd;
    std::int64_t queryStepMs;
    std::uint32_t checkCounter = 0;
    std::vector<Annotation> annotations;

    void annotate(bool warning, std::string text, const Expr* at) {
        Annotation a{warning, std::move(text), at ? at->pos : PosRange{}};
        for (const auto& x : annotations)
            if (x == a)
                return;
        annotations.push_back(std::move(a));
    }
};

bool parseGoFloat(std::string_view s, double* out);

const Expr* unwrapParens(const Expr* e) {
    while (e->kind == NodeKind::kParen)
        e = static_cast<const ParenExpr*>(e)->expr.get();
    return e;
}

std::uint64_t mix(std::uint64_t h, std::string_view s) {
    return model::hashBytes(s, h ^ 0x9e3779b97f4a7c15ULL) * 31 + s.size();
}

bool contains(const std::vector<std::string>& names, std::string_view n) {
    for (const auto& x : names)
        if (x == n)
            return true;
    return false;
}

// Hash over the labels named (on) or all but those and __name__ (ignoring);
// Prometheus 3 also ignores the type and unit labels then.
bool isNameLike(std::string_view name, bool prometheus3) {
    (void)prometheus3;  // type and unit labels take part in matching
    return name == model::kMetricName;
}

std::uint64_t signature(const Labels& l, const std::vector<std::string>& names, bool on,
                        bool prometheus3) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const auto& lab : l) {
        const bool listed = contains(names, lab.name);
        if (on ? listed : (!listed && !isNameLike(lab.name, prometheus3))) {
            h = mix(h, lab.name);
            h = mix(h, lab.value);
        }
    }
    return h;
}

Labels matchLabels(const Labels& l, const std::vector<std::string>& names, bool on) {
    std::vector<model::Label> out;
    for (const auto& lab : l) {
        const bool listed = contains(names, lab.name);
        if (on ? listed : (!listed && lab.name != model::kMetricName))
            out.push_back(lab);
    }
    return Labels::fromSorted(std::move(out));
}

bool shouldDropMetricName(BinaryOp op, bool prometheus3) {
    switch (op) {
        case BinaryOp::kAdd:
        case BinaryOp::kSub:
        case BinaryOp::kMul:
        case BinaryOp::kDiv:
        case BinaryOp::kMod:
        case BinaryOp::kPow:
            return true;
        case BinaryOp::kAtan2:
            return prometheus3;  // 2.42 keeps the name for atan2
        default:
            return false;
    }
}

// Returns (value, keep) as Prometheus's vectorElemBinop.
std::pair<double, bool> elemBinop(BinaryOp op, double l, double r) {
    switch (op) {
        case BinaryOp::kAdd:
            return {l + r, true};
        case BinaryOp::kSub:
            return {l - r, true};
        case BinaryOp::kMul:
            return {l * r, true};
        case BinaryOp::kDiv:
            return {l / r, true};
        case BinaryOp::kPow:
            return {std::pow(l, r), true};
        case BinaryOp::kMod:
            return {std::fmod(l, r), true};
        case BinaryOp::kAtan2:
            return {std::atan2(l, r), true};
        case BinaryOp::kEqlc:
            return {l, l == r};
        case BinaryOp::kNeq:
            return {l, l != r};
        case BinaryOp::kGtr:
            return {l, l > r};
        case BinaryOp::kLss:
            return {l, l < r};
        case BinaryOp::kGte:
            return {l, l >= r};
        case BinaryOp::kLte:
            return {l, l <= r};
        default:
            return {kNaN, false};
    }
}

double scalarBinop(BinaryOp op, double l, double r) {
    auto [v, keep] = elemBinop(op, l, r);
    if (isComparisonOp(op))
        return keep ? 1 : 0;
    return v;
}

// Collects output series by label set. Points must be added step by step
// (increasing t); two points for one label set at one step is Prometheus's
// "vector cannot contain metrics with the same labelset".
class Accumulator {
public:
    std::uint32_t indexFor(Labels labels, bool dropName = false) {
        const std::uint64_t h = labels.hash() ^ (dropName ? 0x5bd1e995ULL : 0);
        auto [it, inserted] = m_index.try_emplace(h, static_cast<std::uint32_t>(m_out.size()));
        if (inserted)
            m_out.push_back(Series{std::move(labels), {}, dropName});
        return it->second;
    }
    void add(std::uint32_t idx, Timestamp t, double v) {
        auto& pts = m_out[idx].points;
        if (!pts.empty() && pts.back().t == t)
            throw EvalError{kDuplicateLabelset, nullptr};
        pts.push_back({t, v});
    }
    // Adds a whole series, merging with an existing one of the same labels.
    // strict: any second series with the same labels is an error (the
    // whole-matrix check Prometheus applies to range-function results).
    void addSeries(Labels labels, std::vector<FPoint> points, bool strict, bool dropName = false) {
        if (points.empty())
            return;
        const std::uint64_t h = labels.hash() ^ (dropName ? 0x5bd1e995ULL : 0);
        auto [it, inserted] = m_index.try_emplace(h, static_cast<std::uint32_t>(m_out.size()));
        if (inserted) {
            m_out.push_back(Series{std::move(labels), std::move(points), dropName});
            return;
        }
        if (strict)
            throw EvalError{kDuplicateLabelset, nullptr};
        auto& existing = m_out[it->second].points;
        std::vector<FPoint> merged;
        merged.reserve(existing.size() + points.size());
        std::size_t a = 0, b = 0;
        while (a < existing.size() || b < points.size()) {
            if (b == points.size() || (a < existing.size() && existing[a].t < points[b].t)) {
                merged.push_back(existing[a++]);
            } else if (a == existing.size() || points[b].t < existing[a].t) {
                merged.push_back(points[b++]);
            } else {
                throw EvalError{kDuplicateLabelset, nullptr};
            }
        }
        existing = std::move(merged);
    }
    Matrix take() {
        Matrix out;
        out.reserve(m_out.size());
        for (auto& s : m_out)
            if (!s.points.empty())
                out.push_back(std::move(s));
        return out;
    }

private:
    std::unordered_map<std::uint64_t, std::uint32_t> m_index;
    Matrix m_out;
};

// Per-step view of a vector value: which series have a point at a step.
class StepCursor {
public:
    explicit StepCursor(const Matrix& m) : m_matrix(m), m_pos(m.size(), 0) {}
    // Fills `out` with (series index, value) for series with a point at t.
    void at(Timestamp t, std::vector<std::pair<std::uint32_t, double>>& out) {
        out.clear();
        for (std::size_t i = 0; i < m_matrix.size(); ++i) {
            const auto& pts = m_matrix[i].points;
            std::size_t& p = m_pos[i];
            while (p < pts.size() && pts[p].t < t)
                ++p;
            if (p < pts.size() && pts[p].t == t)
                out.emplace_back(static_cast<std::uint32_t>(i), pts[p].v);
        }
    }

private:
    const Matrix& m_matrix;
    std::vector<std::size_t> m_pos;
};

class Evaluator {
public:
    Evaluator(Context& ctx, Timestamp start, Timestamp end, std::int64_t interval)
        : m_ctx(ctx), m_start(start), m_end(end), m_interval(interval) {
        m_steps = static_cast<std::size_t>((end - start) / interval) + 1;
    }

    EV eval(const Expr& e) {
        try {
            return evalNode(e);
        } catch (EvalError& err) {
            if (!err.node)
                err.node = &e;
            throw;
        }
    }

    std::size_t steps() const { return m_steps; }
    Timestamp stepTs(std::size_t i) const {
        return m_start + static_cast<std::int64_t>(i) * m_interval;
    }

private:
    // The labels once the metric name is dropped; Prometheus 3 (with type
    // and unit labels) drops __type__ and __unit__ with it.
    Labels dropName(const Labels& l) const {
        if (m_ctx.options.prometheus3)
            return l.without({model::kMetricName, "__type__", "__unit__"});
        return l.withoutMetricName();
    }
    // Prometheus 3 delays removing the name to the end of the query.
    bool delayedNameRemoval() const { return m_ctx.options.prometheus3; }
    // Adds a series whose name the operation drops.
    void addDropped(Accumulator& acc, Labels labels, std::vector<FPoint> points, bool strict) {
        if (delayedNameRemoval()) {
            acc.addSeries(std::move(labels), std::move(points), false, true);
        } else {
            acc.addSeries(dropName(labels), std::move(points), strict);
        }
    }

    // Prometheus 2.42 rejects equal label sets in a whole range-function or
    // unary result; Prometheus 3 only at the same step.
    bool strictMatrixCheck() const { return !m_ctx.options.prometheus3; }

    std::size_t stepIndex(Timestamp t) const {
        return static_cast<std::size_t>((t - m_start) / m_interval);
    }

    // Called between series and steps: the cancellation flag every time (a
    // relaxed load), the clock every 64th time.
    void checkInterrupt() {
        if (m_ctx.options.cancelled && m_ctx.options.cancelled->load(std::memory_order_relaxed))
            throw EvalError{"query was canceled in expression evaluation", nullptr,
                            Status::Code::kCancelled};
        if ((m_ctx.checkCounter++ & 63) != 0)
            return;
        if (std::chrono::steady_clock::now() > m_ctx.options.deadline)
            throw EvalError{"query timed out in expression evaluation", nullptr,
                            Status::Code::kTimeout};
    }

    void checkSamples(std::size_t n) {
        if (n > m_ctx.stats.peakSamples)
            m_ctx.stats.peakSamples = n;
        if (n > m_ctx.options.maxSamples)
            throw EvalError{
                "query processing would load too many samples into memory in query execution",
                nullptr, Status::Code::kResourceExhausted};
    }

    std::size_t countPoints(const Matrix& m) {
        std::size_t n = 0;
        for (const auto& s : m)
            n += s.points.size();
        return n;
    }

    std::int64_t resolve(const DurationValue& d) {
        if (d.isResolved())
            return d.ms;
        auto r = d.expr->evaluate(m_ctx.queryStepMs, m_ctx.queryEnd - m_ctx.queryStart);
        if (!r)
            throw EvalError{r.status().message(), nullptr};
        return *r;
    }

    struct TimeRef {
        std::int64_t offset = 0;
        bool hasAt = false;
        std::int64_t at = 0;
        Timestamp ref(Timestamp ts) const { return (hasAt ? at : ts) - offset; }
    };
    TimeRef timeRef(const TimeModifiers& m) {
        TimeRef r;
        r.offset = m.hasOffset ? resolve(m.offset) : 0;
        switch (m.at) {
            case AtKind::kNone:
                break;
            case AtKind::kTimestamp:
                r.hasAt = true;
                r.at = m.atMs;
                break;
            case AtKind::kStart:
                r.hasAt = true;
                r.at = m_ctx.queryStart;
                break;
            case AtKind::kEnd:
                r.hasAt = true;
                r.at = m_ctx.queryEnd;
                break;
        }
        return r;
    }

    EV scalarEV(double v) {
        EV out;
        out.type = ValueType::kScalar;
        out.scalar.assign(m_steps, v);
        return out;
    }

    EV vectorEV(Matrix m) {
        checkSamples(countPoints(m));
        EV out;
        out.type = ValueType::kVector;
        out.matrix = std::move(m);
        return out;
    }

    EV evalNode(const Expr& e) {
        checkInterrupt();
        switch (e.kind) {
            case NodeKind::kNumberLiteral:
                return scalarEV(static_cast<const NumberLiteral&>(e).value);
            case NodeKind::kStringLiteral: {
                EV out;
                out.type = ValueType::kString;
                out.str = static_cast<const StringLiteral&>(e).value;
                return out;
            }
            case NodeKind::kParen:
                return eval(*static_cast<const ParenExpr&>(e).expr);
            case NodeKind::kUnary:
                return evalUnary(static_cast<const UnaryExpr&>(e));
            case NodeKind::kVectorSelector:
                return evalVectorSelector(static_cast<const VectorSelector&>(e), false);
            case NodeKind::kMatrixSelector: {
                const auto& ms = static_cast<const MatrixSelector&>(e);
                if (ms.selector->anchored || ms.selector->smoothed)
                    return extendedMatrix(ms);
                RangeData rd = loadMatrixSelector(ms);
                return rangeDataAsMatrix(rd);
            }
            case NodeKind::kSubquery: {
                RangeData rd = evalSubquery(static_cast<const SubqueryExpr&>(e));
                return rangeDataAsMatrix(rd);
            }
            case NodeKind::kBinary:
                return evalBinary(static_cast<const BinaryExpr&>(e));
            case NodeKind::kAggregate:
                return evalAggregate(static_cast<const AggregateExpr&>(e));
            case NodeKind::kCall:
                return evalCall(static_cast<const Call&>(e));
        }
        throw EvalError{"unknown expression node", &e};
    }

    // ---- selectors -----------------------------------------------------------

    void load(const VectorSelector& vs, Timestamp mint, Timestamp maxt, bool keepStale,
              RangeData& out) {
        model::SelectHints hints;
        hints.start = m_start;
        hints.end = m_end;
        hints.stepMs = m_interval;
        auto set = m_ctx.querier.select(vs.matchers, hints);
        if (!set)
            throw EvalError{set.status().message(), &vs};
        auto& ss = **set;
        while (ss.next()) {
            checkInterrupt();
            auto it = ss.iterator();
            const std::size_t before = out.points.size();
            if (it->seek(mint)) {
                do {
                    const model::Sample s = it->at();
                    if (s.t > maxt)
                        break;
                    if (!keepStale && model::isStaleNaN(s.v))
                        continue;
                    out.points.push_back({s.t, s.v});
                } while (it->next());
            }
            if (!it->status().isOk())
                throw EvalError{it->status().message(), &vs};
            if (out.points.size() == before)
                continue;
            out.labels.push_back(ss.labels());
            out.dropName.push_back(0);
            out.offsets.push_back(out.points.size());
            m_ctx.stats.seriesLoaded++;
        }
        if (!ss.status().isOk())
            throw EvalError{ss.status().message(), &vs};
        m_ctx.stats.samplesLoaded += out.points.size();
        checkSamples(out.points.size());
    }

    EV evalVectorSelector(const VectorSelector& vs, bool sampleTimestamps) {
        if (vs.anchored)
            throw EvalError{"anchored modifier can only be used with range vectors", &vs};
        const TimeRef tr = timeRef(vs.modifiers);
        const Timestamp minRef = tr.ref(m_start), maxRef = tr.ref(m_end);
        const std::int64_t lookback = m_ctx.options.lookbackMs;
        RangeData rd;
        // `x smoothed` interpolates between the sample in the lookback
        // window and the next one up to a lookback after the step.
        load(vs, minRef - lookback, maxRef + (vs.smoothed ? lookback : 0), true, rd);
        const bool leftOpen = m_ctx.options.prometheus3;
        Matrix out;
        for (std::size_t s = 0; s < rd.size(); ++s) {
            auto pts = rd.series(s);
            Series series{std::move(rd.labels[s]), {}};  // rd is local: no copy
            std::size_t j = 0;
            for (std::size_t i = 0; i < m_steps; ++i) {
                const Timestamp ts = stepTs(i);
                const Timestamp ref = tr.ref(ts);
                while (j < pts.size() && pts[j].t <= ref)
                    ++j;
                if (j == 0)
                    continue;
                const FPoint& p = pts[j - 1];
                if (leftOpen ? p.t <= ref - lookback : p.t < ref - lookback)
                    continue;
                if (model::isStaleNaN(p.v))
                    continue;
                double v = sampleTimestamps ? static_cast<double>(p.t) / 1000 : p.v;
                if (vs.smoothed && !sampleTimestamps && p.t < ref && j < pts.size() &&
                    pts[j].t <= ref + lookback && !model::isStaleNaN(pts[j].v))
                    v = impl::interpolate(p, pts[j], ref, false);
                series.points.push_back({ts, v});
            }
            if (!series.points.empty())
                out.push_back(std::move(series));
        }
        return vectorEV(std::move(out));
    }

    RangeData loadMatrixSelector(const MatrixSelector& ms) {
        RangeData rd;
        rd.rangeMs = resolve(ms.range);
        const TimeRef tr = timeRef(ms.selector->modifiers);
        rd.offsetMs = tr.offset;
        rd.hasAt = tr.hasAt;
        rd.atMs = tr.at;
        load(*ms.selector, tr.ref(m_start) - rd.rangeMs, tr.ref(m_end), false, rd);
        return rd;
    }

    // An anchored or smoothed range selector's points: the samples in
    // (start - lookback, end] (anchored) or (start - lookback, end + lookback]
    // (smoothed) of the first to the last step.
    RangeData loadExtended(const MatrixSelector& ms) {
        RangeData rd;
        rd.rangeMs = resolve(ms.range);
        const TimeRef tr = timeRef(ms.selector->modifiers);
        rd.offsetMs = tr.offset;
        rd.hasAt = tr.hasAt;
        rd.atMs = tr.at;
        const std::int64_t lookback = m_ctx.options.lookbackMs;
        load(*ms.selector, tr.ref(m_start) - rd.rangeMs - lookback,
             tr.ref(m_end) + (ms.selector->smoothed ? lookback : 0), false, rd);
        return rd;
    }

    // The extended window of step time ts in pts: [*lo, *hi).
    void extendedWindow(std::span<const FPoint> pts, const RangeData& rd, bool smoothed,
                        Timestamp ts, std::size_t* lo, std::size_t* hi, Timestamp* rangeStart,
                        Timestamp* rangeEnd) const {
        const Timestamp ref = (rd.hasAt ? rd.atMs : ts) - rd.offsetMs;
        const std::int64_t lookback = m_ctx.options.lookbackMs;
        *rangeStart = ref - rd.rangeMs;
        *rangeEnd = ref;
        const Timestamp low = *rangeStart - lookback;
        const Timestamp high = ref + (smoothed ? lookback : 0);
        auto byT = [](const FPoint& p, Timestamp t) { return p.t <= t; };
        *lo = static_cast<std::size_t>(
            std::partition_point(pts.begin(), pts.end(),
                                 [&](const FPoint& p) { return byT(p, low); }) -
            pts.begin());
        *hi = static_cast<std::size_t>(
            std::partition_point(pts.begin(), pts.end(),
                                 [&](const FPoint& p) { return byT(p, high); }) -
            pts.begin());
    }

    // `foo[5m] anchored` / `foo[5m] smoothed` as an instant query result:
    // the window with synthetic samples at both boundaries.
    EV extendedMatrix(const MatrixSelector& ms) {
        if (m_steps != 1)
            throw EvalError{"range vectors can only be evaluated at one point in time", nullptr};
        RangeData rd = loadExtended(ms);
        const bool smoothed = ms.selector->smoothed;
        Matrix out;
        std::vector<FPoint> buf;
        for (std::size_t s = 0; s < rd.size(); ++s) {
            auto pts = rd.series(s);
            std::size_t lo = 0, hi = 0;
            Timestamp rs = 0, re = 0;
            extendedWindow(pts, rd, smoothed, m_start, &lo, &hi, &rs, &re);
            if (lo == hi || !impl::extendFloats(pts.subspan(lo, hi - lo), rs, re, smoothed, &buf))
                continue;
            out.push_back(Series{rd.labels[s], buf});
        }
        EV ev;
        ev.type = ValueType::kMatrix;
        ev.matrix = std::move(out);
        return ev;
    }

    RangeData evalSubquery(const SubqueryExpr& sq) {
        RangeData rd;
        rd.rangeMs = resolve(sq.range);
        const TimeRef tr = timeRef(sq.modifiers);
        rd.offsetMs = tr.offset;
        rd.hasAt = tr.hasAt;
        rd.atMs = tr.at;
        std::int64_t step = (sq.step.ms == 0 && !sq.step.expr) ? m_ctx.options.defaultSubqueryStepMs
                                                               : resolve(sq.step);
        if (step <= 0)
            throw EvalError{"subquery step must be positive", &sq};
        const Timestamp low = tr.ref(m_start) - rd.rangeMs;
        Timestamp innerStart = step * (low / step);
        if (m_ctx.options.prometheus3 ? innerStart <= low : innerStart < low)
            innerStart += step;
        const Timestamp innerEnd = tr.ref(m_end);
        if (innerStart > innerEnd)
            return rd;
        Evaluator inner(m_ctx, innerStart, innerEnd, step);
        EV v = inner.eval(*sq.expr);
        if (v.type == ValueType::kScalar) {
            rd.labels.emplace_back();
            rd.dropName.push_back(0);
            for (std::size_t i = 0; i < inner.steps(); ++i)
                rd.points.push_back({inner.stepTs(i), v.scalar[i]});
            rd.offsets.push_back(rd.points.size());
            return rd;
        }
        for (auto& s : v.matrix) {
            rd.labels.push_back(std::move(s.labels));
            rd.dropName.push_back(s.dropName ? 1 : 0);
            rd.points.insert(rd.points.end(), s.points.begin(), s.points.end());
            rd.offsets.push_back(rd.points.size());
        }
        checkSamples(rd.points.size());
        return rd;
    }

    RangeData rangeSource(const Expr& arg) {
        const Expr* e = unwrapParens(&arg);
        if (e->kind == NodeKind::kMatrixSelector)
            return loadMatrixSelector(static_cast<const MatrixSelector&>(*e));
        if (e->kind == NodeKind::kSubquery)
            return evalSubquery(static_cast<const SubqueryExpr&>(*e));
        throw EvalError{"expected a range vector", &arg};
    }

    // Moves [lo, hi) to the window of step time ts.
    void window(std::span<const FPoint> pts, const RangeData& rd, Timestamp ts, std::size_t& lo,
                std::size_t& hi, Timestamp* rangeStart, Timestamp* rangeEnd) const {
        const Timestamp ref = (rd.hasAt ? rd.atMs : ts) - rd.offsetMs;
        const Timestamp start = ref - rd.rangeMs;
        while (hi < pts.size() && pts[hi].t <= ref)
            ++hi;
        if (m_ctx.options.prometheus3) {
            while (lo < hi && pts[lo].t <= start)
                ++lo;
        } else {
            while (lo < hi && pts[lo].t < start)
                ++lo;
        }
        if (lo > hi)
            lo = hi;
        *rangeStart = start;
        *rangeEnd = ref;
    }

    // A range vector as an instant query result (`foo[5m]`): raw points.
    EV rangeDataAsMatrix(const RangeData& rd) {
        if (m_steps != 1)
            throw EvalError{"range vectors can only be evaluated at one point in time", nullptr};
        Matrix out;
        for (std::size_t s = 0; s < rd.size(); ++s) {
            auto pts = rd.series(s);
            std::size_t lo = 0, hi = 0;
            Timestamp rs = 0, re = 0;
            window(pts, rd, m_start, lo, hi, &rs, &re);
            if (lo == hi)
                continue;
            out.push_back(Series{
                rd.labels[s], std::vector<FPoint>(pts.begin() + static_cast<std::ptrdiff_t>(lo),
                                                  pts.begin() + static_cast<std::ptrdiff_t>(hi))});
        }
        EV ev;
        ev.type = ValueType::kMatrix;
        ev.matrix = std::move(out);
        return ev;
    }

    // ---- unary / binary ------------------------------------------------------

    EV evalUnary(const UnaryExpr& u) {
        EV v = eval(*u.expr);
        if (!u.negate)
            return v;
        if (v.type == ValueType::kScalar) {
            for (auto& x : v.scalar)
                x = -x;
            return v;
        }
        Accumulator acc;
        for (auto& s : v.matrix) {
            for (auto& p : s.points)
                p.v = -p.v;
            addDropped(acc, std::move(s.labels), std::move(s.points), strictMatrixCheck());
        }
        return vectorEV(acc.take());
    }

    EV evalBinary(const BinaryExpr& b) {
        EV lhs = eval(*b.lhs);
        EV rhs = eval(*b.rhs);
        const bool ls = lhs.type == ValueType::kScalar, rs = rhs.type == ValueType::kScalar;
        if (ls && rs) {
            for (std::size_t i = 0; i < m_steps; ++i)
                lhs.scalar[i] = scalarBinop(b.op, lhs.scalar[i], rhs.scalar[i]);
            return lhs;
        }
        if (ls || rs)
            return vectorScalar(b, ls ? rhs.matrix : lhs.matrix, ls ? lhs.scalar : rhs.scalar, ls);
        VectorMatching defaultMatching;
        defaultMatching.card = isSetOp(b.op) ? Cardinality::kManyToMany : Cardinality::kOneToOne;
        const VectorMatching& m = b.matching ? *b.matching : defaultMatching;
        if (isSetOp(b.op))
            return setOp(b, m, lhs.matrix, rhs.matrix);
        return vectorVector(b, m, lhs.matrix, rhs.matrix);
    }

    EV vectorScalar(const BinaryExpr& b, Matrix& vec, const std::vector<double>& scal, bool swap) {
        Accumulator acc;
        const bool drop = shouldDropMetricName(b.op, m_ctx.options.prometheus3) || b.returnBool;
        for (auto& s : vec) {
            std::vector<FPoint> out;
            out.reserve(s.points.size());
            for (const auto& p : s.points) {
                double lv = p.v, rv = scal[stepIndex(p.t)];
                if (swap)
                    std::swap(lv, rv);
                auto [value, keep] = elemBinop(b.op, lv, rv);
                if (isComparisonOp(b.op) && swap)
                    value = rv;
                if (b.returnBool) {
                    value = keep ? 1 : 0;
                    keep = true;
                }
                if (keep)
                    out.push_back({p.t, value});
            }
            if (drop) {
                addDropped(acc, std::move(s.labels), std::move(out), false);
            } else {
                acc.addSeries(std::move(s.labels), std::move(out), false, s.dropName);
            }
        }
        return vectorEV(acc.take());
    }

    Labels resultMetric(const Labels& l, const Labels& r, BinaryOp op, const VectorMatching& m,
                        bool returnBool) {
        model::LabelsBuilder lb(l);
        if ((shouldDropMetricName(op, m_ctx.options.prometheus3) || returnBool) &&
            !delayedNameRemoval())
            lb.del(model::kMetricName);
        if (m.card == Cardinality::kOneToOne) {
            if (m.on) {
                for (const auto& lab : l)
                    if (!contains(m.matchingLabels, lab.name))
                        lb.del(lab.name);
            } else {
                for (const auto& n : m.matchingLabels)
                    lb.del(n);
            }
        }
        for (const auto& n : m.include) {
            const std::string_view v = r.get(n);
            if (!v.empty()) {
                lb.set(n, v);
            } else {
                lb.del(n);
            }
        }
        return lb.labels();
    }

    EV vectorVector(const BinaryExpr& b, const VectorMatching& m, const Matrix& lhsIn,
                    const Matrix& rhsIn) {
        const bool swapSides = m.card == Cardinality::kOneToMany;
        const Matrix& lhs = swapSides ? rhsIn : lhsIn;
        const Matrix& rhs = swapSides ? lhsIn : rhsIn;
        std::vector<std::uint64_t> lsig(lhs.size()), rsig(rhs.size());
        for (std::size_t i = 0; i < lhs.size(); ++i)
            lsig[i] = signature(lhs[i].labels, m.matchingLabels, m.on, m_ctx.options.prometheus3);
        for (std::size_t i = 0; i < rhs.size(); ++i)
            rsig[i] = signature(rhs[i].labels, m.matchingLabels, m.on, m_ctx.options.prometheus3);
        StepCursor lc(lhs), rc(rhs);
        std::vector<std::pair<std::uint32_t, double>> lv, rv;
        std::unordered_map<std::uint64_t, std::pair<std::uint32_t, double>> rightSigs;
        std::unordered_map<std::uint64_t, std::unordered_set<std::uint64_t>> matched;
        struct OutRef {
            std::uint32_t idx;
            std::uint64_t hash;
        };
        std::unordered_map<std::uint64_t, OutRef> outCache;  // (l, r) pair -> output series
        std::unordered_map<std::uint64_t, std::uint32_t> fillCache;
        std::unordered_set<std::uint64_t> leftSigs;
        Accumulator acc;
        for (std::size_t i = 0; i < m_steps; ++i) {
            checkInterrupt();
            const Timestamp ts = stepTs(i);
            lc.at(ts, lv);
            rc.at(ts, rv);
            if ((lv.empty() && !m.fillLeft) || (rv.empty() && !m.fillRight) ||
                (lv.empty() && rv.empty()))
                continue;
            rightSigs.clear();
            matched.clear();
            for (const auto& [ri, v] : rv) {
                auto [it, inserted] = rightSigs.try_emplace(rsig[ri], ri, v);
                if (!inserted) {
                    const Labels& a = rhs[it->second.first].labels;
                    const Labels& c = rhs[ri].labels;
                    // Prometheus 2.42 names the series it is at, then the one
                    // it had already seen; Prometheus 3 sorts the two.
                    const bool sorted = m_ctx.options.prometheus3;
                    const Labels& first = sorted ? (a < c ? a : c) : c;
                    const Labels& second = sorted ? (a < c ? c : a) : a;

                    throw EvalError{"found duplicate series for the match group " +
                                        promLabelsString(matchLabels(c, m.matchingLabels, m.on)) +
                                        " on the " + (swapSides ? "left" : "right") +
                                        " hand-side of the operation: [" + promLabelsString(first) +
                                        ", " + promLabelsString(second) +
                                        "];many-to-many matching not allowed: matching labels must "
                                        "be unique on "
                                        "one side",
                                    &b};
                }
            }
            if (m.fillLeft) {
                leftSigs.clear();
                for (const auto& [li, lval] : lv)
                    leftSigs.insert(lsig[li]);
            }
            for (const auto& [li, lval] : lv) {
                auto it = rightSigs.find(lsig[li]);
                if (it == rightSigs.end()) {
                    if (m.fillRight)
                        fillOne(b, m, lhs[li], lval, *m.fillRight, false, swapSides, li, fillCache,
                                acc, ts);
                    continue;
                }
                const auto [ri, rval] = it->second;
                double vl = lval, vr = rval;
                if (swapSides)
                    std::swap(vl, vr);
                auto [value, keep] = elemBinop(b.op, vl, vr);
                if (b.returnBool) {
                    value = keep ? 1 : 0;
                } else if (!keep && !m_ctx.options.prometheus3) {
                    continue;  // 2.42 checks matches only among kept samples
                }
                const std::uint64_t pairKey = (static_cast<std::uint64_t>(li) << 32) | ri;
                auto cached = outCache.find(pairKey);
                if (cached == outCache.end()) {
                    Labels metric =
                        resultMetric(lhs[li].labels, rhs[ri].labels, b.op, m, b.returnBool);
                    const std::uint64_t h = metric.hash();
                    const bool drop = delayedNameRemoval() && (shouldDropMetricName(b.op, true) ||
                                                               b.returnBool || lhs[li].dropName);
                    cached =
                        outCache.emplace(pairKey, OutRef{acc.indexFor(std::move(metric), drop), h})
                            .first;
                }
                auto mit = matched.find(lsig[li]);
                if (m.card == Cardinality::kOneToOne) {
                    if (mit != matched.end())
                        throw EvalError{
                            "multiple matches for labels: many-to-one matching must be explicit "
                            "(group_left/group_right)",
                            &b};
                    matched.emplace(lsig[li], std::unordered_set<std::uint64_t>{});
                } else {
                    if (mit == matched.end())
                        mit = matched.emplace(lsig[li], std::unordered_set<std::uint64_t>{}).first;
                    if (!mit->second.insert(cached->second.hash).second)
                        throw EvalError{
                            "multiple matches for labels: grouping labels must ensure unique "
                            "matches",
                            &b};
                }
                if (!b.returnBool && !keep)
                    continue;
                acc.add(cached->second.idx, ts, value);
            }
            if (m.fillLeft)
                for (const auto& [ri, rval] : rv)
                    if (!leftSigs.count(rsig[ri]))
                        fillOne(b, m, rhs[ri], rval, *m.fillLeft, true, swapSides, ri, fillCache,
                                acc, ts);
        }
        return vectorEV(acc.take());
    }

    // A result for a sample whose other side is missing, with the fill
    // value standing in (the newer fill/fill_left/fill_right modifiers).
    // `missingIsLeft`: the (internal, after a group_right swap) left side is
    // missing, so the output takes the match group's labels; otherwise the
    // left sample's labels as resultMetric() makes them.
    void fillOne(const BinaryExpr& b, const VectorMatching& m, const Series& present, double value,
                 double fill, bool missingIsLeft, bool swapSides, std::uint32_t idx,
                 std::unordered_map<std::uint64_t, std::uint32_t>& cache, Accumulator& acc,
                 Timestamp ts) {
        double vl = missingIsLeft ? fill : value, vr = missingIsLeft ? value : fill;
        if (swapSides)
            std::swap(vl, vr);
        auto [v, keep] = elemBinop(b.op, vl, vr);
        if (b.returnBool) {
            v = keep ? 1 : 0;
        } else if (!keep) {
            return;
        }
        const std::uint64_t key = (static_cast<std::uint64_t>(missingIsLeft ? 1 : 2) << 32) | idx;
        auto it = cache.find(key);
        if (it == cache.end()) {
            Labels metric;
            bool drop = false;
            if (missingIsLeft) {
                metric = matchLabels(present.labels, m.matchingLabels, m.on);
            } else {
                metric = resultMetric(present.labels, Labels{}, b.op, m, b.returnBool);
                drop = delayedNameRemoval() &&
                       (shouldDropMetricName(b.op, true) || b.returnBool || present.dropName);
            }
            it = cache.emplace(key, acc.indexFor(std::move(metric), drop)).first;
        }
        acc.add(it->second, ts, v);
    }

    EV setOp(const BinaryExpr& b, const VectorMatching& m, Matrix& lhs, Matrix& rhs) {
        std::vector<std::uint64_t> lsig(lhs.size()), rsig(rhs.size());
        for (std::size_t i = 0; i < lhs.size(); ++i)
            lsig[i] = signature(lhs[i].labels, m.matchingLabels, m.on, m_ctx.options.prometheus3);
        for (std::size_t i = 0; i < rhs.size(); ++i)
            rsig[i] = signature(rhs[i].labels, m.matchingLabels, m.on, m_ctx.options.prometheus3);
        StepCursor lc(lhs), rc(rhs);
        std::vector<std::pair<std::uint32_t, double>> lv, rv;
        std::unordered_set<std::uint64_t> sigs;
        Accumulator acc;
        std::vector<std::int64_t> lout(lhs.size(), -1), rout(rhs.size(), -1);
        auto outL = [&](std::uint32_t i) {
            if (lout[i] < 0)
                lout[i] = acc.indexFor(lhs[i].labels, lhs[i].dropName);
            return static_cast<std::uint32_t>(lout[i]);
        };
        auto outR = [&](std::uint32_t i) {
            if (rout[i] < 0)
                rout[i] = acc.indexFor(rhs[i].labels, rhs[i].dropName);
            return static_cast<std::uint32_t>(rout[i]);
        };
        for (std::size_t i = 0; i < m_steps; ++i) {
            checkInterrupt();
            const Timestamp ts = stepTs(i);
            lc.at(ts, lv);
            rc.at(ts, rv);
            sigs.clear();
            switch (b.op) {
                case BinaryOp::kAnd:
                    for (const auto& [ri, v] : rv)
                        sigs.insert(rsig[ri]);
                    for (const auto& [li, v] : lv)
                        if (sigs.count(lsig[li]))
                            acc.add(outL(li), ts, v);
                    break;
                case BinaryOp::kOr:
                    for (const auto& [li, v] : lv) {
                        sigs.insert(lsig[li]);
                        acc.add(outL(li), ts, v);
                    }
                    for (const auto& [ri, v] : rv)
                        if (!sigs.count(rsig[ri]))
                            acc.add(outR(ri), ts, v);
                    break;
                case BinaryOp::kUnless:
                    for (const auto& [ri, v] : rv)
                        sigs.insert(rsig[ri]);
                    for (const auto& [li, v] : lv)
                        if (!sigs.count(lsig[li]))
                            acc.add(outL(li), ts, v);
                    break;
                default:
                    throw EvalError{"unknown set operator", &b};
            }
        }
        return vectorEV(acc.take());
    }

    // ---- aggregations ----------------------------------------------------------

    EV evalAggregate(const AggregateExpr& a);

    // The time modifiers info() applies to its info series: those of the
    // first selector in `e`, composed with any subquery above it.
    TimeModifiers infoModifiers(const Expr& e) {
        TimeModifiers out;
        std::int64_t offset = 0;
        bool pinned = false;
        std::int64_t at = 0;
        const Expr* cur = &e;
        auto apply = [&](const TimeModifiers& m) {
            const std::int64_t off = m.hasOffset ? resolve(m.offset) : 0;
            const TimeRef r = timeRef(m);
            if (r.hasAt) {
                pinned = true;
                at = r.at;
                offset = off;
            } else {
                offset += off;
            }
        };
        while (cur) {
            switch (cur->kind) {
                case NodeKind::kVectorSelector:
                    apply(static_cast<const VectorSelector*>(cur)->modifiers);
                    cur = nullptr;
                    break;
                case NodeKind::kMatrixSelector:
                    apply(static_cast<const MatrixSelector*>(cur)->selector->modifiers);
                    cur = nullptr;
                    break;
                case NodeKind::kSubquery: {
                    const auto* sq = static_cast<const SubqueryExpr*>(cur);
                    apply(sq->modifiers);
                    cur = sq->expr.get();
                    break;
                }
                case NodeKind::kParen:
                    cur = static_cast<const ParenExpr*>(cur)->expr.get();
                    break;
                case NodeKind::kUnary:
                    cur = static_cast<const UnaryExpr*>(cur)->expr.get();
                    break;
                case NodeKind::kAggregate:
                    cur = static_cast<const AggregateExpr*>(cur)->expr.get();
                    break;
                case NodeKind::kBinary:
                    cur = static_cast<const BinaryExpr*>(cur)->lhs.get();
                    break;
                case NodeKind::kCall: {
                    const auto* call = static_cast<const Call*>(cur);
                    const Expr* next = nullptr;
                    for (const auto& arg : call->args)
                        if (arg->type() == ValueType::kVector ||
                            arg->type() == ValueType::kMatrix) {
                            next = arg.get();
                            break;
                        }
                    cur = next;
                    break;
                }
                default:
                    cur = nullptr;
                    break;
            }
        }
        if (offset != 0) {
            out.hasOffset = true;
            out.offset.ms = offset;
        }
        if (pinned) {
            out.at = AtKind::kTimestamp;
            out.atMs = at;
        }
        return out;
    }

    // info(v [, selector]): adds the data labels of matching info series
    // (target_info by default), joined on the identifying labels instance
    // and job, as Prometheus's experimental info() does.
    EV evalInfo(const Call& c) {
        EV base = eval(*c.args[0]);
        std::vector<model::Matcher> nameMatchers, dataMatchers;
        if (c.args.size() > 1) {
            const Expr* sel = unwrapParens(c.args[1].get());
            if (sel->kind != NodeKind::kVectorSelector)
                throw EvalError{"expected a label selector as info()'s second argument",
                                c.args[1].get()};
            for (const auto& m : static_cast<const VectorSelector*>(sel)->matchers)
                (m.name() == model::kMetricName ? nameMatchers : dataMatchers).push_back(m);
        }
        // Without a name matcher the info metric is target_info; with only
        // negative ones, any *_info metric they do not exclude.
        bool positive = false;
        for (const auto& m : nameMatchers)
            positive = positive || m.type() == model::MatchType::kEqual ||
                       m.type() == model::MatchType::kRegexp;
        if (nameMatchers.empty()) {
            nameMatchers.push_back(*model::Matcher::make(
                model::MatchType::kEqual, std::string(model::kMetricName), "target_info"));
        } else if (!positive) {
            nameMatchers.push_back(*model::Matcher::make(
                model::MatchType::kRegexp, std::string(model::kMetricName), ".+_info"));
        }
        bool dropWithoutInfo = false;
        for (const auto& m : dataMatchers)
            if (!m.matchesEmpty())
                dropWithoutInfo = true;
        VectorSelector infoSel;
        infoSel.matchers = nameMatchers;
        infoSel.matchers.insert(infoSel.matchers.end(), dataMatchers.begin(), dataMatchers.end());
        infoSel.modifiers = infoModifiers(*c.args[0]);
        infoSel.pos = c.pos;
        EV info = evalVectorSelector(infoSel, true);  // values: sample timestamps
        const Matrix& im = info.matrix;
        auto idKey = [](const Labels& l) {
            return std::string(l.get("instance")) + '\xff' + std::string(l.get("job"));
        };
        std::unordered_map<std::string, std::vector<std::uint32_t>> byId;
        for (std::size_t i = 0; i < im.size(); ++i)
            byId[idKey(im[i].labels)].push_back(static_cast<std::uint32_t>(i));
        std::vector<std::size_t> cursor(im.size(), 0);
        auto infoAt = [&](std::uint32_t i, Timestamp t, double* sampleT) {
            const auto& pts = im[i].points;
            std::size_t& p = cursor[i];
            while (p < pts.size() && pts[p].t < t)
                ++p;
            if (p < pts.size() && pts[p].t == t) {
                *sampleT = pts[p].v;
                return true;
            }
            return false;
        };
        Accumulator acc;
        std::vector<std::pair<std::string, std::string>> adds;
        for (auto& s : base.matrix) {
            const bool isInfo = model::matchesAll(nameMatchers, s.labels);
            auto it = isInfo ? byId.end() : byId.find(idKey(s.labels));
            std::fill(cursor.begin(), cursor.end(), 0);
            for (const auto& p : s.points) {
                if (isInfo) {
                    acc.add(acc.indexFor(s.labels, s.dropName), p.t, p.v);
                    continue;
                }
                // The newest sample per info metric name wins; names must agree.
                std::map<std::string, std::pair<double, std::uint32_t>> newest;
                if (it != byId.end())
                    for (std::uint32_t i : it->second) {
                        double st = 0;
                        if (!infoAt(i, p.t, &st))
                            continue;
                        const std::string nm(im[i].labels.metricName());
                        auto [n, inserted] = newest.try_emplace(nm, st, i);
                        if (!inserted && st > n->second.first)
                            n->second = {st, i};
                    }
                if (newest.empty()) {
                    if (!dropWithoutInfo)
                        acc.add(acc.indexFor(s.labels, s.dropName), p.t, p.v);
                    continue;
                }
                model::LabelsBuilder lb(s.labels);
                adds.clear();
                for (const auto& [nm, sel] : newest) {
                    for (const auto& l : im[sel.second].labels) {
                        if (l.name == model::kMetricName || l.name == "instance" || l.name == "job")
                            continue;
                        if (!dataMatchers.empty()) {
                            bool named = false;
                            for (const auto& m : dataMatchers)
                                named = named || m.name() == l.name;
                            if (!named)
                                continue;
                        }
                        if (s.labels.has(l.name))
                            continue;
                        for (const auto& [an, av] : adds)
                            if (an == l.name && av != l.value)
                                throw EvalError{"conflicting label: " + l.name, &c};
                        adds.emplace_back(l.name, l.value);
                        lb.set(l.name, l.value);
                    }
                }
                acc.add(acc.indexFor(lb.labels(), s.dropName), p.t, p.v);
            }
        }
        return vectorEV(acc.take());
    }

    // limit_ratio(r, v): keeps a series when its label hash, scaled to
    // [0, 1), is below r (r >= 0) or at least 1 + r (r < 0), so r and -(1-r)
    // select complementary sets. The hash is Prometheus's (XXH64 of the
    // labels), so the subset is the one Prometheus keeps.
    EV limitRatio(const AggregateExpr& a, const std::vector<double>& ratios) {
        for (double r : ratios)
            if (std::isnan(r))
                throw EvalError{"Ratio value is NaN", &a};
        EV in = eval(*a.expr);
        Accumulator acc;
        for (auto& s : in.matrix) {
            const double offset =
                static_cast<double>(prometheusLabelsHash(s.labels)) / 18446744073709551616.0;
            std::vector<FPoint> kept;
            for (const auto& p : s.points) {
                double r = ratios[stepIndex(p.t)];
                if (r < -1 || r > 1) {
                    m_ctx.annotate(true,
                                   "ratio value should be between -1 and 1, got " + formatFloatG(r),
                                   a.param.get());
                    r = std::clamp(r, -1.0, 1.0);
                }
                if (r >= 0 ? offset < r : offset >= 1 + r)
                    kept.push_back(p);
            }
            acc.addSeries(std::move(s.labels), std::move(kept), false, s.dropName);
        }
        return vectorEV(acc.take());
    }
    EV evalCall(const Call& c);
    EV evalRangeCall(const Call& c, std::size_t argIndex);
    EV evalExtendedRangeCall(const Call& c, const MatrixSelector& ms);
    EV labelReplace(const Call& c, std::vector<EV>& args);
    EV labelJoin(const Call& c, std::vector<EV>& args);
    EV histogramQuantile(const Call& c, std::vector<EV>& args);

    void warnMalformedLe(const Matrix& m, const Expr* at) {
        double ignored = 0;
        for (const auto& s : m) {
            const std::string_view le = s.labels.get("le");
            if (!parseGoFloat(le, &ignored))
                m_ctx.annotate(true,
                               "bucket label \"le\" is missing or has a malformed value of \"" +
                                   std::string(le) + "\" for metric name \"" +
                                   std::string(s.labels.metricName()) + "\"",
                               at);
        }
    }

public:
    // The whole query: converts the top node's value to the API's shape.
    Value run(const Expr& e);

private:
    Context& m_ctx;
    Timestamp m_start, m_end;
    std::int64_t m_interval;
    std::size_t m_steps = 1;
};

// Go heap (container/heap) over indices with a custom less, so topk/bottomk
// select and order ties exactly as Prometheus.
template <typename Less>
struct GoHeap {
    std::vector<std::pair<std::uint32_t, double>>& h;
    Less less;
    bool lessAt(std::size_t i, std::size_t j) const { return less(h[i].second, h[j].second); }
    void up(std::size_t j) {
        while (j > 0) {
            const std::size_t i = (j - 1) / 2;
            if (i == j || !lessAt(j, i))
                break;
            std::swap(h[i], h[j]);
            j = i;
        }
    }
    bool down(std::size_t i0, std::size_t n) {
        std::size_t i = i0;
        for (;;) {
            const std::size_t j1 = 2 * i + 1;
            if (j1 >= n)
                break;
            std::size_t j = j1;
            if (const std::size_t j2 = j1 + 1; j2 < n && lessAt(j2, j1))
                j = j2;
            if (!lessAt(j, i))
                break;
            std::swap(h[i], h[j]);
            i = j;
        }
        return i > i0;
    }
    void push(std::pair<std::uint32_t, double> x) {
        h.push_back(x);
        up(h.size() - 1);
    }
    void fix(std::size_t i) {
        if (!down(i, h.size()))
            up(i);
    }
};

bool topkLess(double a, double b) {
    if (std::isnan(a))
        return true;
    return a < b;
}
bool bottomkLess(double a, double b) {
    if (std::isnan(a))
        return true;
    return a > b;
}

EV Evaluator::evalAggregate(const AggregateExpr& a) {
    std::vector<double> param;
    std::string strParam;
    if (a.param) {
        EV p = eval(*a.param);
        if (p.type == ValueType::kString) {
            strParam = p.str;
        } else {
            param = std::move(p.scalar);
        }
    }
    if (a.op == AggregateOp::kLimitRatio)
        return limitRatio(a, param);
    if (a.op == AggregateOp::kTopk || a.op == AggregateOp::kBottomk ||
        a.op == AggregateOp::kLimitk) {
        for (double p : param)
            if (std::isnan(p))
                throw EvalError{"Parameter value is NaN", &a};
    }
    EV in = eval(*a.expr);
    const Matrix& m = in.matrix;
    const bool selectsSeries =
        a.op == AggregateOp::kTopk || a.op == AggregateOp::kBottomk || a.op == AggregateOp::kLimitk;
    if (a.op == AggregateOp::kCountValues && !validLabelName(strParam, m_ctx.options.prometheus3))
        throw EvalError{"invalid label name " + goQuote(strParam), &a};

    std::vector<std::string> withoutNames;
    if (a.without) {
        withoutNames = a.grouping;
        withoutNames.emplace_back(model::kMetricName);
    }
    auto groupLabels = [&](const Labels& l) {
        return a.without ? l.without(withoutNames) : l.keepOnly(a.grouping);
    };

    // Group of each input series, computed once.
    std::vector<std::uint32_t> groupOf(m.size());
    std::vector<Labels> groups;
    std::vector<char> groupDrop;  // delayed name removal: a member's name is to be dropped
    {
        std::unordered_map<std::uint64_t, std::uint32_t> index;
        for (std::size_t i = 0; i < m.size(); ++i) {
            if (a.op == AggregateOp::kCountValues)
                break;
            Labels g = groupLabels(m[i].labels);
            auto [it, inserted] =
                index.try_emplace(g.hash(), static_cast<std::uint32_t>(groups.size()));
            if (inserted) {
                groups.push_back(std::move(g));
                groupDrop.push_back(0);
            }
            groupOf[i] = it->second;
            if (m[i].dropName && groups[it->second].has(model::kMetricName))
                groupDrop[it->second] = 1;
        }
    }

    struct GroupState {
        bool seen = false;
        double value = 0, c = 0, mean = 0, count = 0;
        bool incremental = false;
        std::vector<std::pair<std::uint32_t, double>> items;
    };
    std::vector<GroupState> state(groups.size());
    std::vector<std::uint32_t> touched;
    std::vector<std::int64_t> groupOut(groups.size(), -1);
    std::vector<std::int64_t> seriesOut(m.size(), -1);
    Accumulator acc;
    StepCursor cursor(m);
    std::vector<std::pair<std::uint32_t, double>> elems;
    std::vector<double> values;

    for (std::size_t step = 0; step < m_steps; ++step) {
        checkInterrupt();
        const Timestamp ts = stepTs(step);
        cursor.at(ts, elems);
        if (elems.empty())
            continue;
        if (a.op == AggregateOp::kCountValues) {
            std::unordered_map<std::uint32_t, double> counts;
            std::vector<std::uint32_t> order;
            for (const auto& [si, v] : elems) {
                model::LabelsBuilder lb(m[si].labels);
                lb.set(strParam, formatFloatF(v));
                Labels withValue = lb.labels();
                Labels g;
                if (a.without) {
                    g = withValue.without(withoutNames);
                } else {
                    auto names = a.grouping;
                    names.push_back(strParam);
                    g = withValue.keepOnly(names);
                }
                const std::uint32_t idx = acc.indexFor(std::move(g));
                auto [it, inserted] = counts.try_emplace(idx, 0);
                if (inserted)
                    order.push_back(idx);
                it->second += 1;
            }
            for (auto idx : order)
                acc.add(idx, ts, counts[idx]);
            continue;
        }
        double k = 0;
        if (selectsSeries || a.op == AggregateOp::kQuantile) {
            const double p = param[step];
            if (selectsSeries) {
                if (std::isnan(p))
                    throw EvalError{"Parameter value is NaN", &a};
                if (p >= 9.2e18 || p <= -9.2e18)
                    throw EvalError{"Scalar value " + formatFloatG(p) + " overflows int64", &a};
                k = std::trunc(p);
                if (k < 1)
                    continue;
            } else {
                k = p;
            }
        }
        touched.clear();
        for (const auto& [si, v] : elems) {
            const std::uint32_t g = groupOf[si];
            GroupState& st = state[g];
            if (!st.seen) {
                st = GroupState{};
                st.items.clear();
                st.seen = true;
                touched.push_back(g);
                st.count = 1;
                switch (a.op) {
                    case AggregateOp::kSum:
                    case AggregateOp::kAvg:
                    case AggregateOp::kMin:
                    case AggregateOp::kMax:
                        st.value = v;
                        break;
                    case AggregateOp::kStddev:
                    case AggregateOp::kStdvar:
                        st.mean = v;
                        st.value = (std::isnan(v) || std::isinf(v)) ? kNaN : 0;
                        break;
                    case AggregateOp::kTopk:
                    case AggregateOp::kBottomk:
                    case AggregateOp::kLimitk:
                    case AggregateOp::kQuantile:
                        st.items.push_back({si, v});
                        break;
                    default:
                        break;
                }
                continue;
            }
            st.count += 1;
            switch (a.op) {
                case AggregateOp::kSum:
                    impl::kahanSumInc(v, st.value, st.c);
                    break;
                case AggregateOp::kAvg: {
                    if (!st.incremental) {
                        double nv = st.value, nc = st.c;
                        impl::kahanSumInc(v, nv, nc);
                        if (!std::isinf(nv)) {
                            st.value = nv;
                            st.c = nc;
                            break;
                        }
                        st.incremental = true;
                        st.mean = st.value / (st.count - 1);
                        st.c /= st.count - 1;
                    }
                    const double q = (st.count - 1) / st.count;
                    double mm = q * st.mean, mc = q * st.c;
                    impl::kahanSumInc(v / st.count, mm, mc);
                    st.mean = mm;
                    st.c = mc;
                    break;
                }
                case AggregateOp::kMin:
                    if (st.value > v || std::isnan(st.value))
                        st.value = v;
                    break;
                case AggregateOp::kMax:
                    if (st.value < v || std::isnan(st.value))
                        st.value = v;
                    break;
                case AggregateOp::kStddev:
                case AggregateOp::kStdvar: {
                    if (std::isnan(v) || std::isinf(v)) {
                        st.value = kNaN;
                        break;
                    }
                    const double delta = v - st.mean;
                    st.mean += delta / st.count;
                    st.value += delta * (v - st.mean);
                    break;
                }
                case AggregateOp::kTopk:
                case AggregateOp::kBottomk: {
                    const bool top = a.op == AggregateOp::kTopk;
                    auto less = top ? topkLess : bottomkLess;
                    GoHeap<bool (*)(double, double)> heap{st.items, less};
                    if (st.items.size() < static_cast<std::size_t>(std::min<double>(k, 1e18))) {
                        heap.push({si, v});
                    } else {
                        const double h0 = st.items[0].second;
                        const bool replace = top ? (h0 < v || (std::isnan(h0) && !std::isnan(v)))
                                                 : (h0 > v || (std::isnan(h0) && !std::isnan(v)));
                        if (replace) {
                            st.items[0] = {si, v};
                            if (k > 1)
                                heap.fix(0);
                        }
                    }
                    break;
                }
                case AggregateOp::kLimitk:
                    if (st.items.size() < static_cast<std::size_t>(std::min<double>(k, 1e18)))
                        st.items.push_back({si, v});
                    break;
                case AggregateOp::kQuantile:
                    st.items.push_back({si, v});
                    break;
                default:
                    break;
            }
        }
        for (const std::uint32_t g : touched) {
            GroupState& st = state[g];
            st.seen = false;
            auto emitGroup = [&](double v) {
                if (groupOut[g] < 0)
                    groupOut[g] = acc.indexFor(groups[g], groupDrop[g] != 0);
                acc.add(static_cast<std::uint32_t>(groupOut[g]), ts, v);
            };
            switch (a.op) {
                case AggregateOp::kSum:
                    emitGroup(std::isinf(st.value) ? st.value : st.value + st.c);
                    break;
                case AggregateOp::kAvg:
                    emitGroup(st.incremental ? st.mean + st.c
                                             : st.value / st.count + st.c / st.count);
                    break;
                case AggregateOp::kCount:
                    emitGroup(st.count);
                    break;
                case AggregateOp::kGroup:
                    emitGroup(1);
                    break;
                case AggregateOp::kMin:
                case AggregateOp::kMax:
                    emitGroup(st.value);
                    break;
                case AggregateOp::kStdvar:
                    emitGroup(st.value / st.count);
                    break;
                case AggregateOp::kStddev:
                    emitGroup(std::sqrt(st.value / st.count));
                    break;
                case AggregateOp::kQuantile: {
                    if (std::isnan(k) || k < 0 || k > 1)
                        m_ctx.annotate(
                            true,
                            "quantile value should be between 0 and 1, got " + formatFloatG(k),
                            a.param.get());
                    values.clear();
                    for (const auto& it : st.items)
                        values.push_back(it.second);
                    emitGroup(impl::quantile(k, values));
                    break;
                }
                case AggregateOp::kTopk:
                case AggregateOp::kBottomk: {
                    auto less = a.op == AggregateOp::kTopk ? topkLess : bottomkLess;
                    // The first element was pushed without sifting; a heap
                    // of one is trivially valid.
                    std::stable_sort(
                        st.items.begin(), st.items.end(),
                        [&](const auto& x, const auto& y) { return less(y.second, x.second); });
                    for (const auto& [si, v] : st.items) {
                        if (seriesOut[si] < 0)
                            seriesOut[si] = acc.indexFor(m[si].labels, m[si].dropName);
                        acc.add(static_cast<std::uint32_t>(seriesOut[si]), ts, v);
                    }
                    break;
                }
                case AggregateOp::kLimitk:
                    for (const auto& [si, v] : st.items) {
                        if (seriesOut[si] < 0)
                            seriesOut[si] = acc.indexFor(m[si].labels, m[si].dropName);
                        acc.add(static_cast<std::uint32_t>(seriesOut[si]), ts, v);
                    }
                    break;
                default:
                    break;
            }
        }
    }
    return vectorEV(acc.take());
}

// ---- functions ---------------------------------------------------------------

Labels absentLabels(const Expr* arg) {
    const VectorSelector* vs = nullptr;
    if (arg->kind == NodeKind::kVectorSelector)
        vs = static_cast<const VectorSelector*>(arg);
    if (arg->kind == NodeKind::kMatrixSelector)
        vs = static_cast<const MatrixSelector*>(arg)->selector.get();
    if (!vs)
        return {};
    model::LabelsBuilder lb{Labels{}};
    std::vector<std::string> empty;
    std::unordered_set<std::string> seen;
    for (const auto& m : vs->matchers) {
        if (m.name() == model::kMetricName)
            continue;
        if (m.type() == model::MatchType::kEqual && !seen.count(m.name())) {
            lb.set(m.name(), m.value());
            seen.insert(m.name());
        } else {
            empty.push_back(m.name());
        }
    }
    for (const auto& n : empty)
        lb.del(n);
    return lb.labels();
}

EV Evaluator::evalRangeCall(const Call& c, std::size_t argIndex) {
    const std::string_view name = c.func->name;
    const Expr* arg = unwrapParens(c.args[argIndex].get());
    if (arg->kind == NodeKind::kMatrixSelector) {
        const auto& vs = *static_cast<const MatrixSelector*>(arg)->selector;
        const std::string err = rangeModifierError(*c.func, vs.anchored, vs.smoothed);
        if (!err.empty())
            throw EvalError{err, &c};
        if (vs.anchored || vs.smoothed)
            return evalExtendedRangeCall(c, *static_cast<const MatrixSelector*>(arg));
    }
    std::vector<std::vector<double>> scalars(c.args.size());
    for (std::size_t i = 0; i < c.args.size(); ++i) {
        if (i == argIndex)
            continue;
        EV v = eval(*c.args[i]);
        scalars[i] = std::move(v.scalar);
    }
    RangeData rd = rangeSource(*c.args[argIndex]);
    if (name == "absent_over_time") {
        Accumulator acc;
        std::vector<std::size_t> lo(rd.size(), 0), hi(rd.size(), 0);
        Labels labels = absentLabels(arg);
        std::uint32_t idx = 0;
        bool haveIdx = false;
        for (std::size_t i = 0; i < m_steps; ++i) {
            const Timestamp ts = stepTs(i);
            bool any = false;
            for (std::size_t s = 0; s < rd.size(); ++s) {
                Timestamp rs = 0, re = 0;
                window(rd.series(s), rd, ts, lo[s], hi[s], &rs, &re);
                if (hi[s] > lo[s])
                    any = true;
            }
            if (any)
                continue;
            if (!haveIdx) {
                idx = acc.indexFor(labels);
                haveIdx = true;
            }
            acc.add(idx, ts, 1);
        }
        return vectorEV(acc.take());
    }
    const impl::RangeKernel kernel = impl::findRangeKernel(name);
    if (!kernel)
        throw EvalError{"function " + std::string(name) + "() is not supported", &c,
                        Status::Code::kUnavailable};
    const bool isHoltWinters = name == "holt_winters" || name == "double_exponential_smoothing";
    std::size_t arg1 = c.args.size(), arg2 = c.args.size();
    if (name == "quantile_over_time")
        arg1 = 0;
    if (name == "predict_linear")
        arg1 = 1;
    if (isHoltWinters) {
        arg1 = 1;
        arg2 = 2;
    }
    const bool dropsName = name != "last_over_time" && name != "first_over_time";
    Accumulator acc;
    impl::RangeWindow w;
    w.rangeSeconds = static_cast<double>(rd.rangeMs) / 1000;
    w.prometheus3 = m_ctx.options.prometheus3;
    // Start timestamps reach range functions only straight from a range
    // selector: a subquery's samples have none (as in Prometheus).
    const StartTimestampSource* stSource =
        arg->kind == NodeKind::kMatrixSelector &&
                (name == "rate" || name == "increase" || name == "irate" || name == "resets")
            ? m_ctx.options.startTimestamps
            : nullptr;
    std::vector<std::int64_t> sts;
    bool stOverlap = false;
    w.startTimeOverlap = &stOverlap;
    const bool indexResets = name == "rate" || name == "increase";
    std::vector<std::uint32_t> resets;
    for (std::size_t s = 0; s < rd.size(); ++s) {
        checkInterrupt();
        auto pts = rd.series(s);
        std::size_t lo = 0, hi = 0, rlo = 0, rhi = 0;
        const bool hasSts = stSource && stSource->lookup(rd.labels[s], pts, &sts);
        stOverlap = false;
        w.hasResets = false;
        w.startTs = {};
        if (indexResets && !hasSts) {
            resets.clear();
            for (std::size_t j = 1; j < pts.size(); ++j)
                if (pts[j].v < pts[j - 1].v)
                    resets.push_back(static_cast<std::uint32_t>(j));
            w.hasResets = true;
        }
        std::vector<FPoint> out;
        out.reserve(m_steps);
        for (std::size_t i = 0; i < m_steps; ++i) {
            const Timestamp ts = stepTs(i);
            window(pts, rd, ts, lo, hi, &w.rangeStart, &w.rangeEnd);
            if (hi == lo)
                continue;
            w.points = pts.subspan(lo, hi - lo);
            if (hasSts)
                w.startTs = std::span<const std::int64_t>(sts).subspan(lo, hi - lo);
            if (w.hasResets) {
                // Resets j with lo < j < hi, found with monotonic cursors.
                while (rlo < resets.size() && resets[rlo] <= lo)
                    ++rlo;
                if (rhi < rlo)
                    rhi = rlo;
                while (rhi < resets.size() && resets[rhi] < hi)
                    ++rhi;
                w.resets = std::span<const std::uint32_t>(resets.data() + rlo, rhi - rlo);
                w.resetBase = lo;
            }
            w.evalTs = ts;
            if (arg1 < c.args.size())
                w.arg1 = scalars[arg1][i];
            if (name == "quantile_over_time" && (std::isnan(w.arg1) || w.arg1 < 0 || w.arg1 > 1))
                m_ctx.annotate(
                    true, "quantile value should be between 0 and 1, got " + formatFloatG(w.arg1),
                    c.args[0].get());
            if (arg2 < c.args.size())
                w.arg2 = scalars[arg2][i];
            if (isHoltWinters) {
                if (w.arg1 <= 0 || w.arg1 >= 1) {
                    char buf[64];
                    std::snprintf(buf, sizeof buf, "%f", w.arg1);
                    throw EvalError{
                        std::string("invalid smoothing factor. Expected: 0 < sf < 1, got: ") + buf,
                        &c};
                }
                if (w.arg2 <= 0 || w.arg2 >= 1) {
                    char buf[64];
                    std::snprintf(buf, sizeof buf, "%f", w.arg2);
                    throw EvalError{
                        std::string("invalid trend factor. Expected: 0 < tf < 1, got: ") + buf, &c};
                }
            }
            double v = 0;
            if (kernel(w, &v))
                out.push_back({ts, v});
        }
        if (stOverlap)
            m_ctx.annotate(true,
                           "sample has start time that overlaps with previous sample timestamp "
                           "for metric \"" +
                               std::string(rd.labels[s].metricName()) + "\"",
                           c.args[argIndex].get());
        if (dropsName) {
            addDropped(acc, rd.labels[s], std::move(out), strictMatrixCheck());
        } else {
            acc.addSeries(rd.labels[s], std::move(out), strictMatrixCheck(), rd.dropName[s] != 0);
        }
    }
    return vectorEV(acc.take());
}

// rate/increase/delta/changes/resets over an anchored or smoothed range
// (Prometheus 3's extended range selectors): rate, increase and delta use the
// values at the window's boundaries (Prometheus's extendedRate); changes and
// resets count over the window with a synthetic sample at each boundary.
EV Evaluator::evalExtendedRangeCall(const Call& c, const MatrixSelector& ms) {
    const std::string_view name = c.func->name;
    const bool smoothed = ms.selector->smoothed;
    const bool isRateLike = name == "rate" || name == "increase" || name == "delta";
    const impl::RangeKernel kernel = isRateLike ? nullptr : impl::findRangeKernel(name);
    if (!isRateLike && !kernel)
        throw EvalError{"function " + std::string(name) + "() is not supported", &c,
                        Status::Code::kUnavailable};
    const bool isCounter = name != "delta";
    const bool isRate = name == "rate";
    RangeData rd = loadExtended(ms);
    const double rangeSeconds = static_cast<double>(rd.rangeMs) / 1000;
    Accumulator acc;
    impl::RangeWindow w;
    w.rangeSeconds = rangeSeconds;
    w.prometheus3 = m_ctx.options.prometheus3;
    std::vector<FPoint> buf;
    for (std::size_t s = 0; s < rd.size(); ++s) {
        checkInterrupt();
        auto pts = rd.series(s);
        std::vector<FPoint> out;
        out.reserve(m_steps);
        for (std::size_t i = 0; i < m_steps; ++i) {
            const Timestamp ts = stepTs(i);
            std::size_t lo = 0, hi = 0;
            Timestamp rangeStart = 0, rangeEnd = 0;
            extendedWindow(pts, rd, smoothed, ts, &lo, &hi, &rangeStart, &rangeEnd);
            if (lo == hi)
                continue;
            const auto f = pts.subspan(lo, hi - lo);
            double v = 0;
            if (isRateLike) {
                if (!impl::extendedRate(f, rangeStart, rangeEnd, smoothed, isCounter, isRate,
                                        rangeSeconds, &v))
                    continue;
            } else {
                if (!impl::extendFloats(f, rangeStart, rangeEnd, smoothed, &buf))
                    continue;
                w.points = buf;
                w.rangeStart = rangeStart;
                w.rangeEnd = rangeEnd;
                w.evalTs = ts;
                if (!kernel(w, &v))
                    continue;
            }
            out.push_back({ts, v});
        }
        addDropped(acc, rd.labels[s], std::move(out), strictMatrixCheck());
    }
    return vectorEV(acc.take());
}

EV Evaluator::evalCall(const Call& c) {
    const std::string_view name = c.func->name;
    for (std::size_t i = 0; i < c.func->argTypes.size() && i < c.args.size(); ++i) {
        if (c.func->argTypes[i] == ValueType::kMatrix)
            return evalRangeCall(c, i);
    }
    if (name == "info")
        return evalInfo(c);
    if (name == "time") {
        EV out = scalarEV(0);
        for (std::size_t i = 0; i < m_steps; ++i)
            out.scalar[i] = static_cast<double>(stepTs(i)) / 1000;
        return out;
    }
    if (name == "pi")
        return scalarEV(3.141592653589793);
    if (name == "start")
        return scalarEV(static_cast<double>(m_ctx.queryStart) / 1000);
    if (name == "end")
        return scalarEV(static_cast<double>(m_ctx.queryEnd) / 1000);
    if (name == "step")
        return scalarEV(static_cast<double>(m_ctx.queryStepMs) / 1000);
    if (name == "range")
        return scalarEV(static_cast<double>(m_ctx.queryEnd - m_ctx.queryStart) / 1000);
    if (name == "timestamp") {
        const Expr* arg = unwrapParens(c.args[0].get());
        EV v = arg->kind == NodeKind::kVectorSelector
                   ? evalVectorSelector(*static_cast<const VectorSelector*>(arg), true)
                   : eval(*c.args[0]);
        if (arg->kind != NodeKind::kVectorSelector)
            for (auto& s : v.matrix)
                for (auto& p : s.points)
                    p.v = static_cast<double>(p.t) / 1000;
        Accumulator acc;
        for (auto& s : v.matrix)
            addDropped(acc, std::move(s.labels), std::move(s.points), false);
        return vectorEV(acc.take());
    }
    // Evaluate arguments.
    std::vector<EV> args;
    args.reserve(c.args.size());
    for (const auto& a : c.args)
        args.push_back(eval(*a));

    if (name == "min_of" || name == "max_of") {
        const bool isMin = name == "min_of";
        EV out = scalarEV(0);
        for (std::size_t i = 0; i < m_steps; ++i) {
            const double a = args[0].scalar[i], b = args[1].scalar[i];
            if (std::isnan(a) || std::isnan(b)) {
                out.scalar[i] = kNaN;
            } else {
                out.scalar[i] = isMin ? std::min(a, b) : std::max(a, b);
            }
        }
        return out;
    }
    if (name == "vector") {
        Matrix m(1);
        for (std::size_t i = 0; i < m_steps; ++i)
            m[0].points.push_back({stepTs(i), args[0].scalar[i]});
        return vectorEV(std::move(m));
    }
    if (name == "scalar") {
        EV out = scalarEV(kNaN);
        std::vector<int> counts(m_steps, 0);
        for (const auto& s : args[0].matrix)
            for (const auto& p : s.points) {
                const std::size_t i = stepIndex(p.t);
                out.scalar[i] = ++counts[i] == 1 ? p.v : kNaN;
            }
        return out;
    }
    if (name == "absent") {
        std::vector<bool> present(m_steps, false);
        for (const auto& s : args[0].matrix)
            for (const auto& p : s.points)
                present[stepIndex(p.t)] = true;
        Matrix m;
        Series s{absentLabels(c.args[0].get()), {}};
        for (std::size_t i = 0; i < m_steps; ++i)
            if (!present[i])
                s.points.push_back({stepTs(i), 1});
        if (!s.points.empty())
            m.push_back(std::move(s));
        return vectorEV(std::move(m));
    }
    if (name.starts_with("sort") && m_ctx.queryStepMs > 0)
        m_ctx.annotate(true,
                       "sort is ineffective for range queries since results are always ordered "
                       "by labels",
                       &c);
    if (name == "sort" || name == "sort_desc") {
        Matrix& m = args[0].matrix;
        if (m_steps == 1) {
            const bool desc = name == "sort_desc";
            std::stable_sort(m.begin(), m.end(), [&](const Series& x, const Series& y) {
                const double a = x.points[0].v, b = y.points[0].v;
                if (std::isnan(a))
                    return false;
                if (std::isnan(b))
                    return true;
                return desc ? a > b : a < b;
            });
        }
        return vectorEV(std::move(m));
    }
    if (name == "sort_by_label" || name == "sort_by_label_desc") {
        Matrix& m = args[0].matrix;
        const bool desc = name == "sort_by_label_desc";
        std::vector<std::string> keys;
        for (std::size_t i = 1; i < args.size(); ++i)
            keys.push_back(args[i].str);
        std::stable_sort(m.begin(), m.end(), [&](const Series& x, const Series& y) {
            for (const auto& k : keys) {
                const int cmp = naturalCompare(x.labels.get(k), y.labels.get(k));
                if (cmp != 0)
                    return desc ? cmp > 0 : cmp < 0;
            }
            return desc ? y.labels < x.labels : x.labels < y.labels;
        });
        return vectorEV(std::move(m));
    }
    if (name == "label_replace")
        return labelReplace(c, args);
    if (name == "label_join")
        return labelJoin(c, args);
    if (name == "histogram_quantile")
        return histogramQuantile(c, args);
    if (name.starts_with("histogram_")) {
        // Native-histogram functions ignore float samples; classic bucket
        // series without a usable `le` are reported as Prometheus does.
        if (name == "histogram_quantiles" || name == "histogram_fraction") {
            const std::size_t vi = name == "histogram_quantiles" ? 0 : 2;
            if (vi < args.size())
                warnMalformedLe(args[vi].matrix, c.args[vi].get());
        }
        return vectorEV({});
    }
    // Element-wise functions (date functions default to vector(time())).
    impl::ElementKernel kernel = impl::findElementKernel(name);
    if (!kernel)
        throw EvalError{"function " + std::string(name) + "() is not supported", &c,
                        Status::Code::kUnavailable};
    Matrix input;
    if (args.empty()) {
        input.resize(1);
        for (std::size_t i = 0; i < m_steps; ++i)
            input[0].points.push_back({stepTs(i), static_cast<double>(stepTs(i)) / 1000});
    } else {
        input = std::move(args[0].matrix);
    }
    const bool isClamp = name == "clamp";
    const bool isRound = name == "round";
    Accumulator acc;
    double fargs[2] = {1, 0};
    for (auto& s : input) {
        std::vector<FPoint> out;
        out.reserve(s.points.size());
        for (const auto& p : s.points) {
            const std::size_t i = stepIndex(p.t);
            for (std::size_t a = 1; a < args.size() && a < 3; ++a)
                fargs[a - 1] = args[a].scalar[i];
            if (isRound && args.size() < 2)
                fargs[0] = 1;
            if (isClamp && fargs[1] < fargs[0])
                continue;
            out.push_back({p.t, kernel(p.v, fargs)});
        }
        addDropped(acc, std::move(s.labels), std::move(out), false);
    }
    return vectorEV(acc.take());
}

EV Evaluator::labelReplace(const Call& c, std::vector<EV>& args) {
    const std::string& dst = args[1].str;
    const std::string& repl = args[2].str;
    const std::string& src = args[3].str;
    const std::string& regex = args[4].str;
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);
    RE2 re("^(?:" + regex + ")$", opts);
    if (!re.ok())
        throw EvalError{"invalid regular expression in label_replace(): " + regex, &c};
    if (!validLabelName(dst, m_ctx.options.prometheus3))
        throw EvalError{"invalid destination label name in label_replace(): " + dst, &c};
    const int n = re.NumberOfCapturingGroups() + 1;
    std::vector<std::string> names(static_cast<std::size_t>(n));
    for (const auto& [nm, idx] : re.NamedCapturingGroups())
        names[static_cast<std::size_t>(idx)] = nm;
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(n));
    std::vector<std::string_view> views(static_cast<std::size_t>(n));
    Accumulator acc;
    for (auto& s : args[0].matrix) {
        const std::string_view value = s.labels.get(src);
        Labels out = s.labels;
        if (re.Match(re2::StringPiece(value.data(), value.size()), 0, value.size(), RE2::UNANCHORED,
                     groups.data(), n)) {
            for (int g = 0; g < n; ++g)
                views[static_cast<std::size_t>(g)] =
                    std::string_view(groups[static_cast<std::size_t>(g)].data(),
                                     groups[static_cast<std::size_t>(g)].size());
            const std::string res = expandTemplate(repl, views.data(), n, names);
            model::LabelsBuilder lb(s.labels);
            lb.set(dst, res);
            out = lb.labels();
        }
        acc.addSeries(std::move(out), std::move(s.points), false,
                      s.dropName && dst != model::kMetricName);
    }
    return vectorEV(acc.take());
}

EV Evaluator::labelJoin(const Call& c, std::vector<EV>& args) {
    const std::string& dst = args[1].str;
    const std::string& sep = args[2].str;
    if (!validLabelName(dst, m_ctx.options.prometheus3))
        throw EvalError{"invalid destination label name in label_join(): " + dst, &c};
    for (std::size_t i = 3; i < args.size(); ++i)
        if (!validLabelName(args[i].str, m_ctx.options.prometheus3))
            throw EvalError{"invalid source label name in label_join(): " + args[i].str, &c};
    Accumulator acc;
    for (auto& s : args[0].matrix) {
        std::string joined;
        for (std::size_t i = 3; i < args.size(); ++i) {
            if (i > 3)
                joined += sep;
            joined += s.labels.get(args[i].str);
        }
        model::LabelsBuilder lb(s.labels);
        lb.set(dst, joined);
        acc.addSeries(lb.labels(), std::move(s.points), false,
                      s.dropName && dst != model::kMetricName);
    }
    return vectorEV(acc.take());
}

// Go's strconv.ParseFloat for `le` values (decimal, exponent, Inf/NaN
// spellings, hex floats, underscores not allowed).
bool parseGoFloat(std::string_view s, double* out) {
    if (s.empty())
        return false;
    std::string_view body = s;
    bool neg = false;
    if (body[0] == '+' || body[0] == '-') {
        neg = body[0] == '-';
        body.remove_prefix(1);
    }
    auto ieq = [](std::string_view a, std::string_view b) {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(a[i])) != b[i])
                return false;
        return true;
    };
    if (ieq(body, "inf") || ieq(body, "infinity")) {
        *out = neg ? -std::numeric_limits<double>::infinity()
                   : std::numeric_limits<double>::infinity();
        return true;
    }
    if (ieq(body, "nan")) {
        *out = kNaN;
        return true;
    }
    std::string tmp(s);
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(tmp.c_str(), &end);
    if (end != tmp.c_str() + tmp.size())
        return false;
    for (char ch : body)
        if (!(std::isxdigit(static_cast<unsigned char>(ch)) || ch == '.' || ch == 'e' ||
              ch == 'E' || ch == 'p' || ch == 'P' || ch == 'x' || ch == 'X' || ch == '+' ||
              ch == '-'))
            return false;
    *out = v;
    return true;
}

EV Evaluator::histogramQuantile(const Call& c, std::vector<EV>& args) {
    warnMalformedLe(args[1].matrix, c.args[1].get());
    std::vector<std::string> groupNames;
    const std::vector<double>& q = args[0].scalar;
    const Matrix& m = args[1].matrix;
    std::vector<std::int64_t> groupOf(m.size(), -1);
    std::vector<double> upper(m.size(), 0);
    std::vector<Labels> groups;
    {
        std::unordered_map<std::uint64_t, std::uint32_t> index;
        const std::vector<std::string> drop = {"le", std::string(model::kMetricName)};
        for (std::size_t i = 0; i < m.size(); ++i) {
            if (!parseGoFloat(m[i].labels.get("le"), &upper[i]))
                continue;
            // Grouped with the metric name, output without it: series of two
            // histograms with equal labels collide, as in Prometheus.
            auto [it, inserted] = index.try_emplace(m[i].labels.without({"le"}).hash(),
                                                    static_cast<std::uint32_t>(groups.size()));
            if (inserted) {
                groups.push_back(m[i].labels.without(drop));
                groupNames.emplace_back(m[i].labels.metricName());
            }
            groupOf[i] = it->second;
        }
    }
    std::vector<std::vector<impl::Bucket>> buckets(groups.size());
    std::vector<std::int64_t> outIdx(groups.size(), -1);
    std::vector<std::uint32_t> touched;
    Accumulator acc;
    StepCursor cursor(m);
    std::vector<std::pair<std::uint32_t, double>> elems;
    for (std::size_t step = 0; step < m_steps; ++step) {
        checkInterrupt();
        const Timestamp ts = stepTs(step);
        cursor.at(ts, elems);
        touched.clear();
        for (const auto& [si, v] : elems) {
            if (groupOf[si] < 0)
                continue;
            const auto g = static_cast<std::size_t>(groupOf[si]);
            if (buckets[g].empty())
                touched.push_back(static_cast<std::uint32_t>(g));
            buckets[g].push_back({upper[si], v});
        }
        for (const std::uint32_t g : touched) {
            bool forced = false;
            const double v = impl::bucketQuantile(q[step], buckets[g], &forced);
            if (forced)
                m_ctx.annotate(
                    false,
                    "input to histogram_quantile needed to be fixed for monotonicity (see "
                    "https://prometheus.io/docs/prometheus/latest/querying/functions/"
                    "#histogram_quantile) for metric name \"" +
                        groupNames[g] + "\"",
                    c.args[1].get());
            buckets[g].clear();
            if (outIdx[g] < 0)
                outIdx[g] = acc.indexFor(groups[g]);
            acc.add(static_cast<std::uint32_t>(outIdx[g]), ts, v);
        }
    }
    return vectorEV(acc.take());
}

Value Evaluator::run(const Expr& e) {
    EV v = eval(e);
    if (v.type == ValueType::kVector && delayedNameRemoval()) {
        bool any = false;
        for (const auto& s : v.matrix)
            any = any || s.dropName;
        if (any) {
            try {
                Accumulator acc;
                for (auto& s : v.matrix)
                    acc.addSeries(s.dropName ? dropName(s.labels) : std::move(s.labels),
                                  std::move(s.points), false);
                v.matrix = acc.take();
            } catch (EvalError& err) {
                err.node = &e;
                throw;
            }
        }
    }
    Value out;
    out.type = v.type;
    const bool instant = m_steps == 1 && m_interval == 1;
    switch (v.type) {
        case ValueType::kScalar:
            if (instant) {
                out.scalar = Scalar{m_start, v.scalar[0]};
            } else {
                out.type = ValueType::kMatrix;
                Series s;
                for (std::size_t i = 0; i < m_steps; ++i)
                    s.points.push_back({stepTs(i), v.scalar[i]});
                out.matrix.push_back(std::move(s));
            }
            break;
        case ValueType::kString:
            if (!instant)
                throw EvalError{
                    "invalid expression type \"string\" for range query, must be Scalar or instant "
                    "Vector",
                    &e};
            out.string = StringValue{m_start, v.str};
            break;
        case ValueType::kVector:
            if (instant) {
                out.vector.reserve(v.matrix.size());
                for (auto& s : v.matrix)
                    out.vector.push_back(VectorSample{std::move(s.labels), m_start, s.points[0].v});
            } else {
                out.type = ValueType::kMatrix;
                out.matrix = std::move(v.matrix);
                std::sort(out.matrix.begin(), out.matrix.end(),
                          [](const Series& a, const Series& b) { return a.labels < b.labels; });
            }
            break;
        case ValueType::kMatrix:
            if (!instant)
                throw EvalError{
                    "invalid expression type \"range vector\" for range query, must be Scalar or "
                    "instant Vector",
                    &e};
            out.matrix = std::move(v.matrix);
            break;
        case ValueType::kNone:
            break;
    }
    return out;
}

}  // namespace

std::string formatAnnotation(const Annotation& a, std::string_view query) {
    std::size_t line = 1, lineStart = 0;
    for (std::size_t i = 0; i < a.pos.start && i < query.size(); ++i)
        if (query[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    return std::string(a.warning ? "PromQL warning: " : "PromQL info: ") + a.text + " (" +
           std::to_string(line) + ":" + std::to_string(a.pos.start - lineStart + 1) + ")";
}

EvalOutcome evaluate(model::Querier& querier, const Expr& expr, model::Timestamp start,
                     model::Timestamp end, std::int64_t stepMs, const EvalOptions& options) {
    EvalOutcome outcome;
    if (stepMs < 0 || end < start || (stepMs == 0 && end != start)) {
        outcome.status = Status::error("invalid query time range or step");
        return outcome;
    }
    Context ctx{querier, options, {}, start, end, stepMs};
    try {
        Evaluator ev(ctx, start, end, stepMs == 0 ? 1 : stepMs);
        outcome.value = ev.run(expr);
    } catch (const EvalError& err) {
        outcome.status = Status::error(err.code, err.message);
        if (err.node) {
            outcome.failedExpr = toString(*err.node);
            outcome.failedPos = err.node->pos;
        }
    }
    outcome.stats = ctx.stats;
    outcome.annotations = std::move(ctx.annotations);
    return outcome;
}

}  // namespace vigil::promql
