#include "core/promql/parser.h"
#include "core/util/go_quote.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/promql/functions.h"
#include "core/util/human_units.h"

// A hand-written recursive-descent parser with precedence climbing for
// binary operators. It follows Prometheus's yacc grammar
// (promql/parser/generated_parser.y) and the checks of its checkAST(), so
// precedence, accepted syntax and error messages match the reference:
//
//   lowest   or
//            and unless
//            == != <= < >= >
//            + -
//            * / % atan2
//            unary + -        (operand binds only ^, so -2^2 == -(2^2))
//   highest  ^                (right-associative)
//
// Range brackets, subqueries, `offset`, `@`, `anchored` and `smoothed` are
// postfix and bind tighter than any operator, to the primary expression just
// before them.
//
// Errors come in two phases, as in Prometheus: syntax errors and the checks
// Prometheus makes in grammar actions (placement of offset/@/ranges, argument
// counts of aggregations, unknown functions, bad literals) stop the parse;
// type checks (checkAST) run on the finished tree. Only the first error is
// reported. Deliberate differences from 2.42: newer syntax is accepted (see
// parser.h); an unexpected ')' or ']' is reported at the character rather
// than after it; bad regular expressions carry RE2's message.

namespace vigil::promql {
namespace {

constexpr int kPrecOr = 1;
constexpr int kPrecAnd = 2;
constexpr int kPrecCmp = 3;
constexpr int kPrecAdd = 4;
constexpr int kPrecMul = 5;
constexpr int kPrecPow = 6;

bool isWordToken(const Token& t) {
    return t.kind == TokenKind::kIdentifier || t.kind == TokenKind::kMetricIdentifier;
}

// Words that can never be a metric name. Prometheus accepts the other
// keywords (`by`, `offset`, `and`, `sum`, ...) as metric names where an
// expression is expected.
bool isReservedWord(const Token& t) {
    static constexpr std::string_view kWords[] = {"atan2",      "on",          "ignoring",
                                                  "group_left", "group_right", "bool"};
    for (auto w : kWords)
        if (isKeyword(t, w))
            return true;
    return false;
}

// Whether `t` can begin an expression (for Prometheus's "trailing commas"
// and "in aggregation" messages).
bool canStartExpr(const Token& t) {
    switch (t.kind) {
        case TokenKind::kNumber:
        case TokenKind::kDuration:
        case TokenKind::kString:
        case TokenKind::kLeftParen:
        case TokenKind::kLeftBrace:
        case TokenKind::kAdd:
        case TokenKind::kSub:
        case TokenKind::kMetricIdentifier:
            return true;
        case TokenKind::kIdentifier:
            return !isReservedWord(t);
        default:
            return false;
    }
}

std::optional<BinaryOp> binaryOpOf(const Token& t) {
    switch (t.kind) {
        case TokenKind::kAdd:
            return BinaryOp::kAdd;
        case TokenKind::kSub:
            return BinaryOp::kSub;
        case TokenKind::kMul:
            return BinaryOp::kMul;
        case TokenKind::kDiv:
            return BinaryOp::kDiv;
        case TokenKind::kMod:
            return BinaryOp::kMod;
        case TokenKind::kPow:
            return BinaryOp::kPow;
        case TokenKind::kEqlc:
            return BinaryOp::kEqlc;
        case TokenKind::kNeq:
            return BinaryOp::kNeq;
        case TokenKind::kLte:
            return BinaryOp::kLte;
        case TokenKind::kLss:
            return BinaryOp::kLss;
        case TokenKind::kGte:
            return BinaryOp::kGte;
        case TokenKind::kGtr:
            return BinaryOp::kGtr;
        case TokenKind::kIdentifier:
            if (isKeyword(t, "and"))
                return BinaryOp::kAnd;
            if (isKeyword(t, "or"))
                return BinaryOp::kOr;
            if (isKeyword(t, "unless"))
                return BinaryOp::kUnless;
            if (isKeyword(t, "atan2"))
                return BinaryOp::kAtan2;
            return std::nullopt;
        default:
            return std::nullopt;
    }
}

int precedence(BinaryOp op) {
    switch (op) {
        case BinaryOp::kOr:
            return kPrecOr;
        case BinaryOp::kAnd:
        case BinaryOp::kUnless:
            return kPrecAnd;
        case BinaryOp::kEqlc:
        case BinaryOp::kNeq:
        case BinaryOp::kLte:
        case BinaryOp::kLss:
        case BinaryOp::kGte:
        case BinaryOp::kGtr:
            return kPrecCmp;
        case BinaryOp::kAdd:
        case BinaryOp::kSub:
            return kPrecAdd;
        case BinaryOp::kMul:
        case BinaryOp::kDiv:
        case BinaryOp::kMod:
        case BinaryOp::kAtan2:
            return kPrecMul;
        case BinaryOp::kPow:
            return kPrecPow;
    }
    return 0;
}

// Prometheus's ValueType.String(), used in the subquery type error.
const char* valueTypeWord(ValueType t) {
    switch (t) {
        case ValueType::kScalar:
            return "scalar";
        case ValueType::kVector:
            return "vector";
        case ValueType::kMatrix:
            return "matrix";
        case ValueType::kString:
            return "string";
        case ValueType::kNone:
            break;
    }
    return "none";
}

std::string quoted(std::string_view s) {
    return vigil::goQuote(s);
}

class Parser {
public:
    explicit Parser(std::string_view input) : m_in(input), m_tokens(lex(input)) {}

    ExprPtr parseQuery(ParseError* error) {
        ExprPtr result;
        if (peek().kind == TokenKind::kEof) {
            fail(PosRange{0, 0}, "no expression found in input");
        } else {
            result = parseExpr(0);
            if (ok() && peek().kind != TokenKind::kEof)
                unexpected("", "");
            if (ok())
                checkAST(*result);
        }
        if (!ok()) {
            *error = *m_error;
            return nullptr;
        }
        return result;
    }

