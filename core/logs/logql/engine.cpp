#include "core/logs/logql/engine.h"

#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include "core/logs/logql/parser.h"
#include "core/logs/logql/pipeline.h"
#include "core/logs/logql/value_parse.h"
#include "core/logs/memory_log_store.h"
#include "core/promql/eval_support.h"

namespace vigil::logql {

namespace {

using logs::TimestampNs;

constexpr double kNanosPerSecond = 1e9;

struct Sample {
    model::Labels labels;
    double value = 0;
};
using Vector = std::vector<Sample>;

// The value of a metric sub-expression at every step.
struct StepValues {
    bool isScalar = false;
    std::vector<double> scalars;  // isScalar
    std::vector<Vector> vectors;  // !isScalar
    bool ordered = false;         // sort/sort_desc decided the order
};

struct EvalContext {
    TimestampNs startNs = 0;
    TimestampNs stepNs = 0;
    std::size_t steps = 1;
    bool instant = true;
    QueryStats* stats = nullptr;
    const logs::LogReader* reader = nullptr;
    const Engine::Options* options = nullptr;

    TimestampNs stepTime(std::size_t i) const {
        return startNs + static_cast<TimestampNs>(i) * stepNs;
    }
};

const Expr& unparen(const Expr& e) {
    const Expr* cur = &e;
    while (cur->kind() == Expr::Kind::kParen)
        cur = static_cast<const ParenExpr*>(cur)->inner.get();
    return *cur;
}

// ---------------------------------------------------------------------------
// Reading lines through a pipeline.

// A visitor that runs each entry through the pipeline and hands the result
// to `sink(tsNs, line, labels)`.
template <typename Sink>
class PipelineVisitor final : public logs::MetadataStreamVisitor {
public:
    PipelineVisitor(const Pipeline& pipeline, QueryStats& stats, Sink sink)
        : m_pipeline(pipeline), m_stats(stats), m_sink(std::move(sink)) {}

