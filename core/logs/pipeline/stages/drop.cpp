// drop: drops entries meeting every configured condition (ANDed; use several
// drop stages for OR):
//   source: key or [keys]  the value(s) exist (joined with `separator`,
//                          default ";", when several)
//   value: text            ... and equal this (not with expression)
//   expression: RE2        the source value (or the line) matches
//   older_than: duration   the timestamp is older than now - duration
//   longer_than: bytes     the line is longer than this
//   drop_counter_reason    accepted (Promtail's metric label; not counted here)

#include <yaml-cpp/yaml.h>

#include <chrono>

#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"
#include "core/util/human_units.h"

namespace vigil::logs::pipeline::stages {
namespace {

struct DropConfig {
    std::vector<std::string> sources;
    std::string separator = ";";
    std::optional<std::string> value;
    std::unique_ptr<RE2> expression;
    std::optional<std::int64_t> olderThanNs;
    std::optional<std::uint64_t> longerThan;
};

class DropStage final : public Stage {
public:
    explicit DropStage(DropConfig c) : m_c(std::move(c)) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        if (m_c.longerThan && entry.line.size() <= *m_c.longerThan)
            return Verdict::kKeep;
        if (m_c.olderThanNs) {
            const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
            if (!(entry.tsNs < now - *m_c.olderThanNs))
                return Verdict::kKeep;
        }
        const std::string* subject = &entry.line;
        if (!m_c.sources.empty()) {
            if (m_c.sources.size() == 1) {
                const auto it = entry.extracted.find(m_c.sources[0]);
                if (it == entry.extracted.end())
                    return Verdict::kKeep;
                subject = &it->second;
            } else {
                m_joined.clear();
                for (std::size_t i = 0; i < m_c.sources.size(); ++i) {
                    const auto it = entry.extracted.find(m_c.sources[i]);
                    if (it == entry.extracted.end())
                        return Verdict::kKeep;
                    if (i)
                        m_joined += m_c.separator;
                    m_joined += it->second;
                }
                subject = &m_joined;
            }
            if (!m_c.expression && m_c.value && *subject != *m_c.value)
                return Verdict::kKeep;
        }
        if (m_c.expression && !RE2::PartialMatch(*subject, *m_c.expression))
            return Verdict::kKeep;
        return Verdict::kDrop;
    }

private:
    DropConfig m_c;
    std::string m_joined;
};

}  // namespace

StagePtr makeDrop(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    DropConfig c;
    const YAML::Node source = r.child("source");
    if (source && !source.IsNull()) {
        if (source.IsScalar()) {
            c.sources.push_back(source.as<std::string>());
        } else if (source.IsSequence()) {
            r.read("source", c.sources);
        } else {
            errors.add(source.Mark(),
                       r.childPath("source") + ": expected a string or a list of strings");
        }
        for (const std::string& s : c.sources)
            if (s.empty())
                errors.add(source.Mark(), r.childPath("source") + ": empty source");
    }
    r.read("separator", c.separator);
    std::string value, expression, olderThan, longerThan, reason;
    if (r.read("value", value))
        c.value = value;
    const bool hasExpression = r.read("expression", expression);
    if (r.read("older_than", olderThan)) {
        auto d = parseDuration(olderThan);
        if (!d.isOk())
            errors.add(r.child("older_than").Mark(),
                       r.childPath("older_than") + ": drop stage invalid duration, " + olderThan +
                           " cannot be converted to a duration: " + d.status().message());
        else
            c.olderThanNs = std::chrono::duration_cast<std::chrono::nanoseconds>(d.value()).count();
    }
    if (r.read("longer_than", longerThan)) {
        auto b = parseByteSize(longerThan);
        if (!b.isOk())
            errors.add(
                r.child("longer_than").Mark(),
                r.childPath("longer_than") +
                    ": drop stage failed to parse longer_than to bytes: " + b.status().message());
        else
            c.longerThan = b.value();
    }
    r.read("drop_counter_reason", reason);
    r.finish();
    if (c.sources.empty() && !hasExpression && !r.has("older_than") && !r.has("longer_than") &&
        errors.errors().size() == before)
        errors.add(node.Mark(), path +
                                    ": drop stage config must contain at least one of `source`, "
                                    "`expression`, `older_than` or `longer_than`");
    if (c.value && hasExpression)
        errors.add(r.keyMark("value"), path +
                                           ": `value` and `expression` cannot both be defined "
                                           "at the same time");
    if (hasExpression)
        c.expression = compileRegex(expression, r.child("expression").Mark(),
                                    r.childPath("expression"), errors);
    if (errors.errors().size() != before)
        return nullptr;
    return std::make_unique<DropStage>(std::move(c));
}

}  // namespace vigil::logs::pipeline::stages
