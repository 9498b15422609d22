#include "core/logs/pipeline/pipeline.h"

#include <yaml-cpp/yaml.h>

#include "core/config/config_errors.h"
#include "core/logs/pipeline/stage.h"
#include "core/logs/pipeline/stage_factory.h"

namespace vigil::logs::pipeline {
namespace {

class PassThrough final : public Pipeline {
public:
    void process(Entry entry, std::vector<Entry>& out) override { out.push_back(std::move(entry)); }
    void flush(TimestampNs, bool, std::vector<Entry>&) override {}
};

class StagePipeline final : public Pipeline {
public:
    explicit StagePipeline(std::unique_ptr<StageChain> chain) : m_chain(std::move(chain)) {}

    void process(Entry entry, std::vector<Entry>& out) override {
        // As in Promtail, the extracted map starts with the entry's labels.
        for (const auto& [name, value] : entry.labels) {
            const auto it = entry.extracted.find(name);
            if (it == entry.extracted.end())
                entry.extracted.emplace(name, value);
            else
                it->second = value;
        }
        m_chain->process(std::move(entry), out);
    }
    void flush(TimestampNs nowNs, bool all, std::vector<Entry>& out) override {
        m_chain->flush(nowNs, all, out);
    }
    std::uint64_t dropped() const override { return m_chain->dropped(); }

private:
    std::unique_ptr<StageChain> m_chain;
};

}  // namespace

std::unique_ptr<Pipeline> emptyPipeline() {
    return std::make_unique<PassThrough>();
}

std::unique_ptr<Pipeline> parsePipeline(const YAML::Node& stages, const std::string& path,
                                        config::ConfigErrors& errors) {
    if (!stages || stages.IsNull())
        return emptyPipeline();
    if (stages.IsSequence() && stages.size() == 0)
        return emptyPipeline();
    auto chain = parseStageList(stages, path, errors);
    if (!chain)
        return nullptr;
    return std::make_unique<StagePipeline>(std::move(chain));
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
