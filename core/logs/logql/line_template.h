#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/status.h"

namespace vigil::gotmpl {
class Template;
}

namespace vigil::logql {

// A line_format / label_format template: Go text/template (core/template)
// with Loki's function map (pkg/logql/log/fmt.go: lower, upper, title, trim*,
// trunc, substr, replace, repeat, indent, alignLeft/Right, contains,
// hasPrefix/Suffix, default, add/sub/mul/div/mod and the float forms,
// max/min, ceil/floor/round, int, float64, regexReplaceAll(Literal), count,
// b64enc/dec, urlencode/decode, bytes, duration(_seconds), unixEpoch*,
// unixToTime, toDate, date, now, __line__, __timestamp__, plus Go's
// builtins printf, eq, and, ...). Labels are the dot (a map[string]string:
// a missing label renders ""). Compile errors use Go's wording
// ("function \"x\" not defined", "unclosed action").
// Immutable after compile(); render() is thread-safe.
class LineTemplate {
public:
    struct Context {
        // The value of a label, or nullopt when absent (renders as "").
        std::function<std::optional<std::string_view>(std::string_view)> label;
        // Every label, for the dot map; called once per render.
        std::function<void(const std::function<void(std::string_view, std::string_view)>&)>
            forEachLabel;
        std::string_view line;
        std::int64_t tsNs = 0;
    };

    static Result<LineTemplate> compile(std::string_view text);

    // Renders the template; fails on an execution error (Go's wording).
    Result<std::string> render(const Context& context) const;

    const std::string& text() const { return m_text; }

private:
    std::string m_text;
    std::shared_ptr<const gotmpl::Template> m_template;
};

}  // namespace vigil::logql
