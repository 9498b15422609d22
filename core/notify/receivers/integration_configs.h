#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/notify/alertmanager_config.h"
#include "core/util/status.h"

namespace vigil::config {
class ConfigErrors;
class YamlMapReader;
}  // namespace vigil::config

namespace vigil::notify::receivers {

// The typed form of each integration of alertmanager.yml, with Alertmanager
// 0.25's defaults filled in (config/notifiers.go, config/config.go): template
// fields hold template strings (the defaults from templates.h when unset);
// global settings (smtp_*, slack_api_url, pagerduty_url, http_config) are
// applied. Parsing reports every problem as file:line:col.

// prometheus/common's HTTPClientConfig, the parts libcurl can honour.
struct HttpClientOptions {
    std::string basicAuthUser, basicAuthPassword;
    std::string authorizationType;  // "Bearer" by default when credentials are set
    std::string authorizationCredentials;
    std::string caFile, certFile, keyFile, serverName;
    bool insecureSkipVerify = false;
    std::string proxyUrl;
    bool followRedirects = true;
};

// TLS for SMTP (email_configs.tls_config).
struct TlsOptions {
    std::string caFile, certFile, keyFile, serverName;
    bool insecureSkipVerify = false;
};

struct WebhookConfig {
    std::string url;
    std::uint64_t maxAlerts = 0;  // 0: all
    HttpClientOptions http;
};

struct SlackField {
    std::string title, value;
    std::optional<bool> isShort;
};

struct SlackConfirm {
    std::string text, title, okText, dismissText;
};

struct SlackAction {
    std::string type, text, url, style, name, value;
    std::optional<SlackConfirm> confirm;
};

struct SlackConfig {
    std::string apiUrl;
    std::string channel, username, color, title, titleLink, pretext, text, fallback, callbackId,
        iconEmoji, iconUrl, imageUrl, thumbUrl, footer;
    bool linkNames = false;
    bool shortFields = false;
    std::vector<SlackField> fields;
    std::vector<SlackAction> actions;
    std::vector<std::string> mrkdwnIn;
    HttpClientOptions http;
};

struct EmailConfig {
    std::string to, from, hello;
    std::string smarthostHost;
    int smarthostPort = 0;
    std::string authUsername, authPassword, authSecret, authIdentity;
    // Canonical MIME names (Subject, To, From by default) -> template.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string html, text;
    bool requireTls = true;
    TlsOptions tls;
};

struct PagerdutyImage {
    std::string src, alt, href;
};

struct PagerdutyLink {
    std::string href, text;
};

struct PagerdutyConfig {
    std::string url;
    std::string routingKey;  // Events API v2
    std::string serviceKey;  // Events API v1 (legacy)
    std::string client, clientUrl, description, severity, source, className, component, group;
    std::map<std::string, std::string> details;  // name -> template
    std::vector<PagerdutyImage> images;
    std::vector<PagerdutyLink> links;
    HttpClientOptions http;
};

struct DiscordConfig {
    std::string webhookUrl;
    std::string title, message;
    HttpClientOptions http;
};

// Each parser reads `integration.fields` (path: "receivers[i].slack_configs[j]"
// in messages) and adds problems to `errors`.
WebhookConfig parseWebhookConfig(const IntegrationConfig& integration,
                                 const AlertmanagerGlobal& global, const std::string& path,
                                 config::ConfigErrors& errors);
SlackConfig parseSlackConfig(const IntegrationConfig& integration, const AlertmanagerGlobal& global,
                             const std::string& path, config::ConfigErrors& errors);
EmailConfig parseEmailConfig(const IntegrationConfig& integration, const AlertmanagerGlobal& global,
                             const std::string& path, config::ConfigErrors& errors);
PagerdutyConfig parsePagerdutyConfig(const IntegrationConfig& integration,
                                     const AlertmanagerGlobal& global, const std::string& path,
                                     config::ConfigErrors& errors);
DiscordConfig parseDiscordConfig(const IntegrationConfig& integration,
                                 const AlertmanagerGlobal& global, const std::string& path,
                                 config::ConfigErrors& errors);
// An http_config mapping (or the global one when `node` is absent).
HttpClientOptions parseHttpClientOptions(const YAML::Node& node, const std::string& path,
                                         config::ConfigErrors& errors);

// The HTTP client fields (basic_auth, authorization, bearer_token, tls_config,
// proxy_url, follow_redirects) of a mapping that has others too (Prometheus's
// alertmanager_config); the caller reads the rest and calls finish().
HttpClientOptions readHttpClientOptions(config::YamlMapReader& reader);

// textproto.CanonicalMIMEHeaderKey: "message-id" -> "Message-Id".
std::string canonicalMimeHeaderKey(const std::string& key);

}  // namespace vigil::notify::receivers
