#include "core/promql/select_range.h"

#include <algorithm>
#include <limits>

#include "core/promql/functions.h"

namespace vigil::promql {

namespace {

using model::Timestamp;

// Saturating arithmetic: @ timestamps and offsets come from the query text.
Timestamp sub(Timestamp a, std::int64_t b) {
    if (b > 0 && a < std::numeric_limits<Timestamp>::min() + b)
        return std::numeric_limits<Timestamp>::min();
    if (b < 0 && a > std::numeric_limits<Timestamp>::max() + b)
        return std::numeric_limits<Timestamp>::max();
    return a - b;
}

class RangeFinder {
public:
    RangeFinder(Timestamp start, Timestamp end, std::int64_t stepMs, std::int64_t lookbackMs)
        : m_start(start), m_end(end), m_stepMs(stepMs), m_lookbackMs(lookbackMs) {}

    // False when a duration could not be resolved (then the range is unknown).
    bool visit(const Expr& e, Timestamp s, Timestamp t) {
        switch (e.kind) {
            case NodeKind::kNumberLiteral:
            case NodeKind::kStringLiteral:
                return true;
            case NodeKind::kParen:
                return visit(*static_cast<const ParenExpr&>(e).expr, s, t);
            case NodeKind::kUnary:
                return visit(*static_cast<const UnaryExpr&>(e).expr, s, t);
            case NodeKind::kBinary: {
                const auto& b = static_cast<const BinaryExpr&>(e);
                return visit(*b.lhs, s, t) && visit(*b.rhs, s, t);
            }
            case NodeKind::kAggregate: {
                const auto& a = static_cast<const AggregateExpr&>(e);
                return (!a.param || visit(*a.param, s, t)) && visit(*a.expr, s, t);
            }
            case NodeKind::kCall: {
                const auto& c = static_cast<const Call&>(e);
                // info() selects its own info series (target_info) with the
                // lookback at the evaluation times.
                if (c.func->name == "info")
                    add(sub(s, m_lookbackMs), t);
                for (const auto& arg : c.args)
                    if (!visit(*arg, s, t))
                        return false;
                return true;
            }
            case NodeKind::kVectorSelector: {
                const auto& vs = static_cast<const VectorSelector&>(e);
                Timestamp rs = 0, re = 0;
                if (!refs(vs.modifiers, s, t, &rs, &re))
                    return false;
                add(sub(rs, m_lookbackMs), vs.smoothed ? sub(re, -m_lookbackMs) : re);
                return true;
            }
            case NodeKind::kMatrixSelector: {
                const auto& ms = static_cast<const MatrixSelector&>(e);
                const VectorSelector& vs = *ms.selector;
                Timestamp rs = 0, re = 0;
                std::int64_t range = 0;
                if (!refs(vs.modifiers, s, t, &rs, &re) || !resolve(ms.range, &range))
                    return false;
                Timestamp lo = sub(rs, range);
                if (vs.anchored || vs.smoothed)
                    lo = sub(lo, m_lookbackMs);
                add(lo, vs.smoothed ? sub(re, -m_lookbackMs) : re);
                return true;
            }
            case NodeKind::kSubquery: {
                const auto& sq = static_cast<const SubqueryExpr&>(e);
                Timestamp rs = 0, re = 0;
                std::int64_t range = 0;
                if (!refs(sq.modifiers, s, t, &rs, &re) || !resolve(sq.range, &range))
                    return false;
                return visit(*sq.expr, sub(rs, range), re);
            }
        }
        return false;
    }

    bool any() const { return m_any; }
    Timestamp mint() const { return m_mint; }
    Timestamp maxt() const { return m_maxt; }

private:
    bool resolve(const DurationValue& d, std::int64_t* ms) const {
        if (d.isResolved()) {
            *ms = d.ms;
            return true;
        }
        auto r = d.expr->evaluate(m_stepMs, m_end - m_start);
        if (!r)
            return false;
        *ms = *r;
        return true;
    }

    // The evaluation-time interval [s, t] as seen through @ and offset.
    bool refs(const TimeModifiers& m, Timestamp s, Timestamp t, Timestamp* rs, Timestamp* re) {
        std::int64_t offset = 0;
        if (m.hasOffset && !resolve(m.offset, &offset))
            return false;
        switch (m.at) {
            case AtKind::kNone:
                break;
            case AtKind::kTimestamp:
                s = t = m.atMs;
                break;
            case AtKind::kStart:
                s = t = m_start;
                break;
            case AtKind::kEnd:
                s = t = m_end;
                break;
        }
        *rs = sub(s, offset);
        *re = sub(t, offset);
        return true;
    }

    void add(Timestamp lo, Timestamp hi) {
        if (!m_any) {
            m_mint = lo;
            m_maxt = hi;
            m_any = true;
            return;
        }
        m_mint = std::min(m_mint, lo);
        m_maxt = std::max(m_maxt, hi);
    }

    const Timestamp m_start, m_end;
    const std::int64_t m_stepMs, m_lookbackMs;
    bool m_any = false;
    Timestamp m_mint = 0, m_maxt = 0;
};

}  // namespace

DataRange queryDataRange(const Expr& expr, model::Timestamp start, model::Timestamp end,
                         std::int64_t stepMs, std::int64_t lookbackMs) {
    RangeFinder finder(start, end, stepMs, lookbackMs);
    if (!finder.visit(expr, start, end))
        return DataRange{};
    if (!finder.any())
        return DataRange{start, end};
    return DataRange{finder.mint(), finder.maxt()};
}

}  // namespace vigil::promql
