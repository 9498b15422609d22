#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/notify/receivers/templates.h"
#include "core/template/template.h"
#include "core/util/status.h"

namespace vigil::notify::receivers {

// The renderer Alertmanager has: default.tmpl and email.tmpl, then the
// user's template files (alertmanager.yml `templates:`, already read:
// (file name, text) in glob order), executed by the Go template engine
// (core/template). Text fields use the text/template set; HTML bodies the
// html/template approximation. Immutable and thread-safe once loaded.
class GoTemplates final : public TemplateRenderer {
public:
    // Errors name the file and line of a template that does not parse.
    static Result<std::shared_ptr<const GoTemplates>> load(
        const std::vector<std::pair<std::string, std::string>>& userFiles = {});

    // alertmanager.yml's `templates:` globs: each pattern relative to
    // `configDir` unless absolute; files in sorted order per pattern (Go's
    // filepath.Glob). A pattern matching nothing is not an error (as in
    // Alertmanager); an unreadable file or a template that does not parse is.
    static Result<std::shared_ptr<const GoTemplates>> loadGlobs(
        const std::vector<std::string>& patterns, const std::string& configDir);

    std::unique_ptr<TemplateScope> scope(const NotificationData& data) const override;

    GoTemplates(gotmpl::Template text, gotmpl::Template html)
        : m_text(std::move(text)), m_html(std::move(html)) {}

private:
    gotmpl::Template m_text;
    gotmpl::Template m_html;
};

}  // namespace vigil::notify::receivers
