// The rule manager: reloads (a bad file keeps the previous rules), file
// watching, scheduled evaluation, alert state kept in SQLite across a
// restart, and the /api/v1/rules and /api/v1/alerts JSON.

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <thread>

#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "core/rules/rule_manager.h"
#include "core/rules/rules_api.h"
#include "core/rules/rules_service.h"

using namespace vigil;
using namespace vigil::rules;

namespace {

constexpr std::int64_t kMin = 60'000;

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

const char* kAlertRules =
    "groups:\n"
    "- name: g\n"
    "  interval: 1m\n"
    "  rules:\n"
    "  - alert: Down\n"
    "    expr: up == 0\n"
    "    for: 20m\n"
    "    labels: {severity: page}\n"
    "    annotations: {summary: '{{ $labels.job }} is down ({{ $value }})'}\n"
    "  - record: job:up:sum\n"
    "    expr: sum by (job) (up)\n";

struct Clock {
    std::atomic<model::Timestamp> now{0};
};

RuleManagerOptions options(model::Storage& storage, promql::Engine& engine, Clock& clock,
                           const std::string& file, const std::string& db) {
    RuleManagerOptions o;
    o.storage = &storage;
    o.engine = &engine;
    o.ruleFiles = {file};
    o.stateDbPath = db;
    o.clock = [&clock] { return clock.now.load(); };
    o.watchInterval = std::chrono::milliseconds(0);
    return o;
}

}  // namespace

class TestRuleManager : public QObject {
    Q_OBJECT
private slots:
    void badReloadKeepsPreviousRules() {
        QTemporaryDir dir;
        const std::string file = dir.filePath("r.yml").toStdString();
        writeFile(file, kAlertRules);
        model::InMemoryStorage storage;
        promql::Engine engine(promql::EngineOptions{.workerThreads = 1});
        Clock clock;
        RuleManager manager(options(storage, engine, clock, file, ""));
        QVERIFY(manager.reload().isOk());
        QCOMPARE(manager.snapshot().groups.size(), std::size_t(1));

        writeFile(file, "groups:\n- name: g\n  rules:\n  - record: x\n    expr: sum(up\n");
        Status st = manager.reload();
        QVERIFY(!st.isOk());
        QVERIFY2(st.message().find(file + ":5:17: group \"g\", rule 1, \"x\": could not parse "
                                          "expression: 1:7: parse error") == 0,
                 st.message().c_str());
        RulesSnapshot snap = manager.snapshot();
        QCOMPARE(snap.groups.size(), std::size_t(1));
        QCOMPARE(snap.groups[0].rules.size(), std::size_t(2));  // the old rules run on
        QCOMPARE(snap.groups[0].rules[0].name, std::string("Down"));
        QVERIFY(!snap.lastReload.isOk());
    }

    void restartRestoresAlertStateExactly() {
        QTemporaryDir dir;
        const std::string file = dir.filePath("r.yml").toStdString();
        const std::string db = dir.filePath("state.db").toStdString();
        writeFile(file, kAlertRules);
        model::InMemoryStorage storage;
        promql::Engine engine(promql::EngineOptions{.workerThreads = 1});
        Clock clock;
        const model::Labels upA{{"__name__", "up"}, {"job", "a"}};
        const model::Labels upB{{"__name__", "up"}, {"job", "b"}};
        const model::Timestamp t0 = 1'000 * kMin;
        for (int i = 0; i <= 60; ++i) {
            storage.put(upA, t0 + i * kMin, 0);               // down throughout
            storage.put(upB, t0 + i * kMin, i < 30 ? 0 : 1);  // recovers during the outage
        }
        CollectingAlertSink sink;
        model::Timestamp firedAt = 0;
        {
            RuleManager first(options(storage, engine, clock, file, db));
            first.setAlertSink(&sink);
            clock.now = t0;
            QVERIFY(first.reload().isOk());
            for (int i = 0; i <= 25; ++i) {
                clock.now = t0 + i * kMin;
                first.evaluateAllAt(clock.now);
            }
            auto snap = first.snapshot();
            const auto& down = snap.groups[0].rules[0];
            QCOMPARE(down.state, AlertState::kFiring);
            QCOMPARE(down.alerts.size(), std::size_t(2));
            firedAt = down.alerts[0].firedAt;
            QCOMPARE(firedAt, t0 + 20 * kMin);
            QCOMPARE(down.alerts[0].annotations.get("summary").substr(1),
                     std::string_view(" is down (0)"));
        }
        // Down for 10 minutes; b recovered meanwhile.
        sink.clear();
        RuleManager second(options(storage, engine, clock, file, db));
        second.setAlertSink(&sink);
        clock.now = t0 + 35 * kMin;
        QVERIFY(second.reload().isOk());
        second.evaluateAllAt(clock.now);
        auto snap = second.snapshot();
        const auto& down = snap.groups[0].rules[0];
        QCOMPARE(down.alerts.size(), std::size_t(1));
        QCOMPARE(down.alerts[0].state, AlertState::kFiring);  // not pending again
        QCOMPARE(down.alerts[0].labels.get("job"), std::string_view("a"));
        QCOMPARE(down.alerts[0].firedAt, firedAt);
        QCOMPARE(down.alerts[0].activeAt, t0);
        // Sent: a (firing, same startsAt, its resend was due) and b resolved.
        bool sentA = false, resolvedB = false;
        for (const auto& a : sink.alerts()) {
            if (a.labels.get("job") == "a") {
                sentA = true;
                QCOMPARE(a.startsAtMs, firedAt);
            }
            if (a.labels.get("job") == "b") {
                resolvedB = true;
                QCOMPARE(a.endsAtMs, clock.now.load());
            }
        }
        QVERIFY(sentA);
        QVERIFY(resolvedB);
        // And nothing re-sent before the resend delay.
        sink.clear();
        clock.now = clock.now + 30'000;
        second.evaluateAllAt(clock.now);
        for (const auto& a : sink.alerts())
            QVERIFY(a.labels.get("job") != "a");
    }

