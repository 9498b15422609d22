#include "core/rules/rule_unit_test.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "core/rules/group.h"
#include "core/rules/rule_file.h"
#include "core/rules/series_notation.h"
#include "core/util/go_quote.h"
#include "core/util/human_units.h"

namespace vigil::rules {

namespace {

using Errors = std::vector<std::string>;

// Strict decoding as Go's yaml.UnmarshalStrict: unknown fields and wrong
// types are collected into one "yaml: unmarshal errors:" error.
class Decoder {
public:
    bool checkKeys(const YAML::Node& map, std::initializer_list<const char*> keys,
                   const char* type) {
        if (!map || map.IsNull())
            return true;
        if (!map.IsMap()) {
            typeError(map, std::string("cannot unmarshal ") + kind(map) + " into main." + type);
            return false;
        }
        for (auto it = map.begin(); it != map.end(); ++it) {
            const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
            if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; }))
                typeError(it->first, "field " + key + " not found in type main." + type);
        }
        return true;
    }
    std::string str(const YAML::Node& node) {
        if (!node || node.IsNull())
            return {};
        if (!node.IsScalar()) {
            typeError(node, std::string("cannot unmarshal ") + kind(node) + " into string");
            return {};
        }
        return node.Scalar();
    }
    std::int64_t duration(const YAML::Node& node) {
        std::string text = str(node);
        if (text.empty())
            return 0;
        auto parsed = parseDuration(text);
        if (!parsed) {
            if (m_fatal.empty())
                m_fatal = "not a valid duration string: \"" + text + "\"";
            return 0;
        }
        return parsed->count();
    }
    double number(const YAML::Node& node) {
        std::string text = str(node);
        if (text.empty())
            return 0;
        try {
            return node.as<double>();
        } catch (const YAML::Exception&) {
            typeError(node, "cannot unmarshal !!str `" + text + "` into float64");
            return 0;
        }
    }
    std::vector<YAML::Node> seq(const YAML::Node& node, const char* type) {
        std::vector<YAML::Node> out;
        if (!node || node.IsNull())
            return out;
        if (!node.IsSequence()) {
            typeError(node, std::string("cannot unmarshal ") + kind(node) + " into " + type);
            return out;
        }
        for (const auto& item : node)
            out.push_back(item);
        return out;
    }
    std::map<std::string, std::string> stringMap(const YAML::Node& node) {
        std::map<std::string, std::string> out;
        if (!node || node.IsNull())
            return out;
        if (!node.IsMap()) {
            typeError(node,
                      std::string("cannot unmarshal ") + kind(node) + " into map[string]string");
            return out;
        }
        for (auto it = node.begin(); it != node.end(); ++it)
            out[str(it->first)] = str(it->second);
        return out;
    }

    // The error, if any, as promtool prints it.
    std::string error() const {
        if (!m_fatal.empty())
            return m_fatal;
        if (m_errors.empty())
            return {};
        auto sorted = m_errors;
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        std::string out = "yaml: unmarshal errors:";
        for (const auto& [line, message] : sorted)
            out += "\n  line " + std::to_string(line) + ": " + message;
        return out;
    }

private:
    static const char* kind(const YAML::Node& node) {
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
    void typeError(const YAML::Node& at, std::string message) {
        m_errors.emplace_back(at.Mark().line + 1, std::move(message));
    }
    std::vector<std::pair<int, std::string>> m_errors;
    std::string m_fatal;
};

struct InputSeries {
    std::string series;
    std::string values;
};
struct ExpAlert {
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
};
struct AlertTestCase {
    std::int64_t evalTime = 0;
    std::string alertname;
    std::vector<ExpAlert> expAlerts;
};
struct ExpSample {
    std::string labels;
    double value = 0;
};
struct PromqlTestCase {
    std::string expr;
    std::int64_t evalTime = 0;
    std::vector<ExpSample> expSamples;
};
struct TestGroup {
    std::int64_t interval = 0;
    std::vector<InputSeries> inputSeries;
    std::vector<AlertTestCase> alertTests;
    std::vector<PromqlTestCase> promqlTests;
    model::Labels externalLabels;
    std::string externalUrl;
    std::string name;
};
struct UnitTestFile {
    std::vector<std::string> ruleFiles;
    std::int64_t evaluationInterval = 0;
    std::vector<std::string> groupEvalOrder;
    std::vector<TestGroup> tests;
};