    bool beginStream(const model::Labels& labels) override {
        m_stream = labels;
        return true;
    }
    bool entryWithMetadata(TimestampNs tsNs, std::string_view line,
                           const model::Labels& metadata) override {
        ++m_stats.linesProcessed;
        m_stats.bytesProcessed += line.size();
        m_labels.reset(m_stream, metadata);
        m_line.assign(line);
        if (!m_pipeline.process(tsNs, m_line, m_labels))
            return true;
        return m_sink(tsNs, m_line, m_labels);
    }

private:
    const Pipeline& m_pipeline;
    QueryStats& m_stats;
    Sink m_sink;
    model::Labels m_stream;
    LineLabels m_labels;
    std::string m_line;
};

std::string pipelineErrorMessage(const model::Labels& labels) {
    std::string err(labels.get(kErrorLabel));
    return "pipeline error: '" + err + "' for series: '" + labels.toString() +
           "'.\nUse a label filter to intentionally skip this error. (e.g | __error__!=\"" + err +
           "\").\nTo skip all potential errors you can match empty errors.(e.g __error__=\"\")\n"
           "The label filter can also be specified after unwrap. (e.g | unwrap latency | "
           "__error__=\"\" )\n";
}

// ---------------------------------------------------------------------------
// Range aggregations.

struct RangeSeries {
    model::Labels labels;
    std::vector<Point> points;  // value = unwrapped value or line bytes
};

double quantile(double q, std::vector<double>& values) {
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(q))
        return std::numeric_limits<double>::quiet_NaN();
    if (q < 0)
        return -std::numeric_limits<double>::infinity();
    if (q > 1)
        return std::numeric_limits<double>::infinity();
    std::sort(values.begin(), values.end());
    double n = static_cast<double>(values.size());
    double rank = q * (n - 1);
    auto lower = static_cast<std::size_t>(std::max(0.0, std::floor(rank)));
    auto upper = static_cast<std::size_t>(std::min(n - 1, lower + 1.0));
    double weight = rank - std::floor(rank);
    return values[lower] * (1 - weight) + values[upper] * weight;
}

// Prometheus' extrapolatedRate for counters, as Loki's rate_counter uses it.
double counterRate(const Point* first, const Point* last, TimestampNs rangeStart,
                   TimestampNs rangeEnd) {
    std::size_t n = static_cast<std::size_t>(last - first);
    if (n < 2)
        return 0;
    double result = 0;
    double prev = first->value;
    for (const Point* p = first + 1; p != last; ++p) {
        if (p->value < prev)
            result += prev;
        prev = p->value;
    }
    result += (last - 1)->value - first->value;
    double durationToStart = static_cast<double>(first->tNs - rangeStart) / kNanosPerSecond;
    double durationToEnd = static_cast<double>(rangeEnd - (last - 1)->tNs) / kNanosPerSecond;
    double sampledInterval = static_cast<double>((last - 1)->tNs - first->tNs) / kNanosPerSecond;
    double averageInterval = sampledInterval / static_cast<double>(n - 1);
    double threshold = averageInterval * 1.1;
    if (durationToStart >= threshold)
        durationToStart = averageInterval / 2;
    if (result > 0 && first->value >= 0) {
        double durationToZero = sampledInterval * (first->value / result);
        if (durationToZero < durationToStart)
            durationToStart = durationToZero;
    }
    if (durationToEnd >= threshold)
        durationToEnd = averageInterval / 2;
    double extrapolateTo = sampledInterval + durationToStart + durationToEnd;
    double factor = extrapolateTo / sampledInterval;
    double rangeSeconds = static_cast<double>(rangeEnd - rangeStart) / kNanosPerSecond;
    return result * factor / rangeSeconds;
}

std::optional<double> rangeFunction(const RangeAggregationExpr& e, const Point* first,
                                    const Point* last, TimestampNs windowStart,
                                    TimestampNs windowEnd) {
    const std::string& op = e.op;
    std::size_t n = static_cast<std::size_t>(last - first);
    if (n == 0)
        return std::nullopt;
    double rangeSeconds = static_cast<double>(e.range.nanos) / kNanosPerSecond;
    if (op == "count_over_time")
        return static_cast<double>(n);
    if (op == "rate" && !e.unwrap)
        return static_cast<double>(n) / rangeSeconds;
    double sum = 0;
    if (op == "rate" || op == "bytes_over_time" || op == "bytes_rate" || op == "sum_over_time" ||
        op == "avg_over_time") {
        for (const Point* p = first; p != last; ++p)
            sum += p->value;
        if (op == "rate" || op == "bytes_rate")
            return sum / rangeSeconds;
        if (op == "avg_over_time")
            return sum / static_cast<double>(n);
        return sum;
    }
    if (op == "max_over_time" || op == "min_over_time") {
        bool isMax = op == "max_over_time";
        double v = first->value;
        for (const Point* p = first + 1; p != last; ++p) {
            if (std::isnan(v) || (isMax ? p->value > v : p->value < v))
                v = p->value;
        }
        return v;
    }
    if (op == "first_over_time")
        return first->value;
    if (op == "last_over_time")
        return (last - 1)->value;
    if (op == "stdvar_over_time" || op == "stddev_over_time") {
        double mean = 0, m2 = 0, count = 0;
        for (const Point* p = first; p != last; ++p) {
            count += 1;
            double delta = p->value - mean;
            mean += delta / count;
            m2 += delta * (p->value - mean);
        }
        double var = m2 / count;
        return op == "stdvar_over_time" ? var : std::sqrt(var);
    }
    if (op == "quantile_over_time") {
        std::vector<double> values;
        values.reserve(n);
        for (const Point* p = first; p != last; ++p)
            values.push_back(p->value);
        return quantile(e.param ? e.param->value : 0, values);
    }
    if (op == "rate_counter")
        return counterRate(first, last, windowStart, windowEnd);
    return std::nullopt;
}

Result<StepValues> evalRange(const RangeAggregationExpr& e, const EvalContext& ctx) {
    auto pipeline = Pipeline::compile(e.selector.stages);
    if (!pipeline.isOk())
        return pipeline.status();
    std::vector<std::shared_ptr<const CompiledLabelFilter>> postFilters;
    if (e.unwrap) {
        for (const auto& f : e.unwrap->postFilters) {
            auto c = compileLabelFilter(*f);
            if (!c.isOk())
                return c.status();
            postFilters.push_back(c.value());
        }
    }
    const TimestampNs offset = e.offset ? e.offset->nanos : 0;
    const TimestampNs range = e.range.nanos;
    const TimestampNs lastT = ctx.stepTime(ctx.steps - 1);

    std::vector<RangeSeries> series;
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> index;
    std::optional<std::string> pipelineError;
    const bool bytes = e.op == "bytes_over_time" || e.op == "bytes_rate";

    auto addPoint = [&](const model::Labels& labels, TimestampNs ts, double v) -> bool {
        std::uint64_t h = labels.hash();
        auto& candidates = index[h];
        for (std::size_t i : candidates)
            if (series[i].labels == labels) {
                series[i].points.push_back({ts, v});
                return true;
            }
        if (series.size() >= ctx.options->maxSeries) {
            pipelineError = "maximum of series (" + std::to_string(ctx.options->maxSeries) +
                            ") reached for a single query";
            return false;
        }
        candidates.push_back(series.size());
        series.push_back({labels, {{ts, v}}});
        return true;
    };
    auto grouped = [&](const model::Labels& labels) {
        if (!e.grouping)
            return labels;
        return e.grouping->without ? labels.without(e.grouping->labels)
                                   : labels.keepOnly(e.grouping->labels);
    };

    auto sink = [&](TimestampNs ts, const std::string& line, LineLabels& labels) -> bool {
        if (pipelineError)
            return false;
        double value = 0;
        if (e.unwrap) {
            auto raw = labels.get(e.unwrap->label);
            if (!raw || raw->empty())
                return true;  // lines without the label are skipped
            Result<double> v = 0.0;
            switch (e.unwrap->conversion) {
                case Unwrap::Conversion::kNone:
                    v = parseGoFloat(*raw);
                    break;
                case Unwrap::Conversion::kDuration:
                case Unwrap::Conversion::kDurationSeconds: {
                    auto d = parseGoDuration(*raw);
                    v = d.isOk() ? Result<double>(static_cast<double>(d.value()) / kNanosPerSecond)
                                 : Result<double>(d.status());
                    break;
                }
                case Unwrap::Conversion::kBytes: {
                    auto b = parseHumanBytes(*raw);
                    v = b.isOk() ? Result<double>(static_cast<double>(b.value()))
                                 : Result<double>(b.status());
                    break;
                }
            }
            if (v.isOk()) {
                value = v.value();
            } else {
                labels.setError("SampleExtractionErr", v.status().message());
            }
            for (const auto& f : postFilters)
                if (!applyLabelFilter(*f, labels))
                    return true;
            labels.del(e.unwrap->label);
        } else if (bytes) {
            value = static_cast<double>(line.size());
        }
        model::Labels result = labels.result();
        if (result.has(kErrorLabel)) {
            pipelineError = pipelineErrorMessage(result);
            return false;
        }
        return addPoint(grouped(result), ts, value);
    };

    PipelineVisitor visitor(pipeline.value(), *ctx.stats, sink);
    logs::LogSelectParams params;
    params.matchers = e.selector.matchers;
    params.startNs = ctx.startNs - offset - range + 1;  // windows are left-open
    params.endNs = lastT - offset + 1;                  // and right-closed
    params.direction = logs::Direction::kForward;
    Status s = ctx.reader->select(params, visitor);
    if (!s.isOk())
        return s;
    if (pipelineError)
        return Status::error(*pipelineError);

    for (auto& rs : series)
        std::stable_sort(rs.points.begin(), rs.points.end(),
                         [](const Point& a, const Point& b) { return a.tNs < b.tNs; });

    StepValues out;
    out.vectors.resize(ctx.steps);
    if (e.op == "absent_over_time") {
        std::vector<model::Label> ls;
        for (const auto& m : e.selector.matchers)
            if (m.type() == model::MatchType::kEqual)
                ls.push_back({m.name(), m.value()});
        model::Labels absentLabels = model::Labels::fromUnsorted(std::move(ls));
        std::vector<std::size_t> cursor(series.size(), 0);
        for (std::size_t i = 0; i < ctx.steps; ++i) {
            TimestampNs end = ctx.stepTime(i) - offset;
            TimestampNs start = end - range;
            bool any = false;
            for (std::size_t k = 0; k < series.size() && !any; ++k) {
                const auto& pts = series[k].points;
                auto it = std::upper_bound(pts.begin(), pts.end(), start,
                                           [](TimestampNs t, const Point& p) { return t < p.tNs; });
                any = it != pts.end() && it->tNs <= end;
            }
            if (!any)
                out.vectors[i].push_back({absentLabels, 1});
        }
        return out;
    }
    std::vector<std::size_t> lo(series.size(), 0), hi(series.size(), 0);
    for (std::size_t i = 0; i < ctx.steps; ++i) {
        TimestampNs end = ctx.stepTime(i) - offset;
        TimestampNs start = end - range;
        Vector& vec = out.vectors[i];
        for (std::size_t k = 0; k < series.size(); ++k) {
            const auto& pts = series[k].points;
            std::size_t& a = lo[k];
            std::size_t& b = hi[k];
            if (b < a)
                b = a;
            while (a < pts.size() && pts[a].tNs <= start)
                ++a;
            if (b < a)
                b = a;
            while (b < pts.size() && pts[b].tNs <= end)
                ++b;
            auto v = rangeFunction(e, pts.data() + a, pts.data() + b, start, end);
            if (v)
                vec.push_back({series[k].labels, *v});
        }
    }
    return out;
}

// ---------------------------------------------------------------------------
// Vector aggregations, binary operations, functions.

Result<StepValues> eval(const Expr& expr, const EvalContext& ctx);

model::Labels groupingLabels(const model::Labels& l, const std::optional<Grouping>& g) {
    if (!g)
        return model::Labels();
    return g->without ? l.without(g->labels) : l.keepOnly(g->labels);
}

bool nanLast(double a, double b, bool desc) {
    if (std::isnan(a))
        return false;
    if (std::isnan(b))
        return true;
    return desc ? a > b : a < b;
}

Result<StepValues> evalVectorAggregation(const VectorAggregationExpr& e, const EvalContext& ctx) {
    if (e.op == "approx_topk" && !ctx.instant)
        return Status::error("approx_topk is only supported on instant queries");
    auto inner = eval(*e.inner, ctx);
    if (!inner.isOk())
        return inner.status();
    StepValues in = std::move(inner.value());
    if (in.isScalar)
        return Status::error("unexpected scalar in " + e.op + " aggregation");
    StepValues out;
    out.vectors.resize(ctx.steps);
    const std::string& op = e.op;
    if (op == "sort" || op == "sort_desc") {
        bool desc = op == "sort_desc";
        for (std::size_t i = 0; i < ctx.steps; ++i) {
            Vector v = std::move(in.vectors[i]);
            std::stable_sort(v.begin(), v.end(), [&](const Sample& a, const Sample& b) {
                return nanLast(a.value, b.value, desc);
            });
            out.vectors[i] = std::move(v);
        }
        out.ordered = true;
        return out;
    }
    if (op == "topk" || op == "bottomk" || op == "approx_topk") {
        double kf = e.param ? e.param->value : 0;
        if (kf < 1 || std::floor(kf) != kf)
            return Status::error("invalid parameter for " + op + ": " +
                                 (e.param ? e.param->text : std::string("")));
        auto k = static_cast<std::size_t>(kf);
        bool top = op != "bottomk";
        for (std::size_t i = 0; i < ctx.steps; ++i) {
            std::map<model::Labels, Vector> groups;
            for (Sample& s : in.vectors[i])
                groups[groupingLabels(s.labels, e.grouping)].push_back(std::move(s));
            Vector& res = out.vectors[i];
            for (auto& [g, members] : groups) {
                std::stable_sort(members.begin(), members.end(),
                                 [&](const Sample& a, const Sample& b) {
                                     return nanLast(a.value, b.value, top);
                                 });
                if (members.size() > k)
                    members.resize(k);
                for (Sample& s : members)
                    res.push_back(std::move(s));
            }
        }
        if (ctx.instant)
            out.ordered = true;
        return out;
    }
    for (std::size_t i = 0; i < ctx.steps; ++i) {
        struct Group {
            model::Labels labels;
            double value = 0;
            double count = 0;
            double mean = 0, m2 = 0;
        };
        std::map<model::Labels, Group> groups;
        for (const Sample& s : in.vectors[i]) {
            model::Labels key = groupingLabels(s.labels, e.grouping);
            auto [it, inserted] = groups.try_emplace(key);
            Group& g = it->second;
            if (inserted) {
                g.labels = key;
                g.value = s.value;
                g.count = 1;
                g.mean = s.value;
                g.m2 = 0;
                if (op == "count")
                    g.value = 1;
                continue;
            }
            g.count += 1;
            if (op == "sum") {
                g.value += s.value;
            } else if (op == "avg") {
                g.mean += (s.value - g.mean) / g.count;
            } else if (op == "count") {
                g.value += 1;
            } else if (op == "max") {
                if (g.value < s.value || std::isnan(g.value))
                    g.value = s.value;
            } else if (op == "min") {
                if (g.value > s.value || std::isnan(g.value))
                    g.value = s.value;
            } else if (op == "stddev" || op == "stdvar") {
                double delta = s.value - g.mean;
                g.mean += delta / g.count;
                g.m2 += delta * (s.value - g.mean);
            }
        }
        Vector& res = out.vectors[i];
        for (auto& [key, g] : groups) {
            double v = g.value;
            if (op == "avg")
                v = g.mean;
            if (op == "stdvar")
                v = g.m2 / g.count;
            if (op == "stddev")
                v = std::sqrt(g.m2 / g.count);
            res.push_back({g.labels, v});
        }
    }
    return out;
}

bool isComparison(const std::string& op) {
    return op == "==" || op == "!=" || op == ">" || op == ">=" || op == "<" || op == "<=";
}

// Returns {value, keep}.
std::pair<double, bool> binop(const std::string& op, double l, double r) {
    if (op == "+")
        return {l + r, true};
    if (op == "-")
        return {l - r, true};
    if (op == "*")
        return {l * r, true};
    if (op == "/")
        return {r == 0 ? std::numeric_limits<double>::quiet_NaN() : l / r, true};
    if (op == "%")
        return {r == 0 ? std::numeric_limits<double>::quiet_NaN() : std::fmod(l, r), true};
    if (op == "^")
        return {std::pow(l, r), true};
    if (op == "==")
        return {l, l == r};
    if (op == "!=")
        return {l, l != r};
    if (op == ">")
        return {l, l > r};
    if (op == ">=")
        return {l, l >= r};
    if (op == "<")
        return {l, l < r};
    if (op == "<=")
        return {l, l <= r};
    return {0, false};
}

model::Labels matchSignature(const model::Labels& l, const std::optional<VectorMatching>& m) {
    if (!m)
        return l;
    return m->on ? l.keepOnly(m->labels) : l.without(m->labels);
}

Result<Vector> vectorBinop(const BinaryExpr& e, Vector& lhs, Vector& rhs) {
    const std::string& op = e.op;
    Vector out;
    if (op == "and" || op == "or" || op == "unless") {
        std::map<model::Labels, bool> rightSigs;
        for (const Sample& s : rhs)
            rightSigs[matchSignature(s.labels, e.matching)] = true;
        if (op == "and") {
            for (Sample& s : lhs)
                if (rightSigs.contains(matchSignature(s.labels, e.matching)))
                    out.push_back(std::move(s));
        } else if (op == "unless") {
            for (Sample& s : lhs)
                if (!rightSigs.contains(matchSignature(s.labels, e.matching)))
                    out.push_back(std::move(s));
        } else {
            std::map<model::Labels, bool> leftSigs;
            for (Sample& s : lhs) {
                leftSigs[matchSignature(s.labels, e.matching)] = true;
                out.push_back(std::move(s));
            }
            for (Sample& s : rhs)
                if (!leftSigs.contains(matchSignature(s.labels, e.matching)))
                    out.push_back(std::move(s));
        }
        return out;
    }
    using Card = VectorMatching::Card;
    Card card = e.matching ? e.matching->card : Card::kOneToOne;
    Vector* many = &lhs;
    Vector* one = &rhs;
    if (card == Card::kGroupRight)
        std::swap(many, one);
    // The "one" side must be unique per signature.
    std::map<model::Labels, const Sample*> oneSide;
    for (const Sample& s : *one) {
        auto [it, inserted] = oneSide.emplace(matchSignature(s.labels, e.matching), &s);
        if (!inserted) {
            return Status::error(std::string("found duplicate series on the ") +
                                 (card == Card::kGroupRight ? "left" : "right") +
                                 " hand-side of the operation: " + s.labels.toString() +
                                 ";many-to-many matching not allowed: matching labels must be "
                                 "unique on one side");
        }
    }
    std::map<model::Labels, bool> matchedSigs;  // one-to-one: each signature once
    std::map<model::Labels, bool> seenResults;
    for (const Sample& s : *many) {
        model::Labels sig = matchSignature(s.labels, e.matching);
        auto it = oneSide.find(sig);
        if (it == oneSide.end())
            continue;
        if (card == Card::kOneToOne) {
            if (!matchedSigs.emplace(sig, true).second)
                return Status::error(
                    "multiple matches for labels: many-to-one matching must be explicit "
                    "(group_left/group_right)");
        }
        const Sample& o = *it->second;
        double l = s.value, r = o.value;
        if (card == Card::kGroupRight)
            std::swap(l, r);
        auto [value, keep] = binop(op, l, r);
        if (e.returnBool) {
            value = keep ? 1 : 0;
        } else if (!keep) {
            continue;
        }
        // Result labels.
        model::Labels labels = s.labels;
        if (card == Card::kOneToOne) {
            if (e.matching)
                labels = e.matching->on ? labels.keepOnly(e.matching->labels)
                                        : labels.without(e.matching->labels);
        } else if (e.matching && !e.matching->include.empty()) {
            model::LabelsBuilder b(labels);
            for (const auto& name : e.matching->include) {
                std::string_view v = o.labels.get(name);
                if (v.empty())
                    b.del(name);
                else
                    b.set(name, v);
            }
            labels = b.labels();
        }
        if (card != Card::kOneToOne) {
            if (!seenResults.emplace(labels, true).second)
                return Status::error(
                    "multiple matches for labels: grouping labels must ensure unique matches");
        }
        out.push_back({std::move(labels), value});
    }
    return out;
}

Result<StepValues> evalBinary(const BinaryExpr& e, const EvalContext& ctx) {
    auto l = eval(*e.lhs, ctx);
    if (!l.isOk())
        return l.status();
    auto r = eval(*e.rhs, ctx);
    if (!r.isOk())
        return r.status();
    StepValues& lv = l.value();
    StepValues& rv = r.value();
    const bool setOp = e.op == "and" || e.op == "or" || e.op == "unless";
    if (setOp && (lv.isScalar || rv.isScalar))
        return Status::error(std::string("unexpected literal for ") +
                             (lv.isScalar ? "left" : "right") +
                             " leg of logical/set binary operation (" + e.op + ")");
    StepValues out;
    if (lv.isScalar && rv.isScalar) {
        out.isScalar = true;
        out.scalars.resize(ctx.steps);
        for (std::size_t i = 0; i < ctx.steps; ++i) {
            auto [v, keep] = binop(e.op, lv.scalars[i], rv.scalars[i]);
            out.scalars[i] = isComparison(e.op) ? (keep ? 1 : 0) : v;
        }
        return out;
    }
    out.vectors.resize(ctx.steps);
    if (lv.isScalar || rv.isScalar) {
        bool scalarLeft = lv.isScalar;
        StepValues& vec = scalarLeft ? rv : lv;
        out.ordered = vec.ordered;  // sort(...) + 1 keeps the sort order
        StepValues& sc = scalarLeft ? lv : rv;
        for (std::size_t i = 0; i < ctx.steps; ++i) {
            for (Sample& s : vec.vectors[i]) {
                double a = scalarLeft ? sc.scalars[i] : s.value;
                double b = scalarLeft ? s.value : sc.scalars[i];
                auto [v, keep] = binop(e.op, a, b);
                if (isComparison(e.op)) {
                    if (e.returnBool) {
                        v = keep ? 1 : 0;
                    } else {
                        if (!keep)
                            continue;
                        v = s.value;
                    }
                }
                out.vectors[i].push_back({std::move(s.labels), v});
            }
        }
        return out;
    }
    for (std::size_t i = 0; i < ctx.steps; ++i) {
        auto v = vectorBinop(e, lv.vectors[i], rv.vectors[i]);
        if (!v.isOk())
            return v.status();
        out.vectors[i] = std::move(v.value());
    }
    return out;
}

Result<StepValues> evalLabelReplace(const LabelReplaceExpr& e, const EvalContext& ctx) {
    RE2 re("^(?s:" + e.regex + ")$", RE2::Quiet);
    if (!re.ok())
        return Status::error("invalid regular expression in label_replace(): " + e.regex);
    auto inner = eval(*e.inner, ctx);
    if (!inner.isOk())
        return inner.status();
    StepValues v = std::move(inner.value());
    if (v.isScalar)
        return Status::error("label_replace needs a vector");
    const int n = re.NumberOfCapturingGroups() + 1;
    std::vector<std::string> names(static_cast<std::size_t>(n));
    for (const auto& [name, index] : re.NamedCapturingGroups())
        names[static_cast<std::size_t>(index)] = name;
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(n));
    std::vector<std::string_view> views(static_cast<std::size_t>(n));
    for (auto& vec : v.vectors) {
        for (Sample& s : vec) {
            std::string src(s.labels.get(e.source));
            if (!re.Match(src, 0, src.size(), RE2::UNANCHORED, groups.data(), n))
                continue;
            for (std::size_t g = 0; g < groups.size(); ++g)
                views[g] = std::string_view(groups[g].data(), groups[g].size());
            // Go's regexp.Expand, shared with PromQL's label_replace.
            std::string value = promql::expandTemplate(e.replacement, views.data(), n, names);
            model::LabelsBuilder b(s.labels);
            if (value.empty())
                b.del(e.destination);
            else
                b.set(e.destination, value);
            s.labels = b.labels();
        }
    }
    return v;
}

