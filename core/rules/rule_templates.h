#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/util/status.h"

// The seam between rules and the Go text/template engine (core/template):
// alerting rules check their label and annotation templates at load and
// expand them at every evaluation, with Prometheus's data ($labels, $value,
// $externalLabels, $externalURL) and functions (humanize*, query, ...).
namespace vigil::rules {

struct TemplateSample {
    model::Labels labels;
    double value = 0;
};
// Runs an instant query for the template `query` function.
using TemplateQuery =
    std::function<Result<std::vector<TemplateSample>>(std::string_view query, model::Timestamp t)>;

struct AlertTemplateInput {
    std::string_view ruleName;
    const model::Labels* labels = nullptr;          // the alert's series labels (REQUIRED)
    const model::Labels* externalLabels = nullptr;  // REQUIRED
    std::string_view externalUrl;
    double value = 0;
    model::Timestamp evalTime = 0;
    const TemplateQuery* query = nullptr;  // optional
};

// OK when `text` parses as a template of alerting rule `ruleName`; otherwise
// Go's message, "template: __alert_NAME:1: unclosed action". Thread-safe.
Status checkAlertTemplate(std::string_view ruleName, std::string_view text);

// Expands `text`; on failure returns Prometheus's placeholder
// "<error expanding template: MESSAGE>" (the rule keeps working, as
// upstream). Thread-safe.
std::string expandAlertTemplate(std::string_view text, const AlertTemplateInput& input);

}  // namespace vigil::rules