UnitTestFile decode(const YAML::Node& root, Decoder& d) {
    UnitTestFile file;
    d.checkKeys(root, {"rule_files", "evaluation_interval", "group_eval_order", "tests"},
                "unitTestFile");
    if (!root.IsMap())
        return file;
    for (const auto& n : d.seq(root["rule_files"], "[]string"))
        file.ruleFiles.push_back(d.str(n));
    file.evaluationInterval = d.duration(root["evaluation_interval"]);
    for (const auto& n : d.seq(root["group_eval_order"], "[]string"))
        file.groupEvalOrder.push_back(d.str(n));
    for (const auto& t : d.seq(root["tests"], "[]main.testGroup")) {
        TestGroup tg;
        d.checkKeys(t,
                    {"interval", "input_series", "alert_rule_test", "promql_expr_test",
                     "external_labels", "external_url", "name"},
                    "testGroup");
        if (!t.IsMap()) {
            file.tests.push_back(std::move(tg));
            continue;
        }
        tg.interval = d.duration(t["interval"]);
        for (const auto& s : d.seq(t["input_series"], "[]main.series")) {
            d.checkKeys(s, {"series", "values"}, "series");
            if (s.IsMap())
                tg.inputSeries.push_back({d.str(s["series"]), d.str(s["values"])});
        }
        for (const auto& a : d.seq(t["alert_rule_test"], "[]main.alertTestCase")) {
            d.checkKeys(a, {"eval_time", "alertname", "exp_alerts"}, "alertTestCase");
            if (!a.IsMap())
                continue;
            AlertTestCase tc;
            tc.evalTime = d.duration(a["eval_time"]);
            tc.alertname = d.str(a["alertname"]);
            for (const auto& e : d.seq(a["exp_alerts"], "[]main.alert")) {
                d.checkKeys(e, {"exp_labels", "exp_annotations"}, "alert");
                if (e.IsMap())
                    tc.expAlerts.push_back(
                        {d.stringMap(e["exp_labels"]), d.stringMap(e["exp_annotations"])});
                else
                    tc.expAlerts.push_back({});
            }
            tg.alertTests.push_back(std::move(tc));
        }
        for (const auto& p : d.seq(t["promql_expr_test"], "[]main.promqlTestCase")) {
            d.checkKeys(p, {"expr", "eval_time", "exp_samples"}, "promqlTestCase");
            if (!p.IsMap())
                continue;
            PromqlTestCase tc;
            tc.expr = d.str(p["expr"]);
            tc.evalTime = d.duration(p["eval_time"]);
            for (const auto& s : d.seq(p["exp_samples"], "[]main.sample")) {
                d.checkKeys(s, {"labels", "value"}, "sample");
                if (s.IsMap())
                    tc.expSamples.push_back({d.str(s["labels"]), d.number(s["value"])});
            }
            tg.promqlTests.push_back(std::move(tc));
        }
        std::vector<model::Label> external;
        for (const auto& [k, v] : d.stringMap(t["external_labels"]))
            external.push_back({k, v});
        tg.externalLabels = model::Labels::fromUnsorted(std::move(external));
        tg.externalUrl = d.str(t["external_url"]);
        tg.name = d.str(t["name"]);
        file.tests.push_back(std::move(tg));
    }
    return file;
}

std::string indentLines(const std::string& lines, const std::string& indent) {
    std::string out;
    std::size_t start = 0;
    bool first = true;
    while (true) {
        std::size_t end = lines.find('\n', start);
        if (!first)
            out += indent;
        first = false;
        if (end == std::string::npos) {
            out += lines.substr(start);
            break;
        }
        out += lines.substr(start, end - start);
        out += '\n';
        start = end + 1;
    }
    return out;
}

struct LabelsAndAnnotations {
    model::Labels labels;
    model::Labels annotations;
    friend bool operator==(const LabelsAndAnnotations&, const LabelsAndAnnotations&) = default;
    bool operator<(const LabelsAndAnnotations& o) const {
        if (labels != o.labels)
            return labels < o.labels;
        return annotations < o.annotations;
    }
    std::string toString() const {
        return "Labels:" + promLabelsString(labels) +
               "\nAnnotations:" + promLabelsString(annotations);
    }
};

