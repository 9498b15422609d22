#include "core/logs/pipeline/stage_util.h"

namespace vigil::logs::pipeline {

std::unique_ptr<RE2> compileRegex(std::string_view pattern, const YAML::Mark& mark,
                                  const std::string& path, config::ConfigErrors& errors) {
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
    if (!re->ok()) {
        errors.add(mark, path + ": could not compile regular expression: " + re->error());
        return nullptr;
    }
    return re;
}

std::optional<std::string> readSource(config::YamlMapReader& reader, bool* ok) {
    if (!reader.has("source"))
        return std::nullopt;
    std::string source;
    if (!reader.read("source", source)) {
        *ok = false;
        return std::nullopt;
    }
    if (source.empty()) {
        reader.errors().add(reader.keyMark("source"),
                            reader.childPath("source") + ": empty source");
        *ok = false;
        return std::nullopt;
    }
    return source;
}

bool readRequired(config::YamlMapReader& reader, const YAML::Node& node, const char* key,
                  std::string& out) {
    if (reader.has(key)) {
        if (!reader.read(key, out))
            return false;  // wrong type, reported
        if (!out.empty())
            return true;
        reader.errors().add(reader.keyMark(key),
                            reader.childPath(key) + ": " + key + " must not be empty");
        return false;
    }
    reader.errors().add(node.Mark(), reader.childPath(key) + ": " + key + " is required");
    return false;
}

bool validLabelName(std::string_view name) {
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

}  // namespace vigil::logs::pipeline
