// match: runs nested stages on, or drops, the entries whose labels match a
// LogQL stream selector and whose line passes the selector's line filters.
//   match: {selector: '{app="x"} |= "y"', stages: [...], action: keep|drop,
//           pipeline_name: name, drop_counter_reason: reason}
// The selector may only hold matchers and line filters (Promtail's rule);
// parsers, label filters and formatters are rejected with their name.

#include <yaml-cpp/yaml.h>

#include "core/logs/logql/parser.h"
#include "core/logs/logql/pipeline.h"
#include "core/logs/pipeline/stage_factory.h"
#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class MatchStage final : public Stage {
public:
    MatchStage(std::vector<model::Matcher> matchers, logql::Pipeline filters,
               std::unique_ptr<StageChain> nested, bool drop)
        : m_matchers(std::move(matchers)),
          m_filters(std::move(filters)),
          m_nested(std::move(nested)),
          m_drop(drop) {}

    Verdict process(Entry& entry, std::vector<Entry>& released) override {
        if (!matches(entry))
            return Verdict::kKeep;
        if (m_drop)
            return Verdict::kDrop;
        m_nested->process(std::move(entry), released);
        return Verdict::kHold;
    }
    void flush(TimestampNs nowNs, bool all, std::vector<Entry>& released) override {
        if (m_nested)
            m_nested->flush(nowNs, all, released);
    }
    std::uint64_t nestedDropped() const override { return m_nested ? m_nested->dropped() : 0; }

private:
    bool matches(const Entry& entry) {
        static const std::string kEmpty;
        for (const model::Matcher& m : m_matchers) {
            const auto it = entry.labels.find(m.name());
            if (!m.matches(it == entry.labels.end() ? kEmpty : it->second))
                return false;
        }
        if (m_filters.empty())
            return true;
        m_lineLabels.reset(model::Labels(), model::Labels());
        m_line = entry.line;
        return m_filters.process(entry.tsNs, m_line, m_lineLabels);
    }

    std::vector<model::Matcher> m_matchers;
    logql::Pipeline m_filters;
    std::unique_ptr<StageChain> m_nested;
    bool m_drop;
    logql::LineLabels m_lineLabels;
    std::string m_line;
};

const char* stageKindName(logql::Stage::Kind kind) {
    switch (kind) {
        case logql::Stage::Kind::kLineFilter:
            return "line filter";
        case logql::Stage::Kind::kLabelFilter:
            return "label filter";
        case logql::Stage::Kind::kJson:
            return "json";
        case logql::Stage::Kind::kLogfmt:
            return "logfmt";
        case logql::Stage::Kind::kRegexp:
            return "regexp";
        case logql::Stage::Kind::kPattern:
            return "pattern";
        case logql::Stage::Kind::kUnpack:
            return "unpack";
        case logql::Stage::Kind::kDecolorize:
            return "decolorize";
        case logql::Stage::Kind::kLineFormat:
            return "line_format";
        case logql::Stage::Kind::kLabelFormat:
            return "label_format";
        case logql::Stage::Kind::kDrop:
            return "drop";
        case logql::Stage::Kind::kKeep:
            return "keep";
    }
    return "?";
}

}  // namespace

StagePtr makeMatch(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    std::string selector, action = "keep", pipelineName, dropReason;
    readRequired(r, node, "selector", selector);
    r.readEnum("action", action, {"keep", "drop"});
    r.read("pipeline_name", pipelineName);
    r.read("drop_counter_reason", dropReason);
    const YAML::Node stagesNode = r.child("stages");
    r.finish();
    const bool hasStages =
        stagesNode && !stagesNode.IsNull() && !(stagesNode.IsSequence() && stagesNode.size() == 0);
    if (action == "drop" && hasStages)
        errors.add(stagesNode.Mark(), r.childPath("stages") +
                                          ": match stage configured to drop entries cannot "
                                          "contain stages");
    if (action == "keep" && !hasStages && errors.errors().size() == before)
        errors.add(node.Mark(), r.childPath("stages") +
                                    ": match stage requires at least one additional stage to "
                                    "be defined in 'stages'");
    std::vector<model::Matcher> matchers;
    std::vector<logql::Stage> filters;
    if (!selector.empty()) {
        logql::ParseError perr;
        logql::ExprPtr expr = logql::parse(selector, &perr);
        const YAML::Mark at = r.child("selector").Mark();
        if (!expr) {
            errors.add(at, r.childPath("selector") +
                               ": invalid selector syntax for match stage: " + perr.toString());
        } else if (!expr->isLogQuery()) {
            errors.add(at, r.childPath("selector") +
                               ": a match selector is a stream selector with optional line "
                               "filters, not a metric query");
        } else {
            const auto& sel = static_cast<const logql::LogQueryExpr&>(*expr).selector;
            matchers = sel.matchers;
            for (const logql::Stage& s : sel.stages) {
                if (s.kind != logql::Stage::Kind::kLineFilter) {
                    errors.add(at, r.childPath("selector") + ": " + stageKindName(s.kind) +
                                       " is not allowed in a match selector (only line filters)");
                    continue;
                }
                filters.push_back(s);
            }
        }
    }
    std::unique_ptr<StageChain> nested;
    if (hasStages && action == "keep")
        nested = parseStageList(stagesNode, r.childPath("stages"), errors);
    if (errors.errors().size() != before)
        return nullptr;
    auto compiled = logql::Pipeline::compile(filters);
    if (!compiled.isOk()) {
        errors.add(r.child("selector").Mark(),
                   r.childPath("selector") + ": " + compiled.status().message());
        return nullptr;
    }
    return std::make_unique<MatchStage>(std::move(matchers), std::move(compiled.value()),
                                        std::move(nested), action == "drop");
}

}  // namespace vigil::logs::pipeline::stages