    Result<std::vector<model::Matcher>> parseSelectorOnly() {
        std::unique_ptr<VectorSelector> vs;
        const Token& t = peek();
        if (t.kind == TokenKind::kLeftBrace ||
            (isWordToken(t) && !isReservedWord(t) && peek(1).kind != TokenKind::kLeftParen)) {
            vs = parseVectorSelector();
            if (ok() && peek().kind != TokenKind::kEof)
                unexpected("series selector", "end of input");
            if (ok())
                checkAST(*vs);
        } else if (t.kind == TokenKind::kEof) {
            fail(t.pos, "no series selector found in input");
        } else {
            unexpected("series selector", "metric name or \"{\"");
        }
        if (!ok())
            return Status::error(m_error->toString());
        return std::move(vs->matchers);
    }

private:
    // ---- Token access and errors ------------------------------------------

    const Token& peek(std::size_t ahead = 0) const {
        const std::size_t i = m_pos + ahead;
        return i < m_tokens.size() ? m_tokens[i] : m_tokens.back();
    }
    const Token& next() {
        const Token& t = peek();
        if (m_pos < m_tokens.size() - 1)
            ++m_pos;
        return t;
    }
    bool ok() const { return !m_error.has_value(); }

    std::nullptr_t fail(PosRange pos, std::string message) {
        if (!m_error) {
            ParseError e;
            e.offset = pos.start;
            e.endOffset = pos.end;
            lineAndColumn(m_in, pos.start, &e.line, &e.column);
            e.message = std::move(message);
            m_error = std::move(e);
        }
        return nullptr;
    }

    // "unexpected <tok> in <context>, expected <expected>", or the lexer's
    // own error when the next token is one.
    std::nullptr_t unexpected(std::string_view context, std::string_view expected) {
        const Token& t = peek();
        if (t.kind == TokenKind::kError)
            return fail(t.pos, t.error);
        // Like Prometheus's yacc error recovery, a generic syntax error
        // anywhere inside an aggregation's arguments names the aggregation.
        if (context.empty() && m_aggregationDepth > 0)
            context = "aggregation";
        std::string msg = "unexpected " + describeToken(t);
        if (!context.empty())
            msg += " in " + std::string(context);
        if (!expected.empty())
            msg += ", expected " + std::string(expected);
        return fail(t.pos, std::move(msg));
    }

    bool expect(TokenKind kind, std::string_view context, std::string_view what) {
        if (peek().kind == kind) {
            next();
            return true;
        }
        unexpected(context, what);
        return false;
    }

    std::uint32_t lastEnd() const { return m_pos == 0 ? 0 : m_tokens[m_pos - 1].pos.end; }

    // ---- Expressions -------------------------------------------------------

    // Bounds recursion so hostile input cannot overflow the stack (the
    // parser, checkAST, toString and clone all recurse per nesting level).
    struct DepthGuard {
        explicit DepthGuard(int* depth) : m_depth(depth) { ++*m_depth; }
        ~DepthGuard() { --*m_depth; }
        int* m_depth;
    };
    bool tooDeep() {
        if (m_depth <= kMaxNesting)
            return false;
        fail(peek().pos,
             "expression nested too deeply (more than " + std::to_string(kMaxNesting) + " levels)");
        return true;
    }

    ExprPtr parseExpr(int minPrec) {
        DepthGuard guard(&m_depth);
        if (tooDeep())
            return nullptr;
        ExprPtr lhs = parseUnary();
        while (ok()) {
            const Token& opTok = peek();
            if (opTok.kind == TokenKind::kTrimUpper || opTok.kind == TokenKind::kTrimLower) {
                return fail(opTok.pos, "native histogram trim operator " + quoted(opTok.text) +
                                           " is " + std::string(kNotSupported));
            }
            const auto op = binaryOpOf(opTok);
            if (!op)
                break;
            const int prec = precedence(*op);
            if (prec < minPrec)
                break;
            next();
            auto bin = std::make_unique<BinaryExpr>();
            bin->op = *op;
            VectorMatching matching;
            if (!parseBinaryModifiers(bin.get(), &matching))
                return nullptr;
            ExprPtr rhs = parseExpr(*op == BinaryOp::kPow ? prec : prec + 1);
            if (!ok())
                return nullptr;
            bin->lhs = std::move(lhs);
            bin->rhs = std::move(rhs);
            bin->matching = std::move(matching);
            bin->pos = {bin->lhs->pos.start, bin->rhs->pos.end};
            lhs = std::move(bin);
        }
        return ok() ? std::move(lhs) : nullptr;
    }

    // bool, on/ignoring(...), group_left/group_right(...), fill(...),
    // fill_left(...), fill_right(...), in that order.
    bool parseBinaryModifiers(BinaryExpr* bin, VectorMatching* matching) {
        if (isKeyword(peek(), "bool")) {
            next();
            bin->returnBool = true;
        }
        if (isKeyword(peek(), "on") || isKeyword(peek(), "ignoring")) {
            matching->on = isKeyword(peek(), "on");
            next();
            if (!parseGroupingLabels(&matching->matchingLabels))
                return false;
            if (isKeyword(peek(), "group_left") || isKeyword(peek(), "group_right")) {
                matching->card = isKeyword(peek(), "group_left") ? Cardinality::kManyToOne
                                                                 : Cardinality::kOneToMany;
                next();
                if (peek().kind == TokenKind::kEof) {
                    unexpected("grouping opts", "\"(\"");
                    return false;
                }
                if (peek().kind == TokenKind::kLeftParen &&
                    !parseGroupingLabels(&matching->include)) {
                    return false;
                }
            }
        }
        while (peek(1).kind == TokenKind::kLeftParen &&
               (isKeyword(peek(), "fill") || isKeyword(peek(), "fill_left") ||
                isKeyword(peek(), "fill_right"))) {
            const bool left = !isKeyword(peek(), "fill_right");
            const bool right = !isKeyword(peek(), "fill_left");
            next();
            next();
            auto value = parseSignedNumber("fill modifier");
            if (!value)
                return false;
            if (!expect(TokenKind::kRightParen, "fill modifier", "\")\""))
                return false;
            if (left)
                matching->fillLeft = *value;
            if (right)
                matching->fillRight = *value;
        }
        return true;
    }

