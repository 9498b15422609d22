#include "core/promql/ast.h"
#include "core/util/go_quote.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/promql/functions.h"
#include "core/util/human_units.h"

namespace vigil::promql {

const char* documentedTypeName(ValueType type) {
    switch (type) {
        case ValueType::kScalar:
            return "scalar";
        case ValueType::kVector:
            return "instant vector";
        case ValueType::kMatrix:
            return "range vector";
        case ValueType::kString:
            return "string";
        case ValueType::kNone:
            break;
    }
    return "none";
}

const char* binaryOpName(BinaryOp op) {
    switch (op) {
        case BinaryOp::kAdd:
            return "+";
        case BinaryOp::kSub:
            return "-";
        case BinaryOp::kMul:
            return "*";
        case BinaryOp::kDiv:
            return "/";
        case BinaryOp::kMod:
            return "%";
        case BinaryOp::kPow:
            return "^";
        case BinaryOp::kAtan2:
            return "atan2";
        case BinaryOp::kEqlc:
            return "==";
        case BinaryOp::kNeq:
            return "!=";
        case BinaryOp::kLte:
            return "<=";
        case BinaryOp::kLss:
            return "<";
        case BinaryOp::kGte:
            return ">=";
        case BinaryOp::kGtr:
            return ">";
        case BinaryOp::kAnd:
            return "and";
        case BinaryOp::kOr:
            return "or";
        case BinaryOp::kUnless:
            return "unless";
    }
    return "?";
}

bool isComparisonOp(BinaryOp op) {
    return op == BinaryOp::kEqlc || op == BinaryOp::kNeq || op == BinaryOp::kLte ||
           op == BinaryOp::kLss || op == BinaryOp::kGte || op == BinaryOp::kGtr;
}

bool isSetOp(BinaryOp op) {
    return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless;
}

namespace {
struct AggregateName {
    AggregateOp op;
    const char* name;
};
constexpr AggregateName kAggregateNames[] = {
    {AggregateOp::kSum, "sum"},
    {AggregateOp::kAvg, "avg"},
    {AggregateOp::kCount, "count"},
    {AggregateOp::kMin, "min"},
    {AggregateOp::kMax, "max"},
    {AggregateOp::kGroup, "group"},
    {AggregateOp::kStddev, "stddev"},
    {AggregateOp::kStdvar, "stdvar"},
    {AggregateOp::kTopk, "topk"},
    {AggregateOp::kBottomk, "bottomk"},
    {AggregateOp::kCountValues, "count_values"},
    {AggregateOp::kQuantile, "quantile"},
    {AggregateOp::kLimitk, "limitk"},
    {AggregateOp::kLimitRatio, "limit_ratio"},
};
}  // namespace

const char* aggregateOpName(AggregateOp op) {
    for (const auto& a : kAggregateNames)
        if (a.op == op)
            return a.name;
    return "?";
}

std::optional<AggregateOp> aggregateOpFromName(std::string_view name) {
    for (const auto& a : kAggregateNames) {
        const std::size_t n = std::strlen(a.name);
        if (n != name.size())
            continue;
        bool same = true;
        for (std::size_t i = 0; i < n && same; ++i) {
            char c = name[i];
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
            same = c == a.name[i];
        }
        if (same)
            return a.op;
    }
    return std::nullopt;
}

bool aggregateTakesParam(AggregateOp op) {
    return op == AggregateOp::kTopk || op == AggregateOp::kBottomk ||
           op == AggregateOp::kQuantile || op == AggregateOp::kCountValues ||
           op == AggregateOp::kLimitk || op == AggregateOp::kLimitRatio;
}

// ---- Duration expressions -------------------------------------------------

bool DurationExpr::dependsOnQuery() const {
    if (op == Op::kStep || op == Op::kRange)
        return true;
    return (lhs && lhs->dependsOnQuery()) || (rhs && rhs->dependsOnQuery());
}

namespace {

// Evaluates in seconds, as Prometheus does, and converts at the end.
Result<double> evalSeconds(const DurationExpr& e, std::int64_t stepMs, std::int64_t rangeMs) {
    using Op = DurationExpr::Op;
    switch (e.op) {
        case Op::kLiteral:
            return e.value;
        case Op::kStep:
            return static_cast<double>(stepMs) / 1000.0;
        case Op::kRange:
            return static_cast<double>(rangeMs) / 1000.0;
        default:
            break;
    }
    auto l = evalSeconds(*e.lhs, stepMs, rangeMs);
    if (!l.isOk())
        return l;
    if (e.op == Op::kParen || e.op == Op::kPlus)
        return l;
    if (e.op == Op::kNeg)
        return -*l;
    auto r = evalSeconds(*e.rhs, stepMs, rangeMs);
    if (!r.isOk())
        return r;
    const double a = *l;
    const double b = *r;
    switch (e.op) {
        case Op::kMinOf:
            return std::min(a, b);
        case Op::kMaxOf:
            return std::max(a, b);
        case Op::kAdd:
            return a + b;
        case Op::kSub:
            return a - b;
        case Op::kMul:
            return a * b;
        case Op::kDiv:
            if (b == 0)
                return Status::error("division by zero in duration expression " + toString(e));
            return a / b;
        case Op::kMod:
            if (b == 0)
                return Status::error("modulo by zero in duration expression " + toString(e));
            return std::fmod(a, b);
        case Op::kPow:
            return std::pow(a, b);
        default:
            break;
    }
    return Status::error("invalid duration expression");
}

}  // namespace

Result<std::int64_t> DurationExpr::evaluate(std::int64_t stepMs, std::int64_t rangeMs) const {
    auto seconds = evalSeconds(*this, stepMs, rangeMs);
    if (!seconds.isOk())
        return seconds.status();
    const double ms = std::round(*seconds * 1000.0);
    if (!std::isfinite(ms) || std::fabs(ms) > 9.2e15)
        return Status::error("duration out of range: " + toString(*this));
    return static_cast<std::int64_t>(ms);
}

std::string toString(const DurationExpr& e) {
    using Op = DurationExpr::Op;
    switch (e.op) {
        case Op::kLiteral:
            if (e.isDuration) {
                return formatDuration(std::chrono::milliseconds(
                    static_cast<std::int64_t>(std::llround(e.value * 1000))));
            }
            return formatNumber(e.value);
        case Op::kStep:
            return "step()";
        case Op::kRange:
            return "range()";
        case Op::kMinOf:
            return "min_of(" + toString(*e.lhs) + ", " + toString(*e.rhs) + ")";
        case Op::kMaxOf:
            return "max_of(" + toString(*e.lhs) + ", " + toString(*e.rhs) + ")";
        case Op::kParen:
            return "(" + toString(*e.lhs) + ")";
        case Op::kNeg:
            return "-" + toString(*e.lhs);
        case Op::kPlus:
            return "+" + toString(*e.lhs);
        case Op::kAdd:
            return toString(*e.lhs) + " + " + toString(*e.rhs);
        case Op::kSub:
            return toString(*e.lhs) + " - " + toString(*e.rhs);
        case Op::kMul:
            return toString(*e.lhs) + " * " + toString(*e.rhs);
        case Op::kDiv:
            return toString(*e.lhs) + " / " + toString(*e.rhs);
        case Op::kMod:
            return toString(*e.lhs) + " % " + toString(*e.rhs);
        case Op::kPow:
            return toString(*e.lhs) + " ^ " + toString(*e.rhs);
    }
    return "?";
}

// ---- Types ----------------------------------------------------------------

ValueType Expr::type() const {
    switch (kind) {
        case NodeKind::kNumberLiteral:
            return ValueType::kScalar;
        case NodeKind::kStringLiteral:
            return ValueType::kString;
        case NodeKind::kVectorSelector:
        case NodeKind::kAggregate:
            return ValueType::kVector;
        case NodeKind::kMatrixSelector:
        case NodeKind::kSubquery:
            return ValueType::kMatrix;
        case NodeKind::kParen:
            return static_cast<const ParenExpr*>(this)->expr->type();
        case NodeKind::kUnary:
            return static_cast<const UnaryExpr*>(this)->expr->type();
        case NodeKind::kBinary: {
            const auto* b = static_cast<const BinaryExpr*>(this);
            if (b->lhs->type() == ValueType::kScalar && b->rhs->type() == ValueType::kScalar)
                return ValueType::kScalar;
            return ValueType::kVector;
        }
        case NodeKind::kCall:
            return static_cast<const Call*>(this)->func->returnType;
    }
    return ValueType::kNone;
}

// ---- Printing -------------------------------------------------------------

std::string formatNumber(double value) {
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    // Go's %v is 'g' with the shortest round-tripping digits; it switches to
    // the exponent form when the decimal exponent is < -4 or >= 6 (1e+06).
    char sci[64];
    auto r = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific);
    *r.ptr = '\0';
    const char* e = std::strchr(sci, 'e');
    const int exponent = e ? std::atoi(e + 1) : 0;
    if (exponent < -4 || exponent >= 6) {
        // to_chars writes e+06 / e-05 style exponents already, like Go.
        return std::string(sci, r.ptr);
    }
    char fixed[400];
    auto f = std::to_chars(fixed, fixed + sizeof fixed, value, std::chars_format::fixed);
    return std::string(fixed, f.ptr);
}

