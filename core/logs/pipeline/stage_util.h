#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/config/yaml_map_reader.h"
#include "core/logs/pipeline/pipeline.h"

// Helpers shared by the stage constructors and stages.
namespace vigil::logs::pipeline {

// Compiles `pattern` as Go's regexp would (RE2 syntax, UTF-8, not anchored);
// on failure reports "PATH: could not compile regular expression: WHY" at
// `mark` and returns null.
std::unique_ptr<RE2> compileRegex(std::string_view pattern, const YAML::Mark& mark,
                                  const std::string& path, config::ConfigErrors& errors);

// Reads an optional `source` key: absent -> nullopt (the stage works on the
// line), present but empty -> error "empty source" (Promtail's rule).
std::optional<std::string> readSource(config::YamlMapReader& reader, bool* ok);

// The text a stage works on: the extracted value named `source`, or the line
// when there is no source. Null when the source is not in the extracted map.
inline const std::string* sourceText(const Entry& entry, const std::optional<std::string>& source) {
    if (!source)
        return &entry.line;
    const auto it = entry.extracted.find(*source);
    return it == entry.extracted.end() ? nullptr : &it->second;
}

// Sets extracted[key] = value without reallocating an existing key's node.
inline void setExtracted(Entry& entry, const std::string& key, std::string_view value) {
    // One tree walk: lower_bound, then assign or insert at the hint.
    const auto it = entry.extracted.lower_bound(key);
    if (it != entry.extracted.end() && it->first == key)
        it->second.assign(value.data(), value.size());
    else
        entry.extracted.emplace_hint(it, key, std::string(value));
}
inline void setExtracted(Entry& entry, std::string_view key, std::string_view value) {
    setExtracted(entry, std::string(key), value);
}

// Reads a required string key: absent or empty -> "PATH.KEY: KEY is
// required" (at the mapping). Returns true when `out` was set.
bool readRequired(config::YamlMapReader& reader, const YAML::Node& node, const char* key,
                  std::string& out);

// The position of `node`, or of `parent` when `node` is absent (an absent
// node has no position).
inline YAML::Mark markOr(const YAML::Node& node, const YAML::Node& parent) {
    if (node && node.Mark().line >= 0)
        return node.Mark();
    return parent.Mark();
}

inline void setExtracted(Entry& entry, const char* key, std::string_view value) {
    setExtracted(entry, std::string_view(key), value);
}

// Prometheus label name rules ([a-zA-Z_][a-zA-Z0-9_]*).
bool validLabelName(std::string_view name);

}  // namespace vigil::logs::pipeline