    // A number with an optional sign (fill values, @ timestamps).
    std::optional<double> parseSignedNumber(std::string_view context) {
        double sign = 1;
        if (peek().kind == TokenKind::kAdd || peek().kind == TokenKind::kSub) {
            sign = next().kind == TokenKind::kSub ? -1 : 1;
        }
        if (peek().kind != TokenKind::kNumber && peek().kind != TokenKind::kDuration) {
            unexpected(context, "number");
            return std::nullopt;
        }
        const Token& t = next();
        auto v = t.kind == TokenKind::kNumber ? numberValue(t) : durationSeconds(t);
        if (!v)
            return std::nullopt;
        return sign * *v;
    }

    ExprPtr parseUnary() {
        const Token& t = peek();
        if (t.kind != TokenKind::kAdd && t.kind != TokenKind::kSub)
            return parsePostfix(parsePrimary());
        const bool negate = t.kind == TokenKind::kSub;
        const std::uint32_t start = t.pos.start;
        next();
        ExprPtr operand = parseExpr(kPrecPow);
        if (!ok())
            return nullptr;
        if (operand->kind == NodeKind::kNumberLiteral) {
            // Prometheus folds a sign into a number literal.
            auto* n = static_cast<NumberLiteral*>(operand.get());
            if (negate)
                n->value = -n->value;
            n->pos.start = start;
            return operand;
        }
        auto u = std::make_unique<UnaryExpr>();
        u->negate = negate;
        u->pos = {start, operand->pos.end};
        u->expr = std::move(operand);
        return u;
    }

    ExprPtr parsePrimary() {
        const Token& t = peek();
        switch (t.kind) {
            case TokenKind::kNumber: {
                next();
                auto v = numberValue(t);
                if (!v)
                    return nullptr;
                auto n = std::make_unique<NumberLiteral>();
                n->value = *v;
                n->pos = t.pos;
                return n;
            }
            case TokenKind::kDuration: {
                next();
                auto v = durationSeconds(t);
                if (!v)
                    return nullptr;
                auto n = std::make_unique<NumberLiteral>();
                n->value = *v;
                n->isDuration = true;
                n->pos = t.pos;
                return n;
            }
            case TokenKind::kString: {
                next();
                auto s = std::make_unique<StringLiteral>();
                s->pos = t.pos;
                std::string err;
                std::size_t off = 0;
                unquoteString(t.text, &s->value, &err, &off);  // validated by the lexer
                return s;
            }
            case TokenKind::kLeftParen: {
                next();
                auto p = std::make_unique<ParenExpr>();
                p->expr = parseExpr(0);
                if (!ok())
                    return nullptr;
                if (!expect(TokenKind::kRightParen, "", ""))
                    return nullptr;
                p->pos = {t.pos.start, lastEnd()};
                return p;
            }
            case TokenKind::kLeftBrace:
                return parseVectorSelector();
            case TokenKind::kIdentifier:
            case TokenKind::kMetricIdentifier: {
                if (t.kind == TokenKind::kIdentifier) {
                    // `sum` alone is a metric name, as in Prometheus.
                    const Token& after = peek(1);
                    const auto agg = aggregateOpFromName(t.text);
                    if (agg && (after.kind == TokenKind::kLeftParen || isKeyword(after, "by") ||
                                isKeyword(after, "without"))) {
                        return parseAggregate(*agg);
                    }
                    if (isReservedWord(t))
                        return unexpected("", "");
                    // Keywords are metric names here but never function names.
                    static constexpr std::string_view kKeywords[] = {"and", "or",      "unless",
                                                                     "by",  "without", "offset"};
                    bool keyword = false;
                    for (auto k : kKeywords)
                        keyword = keyword || isKeyword(t, k);
                    if (!keyword && peek(1).kind == TokenKind::kLeftParen)
                        return parseCall();
                }
                return parseVectorSelector();
            }
            default:
                return unexpected("", "");
        }
    }

    // Range, subquery, offset, @, anchored and smoothed after a primary.
    ExprPtr parsePostfix(ExprPtr e) {
        while (ok() && e) {
            const Token& t = peek();
            if (t.kind == TokenKind::kLeftBracket) {
                e = parseRangeOrSubquery(std::move(e));
            } else if (isKeyword(t, "offset")) {
                e = parseOffset(std::move(e));
            } else if (t.kind == TokenKind::kAt) {
                e = parseAt(std::move(e));
            } else if (isKeyword(t, "anchored") || isKeyword(t, "smoothed")) {
                e = parseRangeModifier(std::move(e));
            } else {
                break;
            }
        }
        return ok() ? std::move(e) : nullptr;
    }

    ExprPtr parseRangeOrSubquery(ExprPtr e) {
        const Token& open = next();
        DurationValue range;
        if (!parseDurationValue(&range, "range", "subquery or range"))
            return nullptr;
        if (peek().kind == TokenKind::kColon) {
            next();
            auto sq = std::make_unique<SubqueryExpr>();
            if (peek().kind != TokenKind::kRightBracket &&
                !parseDurationValue(&sq->step, "subquery step", "subquery selector")) {
                return nullptr;
            }
            if (!expect(TokenKind::kRightBracket, "subquery selector", "\"]\""))
                return nullptr;
            sq->pos = {e->pos.start, lastEnd()};
            sq->range = std::move(range);
            sq->expr = std::move(e);
            return sq;
        }
        if (!expect(TokenKind::kRightBracket, "subquery or range", "\":\" or \"]\""))
            return nullptr;
        const PosRange bracket{open.pos.start, lastEnd()};
        if (e->kind != NodeKind::kVectorSelector)
            return fail(bracket, "ranges only allowed for vector selectors");
        auto* vs = static_cast<VectorSelector*>(e.get());
        if (vs->modifiers.hasOffset)
            return fail(bracket, "no offset modifiers allowed before range");
        if (vs->modifiers.at != AtKind::kNone)
            return fail(bracket, "no @ modifiers allowed before range");
        if (vs->anchored || vs->smoothed)
            return fail(bracket, "no anchored or smoothed modifiers allowed before range");
        auto ms = std::make_unique<MatrixSelector>();
        ms->pos = {e->pos.start, lastEnd()};
        ms->range = std::move(range);
        ms->selector.reset(static_cast<VectorSelector*>(e.release()));
        return ms;
    }

