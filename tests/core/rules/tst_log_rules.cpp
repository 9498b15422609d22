// Log rules (Loki's ruler): rule files whose expressions are LogQL metric
// queries, evaluated over a real log store by the same rule groups, alert
// state machine and manager as PromQL rules.

#include <QTemporaryDir>
#include <QtTest>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "core/config/vigil_config.h"
#include "core/logs/memory_log_store.h"
#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "core/rules/group.h"
#include "core/rules/log_rule_query.h"
#include "core/rules/loki_rules_api.h"
#include "core/rules/rule_manager.h"
#include "core/rules/rules_api.h"
#include "core/rules/rules_service.h"

using namespace vigil;
using namespace vigil::rules;

namespace {

constexpr std::int64_t kSec = 1000;
constexpr std::int64_t kMin = 60 * kSec;
constexpr std::int64_t kT0 = 1'700'000'000'000;  // a realistic epoch, in ms

const char* const kAlertFile =
    "groups:\n"
    "- name: errors\n"
    "  rules:\n"
    "  - alert: ManyErrors\n"
    "    expr: sum by (job) (count_over_time({job=~\".+\"} |= \"error\" [1m])) > 2\n"
    "    for: 2m\n"
    "    labels: {severity: warning, errors: '{{ $value }}'}\n"
    "    annotations:\n"
    "      summary: '{{ $labels.job }} logged {{ $value }} errors in a minute'\n";

GroupSpec logSpec(const std::string& text) {
    auto file = parseRuleFile(text, "logs.yml", nullptr, RuleLanguage::kLogQL);
    if (!file)
        qFatal("%s", file.status().message().c_str());
    return std::move(file->groups.front());
}

// `n` lines "<word> n" of stream {job=`job`} in the second before `t` (ms).
void pushLines(logs::MemoryLogStore& store, const std::string& job, const std::string& word, int n,
               model::Timestamp t) {
    logs::LogStream stream;
    stream.labels = model::Labels{{"job", job}};
    for (int i = 0; i < n; ++i) {
        stream.entries.push_back(
            {(t - kSec) * 1'000'000 + i * 1000, word + " " + std::to_string(i), {}});
    }
    auto result = store.push({stream});
    if (result.accepted != static_cast<std::size_t>(n))
        qFatal("push refused: %s", result.firstError.c_str());
}

std::optional<double> lastValue(model::Storage& storage, const model::Labels& labels,
                                model::Timestamp t) {
    auto querier = storage.querier(model::kMinTimestamp, t);
    std::vector<model::Matcher> matchers;
    for (const auto& l : labels)
        matchers.push_back(*model::Matcher::make(model::MatchType::kEqual, l.name, l.value));
    auto set = querier->select(matchers);
    std::optional<double> out;
    while ((*set)->next()) {
        if ((*set)->labels() != labels)
            continue;
        auto it = (*set)->iterator();
        while (it->next()) {
            if (it->at().t <= t)
                out = it->at().v;
        }
    }
    return out;
}

struct Fixture {
    logs::MemoryLogStore logs;
    model::InMemoryStorage storage;
    std::vector<model::Alert> sent;

    GroupOptions options() {
        GroupOptions o;
        o.env.query = makeLogQueryFunc(logs);
        o.env.externalUrl = "http://vigil:9595";
        o.storage = &storage;
        o.defaultIntervalMs = kMin;
        o.notify = [this](std::vector<model::Alert> alerts) {
            for (auto& a : alerts)
                sent.push_back(std::move(a));
        };
        return o;
    }
};

bool writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

}  // namespace

class TestLogRules : public QObject {
    Q_OBJECT
private slots:
    void aLogRuleFileLoads() {
        auto file = parseRuleFile(std::string(kAlertFile) +
                                      "- name: rates\n"
                                      "  interval: 30s\n"
                                      "  rules:\n"
                                      "  - record: job:log_lines:rate1m\n"
                                      "    expr: |\n"
                                      "      sum by (job) (rate({job=~\".+\"}[1m]))\n",
                                  "logs.yml", nullptr, RuleLanguage::kLogQL);
        QVERIFY2(file.isOk(), file.status().message().c_str());
        QCOMPARE(file->language, RuleLanguage::kLogQL);
        QCOMPARE(file->groups.size(), std::size_t(2));
        QCOMPARE(file->ruleCount(), std::size_t(2));
        for (const auto& g : file->groups) {
            QCOMPARE(g.language, RuleLanguage::kLogQL);
            for (const auto& r : g.rules) {
                QVERIFY(r.logParsed != nullptr);
                QVERIFY(r.parsed == nullptr);
            }
        }
        QCOMPARE(file->groups[0].rules[0].holdDuration.count(), 2 * kMin);
        QCOMPARE(file->groups[1].interval.count(), 30 * kSec);
        // The same text is not PromQL: the language decides the parser.
        QVERIFY(!parseRuleFile(kAlertFile, "logs.yml").isOk());
    }

