#include "core/rules/rule_file.h"

#include <yaml-cpp/yaml.h>

#include <glob.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/logs/logql/parser.h"
#include "core/promql/parser.h"
#include "core/rules/rule_templates.h"
#include "core/util/human_units.h"

namespace vigil::rules {

namespace {

// A YAML node's position, 1-based as Go's yaml.v3 reports it; 0:0 for a
// node that is absent (Prometheus prints the zero yaml.Node the same way).
struct Pos {
    int line = 0;
    int column = 0;
    bool present() const { return line > 0; }
};

Pos posOf(const YAML::Node& node) {
    if (!node || node.Mark().line < 0)
        return {};
    return {node.Mark().line + 1, node.Mark().column + 1};
}

std::string posText(Pos p) {
    return std::to_string(p.line) + ":" + std::to_string(p.column);
}

// The raw lines of the file, to position PromQL errors inside block scalars.
std::vector<std::string_view> splitLines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

class Loader {
public:
    Loader(std::string_view text, std::string fileName, RuleLanguage language)
        : m_text(text),
          m_lines(splitLines(text)),
          m_file(std::move(fileName)),
          m_language(language) {}

    bool load(RuleFile& out);
    RuleFileErrors& errors() { return m_errors; }

private:
    // Structural errors (unknown fields, wrong types): Prometheus (yaml.v3
    // strict decoding) reports them all at once and validates nothing else.
    void typeError(const YAML::Node& at, const std::string& message) {
        m_typeErrors.push_back({posOf(at), message});
    }
    void fatal(Pos pos, const std::string& promtoolMessage) {
        m_errors.promtool.push_back(m_file + ": " + promtoolMessage);
        m_errors.positioned.push_back(m_file + ":" +
                                      (pos.present() ? posText(pos) + ": " : std::string(" ")) +
                                      promtoolMessage);
    }
    void ruleError(const std::string& group, std::size_t index, const std::string& ruleName,
                   Pos node, Pos nodeAlt, bool hasNode, const std::string& message,
                   Pos absolute = {}) {
        std::string where =
            "group \"" + group + "\", rule " + std::to_string(index) + ", \"" + ruleName + "\": ";
        std::string promtool = m_file + ": ";
        if (hasNode) {
            promtool += posText(node) + ": ";
            if (nodeAlt.present())
                promtool += posText(nodeAlt) + ": ";
        }
        m_errors.promtool.push_back(promtool + where + message);
        Pos at = absolute.present() ? absolute : node;
        m_errors.positioned.push_back(
            m_file + ":" + (at.present() ? posText(at) + ": " : std::string()) + where + message);
    }

    bool checkKeys(const YAML::Node& map, std::initializer_list<const char*> keys,
                   const char* typeName);
    bool readString(const YAML::Node& node, std::string& out);
    bool readStringMap(const YAML::Node& node,
                       std::vector<std::pair<std::string, std::string>>& out);
    bool readDuration(const YAML::Node& node, Duration& out);
    // Where an error at `errorLine`:`errorColumn` (1-based, within the
    // expression) is in the file.
    Pos exprErrorPosition(const YAML::Node& exprNode, int errorLine, int errorColumn) const;
    void validate(RuleFile& file, const YAML::Node& groupsNode,
                  const std::vector<YAML::Node>& ruleNodes);

    std::string_view m_text;
    std::vector<std::string_view> m_lines;
    std::string m_file;
    RuleLanguage m_language;
    RuleFileErrors m_errors;
    std::vector<std::pair<Pos, std::string>> m_typeErrors;
    std::string m_fatal;
};

const char* kindName(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Sequence:
            return "!!seq";
        case YAML::NodeType::Map:
            return "!!map";
        case YAML::NodeType::Scalar:
            return "!!str";
        default:
            return "!!null";
    }
}

bool Loader::checkKeys(const YAML::Node& map, std::initializer_list<const char*> keys,
                       const char* typeName) {
    bool ok = true;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
        bool known = std::any_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; });
        if (!known) {
            typeError(it->first, "field " + key + " not found in type " + typeName);
            ok = false;
        }
    }
    return ok;
}

bool Loader::readString(const YAML::Node& node, std::string& out) {
    if (!node || node.IsNull())
        return true;
    if (!node.IsScalar()) {
        typeError(node, std::string("cannot unmarshal ") + kindName(node) + " into string");
        return false;
    }
    out = node.Scalar();
    return true;
}

