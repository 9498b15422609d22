#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "core/config/config_errors.h"

namespace vigil::config {

// Reads one YAML mapping against a schema: every key a caller asks for is
// known, and finish() reports the keys nobody asked for as unknown (with a
// "did you mean" when one is close). Wrong types are reported at the value's
// position. Used by every configuration format Vigil reads, so that none of
// them silently ignores a field.
//
// Typical use:
//   YamlMapReader server(root["server"], errors, "server");
//   server.read("listen", cfg.listen);
//   server.finish();
class YamlMapReader {
public:
    // `path` names the mapping in messages ("server", "scrape_configs[2]").
    // A null/absent node is an empty mapping; a non-mapping is an error.
    YamlMapReader(const YAML::Node& node, ConfigErrors& errors, std::string path);

    bool has(const char* key) const;
    // The raw child node (marked as known); null when absent.
    YAML::Node child(const char* key);
    // Where `key` itself stands (for messages about the field rather than its value).
    YAML::Mark keyMark(const char* key) const;
    std::string childPath(const char* key) const {
        return m_path.empty() ? key : m_path + "." + key;
    }

    // Each returns true when the key was present and valid; on a wrong type it
    // records the error and leaves `out` unchanged.
    bool read(const char* key, std::string& out);
    bool read(const char* key, bool& out);
    bool read(const char* key, std::int64_t& out);
    bool read(const char* key, double& out);
    bool read(const char* key, std::vector<std::string>& out);
    bool readDuration(const char* key, std::chrono::milliseconds& out);
    bool readByteSize(const char* key, std::uint64_t& out);
    // One of `choices`, case-sensitive.
    bool readEnum(const char* key, std::string& out, std::initializer_list<const char*> choices);

    // Keys that are accepted and deliberately not acted on yet: each is named
    // in a warning ("field X is not supported and is ignored").
    void warnUnsupported(std::initializer_list<const char*> keys);

    // Reports unknown keys. Call once, after every read.
    void finish();

    ConfigErrors& errors() { return m_errors; }
    const std::string& path() const { return m_path; }

private:
    bool scalar(const char* key, YAML::Node& out, const char* expected);

    YAML::Node m_node;
    ConfigErrors& m_errors;
    std::string m_path;
    std::set<std::string> m_known;
    bool m_valid = true;
};

// Describes a node's kind for "expected a string, got a mapping".
const char* nodeKindName(const YAML::Node& node);

// The closest of `candidates` to `word` within an edit distance of 2, or "".
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

// A path a configuration file names, relative to that file's directory
// `baseDir` unless absolute (as Prometheus resolves them); "" stays "".
std::string resolveConfigPath(const std::string& baseDir, const std::string& path);

}  // namespace vigil::config
