#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/matcher.h"

namespace vigil::logql {

// The LogQL syntax tree. Nodes are immutable once the parser hands them out
// and can be shared between threads. Every node renders back to LogQL with
// toString(); parse(toString(e)) yields an equal tree (the canonical form puts
// the range after the pipeline and spells `and` explicitly).

// A literal with units as written, plus its decoded value.
struct NumberLit {
    std::string text;  // "250", "1.5"
    double value = 0;
};
struct DurationLit {
    std::string text;  // "5m", "1h30m"
    std::int64_t nanos = 0;
};

// One alternative of a line filter: a string or ip("...").
struct LineFilterValue {
    bool ip = false;
    std::string value;
};

enum class LineFilterOp { kContains, kNotContains, kRegexp, kNotRegexp, kPattern, kNotPattern };
const char* lineFilterOpString(LineFilterOp op);

// `|= "a" or "b"`: the line must contain one of the alternatives (for the
// negative operators: none of them).
struct LineFilter {
    LineFilterOp op = LineFilterOp::kContains;
    std::vector<LineFilterValue> alternatives;  // at least one
};

enum class LabelCmp { kEq, kNeq, kRe, kNre, kCmpEq, kGtr, kGte, kLss, kLte };
const char* labelCmpString(LabelCmp op);

// A label filter expression: a tree of and/or over comparisons.
struct LabelFilter {
    enum class Kind { kAnd, kOr, kString, kNumber, kDuration, kBytes, kIp };
    Kind kind = Kind::kString;
    // Leaves.
    std::string name;
    LabelCmp op = LabelCmp::kEq;
    std::string text;        // string value / ip() argument / literal as written
    double number = 0;       // kNumber and kBytes (bytes)
    std::int64_t nanos = 0;  // kDuration
    // kAnd / kOr.
    std::shared_ptr<const LabelFilter> left, right;

    std::string toString() const;
};
using LabelFilterPtr = std::shared_ptr<const LabelFilter>;

// `name` or `name="path"` of json/logfmt.
struct ExtractionParam {
    std::string label;
    std::optional<std::string> expression;  // json path / logfmt key; absent = label
};

// `dst=src` (rename) or `dst="{{template}}"`.
struct LabelFormatItem {
    std::string destination;
    std::string source;  // label name or template text
    bool isTemplate = false;
};

// `name` or `name op "value"` of drop/keep.
struct NamedMatcher {
    std::string name;
    std::optional<model::Matcher> matcher;
};

struct Stage {
    enum class Kind {
        kLineFilter,
        kLabelFilter,
        kJson,
        kLogfmt,
        kRegexp,
        kPattern,
        kUnpack,
        kDecolorize,
        kLineFormat,
        kLabelFormat,
        kDrop,
        kKeep,
    };
    Kind kind = Kind::kLineFilter;
    std::vector<LineFilter> lineFilters;        // kLineFilter: one or more chained filters
    LabelFilterPtr labelFilter;                 // kLabelFilter
    std::vector<ExtractionParam> params;        // kJson, kLogfmt
    bool strict = false;                        // kLogfmt --strict
    bool keepEmpty = false;                     // kLogfmt --keep-empty
    std::string text;                           // kRegexp / kPattern / kLineFormat argument
    std::vector<LabelFormatItem> labelFormats;  // kLabelFormat
    std::vector<NamedMatcher> names;            // kDrop / kKeep

    std::string toString() const;
};

// `unwrap [conv(]label[)]` and the label filters that follow it.
struct Unwrap {
    enum class Conversion { kNone, kDuration, kDurationSeconds, kBytes };
    Conversion conversion = Conversion::kNone;
    std::string label;
    std::vector<LabelFilterPtr> postFilters;

    std::string toString() const;
};

// The log part of a query: selector plus pipeline.
struct LogSelector {
    std::vector<model::Matcher> matchers;
    std::vector<Stage> stages;

    std::string toString() const;
};

struct Grouping {
    bool without = false;
    std::vector<std::string> labels;

    std::string toString() const;  // "by (a, b)"
};

struct VectorMatching {
    bool on = false;  // on(...) vs ignoring(...)
    std::vector<std::string> labels;
    enum class Card { kOneToOne, kGroupLeft, kGroupRight };
    Card card = Card::kOneToOne;
    std::vector<std::string> include;  // group_left(...) labels
};

class Expr {
public:
    enum class Kind {
        kLogQuery,
        kRangeAggregation,
        kVectorAggregation,
        kBinary,
        kLiteral,
        kVector,
        kLabelReplace,
        kParen,
    };
    virtual ~Expr() = default;
    virtual Kind kind() const = 0;
    virtual std::string toString() const = 0;
    // True for queries returning log lines (only kLogQuery).
    bool isLogQuery() const { return kind() == Kind::kLogQuery; }
};
using ExprPtr = std::shared_ptr<const Expr>;

class LogQueryExpr final : public Expr {
public:
    explicit LogQueryExpr(LogSelector selector) : selector(std::move(selector)) {}
    Kind kind() const override { return Kind::kLogQuery; }
    std::string toString() const override { return selector.toString(); }

    LogSelector selector;
};

// `op([param,] {sel} | pipeline [| unwrap ...] [range] [offset d]) [by (...)]`.
class RangeAggregationExpr final : public Expr {
public:
    Kind kind() const override { return Kind::kRangeAggregation; }
    std::string toString() const override;

    std::string op;  // "count_over_time", "rate", "quantile_over_time", ...
    std::optional<NumberLit> param;
    LogSelector selector;
    std::optional<Unwrap> unwrap;
    DurationLit range;
    std::optional<DurationLit> offset;
    std::optional<Grouping> grouping;
};

class VectorAggregationExpr final : public Expr {
public:
    Kind kind() const override { return Kind::kVectorAggregation; }
    std::string toString() const override;

    std::string op;  // sum avg min max count stddev stdvar topk bottomk sort sort_desc approx_topk
    std::optional<NumberLit> param;
    std::optional<Grouping> grouping;
    ExprPtr inner;
};

class BinaryExpr final : public Expr {
public:
    Kind kind() const override { return Kind::kBinary; }
    std::string toString() const override;

    std::string op;  // + - * / % ^ == != > >= < <= and or unless
    bool returnBool = false;
    std::optional<VectorMatching> matching;
    ExprPtr lhs, rhs;
};

class LiteralExpr final : public Expr {
public:
    explicit LiteralExpr(NumberLit lit) : value(std::move(lit)) {}
    Kind kind() const override { return Kind::kLiteral; }
    std::string toString() const override { return value.text; }

    NumberLit value;  // text includes a leading sign when written
};

class VectorExpr final : public Expr {
public:
    explicit VectorExpr(NumberLit lit) : value(std::move(lit)) {}
    Kind kind() const override { return Kind::kVector; }
    std::string toString() const override { return "vector(" + value.text + ")"; }

    NumberLit value;
};

class LabelReplaceExpr final : public Expr {
public:
    Kind kind() const override { return Kind::kLabelReplace; }
    std::string toString() const override;

    ExprPtr inner;
    std::string destination, replacement, source, regex;
};

class ParenExpr final : public Expr {
public:
    explicit ParenExpr(ExprPtr inner) : inner(std::move(inner)) {}
    Kind kind() const override { return Kind::kParen; }
    std::string toString() const override { return "(" + inner->toString() + ")"; }

    ExprPtr inner;
};

// Canonical LogQL text of a query; same as expr.toString().
inline std::string toString(const Expr& expr) {
    return expr.toString();
}

}  // namespace vigil::logql
