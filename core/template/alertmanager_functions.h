#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/template/template.h"
#include "core/util/status.h"

// Alertmanager's notification templates: its template functions
// (alertmanager/template/template.go DefaultFuncs), the data it executes
// templates with, and its default.tmpl (Alertmanager 0.25).
namespace vigil::gotmpl {

// toUpper, toLower, title, trimSpace, join, match, safeHtml, reReplaceAll,
// stringSlice, date, tz, since, humanizeDuration. `since` measures against
// the system clock.
FuncMap alertmanagerFunctions();

// The method tables of Alertmanager's template types, for callers building
// their own values: KV (SortedPairs, Remove, Names, Values), Pairs (Names,
// Values) and Alerts (Firing, Resolved).
std::shared_ptr<const MethodTable> kvMethods();
std::shared_ptr<const MethodTable> pairsMethods();
std::shared_ptr<const MethodTable> alertsMethods();

// Alertmanager's template.Alert.
struct AmAlert {
    std::string status;  // "firing" or "resolved"
    model::Labels labels;
    model::Labels annotations;
    model::Timestamp startsAtMs = 0;
    model::Timestamp endsAtMs = 0;  // 0: Go's zero time (0001-01-01 00:00:00 +0000 UTC)
    std::string generatorUrl;
    std::string fingerprint;  // 16 lower-case hex digits
};

// Alertmanager's template.Data, the dot of every notification template.
struct AmData {
    // Alertmanager passes the receiver name through regexp.QuoteMeta
    // ("team.ops" -> "team\\.ops"); the caller does the same to match it.
    std::string receiver;
    std::string status;  // "firing" if any alert fires, else "resolved"
    std::vector<AmAlert> alerts;
    model::Labels groupLabels;
    model::Labels commonLabels;
    model::Labels commonAnnotations;
    std::string externalUrl;
};

// The Value the templates see: fields Receiver, Status, Alerts (with
// Firing/Resolved), GroupLabels, CommonLabels, CommonAnnotations (KV with
// SortedPairs/Remove/Names/Values), ExternalURL; each alert has Status,
// Labels, Annotations, StartsAt, EndsAt (time.Time in UTC), GeneratorURL,
// Fingerprint.
Value toValue(const AmData& data);
Value toValue(const AmAlert& alert);

// Alertmanager 0.25's template/default.tmpl and template/email.tmpl
// (Apache-2.0, The Prometheus Authors; email.tmpl's HTML is MIT, Mailgun),
// compiled into the binary from resources/alertmanager/.
std::string_view alertmanagerDefaultTemplate();
std::string_view alertmanagerEmailTemplate();

// A template set as Alertmanager builds it: default.tmpl and email.tmpl, then each
// (name, text) in `files` in order (their defines replace the defaults), all
// parsed with missingkey=zero and alertmanagerFunctions(). `htmlEscape`
// selects the html/template approximation (for email HTML bodies).
// Errors name the file ("template: mine.tmpl:3: unexpected EOF").
Result<Template> loadAlertmanagerTemplates(
    const std::vector<std::pair<std::string, std::string>>& files, bool htmlEscape = false);

// Executes `text` (a receiver config field like `{{ template
// "slack.default.title" . }}`) against `data` in `templates`, like
// Alertmanager's tmpl.ExecuteTextString / ExecuteHTMLString: the text is
// parsed as a new template inside a copy-on-write view of the set.
Result<std::string> executeAlertmanagerString(const Template& templates, std::string_view text,
                                              const Value& data);

}  // namespace vigil::gotmpl
