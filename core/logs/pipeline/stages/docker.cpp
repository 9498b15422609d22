// docker: Docker's json-file log format, {"log":"...","stream":"stdout","time":"..."}.
// As in Promtail, it is the composition json (output: log, stream: stream,
// timestamp: time) -> labels (stream) -> timestamp (RFC3339Nano) -> output.
// A line that is not such JSON passes unchanged.

#include <yaml-cpp/yaml.h>

#include "core/logs/pipeline/stage_factory.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class ComposedStage final : public Stage {
public:
    explicit ComposedStage(std::unique_ptr<StageChain> chain) : m_chain(std::move(chain)) {}

    Verdict process(Entry& entry, std::vector<Entry>& released) override {
        m_chain->process(std::move(entry), released);
        return Verdict::kHold;  // what came out is in `released`
    }
    void flush(TimestampNs nowNs, bool all, std::vector<Entry>& released) override {
        m_chain->flush(nowNs, all, released);
    }
    std::uint64_t nestedDropped() const override { return m_chain->dropped(); }

private:
    std::unique_ptr<StageChain> m_chain;
};

}  // namespace

StagePtr makeDocker(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);  // no options: any key is unknown
    r.finish();
    if (errors.errors().size() != before)
        return nullptr;
    YAML::Node stages = YAML::Load(
        "- json: {expressions: {output: log, stream: stream, timestamp: time}}\n"
        "- labels: {stream: }\n"
        "- timestamp: {source: timestamp, format: RFC3339Nano}\n"
        "- output: {source: output}\n");
    config::ConfigErrors internal("<docker stage>");
    auto chain = parseStageList(stages, path, internal);
    if (!chain) {
        errors.add(node.Mark(), path + ": internal error: " + internal.toStatus().message());
        return nullptr;
    }
    return std::make_unique<ComposedStage>(std::move(chain));
}

}  // namespace vigil::logs::pipeline::stages
