// Rule groups: Prometheus's alert state machine, resend schedule, stale
// markers and the restore of the `for` state after a restart.

#include <QtTest>

#include <cmath>

#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "core/rules/group.h"

using namespace vigil;
using namespace vigil::rules;

namespace {

constexpr std::int64_t kMin = 60'000;

GroupSpec spec(const std::string& text) {
    auto file = parseRuleFile(text, "g.yml");
    if (!file)
        qFatal("%s", file.status().message().c_str());
    return std::move(file->groups.front());
}

// The last sample of `labels` at or before `t`, or NaN when there is none.
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
    model::InMemoryStorage storage;
    promql::Engine engine{promql::EngineOptions{.workerThreads = 1}};
    std::vector<std::pair<model::Timestamp, model::Alert>> sent;
    model::Timestamp now = 0;

    GroupOptions options() {
        GroupOptions o;
        o.env.query = makeEngineQueryFunc(engine, storage);
        o.env.externalLabels = model::Labels{{"region", "eu"}};
        o.env.externalUrl = "http://vigil:9595";
        o.storage = &storage;
        o.defaultIntervalMs = kMin;
        o.notify = [this](std::vector<model::Alert> alerts) {
            for (auto& a : alerts)
                sent.emplace_back(now, std::move(a));
        };
        return o;
    }
};

}  // namespace

class TestRuleGroup : public QObject {
    Q_OBJECT
private slots:
    void pendingFiringResolved() {
        Fixture f;
        Group group(spec("groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n"
                         "    for: 2m\n    labels: {severity: page}\n"),
                    f.options());
        static_cast<AlertingRule&>(*group.rules()[0]).setRestored(true);
        const model::Labels up{{"__name__", "up"}, {"job", "a"}};
        const model::Labels pending{{"__name__", "ALERTS"},
                                    {"alertname", "Down"},
                                    {"alertstate", "pending"},
                                    {"job", "a"},
                                    {"severity", "page"}};
        const model::Labels firing{{"__name__", "ALERTS"},
                                   {"alertname", "Down"},
                                   {"alertstate", "firing"},
                                   {"job", "a"},
                                   {"severity", "page"}};
        // down from 1m to 6m, up again at 7m.
        for (int i = 0; i <= 30; ++i)
            f.storage.put(up, i * kMin, (i >= 1 && i <= 6) ? 0 : 1);

        auto& rule = static_cast<AlertingRule&>(*group.rules()[0]);
        for (int i = 0; i <= 30; ++i) {
            f.now = i * kMin;
            group.eval(f.now);
            auto alerts = rule.allAlerts();
            if (i == 0)
                QVERIFY(alerts.empty());
            if (i == 1 || i == 2) {
                QCOMPARE(alerts.size(), std::size_t(1));
                QCOMPARE(alerts[0].state, AlertState::kPending);
                QCOMPARE(alerts[0].activeAt, kMin);
            }
            if (i >= 3 && i <= 6)
                QCOMPARE(alerts[0].state, AlertState::kFiring);
            if (i == 7) {
                QCOMPARE(alerts[0].state, AlertState::kInactive);
                QCOMPARE(alerts[0].resolvedAt, 7 * kMin);
            }
        }
        // ALERTS: pending at 2m, firing at 3m, stale after it resolved.
        QCOMPARE(*lastValue(f.storage, pending, 2 * kMin), 1.0);
        QVERIFY(model::isStaleNaN(*lastValue(f.storage, pending, 3 * kMin)));
        QCOMPARE(*lastValue(f.storage, firing, 3 * kMin), 1.0);
        QVERIFY(model::isStaleNaN(*lastValue(f.storage, firing, 7 * kMin)));
        const model::Labels forState{{"__name__", "ALERTS_FOR_STATE"},
                                     {"alertname", "Down"},
                                     {"job", "a"},
                                     {"severity", "page"}};
        QCOMPARE(*lastValue(f.storage, forState, 5 * kMin), 60.0);

        // Sent at 3m (firing), again at 5m (resend delay 1m passed: 3m+1m < 5m),
        // resolved at 7m, then resolved resends each 2 minutes... until 15m
        // after resolving, when the alert is dropped.
        QVERIFY(!f.sent.empty());
        QCOMPARE(f.sent[0].first, 3 * kMin);
        const model::Alert& first = f.sent[0].second;
        QCOMPARE(first.startsAtMs, 3 * kMin);
        QCOMPARE(first.endsAtMs, 3 * kMin + 4 * kMin);  // 4 x max(resendDelay, interval)
        QCOMPARE(first.labels.get("region"), std::string_view("eu"));  // external label added
        QCOMPARE(first.generatorUrl,
                 std::string("http://vigil:9595/graph?g0.expr=up+%3D%3D+0&g0.tab=1"));
        QCOMPARE(f.sent[1].first, 5 * kMin);
        std::vector<model::Timestamp> resolvedSends;
        for (const auto& [t, a] : f.sent) {
            if (t >= 7 * kMin && a.endsAtMs == 7 * kMin)
                resolvedSends.push_back(t);
        }
        QVERIFY(!resolvedSends.empty());
        QCOMPARE(resolvedSends.front(), 7 * kMin);
        QVERIFY(resolvedSends.back() <= 22 * kMin);
        QVERIFY(rule.allAlerts().empty());  // dropped after 15 minutes
    }

