#include "core/rules/rule_templates.h"

#include "core/template/prometheus_functions.h"
#include "core/template/template.h"

namespace vigil::rules {

Status checkAlertTemplate(std::string_view ruleName, std::string_view text) {
    // As Prometheus's rulefmt testTemplateParsing: the defs prepended, the
    // functions known (a call to an unknown function is a parse error).
    gotmpl::Template tmpl("__alert_" + std::string(ruleName),
                          gotmpl::Options{gotmpl::MissingKey::kZero, false},
                          gotmpl::prometheusFunctions({}));
    std::string full(gotmpl::prometheusAlertDefs());
    full += text;
    return tmpl.parse(full);
}

std::string expandAlertTemplate(std::string_view text, const AlertTemplateInput& input) {
    if (text.find("{{") == std::string_view::npos)
        return std::string(text);  // the common case: no template at all
    gotmpl::PrometheusContext context;
    context.evalTimeMs = input.evalTime;
    context.externalUrl = std::string(input.externalUrl);
    if (input.query && *input.query) {
        const TemplateQuery query = *input.query;
        context.query = [query](std::string_view q,
                                model::Timestamp t) -> Result<std::vector<gotmpl::QuerySample>> {
            auto result = query(q, t);
            if (!result)
                return result.status();
            std::vector<gotmpl::QuerySample> out;
            out.reserve(result->size());
            for (auto& s : *result)
                out.push_back({std::move(s.labels), s.value});
            return out;
        };
    }
    gotmpl::Value data = gotmpl::prometheusAlertData(*input.labels, *input.externalLabels,
                                                     input.externalUrl, input.value);
    auto expanded = gotmpl::expandAlertTemplate(input.ruleName, text, data, context);
    if (!expanded)
        return "<error expanding template: " + expanded.status().message() + ">";
    return *expanded;
}

}  // namespace vigil::rules
