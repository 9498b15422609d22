#include "core/notify/receivers/receiver_notifiers.h"

#include "core/config/config_errors.h"
#include "core/notify/receivers/go_templates.h"
#include "core/notify/receivers/payloads.h"

namespace vigil::notify::receivers {

namespace {

model::Timestamp wallClockMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

DeliveryAttempt attemptRecord(const NotificationContext& ctx, model::Timestamp startMs) {
    DeliveryAttempt a;
    a.timeMs = startMs;
    a.receiver = ctx.receiver;
    a.integration = ctx.integrationType;
    a.integrationIndex = static_cast<std::int64_t>(ctx.integrationIndex);
    a.groupKey = ctx.groupKey;
    a.attempt = ctx.attempt;
    a.numFiring = static_cast<std::int64_t>(ctx.numFiring);
    a.numResolved = static_cast<std::int64_t>(ctx.numResolved);
    return a;
}

const char* outcomeName(NotifyResult::Outcome o) {
    switch (o) {
        case NotifyResult::Outcome::kDelivered:
            return "delivered";
        case NotifyResult::Outcome::kRetry:
            return "retry";
        case NotifyResult::Outcome::kFailed:
            return "failed";
    }
    return "failed";
}

// Common shape of every integration: build the request (or fail), run it,
// classify, record.
class TransportNotifier : public Notifier {
public:
    explicit TransportNotifier(ReceiverEnvironment env) : m_env(std::move(env)) {}

    NotifyResult notify(const NotificationContext& ctx) final {
        const model::Timestamp start = wallClockMs();
        DeliveryAttempt record = attemptRecord(ctx, start);
        const NotificationData data = notificationData(ctx, m_env.externalUrl);
        NotifyResult result;
        TransportRequest request;
        if (Status st = buildRequest(data, request); !st.isOk()) {
            result = NotifyResult::failed(st.message());
        } else {
            auto timeout = m_env.attemptTimeout;
            if (ctx.deadlineMs > ctx.nowMs)
                timeout = std::min(timeout, std::chrono::milliseconds(ctx.deadlineMs - ctx.nowMs));
            request.timeout = std::max(timeout, std::chrono::milliseconds(1000));
            request.userAgent = m_env.userAgent;
            const TransportResponse response = m_env.transport->perform(std::move(request));
            record.status = response.status;
            record.durationMs = response.duration.count();
            result = classify(response);
        }
        if (record.durationMs == 0)
            record.durationMs = wallClockMs() - start;
        record.outcome = outcomeName(result.outcome);
        if (!result.ok())
            record.error = result.message;
        if (m_env.history)
            m_env.history->record(record);
        return result;
    }

protected:
    virtual Status buildRequest(const NotificationData& data, TransportRequest& request) = 0;

    // Alertmanager's notify.Retrier.Check.
    virtual NotifyResult classify(const TransportResponse& response) {
        if (!response.transportOk())
            return NotifyResult::retry(response.error);
        if (response.status / 100 == 2)
            return NotifyResult::delivered();
        std::string message = "unexpected status code " + std::to_string(response.status);
        if (!response.body.empty())
            message += ": " + response.body;
        if (response.status / 100 == 5 || retryCode(response.status))
            return NotifyResult::retry(message);
        return NotifyResult::failed(message);
    }
    virtual bool retryCode(int /*status*/) const { return false; }

    static void jsonPost(TransportRequest& request, const std::string& url, std::string body,
                         const HttpClientOptions& http) {
        request.kind = TransportRequest::Kind::kHttp;
        request.url = url;
        request.method = "POST";
        request.headers = {"Content-Type: application/json"};
        request.body = std::move(body);
        request.http = http;
    }

