#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/template/template.h"
#include "core/util/status.h"

// Prometheus's template functions (prometheus/template/template.go) and the
// data alerting rules expand their labels and annotations with.
namespace vigil::gotmpl {

// One element of a `query` result (Prometheus's template `sample`: fields
// Labels (map[string]string) and Value (float64)).
struct QuerySample {
    model::Labels labels;
    double value = 0;
};

// Runs an instant PromQL query at `evalTimeMs`. Called from the template's
// executing thread; an error Status makes the template fail with
// "error calling query: <message>".
using QueryCallback = std::function<Result<std::vector<QuerySample>>(std::string_view query,
                                                                     model::Timestamp evalTimeMs)>;

struct PrometheusContext {
    QueryCallback query;  // may be empty: `query` then fails with a clear error
    model::Timestamp evalTimeMs = 0;
    std::string externalUrl;  // "http://host:9090/prefix"; pathPrefix is its path
};

// query, first, label, value, strvalue, args, reReplaceAll, safeHtml, match,
// title, toUpper, toLower, graphLink, tableLink, sortByLabel, humanize,
// humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp,
// toTime, toDuration, parseDuration, stripPort, stripDomain, pathPrefix,
// externalURL, now, urlQueryEscape -- with Prometheus's exact formatting.
// Numeric arguments accept numbers or numeric strings, as Prometheus does.
FuncMap prometheusFunctions(PrometheusContext context);

// The dot of an alerting rule's label/annotation template: a struct with
// Labels, ExternalLabels, ExternalURL and Value (float64).
Value prometheusAlertData(const model::Labels& labels, const model::Labels& externalLabels,
                          std::string_view externalUrl, double value);

// The variable definitions Prometheus prepends to every alert template:
// "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}
//  {{$externalURL := .ExternalURL}}{{$value := .Value}}".
std::string_view prometheusAlertDefs();

// Expands one label/annotation template of alerting rule `ruleName` exactly
// like Prometheus's rules/alerting.go: name "__alert_<rule>", the defs above
// prepended, missingkey=zero. On error the Status message is Go's
// ("error executing template __alert_X: template: ...") and the caller
// stores "<error expanding template: MESSAGE>" like Prometheus does.
// Parses (does not execute) a label/annotation template of rule `ruleName`
// as expandAlertTemplate would (Prometheus's Expander.ParseTest, run when
// rules are loaded): "template: __alert_X:1: function \"foo\" not defined".
Status checkAlertTemplate(std::string_view ruleName, std::string_view text);

Result<std::string> expandAlertTemplate(std::string_view ruleName, std::string_view text,
                                        const Value& data, const PrometheusContext& context);

}  // namespace vigil::gotmpl
