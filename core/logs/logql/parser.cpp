#include "core/logs/logql/parser.h"
#include "core/util/go_quote.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <iterator>

#include "core/logs/logql/checks.h"
#include "core/logs/logql/lexer.h"
#include "core/logs/logql/template_check.h"

namespace vigil::logql {

namespace {

constexpr std::string_view kRangeOps[] = {
    "count_over_time",  "rate",
    "rate_counter",     "bytes_over_time",
    "bytes_rate",       "avg_over_time",
    "sum_over_time",    "min_over_time",
    "max_over_time",    "stdvar_over_time",
    "stddev_over_time", "quantile_over_time",
    "first_over_time",  "last_over_time",
    "absent_over_time",
};
constexpr std::string_view kVectorOps[] = {
    "sum",    "avg",  "min",     "max",  "count",     "stddev",
    "stdvar", "topk", "bottomk", "sort", "sort_desc", "approx_topk",
};
// Range aggregations that must / must not have an unwrap, and those that may
// be grouped (Loki's RangeAggregationExpr.validate).
constexpr std::string_view kNeedUnwrap[] = {
    "avg_over_time",      "sum_over_time",  "min_over_time",    "max_over_time",
    "first_over_time",    "last_over_time", "stddev_over_time", "stdvar_over_time",
    "quantile_over_time", "rate_counter",
};
constexpr std::string_view kNoUnwrap[] = {"count_over_time", "bytes_over_time", "bytes_rate"};
constexpr std::string_view kGroupable[] = {
    "avg_over_time",  "min_over_time",    "max_over_time",    "first_over_time",
    "last_over_time", "stddev_over_time", "stdvar_over_time", "quantile_over_time",
};
constexpr std::string_view kStageKeywords[] = {
    "json",        "logfmt",       "regexp", "pattern", "unpack", "decolorize",
    "line_format", "label_format", "drop",   "keep",    "unwrap",
};

template <std::size_t N>
bool contains(const std::string_view (&list)[N], std::string_view word) {
    return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

bool isComparison(TokenKind k) {
    switch (k) {
        case TokenKind::kEq:
        case TokenKind::kNeq:
        case TokenKind::kRe:
        case TokenKind::kNre:
        case TokenKind::kCmpEq:
        case TokenKind::kGtr:
        case TokenKind::kGte:
        case TokenKind::kLss:
        case TokenKind::kLte:
            return true;
        default:
            return false;
    }
}

// Binary operator precedence, PromQL's: or < and/unless < comparisons < +- < */% < ^.
int precedence(const Token& t) {
    switch (t.kind) {
        case TokenKind::kPow:
            return 6;
        case TokenKind::kMul:
        case TokenKind::kDiv:
        case TokenKind::kMod:
            return 5;
        case TokenKind::kAdd:
        case TokenKind::kSub:
            return 4;
        case TokenKind::kCmpEq:
        case TokenKind::kNeq:
        case TokenKind::kGtr:
        case TokenKind::kGte:
        case TokenKind::kLss:
        case TokenKind::kLte:
            return 3;
        case TokenKind::kIdentifier:
            if (t.text == "and" || t.text == "unless")
                return 2;
            if (t.text == "or")
                return 1;
            return 0;
        default:
            return 0;
    }
}

bool isScalar(const Expr& e) {
    switch (e.kind()) {
        case Expr::Kind::kLiteral:
            return true;
        case Expr::Kind::kParen:
            return isScalar(*static_cast<const ParenExpr&>(e).inner);
        case Expr::Kind::kBinary: {
            const auto& b = static_cast<const BinaryExpr&>(e);
            return isScalar(*b.lhs) && isScalar(*b.rhs);
        }
        default:
            return false;
    }
}

// Recursive-descent parser over the token list. Errors are recorded once
// (the first wins) and every routine returns null/false after one, so the
// callers just propagate.
class Parser {
public:
    explicit Parser(std::string_view input) : m_in(input), m_tokens(lex(input)) {}

    ExprPtr run(ParseError* error) {
        ExprPtr expr;
        if (cur().kind == TokenKind::kLeftBrace) {
            LogSelector selector;
            if (parseSelector(&selector) && parsePipeline(&selector, nullptr))
                expr = std::make_shared<LogQueryExpr>(std::move(selector));
        } else {
            expr = parseBinary(1);
        }
        if (!m_failed && cur().kind != TokenKind::kEof) {
            if (expr && expr->isLogQuery() && cur().kind == TokenKind::kLeftBracket)
                fail(cur().offset,
                     "syntax error: unexpected [: a log range must be wrapped in a range "
                     "aggregation such as count_over_time");
            else
                syntaxError();
        }
        if (m_failed) {
            *error = m_error;
            return nullptr;
        }
        return expr;
    }

private:
    // --- tokens and errors -------------------------------------------------
    const Token& cur() const { return m_tokens[m_pos]; }
    const Token& ahead(std::size_t n = 1) const {
        return m_tokens[std::min(m_pos + n, m_tokens.size() - 1)];
    }
    void advance() {
        if (m_pos + 1 < m_tokens.size())
            ++m_pos;
    }
    bool isWord(std::string_view w) const {
        return cur().kind == TokenKind::kIdentifier && cur().text == w;
    }

    std::string describe(const Token& t) const {
        switch (t.kind) {
            case TokenKind::kEof:
                return "$end";
            case TokenKind::kIdentifier:
                // Loki's lexer has keyword tokens for these; its message
                // names the keyword itself ("unexpected bool").
                if (t.text == "bool" || t.text == "ip")
                    return t.text;
                return "IDENTIFIER \"" + t.text + "\"";
            case TokenKind::kString:
                return "STRING " + vigil::goQuote(t.text);
            case TokenKind::kNumber:
                return "NUMBER " + t.text;
            case TokenKind::kDuration:
                return "DURATION " + t.text;
            case TokenKind::kBytes:
                return "BYTES " + t.text;
            case TokenKind::kFlag:
                return "FLAG " + t.text;
            default:
                return tokenKindName(t.kind);
        }
    }

    void fail(std::size_t offset, std::string message) {
        if (m_failed)
            return;
        m_failed = true;
        m_error.offset = offset;
        m_error.line = 1;
        std::size_t lineStart = 0;
        for (std::size_t i = 0; i < offset && i < m_in.size(); ++i) {
            if (m_in[i] == '\n') {
                ++m_error.line;
                lineStart = i + 1;
            }
        }
        m_error.column = static_cast<int>(offset - lineStart) + 1;
        m_error.message = std::move(message);
    }
    // "syntax error: unexpected X[, expecting Y]" at the current token; a
    // lexer error token reports the lexer's own message.
    std::nullptr_t syntaxError(std::string_view expecting = {}) {
        if (cur().kind == TokenKind::kError) {
            fail(cur().offset, "syntax error: " + cur().text);
            return nullptr;
        }
        std::string message = "syntax error: unexpected " + describe(cur());
        if (!expecting.empty()) {
            message += ", expecting ";
            message += expecting;
        }
        fail(cur().offset, std::move(message));
        return nullptr;
    }
    bool expect(TokenKind kind) {
        if (cur().kind != kind) {
            // Punctuation is quoted, token classes (IDENTIFIER, STRING) are not.
            const std::string name = tokenKindName(kind);
            syntaxError(std::isupper(static_cast<unsigned char>(name[0])) ? name
                                                                          : "\"" + name + "\"");
            return false;
        }
        advance();
        return true;
    }

    // --- literals ----------------------------------------------------------
    // A number token (optionally signed by `sign`) as a NumberLit; rejects
    // hexadecimal, octal and binary integer literals as Loki does.
    bool numberLiteral(const Token& t, std::string_view sign, NumberLit* out) {
        const std::string& s = t.text;
        const bool prefixed = s.size() > 1 && s[0] == '0' &&
                              std::string_view("xXbBoO").find(s[1]) != std::string_view::npos;
        if (prefixed) {
            const bool hexFloat =
                (s[1] == 'x' || s[1] == 'X') && s.find_first_of("pP") != std::string::npos;
            if (!hexFloat) {
                fail(t.offset, "unable to parse literal as a float: " + s +
                                   " (hexadecimal, octal and binary integers are not supported)");
                return false;
            }
        }
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end != s.c_str() + s.size()) {
            fail(t.offset, "invalid number literal " + s);
            return false;
        }
        out->text = std::string(sign) + s;
        out->value = sign == "-" ? -v : v;
        return true;
    }

    bool duration(DurationLit* out) {
        if (cur().kind != TokenKind::kDuration) {
            syntaxError("DURATION");
            return false;
        }
        out->text = cur().text;
        parseLogqlDuration(cur().text, &out->nanos);
        advance();
        return true;
    }

    bool labelList(std::vector<std::string>* labels) {
        if (!expect(TokenKind::kLeftParen))
            return false;
        while (cur().kind != TokenKind::kRightParen) {
            if (cur().kind != TokenKind::kIdentifier) {
                syntaxError("IDENTIFIER");
                return false;
            }
            labels->push_back(cur().text);
            advance();
            if (cur().kind == TokenKind::kComma)
                advance();
            else if (cur().kind != TokenKind::kRightParen) {
                syntaxError("\",\" or \")\"");
                return false;
            }
        }
        advance();
        return true;
    }

    bool grouping(std::optional<Grouping>* out) {
        Grouping g;
        g.without = isWord("without");
        advance();
        if (!labelList(&g.labels))
            return false;
        *out = std::move(g);
        return true;
    }

    // --- log selector and pipeline -----------------------------------------
    bool parseSelector(LogSelector* selector) {
        const std::size_t braceAt = cur().offset;
        if (!expect(TokenKind::kLeftBrace))
            return false;
        while (true) {
            if (cur().kind != TokenKind::kIdentifier) {
                syntaxError("IDENTIFIER");
                return false;
            }
            std::string name = cur().text;
            advance();
            model::MatchType type;
            switch (cur().kind) {
                case TokenKind::kEq:
                    type = model::MatchType::kEqual;
                    break;
                case TokenKind::kNeq:
                    type = model::MatchType::kNotEqual;
                    break;
                case TokenKind::kRe:
                    type = model::MatchType::kRegexp;
                    break;
                case TokenKind::kNre:
                    type = model::MatchType::kNotRegexp;
                    break;
                default:
                    syntaxError("=, !=, =~ or !~");
                    return false;
            }
            advance();
            if (cur().kind != TokenKind::kString) {
                syntaxError("STRING");
                return false;
            }
            auto matcher = model::Matcher::make(type, name, cur().text);
            if (!matcher) {
                fail(cur().offset, matcher.status().message());
                return false;
            }
            selector->matchers.push_back(std::move(*matcher));
            advance();
            if (cur().kind == TokenKind::kComma) {
                advance();
                continue;
            }
            if (cur().kind == TokenKind::kRightBrace) {
                advance();
                break;
            }
            syntaxError("\",\" or \"}\"");
            return false;
        }
        const bool hasReal = std::any_of(selector->matchers.begin(), selector->matchers.end(),
                                         [](const model::Matcher& m) { return !m.matchesEmpty(); });
        if (!hasReal) {
            fail(
                braceAt,
                "queries require at least one regexp or equality matcher that does not have an "
                "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, "
                "but app=~\".+\" will");
            return false;
        }
        return true;
    }

    static bool isLineFilterOp(TokenKind k) {
        return k == TokenKind::kPipeExact || k == TokenKind::kNeq || k == TokenKind::kPipeMatch ||
               k == TokenKind::kNre || k == TokenKind::kPipePattern || k == TokenKind::kNotPattern;
    }

    // True when the tokens at the cursor start a label filter primary.
    bool atLabelFilterStart() const {
        if (cur().kind == TokenKind::kLeftParen)
            return true;
        return cur().kind == TokenKind::kIdentifier && isComparison(ahead().kind);
    }

    // Stages after the selector. With `unwrap` non-null an `| unwrap` stage
    // (and the label filters after it) is accepted and stored there.
    bool parsePipeline(LogSelector* selector, std::optional<Unwrap>* unwrap) {
        while (!m_failed) {
            if (isLineFilterOp(cur().kind)) {
                Stage stage;
                stage.kind = Stage::Kind::kLineFilter;
                LineFilter filter;
                if (!lineFilter(&filter))
                    return false;
                stage.lineFilters.push_back(std::move(filter));
                selector->stages.push_back(std::move(stage));
                continue;
            }
            if (cur().kind != TokenKind::kPipe)
                return true;
            advance();
            if (cur().kind == TokenKind::kIdentifier && contains(kStageKeywords, cur().text) &&
                !isComparison(ahead().kind)) {
                if (cur().text == "unwrap") {
                    if (unwrap == nullptr) {
                        syntaxError();
                        return false;
                    }
                    return parseUnwrap(unwrap);
                }
                Stage stage;
                if (!parseStage(&stage))
                    return false;
                selector->stages.push_back(std::move(stage));
                continue;
            }
            if (atLabelFilterStart()) {
                Stage stage;
                stage.kind = Stage::Kind::kLabelFilter;
                stage.labelFilter = labelFilterOr();
                if (!stage.labelFilter)
                    return false;
                selector->stages.push_back(std::move(stage));
                continue;
            }
            syntaxError();
            return false;
        }
        return false;
    }

    bool parseUnwrap(std::optional<Unwrap>* out) {
        advance();  // unwrap
        Unwrap u;
        if (cur().kind != TokenKind::kIdentifier) {
            syntaxError("IDENTIFIER");
            return false;
        }
        if (ahead().kind == TokenKind::kLeftParen) {
            const std::string& conv = cur().text;
            if (conv == "duration")
                u.conversion = Unwrap::Conversion::kDuration;
            else if (conv == "duration_seconds")
                u.conversion = Unwrap::Conversion::kDurationSeconds;
            else if (conv == "bytes")
                u.conversion = Unwrap::Conversion::kBytes;
            else {
                fail(cur().offset, "invalid unwrap conversion " + conv +
                                       ": expecting duration, duration_seconds or bytes");
                return false;
            }
            advance();
            advance();
            if (cur().kind != TokenKind::kIdentifier) {
                syntaxError("IDENTIFIER");
                return false;
            }
            u.label = cur().text;
            advance();
            if (!expect(TokenKind::kRightParen))
                return false;
        } else {
            u.label = cur().text;
            advance();
        }
        // Only label filters may follow an unwrap.
        while (cur().kind == TokenKind::kPipe) {
            advance();
            if (!atLabelFilterStart()) {
                syntaxError("a label filter (only label filters may follow unwrap)");
                return false;
            }
            LabelFilterPtr f = labelFilterOr();
            if (!f)
                return false;
            u.postFilters.push_back(std::move(f));
        }
        *out = std::move(u);
        return true;
    }

    bool lineFilter(LineFilter* filter) {
        switch (cur().kind) {
            case TokenKind::kPipeExact:
                filter->op = LineFilterOp::kContains;
                break;
            case TokenKind::kNeq:
                filter->op = LineFilterOp::kNotContains;
                break;
            case TokenKind::kPipeMatch:
                filter->op = LineFilterOp::kRegexp;
                break;
            case TokenKind::kNre:
                filter->op = LineFilterOp::kNotRegexp;
                break;
            case TokenKind::kPipePattern:
                filter->op = LineFilterOp::kPattern;
                break;
            default:
                filter->op = LineFilterOp::kNotPattern;
                break;
        }
        advance();
        while (true) {
            LineFilterValue v;
            const std::size_t at = cur().offset;
            if (isWord("ip") && ahead().kind == TokenKind::kLeftParen) {
                advance();
                advance();
                if (cur().kind != TokenKind::kString) {
                    syntaxError("STRING");
                    return false;
                }
                v.ip = true;
                v.value = cur().text;
                advance();
                if (!expect(TokenKind::kRightParen))
                    return false;
                if (filter->op != LineFilterOp::kContains &&
                    filter->op != LineFilterOp::kNotContains) {
                    fail(at, std::string("ip: invalid operation: ip() line filter is only "
                                         "supported with |= and !=, not ") +
                                 lineFilterOpString(filter->op));
                    return false;
                }
                if (Status s = checkIpFilter(v.value); !s.isOk()) {
                    fail(at, s.message());
                    return false;
                }
            } else if (cur().kind == TokenKind::kString) {
                v.value = cur().text;
                advance();
                if (filter->op == LineFilterOp::kRegexp || filter->op == LineFilterOp::kNotRegexp) {
                    if (Status s = checkRegex(v.value); !s.isOk()) {
                        fail(at, s.message());
                        return false;
                    }
                } else if (filter->op == LineFilterOp::kPattern ||
                           filter->op == LineFilterOp::kNotPattern) {
                    auto info = parsePattern(v.value);
                    if (!info) {
                        fail(at, info.status().message());
                        return false;
                    }
                    if (!info->names.empty()) {
                        fail(at, "pattern line filter " + vigil::goQuote(v.value) +
                                     ": named captures are not allowed, use <_> (capture <" +
                                     info->names.front() + ">)");
                        return false;
                    }
                }
            } else {
                syntaxError("STRING");
                return false;
            }
            filter->alternatives.push_back(std::move(v));
            if (isWord("or") && (ahead().kind == TokenKind::kString ||
                                 (ahead().kind == TokenKind::kIdentifier && ahead().text == "ip" &&
                                  ahead(2).kind == TokenKind::kLeftParen))) {
                advance();
                continue;
            }
            return true;
        }
    }

    // label filter := and-expr ("or" and-expr)*
    LabelFilterPtr labelFilterOr() {
        LabelFilterPtr left = labelFilterAnd();
        while (left && isWord("or")) {
            advance();
            LabelFilterPtr right = labelFilterAnd();
            if (!right)
                return nullptr;
            auto node = std::make_shared<LabelFilter>();
            node->kind = LabelFilter::Kind::kOr;
            node->left = std::move(left);
            node->right = std::move(right);
            left = std::move(node);
        }
        return left;
    }

    // and-expr := primary (("and" | "," | <nothing>) primary)*
    LabelFilterPtr labelFilterAnd() {
        LabelFilterPtr left = labelFilterPrimary();
        while (left) {
            if (isWord("and") || cur().kind == TokenKind::kComma) {
                advance();
            } else if (!(cur().kind == TokenKind::kIdentifier && cur().text != "or" &&
                         isComparison(ahead().kind)) &&
                       cur().kind != TokenKind::kLeftParen) {
                break;
            }
            LabelFilterPtr right = labelFilterPrimary();
            if (!right)
                return nullptr;
            auto node = std::make_shared<LabelFilter>();
            node->kind = LabelFilter::Kind::kAnd;
            node->left = std::move(left);
            node->right = std::move(right);
            left = std::move(node);
        }
        return left;
    }

    LabelFilterPtr labelFilterPrimary() {
        if (cur().kind == TokenKind::kLeftParen) {
            advance();
            LabelFilterPtr inner = labelFilterOr();
            if (!inner || !expect(TokenKind::kRightParen))
                return nullptr;
            return inner;
        }
        if (cur().kind != TokenKind::kIdentifier)
            return syntaxError("IDENTIFIER");
        auto f = std::make_shared<LabelFilter>();
        f->name = cur().text;
        advance();
        const TokenKind opKind = cur().kind;
        switch (opKind) {
            case TokenKind::kEq:
                f->op = LabelCmp::kEq;
                break;
            case TokenKind::kNeq:
                f->op = LabelCmp::kNeq;
                break;
            case TokenKind::kRe:
                f->op = LabelCmp::kRe;
                break;
            case TokenKind::kNre:
                f->op = LabelCmp::kNre;
                break;
            case TokenKind::kCmpEq:
                f->op = LabelCmp::kCmpEq;
                break;
            case TokenKind::kGtr:
                f->op = LabelCmp::kGtr;
                break;
            case TokenKind::kGte:
                f->op = LabelCmp::kGte;
                break;
            case TokenKind::kLss:
                f->op = LabelCmp::kLss;
                break;
            case TokenKind::kLte:
                f->op = LabelCmp::kLte;
                break;
            default:
                return syntaxError("a comparison operator");
        }
        advance();
        const bool stringOp = opKind == TokenKind::kEq || opKind == TokenKind::kNeq ||
                              opKind == TokenKind::kRe || opKind == TokenKind::kNre;
        const bool numericOp = opKind != TokenKind::kRe && opKind != TokenKind::kNre;
        const std::size_t valueAt = cur().offset;
        if (cur().kind == TokenKind::kString) {
            if (!stringOp)
                return syntaxError("NUMBER, DURATION or BYTES");
            f->kind = LabelFilter::Kind::kString;
            f->text = cur().text;
            if (opKind == TokenKind::kRe || opKind == TokenKind::kNre) {
                auto m = model::Matcher::make(model::MatchType::kRegexp, f->name, f->text);
                if (!m) {
                    fail(valueAt, m.status().message());
                    return nullptr;
                }
            }
            advance();
            return f;
        }
        if (isWord("ip") && ahead().kind == TokenKind::kLeftParen) {
            if (opKind != TokenKind::kEq && opKind != TokenKind::kNeq)
                return syntaxError("STRING, NUMBER, DURATION or BYTES (ip() takes = or !=)");
            advance();
            advance();
            if (cur().kind != TokenKind::kString)
                return syntaxError("STRING");
            f->kind = LabelFilter::Kind::kIp;
            f->text = cur().text;
            advance();
            if (!expect(TokenKind::kRightParen))
                return nullptr;
            if (Status s = checkIpFilter(f->text); !s.isOk()) {
                fail(valueAt, s.message());
                return nullptr;
            }
            return f;
        }
        std::string sign;
        if ((cur().kind == TokenKind::kSub || cur().kind == TokenKind::kAdd) &&
            (ahead().kind == TokenKind::kNumber || ahead().kind == TokenKind::kDuration ||
             ahead().kind == TokenKind::kBytes) &&
            ahead().offset == cur().offset + 1) {
            sign = cur().text;
            advance();
        }
        const TokenKind vk = cur().kind;
        if (vk != TokenKind::kNumber && vk != TokenKind::kDuration && vk != TokenKind::kBytes)
            return syntaxError(numericOp ? "STRING, NUMBER, DURATION or BYTES" : "STRING");
        if (!numericOp)
            return syntaxError("STRING");
        if (vk == TokenKind::kNumber) {
            NumberLit lit;
            if (!numberLiteral(cur(), sign, &lit))
                return nullptr;
            f->kind = LabelFilter::Kind::kNumber;
            f->text = lit.text;
            f->number = lit.value;
        } else if (vk == TokenKind::kDuration) {
            f->kind = LabelFilter::Kind::kDuration;
            f->text = sign + cur().text;
            parseLogqlDuration(cur().text, &f->nanos);
            if (sign == "-")
                f->nanos = -f->nanos;
        } else {
            f->kind = LabelFilter::Kind::kBytes;
            f->text = sign + cur().text;
            parseLogqlBytes(cur().text, &f->number);
            if (sign == "-")
                f->number = -f->number;
        }
        advance();
        return f;
    }

    bool extractionParams(Stage* stage, bool jsonPaths) {
        while (cur().kind == TokenKind::kIdentifier) {
            ExtractionParam p;
            p.label = cur().text;
            advance();
            if (cur().kind == TokenKind::kEq) {
                advance();
                if (cur().kind != TokenKind::kString) {
                    syntaxError("STRING");
                    return false;
                }
                if (jsonPaths) {
                    if (Status s = checkJsonPath(cur().text); !s.isOk()) {
                        fail(cur().offset, s.message());
                        return false;
                    }
                }
                p.expression = cur().text;
                advance();
            }
            stage->params.push_back(std::move(p));
            if (cur().kind != TokenKind::kComma)
                break;
            advance();
            if (cur().kind != TokenKind::kIdentifier) {
                syntaxError("IDENTIFIER");
                return false;
            }
        }
        return true;
    }

    bool stringArgument(Stage* stage) {
        if (cur().kind != TokenKind::kString) {
            syntaxError("STRING");
            return false;
        }
        stage->text = cur().text;
        advance();
        return true;
    }

    bool templateArgument(std::string_view text, std::size_t at) {
        if (Status s = checkTemplate(text); !s.isOk()) {
            fail(at, s.message());
            return false;
        }
        return true;
    }

    bool parseStage(Stage* stage) {
        const std::string word = cur().text;
        const std::size_t wordAt = cur().offset;
        advance();
        if (word == "json") {
            stage->kind = Stage::Kind::kJson;
            return extractionParams(stage, true);
        }
        if (word == "logfmt") {
            stage->kind = Stage::Kind::kLogfmt;
            while (cur().kind == TokenKind::kFlag) {
                if (cur().text == "--strict")
                    stage->strict = true;
                else if (cur().text == "--keep-empty")
                    stage->keepEmpty = true;
                else {
                    fail(cur().offset, "syntax error: unknown logfmt flag " + cur().text +
                                           ", expecting --strict or --keep-empty");
                    return false;
                }
                advance();
            }
            return extractionParams(stage, false);
        }
        if (word == "regexp") {
            stage->kind = Stage::Kind::kRegexp;
            const std::size_t at = cur().offset;
            if (!stringArgument(stage))
                return false;
            auto names = checkRegexpParser(stage->text);
            if (!names) {
                fail(at, names.status().message());
                return false;
            }
            return true;
        }
        if (word == "pattern") {
            stage->kind = Stage::Kind::kPattern;
            const std::size_t at = cur().offset;
            if (!stringArgument(stage))
                return false;
            auto info = parsePattern(stage->text);
            if (!info) {
                fail(at, info.status().message());
                return false;
            }
            if (info->names.empty()) {
                fail(at, "pattern " + vigil::goQuote(stage->text) +
                             ": at least one capture is required");
                return false;
            }
            return true;
        }
        if (word == "unpack") {
            stage->kind = Stage::Kind::kUnpack;
            return true;
        }
        if (word == "decolorize") {
            stage->kind = Stage::Kind::kDecolorize;
            return true;
        }
        if (word == "line_format") {
            stage->kind = Stage::Kind::kLineFormat;
            const std::size_t at = cur().offset;
            return stringArgument(stage) && templateArgument(stage->text, at);
        }
        if (word == "label_format") {
            stage->kind = Stage::Kind::kLabelFormat;
            while (true) {
                if (cur().kind != TokenKind::kIdentifier) {
                    syntaxError("IDENTIFIER");
                    return false;
                }
                LabelFormatItem item;
                item.destination = cur().text;
                const std::size_t at = cur().offset;
                advance();
                if (!expect(TokenKind::kEq))
                    return false;
                if (cur().kind == TokenKind::kString) {
                    item.isTemplate = true;
                    item.source = cur().text;
                    if (!templateArgument(item.source, cur().offset))
                        return false;
                } else if (cur().kind == TokenKind::kIdentifier) {
                    item.source = cur().text;
                } else {
                    syntaxError("IDENTIFIER or STRING");
                    return false;
                }
                advance();
                for (const auto& other : stage->labelFormats) {
                    if (other.destination == item.destination) {
                        fail(at, "label_format: label " + item.destination +
                                     " may only be set once per stage");
                        return false;
                    }
                }
                stage->labelFormats.push_back(std::move(item));
                if (cur().kind != TokenKind::kComma)
                    return true;
                advance();
            }
        }
        if (word == "drop" || word == "keep") {
            stage->kind = word == "drop" ? Stage::Kind::kDrop : Stage::Kind::kKeep;
            while (true) {
                if (cur().kind != TokenKind::kIdentifier) {
                    syntaxError("IDENTIFIER");
                    return false;
                }
                NamedMatcher nm;
                nm.name = cur().text;
                advance();
                model::MatchType type = model::MatchType::kEqual;
                bool hasOp = true;
                switch (cur().kind) {
                    case TokenKind::kEq:
                        type = model::MatchType::kEqual;
                        break;
                    case TokenKind::kNeq:
                        type = model::MatchType::kNotEqual;
                        break;
                    case TokenKind::kRe:
                        type = model::MatchType::kRegexp;
                        break;
                    case TokenKind::kNre:
                        type = model::MatchType::kNotRegexp;
                        break;
                    default:
                        hasOp = false;
                        break;
                }
                if (hasOp) {
                    advance();
                    if (cur().kind != TokenKind::kString) {
                        syntaxError("STRING");
                        return false;
                    }
                    auto m = model::Matcher::make(type, nm.name, cur().text);
                    if (!m) {
                        fail(cur().offset, m.status().message());
                        return false;
                    }
                    nm.matcher = std::move(*m);
                    advance();
                }
                stage->names.push_back(std::move(nm));
                if (cur().kind != TokenKind::kComma)
                    return true;
                advance();
            }
        }
        fail(wordAt, "syntax error: unexpected " + word);
        return false;
    }

    // --- metric expressions ------------------------------------------------
    ExprPtr parseBinary(int minPrec) {
        ExprPtr lhs = parseUnary();
        while (lhs) {
            const Token opTok = cur();
            const int prec = precedence(opTok);
            if (prec == 0 || prec < minPrec)
                break;
            advance();
            auto bin = std::make_shared<BinaryExpr>();
            bin->op = opTok.text;
            const bool comparison = prec == 3;
            const bool setOp = prec <= 2;
            if (isWord("bool")) {
                if (!comparison) {
                    fail(cur().offset, "bool modifier can only be used on comparison operators");
                    return nullptr;
                }
                bin->returnBool = true;
                advance();
            }
            if (isWord("on") || isWord("ignoring")) {
                VectorMatching m;
                m.on = isWord("on");
                advance();
                if (!labelList(&m.labels))
                    return nullptr;
                if (isWord("group_left") || isWord("group_right")) {
                    if (setOp) {
                        fail(cur().offset, "no grouping allowed for \"" + bin->op + "\" operation");
                        return nullptr;
                    }
                    m.card = isWord("group_left") ? VectorMatching::Card::kGroupLeft
                                                  : VectorMatching::Card::kGroupRight;
                    advance();
                    if (cur().kind == TokenKind::kLeftParen && !labelList(&m.include))
                        return nullptr;
                }
                bin->matching = std::move(m);
            }
            // ^ is right-associative, the others left-associative.
            ExprPtr rhs = parseBinary(opTok.kind == TokenKind::kPow ? prec : prec + 1);
            if (!rhs)
                return nullptr;
            if (setOp && (isScalar(*lhs) || isScalar(*rhs))) {
                fail(opTok.offset, std::string("unexpected literal for ") +
                                       (isScalar(*lhs) ? "left" : "right") +
                                       " leg of logical/set binary operation (" + bin->op + ")");
                return nullptr;
            }
            bin->lhs = std::move(lhs);
            bin->rhs = std::move(rhs);
            lhs = std::move(bin);
        }
        return lhs;
    }

    ExprPtr parseUnary() {
        const Token& t = cur();
        if (t.kind == TokenKind::kSub || t.kind == TokenKind::kAdd) {
            // LogQL's unary minus only applies to number literals.
            const std::string sign = t.text;
            advance();
            if (cur().kind != TokenKind::kNumber)
                return syntaxError("NUMBER");
            NumberLit lit;
            if (!numberLiteral(cur(), sign, &lit))
                return nullptr;
            advance();
            return std::make_shared<LiteralExpr>(std::move(lit));
        }
        if (t.kind == TokenKind::kNumber) {
            NumberLit lit;
            if (!numberLiteral(t, "", &lit))
                return nullptr;
            advance();
            return std::make_shared<LiteralExpr>(std::move(lit));
        }
        if (t.kind == TokenKind::kLeftParen) {
            advance();
            ExprPtr inner = parseBinary(1);
            if (!inner || !expect(TokenKind::kRightParen))
                return nullptr;
            return std::make_shared<ParenExpr>(std::move(inner));
        }
        if (t.kind == TokenKind::kIdentifier) {
            if (contains(kRangeOps, t.text))
                return parseRangeAggregation();
            if (contains(kVectorOps, t.text))
                return parseVectorAggregation();
            if (t.text == "vector")
                return parseVector();
            if (t.text == "label_replace")
                return parseLabelReplace();
        }
        return syntaxError();
    }

    ExprPtr parseVector() {
        advance();
        if (!expect(TokenKind::kLeftParen))
            return nullptr;
        std::string sign;
        if (cur().kind == TokenKind::kSub || cur().kind == TokenKind::kAdd) {
            sign = cur().text;
            advance();
        }
        if (cur().kind != TokenKind::kNumber)
            return syntaxError("NUMBER");
        NumberLit lit;
        if (!numberLiteral(cur(), sign, &lit))
            return nullptr;
        advance();
        if (!expect(TokenKind::kRightParen))
            return nullptr;
        return std::make_shared<VectorExpr>(std::move(lit));
    }

    ExprPtr parseLabelReplace() {
        advance();
        auto e = std::make_shared<LabelReplaceExpr>();
        if (!expect(TokenKind::kLeftParen))
            return nullptr;
        e->inner = parseBinary(1);
        if (!e->inner)
            return nullptr;
        std::string* args[] = {&e->destination, &e->replacement, &e->source, &e->regex};
        std::size_t regexAt = 0;
        for (std::string* arg : args) {
            if (!expect(TokenKind::kComma))
                return nullptr;
            if (cur().kind != TokenKind::kString)
                return syntaxError("STRING");
            *arg = cur().text;
            regexAt = cur().offset;
            advance();
        }
        if (!expect(TokenKind::kRightParen))
            return nullptr;
        if (Status s = checkRegex(e->regex); !s.isOk()) {
            fail(regexAt, "label_replace(): " + s.message());
            return nullptr;
        }
        return e;
    }

    ExprPtr parseRangeAggregation() {
        auto e = std::make_shared<RangeAggregationExpr>();
        const std::size_t opAt = cur().offset;
        e->op = cur().text;
        advance();
        if (!expect(TokenKind::kLeftParen))
            return nullptr;
        if (cur().kind == TokenKind::kNumber) {
            NumberLit lit;
            if (!numberLiteral(cur(), "", &lit))
                return nullptr;
            advance();
            if (!expect(TokenKind::kComma))
                return nullptr;
            e->param = std::move(lit);
        }
        if (cur().kind == TokenKind::kLeftParen) {
            // ({selector} | pipeline)[range]
            advance();
            if (!parseSelector(&e->selector) || !parsePipeline(&e->selector, &e->unwrap) ||
                !expect(TokenKind::kRightParen))
                return nullptr;
            if (!logRange(e.get()))
                return nullptr;
        } else {
            if (cur().kind != TokenKind::kLeftBrace)
                return syntaxError("\"{\"");
            if (!parseSelector(&e->selector) || !parsePipeline(&e->selector, &e->unwrap))
                return nullptr;
            const bool pipelineBefore = !e->selector.stages.empty() || e->unwrap.has_value();
            if (cur().kind != TokenKind::kLeftBracket)
                return syntaxError("\"[\"");
            if (!logRange(e.get()))
                return nullptr;
            // {selector}[range] | pipeline is also accepted.
            if (!pipelineBefore && !parsePipeline(&e->selector, &e->unwrap))
                return nullptr;
        }
        if (!expect(TokenKind::kRightParen))
            return nullptr;
        if (isWord("by") || isWord("without")) {
            if (!grouping(&e->grouping))
                return nullptr;
        }
        if (!validateRange(*e, opAt))
            return nullptr;
        return e;
    }

    bool logRange(RangeAggregationExpr* e) {
        if (!expect(TokenKind::kLeftBracket))
            return false;
        if (!duration(&e->range))
            return false;
        if (!expect(TokenKind::kRightBracket))
            return false;
        if (isWord("offset")) {
            advance();
            DurationLit offset;
            if (!duration(&offset))
                return false;
            e->offset = std::move(offset);
        }
        return true;
    }

    bool validateRange(const RangeAggregationExpr& e, std::size_t at) {
        const std::string& op = e.op;
        if (op == "quantile_over_time" && !e.param) {
            fail(at, "parameter required for operation " + op);
            return false;
        }
        if (op != "quantile_over_time" && e.param) {
            fail(at, "parameter not allowed for operation " + op);
            return false;
        }
        if (e.grouping && !contains(kGroupable, op)) {
            fail(at, "grouping not allowed for " + op + " aggregation");
            return false;
        }
        if (e.unwrap && contains(kNoUnwrap, op)) {
            fail(at, "invalid aggregation " + op + " with unwrap");
            return false;
        }
        if (!e.unwrap && contains(kNeedUnwrap, op)) {
            fail(at, "invalid aggregation " + op + " without unwrap");
            return false;
        }
        return true;
    }

    ExprPtr parseVectorAggregation() {
        auto e = std::make_shared<VectorAggregationExpr>();
        const std::size_t opAt = cur().offset;
        e->op = cur().text;
        advance();
        if ((isWord("by") || isWord("without")) && !grouping(&e->grouping))
            return nullptr;
        if (!expect(TokenKind::kLeftParen))
            return nullptr;
        std::size_t paramAt = 0;
        if (cur().kind == TokenKind::kNumber && ahead().kind == TokenKind::kComma) {
            NumberLit lit;
            paramAt = cur().offset;
            if (!numberLiteral(cur(), "", &lit))
                return nullptr;
            advance();
            advance();
            e->param = std::move(lit);
        }
        e->inner = parseBinary(1);
        if (!e->inner || !expect(TokenKind::kRightParen))
            return nullptr;
        if (!e->grouping && (isWord("by") || isWord("without")) && !grouping(&e->grouping))
            return nullptr;
        const std::string& op = e->op;
        const bool takesK = op == "topk" || op == "bottomk" || op == "approx_topk";
        if (takesK) {
            if (!e->param) {
                fail(opAt, "parameter required for operation " + op);
                return nullptr;
            }
            const double k = e->param->value;
            if (k != std::floor(k) || k <= 0 ||
                e->param->text.find_first_of(".eE") != std::string::npos) {
                fail(paramAt, "invalid parameter for operation " + op + ": " + e->param->text +
                                  " (k must be a positive integer)");
                return nullptr;
            }
        } else if (e->param) {
            fail(paramAt, "parameter not allowed for operation " + op);
            return nullptr;
        }
        if ((op == "sort" || op == "sort_desc" || op == "approx_topk") && e->grouping) {
            fail(opAt, "grouping not allowed for " + op + " aggregation");
            return nullptr;
        }
        return e;
    }

    std::string_view m_in;
    std::vector<Token> m_tokens;
    std::size_t m_pos = 0;
    bool m_failed = false;
    ParseError m_error;
};

}  // namespace

std::string ParseError::toString() const {
    return "parse error at line " + std::to_string(line) + ", col " + std::to_string(column) +
           ": " + message;
}

ExprPtr parse(std::string_view query, ParseError* error) {
    return Parser(query).run(error);
}

Result<ExprPtr> parse(std::string_view query) {
    ParseError error;
    ExprPtr expr = parse(query, &error);
    if (!expr)
        return Status::error(error.toString());
    return expr;
}

}  // namespace vigil::logql