    ReceiverEnvironment m_env;
};

class WebhookNotifier final : public TransportNotifier {
public:
    WebhookNotifier(WebhookConfig cfg, ReceiverEnvironment env)
        : TransportNotifier(std::move(env)), m_cfg(std::move(cfg)) {}

private:
    Status buildRequest(const NotificationData& data, TransportRequest& request) override {
        jsonPost(request, m_cfg.url, webhookPayload(data, m_cfg.maxAlerts), m_cfg.http);
        return Status::ok();
    }
    WebhookConfig m_cfg;
};

class SlackNotifier final : public TransportNotifier {
public:
    SlackNotifier(SlackConfig cfg, ReceiverEnvironment env)
        : TransportNotifier(std::move(env)), m_cfg(std::move(cfg)) {}

private:
    Status buildRequest(const NotificationData& data, TransportRequest& request) override {
        auto body = slackPayload(m_cfg, data, *m_env.templates);
        if (!body.isOk())
            return body.status();
        jsonPost(request, m_cfg.apiUrl, std::move(body.value()), m_cfg.http);
        return Status::ok();
    }
    SlackConfig m_cfg;
};

class PagerdutyNotifier final : public TransportNotifier {
public:
    PagerdutyNotifier(PagerdutyConfig cfg, ReceiverEnvironment env)
        : TransportNotifier(std::move(env)), m_cfg(std::move(cfg)) {}

private:
    Status buildRequest(const NotificationData& data, TransportRequest& request) override {
        auto body = pagerdutyPayload(m_cfg, data, *m_env.templates);
        if (!body.isOk())
            return body.status();
        // v1 always goes to the v1 endpoint (Alertmanager ignores url there).
        const bool v1 = m_cfg.routingKey.empty();
        jsonPost(
            request,
            v1 ? "https://events.pagerduty.com/generic/2010-04-15/create_event.json" : m_cfg.url,
            std::move(body.value()), m_cfg.http);
        return Status::ok();
    }
    // PagerDuty asks clients to retry 429 (v2) and 403 (v1, throttling).
    bool retryCode(int status) const override {
        return m_cfg.routingKey.empty() ? status == 403 : status == 429;
    }
    PagerdutyConfig m_cfg;
};

class DiscordNotifier final : public TransportNotifier {
public:
    DiscordNotifier(DiscordConfig cfg, ReceiverEnvironment env)
        : TransportNotifier(std::move(env)), m_cfg(std::move(cfg)) {}

private:
    Status buildRequest(const NotificationData& data, TransportRequest& request) override {
        auto body = discordPayload(m_cfg, data, *m_env.templates);
        if (!body.isOk())
            return body.status();
        jsonPost(request, m_cfg.webhookUrl, std::move(body.value()), m_cfg.http);
        return Status::ok();
    }
    DiscordConfig m_cfg;
};

class EmailNotifier final : public TransportNotifier {
public:
    EmailNotifier(EmailConfig cfg, ReceiverEnvironment env)
        : TransportNotifier(std::move(env)), m_cfg(std::move(cfg)) {}

private:
    Status buildRequest(const NotificationData& data, TransportRequest& request) override {
        const EmailEnvironment env = EmailEnvironment::current();
        auto msg = emailMessage(m_cfg, data, *m_env.templates, env);
        if (!msg.isOk())
            return msg.status();
        request.kind = TransportRequest::Kind::kSmtp;
        // Port 465 is SMTP over TLS from the first byte (Alertmanager's rule);
        // elsewhere STARTTLS when require_tls. The URL path is the HELO name.
        const bool implicitTls = m_cfg.smarthostPort == 465;
        std::string host = m_cfg.smarthostHost;
        if (host.find(':') != std::string::npos)
            host = "[" + host + "]";
        request.url = std::string(implicitTls ? "smtps://" : "smtp://") + host + ":" +
                      std::to_string(m_cfg.smarthostPort) + "/" + m_cfg.hello;
        request.smtpStartTls = !implicitTls && m_cfg.requireTls;
        request.mailFrom = msg->envelopeFrom;
        request.mailTo = msg->envelopeTo;
        request.body = std::move(msg->data);
        request.smtpUser = m_cfg.authUsername;
        request.smtpPassword = m_cfg.authPassword;
        request.smtpTls = m_cfg.tls;
        return Status::ok();
    }
    NotifyResult classify(const TransportResponse& response) override {
        if (!response.transportOk())
            return NotifyResult::retry(response.error);
        return NotifyResult::delivered();
    }
    EmailConfig m_cfg;
};

class DesktopNotifier final : public Notifier {
public:
    explicit DesktopNotifier(ReceiverEnvironment env) : m_env(std::move(env)) {}