namespace {

std::string durationString(const DurationValue& d) {
    if (d.expr)
        return toString(*d.expr);
    return formatDuration(std::chrono::milliseconds(d.ms));
}

std::string modifiersString(const TimeModifiers& m) {
    std::string out;
    switch (m.at) {
        case AtKind::kTimestamp: {
            char buf[64];
            std::snprintf(buf, sizeof buf, " @ %.3f", static_cast<double>(m.atMs) / 1000.0);
            out += buf;
            break;
        }
        case AtKind::kStart:
            out += " @ start()";
            break;
        case AtKind::kEnd:
            out += " @ end()";
            break;
        case AtKind::kNone:
            break;
    }
    if (m.hasOffset) {
        if (m.offset.expr)
            out += " offset " + toString(*m.offset.expr);
        else if (m.offset.ms != 0)
            out += " offset " + formatDuration(std::chrono::milliseconds(m.offset.ms));
    }
    return out;
}

bool isLegacyName(std::string_view s, bool colons) {
    if (s.empty())
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (colons && c == ':') || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

// Label names that are not plain identifiers are written quoted (newer
// Prometheus UTF-8 names), so the output re-parses.
std::string labelName(const std::string& name) {
    return isLegacyName(name, false) ? name : vigil::goQuote(name);
}

std::string joinLabels(const std::vector<std::string>& labels) {
    std::string out;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += labelName(labels[i]);
    }
    return out;
}

// The selector without its time modifiers: `name{a="b"}`.
std::string selectorBody(const VectorSelector& vs) {
    std::vector<std::string> parts;
    for (const auto& m : vs.matchers) {
        if (m.name() == "__name__" && m.type() == model::MatchType::kEqual &&
            m.value() == vs.name && !vs.name.empty()) {
            continue;
        }
        parts.push_back(labelName(m.name()) + model::matchTypeToString(m.type()) +
                        vigil::goQuote(m.value()));
    }
    std::sort(parts.begin(), parts.end());
    if (!vs.name.empty() && !isLegacyName(vs.name, true)) {
        std::string out = "{" + vigil::goQuote(vs.name);
        for (const auto& p : parts)
            out += ", " + p;
        return out + "}";
    }
    std::string out = vs.name;
    if (!parts.empty()) {
        out += "{";
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (i > 0)
                out += ",";
            out += parts[i];
        }
        out += "}";
    }
    return out;
}