    // The time modifiers of `e` and the end of its position, or an error.
    TimeModifiers* modifiersOf(Expr* e, std::string_view what) {
        switch (e->kind) {
            case NodeKind::kVectorSelector:
                return &static_cast<VectorSelector*>(e)->modifiers;
            case NodeKind::kMatrixSelector:
                return &static_cast<MatrixSelector*>(e)->selector->modifiers;
            case NodeKind::kSubquery:
                return &static_cast<SubqueryExpr*>(e)->modifiers;
            default:
                fail(e->pos,
                     std::string(what) +
                         " modifier must be preceded by an instant vector selector or range "
                         "vector selector or a subquery");
                return nullptr;
        }
    }

    // The modifier's value is parsed before its placement is checked, so a
    // syntax error in it wins, as in Prometheus.
    ExprPtr parseOffset(ExprPtr e) {
        next();
        DurationValue offset;
        if (!parseOffsetDuration(&offset))
            return nullptr;
        TimeModifiers* m = modifiersOf(e.get(), "offset");
        if (!m)
            return nullptr;
        if (m->hasOffset)
            return fail(e->pos, "offset may not be set multiple times");
        m->hasOffset = true;
        m->offset = std::move(offset);
        e->pos.end = lastEnd();
        return e;
    }

    ExprPtr parseAt(ExprPtr e) {
        next();
        AtKind kind = AtKind::kTimestamp;
        std::int64_t atMs = 0;
        if ((isKeyword(peek(), "start") || isKeyword(peek(), "end")) &&
            peek(1).kind == TokenKind::kLeftParen) {
            kind = isKeyword(peek(), "start") ? AtKind::kStart : AtKind::kEnd;
            next();
            next();
            if (!expect(TokenKind::kRightParen, "@", "\")\""))
                return nullptr;
        } else {
            if (peek().kind != TokenKind::kNumber && peek().kind != TokenKind::kDuration &&
                peek().kind != TokenKind::kAdd && peek().kind != TokenKind::kSub) {
                return unexpected("@", "timestamp");
            }
            auto ts = parseSignedNumber("@");
            if (!ts)
                return nullptr;
            if (!std::isfinite(*ts) || *ts >= 9.2e15 || *ts <= -9.2e15) {
                char buf[64];
                std::snprintf(buf, sizeof buf, "%f", *ts);
                return fail(e->pos, std::string("timestamp out of bounds for @ modifier: ") + buf);
            }
            atMs = static_cast<std::int64_t>(std::llround(*ts * 1000.0));
        }
        TimeModifiers* m = modifiersOf(e.get(), "@");
        if (!m)
            return nullptr;
        if (m->at != AtKind::kNone)
            return fail(e->pos, "@ <timestamp> may not be set multiple times");
        m->at = kind;
        m->atMs = atMs;
        e->pos.end = lastEnd();
        return e;
    }

    ExprPtr parseRangeModifier(ExprPtr e) {
        const Token& t = next();
        const bool anchored = isKeyword(t, "anchored");
        VectorSelector* vs = nullptr;
        if (e->kind == NodeKind::kVectorSelector)
            vs = static_cast<VectorSelector*>(e.get());
        else if (e->kind == NodeKind::kMatrixSelector)
            vs = static_cast<MatrixSelector*>(e.get())->selector.get();
        const char* word = anchored ? "anchored" : "smoothed";
        if (!vs) {
            return fail(e->pos, std::string(word) +
                                    " modifier must be preceded by an instant vector selector or "
                                    "range vector selector");
        }
        if (vs->anchored || vs->smoothed) {
            return fail(t.pos, std::string("unexpected ") + word +
                                   ": anchored and smoothed may be given only once");
        }
        (anchored ? vs->anchored : vs->smoothed) = true;
        e->pos.end = lastEnd();
        return e;
    }

    // ---- Selectors ---------------------------------------------------------

    std::unique_ptr<VectorSelector> parseVectorSelector() {
        auto vs = std::make_unique<VectorSelector>();
        const std::uint32_t start = peek().pos.start;
        if (isWordToken(peek()))
            vs->name = std::string(next().text);
        std::vector<model::Matcher> matchers;
        std::string quotedName;  // {"metric.name"} form
        if (peek().kind == TokenKind::kLeftBrace) {
            next();
            if (!parseMatchers(&matchers, &quotedName))
                return nullptr;
        }
        vs->pos = {start, lastEnd()};
        if (!quotedName.empty()) {
            if (!vs->name.empty()) {
                fail(vs->pos, "metric name must not be set twice: " + quoted(vs->name) + " or " +
                                  quoted(quotedName));
                return nullptr;
            }
            vs->name = quotedName;
        }
        if (!vs->name.empty()) {
            auto nameMatcher = model::Matcher::make(model::MatchType::kEqual, "__name__", vs->name);
            matchers.push_back(std::move(nameMatcher.value()));
        }
        vs->matchers = std::move(matchers);
        return vs;
    }

