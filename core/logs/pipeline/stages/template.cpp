// template: sets an extracted value from a Go text/template over the
// extracted map (strings), `.Value` (the source's current value) and
// `.Entry` (the line). An empty result removes the key; an execution error
// leaves the entry unchanged (Promtail logs it at debug level).
//   template: {source: key, template: text}

#include "core/template/template.h"
#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"
#include "core/logs/pipeline/template_functions.h"

namespace vigil::logs::pipeline::stages {
namespace {

class TemplateStage final : public Stage {
public:
    TemplateStage(std::string source, gotmpl::Template tmpl)
        : m_source(std::move(source)), m_template(std::move(tmpl)) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        gotmpl::Map data;
        for (const auto& [k, v] : entry.extracted) {
            data.emplace(k, gotmpl::Value(v));
            if (k == m_source)
                data.insert_or_assign("Value", gotmpl::Value(v));
        }
        data.insert_or_assign("Entry", gotmpl::Value(entry.line));
        auto out = m_template.execute(gotmpl::Value::map(std::move(data)));
        if (!out.isOk())
            return Verdict::kKeep;
        if (out.value().empty())
            entry.extracted.erase(m_source);
        else
            entry.extracted[m_source] = std::move(out.value());
        return Verdict::kKeep;
    }

private:
    std::string m_source;
    gotmpl::Template m_template;
};

}  // namespace

StagePtr makeTemplate(const YAML::Node& node, const std::string& path,
                      config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    std::string source, text;
    readRequired(r, node, "source", source);
    r.read("template", text);
    r.finish();
    gotmpl::Template tmpl("pipeline_template", {}, promtailTemplateFunctions());
    if (Status st = tmpl.parse(text); !st.isOk())
        errors.add(r.child("template").Mark(), r.childPath("template") + ": " + st.message());
    if (errors.errors().size() != before)
        return nullptr;
    return std::make_unique<TemplateStage>(std::move(source), std::move(tmpl));
}

}  // namespace vigil::logs::pipeline::stages
