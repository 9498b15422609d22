#include "core/rules/series_notation.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "core/model/sample.h"
#include "core/promql/parser.h"

namespace vigil::rules {

namespace {

std::optional<double> parseFloat(std::string_view s) {
    if (s.empty())
        return std::nullopt;
    std::string lower;
    for (char c : s)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view body = lower;
    bool negative = false;
    if (body[0] == '+' || body[0] == '-') {
        negative = body[0] == '-';
        body.remove_prefix(1);
    }
    if (body == "inf" || body == "infinity")
        return negative ? -HUGE_VAL : HUGE_VAL;
    if (body == "nan")
        return std::nan("");
    std::string tmp(s);
    char* end = nullptr;
    double v = std::strtod(tmp.c_str(), &end);
    if (end != tmp.c_str() + tmp.size() || tmp.find_first_of("xXpP") != std::string::npos)
        return std::nullopt;
    return v;
}

bool allDigits(std::string_view s) {
    if (s.empty())
        return false;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

}  // namespace

Result<std::vector<SeriesValue>> expandSeriesValues(std::string_view values) {
    std::vector<SeriesValue> out;
    std::size_t pos = 0;
    while (pos < values.size()) {
        while (pos < values.size() && std::isspace(static_cast<unsigned char>(values[pos])))
            ++pos;
        if (pos >= values.size())
            break;
        std::size_t end = pos;
        while (end < values.size() && !std::isspace(static_cast<unsigned char>(values[end])))
            ++end;
        std::string_view item = values.substr(pos, end - pos);
        pos = end;
        if (item == "_") {
            out.push_back({true, 0});
            continue;
        }
        if (item.size() > 2 && item[0] == '_' && item[1] == 'x' && allDigits(item.substr(2))) {
            const long n = std::atol(std::string(item.substr(2)).c_str());
            for (long i = 0; i < n; ++i)
                out.push_back({true, 0});
            continue;
        }
        if (item == "stale") {
            out.push_back({false, model::staleNaN()});
            continue;
        }
        if (auto v = parseFloat(item)) {
            out.push_back({false, *v});
            continue;
        }
        const std::size_t x = item.rfind('x');
        if (x != std::string_view::npos && allDigits(item.substr(x + 1))) {
            const long n = std::atol(std::string(item.substr(x + 1)).c_str());
            const std::string_view head = item.substr(0, x);
            std::size_t op = std::string_view::npos;
            for (std::size_t i = 1; i < head.size(); ++i) {
                if ((head[i] == '+' || head[i] == '-') && head[i - 1] != 'e' && head[i - 1] != 'E')
                    op = i;
            }
            std::optional<double> a;
            std::optional<double> b = 0.0;
            if (op == std::string_view::npos) {
                a = parseFloat(head);
            } else {
                a = parseFloat(head.substr(0, op));
                b = parseFloat(head.substr(op + 1));
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
                continue;
            }
        }
        return Status::error("invalid value \"" + std::string(item) + "\" in series values \"" +
                             std::string(values) + "\"");
    }
    return out;
}

Result<model::Labels> parseSeriesLabels(std::string_view series) {
    std::string_view trimmed = series;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front())))
        trimmed.remove_prefix(1);
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())))
        trimmed.remove_suffix(1);
    if (trimmed == "{}")
        return model::Labels();  // Prometheus's ParseMetric accepts the empty label set
    auto matchers = promql::parseSeriesSelector(series);
    if (!matchers)
        return matchers.status();
    std::vector<model::Label> labels;
    for (const auto& m : *matchers) {
        if (m.type() != model::MatchType::kEqual) {
            return Status::error("series \"" + std::string(series) +
                                 "\": only label=\"value\" pairs are allowed");
        }
        labels.push_back({m.name(), m.value()});
    }
    return model::Labels::fromUnsorted(std::move(labels));
}

}  // namespace vigil::rules
