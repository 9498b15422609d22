#include "core/config/yaml_map_reader.h"

#include <filesystem>

#include <algorithm>

#include "core/util/human_units.h"

namespace vigil::config {

const char* nodeKindName(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Null:
            return "null";
        case YAML::NodeType::Scalar:
            return "a scalar";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Undefined:
            return "nothing";
    }
    return "something else";
}

std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates) {
    auto distance = [](const std::string& a, const std::string& b) {
        std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j)
            prev[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            cur[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                cur[j] = std::min(
                    {prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            }
            std::swap(prev, cur);
        }
        return prev[b.size()];
    };
    std::string best;
    std::size_t bestDistance = 3;
    for (const auto& c : candidates) {
        const std::size_t d = distance(word, c);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return best;
}

YamlMapReader::YamlMapReader(const YAML::Node& node, ConfigErrors& errors, std::string path)
    : m_node(node), m_errors(errors), m_path(std::move(path)) {
    if (m_node && !m_node.IsNull() && !m_node.IsMap()) {
        m_errors.add(m_node.Mark(), (m_path.empty() ? std::string("the document") : m_path) +
                                        ": expected a mapping, got " + nodeKindName(m_node));
        m_valid = false;
    }
}

bool YamlMapReader::has(const char* key) const {
    return m_valid && m_node && m_node.IsMap() && m_node[key] && !m_node[key].IsNull();
}

YAML::Node YamlMapReader::child(const char* key) {
    m_known.insert(key);
    if (!m_valid || !m_node || !m_node.IsMap())
        return YAML::Node();
    const YAML::Node& constNode = m_node;  // const lookup never inserts
    YAML::Node value = constNode[key];
    return value ? value : YAML::Node();
}

YAML::Mark YamlMapReader::keyMark(const char* key) const {
    if (m_valid && m_node && m_node.IsMap()) {
        for (auto it = m_node.begin(); it != m_node.end(); ++it) {
            if (it->first.IsScalar() && it->first.Scalar() == key)
                return it->first.Mark();
        }
    }
    return YAML::Mark::null_mark();
}

bool YamlMapReader::scalar(const char* key, YAML::Node& out, const char* expected) {
    out = child(key);
    if (!out || out.IsNull())
        return false;
    if (!out.IsScalar()) {
        m_errors.add(out.Mark(),
                     childPath(key) + ": expected " + expected + ", got " + nodeKindName(out));
        return false;
    }
    return true;
}

bool YamlMapReader::read(const char* key, std::string& out) {
    YAML::Node n;
    if (!scalar(key, n, "a string"))
        return false;
    out = n.Scalar();
    return true;
}

bool YamlMapReader::read(const char* key, bool& out) {
    YAML::Node n;
    if (!scalar(key, n, "true or false"))
        return false;
    bool value = false;
    if (!YAML::convert<bool>::decode(n, value)) {
        m_errors.add(n.Mark(),
                     childPath(key) + ": expected true or false, got '" + n.Scalar() + "'");
        return false;
    }
    out = value;
    return true;
}

bool YamlMapReader::read(const char* key, std::int64_t& out) {
    YAML::Node n;
    if (!scalar(key, n, "an integer"))
        return false;
    std::int64_t value = 0;
    if (!YAML::convert<std::int64_t>::decode(n, value)) {
        m_errors.add(n.Mark(), childPath(key) + ": expected an integer, got '" + n.Scalar() + "'");
        return false;
    }
    out = value;
    return true;
}

bool YamlMapReader::read(const char* key, double& out) {
    YAML::Node n;
    if (!scalar(key, n, "a number"))
        return false;
    double value = 0;
    if (!YAML::convert<double>::decode(n, value)) {
        m_errors.add(n.Mark(), childPath(key) + ": expected a number, got '" + n.Scalar() + "'");
        return false;
    }
    out = value;
    return true;
}

bool YamlMapReader::read(const char* key, std::vector<std::string>& out) {
    YAML::Node n = child(key);
    if (!n || n.IsNull())
        return false;
    if (!n.IsSequence()) {
        m_errors.add(n.Mark(),
                     childPath(key) + ": expected a list of strings, got " + nodeKindName(n));
        return false;
    }
    std::vector<std::string> values;
    bool ok = true;
    for (std::size_t i = 0; i < n.size(); ++i) {
        if (!n[i].IsScalar()) {
            m_errors.add(n[i].Mark(), childPath(key) + "[" + std::to_string(i) +
                                          "]: expected a string, got " + nodeKindName(n[i]));
            ok = false;
            continue;
        }
        values.push_back(n[i].Scalar());
    }
    if (ok)
        out = std::move(values);
    return ok;
}

bool YamlMapReader::readDuration(const char* key, std::chrono::milliseconds& out) {
    YAML::Node n;
    if (!scalar(key, n, "a duration such as 15s or 1h30m"))
        return false;
    auto parsed = parseDuration(n.Scalar());
    if (!parsed) {
        m_errors.add(n.Mark(), childPath(key) + ": " + parsed.status().message());
        return false;
    }
    out = *parsed;
    return true;
}

bool YamlMapReader::readByteSize(const char* key, std::uint64_t& out) {
    YAML::Node n;
    if (!scalar(key, n, "a size such as 512MiB or 10GB"))
        return false;
    auto parsed = parseByteSize(n.Scalar());
    if (!parsed) {
        m_errors.add(n.Mark(), childPath(key) + ": " + parsed.status().message());
        return false;
    }
    out = *parsed;
    return true;
}

bool YamlMapReader::readEnum(const char* key, std::string& out,
                             std::initializer_list<const char*> choices) {
    YAML::Node n;
    if (!scalar(key, n, "a string"))
        return false;
    const std::string value = n.Scalar();
    std::string list;
    for (const char* c : choices) {
        if (value == c) {
            out = value;
            return true;
        }
        if (!list.empty())
            list += ", ";
        list += c;
    }
    m_errors.add(n.Mark(), childPath(key) + ": '" + value + "' is not one of " + list);
    return false;
}

void YamlMapReader::warnUnsupported(std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
        child(key);  // known, so finish() does not call it unknown
        const YAML::Mark mark = keyMark(key);
        if (mark.line >= 0)
            m_errors.warn(mark, childPath(key) + ": not supported by Vigil; this field is ignored");
    }
}

void YamlMapReader::finish() {
    if (!m_valid || !m_node || !m_node.IsMap())
        return;
    const std::vector<std::string> known(m_known.begin(), m_known.end());
    for (auto it = m_node.begin(); it != m_node.end(); ++it) {
        const YAML::Node keyNode = it->first;
        const std::string key = keyNode.IsScalar() ? keyNode.Scalar() : std::string("?");
        if (m_known.count(key))
            continue;
        std::string message = "unknown key '" + key + "'" + (m_path.empty() ? "" : " in " + m_path);
        const std::string suggestion = closestMatch(key, known);
        if (!suggestion.empty())
            message += "; did you mean '" + suggestion + "'?";
        m_errors.add(keyNode.Mark(), message);
    }
}

std::string resolveConfigPath(const std::string& baseDir, const std::string& path) {
    if (path.empty() || baseDir.empty() || std::filesystem::path(path).is_absolute())
        return path;
    return (std::filesystem::path(baseDir) / path).lexically_normal().string();
}

}  // namespace vigil::config
