// Used only while core/template has no implementation in this tree (see
// core/rules/CMakeLists.txt): expands the plain variable references
// {{ $value }}, {{ $labels.NAME }}, {{ $externalLabels.NAME }},
// {{ $externalURL }} and refuses every other construct at load, with its
// position, rather than producing garbage output.
#include "core/rules/rule_templates.h"

#include <functional>

#include "core/util/go_float.h"

namespace vigil::rules {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// Calls `onPiece` for text and actions; returns an error for what it cannot do.
Status walk(std::string_view ruleName, std::string_view text,
            const std::function<void(std::string_view, std::string_view)>& onPiece) {
    const std::string_view none;
    std::size_t pos = 0;
    int line = 1;
    while (pos < text.size()) {
        std::size_t open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            if (onPiece)
                onPiece(text.substr(pos), none);
            break;
        }
        if (onPiece)
            onPiece(text.substr(pos, open - pos), none);
        for (std::size_t i = pos; i < open; ++i)
            line += text[i] == '\n';
        std::size_t close = text.find("}}", open + 2);
        std::string prefix =
            "template: __alert_" + std::string(ruleName) + ":" + std::to_string(line) + ": ";
        if (close == std::string_view::npos)
            return Status::error(prefix + "unclosed action");
        std::string_view action = trim(text.substr(open + 2, close - open - 2));
        bool ok = action == "$value" || action == ".Value" || action == "$externalURL" ||
                  action.rfind("$labels.", 0) == 0 || action.rfind(".Labels.", 0) == 0 ||
                  action.rfind("$externalLabels.", 0) == 0;
        if (!ok) {
            return Status::error(prefix + "\"" + std::string(action) +
                                 "\" is not supported by this build's template engine");
        }
        if (onPiece)
            onPiece(none, action);
        pos = close + 2;
    }
    return Status::ok();
}

}  // namespace

Status checkAlertTemplate(std::string_view ruleName, std::string_view text) {
    return walk(ruleName, text, nullptr);
}

std::string expandAlertTemplate(std::string_view text, const AlertTemplateInput& input) {
    std::string out;
    Status st = walk(input.ruleName, text, [&](std::string_view literal, std::string_view action) {
        out += literal;
        if (action.empty())
            return;
        if (action == "$value" || action == ".Value") {
            out += formatFloatG(input.value);
        } else if (action == "$externalURL") {
            out += input.externalUrl;
        } else if (action.rfind("$externalLabels.", 0) == 0) {
            out += input.externalLabels->get(action.substr(16));
        } else {
            out += input.labels->get(action.substr(action.find('.', 1) + 1));
        }
    });
    if (!st.isOk())
        return "<error expanding template: " + st.message() + ">";
    return out;
}

}  // namespace vigil::rules
