// replace: rewrites, in the line or an extracted value, every capture group
// of every match of `expression` with the Go template `replace` (data: the
// extracted map plus `.Value` = the captured text); named groups are set in
// the extracted map to their replaced text.
//   replace: {expression: RE2, source: key, replace: template}

#include <map>

#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"
#include "core/logs/pipeline/template_functions.h"
#include "core/template/template.h"

namespace vigil::logs::pipeline::stages {
namespace {

class ReplaceStage final : public Stage {
public:
    ReplaceStage(std::unique_ptr<RE2> re, std::optional<std::string> source, gotmpl::Template tmpl)
        : m_re(std::move(re)), m_source(std::move(source)), m_template(std::move(tmpl)) {
        m_groups.resize(static_cast<std::size_t>(m_re->NumberOfCapturingGroups()) + 1);
        m_names.resize(m_groups.size());
        for (const auto& [name, index] : m_re->NamedCapturingGroups())
            m_names[static_cast<std::size_t>(index)] = name;
    }

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        const std::string* text = sourceText(entry, m_source);
        if (!text)
            return Verdict::kKeep;
        const std::string input = *text;
        const int n = static_cast<int>(m_groups.size());
        gotmpl::Map data;
        bool haveData = false;
        std::string result;
        std::size_t prevEnd = 0;
        std::map<std::string, std::string> captured;  // captured text -> replacement
        std::vector<std::string> firstMatch;          // groups of the first match
        std::size_t pos = 0;
        bool any = false;
        while (pos <= input.size() &&
               m_re->Match(input, pos, input.size(), RE2::UNANCHORED, m_groups.data(), n)) {
            const auto& whole = m_groups[0];
            const std::size_t mStart = static_cast<std::size_t>(whole.data() - input.data());
            const std::size_t mEnd = mStart + whole.size();
            if (!any) {
                for (const auto& g : m_groups)
                    firstMatch.emplace_back(g.data() ? std::string(g.data(), g.size()) : "");
                any = true;
            }
            if (!haveData) {
                for (const auto& [k, v] : entry.extracted)
                    data.emplace(k, gotmpl::Value(v));
                haveData = true;
            }
            for (int i = 1; i < n; ++i) {
                const auto& g = m_groups[static_cast<std::size_t>(i)];
                if (!g.data())
                    continue;
                const std::size_t gStart = static_cast<std::size_t>(g.data() - input.data());
                const std::string capturedText(g.data(), g.size());
                data.insert_or_assign("Value", gotmpl::Value(capturedText));
                auto out = m_template.execute(gotmpl::Value::map(data));
                if (!out.isOk())
                    return Verdict::kKeep;
                if (prevEnd == 0 || prevEnd < gStart) {
                    result.append(input, prevEnd, gStart - prevEnd);
                    result += out.value();
                    prevEnd = gStart + g.size();
                }
                captured[capturedText] = out.value();
            }
            // Go's FindAll: after an empty match, advance by one rune.
            pos = mEnd > mStart ? mEnd : mEnd + 1;
        }
        if (!any)
            return Verdict::kKeep;
        result.append(input, std::min(prevEnd, input.size()), std::string::npos);
        if (m_source)
            entry.extracted[*m_source] = std::move(result);
        else
            entry.line = std::move(result);
        for (std::size_t i = 1; i < m_names.size(); ++i) {
            if (m_names[i].empty())
                continue;
            const auto it = captured.find(firstMatch[i]);
            if (it != captured.end())
                entry.extracted[m_names[i]] = it->second;
        }
        return Verdict::kKeep;
    }

private:
    std::unique_ptr<RE2> m_re;
    std::optional<std::string> m_source;
    gotmpl::Template m_template;
    std::vector<re2::StringPiece> m_groups;
    std::vector<std::string> m_names;
};

}  // namespace

StagePtr makeReplace(const YAML::Node& node, const std::string& path,
                     config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    bool ok = true;
    std::string expression, replace;
    readRequired(r, node, "expression", expression);
    auto source = readSource(r, &ok);
    r.read("replace", replace);
    r.finish();
    std::unique_ptr<RE2> re;
    if (!expression.empty())
        re = compileRegex(expression, r.child("expression").Mark(), r.childPath("expression"),
                          errors);
    gotmpl::Template tmpl("pipeline_template", {}, promtailTemplateFunctions());
    if (Status st = tmpl.parse(replace); !st.isOk())
        errors.add(r.child("replace").Mark(), r.childPath("replace") + ": " + st.message());
    if (errors.errors().size() != before || !ok || !re)
        return nullptr;
    return std::make_unique<ReplaceStage>(std::move(re), std::move(source), std::move(tmpl));
}

}  // namespace vigil::logs::pipeline::stages
