#include "core/rules/loki_rules_api.h"

#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>

#include "core/promql/result_json.h"
#include "core/rules/rules_api.h"
#include "core/rules/rules_service.h"
#include "core/util/human_units.h"

namespace vigil::rules {

namespace {

std::string namespaceOf(const std::string& file) {
    return std::filesystem::path(file).filename().string();
}

void emitPairs(YAML::Emitter& out, const char* key,
               const std::vector<std::pair<std::string, std::string>>& pairs) {
    if (pairs.empty())
        return;
    out << YAML::Key << key << YAML::Value << YAML::BeginMap;
    for (const auto& [name, value] : pairs)
        out << YAML::Key << name << YAML::Value << value;
    out << YAML::EndMap;
}

void emitGroup(YAML::Emitter& out, const GroupSnapshot& g) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << g.name;
    out << YAML::Key << "interval" << YAML::Value
        << formatDuration(std::chrono::milliseconds(g.intervalMs));
    if (g.limit != 0)
        out << YAML::Key << "limit" << YAML::Value << g.limit;
    out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : g.rules) {
        out << YAML::BeginMap;
        out << YAML::Key << (r.alerting ? "alert" : "record") << YAML::Value << r.name;
        out << YAML::Key << "expr" << YAML::Value << r.expr;
        if (r.holdMs != 0)
            out << YAML::Key << "for" << YAML::Value
                << formatDuration(std::chrono::milliseconds(r.holdMs));
        if (r.keepFiringForMs != 0)
            out << YAML::Key << "keep_firing_for" << YAML::Value
                << formatDuration(std::chrono::milliseconds(r.keepFiringForMs));
        emitPairs(out, "labels", r.labels);
        emitPairs(out, "annotations", r.annotations);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
}

void answerNotFound(httplib::Response& res) {
    res.status = 404;
    res.set_content("no rule groups found\n", "text/plain; charset=utf-8");
}

}  // namespace

RulesSnapshot filterSnapshot(const RulesSnapshot& snapshot, RuleLanguage language) {
    RulesSnapshot out;
    out.lastReload = snapshot.lastReload;
    out.lastReloadTime = snapshot.lastReloadTime;
    for (const auto& g : snapshot.groups) {
        if (g.language == language)
            out.groups.push_back(g);
    }
    for (const auto& g : out.groups) {
        if (out.files.empty() || out.files.back() != g.file)
            out.files.push_back(g.file);
    }
    return out;
}

std::string renderLokiRulesYaml(const RulesSnapshot& snapshot, const std::string& ns,
                                const std::string& group) {
    // Namespaces sorted, groups in file order, as Loki lists them.
    std::map<std::string, std::vector<const GroupSnapshot*>> byNamespace;
    for (const auto& g : snapshot.groups) {
        if (g.language != RuleLanguage::kLogQL)
            continue;
        const std::string name = namespaceOf(g.file);
        if ((!ns.empty() && name != ns) || (!group.empty() && g.name != group))
            continue;
        byNamespace[name].push_back(&g);
    }
    if (byNamespace.empty())
        return {};
    YAML::Emitter out;
    if (!group.empty()) {
        // One group: the group itself, not wrapped in its namespace.
        emitGroup(out, *byNamespace.begin()->second.front());
        return std::string(out.c_str()) + "\n";
    }
    out << YAML::BeginMap;
    for (const auto& [name, groups] : byNamespace) {
        out << YAML::Key << name << YAML::Value << YAML::BeginSeq;
        for (const GroupSnapshot* g : groups)
            emitGroup(out, *g);
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

void installLokiRulesApi(httplib::Server& server, std::function<RulesService*()> service) {
    auto snapshot = [service] {
        RulesService* s = service();
        return s ? s->snapshot() : RulesSnapshot{};
    };
    auto answer = [snapshot](httplib::Response& res, const std::string& ns,
                             const std::string& group) {
        const std::string yaml = renderLokiRulesYaml(snapshot(), ns, group);
        if (yaml.empty())
            return answerNotFound(res);
        res.set_content(yaml, "application/yaml");
    };
    server.Get("/loki/api/v1/rules",
               [answer](const httplib::Request&, httplib::Response& res) { answer(res, {}, {}); });
    server.Get(R"(/loki/api/v1/rules/([^/]+))",
               [answer](const httplib::Request& req, httplib::Response& res) {
                   answer(res, req.matches[1].str(), {});
               });
    server.Get(R"(/loki/api/v1/rules/([^/]+)/([^/]+))",
               [answer](const httplib::Request& req, httplib::Response& res) {
                   answer(res, req.matches[1].str(), req.matches[2].str());
               });
    server.Get("/prometheus/api/v1/rules", [snapshot](const httplib::Request& req,
                                                      httplib::Response& res) {
        const std::string type = req.get_param_value("type");
        if (!type.empty() && type != "alert" && type != "record") {
            res.status = 400;
            res.set_content(
                promql::renderErrorJson("bad_data", "not supported value \"" + type + "\""),
                "application/json");
            return;
        }
        res.set_content(renderRulesJson(filterSnapshot(snapshot(), RuleLanguage::kLogQL), type),
                        "application/json");
    });
    server.Get(
        "/prometheus/api/v1/alerts", [snapshot](const httplib::Request&, httplib::Response& res) {
            res.set_content(renderAlertsJson(filterSnapshot(snapshot(), RuleLanguage::kLogQL)),
                            "application/json");
        });
}

}  // namespace vigil::rules
