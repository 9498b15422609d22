// labels: sets stream labels from extracted values.
//   labels: {label_name: extracted_key}   (an empty key = the label's name)
// structured_metadata: the same, into the entry's structured metadata.

#include <yaml-cpp/yaml.h>

#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class LabelsStage final : public Stage {
public:
    LabelsStage(std::vector<std::pair<std::string, std::string>> mapping, bool metadata)
        : m_mapping(std::move(mapping)), m_metadata(metadata) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        auto& target = m_metadata ? entry.structuredMetadata : entry.labels;
        for (const auto& [label, key] : m_mapping) {
            const auto it = entry.extracted.find(key);
            if (it == entry.extracted.end())
                continue;
            const auto existing = target.find(label);
            if (existing != target.end())
                existing->second = it->second;
            else
                target.emplace(label, it->second);
        }
        return Verdict::kKeep;
    }

private:
    std::vector<std::pair<std::string, std::string>> m_mapping;
    bool m_metadata;
};

StagePtr make(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors,
              bool metadata) {
    if (!node || node.IsNull() || (node.IsMap() && node.size() == 0)) {
        errors.add(node.Mark(), path + ": at least one label is required");
        return nullptr;
    }
    if (!node.IsMap()) {
        errors.add(node.Mark(), path + ": expected a mapping of label: extracted key, got " +
                                    std::string(config::nodeKindName(node)));
        return nullptr;
    }
    const std::size_t before = errors.errors().size();
    std::vector<std::pair<std::string, std::string>> mapping;
    for (const auto& kv : node) {
        const std::string name = kv.first.as<std::string>();
        if (!validLabelName(name)) {
            errors.add(kv.first.Mark(), path + ": invalid label name: " + name);
            continue;
        }
        std::string key = name;
        if (kv.second && !kv.second.IsNull()) {
            if (!kv.second.IsScalar()) {
                errors.add(kv.second.Mark(),
                           path + "." + name + ": expected the name of an extracted value");
                continue;
            }
            key = kv.second.as<std::string>();
            if (key.empty())
                key = name;
        }
        mapping.emplace_back(name, key);
    }
    if (errors.errors().size() != before)
        return nullptr;
    return std::make_unique<LabelsStage>(std::move(mapping), metadata);
}

}  // namespace

StagePtr makeLabels(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    return make(node, path, errors, false);
}

StagePtr makeStructuredMetadata(const YAML::Node& node, const std::string& path,
                                config::ConfigErrors& errors) {
    return make(node, path, errors, true);
}

}  // namespace vigil::logs::pipeline::stages
