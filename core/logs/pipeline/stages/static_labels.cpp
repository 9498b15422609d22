// static_labels: adds fixed labels.
//   static_labels: {name: value}

#include <yaml-cpp/yaml.h>

#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class StaticLabelsStage final : public Stage {
public:
    explicit StaticLabelsStage(std::vector<std::pair<std::string, std::string>> labels)
        : m_labels(std::move(labels)) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        for (const auto& [name, value] : m_labels)
            entry.labels[name] = value;
        return Verdict::kKeep;
    }

private:
    std::vector<std::pair<std::string, std::string>> m_labels;
};

}  // namespace

StagePtr makeStaticLabels(const YAML::Node& node, const std::string& path,
                          config::ConfigErrors& errors) {
    if (!node || node.IsNull() || (node.IsMap() && node.size() == 0)) {
        errors.add(node.Mark(), path + ": static_labels cannot be empty");
        return nullptr;
    }
    if (!node.IsMap()) {
        errors.add(node.Mark(), path + ": expected a mapping of label: value, got " +
                                    std::string(config::nodeKindName(node)));
        return nullptr;
    }
    const std::size_t before = errors.errors().size();
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& kv : node) {
        const std::string name = kv.first.as<std::string>();
        if (!validLabelName(name)) {
            errors.add(kv.first.Mark(), path + ": invalid label name: " + name);
            continue;
        }
        if (!kv.second || kv.second.IsNull() || !kv.second.IsScalar() ||
            kv.second.as<std::string>().empty()) {
            errors.add(kv.second ? kv.second.Mark() : kv.first.Mark(),
                       path + "." + name + ": a static label needs a non-empty string value");
            continue;
        }
        labels.emplace_back(name, kv.second.as<std::string>());
    }
    if (errors.errors().size() != before)
        return nullptr;
    return std::make_unique<StaticLabelsStage>(std::move(labels));
}

}  // namespace vigil::logs::pipeline::stages
