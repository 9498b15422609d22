#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/notify/receivers/notification_data.h"
#include "core/util/status.h"

namespace vigil::notify::receivers {

// Alertmanager 0.25's default template strings, as config/notifiers.go puts
// them into an integration's fields when the user leaves them unset.
namespace default_tmpl {
inline constexpr std::string_view kSlackColor =
    "{{ if eq .Status \"firing\" }}danger{{ else }}good{{ end }}";
inline constexpr std::string_view kSlackUsername = "{{ template \"slack.default.username\" . }}";
inline constexpr std::string_view kSlackTitle = "{{ template \"slack.default.title\" . }}";
inline constexpr std::string_view kSlackTitleLink = "{{ template \"slack.default.titlelink\" . }}";
inline constexpr std::string_view kSlackIconEmoji = "{{ template \"slack.default.iconemoji\" . }}";
inline constexpr std::string_view kSlackIconUrl = "{{ template \"slack.default.iconurl\" . }}";
inline constexpr std::string_view kSlackPretext = "{{ template \"slack.default.pretext\" . }}";
inline constexpr std::string_view kSlackText = "{{ template \"slack.default.text\" . }}";
inline constexpr std::string_view kSlackFallback = "{{ template \"slack.default.fallback\" . }}";
inline constexpr std::string_view kSlackCallbackId =
    "{{ template \"slack.default.callbackid\" . }}";
inline constexpr std::string_view kSlackFooter = "{{ template \"slack.default.footer\" . }}";
inline constexpr std::string_view kPagerdutyDescription =
    "{{ template \"pagerduty.default.description\" .}}";
inline constexpr std::string_view kPagerdutyClient =
    "{{ template \"pagerduty.default.client\" . }}";
inline constexpr std::string_view kPagerdutyClientUrl =
    "{{ template \"pagerduty.default.clientURL\" . }}";
inline constexpr std::string_view kPagerdutyFiring =
    "{{ template \"pagerduty.default.instances\" .Alerts.Firing }}";
inline constexpr std::string_view kPagerdutyResolved =
    "{{ template \"pagerduty.default.instances\" .Alerts.Resolved }}";
inline constexpr std::string_view kPagerdutyNumFiring = "{{ .Alerts.Firing | len }}";
inline constexpr std::string_view kPagerdutyNumResolved = "{{ .Alerts.Resolved | len }}";
inline constexpr std::string_view kEmailSubject = "{{ template \"email.default.subject\" . }}";
inline constexpr std::string_view kEmailHtml = "{{ template \"email.default.html\" . }}";
inline constexpr std::string_view kDiscordTitle = "{{ template \"discord.default.title\" . }}";
inline constexpr std::string_view kDiscordMessage = "{{ template \"discord.default.message\" . }}";
}  // namespace default_tmpl

// Executes the template strings of integration fields against one
// notification's data, as Alertmanager's tmpl.ExecuteTextString /
// ExecuteHTMLString do. A scope is made per notification (the data is
// converted once) and used from one thread.
class TemplateScope {
public:
    virtual ~TemplateScope() = default;
    virtual Result<std::string> text(std::string_view tmpl) = 0;
    virtual Result<std::string> html(std::string_view tmpl) = 0;
};

// Makes scopes. Implementations are immutable after construction and
// thread-safe.
class TemplateRenderer {
public:
    virtual ~TemplateRenderer() = default;
    // REQUIRES: `data` outlives the scope.
    virtual std::unique_ptr<TemplateScope> scope(const NotificationData& data) const = 0;
};

// The renderer that needs no template engine: plain strings (no "{{") are
// themselves, the default template strings above (except the e-mail HTML
// body) are computed natively with exactly default.tmpl's output, anything
// else is an error naming the template. A reference for the Go template
// renderer in tests, and a fallback when user templates fail to load.
class BuiltinTemplates final : public TemplateRenderer {
public:
    std::unique_ptr<TemplateScope> scope(const NotificationData& data) const override;
};

// default.tmpl's building blocks.
std::string defaultSubject(const NotificationData& data);          // __subject
std::string defaultAlertmanagerUrl(const NotificationData& data);  // __alertmanagerURL
std::string defaultTextAlertList(const std::vector<const TemplateAlert*>& alerts);
std::string defaultDiscordMessage(const NotificationData& data);  // discord.default.message

}  // namespace vigil::notify::receivers