bool Loader::readStringMap(const YAML::Node& node,
                           std::vector<std::pair<std::string, std::string>>& out) {
    if (!node || node.IsNull())
        return true;
    if (!node.IsMap()) {
        typeError(node,
                  std::string("cannot unmarshal ") + kindName(node) + " into map[string]string");
        return false;
    }
    std::map<std::string, std::string> sorted;
    bool ok = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
        std::string key;
        std::string value;
        ok = readString(it->first, key) && ok;
        ok = readString(it->second, value) && ok;
        sorted[key] = value;
    }
    out.assign(sorted.begin(), sorted.end());
    return ok;
}

bool Loader::readDuration(const YAML::Node& node, Duration& out) {
    if (!node || node.IsNull())
        return true;
    if (!node.IsScalar()) {
        typeError(node, std::string("cannot unmarshal ") + kindName(node) + " into model.Duration");
        return false;
    }
    auto parsed = parseDuration(node.Scalar());
    if (!parsed) {
        // model.Duration's own error aborts decoding, reported alone.
        if (m_fatal.empty())
            m_fatal = "not a valid duration string: \"" + node.Scalar() + "\"";
        return false;
    }
    out = *parsed;
    return true;
}

Pos Loader::exprErrorPosition(const YAML::Node& exprNode, int errorLine, int errorColumn) const {
    Pos base = posOf(exprNode);
    if (!base.present() || base.line > static_cast<int>(m_lines.size()))
        return base;
    std::string_view raw = m_lines[base.line - 1];
    char indicator =
        static_cast<std::size_t>(base.column - 1) < raw.size() ? raw[base.column - 1] : ' ';
    if (indicator == '|' || indicator == '>') {
        // Block scalar: the expression starts on the next line.
        // The block's indentation is that of its first non-empty line.
        int indent = 0;
        for (std::size_t l = base.line; l < m_lines.size(); ++l) {
            std::size_t first = m_lines[l].find_first_not_of(' ');
            if (first != std::string_view::npos) {
                indent = static_cast<int>(first);
                break;
            }
        }
        int line = base.line + errorLine;
        if (line > static_cast<int>(m_lines.size()))
            return base;
        return {line, indent + errorColumn};
    }
    const int quote = (indicator == '"' || indicator == '\'') ? 1 : 0;
    if (errorLine == 1)
        return {base.line, base.column + quote + errorColumn - 1};
    return {base.line + errorLine - 1, errorColumn};
}

bool Loader::load(RuleFile& out) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(m_text));
    } catch (const YAML::Exception& e) {
        Pos p{e.mark.line + 1, e.mark.column + 1};
        fatal(p, "yaml: line " + std::to_string(p.line) + ": " + e.msg);
        return false;
    }
    if (!root || root.IsNull())
        return true;  // an empty file has no groups
    if (!root.IsMap()) {
        typeError(root,
                  std::string("cannot unmarshal ") + kindName(root) + " into rulefmt.RuleGroups");
    } else {
        checkKeys(root, {"groups"}, "rulefmt.RuleGroups");
    }
    YAML::Node groups = root.IsMap() ? root["groups"] : YAML::Node();
    std::vector<YAML::Node> ruleNodes;
    if (groups && !groups.IsNull() && !groups.IsSequence()) {
        typeError(groups, std::string("cannot unmarshal ") + kindName(groups) +
                              " into []rulefmt.RuleGroup");
    } else if (groups && groups.IsSequence()) {
        for (const auto& g : groups) {
            GroupSpec group;
            group.file = m_file;
            group.language = m_language;
            group.line = posOf(g).line;
            if (!g.IsMap()) {
                typeError(
                    g, std::string("cannot unmarshal ") + kindName(g) + " into rulefmt.RuleGroup");
                out.groups.push_back(std::move(group));
                continue;
            }
            checkKeys(g, {"name", "interval", "query_offset", "limit", "rules"},
                      "rulefmt.RuleGroup");
            readString(g["name"], group.name);
            readDuration(g["interval"], group.interval);
            readDuration(g["query_offset"], group.queryOffset);
            if (YAML::Node limit = g["limit"]; limit && !limit.IsNull()) {
                try {
                    group.limit = limit.as<std::int64_t>();
                } catch (const YAML::Exception&) {
                    typeError(limit, "cannot unmarshal " + std::string(kindName(limit)) + " `" +
                                         (limit.IsScalar() ? limit.Scalar() : "") + "` into int");
                }
            }
            YAML::Node rules = g["rules"];
            if (rules && !rules.IsNull() && !rules.IsSequence()) {
                typeError(rules, std::string("cannot unmarshal ") + kindName(rules) +
                                     " into []rulefmt.RuleNode");
            } else if (rules) {
                for (const auto& r : rules) {
                    RuleSpec rule;
                    Pos p = posOf(r);
                    rule.line = p.line;
                    rule.column = p.column;
                    ruleNodes.push_back(r);
                    if (!r.IsMap()) {
                        typeError(r, std::string("cannot unmarshal ") + kindName(r) +
                                         " into rulefmt.RuleNode");
                        group.rules.push_back(std::move(rule));
                        continue;
                    }
                    checkKeys(r,
                              {"record", "alert", "expr", "for", "keep_firing_for", "labels",
                               "annotations"},
                              "rulefmt.RuleNode");
                    std::string record;
                    std::string alert;
                    readString(r["record"], record);
                    readString(r["alert"], alert);
                    rule.alerting = !alert.empty();
                    rule.name = rule.alerting ? alert : record;
                    readString(r["expr"], rule.expr);
                    readDuration(r["for"], rule.holdDuration);
                    readDuration(r["keep_firing_for"], rule.keepFiringFor);
                    readStringMap(r["labels"], rule.labels);
                    readStringMap(r["annotations"], rule.annotations);
                    group.rules.push_back(std::move(rule));
                }
            }
            out.groups.push_back(std::move(group));
        }
    }
    if (!m_fatal.empty()) {
        fatal({}, m_fatal);
        return false;
    }
    if (!m_typeErrors.empty()) {
        std::stable_sort(m_typeErrors.begin(), m_typeErrors.end(),
                         [](const auto& a, const auto& b) { return a.first.line < b.first.line; });
        std::string promtool = "yaml: unmarshal errors:";
        for (const auto& [pos, message] : m_typeErrors) {
            promtool += "\n  line " + std::to_string(pos.line) + ": " + message;
            m_errors.positioned.push_back(m_file + ":" + posText(pos) + ": " + message);
        }
        m_errors.promtool.push_back(m_file + ": " + promtool);
        return false;
    }
    validate(out, groups, ruleNodes);
    return m_errors.promtool.empty();
}

