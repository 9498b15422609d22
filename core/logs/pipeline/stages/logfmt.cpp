// logfmt: extracts logfmt keys (go-logfmt rules) into the extracted map.
//   logfmt: {mapping: {name: logfmt_key_or_empty}, source: key}

#include <yaml-cpp/yaml.h>

#include "core/logs/pipeline/logfmt_scanner.h"
#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class LogfmtStage final : public Stage {
public:
    // `inverse`: logfmt key -> extracted name.
    LogfmtStage(std::vector<std::pair<std::string, std::string>> inverse,
                std::optional<std::string> source)
        : m_inverse(std::move(inverse)), m_source(std::move(source)) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        const std::string* text = sourceText(entry, m_source);
        if (!text)
            return Verdict::kKeep;
        m_input = *text;  // the source may be overwritten while scanning
        LogfmtScanner scanner(m_input);
        while (scanner.next()) {
            for (const auto& [key, name] : m_inverse)
                if (key == scanner.key())
                    setExtracted(entry, name, scanner.value());
        }
        return Verdict::kKeep;
    }

private:
    std::vector<std::pair<std::string, std::string>> m_inverse;
    std::optional<std::string> m_source;
    std::string m_input;
};

}  // namespace

StagePtr makeLogfmt(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    bool ok = true;
    auto source = readSource(r, &ok);
    std::vector<std::pair<std::string, std::string>> inverse;
    const YAML::Node mapping = r.child("mapping");
    if (!mapping || mapping.IsNull() || (mapping.IsMap() && mapping.size() == 0)) {
        errors.add(markOr(mapping, node), r.childPath("mapping") + ": logfmt mapping is required");
    } else if (!mapping.IsMap()) {
        errors.add(mapping.Mark(), r.childPath("mapping") + ": expected a mapping, got " +
                                       std::string(config::nodeKindName(mapping)));
    } else {
        for (const auto& kv : mapping) {
            const std::string name = kv.first.as<std::string>();
            std::string key = name;
            if (kv.second && !kv.second.IsNull()) {
                if (!kv.second.IsScalar()) {
                    errors.add(kv.second.Mark(),
                               r.childPath("mapping") + "." + name + ": expected a logfmt key");
                    continue;
                }
                key = kv.second.as<std::string>();
                if (key.empty())
                    key = name;
            }
            inverse.emplace_back(key, name);
        }
    }
    r.finish();
    if (errors.errors().size() != before || !ok)
        return nullptr;
    return std::make_unique<LogfmtStage>(std::move(inverse), std::move(source));
}

}  // namespace vigil::logs::pipeline::stages