Result<double> literalValue(const NumberLit& lit) {
    std::string_view t = lit.text;
    std::string_view body = t;
    if (!body.empty() && (body[0] == '-' || body[0] == '+'))
        body.remove_prefix(1);
    if (body.size() > 1 && body[0] == '0' &&
        (body[1] == 'x' || body[1] == 'X' || body[1] == 'b' || body[1] == 'B' || body[1] == 'o' ||
         body[1] == 'O')) {
        auto v = parseGoFloat(t);
        if (!v.isOk())
            return Status::error("unable to parse literal as a float: " + lit.text);
        return v.value();
    }
    return lit.value;
}

Result<StepValues> eval(const Expr& expr, const EvalContext& ctx) {
    const Expr& e = unparen(expr);
    switch (e.kind()) {
        case Expr::Kind::kRangeAggregation:
            return evalRange(static_cast<const RangeAggregationExpr&>(e), ctx);
        case Expr::Kind::kVectorAggregation:
            return evalVectorAggregation(static_cast<const VectorAggregationExpr&>(e), ctx);
        case Expr::Kind::kBinary:
            return evalBinary(static_cast<const BinaryExpr&>(e), ctx);
        case Expr::Kind::kLabelReplace:
            return evalLabelReplace(static_cast<const LabelReplaceExpr&>(e), ctx);
        case Expr::Kind::kLiteral: {
            auto v = literalValue(static_cast<const LiteralExpr&>(e).value);
            if (!v.isOk())
                return v.status();
            StepValues out;
            out.isScalar = true;
            out.scalars.assign(ctx.steps, v.value());
            return out;
        }
        case Expr::Kind::kVector: {
            auto v = literalValue(static_cast<const VectorExpr&>(e).value);
            if (!v.isOk())
                return v.status();
            StepValues out;
            out.vectors.assign(ctx.steps, Vector{Sample{model::Labels(), v.value()}});
            return out;
        }
        case Expr::Kind::kLogQuery:
            return Status::error("a log query cannot be used in a metric expression");
        case Expr::Kind::kParen:
            break;
    }
    return Status::error("unsupported expression");
}

