#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/alert.h"
#include "core/model/labels.h"
#include "core/model/sample.h"

namespace vigil::notify::receivers {

// Alertmanager 0.25's notification template data (template.Data), the input
// of every payload and default template. See
// shared/conformance/alertmanager/SEMANTICS.md §8.

struct TemplateAlert {
    bool firing = true;  // Status: "firing" / "resolved"
    model::Labels labels;
    model::Labels annotations;
    model::Timestamp startsAtMs = 0;
    // 0 prints as Go's zero time "0001-01-01T00:00:00Z" (firing alerts).
    model::Timestamp endsAtMs = 0;
    std::string generatorUrl;
    std::string fingerprint;  // 16 lowercase hex digits

    std::string_view status() const { return firing ? "firing" : "resolved"; }
};

struct NotificationData {
    std::string receiver;  // regex-quoted as Alertmanager does (QuoteMeta)
    bool firing = false;   // Status: firing if any alert fires
    std::vector<TemplateAlert> alerts;
    model::Labels groupLabels;
    model::Labels commonLabels;       // intersection over the alerts
    model::Labels commonAnnotations;  // intersection over the alerts
    std::string externalUrl;          // trailing slash trimmed
    std::string groupKey;             // not template data; payloads carry it

    std::string_view status() const { return firing ? "firing" : "resolved"; }
    std::size_t numFiring() const;
    std::size_t numResolved() const;
    std::vector<const TemplateAlert*> firingAlerts() const;
    std::vector<const TemplateAlert*> resolvedAlerts() const;
};

// One alert of a notification as the dispatcher hands it over.
struct NotificationInput {
    model::Alert alert;
    bool resolved = false;
};

// Builds the template data: receiver quoted, alerts in the given order with
// their fingerprints, common labels/annotations computed, external URL's
// trailing slash trimmed.
NotificationData makeNotificationData(std::string_view receiverName, std::string_view groupKey,
                                      const model::Labels& groupLabels,
                                      const std::vector<NotificationInput>& alerts,
                                      std::string_view externalUrl);

// Go's regexp.QuoteMeta: backslash before each of \.+*?()|[]{}^$
std::string goQuoteMeta(std::string_view s);
// Go's url.QueryEscape (template function urlquery): space as '+', bytes other
// than A-Z a-z 0-9 - _ . ~ as %XX.
std::string goQueryEscape(std::string_view s);
// Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros of the
// fraction trimmed) in UTC; 0 is Go's zero time "0001-01-01T00:00:00Z".
std::string formatGoTime(model::Timestamp ms);
// Go's encoding/json string: quotes, \" \\ \n \r \t, other control bytes as
// \u00XX, < > & U+2028 U+2029 escaped as \u003c..., invalid UTF-8 as \ufffd.
void appendGoJsonString(std::string& out, std::string_view s);
// {"a":"1","b":"2"} with sorted keys (Go marshals maps sorted).
void appendGoJsonLabels(std::string& out, const model::Labels& labels);
// Truncates to `maxRunes` UTF-8 code points, ending with "…" when cut
// (Alertmanager's notify.TruncateInRunes). `truncated` says whether it cut.
std::string truncateInRunes(std::string_view s, std::size_t maxRunes, bool* truncated = nullptr);

}  // namespace vigil::notify::receivers