void Loader::validate(RuleFile& file, const YAML::Node& groupsNode,
                      const std::vector<YAML::Node>& ruleNodes) {
    std::set<std::string> names;
    std::size_t ruleIndex = 0;
    std::size_t groupIndex = 0;
    for (auto& group : file.groups) {
        Pos groupPos = posOf(groupsNode[groupIndex++]);
        auto groupError = [&](const std::string& message) {
            m_errors.promtool.push_back(m_file + ": " + posText(groupPos) + ": " + message);
            m_errors.positioned.push_back(m_file + ":" + posText(groupPos) + ": " + message);
        };
        if (group.name.empty())
            groupError("Groupname must not be empty");
        if (!names.insert(group.name).second)
            groupError("groupname: \"" + group.name + "\" is repeated in the same file");
        std::size_t index = 0;
        for (auto& rule : group.rules) {
            ++index;
            const YAML::Node& node = ruleNodes[ruleIndex++];
            const YAML::Node recordNode = node["record"];
            const YAML::Node alertNode = node["alert"];
            const YAML::Node exprNode = node["expr"];
            std::string record = recordNode && recordNode.IsScalar() ? recordNode.Scalar() : "";
            std::string alert = alertNode && alertNode.IsScalar() ? alertNode.Scalar() : "";
            auto err = [&](const YAML::Node* at, const YAML::Node* alt, const std::string& msg,
                           Pos absolute = {}) {
                ruleError(group.name, index, rule.name, at ? posOf(*at) : Pos{},
                          alt ? posOf(*alt) : Pos{}, at != nullptr, msg, absolute);
            };
            if (!record.empty() && !alert.empty())
                err(&recordNode, &alertNode, "only one of 'record' and 'alert' must be set");
            if (record.empty() && alert.empty())
                err(&recordNode, nullptr, "one of 'record' or 'alert' must be set");
            if (rule.expr.empty()) {
                err(&exprNode, nullptr, "field 'expr' must be set in rule");
            } else if (m_language == RuleLanguage::kLogQL) {
                logql::ParseError perr;
                logql::ExprPtr parsed = logql::parse(rule.expr, &perr);
                if (!parsed) {
                    err(&exprNode, nullptr, "could not parse expression: " + perr.toString(),
                        exprErrorPosition(exprNode, perr.line, perr.column));
                } else if (parsed->isLogQuery()) {
                    // Rules produce samples; a query that returns log lines has none.
                    err(&exprNode, nullptr,
                        "expression is a LogQL log query, a rule needs a metric query (for "
                        "example sum by (job) (rate({job=\"app\"} |= \"error\" [5m])))",
                        exprErrorPosition(exprNode, 1, 1));
                } else {
                    rule.logParsed = std::move(parsed);
                }
            } else {
                promql::ParseError perr;
                promql::ExprPtr parsed = promql::parse(rule.expr, &perr);
                if (!parsed) {
                    err(&exprNode, nullptr, "could not parse expression: " + perr.toString(),
                        exprErrorPosition(exprNode, perr.line, perr.column));
                } else {
                    rule.parsed = std::shared_ptr<const promql::Expr>(std::move(parsed));
                }
            }
            if (!record.empty()) {
                if (!rule.annotations.empty())
                    err(&recordNode, nullptr, "invalid field 'annotations' in recording rule");
                if (rule.holdDuration.count() != 0)
                    err(&recordNode, nullptr, "invalid field 'for' in recording rule");
                if (rule.keepFiringFor.count() != 0)
                    err(&recordNode, nullptr, "invalid field 'keep_firing_for' in recording rule");
                if (!isValidMetricName(record))
                    err(&recordNode, nullptr, "invalid recording rule name: " + record);
            }
            const YAML::Node labelsNode = node["labels"];
            for (const auto& [name, value] : rule.labels) {
                if (!isValidLabelName(name) || name == "__name__") {
                    ruleError(group.name, index, rule.name, posOf(labelsNode), {}, false,
                              "invalid label name: " + name, posOf(labelsNode[name]));
                }
                (void)value;  // yaml-cpp only yields valid UTF-8 scalars
            }
            const YAML::Node annotationsNode = node["annotations"];
            for (const auto& [name, value] : rule.annotations) {
                if (!isValidLabelName(name)) {
                    ruleError(group.name, index, rule.name, {}, {}, false,
                              "invalid annotation name: " + name, posOf(annotationsNode[name]));
                }
            }
            if (!alert.empty()) {
                for (const auto& [name, value] : rule.labels) {
                    if (Status st = checkAlertTemplate(alert, value); !st.isOk()) {
                        ruleError(group.name, index, rule.name, {}, {}, false,
                                  "label \"" + name + "\": " + st.message(),
                                  posOf(labelsNode[name]));
                    }
                }
                for (const auto& [name, value] : rule.annotations) {
                    if (Status st = checkAlertTemplate(alert, value); !st.isOk()) {
                        ruleError(group.name, index, rule.name, {}, {}, false,
                                  "annotation \"" + name + "\": " + st.message(),
                                  posOf(annotationsNode[name]));
                    }
                }
            }
        }
    }
}

}  // namespace

