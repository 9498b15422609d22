// pack: wraps the line and the listed extracted values (labels included)
// into a JSON object, {"k":"v",...,"_entry":"line"} with the keys sorted and
// _entry last, and removes those labels from the stream. LogQL's `| unpack`
// restores them. ingest_timestamp (default true) sets the timestamp to the
// time of packing, so that entries of the now merged streams stay ordered.
//   pack: {labels: [name, ...], ingest_timestamp: bool}

#include <algorithm>
#include <chrono>

#include "core/logs/pipeline/json_value.h"
#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"
#include "core/promql/result_json.h"

namespace vigil::logs::pipeline::stages {
namespace {

class PackStage final : public Stage {
public:
    PackStage(std::vector<std::string> labels, bool ingestTimestamp)
        : m_labels(std::move(labels)), m_ingestTimestamp(ingestTimestamp) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        std::string out = "{";
        for (const std::string& name : m_labels) {  // sorted at construction
            const auto it = entry.extracted.find(name);
            if (it == entry.extracted.end())
                continue;
            promql::appendJsonString(out, name);
            out.push_back(':');
            promql::appendJsonString(out, it->second);
            out.push_back(',');
            entry.labels.erase(name);
        }
        out += "\"_entry\":";
        promql::appendJsonString(out, entry.line);
        out.push_back('}');
        entry.line = std::move(out);
        if (m_ingestTimestamp)
            entry.tsNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        return Verdict::kKeep;
    }

private:
    std::vector<std::string> m_labels;
    bool m_ingestTimestamp;
};

}  // namespace

StagePtr makePack(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    std::vector<std::string> labels;
    bool ingest = true;
    r.read("labels", labels);
    r.read("ingest_timestamp", ingest);
    r.finish();
    if (errors.errors().size() != before)
        return nullptr;
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    return std::make_unique<PackStage>(std::move(labels), ingest);
}

}  // namespace vigil::logs::pipeline::stages