    void scheduledEvaluationAndFileWatch() {
        QTemporaryDir dir;
        const std::string file = dir.filePath("r.yml").toStdString();
        writeFile(file,
                  "groups:\n- name: fast\n  interval: 100ms\n  rules:\n"
                  "  - record: one\n    expr: vector(1)\n");
        model::InMemoryStorage storage;
        promql::Engine engine(promql::EngineOptions{.workerThreads = 1});
        RuleManagerOptions o;
        o.storage = &storage;
        o.engine = &engine;
        o.ruleFiles = {dir.filePath("*.yml").toStdString()};
        o.watchInterval = std::chrono::milliseconds(50);
        RulesService service(o);
        QVERIFY(service.start().isOk());
        QTRY_VERIFY_WITH_TIMEOUT(
            service.snapshot().groups.size() == 1 && service.snapshot().groups[0].iterations >= 3,
            5000);
        QCOMPARE(service.snapshot().groups[0].rules[0].health, RuleHealth::kOk);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        writeFile(file,
                  "groups:\n- name: fast\n  interval: 100ms\n  rules:\n"
                  "  - record: one\n    expr: vector(1)\n  - record: two\n    expr: one * 2\n");
        QTRY_VERIFY_WITH_TIMEOUT(
            service.snapshot().groups.size() == 1 && service.snapshot().groups[0].rules.size() == 2,
            5000);
        QTRY_VERIFY_WITH_TIMEOUT(service.snapshot().groups[0].rules[1].lastEvaluation != kNever,
                                 5000);
        service.stop();
    }

    void apiJson() {
        QTemporaryDir dir;
        const std::string file = dir.filePath("r.yml").toStdString();
        writeFile(file, kAlertRules);
        model::InMemoryStorage storage;
        promql::Engine engine(promql::EngineOptions{.workerThreads = 1});
        Clock clock;
        storage.put(model::Labels{{"__name__", "up"}, {"job", "a"}}, 0, 0);
        RuleManager manager(options(storage, engine, clock, file, ""));
        QVERIFY(manager.reload().isOk());
        manager.evaluateAllAt(0);
        const std::string rules = renderRulesJson(manager.snapshot(), "");
        const std::string expectedAlert =
            "{\"state\":\"pending\",\"name\":\"Down\",\"query\":\"up == 0\",\"duration\":1200,"
            "\"keepFiringFor\":0,\"labels\":{\"severity\":\"page\"},\"annotations\":{\"summary\":"
            "\"{{ $labels.job }} is down ({{ $value }})\"},\"alerts\":[{\"labels\":{\"alertname\":"
            "\"Down\",\"job\":\"a\",\"severity\":\"page\"},\"annotations\":{\"summary\":\"a is "
            "down (0)\"},\"state\":\"pending\",\"activeAt\":\"1970-01-01T00:00:00Z\",\"value\":"
            "\"0e+00\"}],\"health\":\"ok\",";
        QVERIFY2(rules.find(expectedAlert) != std::string::npos, rules.c_str());
        QVERIFY(rules.find("\"type\":\"recording\"") != std::string::npos);
        QVERIFY(rules.find("\"interval\":60,\"limit\":0") != std::string::npos);
        const std::string onlyRecords = renderRulesJson(manager.snapshot(), "record");
        QVERIFY(onlyRecords.find("alerting") == std::string::npos);
        const std::string alerts = renderAlertsJson(manager.snapshot());
        QVERIFY2(alerts.rfind("{\"status\":\"success\",\"data\":{\"alerts\":[{\"labels\":{"
                              "\"alertname\":\"Down\"",
                              0) == 0,
                 alerts.c_str());
    }

    void stateStoreLabelEncoding() {
        const model::Labels labels{{"a", "x:y"}, {"b", "1:2:3"}, {"c", ""}};
        QCOMPARE(AlertStateStore::decodeLabels(AlertStateStore::encodeLabels(labels)), labels);
    }
};

QTEST_GUILESS_MAIN(TestRuleManager)
#include "tst_rule_manager.moc"
