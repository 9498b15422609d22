#include "core/rules/log_rule_query.h"

#include <memory>

#include "core/logs/logql/engine.h"
#include "core/logs/logql/parser.h"

namespace vigil::rules {

QueryFunc makeLogQueryFunc(const logs::LogReader& reader) {
    // The LogQL engine holds only a reference to the reader; one per
    // function, shared by the group's copies of it.
    auto engine = std::make_shared<const logql::Engine>(reader);
    return [engine](const RuleSpec* rule, std::string_view text,
                    model::Timestamp t) -> Result<promql::Vector> {
        logql::ExprPtr parsed = rule ? rule->logParsed : nullptr;
        if (!parsed) {
            auto p = logql::parse(text);
            if (!p)
                return p.status();
            parsed = std::move(p.value());
        }
        logql::QueryParams params;
        params.startNs = t * 1'000'000;
        params.endNs = params.startNs;
        params.instant = true;
        auto result = engine->exec(*parsed, params);
        if (!result)
            return result.status();
        switch (result->type) {
            case logql::QueryResult::Type::kVector: {
                promql::Vector out;
                out.reserve(result->series.size());
                for (auto& series : result->series) {
                    const double v = series.points.empty() ? 0 : series.points.front().value;
                    out.push_back({std::move(series.labels), t, v});
                }
                return out;
            }
            case logql::QueryResult::Type::kScalar:
                return promql::Vector{{model::Labels(), t, result->scalar.value}};
            default:
                return Status::error("rule result is not a vector or scalar");
        }
    };
}

}  // namespace vigil::rules