// ---------------------------------------------------------------------------
// Log queries.

struct CollectedEntry {
    TimestampNs tsNs;
    std::uint64_t seq;  // keeps the store order among equal timestamps
    std::size_t stream;
    std::string line;
};

Result<QueryResult> evalLogQuery(const LogQueryExpr& e, const QueryParams& p,
                                 const logs::LogReader& reader, QueryStats& stats) {
    auto pipeline = Pipeline::compile(e.selector.stages);
    if (!pipeline.isOk())
        return pipeline.status();
    const bool forward = p.direction == logs::Direction::kForward;
    std::vector<model::Labels> streamLabels;
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> index;
    std::vector<CollectedEntry> entries;
    std::uint64_t seq = 0;
    std::size_t perStream = 0;
    model::Labels currentStream;
    auto sink = [&](TimestampNs ts, const std::string& line, LineLabels& labels) -> bool {
        model::Labels l = labels.result();
        std::size_t id = streamLabels.size();
        auto& cands = index[l.hash()];
        bool found = false;
        for (std::size_t c : cands)
            if (streamLabels[c] == l) {
                id = c;
                found = true;
                break;
            }
        if (!found) {
            cands.push_back(id);
            streamLabels.push_back(std::move(l));
        }
        entries.push_back({ts, seq++, id, line});
        // One source stream cannot contribute more than `limit` entries.
        return p.limit == 0 || ++perStream < p.limit;
    };
    struct Counting final : logs::MetadataStreamVisitor {
        logs::MetadataStreamVisitor* inner;
        std::size_t* perStream;
        bool beginStream(const model::Labels& l) override {
            *perStream = 0;
            return inner->beginStream(l);
        }
        bool entryWithMetadata(TimestampNs ts, std::string_view line,
                               const model::Labels& md) override {
            return inner->entryWithMetadata(ts, line, md);
        }
    };
    PipelineVisitor visitor(pipeline.value(), stats, sink);
    Counting counting;
    counting.inner = &visitor;
    counting.perStream = &perStream;
    logs::LogSelectParams params;
    params.matchers = e.selector.matchers;
    params.startNs = p.startNs;
    params.endNs = p.endNs;
    params.direction = p.direction;
    Status s = reader.select(params, counting);
    if (!s.isOk())
        return s;

    std::stable_sort(entries.begin(), entries.end(),
                     [&](const CollectedEntry& a, const CollectedEntry& b) {
                         if (a.tsNs != b.tsNs)
                             return forward ? a.tsNs < b.tsNs : a.tsNs > b.tsNs;
                         return a.seq < b.seq;
                     });
    QueryResult result;
    result.type = QueryResult::Type::kStreams;
    std::vector<logs::LogStream> streams(streamLabels.size());
    std::vector<TimestampNs> lastKept(streamLabels.size(), std::numeric_limits<TimestampNs>::min());
    std::size_t taken = 0;
    for (CollectedEntry& ce : entries) {
        if (p.limit != 0 && taken >= p.limit)
            break;
        if (p.intervalNs > 0 && lastKept[ce.stream] != std::numeric_limits<TimestampNs>::min()) {
            TimestampNs gap =
                forward ? ce.tsNs - lastKept[ce.stream] : lastKept[ce.stream] - ce.tsNs;
            if (gap < p.intervalNs)
                continue;
        }
        lastKept[ce.stream] = ce.tsNs;
        streams[ce.stream].entries.push_back({ce.tsNs, std::move(ce.line), model::Labels()});
        ++taken;
    }
    for (std::size_t i = 0; i < streams.size(); ++i) {
        if (streams[i].entries.empty())
            continue;
        streams[i].labels = streamLabels[i];
        result.streams.push_back(std::move(streams[i]));
    }
    // Loki orders streams by their label string ({a="1", b="2"} before {a="1"}).
    std::vector<std::pair<std::string, std::size_t>> order;
    for (std::size_t i = 0; i < result.streams.size(); ++i)
        order.emplace_back(result.streams[i].labels.toString(), i);
    std::sort(order.begin(), order.end());
    std::vector<logs::LogStream> sorted;
    sorted.reserve(order.size());
    for (const auto& [key, i] : order)
        sorted.push_back(std::move(result.streams[i]));
    result.streams = std::move(sorted);
    stats.entriesReturned = taken;
    return result;
}

}  // namespace

