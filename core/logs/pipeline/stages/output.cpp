// output: replaces the line with an extracted value.
//   output: {source: key}

#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class OutputStage final : public Stage {
public:
    explicit OutputStage(std::string source) : m_source(std::move(source)) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        const auto it = entry.extracted.find(m_source);
        if (it != entry.extracted.end())
            entry.line = it->second;
        return Verdict::kKeep;
    }

private:
    std::string m_source;
};

}  // namespace

StagePtr makeOutput(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    std::string source;
    readRequired(r, node, "source", source);
    r.finish();
    if (errors.errors().size() != before)
        return nullptr;
    return std::make_unique<OutputStage>(std::move(source));
}

}  // namespace vigil::logs::pipeline::stages
