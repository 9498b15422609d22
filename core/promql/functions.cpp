#include "core/promql/functions.h"

#include <algorithm>
#include <cctype>

namespace vigil::promql {
namespace {

constexpr ValueType S = ValueType::kScalar;
constexpr ValueType V = ValueType::kVector;
constexpr ValueType M = ValueType::kMatrix;
constexpr ValueType Str = ValueType::kString;

std::vector<Function> buildTable() {
    std::vector<Function> t = {
        {"abs", {V}, 0, V, false},
        {"absent", {V}, 0, V, false},
        {"absent_over_time", {M}, 0, V, false},
        {"acos", {V}, 0, V, false},
        {"acosh", {V}, 0, V, false},
        {"asin", {V}, 0, V, false},
        {"asinh", {V}, 0, V, false},
        {"atan", {V}, 0, V, false},
        {"atanh", {V}, 0, V, false},
        {"avg_over_time", {M}, 0, V, false},
        {"ceil", {V}, 0, V, false},
        {"changes", {M}, 0, V, false},
        {"clamp", {V, S, S}, 0, V, false},
        {"clamp_max", {V, S}, 0, V, false},
        {"clamp_min", {V, S}, 0, V, false},
        {"cos", {V}, 0, V, false},
        {"cosh", {V}, 0, V, false},
        {"count_over_time", {M}, 0, V, false},
        {"day_of_month", {V}, 1, V, false},
        {"day_of_week", {V}, 1, V, false},
        {"day_of_year", {V}, 1, V, false},
        {"days_in_month", {V}, 1, V, false},
        {"deg", {V}, 0, V, false},
        {"delta", {M}, 0, V, false},
        {"deriv", {M}, 0, V, false},
        {"double_exponential_smoothing", {M, S, S}, 0, V, true},
        {"end", {}, 0, S, true},
        {"exp", {V}, 0, V, false},
        {"first_over_time", {M}, 0, V, true},
        {"floor", {V}, 0, V, false},
        {"histogram_avg", {V}, 0, V, true},
        {"histogram_count", {V}, 0, V, false},
        {"histogram_fraction", {S, S, V}, 0, V, false},
        {"histogram_quantile", {S, V}, 0, V, false},
        {"histogram_quantiles", {V, Str, S}, -1, V, true},
        {"histogram_stddev", {V}, 0, V, true},
        {"histogram_stdvar", {V}, 0, V, true},
        {"histogram_sum", {V}, 0, V, false},
        {"holt_winters", {M, S, S}, 0, V, false},
        {"hour", {V}, 1, V, false},
        {"idelta", {M}, 0, V, false},
        {"increase", {M}, 0, V, false},
        {"info", {V, V}, 1, V, true},
        {"irate", {M}, 0, V, false},
        {"label_join", {V, Str, Str, Str}, -1, V, false},
        {"label_replace", {V, Str, Str, Str, Str}, 0, V, false},
        {"last_over_time", {M}, 0, V, false},
        {"ln", {V}, 0, V, false},
        {"log10", {V}, 0, V, false},
        {"log2", {V}, 0, V, false},
        {"mad_over_time", {M}, 0, V, true},
        {"max_over_time", {M}, 0, V, false},
        {"max_of", {S, S}, 0, S, true},
        {"min_of", {S, S}, 0, S, true},
        {"min_over_time", {M}, 0, V, false},
        {"minute", {V}, 1, V, false},
        {"month", {V}, 1, V, false},
        {"pi", {}, 0, S, false},
        {"predict_linear", {M, S}, 0, V, false},
        {"present_over_time", {M}, 0, V, false},
        {"quantile_over_time", {S, M}, 0, V, false},
        {"range", {}, 0, S, true},
        {"rad", {V}, 0, V, false},
        {"rate", {M}, 0, V, false},
        {"resets", {M}, 0, V, false},
        {"round", {V, S}, 1, V, false},
        {"scalar", {V}, 0, S, false},
        {"sgn", {V}, 0, V, false},
        {"sin", {V}, 0, V, false},
        {"sinh", {V}, 0, V, false},
        {"sort", {V}, 0, V, false},
        {"sort_by_label", {V, Str}, -1, V, true},
        {"sort_by_label_desc", {V, Str}, -1, V, true},
        {"sort_desc", {V}, 0, V, false},
        {"sqrt", {V}, 0, V, false},
        {"start", {}, 0, S, true},
        {"start_timestamp", {V}, 0, V, true},
        {"step", {}, 0, S, true},
        {"stddev_over_time", {M}, 0, V, false},
        {"stdvar_over_time", {M}, 0, V, false},
        {"sum_over_time", {M}, 0, V, false},
        {"tan", {V}, 0, V, false},
        {"tanh", {V}, 0, V, false},
        {"time", {}, 0, S, false},
        {"timestamp", {V}, 0, V, false},
        {"ts_of_first_over_time", {M}, 0, V, true},
        {"ts_of_last_over_time", {M}, 0, V, true},
        {"ts_of_max_over_time", {M}, 0, V, true},
        {"ts_of_min_over_time", {M}, 0, V, true},
        {"vector", {S}, 0, V, false},
        {"year", {V}, 1, V, false},
    };
    std::sort(t.begin(), t.end(),
              [](const Function& a, const Function& b) { return a.name < b.name; });
    return t;
}

}  // namespace

const std::vector<Function>& allFunctions() {
    static const std::vector<Function> table = buildTable();
    return table;
}

const Function* findFunction(std::string_view name) {
    const auto& table = allFunctions();
    auto it = std::lower_bound(table.begin(), table.end(), name,
                               [](const Function& f, std::string_view n) { return f.name < n; });
    if (it == table.end() || it->name != name)
        return nullptr;
    return &*it;
}

namespace {

std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string_view closestFunctionName(std::string_view name) {
    static constexpr std::string_view kAggregations[] = {
        "sum",    "avg",  "count",   "min",          "max",      "group",  "stddev",
        "stdvar", "topk", "bottomk", "count_values", "quantile", "limitk", "limit_ratio"};
    std::string_view best;
    std::size_t bestDistance = 3;
    auto consider = [&](std::string_view candidate) {
        const std::size_t d = editDistance(name, candidate);
        // On a tie prefer a name the input is a prefix of ("rat" -> "rate").
        auto extends = [&](std::string_view c) {
            return c.size() >= name.size() && editDistance(c.substr(0, name.size()), name) == 0;
        };
        if (d < bestDistance ||
            (d == bestDistance && !best.empty() && extends(candidate) && !extends(best))) {
            bestDistance = d;
            best = candidate;
        }
    };
    for (const auto& f : allFunctions())
        consider(f.name);
    for (auto a : kAggregations)
        consider(a);
    return best;
}

std::string rangeModifierError(const Function& function, bool anchored, bool smoothed) {
    const std::string_view n = function.name;
    if (anchored &&
        !(n == "changes" || n == "delta" || n == "increase" || n == "rate" || n == "resets")) {
        return "anchored modifier can only be used with: changes, delta, increase, rate, "
               "resets - not with " +
               std::string(n);
    }
    if (smoothed && !(n == "delta" || n == "increase" || n == "rate"))
        return "smoothed modifier can only be used with: delta, increase, rate - not with " +
               std::string(n);
    return {};
}

}  // namespace vigil::promql
