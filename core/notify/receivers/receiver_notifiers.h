#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/notify/alertmanager_config.h"
#include "core/notify/notifier.h"
#include "core/notify/receivers/desktop_notifications.h"
#include "core/notify/receivers/integration_configs.h"
#include "core/notify/receivers/notify_history.h"
#include "core/notify/receivers/templates.h"
#include "core/notify/receivers/transport.h"

namespace vigil::notify::receivers {

// What every notifier shares. All members are thread-safe; `history` and
// `desktop` may be null.
struct ReceiverEnvironment {
    // Alertmanager's --web.external-url: links in payloads (Vigil's own URL).
    std::string externalUrl;
    // Null: Alertmanager's default templates (GoTemplates::load()).
    std::shared_ptr<const TemplateRenderer> templates;
    std::shared_ptr<Transport> transport;
    std::shared_ptr<NotifyHistory> history;
    std::shared_ptr<DesktopNotificationHub> desktop;
    // Upper bound of one attempt; the dispatcher's deadline (flush time +
    // group_interval) shortens it.
    std::chrono::milliseconds attemptTimeout{30000};
    std::string userAgent = "Vigil (Alertmanager/0.25.0 compatible)";
};

// The dispatcher's NotifierFactory for every integration type of
// alertmanager.yml: webhook, slack, email, pagerduty, discord. Each
// integration's fields are parsed when the registry is built; problems come
// back as "FILE:LINE:COL: receivers[i].slack_configs[j]...: message".
//
// Each notify() is one attempt (the dispatcher's retry stage backs off and
// calls again): it renders the payload, runs the request on the shared
// libcurl transport, waits for it, records the attempt in the history and
// classifies the outcome as Alertmanager does: 2xx delivered; 5xx (and 429
// for PagerDuty) and transport errors retry; other codes fail. SMTP errors
// all retry, as Alertmanager's e-mail notifier does.
NotifierFactory makeNotifierFactory(const AlertmanagerConfig& config, const std::string& fileName,
                                    ReceiverEnvironment env);

// A notifier that hands notifications to the desktop hub (Vigil's own
// integration, added to a receiver by the engine). While a group is
// acknowledged, firing re-notifications are recorded but not shown; resolves
// always are.
std::shared_ptr<Notifier> makeDesktopNotifier(ReceiverEnvironment env);

// The template data of one delivery (receiver regex-quoted, alerts with
// their fingerprints, common labels, external URL).
NotificationData notificationData(const NotificationContext& ctx, const std::string& externalUrl);

}  // namespace vigil::notify::receivers