    NotifyResult notify(const NotificationContext& ctx) override {
        const model::Timestamp start = wallClockMs();
        DeliveryAttempt record = attemptRecord(ctx, start);
        DesktopNotification n;
        n.data = notificationData(ctx, m_env.externalUrl);
        n.receiver = ctx.receiver;
        n.groupKey = ctx.groupKey;
        n.firing = n.data.firing;
        n.title = defaultSubject(n.data);
        n.body = defaultTextAlertList(n.firing ? n.data.firingAlerts() : n.data.resolvedAlerts());
        n.alertmanagerUrl = defaultAlertmanagerUrl(n.data);
        NotifyResult result;
        if (ctx.acknowledged && n.firing) {
            result = NotifyResult::delivered("acknowledged: not shown");
        } else if (!m_env.desktop || m_env.desktop->publish(n) == 0) {
            // Nobody is watching (no GUI attached): nothing to retry.
            result = NotifyResult::failed("no desktop notifier attached");
        } else {
            result = NotifyResult::delivered();
        }
        record.durationMs = wallClockMs() - start;
        record.outcome = outcomeName(result.outcome);
        record.error = result.ok() ? std::string() : result.message;
        if (m_env.history)
            m_env.history->record(record);
        return result;
    }

private:
    ReceiverEnvironment m_env;
};

}  // namespace

NotificationData notificationData(const NotificationContext& ctx, const std::string& externalUrl) {
    std::vector<NotificationInput> inputs;
    inputs.reserve(ctx.alerts.size());
    for (const auto& a : ctx.alerts)
        inputs.push_back({a.alert, a.resolved});
    return makeNotificationData(ctx.receiver, ctx.groupKey, ctx.groupLabels, inputs, externalUrl);
}

std::shared_ptr<Notifier> makeDesktopNotifier(ReceiverEnvironment env) {
    return std::make_shared<DesktopNotifier>(std::move(env));
}

NotifierFactory makeNotifierFactory(const AlertmanagerConfig& config, const std::string& fileName,
                                    ReceiverEnvironment env) {
    if (!env.templates) {
        // Alertmanager's default templates; the native ones only if the
        // engine cannot load them (it always should: they are compiled in).
        auto go = GoTemplates::load();
        if (go.isOk())
            env.templates = go.value();
        else
            env.templates = std::make_shared<BuiltinTemplates>();
    }
    if (!env.transport)
        env.transport = std::make_shared<Transport>();
    AlertmanagerGlobal global = config.global;
    // Receiver positions, for the paths in messages.
    std::map<std::string, std::size_t> receiverIndex;
    for (std::size_t i = 0; i < config.receivers.size(); ++i)
        receiverIndex.emplace(config.receivers[i].name, i);
    return [global, fileName, env, receiverIndex](
               const ReceiverConfig& receiver, const IntegrationConfig& integration,
               std::size_t index) -> Result<std::shared_ptr<Notifier>> {
        // Position among the receiver's integrations of the same type.
        std::size_t sameType = 0;
        for (std::size_t i = 0; i < index && i < receiver.integrations.size(); ++i)
            sameType += receiver.integrations[i].type == integration.type ? 1 : 0;
        auto it = receiverIndex.find(receiver.name);
        const std::string path = "receivers[" +
                                 std::to_string(it == receiverIndex.end() ? 0 : it->second) + "]." +
                                 integration.type + "_configs[" + std::to_string(sameType) + "]";
        config::ConfigErrors errors(fileName);
        std::shared_ptr<Notifier> notifier;
        if (integration.type == "webhook") {
            notifier = std::make_shared<WebhookNotifier>(
                parseWebhookConfig(integration, global, path, errors), env);
        } else if (integration.type == "slack") {
            notifier = std::make_shared<SlackNotifier>(
                parseSlackConfig(integration, global, path, errors), env);
        } else if (integration.type == "email") {
            notifier = std::make_shared<EmailNotifier>(
                parseEmailConfig(integration, global, path, errors), env);
        } else if (integration.type == "pagerduty") {
            PagerdutyConfig cfg = parsePagerdutyConfig(integration, global, path, errors);
            notifier = std::make_shared<PagerdutyNotifier>(std::move(cfg), env);
        } else if (integration.type == "discord") {
            notifier = std::make_shared<DiscordNotifier>(
                parseDiscordConfig(integration, global, path, errors), env);
        } else if (integration.type == "desktop") {
            notifier = makeDesktopNotifier(env);
        } else {
            return Status::error(fileName + ": " + path + ": unknown integration type \"" +
                                 integration.type + "\"");
        }
        if (!errors.empty())
            return errors.toStatus();
        return notifier;
    };
}

}  // namespace vigil::notify::receivers
