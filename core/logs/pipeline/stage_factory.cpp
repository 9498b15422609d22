#include "core/logs/pipeline/stage_factory.h"

#include <yaml-cpp/yaml.h>

#include <string_view>
#include <utility>
#include <vector>

#include "core/config/config_errors.h"
#include "core/config/yaml_map_reader.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline {
namespace {

struct Known {
    std::string_view name;
    stages::Factory factory;
};

// Promtail's stage names. `metrics`, `tenant`, `sampling`, `geoip`,
// `eventlogmessage` and `docker_recombine`-style stages are not here: they
// are reported as unsupported rather than silently ignored.
constexpr Known kStages[] = {
    {"docker", stages::makeDocker},
    {"cri", stages::makeCri},
    {"json", stages::makeJson},
    {"logfmt", stages::makeLogfmt},
    {"regex", stages::makeRegex},
    {"template", stages::makeTemplate},
    {"replace", stages::makeReplace},
    {"decolorize", stages::makeDecolorize},
    {"timestamp", stages::makeTimestamp},
    {"labels", stages::makeLabels},
    {"structured_metadata", stages::makeStructuredMetadata},
    {"static_labels", stages::makeStaticLabels},
    {"labeldrop", stages::makeLabelDrop},
    {"labelallow", stages::makeLabelAllow},
    {"output", stages::makeOutput},
    {"pack", stages::makePack},
    {"limit", stages::makeLimit},
    {"match", stages::makeMatch},
    {"drop", stages::makeDrop},
    {"multiline", stages::makeMultiline},
};

constexpr std::string_view kUnsupported[] = {"metrics", "tenant", "sampling", "geoip",
                                             "eventlogmessage"};

}  // namespace

std::unique_ptr<StageChain> parseStageList(const YAML::Node& list, const std::string& path,
                                           config::ConfigErrors& errors) {
    std::vector<StagePtr> built;
    if (!list || list.IsNull())
        return std::make_unique<StageChain>(std::move(built));
    if (!list.IsSequence()) {
        errors.add(list.Mark(), path + ": expected a list of stages, got " +
                                    std::string(config::nodeKindName(list)));
        return nullptr;
    }
    bool ok = true;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        const std::string itemPath = path + "[" + std::to_string(i) + "]";
        if (!item.IsMap() || item.size() != 1) {
            errors.add(item.Mark(),
                       itemPath +
                           ": a stage is a mapping with exactly one key, the stage type "
                           "(e.g. \"- regex: {expression: ...}\")");
            ok = false;
            continue;
        }
        const auto it = item.begin();
        if (!it->first.IsScalar()) {
            errors.add(it->first.Mark(), itemPath + ": the stage type must be a name");
            ok = false;
            continue;
        }
        const std::string type = it->first.as<std::string>();
        const YAML::Node config = it->second;
        const Known* known = nullptr;
        for (const Known& k : kStages)
            if (k.name == type)
                known = &k;
        if (!known) {
            bool unsupported = false;
            for (std::string_view u : kUnsupported)
                unsupported = unsupported || u == type;
            if (unsupported) {
                errors.add(it->first.Mark(),
                           itemPath + ": the " + type + " stage is not supported by Vigil");
            } else {
                std::vector<std::string> names;
                for (const Known& k : kStages)
                    names.emplace_back(k.name);
                std::string hint = config::closestMatch(type, names);
                errors.add(it->first.Mark(),
                           itemPath + ": unknown stage type \"" + type + "\"" +
                               (hint.empty() ? std::string() : ", did you mean \"" + hint + "\"?"));
            }
            ok = false;
            continue;
        }
        StagePtr stage;
        try {
            stage = known->factory(config, itemPath + "." + type, errors);
        } catch (const YAML::Exception& e) {
            // A value of an unexpected shape deep in a stage (a mapping
            // where a string belongs, a non-scalar key).
            errors.add(e.mark, itemPath + "." + type + ": " + e.msg);
        }
        if (!stage) {
            ok = false;
            continue;
        }
        built.push_back(std::move(stage));
    }
    if (!ok)
        return nullptr;
    return std::make_unique<StageChain>(std::move(built));
}

}  // namespace vigil::logs::pipeline
