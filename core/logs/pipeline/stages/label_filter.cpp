// labeldrop: removes the listed labels.     labeldrop: [name, ...]
// labelallow: keeps only the listed labels. labelallow: [name, ...]

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class LabelFilterStage final : public Stage {
public:
    LabelFilterStage(std::vector<std::string> names, bool allow)
        : m_names(std::move(names)), m_allow(allow) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        if (m_allow) {
            std::erase_if(entry.labels, [&](const auto& kv) {
                return std::find(m_names.begin(), m_names.end(), kv.first) == m_names.end();
            });
        } else {
            for (const std::string& n : m_names)
                entry.labels.erase(n);
        }
        return Verdict::kKeep;
    }

private:
    std::vector<std::string> m_names;
    bool m_allow;
};

StagePtr make(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors,
              bool allow) {
    if (!node || !node.IsSequence() || node.size() == 0) {
        errors.add(node.Mark(), path + ": expected a non-empty list of label names");
        return nullptr;
    }
    const std::size_t before = errors.errors().size();
    std::vector<std::string> names;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const YAML::Node n = node[i];
        if (!n.IsScalar() || !validLabelName(n.as<std::string>())) {
            errors.add(n.Mark(), path + "[" + std::to_string(i) + "]: invalid label name" +
                                     (n.IsScalar() ? ": " + n.as<std::string>() : std::string()));
            continue;
        }
        names.push_back(n.as<std::string>());
    }
    if (errors.errors().size() != before)
        return nullptr;
    return std::make_unique<LabelFilterStage>(std::move(names), allow);
}

}  // namespace

StagePtr makeLabelDrop(const YAML::Node& node, const std::string& path,
                       config::ConfigErrors& errors) {
    return make(node, path, errors, false);
}

StagePtr makeLabelAllow(const YAML::Node& node, const std::string& path,
                        config::ConfigErrors& errors) {
    return make(node, path, errors, true);
}

}  // namespace vigil::logs::pipeline::stages
