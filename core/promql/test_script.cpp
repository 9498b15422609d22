#include "core/promql/test_script.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include <re2/re2.h>

#include "core/model/in_memory_storage.h"
#include "core/promql/eval_support.h"
#include "core/promql/evaluator.h"
#include "core/promql/functions.h"
#include "core/promql/parser.h"
#include "core/util/go_float.h"
#include "core/util/human_units.h"

namespace vigil::promql {

namespace {

using model::Labels;
using model::Timestamp;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kNativeReason = "native histograms are not supported";

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r'))
        ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
        --e;
    return std::string(s.substr(b, e - b));
}

std::vector<std::string> splitWs(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
            ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t')
            ++j;
        if (j > i)
            out.emplace_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

// Test-file times: Prometheus durations, optionally negative.
std::optional<Timestamp> parseTime(std::string_view s) {
    bool neg = false;
    if (!s.empty() && s[0] == '-') {
        neg = true;
        s.remove_prefix(1);
    }
    auto d = parseDuration(s);
    if (!d)
        return std::nullopt;
    return neg ? -d->count() : d->count();
}

bool ieq(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// Go's strconv.ParseFloat (decimal forms and Inf/NaN spellings).
std::optional<double> parseFloatGo(std::string_view s) {
    if (s.empty())
        return std::nullopt;
    std::string_view body = s;
    bool neg = false;
    if (body[0] == '+' || body[0] == '-') {
        neg = body[0] == '-';
        body.remove_prefix(1);
    }
    if (ieq(body, "inf") || ieq(body, "infinity"))
        return neg ? -std::numeric_limits<double>::infinity()
                   : std::numeric_limits<double>::infinity();
    if (ieq(body, "nan"))
        return kNaN;
    if (body.empty())
        return std::nullopt;
    for (char c : body)
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' ||
              c == 'x' || c == 'X' || c == 'p' || c == 'P' || (c >= 'a' && c <= 'f') ||
              (c >= 'A' && c <= 'F') || c == '_'))
            return std::nullopt;
    std::string tmp(s);
    char* end = nullptr;
    const double v = std::strtod(tmp.c_str(), &end);
    if (end != tmp.c_str() + tmp.size())
        return std::nullopt;
    return v;
}

// A number in an expected line: Go's ParseInt(s, 0, 64) first, then ParseFloat.
std::optional<double> parseNumber(std::string_view s) {
    {
        std::string_view b = s;
        bool neg = false;
        if (!b.empty() && (b[0] == '+' || b[0] == '-')) {
            neg = b[0] == '-';
            b.remove_prefix(1);
        }
        int base = 10;
        if (b.size() > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) {
            base = 16;
            b.remove_prefix(2);
        } else if (b.size() > 2 && b[0] == '0' && (b[1] == 'o' || b[1] == 'O')) {
            base = 8;
            b.remove_prefix(2);
        } else if (b.size() > 2 && b[0] == '0' && (b[1] == 'b' || b[1] == 'B')) {
            base = 2;
            b.remove_prefix(2);
        } else if (b.size() > 1 && b[0] == '0') {
            base = 8;
            b.remove_prefix(1);
        }
        bool ok = !b.empty();
        long long v = 0;
        for (char c : b) {
            int d = -1;
            if (c >= '0' && c <= '9')
                d = c - '0';
            if (c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            if (c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            if (d < 0 || d >= base) {
                ok = false;
                break;
            }
            v = v * base + d;
        }
        if (ok)
            return neg ? -static_cast<double>(v) : static_cast<double>(v);
    }
    return parseFloatGo(s);
}

struct SeqItem {
    bool omitted = false;
    double v = 0;
};

// Expands one value item of a load/expected line: 7, _, _x3, stale, 1+2x3, 1-2x3, 5x3.
bool expandItem(std::string_view item, std::vector<SeqItem>& out, std::string* error) {
    if (item == "_") {
        out.push_back({true, 0});
        return true;
    }
    if (item.size() > 2 && item[0] == '_' && item[1] == 'x') {
        const int n = std::atoi(std::string(item.substr(2)).c_str());
        for (int i = 0; i < n; ++i)
            out.push_back({true, 0});
        return true;
    }
    if (ieq(item, "stale")) {
        out.push_back({false, model::staleNaN()});
        return true;
    }
    if (auto v = parseFloatGo(item); v && item.find('x') == std::string_view::npos) {
        out.push_back({false, *v});
        return true;
    }
    const std::size_t x = item.rfind('x');
    if (x != std::string_view::npos && x + 1 < item.size()) {
        const std::string_view countStr = item.substr(x + 1);
        bool digits = true;
        for (char c : countStr)
            digits = digits && c >= '0' && c <= '9';
        if (digits) {
            const long n = std::atol(std::string(countStr).c_str());
            const std::string_view head = item.substr(0, x);
            // Split a[+-]b: the operator is a sign not at position 0 and not after e/E.
            std::size_t op = std::string_view::npos;
            for (std::size_t i = 1; i < head.size(); ++i)
                if ((head[i] == '+' || head[i] == '-') && head[i - 1] != 'e' && head[i - 1] != 'E')
                    op = i;
            std::optional<double> a, b;
            if (op == std::string_view::npos) {
                a = parseFloatGo(head);
                b = 0;
            } else {
                a = parseFloatGo(head.substr(0, op));
                b = parseFloatGo(head.substr(op + 1));
                if (b && head[op] == '-')
                    b = -*b;
            }
            if (a && b) {
                double cur = *a;
                out.push_back({false, cur});
                for (long i = 0; i < n; ++i) {
                    cur += *b;
                    out.push_back({false, cur});
                }
                return true;
            }
        }
    }
    *error = "invalid value \"" + std::string(item) + "\"";
    return false;
}

// Splits `name{a="b"} rest` into descriptor and the rest.
bool splitDescriptor(std::string_view line, std::string* desc, std::string* rest) {
    std::size_t i = 0;
    bool inQuote = false;
    char quote = 0;
    int depth = 0;
    for (; i < line.size(); ++i) {
        const char c = line[i];
        if (inQuote) {
            if (c == '\\') {
                ++i;
                continue;
            }
            if (c == quote)
                inQuote = false;
            continue;
        }
        if (c == '"' || c == '\'' || c == '`') {
            inQuote = true;
            quote = c;
            continue;
        }
        if (c == '{')
            depth++;
        if (c == '}') {
            depth--;
            if (depth == 0) {
                ++i;
                break;
            }
        }
        if ((c == ' ' || c == '\t') && depth == 0)
            break;
    }
    *desc = trim(line.substr(0, i));
    *rest = trim(line.substr(std::min(i, line.size())));
    return !desc->empty();
}

Result<Labels> parseDescriptor(const std::string& desc) {
    if (desc == "{}")
        return Labels{};
    auto m = parseSeriesSelector(desc);
    if (!m)
        return m.status();
    std::vector<model::Label> labels;
    for (const auto& matcher : *m) {
        if (matcher.type() != model::MatchType::kEqual)
            return Status::error("series descriptor " + desc + " may only use = matchers");
        labels.push_back({matcher.name(), matcher.value()});
    }
    return Labels::fromUnsorted(std::move(labels));
}

bool almostEqual(double a, double b) {
    constexpr double kEpsilon = 0.000001;
    constexpr double kMinNormal = std::numeric_limits<double>::min();
    if (std::isnan(a) && std::isnan(b))
        return true;
    if (a == b)
        return true;
    const double diff = std::fabs(a - b);
    if (a == 0 || b == 0 || diff < kMinNormal)
        return diff < kEpsilon * kMinNormal;
    return diff / (std::fabs(a) + std::fabs(b)) < kEpsilon;
}

void walk(const Expr& e, const std::function<void(const Expr&)>& fn) {
    fn(e);
    switch (e.kind) {
        case NodeKind::kParen:
            walk(*static_cast<const ParenExpr&>(e).expr, fn);
            break;
        case NodeKind::kUnary:
            walk(*static_cast<const UnaryExpr&>(e).expr, fn);
            break;
        case NodeKind::kBinary:
            walk(*static_cast<const BinaryExpr&>(e).lhs, fn);
            walk(*static_cast<const BinaryExpr&>(e).rhs, fn);
            break;
        case NodeKind::kAggregate: {
            const auto& a = static_cast<const AggregateExpr&>(e);
            if (a.param)
                walk(*a.param, fn);
            walk(*a.expr, fn);
            break;
        }
        case NodeKind::kCall:
            for (const auto& arg : static_cast<const Call&>(e).args)
                walk(*arg, fn);
            break;
        case NodeKind::kSubquery:
            walk(*static_cast<const SubqueryExpr&>(e).expr, fn);
            break;
        case NodeKind::kMatrixSelector:
            walk(*static_cast<const MatrixSelector&>(e).selector, fn);
            break;
        default:
            break;
    }
}

// Adds `@ ts` like the reference runner's atModifierTestCases.
void setAt(Expr& e, Timestamp ts) {
    switch (e.kind) {
        case NodeKind::kVectorSelector: {
            auto& m = static_cast<VectorSelector&>(e).modifiers;
            if (m.at == AtKind::kNone) {
                m.at = AtKind::kTimestamp;
                m.atMs = ts;
            }
            break;
        }
        case NodeKind::kMatrixSelector:
            setAt(*static_cast<MatrixSelector&>(e).selector, ts);
            break;
        case NodeKind::kSubquery: {
            auto& m = static_cast<SubqueryExpr&>(e).modifiers;
            if (m.at == AtKind::kNone) {
                m.at = AtKind::kTimestamp;
                m.atMs = ts;
            }
            break;  // selectors inside are left alone
        }
        case NodeKind::kParen:
            setAt(*static_cast<ParenExpr&>(e).expr, ts);
            break;
        case NodeKind::kUnary:
            setAt(*static_cast<UnaryExpr&>(e).expr, ts);
            break;
        case NodeKind::kBinary:
            setAt(*static_cast<BinaryExpr&>(e).lhs, ts);
            setAt(*static_cast<BinaryExpr&>(e).rhs, ts);
            break;
        case NodeKind::kAggregate: {
            auto& a = static_cast<AggregateExpr&>(e);
            if (a.param)
                setAt(*a.param, ts);
            setAt(*a.expr, ts);
            break;
        }
        case NodeKind::kCall:
            for (auto& arg : static_cast<Call&>(e).args)
                setAt(*arg, ts);
            break;
        default:
            break;
    }
}

// step(), range(), start(), end() and durations written with them depend on
// the query's own range, so the range-mode and @ re-checks do not apply.
bool dependsOnQueryRange(const Expr& e) {
    bool found = false;
    auto dur = [&](const DurationValue& d) {
        if (d.expr && d.expr->dependsOnQuery())
            found = true;
    };
    walk(e, [&](const Expr& n) {
        switch (n.kind) {
            case NodeKind::kCall: {
                const std::string_view name = static_cast<const Call&>(n).func->name;
                if (name == "step" || name == "range" || name == "start" || name == "end")
                    found = true;
                break;
            }
            case NodeKind::kVectorSelector: {
                const auto& m = static_cast<const VectorSelector&>(n).modifiers;
                if (m.hasOffset)
                    dur(m.offset);
                break;
            }
            case NodeKind::kMatrixSelector:
                dur(static_cast<const MatrixSelector&>(n).range);
                break;
            case NodeKind::kSubquery: {
                const auto& sq = static_cast<const SubqueryExpr&>(n);
                dur(sq.range);
                dur(sq.step);
                if (sq.modifiers.hasOffset)
                    dur(sq.modifiers.offset);
                break;
            }
            default:
                break;
        }
    });
    return found;
}

bool usesTimeDependentFunction(const Expr& e) {
    bool found = false;
    walk(e, [&](const Expr& n) {
        if (n.kind != NodeKind::kCall)
            return;
        static const char* kNames[] = {
            "time",         "timestamp",   "predict_linear", "minute", "hour", "day_of_week",
            "day_of_month", "day_of_year", "days_in_month",  "month",  "year"};
        const std::string_view name = static_cast<const Call&>(n).func->name;
        for (const char* k : kNames)
            if (name == k)
                found = true;
    });
    return found;
}

struct ExpectedSeries {
    Labels labels;
    std::vector<SeqItem> values;
    int pos = 0;
};

struct EvalCmd {
    int line = 0;
    std::string expr;
    bool isRange = false;
    Timestamp at = 0, start = 0, end = 0, step = 0;
    bool fail = false;
    std::string failMsg;
    bool failMsgSet = false;
    std::string failRegex;
    bool ordered = false;
    struct AnnotationExpect {
        bool warning = true;
        std::string msg;    // exact text, when set
        std::string regex;  // partial match, when set
    };
    std::vector<AnnotationExpect> annotationExpects;
    bool noWarn = false;
    bool noInfo = false;
    bool scalarSet = false;
    double scalar = 0;
    bool stringSet = false;
    std::string stringValue;
    bool rangeVector = false;
    Timestamp rvStart = 0, rvEnd = 0, rvStep = 0;
    std::vector<ExpectedSeries> expected;
    std::string skipReason;
    std::string parseError;
};

std::string describe(const Value& v) {
    std::ostringstream os;
    switch (v.type) {
        case ValueType::kScalar:
            os << "scalar " << formatFloatG(v.scalar.v);
            break;
        case ValueType::kString:
            os << "string \"" << v.string.v << "\"";
            break;
        case ValueType::kVector:
            if (v.vector.empty())
                os << "empty vector";
            for (std::size_t i = 0; i < v.vector.size() && i < 8; ++i)
                os << (i ? ", " : "") << v.vector[i].labels.toString() << " "
                   << formatFloatG(v.vector[i].v);
            if (v.vector.size() > 8)
                os << ", ... (" << v.vector.size() << " elements)";
            break;
        case ValueType::kMatrix:
            if (v.matrix.empty())
                os << "empty matrix";
            for (std::size_t i = 0; i < v.matrix.size() && i < 8; ++i) {
                os << (i ? ", " : "") << v.matrix[i].labels.toString() << " [";
                for (std::size_t j = 0; j < v.matrix[i].points.size() && j < 12; ++j)
                    os << (j ? " " : "") << formatFloatG(v.matrix[i].points[j].v) << "@"
                       << v.matrix[i].points[j].t / 1000.0;
                os << "]";
            }
            if (v.matrix.size() > 8)
                os << ", ... (" << v.matrix.size() << " series)";
            break;
        case ValueType::kNone:
            os << "nothing";
            break;
    }
    return os.str();
}

std::string describeExpected(const EvalCmd& cmd) {
    std::ostringstream os;
    if (cmd.scalarSet)
        return "scalar " + formatFloatG(cmd.scalar);
    if (cmd.stringSet)
        return "string \"" + cmd.stringValue + "\"";
    if (cmd.expected.empty())
        return "empty result";
    for (std::size_t i = 0; i < cmd.expected.size() && i < 8; ++i) {
        os << (i ? ", " : "") << cmd.expected[i].labels.toString();
        for (std::size_t j = 0; j < cmd.expected[i].values.size() && j < 12; ++j)
            os << " "
               << (cmd.expected[i].values[j].omitted ? "_"
                                                     : formatFloatG(cmd.expected[i].values[j].v));
    }
    if (cmd.expected.size() > 8)
        os << ", ... (" << cmd.expected.size() << " series)";
    return os.str();
}

class Runner {
public:
    Runner(std::string name, const TestScriptOptions& options, TestScriptReport* report)
        : m_name(std::move(name)), m_options(options), m_report(report) {}

    void run(const std::string& text) {
        std::vector<std::string> lines;
        {
            std::istringstream is(text);
            std::string l;
            while (std::getline(is, l))
                lines.push_back(l);
        }
        for (std::size_t i = 0; i < lines.size();) {
            const std::string line = trim(lines[i]);
            if (line.empty() || line[0] == '#') {
                ++i;
                continue;
            }
            const auto words = splitWs(line);
            const std::string cmd = lowercase(words[0]);
            std::size_t blockEnd = i + 1;
            while (blockEnd < lines.size()) {
                const std::string b = trim(lines[blockEnd]);
                if (b.empty() || b[0] == '#')
                    break;
                ++blockEnd;
            }
            if (cmd == "clear") {
                m_storage.clear();
                m_native.clear();
                m_nhcb = false;
                m_nhcbNames.clear();
                m_startTs.table.clear();
                i = i + 1;
                continue;
            }
            if (cmd == "load" || cmd == "load_with_nhcb") {
                if (cmd == "load_with_nhcb")
                    m_nhcb = true;
                m_nhcbLoad = cmd == "load_with_nhcb";
                doLoad(lines, i, blockEnd, words);
                i = blockEnd;
                continue;
            }
            if (cmd.starts_with("eval")) {
                doEval(lines, i, blockEnd, line, cmd);
                i = blockEnd;
                continue;
            }
            fail(static_cast<int>(i + 1), line, "unknown command \"" + words[0] + "\"");
            i = blockEnd;
        }
    }

private:
    static std::string lowercase(std::string s) {
        for (auto& c : s)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }

    void fail(int line, const std::string& expr, const std::string& message) {
        m_report->failed++;
        m_report->failures.push_back({m_name, line, expr, message});
    }
    void skip(int line, const std::string& expr, const std::string& reason) {
        m_report->skipped++;
        m_report->skips.push_back({m_name, line, expr, reason});
    }

    void doLoad(const std::vector<std::string>& lines, std::size_t at, std::size_t end,
                const std::vector<std::string>& words) {
        std::optional<Timestamp> step = words.size() >= 2 ? parseTime(words[1]) : std::nullopt;
        if (!step) {
            fail(static_cast<int>(at + 1), trim(lines[at]), "invalid load step");
            return;
        }
        std::map<Labels, std::vector<SeqItem>> series;
        // `name@st items`: each sample's start time, relative to the sample.
        std::map<Labels, std::vector<SeqItem>> stItems;
        for (std::size_t i = at + 1; i < end; ++i) {
            const std::string line = trim(lines[i]);
            std::string desc, rest;
            if (!splitDescriptor(line, &desc, &rest)) {
                fail(static_cast<int>(i + 1), line, "invalid series line");
                continue;
            }
            if (rest.starts_with("@st") || desc.ends_with("@st")) {
                if (desc.ends_with("@st"))
                    desc.resize(desc.size() - 3);
                else
                    rest = rest.substr(3);
                auto labels = parseDescriptor(desc);
                if (!labels) {
                    fail(static_cast<int>(i + 1), line, labels.status().message());
                    continue;
                }
                std::string error;
                if (!parseStartTimestamps(rest, &stItems[*labels], &error))
                    fail(static_cast<int>(i + 1), line, error);
                continue;
            }
            auto labels = parseDescriptor(desc);
            if (!labels) {
                fail(static_cast<int>(i + 1), line, labels.status().message());
                continue;
            }
            if (m_nhcbLoad) {
                // load_with_nhcb also creates NAME from NAME_bucket series.
                const std::string_view name = labels->metricName();
                for (std::string_view suffix : {"_bucket", "_sum", "_count"})
                    if (name.ends_with(suffix))
                        m_nhcbNames.emplace_back(name.substr(0, name.size() - suffix.size()));
            }
            if (rest.find("{{") != std::string::npos) {
                m_native.push_back(*labels);
                // Load the float samples of a mixed series; histogram samples are left out.
                std::vector<SeqItem> items;
                std::string cleaned;
                int depth = 0;
                for (std::size_t k = 0; k < rest.size(); ++k) {
                    if (rest.compare(k, 2, "{{") == 0) {
                        depth++;
                        k++;
                        continue;
                    }
                    if (rest.compare(k, 2, "}}") == 0 && depth > 0) {
                        depth--;
                        k++;
                        cleaned += "_H_";
                        continue;
                    }
                    if (depth == 0)
                        cleaned += rest[k];
                }
                std::string error;
                for (const auto& item : splitWs(cleaned)) {
                    if (item.find("_H_") != std::string::npos) {
                        const std::size_t x = item.find("x");
                        const int n = x == std::string::npos ? 0 : std::atoi(item.c_str() + x + 1);
                        for (int r = 0; r <= n; ++r)
                            items.push_back({true, 0});
                        continue;
                    }
                    if (!expandItem(item, items, &error))
                        break;
                }
                series[*labels] = std::move(items);
                continue;
            }
            std::vector<SeqItem> items;
            std::string error;
            bool ok = true;
            for (const auto& item : splitWs(rest))
                if (!expandItem(item, items, &error)) {
                    ok = false;
                    break;
                }
            if (!ok) {
                fail(static_cast<int>(i + 1), line, error);
                continue;
            }
            series[*labels] = std::move(items);
        }
        for (const auto& [labels, items] : series) {
            for (std::size_t k = 0; k < items.size(); ++k) {
                if (items[k].omitted)
                    continue;
                m_storage.put(labels, static_cast<Timestamp>(k) * *step, items[k].v);
            }
        }
        for (const auto& [labels, items] : stItems) {
            auto& byTime = m_startTs.table[labels];
            for (std::size_t k = 0; k < items.size(); ++k) {
                if (items[k].omitted)
                    continue;
                const Timestamp t = static_cast<Timestamp>(k) * *step;
                byTime[t] = t + static_cast<Timestamp>(items[k].v);
            }
        }
    }

    // Expands the items of an `@st` line: like sample values, but each is a
    // (signed) duration, `a+bxn`/`a-bxn` included ("-30s-1mx2").
    static bool parseStartTimestamps(std::string_view rest, std::vector<SeqItem>* out,
                                     std::string* error) {
        for (const auto& item : splitWs(rest)) {
            std::string numeric;
            std::string_view body = item;
            std::string_view count;
            if (const std::size_t x = body.rfind('x'); x != std::string_view::npos) {
                count = body.substr(x);
                body = body.substr(0, x);
            }
            if (body == "_") {
                numeric = std::string(body) + std::string(count);
            } else {
                std::size_t pos = 0;
                while (pos < body.size()) {
                    std::size_t endTok = pos;
                    if (body[endTok] == '+' || body[endTok] == '-')
                        ++endTok;
                    const std::size_t digitsFrom = endTok;
                    while (endTok < body.size() && body[endTok] != '+' && body[endTok] != '-')
                        ++endTok;
                    const std::string_view dur = body.substr(digitsFrom, endTok - digitsFrom);
                    std::int64_t ms = 0;
                    if (dur != "0") {
                        auto d = parseDuration(dur);
                        if (!d) {
                            *error =
                                "invalid start timestamp \"" + item + "\": " + d.status().message();
                            return false;
                        }
                        ms = d->count();
                    }
                    numeric += std::string(body.substr(pos, digitsFrom - pos)) + std::to_string(ms);
                    pos = endTok;
                }
                numeric += std::string(count);
            }
            if (!expandItem(numeric, *out, error)) {
                *error = "invalid start timestamp \"" + item + "\": " + *error;
                return false;
            }
        }
        return true;
    }

    bool parseEvalLine(const std::string& line, const std::string& cmd, EvalCmd& ec) {
        std::string rest = trim(std::string_view(line).substr(cmd.size()));
        if (cmd == "eval_fail")
            ec.fail = true;
        if (cmd == "eval_ordered")
            ec.ordered = true;
        auto takeWord = [&](std::string* w) {
            rest = trim(rest);
            const std::size_t sp = rest.find_first_of(" \t");
            *w = rest.substr(0, sp);
            rest = sp == std::string::npos ? "" : trim(rest.substr(sp));
            return !w->empty();
        };
        std::string w;
        if (!takeWord(&w))
            return false;
        if (w == "instant") {
            std::string save = rest, a;
            if (takeWord(&a) && a == "at") {
                std::string t;
                if (!takeWord(&t))
                    return false;
                auto ts = parseTime(t);
                if (!ts)
                    return false;
                ec.at = *ts;
            } else {
                rest = save;
            }
            ec.expr = rest;
            return !ec.expr.empty();
        }
        if (w == "range") {
            std::string kw, a, b, c;
            if (!takeWord(&kw) || kw != "from" || !takeWord(&a) || !takeWord(&kw) || kw != "to" ||
                !takeWord(&b) || !takeWord(&kw) || kw != "step" || !takeWord(&c))
                return false;
            auto s = parseTime(a), e = parseTime(b), st = parseTime(c);
            if (!s || !e || !st)
                return false;
            ec.isRange = true;
            ec.start = *s;
            ec.end = *e;
            ec.step = *st;
            ec.expr = rest;
            return !ec.expr.empty();
        }
        return false;
    }

    void doEval(const std::vector<std::string>& lines, std::size_t at, std::size_t end,
                const std::string& line, const std::string& cmdWord) {
        EvalCmd ec;
        ec.line = static_cast<int>(at + 1);
        if (!parseEvalLine(line, cmdWord, ec)) {
            fail(ec.line, line, "invalid eval command");
            return;
        }
        if (cmdWord == "eval_warn" || cmdWord == "eval_info")
            ec.annotationExpects.push_back({cmdWord == "eval_warn", {}, {}});
        int pos = 0;
        for (std::size_t i = at + 1; i < end; ++i) {
            const std::string l = trim(lines[i]);
            if (l.starts_with("expect ")) {
                if (!parseExpect(trim(std::string_view(l).substr(7)), ec)) {
                    fail(static_cast<int>(i + 1), l, "invalid expect line");
                    return;
                }
                continue;
            }
            if (l.starts_with("expected_fail_message ")) {
                ec.fail = true;
                ec.failMsg = trim(std::string_view(l).substr(22));
                ec.failMsgSet = true;
                continue;
            }
            if (l.starts_with("expected_fail_regexp ")) {
                ec.fail = true;
                ec.failRegex = trim(std::string_view(l).substr(21));
                continue;
            }
            if (l.find("{{") != std::string::npos) {
                ec.skipReason = kNativeReason;
                continue;
            }
            if (auto n = parseNumber(l); n && !ec.isRange) {
                ec.scalarSet = true;
                ec.scalar = *n;
                continue;
            }
            std::string desc, rest;
            if (!splitDescriptor(l, &desc, &rest)) {
                fail(static_cast<int>(i + 1), l, "invalid expected line");
                return;
            }
            auto labels = parseDescriptor(desc);
            if (!labels) {
                fail(static_cast<int>(i + 1), l, labels.status().message());
                return;
            }
            ExpectedSeries es;
            es.labels = *labels;
            es.pos = ++pos;
            std::string error;
            for (const auto& item : splitWs(rest))
                if (!expandItem(item, es.values, &error)) {
                    fail(static_cast<int>(i + 1), l, error);
                    return;
                }
            ec.expected.push_back(std::move(es));
        }
        execute(ec);
    }

    bool parseExpect(const std::string& body, EvalCmd& ec) {
        auto words = splitWs(body);
        if (words.empty())
            return false;
        const std::string& kind = words[0];
        auto detail = [&](std::string_view prefix) -> std::optional<std::string> {
            const std::size_t p = body.find(prefix);
            if (p == std::string::npos)
                return std::nullopt;
            return trim(std::string_view(body).substr(p + prefix.size()));
        };
        if (kind == "fail") {
            ec.fail = true;
            if (auto m = detail("msg:")) {
                ec.failMsg = *m;
                ec.failMsgSet = true;
            } else if (auto r = detail("regex:")) {
                ec.failRegex = *r;
            }
            return true;
        }
        if (kind == "ordered") {
            ec.ordered = true;
            return true;
        }
        if (kind == "warn" || kind == "info") {
            EvalCmd::AnnotationExpect e;
            e.warning = kind == "warn";
            if (auto m = detail("msg:")) {
                e.msg = *m;
            } else if (auto r = detail("regex:")) {
                e.regex = *r;
            }
            ec.annotationExpects.push_back(std::move(e));
            return true;
        }
        if (kind == "no_warn") {
            ec.noWarn = true;
            return true;
        }
        if (kind == "no_info") {
            ec.noInfo = true;
            return true;
        }
        if (kind == "string") {
            std::string s = trim(std::string_view(body).substr(6));
            if (s.size() >= 2 && (s[0] == '"' || s[0] == '`'))
                s = s.substr(1, s.size() - 2);
            ec.stringSet = true;
            ec.stringValue = s;
            return true;
        }
        if (kind == "range" && words.size() >= 8 && words[1] == "vector") {
            auto a = parseTime(words[3]), b = parseTime(words[5]), c = parseTime(words[7]);
            if (!a || !b || !c)
                return false;
            ec.rangeVector = true;
            ec.rvStart = *a;
            ec.rvEnd = *b;
            ec.rvStep = *c;
            return true;
        }
        return false;
    }

    bool touchesNative(const Expr& e) {
        bool found = false;
        walk(e, [&](const Expr& n) {
            if (n.kind != NodeKind::kVectorSelector)
                return;
            const auto& vs = static_cast<const VectorSelector&>(n);
            for (const auto& m : vs.matchers)
                if (m.name() == model::kMetricName)
                    for (const auto& h : m_nhcbNames)
                        if (m.matches(h))
                            found = true;
            for (const auto& l : m_native)
                if (model::matchesAll(vs.matchers, l))
                    found = true;
        });
        return found;
    }

    struct QueryResult {
        Status status;
        Value value;
        std::vector<Annotation> annotations;
    };
    QueryResult query(const Expr& expr, Timestamp start, Timestamp end, std::int64_t step) {
        EvalOptions opts;
        opts.prometheus3 = m_options.prometheus3;
        if (!m_startTs.table.empty())
            opts.startTimestamps = &m_startTs;
        auto q = m_storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
        EvalOutcome out = evaluate(*q, expr, start, end, step, opts);
        return {out.status, std::move(out.value), std::move(out.annotations)};
    }

    // Compares an instant result with the expectation; empty string when equal.
    std::string compareInstant(const EvalCmd& ec, const Value& v, bool checkOrder) {
        if (ec.stringSet) {
            if (v.type != ValueType::kString || v.string.v != ec.stringValue)
                return "expected string";
            return {};
        }
        if (ec.scalarSet) {
            if (v.type != ValueType::kScalar)
                return "expected a scalar";
            if (!almostEqual(ec.scalar, v.scalar.v))
                return "scalar value differs";
            return {};
        }
        if (ec.rangeVector) {
            if (v.type != ValueType::kMatrix)
                return "expected a range vector";
            return compareMatrix(ec, v.matrix, ec.rvStart, ec.rvEnd, ec.rvStep, true);
        }
        if (v.type == ValueType::kScalar)
            return "expected a vector, got a scalar";
        if (v.type == ValueType::kMatrix)
            return "received range result on instant evaluation";
        if (v.type != ValueType::kVector)
            return "expected a vector";
        std::map<Labels, const ExpectedSeries*> exp;
        for (const auto& e : ec.expected)
            exp[e.labels] = &e;
        std::map<Labels, bool> seen;
        for (std::size_t i = 0; i < v.vector.size(); ++i) {
            const auto& s = v.vector[i];
            auto it = exp.find(s.labels);
            if (it == exp.end())
                return "unexpected metric " + s.labels.toString() + " in result";
            if (checkOrder && it->second->pos != static_cast<int>(i + 1))
                return "expected metric " + s.labels.toString() + " at position " +
                       std::to_string(it->second->pos) + " but was at " + std::to_string(i + 1);
            if (it->second->values.size() != 1)
                return "expected exactly one value for " + s.labels.toString();
            if (!almostEqual(it->second->values[0].v, s.v))
                return "expected " + formatFloatG(it->second->values[0].v) + " for " +
                       s.labels.toString() + " but got " + formatFloatG(s.v);
            if (seen[s.labels])
                return "duplicate metric " + s.labels.toString() + " in result";
            seen[s.labels] = true;
        }
        for (const auto& e : ec.expected)
            if (!seen.count(e.labels))
                return "expected metric " + e.labels.toString() + " not found";
        return {};
    }

    std::string compareMatrix(const EvalCmd& ec, const Matrix& m, Timestamp start, Timestamp end,
                              Timestamp step, bool rawPoints) {
        (void)end;
        std::map<Labels, const ExpectedSeries*> exp;
        for (const auto& e : ec.expected)
            exp[e.labels] = &e;
        std::map<Labels, bool> seen;
        for (const auto& s : m) {
            auto it = exp.find(s.labels);
            if (it == exp.end())
                return "unexpected series " + s.labels.toString() + " in result";
            seen[s.labels] = true;
            std::vector<FPoint> want;
            for (std::size_t k = 0; k < it->second->values.size(); ++k) {
                if (it->second->values[k].omitted)
                    continue;
                want.push_back({start + static_cast<Timestamp>(k) * step, it->second->values[k].v});
            }
            (void)rawPoints;
            if (want.size() != s.points.size())
                return "expected " + std::to_string(want.size()) + " points for " +
                       s.labels.toString() + ", got " + std::to_string(s.points.size());
            for (std::size_t k = 0; k < want.size(); ++k) {
                if (want[k].t != s.points[k].t)
                    return "expected a point at " + std::to_string(want[k].t / 1000.0) + "s for " +
                           s.labels.toString() + ", got one at " +
                           std::to_string(s.points[k].t / 1000.0) + "s";
                if (!almostEqual(want[k].v, s.points[k].v))
                    return "expected " + formatFloatG(want[k].v) + " at " +
                           std::to_string(want[k].t / 1000.0) + "s for " + s.labels.toString() +
                           ", got " + formatFloatG(s.points[k].v);
            }
        }
        for (const auto& e : ec.expected)
            if (!seen.count(e.labels)) {
                bool anyPoint = false;
                for (const auto& v : e.values)
                    anyPoint = anyPoint || !v.omitted;
                if (anyPoint)
                    return "expected series " + e.labels.toString() + " not found";
            }
        return {};
    }

    // The `expect warn|info|no_warn|no_info` lines against the annotations
    // the query produced; empty when satisfied.
    std::string checkAnnotations(const EvalCmd& ec, const std::vector<Annotation>& produced) {
        for (int pass = 0; pass < 2; ++pass) {
            const bool warning = pass == 0;
            std::vector<std::string> texts;
            for (const auto& a : produced)
                if (a.warning == warning)
                    texts.push_back(formatAnnotation(a, ec.expr));
            const char* kind = warning ? "warning" : "info";
            if ((warning ? ec.noWarn : ec.noInfo) && !texts.empty())
                return std::string("expected no ") + kind + ", got \"" + texts[0] + "\"";
            bool anyExpect = false;
            auto matches = [](const EvalCmd::AnnotationExpect& e, const std::string& t) {
                if (!e.msg.empty())
                    return t == e.msg;
                if (!e.regex.empty())
                    return RE2::PartialMatch(t, RE2(e.regex));
                return true;
            };
            for (const auto& e : ec.annotationExpects) {
                if (e.warning != warning)
                    continue;
                anyExpect = true;
                bool found = false;
                for (const auto& t : texts)
                    found = found || matches(e, t);
                if (!found)
                    return std::string("expected a ") + kind + " " +
                           (e.msg.empty()
                                ? (e.regex.empty() ? std::string() : "matching /" + e.regex + "/")
                                : "\"" + e.msg + "\"") +
                           ", got " +
                           (texts.empty() ? std::string("none") : "\"" + texts[0] + "\"");
            }
            if (anyExpect)
                for (const auto& t : texts) {
                    bool ok = false;
                    for (const auto& e : ec.annotationExpects)
                        ok = ok || (e.warning == warning && matches(e, t));
                    if (!ok)
                        return std::string("unexpected ") + kind + " \"" + t + "\"";
                }
        }
        return {};
    }

    std::string checkFailure(const EvalCmd& ec, const Status& st) {
        if (st.isOk())
            return "expected an error, got none";
        if (ec.failMsgSet && st.message() != ec.failMsg)
            return "expected error \"" + ec.failMsg + "\", got \"" + st.message() + "\"";
        if (!ec.failRegex.empty()) {
            RE2 re(ec.failRegex);
            if (!RE2::PartialMatch(st.message(), re))
                return "expected error matching /" + ec.failRegex + "/, got \"" + st.message() +
                       "\"";
        }
        return {};
    }

    static bool isUnsupported(const Status& st) {
        return st.code() == Status::Code::kUnavailable ||
               st.message().find(kNotSupported) != std::string::npos;
    }

    void execute(const EvalCmd& ec) {
        if (!ec.skipReason.empty())
            return skip(ec.line, ec.expr, ec.skipReason);
        auto parsed = parse(ec.expr);
        if (parsed && touchesNative(**parsed))
            return skip(ec.line, ec.expr, kNativeReason);
        if (m_nhcb && parsed) {
            bool usesHistogramFn = false;
            walk(**parsed, [&](const Expr& n) {
                if (n.kind == NodeKind::kCall &&
                    static_cast<const Call&>(n).func->name.starts_with("histogram_"))
                    usesHistogramFn = true;
            });
            if (usesHistogramFn)
                return skip(
                    ec.line, ec.expr,
                    "native histograms with custom buckets (load_with_nhcb) are not supported");
        }
        if (!parsed) {
            if (isUnsupported(parsed.status()))
                return skip(ec.line, ec.expr, parsed.status().message());
            if (ec.fail) {
                const std::string why = checkFailure(ec, parsed.status());
                if (why.empty()) {
                    m_report->passed++;
                } else {
                    fail(ec.line, ec.expr, why);
                }
                return;
            }
            return fail(ec.line, ec.expr, "parse error: " + parsed.status().message());
        }
        const Expr& expr = **parsed;
        if (ec.isRange) {
            QueryResult r = query(expr, ec.start, ec.end, ec.step);
            if (!r.status.isOk() && isUnsupported(r.status))
                return skip(ec.line, ec.expr, r.status.message());
            if (ec.fail) {
                const std::string why = checkFailure(ec, r.status);
                if (why.empty()) {
                    m_report->passed++;
                } else {
                    fail(ec.line, ec.expr, why);
                }
                return;
            }
            if (!r.status.isOk())
                return fail(
                    ec.line, ec.expr,
                    "expected " + describeExpected(ec) + ", got error: " + r.status.message());
            if (r.value.type != ValueType::kMatrix)
                return fail(ec.line, ec.expr, "range query did not return a matrix");
            if (std::string why = checkAnnotations(ec, r.annotations); !why.empty())
                return fail(ec.line, ec.expr, why);
            const std::string why =
                compareMatrix(ec, r.value.matrix, ec.start, ec.end, ec.step, false);
            if (!why.empty())
                return fail(
                    ec.line, ec.expr,
                    why + "; expected " + describeExpected(ec) + ", got " + describe(r.value));
            m_report->passed++;
            return;
        }
        // Instant: the query itself, then the reference runner's re-checks.
        QueryResult r = query(expr, ec.at, ec.at, 0);
        if (!r.status.isOk() && isUnsupported(r.status))
            return skip(ec.line, ec.expr, r.status.message());
        if (ec.fail) {
            const std::string why = checkFailure(ec, r.status);
            if (why.empty()) {
                m_report->passed++;
            } else {
                fail(ec.line, ec.expr, why);
            }
            return;
        }
        if (!r.status.isOk())
            return fail(ec.line, ec.expr,
                        "expected " + describeExpected(ec) + ", got error: " + r.status.message());
        if (std::string why = compareInstant(ec, r.value, ec.ordered); !why.empty())
            return fail(ec.line, ec.expr,
                        why + "; expected " + describeExpected(ec) + ", got " + describe(r.value));
        if (std::string why = checkAnnotations(ec, r.annotations); !why.empty())
            return fail(ec.line, ec.expr, why);
        if (dependsOnQueryRange(expr)) {
            m_report->passed++;
            return;
        }
        if (std::string why = rangeModeCheck(ec, expr, ec.at); !why.empty())
            return fail(ec.line, ec.expr, "range-mode re-check: " + why);
        if (!usesTimeDependentFunction(expr)) {
            ExprPtr withAt = clone(expr);
            setAt(*withAt, ec.at);
            std::vector<Timestamp> times = {-10 * ec.at, 0, ec.at / 5, ec.at, 10 * ec.at};
            if (ec.at == 0)
                times = {-1000, 0, 1000};
            for (Timestamp t : times) {
                QueryResult ar = query(*withAt, t, t, 0);
                const std::string where =
                    "@ re-check (" + toString(*withAt) + " at " + formatFloatG(t / 1000.0) + "s): ";
                if (!ar.status.isOk())
                    return fail(ec.line, ec.expr, where + "error: " + ar.status.message());
                if (std::string why = compareInstant(ec, ar.value, ec.ordered); !why.empty())
                    return fail(ec.line, ec.expr, where + why + "; got " + describe(ar.value));
                if (std::string why = rangeModeCheck(ec, *withAt, t); !why.empty())
                    return fail(ec.line, ec.expr, where + "range mode: " + why);
            }
        }
        m_report->passed++;
    }

    std::string rangeModeCheck(const EvalCmd& ec, const Expr& expr, Timestamp t) {
        if (ec.ordered || ec.stringSet || ec.rangeVector)
            return {};
        QueryResult r = query(expr, t - 60000, t + 60000, 60000);
        if (!r.status.isOk())
            return "error: " + r.status.message();
        Value vec;
        if (ec.scalarSet) {
            vec.type = ValueType::kScalar;
            bool found = false;
            for (const auto& s : r.value.matrix)
                for (const auto& p : s.points)
                    if (p.t == t && !found) {
                        vec.scalar.v = p.v;
                        found = true;
                    }
            if (!found)
                return "no point at the evaluation time";
        } else {
            vec.type = ValueType::kVector;
            for (const auto& s : r.value.matrix)
                for (const auto& p : s.points)
                    if (p.t == t) {
                        vec.vector.push_back({s.labels, t, p.v});
                        break;
                    }
        }
        std::string why = compareInstant(ec, vec, false);
        if (!why.empty())
            return why + "; got " + describe(vec);
        return {};
    }

    std::string m_name;
    TestScriptOptions m_options;
    TestScriptReport* m_report;
    model::InMemoryStorage m_storage;
    std::vector<Labels> m_native;
    bool m_nhcb = false;
    bool m_nhcbLoad = false;
    std::vector<std::string> m_nhcbNames;  // histograms load_with_nhcb made
    // The scripts' `@st` start timestamps, by series and sample time.
    struct StartTsTable final : StartTimestampSource {
        std::map<Labels, std::map<Timestamp, Timestamp>> table;
        bool lookup(const Labels& series, std::span<const FPoint> points,
                    std::vector<std::int64_t>* sts) const override {
            const auto it = table.find(series);
            if (it == table.end())
                return false;
            sts->assign(points.size(), 0);
            for (std::size_t i = 0; i < points.size(); ++i) {
                const auto st = it->second.find(points[i].t);
                if (st != it->second.end())
                    (*sts)[i] = st->second;
            }
            return true;
        }
    };
    StartTsTable m_startTs;
};

}  // namespace

void runTestScriptText(const std::string& name, const std::string& text,
                       const TestScriptOptions& options, TestScriptReport* report) {
    Runner runner(name, options, report);
    runner.run(text);
}

Status runTestScript(const std::string& path, const TestScriptOptions& options,
                     TestScriptReport* report) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status::ioError("cannot open " + path);
    std::ostringstream os;
    os << in.rdbuf();
    runTestScriptText(path, os.str(), options, report);
    return Status::ok();
}

}  // namespace vigil::promql