    // After '{': matchers up to and including '}'.
    bool parseMatchers(std::vector<model::Matcher>* out, std::string* quotedName) {
        while (true) {
            const Token& t = peek();
            if (t.kind == TokenKind::kRightBrace) {
                next();
                return true;
            }
            std::string label;
            if (t.kind == TokenKind::kIdentifier) {
                label = std::string(t.text);
            } else if (t.kind == TokenKind::kString) {
                std::string err;
                std::size_t off = 0;
                unquoteString(t.text, &label, &err, &off);
            } else {
                unexpected("label matching", "identifier or \"}\"");
                return false;
            }
            next();
            const Token& opTok = peek();
            model::MatchType type;
            bool bareName = false;
            switch (opTok.kind) {
                case TokenKind::kEql:
                    type = model::MatchType::kEqual;
                    break;
                case TokenKind::kNeq:
                    type = model::MatchType::kNotEqual;
                    break;
                case TokenKind::kEqlRegex:
                    type = model::MatchType::kRegexp;
                    break;
                case TokenKind::kNeqRegex:
                    type = model::MatchType::kNotRegexp;
                    break;
                default:
                    if (t.kind == TokenKind::kString &&
                        (opTok.kind == TokenKind::kComma || opTok.kind == TokenKind::kRightBrace)) {
                        bareName = true;
                        break;
                    }
                    unexpected("label matching", "label matching operator");
                    return false;
            }
            if (bareName) {
                if (!quotedName->empty()) {
                    fail(t.pos, "metric name must not be set twice: " + quoted(*quotedName) +
                                    " or " + quoted(label));
                    return false;
                }
                *quotedName = label;
            } else {
                next();
                const Token& valueTok = peek();
                if (valueTok.kind != TokenKind::kString) {
                    unexpected("label matching", "string");
                    return false;
                }
                next();
                std::string value;
                std::string err;
                std::size_t off = 0;
                unquoteString(valueTok.text, &value, &err, &off);
                auto m = model::Matcher::make(type, label, value);
                if (!m.isOk()) {
                    fail({t.pos.start, valueTok.pos.end}, m.status().message());
                    return false;
                }
                out->push_back(std::move(m.value()));
            }
            if (peek().kind == TokenKind::kComma) {
                next();
                continue;
            }
            if (peek().kind != TokenKind::kRightBrace) {
                unexpected("label matching", "\",\" or \"}\"");
                return false;
            }
        }
    }

    // '(' label, ... ')' with an optional trailing comma.
    bool parseGroupingLabels(std::vector<std::string>* out) {
        if (!expect(TokenKind::kLeftParen, "grouping opts", "\"(\""))
            return false;
        while (true) {
            const Token& t = peek();
            if (t.kind == TokenKind::kRightParen) {
                next();
                return true;
            }
            if (t.kind == TokenKind::kIdentifier) {
                out->emplace_back(t.text);
            } else if (t.kind == TokenKind::kString) {
                std::string label;
                std::string err;
                std::size_t off = 0;
                unquoteString(t.text, &label, &err, &off);
                out->push_back(std::move(label));
            } else {
                unexpected("grouping opts", "label");
                return false;
            }
            next();
            if (peek().kind == TokenKind::kComma) {
                next();
                continue;
            }
            if (peek().kind != TokenKind::kRightParen) {
                unexpected("grouping opts", "\",\" or \")\"");
                return false;
            }
        }
    }

    // ---- Aggregations and calls -------------------------------------------

    bool parseAggregateModifier(AggregateExpr* agg) {
        agg->without = isKeyword(peek(), "without");
        next();
        return parseGroupingLabels(&agg->grouping);
    }

    // '(' expr, ... ')' with `context` for errors; returns false on error.
    bool parseArgs(std::vector<ExprPtr>* args, std::string_view context) {
        if (!expect(TokenKind::kLeftParen, context, "\"(\""))
            return false;
        if (peek().kind == TokenKind::kRightParen) {
            next();
            return true;
        }
        while (true) {
            if (context == "aggregation" && args->empty() && !canStartExpr(peek())) {
                unexpected(context, "");
                return false;
            }
            ExprPtr arg = parseExpr(0);
            if (!ok())
                return false;
            args->push_back(std::move(arg));
            if (peek().kind == TokenKind::kComma) {
                const Token& comma = next();
                if (peek().kind != TokenKind::kError && !canStartExpr(peek())) {
                    fail(comma.pos, "trailing commas not allowed in function call args");
                    return false;
                }
                continue;
            }
            if (peek().kind == TokenKind::kRightParen) {
                next();
                return true;
            }
            // Prometheus names only the aggregation context here.
            unexpected(context == "aggregation" ? context : "", "");
            return false;
        }
    }

    ExprPtr parseAggregate(AggregateOp op) {
        const Token& opTok = next();
        auto agg = std::make_unique<AggregateExpr>();
        agg->op = op;
        bool haveModifier = false;
        if (isKeyword(peek(), "by") || isKeyword(peek(), "without")) {
            if (!parseAggregateModifier(agg.get()))
                return nullptr;
            haveModifier = true;
        }
        if (peek().kind != TokenKind::kLeftParen)
            return unexpected("aggregation", "");
        std::vector<ExprPtr> args;
        ++m_aggregationDepth;
        const bool argsOk = parseArgs(&args, "aggregation");
        --m_aggregationDepth;
        if (!argsOk)
            return nullptr;
        agg->pos = {opTok.pos.start, lastEnd()};
        if (!haveModifier && (isKeyword(peek(), "by") || isKeyword(peek(), "without"))) {
            if (!parseAggregateModifier(agg.get()))
                return nullptr;
            agg->pos.end = lastEnd();
        }
        if (args.empty())
            return fail(agg->pos, "no arguments for aggregate expression provided");
        const std::size_t want = aggregateTakesParam(op) ? 2 : 1;
        if (args.size() != want) {
            return fail(agg->pos,
                        "wrong number of arguments for aggregate expression provided, expected " +
                            std::to_string(want) + ", got " + std::to_string(args.size()));
        }
        if (want == 2)
            agg->param = std::move(args[0]);
        agg->expr = std::move(args.back());
        return agg;
    }

    ExprPtr parseCall() {
        const Token& nameTok = next();
        const Function* fn = findFunction(nameTok.text);
        auto call = std::make_unique<Call>();
        call->func = fn;
        // Arguments first, so errors inside them win, as in Prometheus.
        if (!parseArgs(&call->args, "function call"))
            return nullptr;
        if (!fn) {
            fail(nameTok.pos, "unknown function with name " + quoted(nameTok.text));
            if (auto close = closestFunctionName(nameTok.text); !close.empty())
                m_error->hint = "did you mean " + quoted(close) + "?";
            return nullptr;
        }
        call->pos = {nameTok.pos.start, lastEnd()};
        return call;
    }