std::string listString(const std::vector<LabelsAndAnnotations>& list) {
    if (list.empty())
        return "[]";
    std::string s = "[\n0:" + indentLines("\n" + list[0].toString(), "  ");
    for (std::size_t i = 1; i < list.size(); ++i)
        s += ",\n" + std::to_string(i) + ":" + indentLines("\n" + list[i].toString(), "  ");
    s += "\n]";
    return s;
}

model::Labels labelsFromMap(const std::map<std::string, std::string>& map) {
    std::vector<model::Label> list;
    for (const auto& [k, v] : map)
        list.push_back({k, v});
    return model::Labels::fromSorted(std::move(list));
}

struct ParsedSample {
    model::Labels labels;
    double value = 0;
    friend bool operator==(const ParsedSample& a, const ParsedSample& b) {
        return a.labels == b.labels && a.value == b.value;  // NaN != NaN, as reflect.DeepEqual
    }
};

std::string samplesString(const std::vector<ParsedSample>& samples) {
    if (samples.empty())
        return "nil";
    std::string s;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (i > 0)
            s += ", ";
        s += promLabelsString(samples[i].labels) + " " + formatFloatE(samples[i].value);
    }
    return s;
}

std::string modelDuration(std::int64_t ms) {
    return formatDuration(std::chrono::milliseconds(ms));
}

