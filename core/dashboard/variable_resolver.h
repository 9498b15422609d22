#pragma once

#include <QString>

#include <vector>

#include "core/dashboard/dashboard.h"
#include "core/dashboard/interpolation.h"
#include "core/dashboard/metrics_source.h"

namespace vigil::dashboard {

// Resolves dashboard variables to their options and current values, as
// Grafana's variable system does for a Prometheus data source: query
// variables (label_names(), label_values(label), label_values(metric,
// label), metrics(regex), query_result(expr)) with their regex filter or
// capture and sort order; custom ("a,b" or "text : value"), constant,
// textbox, interval (with auto) and datasource variables. Chained variables
// resolve in dependency order.

struct VariableOption {
    QString text;
    QString value;
    friend bool operator==(const VariableOption&, const VariableOption&) = default;
};

struct ResolvedVariable {
    QString name;
    std::vector<VariableOption> options;  // without "All"
    VariableValue value;
    QString error;  // why the options could not be fetched ("" when fine)
};

struct VariableResolveContext {
    MetricsSource* source = nullptr;  // null: query variables resolve to no options
    std::int64_t fromMs = 0;
    std::int64_t toMs = 0;
    std::int64_t intervalMs = 0;  // for interval variables with auto
    QString dataSourceName = QStringLiteral("Vigil");
};

// Options of one variable; `context` supplies the values of the variables
// it references. A failing query is an error naming the variable.
Result<std::vector<VariableOption>> resolveVariableOptions(const Variable& variable,
                                                           const VariableResolveContext& resolve,
                                                           const InterpolationContext& context);

// The value a variable takes given its options: the saved current
// selection when still offered, "All" when selected and allowed, else the
// first option.
VariableValue selectVariableValue(const Variable& variable,
                                  const std::vector<VariableOption>& options);

// Every variable of `dashboard`, in dependency order; the returned context
// holds their values plus the time built-ins. Failures are reported per
// variable, never abort the others.
InterpolationContext resolveDashboardVariables(const Dashboard& dashboard,
                                               const VariableResolveContext& resolve,
                                               std::vector<ResolvedVariable>* resolved = nullptr);

}  // namespace vigil::dashboard
