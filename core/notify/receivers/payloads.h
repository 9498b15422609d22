#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/sample.h"
#include "core/notify/receivers/integration_configs.h"
#include "core/notify/receivers/notification_data.h"
#include "core/notify/receivers/templates.h"
#include "core/util/status.h"

namespace vigil::notify::receivers {

// The bodies Alertmanager 0.25 sends, byte for byte where Go's encoders
// are deterministic (JSON: struct field order, sorted map keys, HTML-safe
// escaping, trailing newline). SEMANTICS.md §9-12 and the captured payloads
// in shared/conformance/alertmanager/payloads/ are the reference.

// Webhook JSON version 4. `maxAlerts` 0 keeps all alerts.
std::string webhookPayload(const NotificationData& data, std::uint64_t maxAlerts);

Result<std::string> slackPayload(const SlackConfig& cfg, const NotificationData& data,
                                 const TemplateRenderer& templates);

// Events API v2 (routing_key): dedup_key = hex SHA-256 of the group key.
// With only a service_key: the legacy Events API v1 body (incident_key = the
// same hash), as pagerdutyV1Payload.
Result<std::string> pagerdutyPayload(const PagerdutyConfig& cfg, const NotificationData& data,
                                     const TemplateRenderer& templates);

Result<std::string> pagerdutyV1Payload(const PagerdutyConfig& cfg, const NotificationData& data,
                                       const TemplateRenderer& templates);

Result<std::string> discordPayload(const DiscordConfig& cfg, const NotificationData& data,
                                   const TemplateRenderer& templates);

// Lowercase hex SHA-256 (Alertmanager's notify.Key.Hash()).
std::string sha256Hex(std::string_view bytes);

// An e-mail ready for SMTP: envelope and the message as sent in DATA (CRLF
// line ends).
struct EmailMessage {
    std::string envelopeFrom;
    std::vector<std::string> envelopeTo;
    std::string data;
};

// What varies between two sends of the same e-mail: injected so that tests
// can pin them.
struct EmailEnvironment {
    model::Timestamp nowMs = 0;  // Date header (local time zone)
    std::int64_t nowNanos = 0;   // Message-Id
    std::uint64_t random = 0;    // Message-Id
    std::string hostname;        // Message-Id
    std::string boundary;        // 60 hex digits, as Go's multipart.Writer
    static EmailEnvironment current();
};

Result<EmailMessage> emailMessage(const EmailConfig& cfg, const NotificationData& data,
                                  const TemplateRenderer& templates, const EmailEnvironment& env);

// Go's mime/quotedprintable Writer (76-column lines, soft breaks, CRLF).
std::string quotedPrintable(std::string_view text);
// Go's mime.QEncoding.Encode("utf-8", s): s itself when it is printable ASCII.
std::string mimeQEncode(std::string_view s);
// net/mail.ParseAddressList, the address parts only ("A <a@x>, b@y" -> a@x, b@y).
Result<std::vector<std::string>> parseAddressList(std::string_view list);

}  // namespace vigil::notify::receivers
