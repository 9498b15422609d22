#include "core/notify/receivers/templates.h"

namespace vigil::notify::receivers {

std::string defaultSubject(const NotificationData& data) {
    std::string out = "[";
    out += data.firing ? "FIRING" : "RESOLVED";
    if (data.firing)
        out += ":" + std::to_string(data.numFiring());
    out += "] ";
    bool first = true;
    for (const auto& label : data.groupLabels) {
        if (!first)
            out += ' ';
        first = false;
        out += label.value;
    }
    out += ' ';
    if (data.commonLabels.size() > data.groupLabels.size()) {
        out += '(';
        first = true;
        for (const auto& label : data.commonLabels) {
            if (data.groupLabels.has(label.name))
                continue;
            if (!first)
                out += ' ';
            first = false;
            out += label.value;
        }
        out += ')';
    }
    return out;
}

std::string defaultAlertmanagerUrl(const NotificationData& data) {
    return data.externalUrl + "/#/alerts?receiver=" + goQueryEscape(data.receiver);
}

std::string defaultTextAlertList(const std::vector<const TemplateAlert*>& alerts) {
    std::string out;
    for (const TemplateAlert* a : alerts) {
        out += "Labels:\n";
        for (const auto& label : a->labels)
            out += " - " + label.name + " = " + label.value + "\n";
        out += "Annotations:\n";
        for (const auto& label : a->annotations)
            out += " - " + label.name + " = " + label.value + "\n";
        out += "Source: " + a->generatorUrl + "\n";
    }
    return out;
}

std::string defaultDiscordMessage(const NotificationData& data) {
    // default.tmpl: "\n{{ if firing }}\nAlerts Firing:\n{{ list }}\n{{ end }}\n
    // {{ if resolved }}\nAlerts Resolved:\n{{ list }}\n{{ end }}\n"
    std::string out = "\n";
    const auto firing = data.firingAlerts();
    const auto resolved = data.resolvedAlerts();
    if (!firing.empty())
        out += "\nAlerts Firing:\n" + defaultTextAlertList(firing) + "\n";
    out += "\n";
    if (!resolved.empty())
        out += "\nAlerts Resolved:\n" + defaultTextAlertList(resolved) + "\n";
    out += "\n";
    return out;
}

namespace {

Result<std::string> builtinText(std::string_view tmpl, const NotificationData& data) {
    using namespace default_tmpl;
    if (tmpl.find("{{") == std::string_view::npos)
        return std::string(tmpl);
    if (tmpl == kSlackColor)
        return std::string(data.firing ? "danger" : "good");
    if (tmpl == kSlackUsername || tmpl == kPagerdutyClient)
        return std::string("Alertmanager");
    if (tmpl == kSlackTitle || tmpl == kPagerdutyDescription || tmpl == kEmailSubject ||
        tmpl == kDiscordTitle)
        return defaultSubject(data);
    if (tmpl == kSlackTitleLink || tmpl == kPagerdutyClientUrl)
        return defaultAlertmanagerUrl(data);
    if (tmpl == kSlackFallback)
        return defaultSubject(data) + " | " + defaultAlertmanagerUrl(data);
    if (tmpl == kSlackIconEmoji || tmpl == kSlackIconUrl || tmpl == kSlackPretext ||
        tmpl == kSlackText || tmpl == kSlackCallbackId || tmpl == kSlackFooter)
        return std::string();
    if (tmpl == kPagerdutyFiring)
        return defaultTextAlertList(data.firingAlerts());
    if (tmpl == kPagerdutyResolved)
        return defaultTextAlertList(data.resolvedAlerts());
    if (tmpl == kPagerdutyNumFiring)
        return std::to_string(data.numFiring());
    if (tmpl == kPagerdutyNumResolved)
        return std::to_string(data.numResolved());
    if (tmpl == kDiscordMessage)
        return defaultDiscordMessage(data);
    return Status::error("template \"" + std::string(tmpl) + "\" needs the Go template engine");
}

class BuiltinScope final : public TemplateScope {
public:
    explicit BuiltinScope(const NotificationData& data) : m_data(data) {}
    Result<std::string> text(std::string_view tmpl) override { return builtinText(tmpl, m_data); }
    Result<std::string> html(std::string_view tmpl) override {
        if (tmpl == default_tmpl::kEmailHtml)
            return Status::error(
                "the default e-mail HTML body (email.default.html) needs the Go template engine");
        if (tmpl.find("{{") != std::string_view::npos)
            return Status::error("template \"" + std::string(tmpl) +
                                 "\" needs the Go template engine");
        return std::string(tmpl);
    }

private:
    const NotificationData& m_data;
};

}  // namespace

std::unique_ptr<TemplateScope> BuiltinTemplates::scope(const NotificationData& data) const {
    return std::make_unique<BuiltinScope>(data);
}

}  // namespace vigil::notify::receivers