Errors runTestGroup(const TestGroup& tg, std::int64_t evalInterval,
                    const std::map<std::string, std::size_t>& groupOrder,
                    const std::vector<std::string>& ruleFiles) {
    // The input series, loaded lazily: rules at `ts` see samples up to ts.
    struct Point {
        model::Timestamp t;
        std::size_t series;
        double v;
    };
    std::vector<model::Labels> seriesLabels;
    std::vector<Point> points;
    for (const auto& in : tg.inputSeries) {
        auto labels = parseSeriesLabels(in.series);
        if (!labels)
            return {"error in input series \"" + in.series + "\": " + labels.status().message()};
        auto values = expandSeriesValues(in.values);
        if (!values)
            return {values.status().message()};
        seriesLabels.push_back(*labels);
        for (std::size_t i = 0; i < values->size(); ++i) {
            if (!(*values)[i].omitted) {
                points.push_back({static_cast<model::Timestamp>(i) * tg.interval,
                                  seriesLabels.size() - 1, (*values)[i].v});
            }
        }
    }
    std::stable_sort(points.begin(), points.end(),
                     [](const Point& a, const Point& b) { return a.t < b.t; });

    model::InMemoryStorage storage;
    promql::EngineOptions engineOptions;
    engineOptions.workerThreads = 1;
    engineOptions.defaultSubqueryStepMs = evalInterval;
    promql::Engine engine(engineOptions);

    std::vector<std::unique_ptr<Group>> groups;
    for (const auto& path : ruleFiles) {
        RuleFileErrors errors;
        auto file = loadRuleFile(path, &errors);
        if (!file)
            return errors.promtool;
        for (auto& spec : file->groups) {
            GroupOptions options;
            options.env.query = makeEngineQueryFunc(engine, storage);
            options.env.externalLabels = tg.externalLabels;
            options.env.externalUrl = tg.externalUrl;
            options.storage = &storage;
            options.defaultIntervalMs = tg.interval;
            groups.push_back(std::make_unique<Group>(std::move(spec), std::move(options)));
        }
    }
    auto orderOf = [&](const Group& g) {
        auto it = groupOrder.find(g.name());
        return it == groupOrder.end() ? 0 : it->second;
    };
    std::stable_sort(groups.begin(), groups.end(),
                     [&](const auto& a, const auto& b) { return orderOf(*a) < orderOf(*b); });

    std::int64_t maxt = 0;
    for (const auto& a : tg.alertTests)
        maxt = std::max(maxt, a.evalTime);
    for (const auto& p : tg.promqlTests)
        maxt = std::max(maxt, p.evalTime);

    std::map<std::int64_t, std::set<std::string>> alertsInTest;
    std::map<std::int64_t, std::vector<const AlertTestCase*>> alertTests;
    for (const auto& a : tg.alertTests) {
        if (a.alertname.empty()) {
            std::string groupLog = tg.name.empty() ? "" : " (in TestGroup " + tg.name + ")";
            return {
                "an item under alert_rule_test misses required attribute alertname at "
                "eval_time " +
                modelDuration(a.evalTime) + groupLog};
        }
        alertsInTest[a.evalTime].insert(a.alertname);
        alertTests[a.evalTime].push_back(&a);
    }
    std::vector<std::int64_t> alertEvalTimes;
    for (const auto& [t, names] : alertsInTest)
        alertEvalTimes.push_back(t);

    for (auto& g : groups) {
        for (const auto& rule : g->rules()) {
            if (rule->alerting())
                static_cast<AlertingRule&>(*rule).setRestored(true);
        }
    }

    Errors errs;
    std::size_t curr = 0;
    std::size_t loaded = 0;
    for (model::Timestamp ts = 0; ts <= maxt; ts += evalInterval) {
        for (; loaded < points.size() && points[loaded].t <= ts; ++loaded)
            storage.put(seriesLabels[points[loaded].series], points[loaded].t, points[loaded].v);
        Errors evalErrs;
        for (auto& g : groups) {
            g->eval(ts);
            for (const auto& rule : g->rules()) {
                std::string lastError = rule->lastError();
                if (!lastError.empty()) {
                    evalErrs.push_back("    rule: " + rule->name() +
                                       ", time: " + goDurationString(ts) + ", err: " + lastError);
                }
            }
        }
        errs.insert(errs.end(), evalErrs.begin(), evalErrs.end());
        if (!evalErrs.empty())
            return errs;

        while (curr < alertEvalTimes.size() && ts <= alertEvalTimes[curr] &&
               alertEvalTimes[curr] < ts + evalInterval) {
            const std::int64_t t = alertEvalTimes[curr];
            const auto& present = alertsInTest[t];
            std::map<std::string, std::vector<LabelsAndAnnotations>> got;
            for (const auto& g : groups) {
                for (const auto& rule : g->rules()) {
                    if (!rule->alerting() || present.count(rule->name()) == 0)
                        continue;
                    auto& list = got[rule->name()];
                    for (const auto& a : static_cast<AlertingRule&>(*rule).activeAlerts()) {
                        if (a.state == AlertState::kFiring)
                            list.push_back({a.labels, a.annotations});
                    }
                }
            }
            for (const AlertTestCase* tc : alertTests[t]) {
                std::vector<LabelsAndAnnotations> gotAlerts = got[tc->alertname];
                std::vector<LabelsAndAnnotations> expAlerts;
                for (const auto& e : tc->expAlerts) {
                    auto labels = e.labels;
                    labels["alertname"] = tc->alertname;
                    expAlerts.push_back({labelsFromMap(labels), labelsFromMap(e.annotations)});
                }
                std::sort(gotAlerts.begin(), gotAlerts.end());
                std::sort(expAlerts.begin(), expAlerts.end());
                if (gotAlerts != expAlerts) {
                    std::string testName = tg.name.empty() ? "" : "    name: " + tg.name + ",\n";
                    errs.push_back(
                        testName + "    alertname: " + tc->alertname +
                        ", time: " + modelDuration(tc->evalTime) +
                        ", \n        exp:" + indentLines(listString(expAlerts), "            ") +
                        ", \n        got:" + indentLines(listString(gotAlerts), "            "));
                }
            }
            ++curr;
        }
    }

    auto query = makeEngineQueryFunc(engine, storage);
    for (const auto& tc : tg.promqlTests) {
        auto got = query(nullptr, tc.expr, tc.evalTime);
        if (!got) {
            errs.push_back("    expr: " + goQuote(tc.expr) + ", time: " +
                           modelDuration(tc.evalTime) + ", err: " + got.status().message());
            continue;
        }
        std::vector<ParsedSample> gotSamples;
        for (const auto& s : *got)
            gotSamples.push_back({s.labels, s.v});
        std::vector<ParsedSample> expSamples;
        bool bad = false;
        for (const auto& s : tc.expSamples) {
            auto labels = parseSeriesLabels(s.labels);
            if (!labels) {
                errs.push_back("    expr: " + goQuote(tc.expr) +
                               ", time: " + modelDuration(tc.evalTime) + ", err: labels " +
                               goQuote(s.labels) + ": " + labels.status().message());
                bad = true;
                break;
            }
            expSamples.push_back({*labels, s.value});
        }
        if (bad)
            continue;
        auto byLabels = [](const ParsedSample& a, const ParsedSample& b) {
            return a.labels < b.labels;
        };
        std::stable_sort(expSamples.begin(), expSamples.end(), byLabels);
        std::stable_sort(gotSamples.begin(), gotSamples.end(), byLabels);
        if (expSamples != gotSamples) {
            errs.push_back("    expr: " + goQuote(tc.expr) +
                           ", time: " + modelDuration(tc.evalTime) +
                           ",\n        exp: " + samplesString(expSamples) +
                           "\n        got: " + samplesString(gotSamples));
        }
    }
    return errs;
}