std::size_t RuleFile::ruleCount() const {
    std::size_t n = 0;
    for (const auto& g : groups)
        n += g.rules.size();
    return n;
}

Status RuleFileErrors::toStatus() const {
    if (positioned.empty())
        return Status::ok();
    std::string message;
    for (const auto& line : positioned) {
        if (!message.empty())
            message += '\n';
        message += line;
    }
    return Status::error(message);
}

const char* ruleLanguageName(RuleLanguage language) {
    return language == RuleLanguage::kLogQL ? "logql" : "promql";
}

Result<RuleFile> parseRuleFile(std::string_view text, const std::string& fileName,
                               RuleFileErrors* errors, RuleLanguage language) {
    Loader loader(text, fileName, language);
    RuleFile file;
    file.path = fileName;
    file.language = language;
    bool ok = loader.load(file);
    if (errors)
        *errors = loader.errors();
    if (!ok)
        return loader.errors().toStatus();
    return file;
}

Result<RuleFile> loadRuleFile(const std::string& path, RuleFileErrors* errors,
                              RuleLanguage language) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::string message = "open " + path + ": " + std::strerror(errno);
        if (errors) {
            errors->promtool = {path + ": " + message};
            errors->positioned = {message};
        }
        return Status::ioError(message);
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parseRuleFile(buffer.str(), path, errors, language);
}

bool isValidMetricName(std::string_view name) {
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

bool isValidLabelName(std::string_view name) {
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

std::vector<std::string> expandRuleFileGlobs(const std::vector<std::string>& patterns) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& pattern : patterns) {
        glob_t matches{};
        if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
            for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
                std::string path = matches.gl_pathv[i];
                if (seen.insert(path).second)
                    out.push_back(path);
            }
        }
        ::globfree(&matches);
    }
    return out;
}

}  // namespace vigil::rules
