// regex: extracts RE2 named capture groups into the extracted map.
//   regex: {expression: RE2, source: extracted key (default: the line)}

#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class RegexStage final : public Stage {
public:
    RegexStage(std::unique_ptr<RE2> re, std::optional<std::string> source)
        : m_re(std::move(re)), m_source(std::move(source)) {
        m_groups.resize(static_cast<std::size_t>(m_re->NumberOfCapturingGroups()) + 1);
        for (const auto& [name, index] : m_re->NamedCapturingGroups())
            m_names.push_back({name, index});
    }

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        const std::string* text = sourceText(entry, m_source);
        if (!text)
            return Verdict::kKeep;
        if (!m_re->Match(*text, 0, text->size(), RE2::UNANCHORED, m_groups.data(),
                         static_cast<int>(m_groups.size())))
            return Verdict::kKeep;
        // With a source, a group is copied out before writing: the source is
        // an extracted value that a group name may overwrite.
        for (auto& [name, index] : m_names) {
            const auto& g = m_groups[static_cast<std::size_t>(index)];
            const std::string_view v(g.data() ? g.data() : "", g.size());
            if (!m_source) {
                setExtracted(entry, name, v);  // the line is not written here
            } else {
                m_scratch.assign(v);
                setExtracted(entry, name, m_scratch);
            }
        }
        return Verdict::kKeep;
    }

private:
    std::unique_ptr<RE2> m_re;
    std::optional<std::string> m_source;
    std::vector<std::pair<std::string, int>> m_names;
    std::vector<re2::StringPiece> m_groups;
    std::string m_scratch;
};

}  // namespace

StagePtr makeRegex(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    bool ok = true;
    std::string expression;
    readRequired(r, node, "expression", expression);
    auto source = readSource(r, &ok);
    r.finish();
    std::unique_ptr<RE2> re;
    if (!expression.empty())
        re = compileRegex(expression, r.child("expression").Mark(), r.childPath("expression"),
                          errors);
    if (errors.errors().size() != before || !ok || !re)
        return nullptr;
    return std::make_unique<RegexStage>(std::move(re), std::move(source));
}

}  // namespace vigil::logs::pipeline::stages