    // ---- Type checks (Prometheus's checkAST) -------------------------------
    //
    // Run after a successful parse and in Prometheus's order, so a syntax
    // error anywhere wins over a type error and, of several type errors, the
    // same one is reported. Only the first error is kept. Mutates vector
    // matching as Prometheus does: set operators become many-to-many, and
    // matching is dropped when an operand is a scalar.

    void typeError(PosRange pos, std::string message) { fail(pos, std::move(message)); }

    ValueType expectType(Expr& e, ValueType want, std::string_view context) {
        const ValueType got = checkAST(e);
        if (got != want) {
            typeError(e.pos, std::string("expected type ") + documentedTypeName(want) + " in " +
                                 std::string(context) + ", got " + documentedTypeName(got));
        }
        return got;
    }

    void checkSelector(const VectorSelector& vs, bool allowEmpty) {
        if (!vs.name.empty()) {
            // The last matcher is the name itself.
            for (std::size_t i = 0; i + 1 < vs.matchers.size(); ++i) {
                if (vs.matchers[i].name() == "__name__") {
                    typeError(vs.pos, "metric name must not be set twice: " + quoted(vs.name) +
                                          " or " + quoted(vs.matchers[i].value()));
                }
            }
            return;
        }
        bool nonEmpty = false;
        for (const auto& m : vs.matchers)
            nonEmpty = nonEmpty || !m.matchesEmpty();
        if (!nonEmpty && !allowEmpty)
            typeError(vs.pos, "vector selector must contain at least one non-empty matcher");
    }

    ValueType checkAST(Expr& node) {
        switch (node.kind) {
            case NodeKind::kAggregate: {
                auto& n = static_cast<AggregateExpr&>(node);
                expectType(*n.expr, ValueType::kVector, "aggregation expression");
                if (n.param) {
                    expectType(
                        *n.param,
                        n.op == AggregateOp::kCountValues ? ValueType::kString : ValueType::kScalar,
                        "aggregation parameter");
                }
                break;
            }
            case NodeKind::kBinary:
                checkBinary(static_cast<BinaryExpr&>(node));
                break;
            case NodeKind::kCall:
                checkCall(static_cast<Call&>(node));
                break;
            case NodeKind::kParen:
                checkAST(*static_cast<ParenExpr&>(node).expr);
                break;
            case NodeKind::kUnary: {
                auto& n = static_cast<UnaryExpr&>(node);
                const ValueType t = checkAST(*n.expr);
                if (t != ValueType::kScalar && t != ValueType::kVector) {
                    typeError(n.pos,
                              std::string("unary expression only allowed on expressions of type "
                                          "scalar or instant vector, got ") +
                                  quoted(documentedTypeName(t)));
                }
                break;
            }
            case NodeKind::kSubquery: {
                auto& n = static_cast<SubqueryExpr&>(node);
                const ValueType t = checkAST(*n.expr);
                if (t != ValueType::kVector) {
                    typeError(n.pos,
                              std::string("subquery is only allowed on instant vector, got ") +
                                  valueTypeWord(t) + " instead");
                }
                break;
            }
            case NodeKind::kMatrixSelector:
                checkSelector(*static_cast<MatrixSelector&>(node).selector, false);
                break;
            case NodeKind::kVectorSelector:
                checkSelector(static_cast<VectorSelector&>(node), false);
                break;
            case NodeKind::kNumberLiteral:
            case NodeKind::kStringLiteral:
                break;
        }
        return node.type();
    }

    void checkBinary(BinaryExpr& n) {
        const ValueType lt = checkAST(*n.lhs);
        const ValueType rt = checkAST(*n.rhs);
        // The operator and its modifiers, for errors about them.
        PosRange opRange{n.lhs->pos.end, n.rhs->pos.start};
        while (opRange.start < opRange.end &&
               std::isspace(static_cast<unsigned char>(m_in[opRange.start])))
            ++opRange.start;
        while (opRange.end > opRange.start &&
               std::isspace(static_cast<unsigned char>(m_in[opRange.end - 1])))
            --opRange.end;
        VectorMatching& vm = *n.matching;
        if (n.returnBool && !isComparisonOp(n.op))
            typeError(opRange, "bool modifier can only be used on comparison operators");
        if (isComparisonOp(n.op) && !n.returnBool && lt == ValueType::kScalar &&
            rt == ValueType::kScalar) {
            typeError(opRange, "comparisons between scalars must use BOOL modifier");
        }
        if (isSetOp(n.op) && vm.card == Cardinality::kOneToOne)
            vm.card = Cardinality::kManyToMany;
        if (vm.on) {
            for (const auto& l1 : vm.matchingLabels)
                for (const auto& l2 : vm.include)
                    if (l1 == l2)
                        typeError(opRange, "label " + quoted(l1) +
                                               " must not occur in ON and GROUP clause at once");
        }
        if (lt != ValueType::kScalar && lt != ValueType::kVector)
            typeError(n.lhs->pos,
                      "binary expression must contain only scalar and instant vector types");
        if (rt != ValueType::kScalar && rt != ValueType::kVector)
            typeError(n.rhs->pos,
                      "binary expression must contain only scalar and instant vector types");
        if (lt != ValueType::kVector || rt != ValueType::kVector) {
            if (!vm.matchingLabels.empty())
                typeError(n.pos, "vector matching only allowed between instant vectors");
            if (vm.fillLeft || vm.fillRight)
                typeError(opRange, "fill modifiers are only allowed between instant vectors");
            n.matching.reset();
        } else if (isSetOp(n.op)) {
            if (vm.card == Cardinality::kOneToMany || vm.card == Cardinality::kManyToOne)
                typeError(n.pos, std::string("no grouping allowed for ") +
                                     quoted(binaryOpName(n.op)) + " operation");
            if (vm.fillLeft || vm.fillRight)
                typeError(opRange, std::string("fill modifiers are not allowed for ") +
                                       quoted(binaryOpName(n.op)) + " operation");
        }
        if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && isSetOp(n.op))
            typeError(n.pos, std::string("set operator ") + quoted(binaryOpName(n.op)) +
                                 " not allowed in binary scalar expression");
    }