Engine::Engine(const logs::LogReader& reader) : Engine(reader, Options{}) {}

Engine::Engine(const logs::LogReader& reader, Options options)
    : m_reader(reader), m_options(options) {}

Result<QueryResult> Engine::query(std::string_view query, const QueryParams& params) const {
    auto parsed = parse(query);
    if (!parsed.isOk())
        return parsed.status();
    return exec(*parsed.value(), params);
}

Result<QueryResult> Engine::exec(const Expr& expr, const QueryParams& params) const {
    auto started = std::chrono::steady_clock::now();
    QueryStats stats;
    auto finish = [&](QueryResult r) -> Result<QueryResult> {
        r.stats = stats;
        r.stats.execSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return r;
    };
    const Expr& e = unparen(expr);
    if (e.kind() == Expr::Kind::kLogQuery) {
        auto r = evalLogQuery(static_cast<const LogQueryExpr&>(e), params, m_reader, stats);
        if (!r.isOk())
            return r.status();
        return finish(std::move(r.value()));
    }
    EvalContext ctx;
    ctx.reader = &m_reader;
    ctx.options = &m_options;
    ctx.stats = &stats;
    ctx.startNs = params.startNs;
    ctx.instant = params.instant || params.stepNs <= 0;
    if (ctx.instant) {
        ctx.steps = 1;
        ctx.stepNs = 1;
    } else {
        if (params.endNs < params.startNs)
            return Status::error("end timestamp must not be before start time");
        ctx.stepNs = params.stepNs;
        std::size_t steps =
            static_cast<std::size_t>((params.endNs - params.startNs) / params.stepNs) + 1;
        if (steps > m_options.maxSteps)
            return Status::error(
                "exceeded maximum resolution of " + std::to_string(m_options.maxSteps) +
                " points per timeseries. Try decreasing the query resolution (?step=XX)");
        ctx.steps = steps;
    }
    auto v = eval(e, ctx);
    if (!v.isOk())
        return v.status();
    StepValues& sv = v.value();
    QueryResult r;
    if (sv.isScalar) {
        if (ctx.instant) {
            r.type = QueryResult::Type::kScalar;
            r.scalar = {ctx.startNs, sv.scalars[0]};
            return finish(std::move(r));
        }
        r.type = QueryResult::Type::kMatrix;
        SeriesResult s;
        for (std::size_t i = 0; i < ctx.steps; ++i)
            s.points.push_back({ctx.stepTime(i), sv.scalars[i]});
        r.series.push_back(std::move(s));
        return finish(std::move(r));
    }
    if (ctx.instant) {
        r.type = QueryResult::Type::kVector;
        for (Sample& s : sv.vectors[0])
            r.series.push_back({std::move(s.labels), {{ctx.startNs, s.value}}});
        if (!sv.ordered)
            std::stable_sort(
                r.series.begin(), r.series.end(),
                [](const SeriesResult& a, const SeriesResult& b) { return a.labels < b.labels; });
        return finish(std::move(r));
    }
    r.type = QueryResult::Type::kMatrix;
    std::map<model::Labels, std::size_t> index;
    for (std::size_t i = 0; i < ctx.steps; ++i) {
        for (Sample& s : sv.vectors[i]) {
            auto [it, inserted] = index.try_emplace(s.labels, r.series.size());
            if (inserted)
                r.series.push_back({s.labels, {}});
            r.series[it->second].points.push_back({ctx.stepTime(i), s.value});
        }
    }
    std::sort(r.series.begin(), r.series.end(),
              [](const SeriesResult& a, const SeriesResult& b) { return a.labels < b.labels; });
    return finish(std::move(r));
}

}  // namespace vigil::logql
