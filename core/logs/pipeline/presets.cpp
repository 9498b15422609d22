#include "core/logs/pipeline/presets.h"

#include <yaml-cpp/yaml.h>

#include <QDir>
#include <QFile>

#include <fstream>
#include <sstream>

#include "core/config/config_errors.h"
#include "core/config/yaml_map_reader.h"

namespace vigil::logs::pipeline {
namespace {

const QString kPresetDir = QStringLiteral(":/vigil/logs/pipelines");

}  // namespace

std::vector<std::string> presetNames() {
    std::vector<std::string> names;
    const QStringList files = QDir(kPresetDir).entryList({"*.yml"}, QDir::Files, QDir::Name);
    for (const QString& f : files)
        names.push_back(f.chopped(4).toStdString());
    return names;
}

Result<std::string> presetText(std::string_view name) {
    QFile file(kPresetDir + "/" +
               QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())) + ".yml");
    if (name.empty() || name.find('/') != std::string_view::npos ||
        !file.open(QIODevice::ReadOnly)) {
        std::string known;
        for (const std::string& n : presetNames())
            known += (known.empty() ? "" : ", ") + n;
        return Status::error("unknown pipeline preset \"" + std::string(name) +
                             "\" (presets: " + known + ")");
    }
    return file.readAll().toStdString();
}

std::unique_ptr<Pipeline> parsePipelineDocument(std::string_view yaml,
                                                config::ConfigErrors& errors) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::ParserException& e) {
        errors.add(e.mark, e.msg);
        return nullptr;
    }
    if (root.IsSequence())
        return parsePipeline(root, "pipeline_stages", errors);
    if (!root.IsMap()) {
        errors.add(root.Mark(), "expected a mapping with pipeline_stages: or a list of stages");
        return nullptr;
    }
    config::YamlMapReader r(root, errors, "");
    const YAML::Node stages = r.child("pipeline_stages");
    r.finish();
    if (!stages) {
        errors.add(root.Mark(), "pipeline_stages: is required");
        return nullptr;
    }
    if (!errors.empty())
        return nullptr;
    return parsePipeline(stages, "pipeline_stages", errors);
}

Result<std::unique_ptr<Pipeline>> loadPreset(std::string_view name) {
    auto text = presetText(name);
    if (!text.isOk())
        return text.status();
    config::ConfigErrors errors("preset " + std::string(name));
    auto p = parsePipelineDocument(text.value(), errors);
    if (!p)
        return errors.toStatus();
    return p;
}

Result<std::unique_ptr<Pipeline>> loadPipelineFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status::ioError("cannot open pipeline file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    config::ConfigErrors errors(path);
    auto p = parsePipelineDocument(ss.str(), errors);
    if (!p)
        return errors.toStatus();
    return p;
}

}  // namespace vigil::logs::pipeline