    void checkCall(Call& n) {
        const Function* fn = n.func;
        const std::size_t nargs = fn->argTypes.size();
        const std::size_t given = n.args.size();
        const std::string fname = quoted(fn->name);
        if (fn->variadic == 0) {
            if (nargs != given) {
                typeError(n.pos, "expected " + std::to_string(nargs) + " argument(s) in call to " +
                                     fname + ", got " + std::to_string(given));
            }
        } else {
            const std::size_t required = nargs - 1;
            if (given < required) {
                typeError(n.pos, "expected at least " + std::to_string(required) +
                                     " argument(s) in call to " + fname + ", got " +
                                     std::to_string(given));
            } else if (fn->variadic > 0 &&
                       given > required + static_cast<std::size_t>(fn->variadic)) {
                typeError(n.pos, "expected at most " + std::to_string(required + fn->variadic) +
                                     " argument(s) in call to " + fname + ", got " +
                                     std::to_string(given));
            }
        }
        const std::string context = "call to function " + fname;
        for (std::size_t i = 0; i < given; ++i) {
            if (i >= nargs && fn->variadic == 0)
                break;
            Expr& arg = *n.args[i];
            // info()'s second argument selects info series by their data
            // labels, so matchers that accept the empty string are fine there.
            if (fn->name == "info" && i == 1 && arg.kind == NodeKind::kVectorSelector) {
                checkSelector(static_cast<VectorSelector&>(arg), true);
                continue;
            }
            expectType(arg, fn->argTypes[i < nargs ? i : nargs - 1], context);
        }
    }

    // ---- Numbers and durations --------------------------------------------