    void badLogRuleFilesFailWithPositions_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        const QString head = "groups:\n- name: g\n  rules:\n  - alert: A\n";
        // The expression's error at its position in the file: the expr
        // starts at 5:11, LogQL's col 30 (the '[') is file column 11 + 29.
        QTest::newRow("parse error, plain scalar")
            << head + "    expr: count_over_time({job=\"x\"} |~ [1m])\n"
            << "logs.yml:5:40: group \"g\", rule 1, \"A\": could not parse expression: parse error "
               "at line 1, col 30: syntax error: unexpected [, expecting STRING";
        // In a block scalar the expression's line 1 is the file's line 6,
        // indented by 6; the unclosed paren is found at the end (line 3).
        QTest::newRow("parse error, block scalar")
            << head + "    expr: |\n      sum by (job) (\n        rate({job=\"x\"} [1m]\n"
            << "logs.yml:8:7: group \"g\", rule 1, \"A\": could not parse expression: parse error "
               "at line 3, col 1: syntax error: unexpected $end";
        QTest::newRow("parse error on the second line of a block scalar")
            << head + "    expr: |\n      sum by (job) (\n        rate({job=\"x\"} |= [1m]))\n"
            << "logs.yml:7:27: group \"g\", rule 1, \"A\": could not parse expression: parse error "
               "at line 2, col 21: syntax error: unexpected [, expecting STRING";
        QTest::newRow("a log query")
            << head + "    expr: '{job=\"x\"} |= \"error\"'\n"
            << "logs.yml:5:12: group \"g\", rule 1, \"A\": expression is a LogQL log query, a rule "
               "needs a metric query";
        QTest::newRow("PromQL is not LogQL")
            << head + "    expr: up == 0\n"
            << "logs.yml:5:11: group \"g\", rule 1, \"A\": could not parse expression: parse error "
               "at line 1, col 1";
        QTest::newRow("the rule-file checks still apply")
            << "groups:\n- name: g\n  rules:\n  - record: 'bad name'\n"
               "    expr: count_over_time({job=\"x\"}[1m])\n"
            << "logs.yml:4:13: group \"g\", rule 1, \"bad name\": invalid recording rule name: "
               "bad name";
    }
    void badLogRuleFilesFailWithPositions() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        RuleFileErrors errors;
        auto file = parseRuleFile(text.toStdString(), "logs.yml", &errors, RuleLanguage::kLogQL);
        QVERIFY(!file.isOk());
        QVERIFY2(file.status().message().rfind(expected.toStdString(), 0) == 0,
                 file.status().message().c_str());
    }

    void alertingRuleGoesPendingFiringResolved() {
        Fixture f;
        Group group(logSpec(kAlertFile), f.options());
        auto& rule = static_cast<AlertingRule&>(*group.rules()[0]);
        rule.setRestored(true);

        // Quiet logs and a few errors below the threshold: nothing.
        pushLines(f.logs, "api", "ok", 10, kT0);
        pushLines(f.logs, "api", "error", 2, kT0);
        group.eval(kT0);
        QCOMPARE(rule.state(), AlertState::kInactive);
        QVERIFY2(rule.health() == RuleHealth::kOk, rule.lastError().c_str());

        // Errors every minute: pending, then firing once `for` has passed.
        for (int minute = 1; minute <= 3; ++minute) {
            pushLines(f.logs, "api", "error", 5, kT0 + minute * kMin);
            pushLines(f.logs, "web", "error", 1, kT0 + minute * kMin);  // below the threshold
            group.eval(kT0 + minute * kMin);
            const AlertState expected = minute < 3 ? AlertState::kPending : AlertState::kFiring;
            QCOMPARE(rule.state(), expected);
        }
        auto active = rule.activeAlerts();
        QCOMPARE(active.size(), std::size_t(1));
        const model::Labels alertLabels{
            {"alertname", "ManyErrors"}, {"errors", "5"}, {"job", "api"}, {"severity", "warning"}};
        QCOMPARE(active[0].labels, alertLabels);
        QCOMPARE(active[0].annotations.get("summary"),
                 std::string("api logged 5 errors in a minute"));
        QCOMPARE(active[0].activeAt, kT0 + kMin);
        QCOMPARE(active[0].firedAt, kT0 + 3 * kMin);

        // The notification, and the ALERTS series in the TSDB.
        QCOMPARE(f.sent.size(), std::size_t(1));
        QCOMPARE(f.sent[0].labels, alertLabels);
        QCOMPARE(f.sent[0].startsAtMs, kT0 + 3 * kMin);
        QVERIFY(f.sent[0].generatorUrl.rfind("http://vigil:9595/graph?g0.expr=sum", 0) == 0);
        model::LabelsBuilder alerts(alertLabels);
        alerts.set("__name__", "ALERTS");
        alerts.set("alertstate", "firing");
        QCOMPARE(lastValue(f.storage, alerts.labels(), kT0 + 3 * kMin), std::optional<double>(1));
        model::LabelsBuilder forState(alertLabels);
        forState.set("__name__", "ALERTS_FOR_STATE");
        QCOMPARE(lastValue(f.storage, forState.labels(), kT0 + 3 * kMin),
                 std::optional<double>((kT0 + kMin) / 1000));

        // The error lines stop: the window empties, the alert resolves and
        // the resolution is sent.
        pushLines(f.logs, "api", "ok", 5, kT0 + 5 * kMin);
        group.eval(kT0 + 5 * kMin);
        QCOMPARE(rule.state(), AlertState::kInactive);
        QCOMPARE(f.sent.size(), std::size_t(2));
        QCOMPARE(f.sent[1].endsAtMs, kT0 + 5 * kMin);
        const double stale = *lastValue(f.storage, alerts.labels(), kT0 + 5 * kMin);
        QVERIFY(model::isStaleNaN(stale));
    }

    void recordingRuleWritesASeries() {
        Fixture f;
        Group group(logSpec("groups:\n- name: r\n  rules:\n"
                            "  - record: job:log_errors:count1m\n"
                            "    expr: sum by (job) (count_over_time({job=~\".+\"} |~ "
                            "\"(?i)error\" [1m]))\n"
                            "    labels: {source: logs}\n"),
                    f.options());
        pushLines(f.logs, "api", "ERROR", 3, kT0);
        pushLines(f.logs, "api", "info", 4, kT0);
        pushLines(f.logs, "db", "error", 7, kT0);
        group.eval(kT0);
        QVERIFY2(group.rules()[0]->health() == RuleHealth::kOk,
                 group.rules()[0]->lastError().c_str());
        const model::Labels api{
            {"__name__", "job:log_errors:count1m"}, {"job", "api"}, {"source", "logs"}};
        const model::Labels db{
            {"__name__", "job:log_errors:count1m"}, {"job", "db"}, {"source", "logs"}};
        QCOMPARE(lastValue(f.storage, api, kT0), std::optional<double>(3));
        QCOMPARE(lastValue(f.storage, db, kT0), std::optional<double>(7));
        // The recorded series is ordinary TSDB data: PromQL reads it.
        promql::Engine engine{promql::EngineOptions{.workerThreads = 1}};
        auto query = makeEngineQueryFunc(engine, f.storage);
        auto sum = query(nullptr, "sum(job:log_errors:count1m)", kT0);
        QVERIFY2(sum.isOk(), sum.status().message().c_str());
        QCOMPARE(sum->size(), std::size_t(1));
        QCOMPARE(sum->front().v, 10.0);
    }

    void aLogQueryAtRunTimeIsRefused() {
        // The template `query` function parses LogQL text; a log query there
        // (or any non-metric result) is the engine's error, not a crash.
        logs::MemoryLogStore store;
        auto query = makeLogQueryFunc(store);
        auto r = query(nullptr, "{job=\"x\"}", kT0);
        QVERIFY(!r.isOk());
        QCOMPARE(r.status().message(), std::string("rule result is not a vector or scalar"));
        auto bad = query(nullptr, "count_over_time(", kT0);
        QVERIFY(!bad.isOk());
        QVERIFY2(bad.status().message().find("parse error") != std::string::npos,
                 bad.status().message().c_str());
        auto scalar = query(nullptr, "1 + 1", kT0);
        QVERIFY2(scalar.isOk(), scalar.status().message().c_str());
        QCOMPARE(scalar->size(), std::size_t(1));
        QCOMPARE(scalar->front().v, 2.0);
    }

    void managerRunsBothKindsAndReloads() {
        QTemporaryDir dir;
        const std::string promFile = dir.filePath("host.yml").toStdString();
        const std::string logFile = dir.filePath("logs.yml").toStdString();
        QVERIFY(writeFile(promFile,
                          "groups:\n- name: host\n  rules:\n"
                          "  - record: one\n    expr: vector(1)\n"));
        QVERIFY(writeFile(logFile, kAlertFile));
        logs::MemoryLogStore store;
        model::InMemoryStorage storage;
        promql::Engine engine{promql::EngineOptions{.workerThreads = 1}};
        RuleManagerOptions o;
        o.storage = &storage;
        o.engine = &engine;
        o.ruleFiles = {promFile};
        o.logRuleFiles = {dir.filePath("*.yml").toStdString()};
        o.logReader = &store;
        o.watchInterval = std::chrono::milliseconds(0);
        o.clock = [] { return kT0; };
        {
            // The PromQL file also matches the log glob: refused, naming it.
            RuleManager manager(o);
            Status st = manager.reload();
            QVERIFY(!st.isOk());
            QVERIFY2(st.message().find(promFile + ": listed both in rule_files and in "
                                                  "logs.rule_files") != std::string::npos,
                     st.message().c_str());
        }
        o.logRuleFiles = {logFile};
        {
            // Without a log store, log rule files cannot load.
            RuleManagerOptions noLogs = o;
            noLogs.logReader = nullptr;
            RuleManager manager(noLogs);
            Status st = manager.reload();
            QVERIFY(!st.isOk());
            QVERIFY2(st.message().find("log store") != std::string::npos, st.message().c_str());
        }
        RuleManager manager(o);
        CollectingAlertSink sink;
        manager.setAlertSink(&sink);
        Status st = manager.reload();
        QVERIFY2(st.isOk(), st.message().c_str());
        for (int minute = 0; minute <= 2; ++minute) {
            pushLines(store, "api", "error", 4, kT0 + minute * kMin);
            manager.evaluateAllAt(kT0 + minute * kMin);
        }
        auto snapshot = manager.snapshot();
        QCOMPARE(snapshot.groups.size(), std::size_t(2));
        QCOMPARE(snapshot.groups[0].file, promFile);
        QCOMPARE(snapshot.groups[0].language, RuleLanguage::kPromQL);
        QCOMPARE(snapshot.groups[1].file, logFile);
        QCOMPARE(snapshot.groups[1].language, RuleLanguage::kLogQL);
        QCOMPARE(snapshot.groups[1].rules[0].state, AlertState::kFiring);
        QCOMPARE(snapshot.files, (std::vector<std::string>{promFile, logFile}));
        QCOMPARE(sink.alerts().size(), std::size_t(1));
        QCOMPARE(sink.alerts()[0].labels.get("job"), std::string("api"));
        QCOMPARE(lastValue(storage, model::Labels{{"__name__", "one"}}, kT0 + 2 * kMin),
                 std::optional<double>(1));

        // The API renderings: Prometheus's lists both, Loki's the log rules.
        const std::string json = renderRulesJson(snapshot, "");
        QVERIFY(json.find("\"file\":\"" + logFile + "\"") != std::string::npos);
        QVERIFY(json.find("\"name\":\"host\"") != std::string::npos);
        const std::string lokiJson =
            renderRulesJson(filterSnapshot(snapshot, RuleLanguage::kLogQL), "");
        QVERIFY(lokiJson.find("\"name\":\"host\"") == std::string::npos);
        QVERIFY(lokiJson.find("\"state\":\"firing\"") != std::string::npos);
        const std::string yaml = renderLokiRulesYaml(snapshot);
        QVERIFY2(yaml.rfind("logs.yml:\n  - name: errors\n    interval: 1m\n    rules:\n"
                            "      - alert: ManyErrors\n",
                            0) == 0,
                 yaml.c_str());
        QVERIFY2(yaml.find("for: 2m") != std::string::npos, yaml.c_str());
        QVERIFY(renderLokiRulesYaml(snapshot, "logs.yml", "errors").rfind("name: errors\n", 0) ==
                0);
        QVERIFY(renderLokiRulesYaml(snapshot, "host.yml").empty());
        {
            // Loki's listing is rule-file YAML: a namespace's groups load
            // back as the same rules.
            YAML::Node listed = YAML::Load(yaml);
            YAML::Node file;
            file["groups"] = listed["logs.yml"];
            YAML::Emitter emitter;
            emitter << file;
            auto back = parseRuleFile(emitter.c_str(), "back.yml", nullptr, RuleLanguage::kLogQL);
            QVERIFY2(back.isOk(), back.status().message().c_str());
            auto original = parseRuleFile(kAlertFile, "logs.yml", nullptr, RuleLanguage::kLogQL);
            const RuleSpec& a = back->groups[0].rules[0];
            const RuleSpec& b = original->groups[0].rules[0];
            QCOMPARE(a.name, b.name);
            QCOMPARE(a.expr, b.expr);
            QCOMPARE(a.holdDuration, b.holdDuration);
            QVERIFY(a.labels == b.labels);
            QVERIFY(a.annotations == b.annotations);
        }
        QVERIFY(renderLokiRulesYaml(snapshot, "logs.yml", "nope").empty());

        // A broken edit is refused with its position and the rules keep running.
        QVERIFY(writeFile(logFile,
                          "groups:\n- name: errors\n  rules:\n  - alert: X\n"
                          "    expr: '{job=\"api\"}'\n"));
        st = manager.reload();
        QVERIFY(!st.isOk());
        QVERIFY2(st.message().find(logFile + ":5:12:") != std::string::npos, st.message().c_str());
        QCOMPARE(manager.snapshot().groups.size(), std::size_t(2));
        // A good edit replaces the group.
        QVERIFY(writeFile(logFile,
                          "groups:\n- name: other\n  rules:\n  - record: lines\n"
                          "    expr: sum(count_over_time({job=\"api\"}[1m]))\n"));
        st = manager.reload();
        QVERIFY2(st.isOk(), st.message().c_str());
        snapshot = manager.snapshot();
        QCOMPARE(snapshot.groups.size(), std::size_t(2));
        QCOMPARE(snapshot.groups[1].name, std::string("other"));
        pushLines(store, "api", "info", 6, kT0 + 3 * kMin);
        manager.evaluateAllAt(kT0 + 3 * kMin);
        QCOMPARE(lastValue(storage, model::Labels{{"__name__", "lines"}}, kT0 + 3 * kMin),
                 std::optional<double>(6));
    }

    void restartRestoresTheForStateFromTheStateDatabase() {
        QTemporaryDir dir;
        const std::string logFile = dir.filePath("logs.yml").toStdString();
        QVERIFY(writeFile(logFile, kAlertFile));
        logs::MemoryLogStore store;
        model::InMemoryStorage storage;
        promql::Engine engine{promql::EngineOptions{.workerThreads = 1}};
        std::atomic<model::Timestamp> now{kT0};
        RuleManagerOptions o;
        o.storage = &storage;
        o.engine = &engine;
        o.logRuleFiles = {logFile};
        o.logReader = &store;
        o.stateDbPath = dir.filePath("state.db").toStdString();
        o.watchInterval = std::chrono::milliseconds(0);
        o.clock = [&now] { return now.load(); };
        for (int minute = 0; minute <= 6; ++minute)
            pushLines(store, "api", "error", 5, kT0 + minute * kMin);
        model::Timestamp firedAt = kNever;
        {
            RuleManager first(o);
            QVERIFY(first.reload().isOk());
            for (int minute = 0; minute <= 3; ++minute) {
                now = kT0 + minute * kMin;
                first.evaluateAllAt(now);
            }
            auto snap = first.snapshot();
            QCOMPARE(snap.groups[0].rules[0].state, AlertState::kFiring);
            firedAt = snap.groups[0].rules[0].alerts[0].firedAt;
            QCOMPARE(firedAt, kT0 + 2 * kMin);
        }
        // Restarted three minutes later: still firing (not pending for
        // another `for`), with its original activeAt and firedAt.
        RuleManager second(o);
        CollectingAlertSink sink;
        second.setAlertSink(&sink);
        now = kT0 + 6 * kMin;
        QVERIFY(second.reload().isOk());
        second.evaluateAllAt(now);
        auto snap = second.snapshot();
        QCOMPARE(snap.groups[0].rules[0].alerts.size(), std::size_t(1));
        QCOMPARE(snap.groups[0].rules[0].alerts[0].state, AlertState::kFiring);
        QCOMPARE(snap.groups[0].rules[0].alerts[0].activeAt, kT0);
        QCOMPARE(snap.groups[0].rules[0].alerts[0].firedAt, firedAt);
        QCOMPARE(sink.alerts().size(), std::size_t(1));
        QCOMPARE(sink.alerts()[0].startsAtMs, firedAt);
    }

    // The bundled example (resources/rules/logs.rules.yml) loads and its
    // rules do what their comments say over realistic lines.
    void bundledExampleRules() {
        const QString path = QFINDTESTDATA("../../../resources/rules/logs.rules.yml");
        QVERIFY2(!path.isEmpty(), "resources/rules/logs.rules.yml not found");
        auto file = loadRuleFile(path.toStdString(), nullptr, RuleLanguage::kLogQL);
        QVERIFY2(file.isOk(), file.status().message().c_str());
        QCOMPARE(file->groups.size(), std::size_t(1));
        Fixture f;
        Group group(std::move(file->groups.front()), f.options());
        for (const auto& rule : group.rules()) {
            if (rule->alerting())
                static_cast<AlertingRule&>(*rule).setRestored(true);
        }
        // 12 failed logins from one address and 2 from another (syslog), and
        // 600 error lines of job api in five minutes (2 per second).
        logs::LogStream ssh;
        ssh.labels = model::Labels{{"job", "syslog"}};
        for (int i = 0; i < 14; ++i) {
            const std::string ip = i < 12 ? "203.0.113.7" : "198.51.100.2";
            ssh.entries.push_back(
                {(kT0 - 60 * kSec + i * kSec) * 1'000'000,
                 "Nov 21 06:00:00 host sshd[812]: Failed password for root from " + ip +
                     " port 52214 ssh2",
                 {}});
        }
        logs::LogStream api;
        api.labels = model::Labels{{"job", "api"}};
        for (int i = 0; i < 600; ++i)
            api.entries.push_back(
                {(kT0 - 300 * kSec + i * 500) * 1'000'000 + 1, "level=ERROR msg=timeout", {}});
        QCOMPARE(f.logs.push({ssh, api}).accepted, std::size_t(614));
        group.eval(kT0);
        for (const auto& rule : group.rules())
            QVERIFY2(rule->health() == RuleHealth::kOk,
                     (rule->name() + ": " + rule->lastError()).c_str());

        QCOMPARE(
            lastValue(f.storage,
                      model::Labels{{"__name__", "job:log_error_lines:rate5m"}, {"job", "api"}},
                      kT0),
            std::optional<double>(2));
        QCOMPARE(
            lastValue(f.storage,
                      model::Labels{{"__name__", "job:log_lines:rate5m"}, {"job", "syslog"}}, kT0),
            std::optional<double>(14.0 / 300));
        std::map<std::string, std::vector<ActiveAlert>> alerts;
        for (const auto& rule : group.rules()) {
            if (rule->alerting())
                alerts[rule->name()] = static_cast<AlertingRule&>(*rule).activeAlerts();
        }
        QCOMPARE(alerts["LogErrorRateHigh"].size(), std::size_t(1));
        QCOMPARE(alerts["LogErrorRateHigh"][0].state, AlertState::kPending);  // for: 10m
        QCOMPARE(alerts["LogErrorRateHigh"][0].labels.get("job"), std::string("api"));
        QCOMPARE(alerts["LogErrorRateHigh"][0].annotations.get("summary"),
                 std::string("api logs 2 error lines per second"));
        QCOMPARE(alerts["SshAuthenticationFailures"].size(), std::size_t(1));
        const ActiveAlert& ssh0 = alerts["SshAuthenticationFailures"][0];
        QCOMPARE(ssh0.state, AlertState::kFiring);
        QCOMPARE(ssh0.labels.get("source_ip"), std::string("203.0.113.7"));
        QCOMPARE(ssh0.annotations.get("summary"),
                 std::string("12 failed SSH logins from 203.0.113.7 in 10 minutes"));
    }

    // A changed log rule file is picked up by the file watch, as PromQL ones.
    void logRuleFilesAreWatched() {
        QTemporaryDir dir;
        const std::string logFile = dir.filePath("app.yml").toStdString();
        QVERIFY(writeFile(logFile,
                          "groups:\n- name: fast\n  interval: 100ms\n  rules:\n"
                          "  - record: app:lines\n"
                          "    expr: sum(count_over_time({job=\"app\"}[1m]))\n"));
        logs::MemoryLogStore store;
        model::InMemoryStorage storage;
        promql::Engine engine{promql::EngineOptions{.workerThreads = 1}};
        RuleManagerOptions o;
        o.storage = &storage;
        o.engine = &engine;
        o.logRuleFiles = {dir.filePath("*.yml").toStdString()};
        o.logReader = &store;
        o.watchInterval = std::chrono::milliseconds(50);
        RulesService service(o);
        QVERIFY(service.start().isOk());
        QTRY_VERIFY_WITH_TIMEOUT(
            service.snapshot().groups.size() == 1 && service.snapshot().groups[0].iterations >= 2,
            5000);
        QCOMPARE(service.snapshot().groups[0].rules.size(), std::size_t(1));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        QVERIFY(writeFile(logFile,
                          "groups:\n- name: fast\n  interval: 100ms\n  rules:\n"
                          "  - record: app:lines\n"
                          "    expr: sum(count_over_time({job=\"app\"}[1m]))\n"
                          "  - record: app:lines:x2\n    expr: app:lines * 2\n"));
        // "app:lines * 2" is not LogQL: refused, the running rules stay.
        QTRY_VERIFY_WITH_TIMEOUT(!service.snapshot().lastReload.isOk(), 5000);
        QVERIFY2(
            service.snapshot().lastReload.message().find(logFile + ":8:11:") != std::string::npos,
            service.snapshot().lastReload.message().c_str());
        QCOMPARE(service.snapshot().groups[0].rules.size(), std::size_t(1));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        QVERIFY(writeFile(logFile,
                          "groups:\n- name: fast\n  interval: 100ms\n  rules:\n"
                          "  - record: app:lines\n"
                          "    expr: sum(count_over_time({job=\"app\"}[1m]))\n"
                          "  - record: app:error_lines\n"
                          "    expr: sum(count_over_time({job=\"app\"} |= \"error\" "
                          "[1m]))\n"));
        QTRY_VERIFY_WITH_TIMEOUT(
            service.snapshot().groups.size() == 1 && service.snapshot().groups[0].rules.size() == 2,
            5000);
        QVERIFY(service.snapshot().lastReload.isOk());
        QTRY_VERIFY_WITH_TIMEOUT(service.snapshot().groups[0].rules[1].lastEvaluation != kNever,
                                 5000);
        QCOMPARE(service.snapshot().groups[0].rules[1].health, RuleHealth::kOk);
        service.stop();
    }

    void configReadsLogsRuleFiles() {
        auto loaded = config::parseVigilConfig(
            "logs:\n  rule_files: [rules/*.logs.yml, /etc/vigil/a.yml]\n", "/srv/vigil/vigil.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        QCOMPARE(loaded->config.logs.ruleFiles,
                 (std::vector<std::string>{"/srv/vigil/rules/*.logs.yml", "/etc/vigil/a.yml"}));
        auto disabled = config::parseVigilConfig("logs:\n  enabled: false\n  rule_files: [a.yml]\n",
                                                 "/srv/vigil/vigil.yml");
        QVERIFY(!disabled.isOk());
        QVERIFY2(disabled.status().message().find("/srv/vigil/vigil.yml:3:15: logs.rule_files") !=
                     std::string::npos,
                 disabled.status().message().c_str());
        auto wrongType = config::parseVigilConfig("logs:\n  rule_files: {a: b}\n", "v.yml");
        QVERIFY(!wrongType.isOk());
        QVERIFY2(wrongType.status().message().find("v.yml:2:") != std::string::npos,
                 wrongType.status().message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestLogRules)
#include "tst_log_rules.moc"
