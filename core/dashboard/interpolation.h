#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <optional>

#include "core/model/labels.h"

namespace vigil::dashboard {

// Grafana's template variable interpolation for queries, titles, text and
// links (MODEL.md §6): `$name`, `${name}`, `${name:format}`, `[[name]]`,
// `[[name:format]]`, with the built-ins $__interval, $__interval_ms,
// $__rate_interval, $__range, $__range_s, $__range_ms, $__from, $__to,
// $__dashboard. Unknown names are left as written, as Grafana does.

struct VariableValue {
    QStringList values;  // selected values; "All" expanded to every option
    bool multi = false;  // multi-value or include-All variable (regex-escaped in PromQL)
    bool isAll = false;
    QString allValue;   // the variable's custom "All" value (e.g. ".*"); used when isAll
    QStringList texts;  // display texts (format "text"); values when empty
};

enum class InterpolationTarget : std::uint8_t {
    kPromQL,  // Prometheus data source: Grafana's interpolateQueryExpr escaping
    kLogQL,   // Loki: regex-escaped multi values, like Prometheus
    kText,    // titles, text panels, legends: values joined with ", "
};

struct InterpolationContext {
    std::map<QString, VariableValue> variables;
    std::int64_t fromMs = 0;
    std::int64_t toMs = 0;
    std::int64_t intervalMs = 0;      // $__interval
    std::int64_t rateIntervalMs = 0;  // $__rate_interval
    QString dashboardTitle;
};

QString interpolate(const QString& text, const InterpolationContext& context,
                    InterpolationTarget target = InterpolationTarget::kPromQL);

// The names a text references (for dependency order of chained variables).
QStringList referencedVariables(const QString& text);

// One value in a named Grafana format (csv, pipe, regex, glob, json,
// lucene, distributed, doublequote, singlequote, sqlstring, percentencode,
// raw, text, queryparam). Unknown formats fall back to glob, as Grafana does.
QString formatVariable(const QString& name, const VariableValue& value, const QString& format);

// Grafana's legendFormat: `{{label}}` (spaces allowed inside the braces)
// becomes that label's value, "" when absent; other text is literal. An
// empty format or "__auto" names the series as PromQL prints it.
QString renderLegend(const QString& legendFormat, const model::Labels& labels);

}  // namespace vigil::dashboard