Errors ruleUnitTest(const std::string& filename, std::ostream& out, std::ostream& err) {
    out << "Unit Testing:  " << filename << "\n";
    std::ifstream in(filename, std::ios::binary);
    if (!in)
        return {"open " + filename + ": " + std::strerror(errno)};
    std::stringstream buffer;
    buffer << in.rdbuf();
    YAML::Node root;
    try {
        root = YAML::Load(buffer.str());
    } catch (const YAML::Exception& e) {
        return {"yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
    }
    Decoder decoder;
    UnitTestFile file = decode(root, decoder);
    if (std::string e = decoder.error(); !e.empty())
        return {e};

    const std::filesystem::path baseDir = std::filesystem::path(filename).parent_path();
    std::vector<std::string> ruleFiles;
    for (auto rf : file.ruleFiles) {
        if (!rf.empty() && !std::filesystem::path(rf).is_absolute())
            rf = (baseDir / rf).string();
        auto matches = expandRuleFileGlobs({rf});
        if (matches.empty())
            err << "  WARNING: no file match pattern " << rf << "\n";
        ruleFiles.insert(ruleFiles.end(), matches.begin(), matches.end());
    }
    if (file.evaluationInterval == 0)
        file.evaluationInterval = 60'000;

    std::map<std::string, std::size_t> groupOrder;
    for (std::size_t i = 0; i < file.groupEvalOrder.size(); ++i) {
        if (!groupOrder.emplace(file.groupEvalOrder[i], i).second)
            return {"group name repeated in evaluation order: " + file.groupEvalOrder[i]};
    }

    Errors errs;
    for (auto& tg : file.tests) {
        if (tg.interval == 0)
            tg.interval = file.evaluationInterval;
        Errors e = runTestGroup(tg, file.evaluationInterval, groupOrder, ruleFiles);
        errs.insert(errs.end(), e.begin(), e.end());
    }
    return errs;
}

}  // namespace

int runRuleUnitTests(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
    bool failed = false;
    for (const auto& f : files) {
        Errors errs = ruleUnitTest(f, out, err);
        if (!errs.empty()) {
            err << "  FAILED:\n";
            for (const auto& e : errs) {
                err << e << "\n";
                out << "\n";
            }
            failed = true;
        } else {
            out << "  SUCCESS\n";
        }
        out << "\n";
    }
    out.flush();
    err.flush();
    return failed ? 1 : 0;
}

std::string goDurationString(std::int64_t ms) {
    if (ms == 0)
        return "0s";
    std::string sign = ms < 0 ? "-" : "";
    std::uint64_t u = static_cast<std::uint64_t>(ms < 0 ? -ms : ms);
    if (u < 1000)
        return sign + std::to_string(u) + "ms";
    std::string out;
    const std::uint64_t hours = u / 3'600'000;
    u %= 3'600'000;
    const std::uint64_t minutes = u / 60'000;
    u %= 60'000;
    std::string seconds = std::to_string(u / 1000);
    if (u % 1000 != 0) {
        std::string frac = std::to_string(1000 + u % 1000).substr(1);
        while (!frac.empty() && frac.back() == '0')
            frac.pop_back();
        seconds += "." + frac;
    }
    if (hours > 0)
        out += std::to_string(hours) + "h";
    if (hours > 0 || minutes > 0)
        out += std::to_string(minutes) + "m";
    out += seconds + "s";
    return sign + out;
}

std::string formatFloatE(double v) {
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string s(buf, res.ptr);
    for (auto& c : s) {
        if (c == 'e')
            c = 'E';
    }
    return s;
}

std::string promLabelsString(const model::Labels& labels) {
    std::string out = "{";
    bool first = true;
    for (const auto& label : labels) {
        if (!first)
            out += ", ";
        first = false;
        out += label.name;
        out += '=';
        out += goQuote(label.value);
    }
    out += '}';
    return out;
}

}  // namespace vigil::rules
