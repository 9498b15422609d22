// json: extracts values with JMESPath expressions (the subset json_path.h
// documents) from a JSON object line or extracted value.
//   json: {expressions: {name: expr-or-empty}, source: key, drop_malformed: bool}

#include <yaml-cpp/yaml.h>

#include "core/logs/pipeline/json_path.h"
#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class JsonStage final : public Stage {
public:
    JsonStage(std::vector<std::pair<std::string, JsonPath>> expressions,
              std::optional<std::string> source, bool dropMalformed)
        : m_expressions(std::move(expressions)),
          m_source(std::move(source)),
          m_dropMalformed(dropMalformed) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        const std::string* text = sourceText(entry, m_source);
        if (!text)
            return Verdict::kKeep;
        if (!parseJson(*text, &m_doc, &m_error) || m_doc.kind != JsonValue::Kind::kObject)
            return m_dropMalformed ? Verdict::kDrop : Verdict::kKeep;
        for (const auto& [name, path] : m_expressions) {
            const JsonValue* v = path.evaluate(m_doc);
            if (!v || v->kind == JsonValue::Kind::kNull)
                continue;
            setExtracted(entry, name, jsonToExtracted(*v));
        }
        return Verdict::kKeep;
    }

private:
    std::vector<std::pair<std::string, JsonPath>> m_expressions;
    std::optional<std::string> m_source;
    bool m_dropMalformed;
    JsonValue m_doc;
    std::string m_error;
};

}  // namespace

StagePtr makeJson(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    bool ok = true;
    auto source = readSource(r, &ok);
    bool dropMalformed = false;
    r.read("drop_malformed", dropMalformed);
    std::vector<std::pair<std::string, JsonPath>> expressions;
    const YAML::Node exprs = r.child("expressions");
    if (!exprs || exprs.IsNull() || (exprs.IsMap() && exprs.size() == 0)) {
        errors.add(markOr(exprs, node),
                   r.childPath("expressions") + ": at least one JMESPath expression is required");
    } else if (!exprs.IsMap()) {
        errors.add(exprs.Mark(), r.childPath("expressions") +
                                     ": expected a mapping of name: "
                                     "JMESPath expression, got " +
                                     std::string(config::nodeKindName(exprs)));
    } else {
        for (const auto& kv : exprs) {
            const std::string name = kv.first.as<std::string>();
            std::string expr = name;
            if (kv.second && !kv.second.IsNull()) {
                if (!kv.second.IsScalar()) {
                    errors.add(kv.second.Mark(), r.childPath("expressions") + "." + name +
                                                     ": expected a JMESPath expression string");
                    continue;
                }
                expr = kv.second.as<std::string>();
                if (expr.empty())
                    expr = name;
            }
            auto compiled = JsonPath::compile(expr);
            if (!compiled.isOk()) {
                errors.add(
                    (kv.second && !kv.second.IsNull()) ? kv.second.Mark() : kv.first.Mark(),
                    r.childPath("expressions") + "." + name +
                        ": could not compile JMES expression: " + compiled.status().message());
                continue;
            }
            expressions.emplace_back(name, std::move(compiled.value()));
        }
    }
    r.finish();
    if (errors.errors().size() != before || !ok)
        return nullptr;
    return std::make_unique<JsonStage>(std::move(expressions), std::move(source), dropMalformed);
}

}  // namespace vigil::logs::pipeline::stages
