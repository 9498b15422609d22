#pragma once

#include <memory>
#include <string>

#include "core/logs/pipeline/stage.h"

namespace YAML {
class Node;
}
namespace vigil::config {
class ConfigErrors;
}

namespace vigil::logs::pipeline {

// Builds the stages of a `pipeline_stages:` (or a match stage's `stages:`)
// list: each item is a mapping with exactly one key, the stage type.
// Errors go to `errors` with positions and paths ("path[3].json.source");
// returns null when there was one. A null node is an empty chain.
std::unique_ptr<StageChain> parseStageList(const YAML::Node& list, const std::string& path,
                                           config::ConfigErrors& errors);

}  // namespace vigil::logs::pipeline