std::string rangeModifiers(const VectorSelector& vs) {
    std::string out;
    if (vs.anchored)
        out += " anchored";
    if (vs.smoothed)
        out += " smoothed";
    return out;
}

void print(const Expr& expr, std::string* out);

std::string printed(const Expr& expr) {
    std::string s;
    print(expr, &s);
    return s;
}

void print(const Expr& expr, std::string* out) {
    switch (expr.kind) {
        case NodeKind::kNumberLiteral: {
            const auto& n = static_cast<const NumberLiteral&>(expr);
            if (n.isDuration && std::isfinite(n.value)) {
                *out += formatDuration(std::chrono::milliseconds(
                    static_cast<std::int64_t>(std::llround(n.value * 1000))));
            } else {
                *out += formatNumber(n.value);
            }
            return;
        }
        case NodeKind::kStringLiteral:
            *out += vigil::goQuote(static_cast<const StringLiteral&>(expr).value);
            return;
        case NodeKind::kVectorSelector: {
            const auto& vs = static_cast<const VectorSelector&>(expr);
            *out += selectorBody(vs);
            *out += rangeModifiers(vs);
            *out += modifiersString(vs.modifiers);
            return;
        }
        case NodeKind::kMatrixSelector: {
            const auto& ms = static_cast<const MatrixSelector&>(expr);
            *out += selectorBody(*ms.selector);
            *out += "[" + durationString(ms.range) + "]";
            *out += rangeModifiers(*ms.selector);
            *out += modifiersString(ms.selector->modifiers);
            return;
        }
        case NodeKind::kSubquery: {
            const auto& sq = static_cast<const SubqueryExpr&>(expr);
            print(*sq.expr, out);
            *out += "[" + durationString(sq.range) + ":";
            if (sq.step.expr || sq.step.ms != 0)
                *out += durationString(sq.step);
            *out += "]";
            *out += modifiersString(sq.modifiers);
            return;
        }
        case NodeKind::kParen:
            *out += "(";
            print(*static_cast<const ParenExpr&>(expr).expr, out);
            *out += ")";
            return;
        case NodeKind::kUnary: {
            const auto& u = static_cast<const UnaryExpr&>(expr);
            *out += u.negate ? "-" : "+";
            print(*u.expr, out);
            return;
        }
        case NodeKind::kBinary: {
            const auto& b = static_cast<const BinaryExpr&>(expr);
            print(*b.lhs, out);
            *out += " ";
            *out += binaryOpName(b.op);
            if (b.returnBool)
                *out += " bool";
            if (b.matching) {
                const VectorMatching& vm = *b.matching;
                const bool grouped =
                    vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany;
                if (!vm.matchingLabels.empty() || vm.on || grouped) {
                    *out += vm.on ? " on (" : " ignoring (";
                    *out += joinLabels(vm.matchingLabels) + ")";
                    if (grouped) {
                        *out +=
                            vm.card == Cardinality::kManyToOne ? " group_left (" : " group_right (";
                        *out += joinLabels(vm.include) + ")";
                    }
                }
                if (vm.fillLeft && vm.fillRight &&
                    (*vm.fillLeft == *vm.fillRight ||
                     (std::isnan(*vm.fillLeft) && std::isnan(*vm.fillRight)))) {
                    *out += " fill(" + formatNumber(*vm.fillLeft) + ")";
                } else {
                    if (vm.fillLeft)
                        *out += " fill_left(" + formatNumber(*vm.fillLeft) + ")";
                    if (vm.fillRight)
                        *out += " fill_right(" + formatNumber(*vm.fillRight) + ")";
                }
            }
            *out += " ";
            print(*b.rhs, out);
            return;
        }
        case NodeKind::kAggregate: {
            const auto& a = static_cast<const AggregateExpr&>(expr);
            *out += aggregateOpName(a.op);
            if (a.without)
                *out += " without (" + joinLabels(a.grouping) + ") ";
            else if (!a.grouping.empty())
                *out += " by (" + joinLabels(a.grouping) + ") ";
            *out += "(";
            if (a.param) {
                print(*a.param, out);
                *out += ", ";
            }
            print(*a.expr, out);
            *out += ")";
            return;
        }
        case NodeKind::kCall: {
            const auto& c = static_cast<const Call&>(expr);
            *out += c.func->name;
            *out += "(";
            for (std::size_t i = 0; i < c.args.size(); ++i) {
                if (i > 0)
                    *out += ", ";
                print(*c.args[i], out);
            }
            *out += ")";
            return;
        }
    }
}

}  // namespace

