#pragma once

#include <string>

#include "core/config/yaml_map_reader.h"
#include "core/logs/pipeline/stage.h"

// The constructors of Promtail's pipeline stages, one per stage type. Each
// reads its configuration (the value under the stage's name) with a
// YamlMapReader, so unknown keys are errors, and reports every problem to
// `errors` with the position and `path` ("pipeline_stages[2].regex"). Each
// returns null when the configuration has an error.
namespace vigil::logs::pipeline::stages {

using Factory = StagePtr (*)(const YAML::Node& config, const std::string& path,
                             config::ConfigErrors& errors);

StagePtr makeDocker(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeCri(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeJson(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeLogfmt(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeRegex(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeTemplate(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeReplace(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeDecolorize(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeTimestamp(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeLabels(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeStructuredMetadata(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeStaticLabels(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeLabelDrop(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeLabelAllow(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeOutput(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makePack(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeLimit(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeMatch(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeDrop(const YAML::Node&, const std::string&, config::ConfigErrors&);
StagePtr makeMultiline(const YAML::Node&, const std::string&, config::ConfigErrors&);

}  // namespace vigil::logs::pipeline::stages
