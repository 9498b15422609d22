#include "core/notify/receivers/integration_configs.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "core/config/config_errors.h"
#include "core/config/yaml_map_reader.h"
#include "core/notify/receivers/templates.h"

namespace vigil::notify::receivers {

using config::ConfigErrors;
using config::YamlMapReader;

namespace {

std::string trimmed(std::string s) {
    const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
    s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
    return s;
}

// A secret given as `<key>_file`: the file's content, whitespace-trimmed (as
// Alertmanager does for URLs and keys read from files).
void readSecretFile(YamlMapReader& reader, const char* key, std::string& out) {
    std::string file;
    if (!reader.read(key, file) || file.empty())
        return;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        reader.errors().add(reader.child(key).Mark(),
                            reader.childPath(key) + ": cannot read \"" + file + "\"");
        return;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    out = trimmed(buf.str());
}

std::string globalSetting(const AlertmanagerGlobal& global, const char* key) {
    auto it = global.settings.find(key);
    return it == global.settings.end() ? std::string() : it->second;
}

bool isHttpUrl(const std::string& url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

void requireUrl(YamlMapReader& reader, const YAML::Node& node, const char* key,
                const std::string& url, const std::string& what) {
    if (url.empty()) {
        reader.errors().add(node.Mark(), reader.path() + ": " + what);
    } else if (!isHttpUrl(url)) {
        const YAML::Node child = reader.child(key);
        reader.errors().add(child ? child.Mark() : node.Mark(),
                            reader.childPath(key) + ": unsupported scheme in URL \"" + url +
                                "\" (expected http or https)");
    }
}

void readTemplate(YamlMapReader& reader, const char* key, std::string& out,
                  std::string_view fallback) {
    if (!reader.read(key, out) || out.empty())
        out = std::string(fallback);
}

HttpClientOptions integrationHttp(YamlMapReader& reader, const AlertmanagerGlobal& global) {
    const YAML::Node node = reader.child("http_config");
    if (node && !node.IsNull())
        return parseHttpClientOptions(node, reader.childPath("http_config"), reader.errors());
    return parseHttpClientOptions(global.httpConfig, "global.http_config", reader.errors());
}

void readTls(const YAML::Node& node, const std::string& path, ConfigErrors& errors,
             TlsOptions& tls) {
    if (!node || node.IsNull())
        return;
    YamlMapReader r(node, errors, path);
    r.read("ca_file", tls.caFile);
    r.read("cert_file", tls.certFile);
    r.read("key_file", tls.keyFile);
    r.read("server_name", tls.serverName);
    r.read("insecure_skip_verify", tls.insecureSkipVerify);
    r.warnUnsupported({"min_version", "max_version", "ca", "cert", "key"});
    r.finish();
}

}  // namespace

std::string canonicalMimeHeaderKey(const std::string& key) {
    std::string out = key;
    bool upper = true;
    for (char& c : out) {
        if (upper && c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        upper = c == '-';
    }
    return out;
}

HttpClientOptions readHttpClientOptions(YamlMapReader& r) {
    HttpClientOptions http;
    ConfigErrors& errors = r.errors();
    if (YAML::Node basic = r.child("basic_auth"); basic && !basic.IsNull()) {
        YamlMapReader b(basic, errors, r.childPath("basic_auth"));
        b.read("username", http.basicAuthUser);
        b.read("password", http.basicAuthPassword);
        readSecretFile(b, "password_file", http.basicAuthPassword);
        b.finish();
    }
    if (YAML::Node auth = r.child("authorization"); auth && !auth.IsNull()) {
        YamlMapReader a(auth, errors, r.childPath("authorization"));
        a.read("type", http.authorizationType);
        a.read("credentials", http.authorizationCredentials);
        readSecretFile(a, "credentials_file", http.authorizationCredentials);
        a.finish();
        if (http.authorizationType.empty())
            http.authorizationType = "Bearer";
    }
    std::string bearer;
    r.read("bearer_token", bearer);
    readSecretFile(r, "bearer_token_file", bearer);
    if (!bearer.empty()) {
        http.authorizationType = "Bearer";
        http.authorizationCredentials = bearer;
    }
    if (!http.basicAuthUser.empty() && !http.authorizationCredentials.empty()) {
        errors.add(r.keyMark("basic_auth"),
                   r.path() + ": at most one of basic_auth and authorization may be set");
    }
    TlsOptions tls;
    readTls(r.child("tls_config"), r.childPath("tls_config"), errors, tls);
    http.caFile = tls.caFile;
    http.certFile = tls.certFile;
    http.keyFile = tls.keyFile;
    http.serverName = tls.serverName;
    http.insecureSkipVerify = tls.insecureSkipVerify;
    r.read("proxy_url", http.proxyUrl);
    r.read("follow_redirects", http.followRedirects);
    r.warnUnsupported(
        {"enable_http2", "oauth2", "no_proxy", "proxy_from_environment", "proxy_connect_header"});
    return http;
}

HttpClientOptions parseHttpClientOptions(const YAML::Node& node, const std::string& path,
                                         ConfigErrors& errors) {
    if (!node || node.IsNull())
        return {};
    YamlMapReader r(node, errors, path);
    HttpClientOptions http = readHttpClientOptions(r);
    r.finish();
    return http;
}

WebhookConfig parseWebhookConfig(const IntegrationConfig& integration,
                                 const AlertmanagerGlobal& global, const std::string& path,
                                 ConfigErrors& errors) {
    WebhookConfig cfg;
    YamlMapReader r(integration.fields, errors, path);
    r.read("url", cfg.url);
    readSecretFile(r, "url_file", cfg.url);
    if (r.has("url") && r.has("url_file"))
        errors.add(integration.fields.Mark(),
                   path + ": at most one of url & url_file must be configured");
    requireUrl(r, integration.fields, "url", cfg.url, "one of url or url_file must be configured");
    std::int64_t maxAlerts = 0;
    if (r.read("max_alerts", maxAlerts)) {
        if (maxAlerts < 0)
            errors.add(r.child("max_alerts").Mark(),
                       r.childPath("max_alerts") + ": must not be negative");
        else
            cfg.maxAlerts = static_cast<std::uint64_t>(maxAlerts);
    }
    cfg.http = integrationHttp(r, global);
    return cfg;
}

SlackConfig parseSlackConfig(const IntegrationConfig& integration, const AlertmanagerGlobal& global,
                             const std::string& path, ConfigErrors& errors) {
    using namespace default_tmpl;
    SlackConfig cfg;
    YamlMapReader r(integration.fields, errors, path);
    r.read("api_url", cfg.apiUrl);
    readSecretFile(r, "api_url_file", cfg.apiUrl);
    if (cfg.apiUrl.empty()) {
        cfg.apiUrl = globalSetting(global, "slack_api_url");
        if (cfg.apiUrl.empty()) {
            const std::string file = globalSetting(global, "slack_api_url_file");
            if (!file.empty()) {
                std::ifstream in(file);
                std::ostringstream buf;
                buf << in.rdbuf();
                cfg.apiUrl = trimmed(buf.str());
            }
        }
    }
    requireUrl(r, integration.fields, "api_url", cfg.apiUrl,
               "no global Slack API URL set either inline or in a file");
    r.read("channel", cfg.channel);
    readTemplate(r, "username", cfg.username, kSlackUsername);
    readTemplate(r, "color", cfg.color, kSlackColor);
    readTemplate(r, "title", cfg.title, kSlackTitle);
    readTemplate(r, "title_link", cfg.titleLink, kSlackTitleLink);
    readTemplate(r, "pretext", cfg.pretext, kSlackPretext);
    readTemplate(r, "text", cfg.text, kSlackText);
    readTemplate(r, "fallback", cfg.fallback, kSlackFallback);
    readTemplate(r, "callback_id", cfg.callbackId, kSlackCallbackId);
    readTemplate(r, "icon_emoji", cfg.iconEmoji, kSlackIconEmoji);
    readTemplate(r, "icon_url", cfg.iconUrl, kSlackIconUrl);
    readTemplate(r, "footer", cfg.footer, kSlackFooter);
    r.read("image_url", cfg.imageUrl);
    r.read("thumb_url", cfg.thumbUrl);
    r.read("link_names", cfg.linkNames);
    r.read("short_fields", cfg.shortFields);
    r.read("mrkdwn_in", cfg.mrkdwnIn);
    if (YAML::Node fields = r.child("fields"); fields && fields.IsSequence()) {
        for (std::size_t i = 0; i < fields.size(); ++i) {
            YamlMapReader f(fields[i], errors,
                            r.childPath("fields") + "[" + std::to_string(i) + "]");
            SlackField field;
            f.read("title", field.title);
            f.read("value", field.value);
            bool isShort = false;
            if (f.read("short", isShort))
                field.isShort = isShort;
            f.finish();
            if (field.title.empty())
                errors.add(fields[i].Mark(),
                           f.path() + ": missing title in Slack field configuration");
            if (field.value.empty())
                errors.add(fields[i].Mark(),
                           f.path() + ": missing value in Slack field configuration");
            cfg.fields.push_back(std::move(field));
        }
    } else if (fields && !fields.IsNull()) {
        errors.add(fields.Mark(), r.childPath("fields") + ": expected a list");
    }
    if (YAML::Node actions = r.child("actions"); actions && actions.IsSequence()) {
        for (std::size_t i = 0; i < actions.size(); ++i) {
            YamlMapReader a(actions[i], errors,
                            r.childPath("actions") + "[" + std::to_string(i) + "]");
            SlackAction action;
            a.read("type", action.type);
            a.read("text", action.text);
            a.read("url", action.url);
            a.read("style", action.style);
            a.read("name", action.name);
            a.read("value", action.value);
            if (YAML::Node confirm = a.child("confirm"); confirm && !confirm.IsNull()) {
                YamlMapReader c(confirm, errors, a.childPath("confirm"));
                SlackConfirm sc;
                c.read("text", sc.text);
                c.read("title", sc.title);
                c.read("ok_text", sc.okText);
                c.read("dismiss_text", sc.dismissText);
                c.finish();
                if (sc.text.empty())
                    errors.add(confirm.Mark(), c.path() + ": missing text in Slack confirmation");
                action.confirm = sc;
            }
            a.finish();
            // Alertmanager: type and text are required; url or name+value.
            if (action.type.empty())
                errors.add(actions[i].Mark(),
                           a.path() + ": missing type in Slack action configuration");
            if (action.text.empty())
                errors.add(actions[i].Mark(),
                           a.path() + ": missing text in Slack action configuration");
            if (action.url.empty() && action.name.empty())
                errors.add(actions[i].Mark(),
                           a.path() + ": missing name or url in Slack action configuration");
            cfg.actions.push_back(std::move(action));
        }
    } else if (actions && !actions.IsNull()) {
        errors.add(actions.Mark(), r.childPath("actions") + ": expected a list");
    }
    cfg.http = integrationHttp(r, global);
    return cfg;
}

EmailConfig parseEmailConfig(const IntegrationConfig& integration, const AlertmanagerGlobal& global,
                             const std::string& path, ConfigErrors& errors) {
    EmailConfig cfg;
    YamlMapReader r(integration.fields, errors, path);
    r.read("to", cfg.to);
    if (cfg.to.empty())
        errors.add(integration.fields.Mark(), path + ": missing to address in email config");
    auto withGlobal = [&](const char* key, const char* globalKey, std::string& out) {
        if (!r.read(key, out) || out.empty())
            out = globalSetting(global, globalKey);
    };
    withGlobal("from", "smtp_from", cfg.from);
    withGlobal("hello", "smtp_hello", cfg.hello);
    if (cfg.hello.empty())
        cfg.hello = "localhost";
    std::string smarthost;
    withGlobal("smarthost", "smtp_smarthost", smarthost);
    withGlobal("auth_username", "smtp_auth_username", cfg.authUsername);
    withGlobal("auth_password", "smtp_auth_password", cfg.authPassword);
    readSecretFile(r, "auth_password_file", cfg.authPassword);
    if (cfg.authPassword.empty()) {
        const std::string file = globalSetting(global, "smtp_auth_password_file");
        if (!file.empty()) {
            std::ifstream in(file);
            std::ostringstream buf;
            buf << in.rdbuf();
            cfg.authPassword = trimmed(buf.str());
        }
    }
    withGlobal("auth_secret", "smtp_auth_secret", cfg.authSecret);
    withGlobal("auth_identity", "smtp_auth_identity", cfg.authIdentity);
    std::string requireTls = globalSetting(global, "smtp_require_tls");
    cfg.requireTls = requireTls != "false";
    r.read("require_tls", cfg.requireTls);
    r.read("html", cfg.html);
    if (!r.has("html"))
        cfg.html = std::string(default_tmpl::kEmailHtml);
    r.read("text", cfg.text);
    readTls(r.child("tls_config"), r.childPath("tls_config"), errors, cfg.tls);

    if (cfg.from.empty())
        errors.add(integration.fields.Mark(), path + ": no global SMTP from set");
    if (smarthost.empty()) {
        errors.add(integration.fields.Mark(), path + ": no global SMTP smarthost set");
    } else {
        const auto colon = smarthost.rfind(':');
        const std::string port = colon == std::string::npos ? "" : smarthost.substr(colon + 1);
        cfg.smarthostHost = colon == std::string::npos ? smarthost : smarthost.substr(0, colon);
        if (cfg.smarthostHost.size() >= 2 && cfg.smarthostHost.front() == '[' &&
            cfg.smarthostHost.back() == ']')
            cfg.smarthostHost = cfg.smarthostHost.substr(1, cfg.smarthostHost.size() - 2);
        int p = 0;
        for (char c : port)
            p = (c >= '0' && c <= '9' && p < 65536) ? p * 10 + (c - '0') : 70000;
        if (port.empty() || p <= 0 || p > 65535) {
            const YAML::Node n = r.child("smarthost");
            errors.add(n ? n.Mark() : integration.fields.Mark(),
                       path + ": smarthost \"" + smarthost + "\": address must be host:port");
        } else {
            cfg.smarthostPort = p;
        }
    }

    // Headers: canonical names; names differing only in case collide.
    std::map<std::string, std::string> headers;
    if (YAML::Node h = r.child("headers"); h && h.IsMap()) {
        for (auto it = h.begin(); it != h.end(); ++it) {
            const std::string name = it->first.as<std::string>("");
            const std::string canonical = canonicalMimeHeaderKey(name);
            if (headers.count(canonical)) {
                errors.add(it->first.Mark(), r.childPath("headers") + ": duplicate header \"" +
                                                 canonical + "\" in email config");
                continue;
            }
            if (!it->second.IsScalar()) {
                errors.add(it->second.Mark(),
                           r.childPath("headers") + "." + name + ": expected a string");
                continue;
            }
            headers[canonical] = it->second.Scalar();
        }
    } else if (h && !h.IsNull()) {
        errors.add(h.Mark(), r.childPath("headers") + ": expected a mapping");
    }
    if (!headers.count("Subject"))
        headers["Subject"] = std::string(default_tmpl::kEmailSubject);
    if (!headers.count("To"))
        headers["To"] = cfg.to;
    if (!headers.count("From"))
        headers["From"] = cfg.from;
    for (const char* first : {"Subject", "To", "From"}) {
        cfg.headers.emplace_back(first, headers[first]);
        headers.erase(first);
    }
    for (auto& [name, value] : headers)
        cfg.headers.emplace_back(name, value);
    return cfg;
}

PagerdutyConfig parsePagerdutyConfig(const IntegrationConfig& integration,
                                     const AlertmanagerGlobal& global, const std::string& path,
                                     ConfigErrors& errors) {
    using namespace default_tmpl;
    PagerdutyConfig cfg;
    YamlMapReader r(integration.fields, errors, path);
    r.read("routing_key", cfg.routingKey);
    readSecretFile(r, "routing_key_file", cfg.routingKey);
    r.read("service_key", cfg.serviceKey);
    readSecretFile(r, "service_key_file", cfg.serviceKey);
    if (cfg.routingKey.empty() && cfg.serviceKey.empty())
        errors.add(integration.fields.Mark(),
                   path + ": missing service or routing key in PagerDuty config");
    r.read("url", cfg.url);
    if (cfg.url.empty())
        cfg.url = globalSetting(global, "pagerduty_url");
    if (cfg.url.empty())
        cfg.url = "https://events.pagerduty.com/v2/enqueue";
    requireUrl(r, integration.fields, "url", cfg.url, "missing URL");
    readTemplate(r, "client", cfg.client, kPagerdutyClient);
    readTemplate(r, "client_url", cfg.clientUrl, kPagerdutyClientUrl);
    readTemplate(r, "description", cfg.description, kPagerdutyDescription);
    readTemplate(r, "severity", cfg.severity, "error");
    readTemplate(r, "source", cfg.source, cfg.client);
    r.read("class", cfg.className);
    r.read("component", cfg.component);
    r.read("group", cfg.group);
    if (YAML::Node d = r.child("details"); d && d.IsMap()) {
        for (auto it = d.begin(); it != d.end(); ++it) {
            if (!it->second.IsScalar()) {
                errors.add(it->second.Mark(), r.childPath("details") + "." +
                                                  it->first.as<std::string>("") +
                                                  ": expected a string");
                continue;
            }
            cfg.details[it->first.as<std::string>("")] = it->second.Scalar();
        }
    } else if (d && !d.IsNull()) {
        errors.add(d.Mark(), r.childPath("details") + ": expected a mapping");
    }
    cfg.details.emplace("firing", std::string(kPagerdutyFiring));
    cfg.details.emplace("resolved", std::string(kPagerdutyResolved));
    cfg.details.emplace("num_firing", std::string(kPagerdutyNumFiring));
    cfg.details.emplace("num_resolved", std::string(kPagerdutyNumResolved));
    if (YAML::Node list = r.child("images"); list && list.IsSequence()) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            YamlMapReader m(list[i], errors, r.childPath("images") + "[" + std::to_string(i) + "]");
            PagerdutyImage image;
            m.read("src", image.src);
            m.read("alt", image.alt);
            m.read("href", image.href);
            m.finish();
            cfg.images.push_back(std::move(image));
        }
    }
    if (YAML::Node list = r.child("links"); list && list.IsSequence()) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            YamlMapReader m(list[i], errors, r.childPath("links") + "[" + std::to_string(i) + "]");
            PagerdutyLink link;
            m.read("href", link.href);
            m.read("text", link.text);
            m.finish();
            cfg.links.push_back(std::move(link));
        }
    }
    cfg.http = integrationHttp(r, global);
    return cfg;
}

DiscordConfig parseDiscordConfig(const IntegrationConfig& integration,
                                 const AlertmanagerGlobal& global, const std::string& path,
                                 ConfigErrors& errors) {
    DiscordConfig cfg;
    YamlMapReader r(integration.fields, errors, path);
    r.read("webhook_url", cfg.webhookUrl);
    requireUrl(r, integration.fields, "webhook_url", cfg.webhookUrl,
               "one of webhook_url or webhook_url_file must be configured");
    readTemplate(r, "title", cfg.title, default_tmpl::kDiscordTitle);
    readTemplate(r, "message", cfg.message, default_tmpl::kDiscordMessage);
    cfg.http = integrationHttp(r, global);
    return cfg;
}

}  // namespace vigil::notify::receivers
