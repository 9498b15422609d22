#include "core/logs/pipeline/pipeline.h"

#include <yaml-cpp/yaml.h>

#include "core/config/config_errors.h"

namespace vigil::logs::pipeline {
namespace {

class PassThrough final : public Pipeline {
public:
    void process(Entry entry, std::vector<Entry>& out) override { out.push_back(std::move(entry)); }
    void flush(TimestampNs, bool, std::vector<Entry>&) override {}
};

}  // namespace

std::unique_ptr<Pipeline> emptyPipeline() {
    return std::make_unique<PassThrough>();
}

std::unique_ptr<Pipeline> parsePipeline(const YAML::Node& stages, const std::string& path,
                                        config::ConfigErrors& errors) {
    if (!stages || stages.IsNull())
        return emptyPipeline();
    if (!stages.IsSequence()) {
        errors.add(stages.Mark(), path + ": expected a list of stages");
        return nullptr;
    }
    if (stages.size() == 0)
        return emptyPipeline();
    // The stages themselves are not implemented in this revision.
    errors.add(stages[0].Mark(), path + "[0]: pipeline stages are not supported yet");
    return nullptr;
}

model::Labels streamLabels(const Entry& entry) {
    model::LabelsBuilder builder;
    for (const auto& [name, value] : entry.labels) {
        if (value.empty() || name.rfind("__", 0) == 0)
            continue;
        builder.set(name, value);
    }
    return builder.labels();
}

}  // namespace vigil::logs::pipeline