    std::optional<double> numberValue(const Token& t) {
        std::string_view s = t.text;
        if (s.size() == 3 && (s[0] == 'i' || s[0] == 'I'))
            return std::numeric_limits<double>::infinity();
        if (s.size() == 3 && (s[0] == 'n' || s[0] == 'N'))
            return std::numeric_limits<double>::quiet_NaN();
        if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            std::uint64_t v = 0;
            auto r = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
            if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
                fail(t.pos, "invalid number " + quoted(s) + ": out of range");
                return std::nullopt;
            }
            return static_cast<double>(v);
        }
        double v = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (r.ec == std::errc::result_out_of_range) {
            // Go returns ±Inf or 0 for out-of-range literals; so do we.
            return s.find('e') != std::string_view::npos && s.find("e-") != std::string_view::npos
                       ? 0.0
                       : std::numeric_limits<double>::infinity();
        }
        if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
            fail(t.pos, "invalid number " + quoted(s));
            return std::nullopt;
        }
        return v;
    }

    std::optional<double> durationSeconds(const Token& t) {
        auto d = parseDuration(t.text);
        if (!d.isOk()) {
            fail(t.pos, "not a valid duration string: " + quoted(t.text));
            return std::nullopt;
        }
        return static_cast<double>(d->count()) / 1000.0;
    }

    // A range or subquery step inside brackets: a duration, a number of
    // seconds, or a duration expression. Constant values must be > 0.
    bool parseDurationValue(DurationValue* out, std::string_view what, std::string_view context) {
        const std::uint32_t start = peek().pos.start;
        DurationExprPtr e = parseDurExpr(0, context);
        if (!e)
            return false;
        if (e->op == DurationExpr::Op::kLiteral) {
            out->ms = static_cast<std::int64_t>(std::llround(e->value * 1000.0));
        } else {
            out->expr = e;
            if (!e->dependsOnQuery()) {
                auto v = e->evaluate(0, 0);
                if (!v.isOk()) {
                    fail({start, lastEnd()}, v.status().message());
                    return false;
                }
                out->ms = *v;
            }
        }
        if (out->isResolved() && out->ms <= 0) {
            if (!out->expr)
                fail({start, lastEnd()}, "duration must be greater than 0");
            else
                fail({start, lastEnd()}, std::string(what) + " " + toString(*out->expr) +
                                             " must be greater than 0, got " +
                                             formatDuration(std::chrono::milliseconds(out->ms)));
            return false;
        }
        return true;
    }

    // After `offset`: a signed literal, or one signed atom (step(), range(),
    // min_of/max_of(...) or a parenthesised duration expression). Like
    // Prometheus, `foo offset 2 ^ 2` is `(foo offset 2) ^ 2`.
    bool parseOffsetDuration(DurationValue* out) {
        const std::uint32_t start = peek().pos.start;
        bool negate = false;
        bool signedForm = false;
        if (peek().kind == TokenKind::kAdd || peek().kind == TokenKind::kSub) {
            negate = next().kind == TokenKind::kSub;
            signedForm = true;
        }
        const Token& t = peek();
        if (t.kind == TokenKind::kNumber || t.kind == TokenKind::kDuration) {
            next();
            auto v = t.kind == TokenKind::kNumber ? numberValue(t) : durationSeconds(t);
            if (!v)
                return false;
            const double ms = std::round(*v * 1000.0) * (negate ? -1 : 1);
            if (!std::isfinite(ms) || std::fabs(ms) > 9.2e15) {
                fail({start, lastEnd()}, "duration out of range");
                return false;
            }
            if (ms == 0) {
                // As Prometheus 2.42; `offset step()*0` style expressions may be 0.
                fail(t.pos, "duration must be greater than 0");
                return false;
            }
            out->ms = static_cast<std::int64_t>(ms);
            return true;
        }
        DurationExprPtr atom = parseDurAtom("offset");
        if (!atom)
            return false;
        if (signedForm) {
            auto wrapped = std::make_shared<DurationExpr>();
            wrapped->op = negate ? DurationExpr::Op::kNeg : DurationExpr::Op::kPlus;
            wrapped->lhs = atom;
            wrapped->pos = {start, atom->pos.end};
            atom = wrapped;
        }
        out->expr = atom;
        if (!atom->dependsOnQuery()) {
            auto v = atom->evaluate(0, 0);
            if (!v.isOk()) {
                fail({start, lastEnd()}, v.status().message());
                return false;
            }
            out->ms = *v;
        }
        return true;
    }

    static std::optional<DurationExpr::Op> durOpOf(TokenKind k) {
        switch (k) {
            case TokenKind::kAdd:
                return DurationExpr::Op::kAdd;
            case TokenKind::kSub:
                return DurationExpr::Op::kSub;
            case TokenKind::kMul:
                return DurationExpr::Op::kMul;
            case TokenKind::kDiv:
                return DurationExpr::Op::kDiv;
            case TokenKind::kMod:
                return DurationExpr::Op::kMod;
            case TokenKind::kPow:
                return DurationExpr::Op::kPow;
            default:
                return std::nullopt;
        }
    }

    DurationExprPtr parseDurExpr(int minPrec, std::string_view what) {
        DepthGuard guard(&m_depth);
        if (tooDeep())
            return nullptr;
        DurationExprPtr lhs;
        if (peek().kind == TokenKind::kAdd || peek().kind == TokenKind::kSub) {
            const Token& sign = next();
            DurationExprPtr operand = parseDurExpr(kPrecPow, what);
            if (!operand)
                return nullptr;
            auto u = std::make_shared<DurationExpr>();
            u->pos = {sign.pos.start, operand->pos.end};
            if (operand->op == DurationExpr::Op::kLiteral) {
                *u = *operand;
                if (sign.kind == TokenKind::kSub)
                    u->value = -u->value;
                u->pos.start = sign.pos.start;
            } else {
                u->op =
                    sign.kind == TokenKind::kSub ? DurationExpr::Op::kNeg : DurationExpr::Op::kPlus;
                u->lhs = operand;
            }
            lhs = u;
        } else {
            lhs = parseDurAtom(what);
            if (!lhs)
                return nullptr;
        }
        while (true) {
            const auto op = durOpOf(peek().kind);
            if (!op)
                break;
            const int prec = (*op == DurationExpr::Op::kAdd || *op == DurationExpr::Op::kSub)
                                 ? kPrecAdd
                                 : (*op == DurationExpr::Op::kPow ? kPrecPow : kPrecMul);
            if (prec < minPrec)
                break;
            next();
            DurationExprPtr rhs =
                parseDurExpr(*op == DurationExpr::Op::kPow ? prec : prec + 1, what);
            if (!rhs)
                return nullptr;
            auto b = std::make_shared<DurationExpr>();
            b->op = *op;
            b->lhs = lhs;
            b->rhs = rhs;
            b->pos = {lhs->pos.start, rhs->pos.end};
            lhs = b;
        }
        return lhs;
    }

    DurationExprPtr parseDurAtom(std::string_view what) {
        const Token& t = peek();
        auto node = std::make_shared<DurationExpr>();
        const std::string context = std::string(what);
        if (t.kind == TokenKind::kNumber || t.kind == TokenKind::kDuration) {
            next();
            auto v = t.kind == TokenKind::kNumber ? numberValue(t) : durationSeconds(t);
            if (!v)
                return nullptr;
            node->op = DurationExpr::Op::kLiteral;
            node->value = *v;
            node->isDuration = t.kind == TokenKind::kDuration;
            node->pos = t.pos;
            return node;
        }
        if (t.kind == TokenKind::kLeftParen) {
            next();
            DurationExprPtr inner = parseDurExpr(0, what);
            if (!inner)
                return nullptr;
            if (!expect(TokenKind::kRightParen, context, "\")\""))
                return nullptr;
            node->op = DurationExpr::Op::kParen;
            node->lhs = inner;
            node->pos = {t.pos.start, lastEnd()};
            return node;
        }
        if (t.kind == TokenKind::kIdentifier && peek(1).kind == TokenKind::kLeftParen) {
            const bool isStep = isKeyword(t, "step");
            const bool isRange = isKeyword(t, "range");
            const bool isMin = isKeyword(t, "min_of");
            const bool isMax = isKeyword(t, "max_of");
            if (isStep || isRange) {
                next();
                next();
                if (!expect(TokenKind::kRightParen, context, "\")\""))
                    return nullptr;
                node->op = isStep ? DurationExpr::Op::kStep : DurationExpr::Op::kRange;
                node->pos = {t.pos.start, lastEnd()};
                return node;
            }
            if (isMin || isMax) {
                next();
                next();
                DurationExprPtr a = parseDurExpr(0, what);
                if (!a || !expect(TokenKind::kComma, context, "\",\""))
                    return nullptr;
                DurationExprPtr b = parseDurExpr(0, what);
                if (!b || !expect(TokenKind::kRightParen, context, "\")\""))
                    return nullptr;
                node->op = isMin ? DurationExpr::Op::kMinOf : DurationExpr::Op::kMaxOf;
                node->lhs = a;
                node->rhs = b;
                node->pos = {t.pos.start, lastEnd()};
                return node;
            }
        }
        unexpected(context, "duration");
        return nullptr;
    }

    std::string_view m_in;
    std::vector<Token> m_tokens;
    std::size_t m_pos = 0;
    std::optional<ParseError> m_error;
    int m_aggregationDepth = 0;  // nesting of aggregation argument lists being parsed
    int m_depth = 0;             // current parseExpr/parseDurExpr recursion
    static constexpr int kMaxNesting = 200;
};

}  // namespace

std::string ParseError::toString() const {
    return std::to_string(line) + ":" + std::to_string(column) + ": parse error: " + message;
}

ExprPtr parse(std::string_view query, ParseError* error) {
    return Parser(query).parseQuery(error);
}

Result<ExprPtr> parse(std::string_view query) {
    ParseError error;
    ExprPtr e = parse(query, &error);
    if (!e)
        return Status::error(error.toString());
    return e;
}

Result<std::vector<model::Matcher>> parseSeriesSelector(std::string_view selector) {
    return Parser(selector).parseSelectorOnly();
}

}  // namespace vigil::promql