std::string toString(const Expr& expr) {
    return printed(expr);
}

// ---- Cloning --------------------------------------------------------------

namespace {

std::unique_ptr<VectorSelector> cloneSelector(const VectorSelector& vs) {
    auto out = std::make_unique<VectorSelector>();
    out->pos = vs.pos;
    out->name = vs.name;
    out->matchers = vs.matchers;
    out->modifiers = vs.modifiers;
    out->anchored = vs.anchored;
    out->smoothed = vs.smoothed;
    return out;
}

}  // namespace

ExprPtr clone(const Expr& expr) {
    switch (expr.kind) {
        case NodeKind::kNumberLiteral: {
            const auto& n = static_cast<const NumberLiteral&>(expr);
            auto out = std::make_unique<NumberLiteral>();
            out->pos = n.pos;
            out->value = n.value;
            out->isDuration = n.isDuration;
            return out;
        }
        case NodeKind::kStringLiteral: {
            auto out = std::make_unique<StringLiteral>();
            out->pos = expr.pos;
            out->value = static_cast<const StringLiteral&>(expr).value;
            return out;
        }
        case NodeKind::kVectorSelector:
            return cloneSelector(static_cast<const VectorSelector&>(expr));
        case NodeKind::kMatrixSelector: {
            const auto& m = static_cast<const MatrixSelector&>(expr);
            auto out = std::make_unique<MatrixSelector>();
            out->pos = m.pos;
            out->selector = cloneSelector(*m.selector);
            out->range = m.range;
            return out;
        }
        case NodeKind::kSubquery: {
            const auto& s = static_cast<const SubqueryExpr&>(expr);
            auto out = std::make_unique<SubqueryExpr>();
            out->pos = s.pos;
            out->expr = clone(*s.expr);
            out->range = s.range;
            out->step = s.step;
            out->modifiers = s.modifiers;
            return out;
        }
        case NodeKind::kParen: {
            auto out = std::make_unique<ParenExpr>();
            out->pos = expr.pos;
            out->expr = clone(*static_cast<const ParenExpr&>(expr).expr);
            return out;
        }
        case NodeKind::kUnary: {
            const auto& u = static_cast<const UnaryExpr&>(expr);
            auto out = std::make_unique<UnaryExpr>();
            out->pos = u.pos;
            out->negate = u.negate;
            out->expr = clone(*u.expr);
            return out;
        }
        case NodeKind::kBinary: {
            const auto& b = static_cast<const BinaryExpr&>(expr);
            auto out = std::make_unique<BinaryExpr>();
            out->pos = b.pos;
            out->op = b.op;
            out->lhs = clone(*b.lhs);
            out->rhs = clone(*b.rhs);
            out->returnBool = b.returnBool;
            out->matching = b.matching;
            return out;
        }
        case NodeKind::kAggregate: {
            const auto& a = static_cast<const AggregateExpr&>(expr);
            auto out = std::make_unique<AggregateExpr>();
            out->pos = a.pos;
            out->op = a.op;
            out->expr = clone(*a.expr);
            if (a.param)
                out->param = clone(*a.param);
            out->grouping = a.grouping;
            out->without = a.without;
            return out;
        }
        case NodeKind::kCall: {
            const auto& c = static_cast<const Call&>(expr);
            auto out = std::make_unique<Call>();
            out->pos = c.pos;
            out->func = c.func;
            for (const auto& arg : c.args)
                out->args.push_back(clone(*arg));
            return out;
        }
    }
    return nullptr;
}

}  // namespace vigil::promql