    void keepFiringFor() {
        Fixture f;
        Group group(spec("groups:\n- name: g\n  rules:\n  - alert: Flap\n    expr: x > 0\n"
                         "    keep_firing_for: 3m\n"),
                    f.options());
        auto& rule = static_cast<AlertingRule&>(*group.rules()[0]);
        rule.setRestored(true);
        const model::Labels x{{"__name__", "x"}};
        const int values[] = {1, 0, 0, 0, 0, 0};
        for (int i = 0; i < 6; ++i)
            f.storage.put(x, i * kMin, values[i]);
        for (int i = 0; i < 6; ++i) {
            group.eval(i * kMin);
            auto alerts = rule.allAlerts();
            QCOMPARE(alerts.size(), std::size_t(1));
            if (i <= 3) {
                QCOMPARE(alerts[0].state, AlertState::kFiring);
                if (i >= 1)
                    QCOMPARE(alerts[0].keepFiringSince, kMin);
            } else {
                QCOMPARE(alerts[0].state, AlertState::kInactive);
            }
        }
    }

    void recordingRuleStaleMarkers() {
        Fixture f;
        Group group(spec("groups:\n- name: g\n  rules:\n  - record: r\n    expr: x * 2\n"),
                    f.options());
        const model::Labels a{{"__name__", "x"}, {"i", "a"}};
        const model::Labels b{{"__name__", "x"}, {"i", "b"}};
        f.storage.put(a, 0, 1);
        f.storage.put(b, 0, 2);
        f.storage.put(a, kMin, 3);
        group.eval(0);
        group.eval(6 * kMin);  // b is beyond the lookback: gone
        QCOMPARE(*lastValue(f.storage, model::Labels{{"__name__", "r"}, {"i", "a"}}, 0), 2.0);
        QCOMPARE(*lastValue(f.storage, model::Labels{{"__name__", "r"}, {"i", "a"}}, 6 * kMin),
                 6.0);
        QVERIFY(model::isStaleNaN(
            *lastValue(f.storage, model::Labels{{"__name__", "r"}, {"i", "b"}}, 6 * kMin)));
        QCOMPARE(group.rules()[0]->health(), RuleHealth::kOk);
    }

    void limitAndDuplicates() {
        Fixture f;
        Group group(spec("groups:\n- name: g\n  limit: 1\n  rules:\n  - record: r\n    expr: x\n"
                         "  - record: s\n    expr: x\n    labels: {i: same}\n"),
                    f.options());
        f.storage.put(model::Labels{{"__name__", "x"}, {"i", "a"}}, 0, 1);
        f.storage.put(model::Labels{{"__name__", "x"}, {"i", "b"}}, 0, 1);
        group.eval(0);
        QCOMPARE(group.rules()[0]->health(), RuleHealth::kBad);
        QCOMPARE(group.rules()[0]->lastError(), std::string("exceeded limit of 1 with 2 series"));
        QCOMPARE(group.rules()[1]->lastError(),
                 std::string(
                     "vector contains metrics with the same labelset after applying rule labels"));
    }

    // Prometheus's RestoreForState: the alert was pending for 10 of its 30
    // minutes when the process stopped 5 minutes ago; after the restart it
    // needs 20 more minutes (the outage does not count).
    void restoreForState() {
        Fixture f;
        auto options = f.options();
        Group group(spec("groups:\n- name: g\n  rules:\n  - alert: Slow\n    expr: x > 0\n"
                         "    for: 30m\n"),
                    options);
        const model::Timestamp start = 100 * kMin;
        const model::Labels x{{"__name__", "x"}};
        const model::Labels forState{{"__name__", "ALERTS_FOR_STATE"}, {"alertname", "Slow"}};
        // Before the restart: active since start, last written at start+10m.
        for (int i = 0; i <= 10; ++i)
            f.storage.put(forState, start + i * kMin, static_cast<double>(start / 1000));
        const model::Timestamp now = start + 15 * kMin;
        f.storage.put(x, now, 1);
        group.eval(now);  // first evaluation: pending since now, not yet restored
        auto& rule = static_cast<AlertingRule&>(*group.rules()[0]);
        QVERIFY(!rule.restored());
        group.restoreForState(now);
        QVERIFY(rule.restored());
        auto alerts = rule.allAlerts();
        QCOMPARE(alerts.size(), std::size_t(1));
        // activeAt moves forward by the 5-minute outage.
        QCOMPARE(alerts[0].activeAt, start + 5 * kMin);
        // Fires 30 minutes after the restored activeAt, not 30 after the restart.
        for (int i = 1; i <= 21; ++i)
            f.storage.put(x, now + i * kMin, 1);
        group.eval(now + 19 * kMin);
        QCOMPARE(rule.allAlerts()[0].state, AlertState::kPending);
        group.eval(now + 20 * kMin);
        QCOMPARE(rule.allAlerts()[0].state, AlertState::kFiring);
    }

    void evalTimestampSpreadsGroups() {
        Fixture f;
        Group a(spec("groups:\n- name: a\n  interval: 15s\n  rules: []\n"), f.options());
        const model::Timestamp t = a.evalTimestamp(1'000'000);
        QVERIFY(t <= 1'000'000 && t > 1'000'000 - 15'000);
        QCOMPARE(a.evalTimestamp(t + 15'000), t + 15'000);
        QCOMPARE(a.evalTimestamp(t + 14'999), t);
    }
};

QTEST_GUILESS_MAIN(TestRuleGroup)
#include "tst_rule_group.moc"
