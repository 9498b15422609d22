#include "core/notify/receivers/go_templates.h"

#include <glob.h>

#include <fstream>
#include <sstream>

#include "core/template/alertmanager_functions.h"

namespace vigil::notify::receivers {

namespace {

gotmpl::AmData toAmData(const NotificationData& data) {
    gotmpl::AmData am;
    am.receiver = data.receiver;
    am.status = std::string(data.status());
    am.alerts.reserve(data.alerts.size());
    for (const auto& a : data.alerts) {
        gotmpl::AmAlert alert;
        alert.status = std::string(a.status());
        alert.labels = a.labels;
        alert.annotations = a.annotations;
        alert.startsAtMs = a.startsAtMs;
        alert.endsAtMs = a.endsAtMs;
        alert.generatorUrl = a.generatorUrl;
        alert.fingerprint = a.fingerprint;
        am.alerts.push_back(std::move(alert));
    }
    am.groupLabels = data.groupLabels;
    am.commonLabels = data.commonLabels;
    am.commonAnnotations = data.commonAnnotations;
    am.externalUrl = data.externalUrl;
    return am;
}

class GoScope final : public TemplateScope {
public:
    GoScope(const gotmpl::Template& text, const gotmpl::Template& html,
            const NotificationData& data)
        : m_text(text), m_html(html), m_value(gotmpl::toValue(toAmData(data))) {}

    Result<std::string> text(std::string_view tmpl) override {
        // Alertmanager skips the engine for text without actions.
        if (tmpl.find("{{") == std::string_view::npos)
            return std::string(tmpl);
        return gotmpl::executeAlertmanagerString(m_text, tmpl, m_value);
    }
    Result<std::string> html(std::string_view tmpl) override {
        if (tmpl.find("{{") == std::string_view::npos)
            return std::string(tmpl);
        return gotmpl::executeAlertmanagerString(m_html, tmpl, m_value);
    }

private:
    const gotmpl::Template& m_text;
    const gotmpl::Template& m_html;
    gotmpl::Value m_value;
};

}  // namespace

Result<std::shared_ptr<const GoTemplates>> GoTemplates::load(
    const std::vector<std::pair<std::string, std::string>>& userFiles) {
    // default.tmpl and email.tmpl come first (loadAlertmanagerTemplates).
    auto text = gotmpl::loadAlertmanagerTemplates(userFiles, false);
    if (!text.isOk())
        return text.status();
    auto html = gotmpl::loadAlertmanagerTemplates(userFiles, true);
    if (!html.isOk())
        return html.status();
    return std::make_shared<const GoTemplates>(std::move(text.value()), std::move(html.value()));
}

Result<std::shared_ptr<const GoTemplates>> GoTemplates::loadGlobs(
    const std::vector<std::string>& patterns, const std::string& configDir) {
    std::vector<std::pair<std::string, std::string>> files;
    for (const std::string& pattern : patterns) {
        const std::string full = pattern.empty() || pattern.front() == '/' || configDir.empty()
                                     ? pattern
                                     : configDir + "/" + pattern;
        glob_t matches{};
        const int rc = ::glob(full.c_str(), 0, nullptr, &matches);
        if (rc != 0 && rc != GLOB_NOMATCH) {
            globfree(&matches);
            return Status::error("templates: cannot expand \"" + pattern + "\"");
        }
        for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
            const std::string path = matches.gl_pathv[i];
            std::ifstream in(path, std::ios::binary);
            if (!in) {
                globfree(&matches);
                return Status::error("templates: cannot read \"" + path + "\"");
            }
            std::ostringstream text;
            text << in.rdbuf();
            const auto slash = path.rfind('/');
            files.emplace_back(slash == std::string::npos ? path : path.substr(slash + 1),
                               text.str());
        }
        globfree(&matches);
    }
    return load(files);
}

std::unique_ptr<TemplateScope> GoTemplates::scope(const NotificationData& data) const {
    return std::make_unique<GoScope>(m_text, m_html, data);
}

}  // namespace vigil::notify::receivers
