#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/matcher.h"
#include "core/promql/lexer.h"
#include "core/util/status.h"

// The PromQL syntax tree, shaped like Prometheus's promql/parser/ast.go so
// an evaluator can follow the reference engine node for node.
//
// Ownership: a tree is owned from the root through std::unique_ptr
// (ExprPtr); children belong to their parent. Duration expressions are
// immutable and shared (std::shared_ptr<const DurationExpr>), so clone() is
// cheap for them. Nodes are plain structs; walk them by switching on
// Expr::kind and static_cast to the concrete type (no RTTI needed).
// Thread-safety: a tree is not synchronised; it may be read from several
// threads once built and not mutated.

namespace vigil::promql {

struct Function;

enum class ValueType : std::uint8_t { kNone, kScalar, kVector, kMatrix, kString };

// "scalar", "instant vector", "range vector", "string" (Prometheus's
// DocumentedType, used in type errors).
const char* documentedTypeName(ValueType type);

enum class NodeKind : std::uint8_t {
    kNumberLiteral,
    kStringLiteral,
    kVectorSelector,
    kMatrixSelector,
    kSubquery,
    kParen,
    kUnary,
    kBinary,
    kAggregate,
    kCall,
};

enum class BinaryOp : std::uint8_t {
    kAdd,
    kSub,
    kMul,
    kDiv,
    kMod,
    kPow,
    kAtan2,
    kEqlc,  // ==
    kNeq,
    kLte,
    kLss,
    kGte,
    kGtr,
    kAnd,
    kOr,
    kUnless,
};
const char* binaryOpName(BinaryOp op);  // "+", "==", "and", "atan2"
bool isComparisonOp(BinaryOp op);
bool isSetOp(BinaryOp op);

enum class AggregateOp : std::uint8_t {
    kSum,
    kAvg,
    kCount,
    kMin,
    kMax,
    kGroup,
    kStddev,
    kStdvar,
    kTopk,
    kBottomk,
    kCountValues,
    kQuantile,
    kLimitk,
    kLimitRatio,
};
const char* aggregateOpName(AggregateOp op);  // lower case: "sum", "count_values"
std::optional<AggregateOp> aggregateOpFromName(std::string_view name);  // case-insensitive
bool aggregateTakesParam(AggregateOp op);  // topk, bottomk, quantile, count_values, limit*

// A duration written as an expression (newer Prometheus, "duration
// expressions"): `[5m+1m]`, `offset (2*1m)`, `[step()*2]`. Numbers are
// seconds. Immutable once built.
struct DurationExpr {
    enum class Op : std::uint8_t {
        kLiteral,  // `value` seconds; `isDuration` when written as 5m rather than 300
        kStep,     // step() of the query (0 for instant queries)
        kRange,    // range() of the query: end - start
        kMinOf,    // min_of(lhs, rhs)
        kMaxOf,
        kParen,  // (lhs)
        kNeg,    // -lhs
        kPlus,   // +lhs
        kAdd,
        kSub,
        kMul,
        kDiv,
        kMod,
        kPow,
    };
    Op op = Op::kLiteral;
    double value = 0;
    bool isDuration = false;
    std::shared_ptr<const DurationExpr> lhs;
    std::shared_ptr<const DurationExpr> rhs;
    PosRange pos;

    // True when step() or range() occurs, so the value is only known per query.
    bool dependsOnQuery() const;
    // The value in milliseconds for a query with this step and range.
    // Errors: division by zero, non-finite or out-of-range results.
    Result<std::int64_t> evaluate(std::int64_t stepMs, std::int64_t rangeMs) const;
};
using DurationExprPtr = std::shared_ptr<const DurationExpr>;
std::string toString(const DurationExpr& expr);

// A duration field (offset, range, subquery step). `ms` is the value when
// it is constant; when `expr` is set and expr->dependsOnQuery(), `ms` is 0 and
// the evaluator must call expr->evaluate() for each query. `expr` is kept for
// any expression form, so toString() prints what the user wrote.
struct DurationValue {
    std::int64_t ms = 0;
    DurationExprPtr expr;
    bool isResolved() const { return !expr || !expr->dependsOnQuery(); }
};

// `@` modifier.
enum class AtKind : std::uint8_t { kNone, kTimestamp, kStart, kEnd };

// The time modifiers shared by vector selectors and subqueries.
struct TimeModifiers {
    bool hasOffset = false;
    DurationValue offset;  // positive looks back; may be negative
    AtKind at = AtKind::kNone;
    std::int64_t atMs = 0;  // AtKind::kTimestamp only
};

struct Expr {
    const NodeKind kind;
    PosRange pos;

