#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/logs/pipeline/pipeline.h"
#include "core/util/status.h"

// Pipeline files and Vigil's bundled pipeline presets
// (resources/logs/pipelines/<name>.yml: nginx-access, nginx-error,
// postgresql, syslog, json-app). The presets are compiled into the binary
// (Qt resources under :/vigil/logs/pipelines/), so they are found the same
// from the build tree and from an installed tree; they are also installed
// to share/vigil/logs/pipelines for users to read and copy.
namespace vigil::logs::pipeline {

// The bundled preset names, sorted.
std::vector<std::string> presetNames();

// The YAML text of a preset; an error lists the known names.
Result<std::string> presetText(std::string_view name);

// Parses a pipeline document: a mapping with a `pipeline_stages:` list, or
// a bare list of stages. Errors go to `errors` ("FILE:LINE:COL: ...").
std::unique_ptr<Pipeline> parsePipelineDocument(std::string_view yaml,
                                                config::ConfigErrors& errors);

// A preset by name, ready to run; errors (unknown name) in the Status.
Result<std::unique_ptr<Pipeline>> loadPreset(std::string_view name);

// A pipeline file (see parsePipelineDocument); all errors in the Status.
Result<std::unique_ptr<Pipeline>> loadPipelineFile(const std::string& path);

}  // namespace vigil::logs::pipeline
