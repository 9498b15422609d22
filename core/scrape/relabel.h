#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/util/status.h"

namespace re2 {
class RE2;
}

namespace vigil::scrape {

// Prometheus's relabel_configs / metric_relabel_configs, with its exact
// semantics (model/relabel in Prometheus 2.42): regexes are RE2, fully
// anchored; `$1`, `${1}`, `$name` and `${name}` expand as Go's
// Regexp.ExpandString does.
enum class RelabelAction {
    kReplace,
    kKeep,
    kDrop,
    kKeepEqual,
    kDropEqual,
    kHashMod,
    kLabelMap,
    kLabelDrop,
    kLabelKeep,
    kLowercase,
    kUppercase
};

const char* relabelActionName(RelabelAction action);
std::optional<RelabelAction> parseRelabelAction(std::string_view name);

// A compiled regular expression anchored as Prometheus anchors it.
class RelabelRegex {
public:
    static Result<RelabelRegex> compile(const std::string& pattern);
    // The default "(.*)".
    static const RelabelRegex& matchAll();

    const std::string& pattern() const { return m_pattern; }
    bool fullMatch(std::string_view text) const;
    // Fills `groups` (0 = whole match) and returns true on a match.
    bool match(std::string_view text, std::vector<std::string_view>& groups) const;
    // Go's Regexp.ExpandString(nil, tmpl, src, match).
    std::string expand(std::string_view tmpl, const std::vector<std::string_view>& groups) const;

private:
    std::string m_pattern;
    std::shared_ptr<const re2::RE2> m_regex;
};

struct RelabelConfig {
    std::vector<std::string> sourceLabels;
    std::string separator = ";";
    RelabelRegex regex = RelabelRegex::matchAll();
    std::uint64_t modulus = 0;
    std::string targetLabel;
    std::string replacement = "$1";
    RelabelAction action = RelabelAction::kReplace;

    // The checks Prometheus makes at config load, with its messages:
    // e.g. "relabel configuration for replace action requires 'target_label' value".
    Status validate() const;
};

// Applies `configs` in order to `labels`. Returns std::nullopt when a keep,
// drop, keepequal or dropequal dropped the series/target.
std::optional<model::Labels> relabel(const model::Labels& labels,
                                     const std::vector<RelabelConfig>& configs);

// In-place form on a builder, for hot paths; returns false when dropped.
bool relabelInPlace(model::LabelsBuilder& builder, const std::vector<RelabelConfig>& configs);

// Prometheus's label name rule: [a-zA-Z_][a-zA-Z0-9_]*.
bool isValidLabelName(std::string_view name);

}  // namespace vigil::scrape