    virtual ~Expr() = default;
    Expr(const Expr&) = delete;
    Expr& operator=(const Expr&) = delete;

    // The type the expression evaluates to.
    ValueType type() const;

protected:
    explicit Expr(NodeKind k) : kind(k) {}
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral final : Expr {
    NumberLiteral() : Expr(NodeKind::kNumberLiteral) {}
    double value = 0;
    bool isDuration = false;  // written as `5m` (value in seconds); printed back that way
};

struct StringLiteral final : Expr {
    StringLiteral() : Expr(NodeKind::kStringLiteral) {}
    std::string value;  // unquoted
};

struct VectorSelector final : Expr {
    VectorSelector() : Expr(NodeKind::kVectorSelector) {}
    std::string name;  // empty when only given as a matcher inside braces
    // All matchers; when `name` was written outside the braces its
    // __name__="name" matcher is the last element (as in Prometheus).
    std::vector<model::Matcher> matchers;
    TimeModifiers modifiers;
    // Newer range-selector modifiers (`[5m] anchored`, `x smoothed`).
    bool anchored = false;
    bool smoothed = false;
};

struct MatrixSelector final : Expr {
    MatrixSelector() : Expr(NodeKind::kMatrixSelector) {}
    // Offset, @, anchored and smoothed live in the vector selector, as in
    // Prometheus. Never null.
    std::unique_ptr<VectorSelector> selector;
    DurationValue range;
};

struct SubqueryExpr final : Expr {
    SubqueryExpr() : Expr(NodeKind::kSubquery) {}
    ExprPtr expr;
    DurationValue range;
    DurationValue step;  // ms == 0 and no expr: the engine's default step
    TimeModifiers modifiers;
};

struct ParenExpr final : Expr {
    ParenExpr() : Expr(NodeKind::kParen) {}
    ExprPtr expr;
};

struct UnaryExpr final : Expr {
    UnaryExpr() : Expr(NodeKind::kUnary) {}
    bool negate = true;  // false for unary plus
    ExprPtr expr;
};

enum class Cardinality : std::uint8_t { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

struct VectorMatching {
    Cardinality card = Cardinality::kOneToOne;
    bool on = false;                          // on(...) rather than ignoring(...)
    std::vector<std::string> matchingLabels;  // the on/ignoring list
    std::vector<std::string> include;         // group_left/right(...) labels
    // Newer fill modifiers: value used for a missing side.
    std::optional<double> fillLeft;
    std::optional<double> fillRight;
};

struct BinaryExpr final : Expr {
    BinaryExpr() : Expr(NodeKind::kBinary) {}
    BinaryOp op = BinaryOp::kAdd;
    ExprPtr lhs;
    ExprPtr rhs;
    bool returnBool = false;
    // Set only when both sides are instant vectors (as in Prometheus); set
    // operators always have card kManyToMany.
    std::optional<VectorMatching> matching;
};

struct AggregateExpr final : Expr {
    AggregateExpr() : Expr(NodeKind::kAggregate) {}
    AggregateOp op = AggregateOp::kSum;
    ExprPtr expr;
    ExprPtr param;  // topk/bottomk/quantile/limitk/limit_ratio: scalar; count_values: string
    std::vector<std::string> grouping;
    bool without = false;
};

struct Call final : Expr {
    Call() : Expr(NodeKind::kCall) {}
    const Function* func = nullptr;  // static table entry, never null in a parsed tree
    std::vector<ExprPtr> args;
};

// Renders an expression the way Prometheus's String() does, e.g.
// `sum by (job) (rate(foo{a="b"}[5m] offset 1m))`. The output re-parses to
// an equal tree. Deliberate difference: group_left/group_right are kept even
// with an empty ignoring() (Prometheus drops them, which changes meaning).
std::string toString(const Expr& expr);

// Go's fmt.Sprint of a float64: `1`, `0.5`, `1e+06`, `+Inf`, `NaN`.
std::string formatNumber(double value);

// Deep copy.
ExprPtr clone(const Expr& expr);

}  // namespace vigil::promql
