#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/status.h"

namespace vigil::logql {

// The subset of Go text/template that line_format and label_format need,
// until core/template (the full Go text/template engine) lands: text,
// `{{ pipeline }}` actions with `{{-`/`-}}` trimming, `if`/`else`/`end`,
// fields `.name` and `.`, string/number/bool literals, parenthesised
// pipelines, `|` chaining, and Loki's common functions (string, math, logic,
// regex, printf and __line__/__timestamp__). An unknown function is an
// error at compile time, as in Go ("function %q not defined").
class LineTemplate {
public:
    struct Context {
        // The value of a label, or nullopt when absent (renders as "").
        std::function<std::optional<std::string_view>(std::string_view)> label;
        std::string_view line;
        std::int64_t tsNs = 0;
    };

    static Result<LineTemplate> compile(std::string_view text);

    // Renders the template; fails on a runtime error (bad argument types).
    Result<std::string> render(const Context& context) const;

    // True when the template never reads __line__ etc.; informational.
    const std::string& text() const { return m_text; }

    struct Node;

private:
    std::string m_text;
    std::shared_ptr<const Node> m_root;
};

}  // namespace vigil::logql
