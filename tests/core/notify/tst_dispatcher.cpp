// The dispatcher's timing and pipeline against what Alertmanager 0.25 does
// (SEMANTICS.md §3-5, timing/probe_run1.jsonl), Vigil's additions (acks,
// resolved notices for muted alerts), persistence across a restart, and the
// retry stage. A ManualClock drives every timer; nothing sleeps.

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <future>

#include "core/notify/am_matchers.h"
#include "core/notify/dispatcher.h"
#include "core/notify/inhibitor.h"
#include "core/notify/time_interval.h"
#include "core/state/database.h"
#include "notify_test_support.h"

using namespace vigil;
using namespace vigil::notify;
using testing::advanceTo;
using testing::makeAlert;
using testing::RecordingNotifier;

namespace {

constexpr model::Timestamp kT0 = 1'700'000'000'000;
constexpr model::Timestamp kFar = kT0 + 3'600'000;

AlertmanagerConfig config(const std::string& yaml) {
    auto loaded = parseAlertmanagerConfig(yaml, "test.yml");
    if (!loaded.isOk())
        qFatal("config: %s", loaded.status().message().c_str());
    return loaded->config;
}

// One webhook receiver (send_resolved defaults to true) with the probe's timers.
std::string probeConfig(const std::string& extraRoute = "", const std::string& extraTop = "",
                        const std::string& sendResolved = "true") {
    return "route:\n"
           "  receiver: hook\n"
           "  group_by: ['alertname']\n"
           "  group_wait: 1s\n"
           "  group_interval: 5s\n"
           "  repeat_interval: 10s\n" +
           extraRoute +
           "receivers:\n"
           "  - name: hook\n"
           "    webhook_configs:\n"
           "      - url: 'http://127.0.0.1:1/'\n"
           "        send_resolved: " +
           sendResolved + "\n" + extraTop;
}

struct Rig {
    ManualClock clock{kT0};
    std::shared_ptr<RecordingNotifier> recorder = std::make_shared<RecordingNotifier>();
    std::unique_ptr<Dispatcher> dispatcher;

    explicit Rig(const std::string& yaml, state::Database* db = nullptr, int senderThreads = 1) {
        open(yaml, db, senderThreads);
    }
    void open(const std::string& yaml, state::Database* db, int senderThreads = 1) {
        DispatcherOptions options;
        options.config = config(yaml);
        auto registry = buildNotifierRegistry(options.config, testing::recordingFactory(recorder));
        if (!registry.isOk())
            qFatal("registry: %s", registry.status().message().c_str());
        options.notifiers = std::move(registry.value());
        options.clock = &clock;
        options.db = db;
        options.senderThreads = senderThreads;
        dispatcher.reset();
        auto created = Dispatcher::create(std::move(options));
        if (!created.isOk())
            qFatal("dispatcher: %s", created.status().message().c_str());
        dispatcher = std::move(created.value());
    }
    void at(model::Timestamp offsetMs) { advanceTo(clock, *dispatcher, kT0 + offsetMs); }
    void post(std::vector<model::Alert> alerts) { dispatcher->ingest(std::move(alerts)); }
    // "t=<s> A:firing B:resolved" per delivery, t relative to kT0.
    QStringList log() const {
        QStringList out;
        for (const auto& d : recorder->deliveries()) {
            QString line = QString("t=%1").arg(double(d.atMs - kT0) / 1000.0);
            for (const std::string& s : d.summary("name"))
                line += " " + QString::fromStdString(s);
            out << line;
        }
        return out;
    }
};

model::Alert probe(const char* name, model::Timestamp endsAtMs = kFar) {
    return makeAlert({{"alertname", "Probe"}, {"name", name}}, kT0, endsAtMs);
}

}  // namespace

class TestDispatcher : public QObject {
    Q_OBJECT
private slots:
    // timing/probe_run1.jsonl: the real Alertmanager's schedule for the
    // probe's timeline (fast receiver).
    void timingMatchesProbe() {
        Rig rig(probeConfig());
        rig.post({probe("A")});
        rig.at(3000);
        rig.post({probe("B")});
        rig.at(38000);
        rig.post({probe("A", kT0 + 38000)});
        rig.at(43000);
        rig.post({probe("A", kT0 + 43000), probe("B", kT0 + 43000)});
        rig.at(50000);

        QStringList expected;
        const QString path = qEnvironmentVariable("VIGIL_SHARED_DIR", "/work/shared") +
                             "/conformance/alertmanager/timing/probe_run1.jsonl";
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            QSKIP(qPrintable("missing " + path));
        while (!file.atEnd()) {
            const QJsonObject o = QJsonDocument::fromJson(file.readLine()).object();
            QString line = QString("t=%1").arg(std::round(o["t"].toDouble()));
            for (const QJsonValue v : o["alerts"].toArray())
                line += " " + v.toString();
            expected << line;
        }
        QCOMPARE(rig.log(), expected);
        // Everything resolved and notified: the group is collected.
        rig.at(120000);
        QCOMPARE(int(rig.dispatcher->groups().size()), 0);
    }

    // timing/probe_slow_sink_300ms.jsonl: a receiver that takes 300 ms
    // pushes repeats to repeat_interval + group_interval, because the log's
    // timestamp is taken after the send.
    void timingMatchesSlowSinkProbe() {
        const QString path = qEnvironmentVariable("VIGIL_SHARED_DIR", "/work/shared") +
                             "/conformance/alertmanager/timing/probe_slow_sink_300ms.jsonl";
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            QSKIP(qPrintable("missing " + path));
        QStringList expected;
        while (!file.atEnd()) {
            const QJsonObject o = QJsonDocument::fromJson(file.readLine()).object();
            QString line = QString("t=%1").arg(std::round(o["t"].toDouble()));
            for (const QJsonValue v : o["alerts"].toArray())
                line += " " + v.toString();
            expected << line;
        }
        Rig rig(probeConfig());
        ManualClock* clock = &rig.clock;
        rig.recorder->script = [clock](const NotificationContext&, int) {
            clock->advance(300);
            return NotifyResult::delivered();
        };
        rig.post({probe("A")});
        rig.at(3000);
        rig.post({probe("B")});
        rig.at(38000);
        rig.post({probe("A", kT0 + 38000)});
        rig.at(43000);
        rig.post({probe("A", kT0 + 43000), probe("B", kT0 + 43000)});
        rig.at(50000);
        QCOMPARE(rig.log(), expected);
    }

    void groupThatResolvesWithinGroupWaitSendsNothing() {
        Rig rig(probeConfig());
        rig.post({probe("A")});
        rig.at(500);
        rig.post({probe("A", kT0 + 500)});
        rig.at(30000);
        QCOMPARE(rig.recorder->calls(), 0);
    }

    void backdatedAlertFlushesImmediately() {
        Rig rig(probeConfig());
        rig.clock.set(kT0 + 60000);
        rig.post({probe("A")});  // startsAt kT0: startsAt + group_wait is long past
        rig.at(60000);
        QCOMPARE(rig.log(), QStringList{"t=60 A:firing"});
    }

    void sendResolvedFalseSkipsResolvedAndAllResolved() {
        Rig rig(probeConfig("", "", "false"));
        rig.post({probe("A"), probe("B")});
        rig.at(2000);
        rig.post({probe("A", kT0 + 2000)});
        rig.at(7000);  // tick at 6: A resolved, B firing -> nothing new for this integration
        rig.post({probe("B", kT0 + 7000)});
        rig.at(30000);
        QCOMPARE(rig.log(), QStringList{"t=1 A:firing B:firing"});
        // The all-resolved state was still logged, so a later firing alert
        // is new (entry exists, firing set grew) and repeats start afresh.
        auto entry =
            rig.dispatcher->notificationLog().query({"{}:{alertname=\"Probe\"}", "hook", 0});
        QVERIFY(entry.has_value());
        QVERIFY(entry->firing.empty());
    }

    void silencedAlertIsNotNotified() {
        Rig rig(probeConfig());
        Silence s;
        s.matchers = parseAmMatchers("name=\"B\"").value();
        s.startsAtMs = kT0;
        s.endsAtMs = kT0 + 20000;
        s.createdBy = "test";
        QVERIFY(rig.dispatcher->silences().set(s, kT0).isOk());
        rig.post({probe("A"), probe("B")});
        rig.at(1000);
        QCOMPARE(rig.log(), QStringList{"t=1 A:firing"});
        // When the silence ends, B is new to the receiver: next tick.
        rig.at(21000);
        QCOMPARE(rig.log().last(), QString("t=21 A:firing B:firing"));
    }

    // alertmanager#226: notified as firing, silenced, then resolved -> the
    // resolved notice still goes out (send_resolved: true).
    void resolvedNoticeForSilencedAlert() {
        Rig rig(probeConfig());
        rig.post({probe("A"), probe("B")});
        rig.at(1000);
        Silence s;
        s.matchers = parseAmMatchers("name=\"A\"").value();
        s.startsAtMs = kT0 + 2000;
        s.endsAtMs = kFar;
        s.createdBy = "test";
        QVERIFY(rig.dispatcher->silences().set(s, kT0 + 2000).isOk());
        rig.at(7000);  // silenced A drops out of the batch; B unchanged: nothing
        rig.post({probe("A", kT0 + 7000)});
        rig.at(12000);
        const QStringList expected{"t=1 A:firing B:firing", "t=11 A:resolved B:firing"};
        QCOMPARE(rig.log(), expected);
        // Without send_resolved Alertmanager's behaviour stays: nothing.
        Rig quiet(probeConfig("", "", "false"));
        quiet.post({probe("A")});
        quiet.at(1000);
        QVERIFY(quiet.dispatcher->silences().set(s, kT0 + 2000).isOk());
        quiet.post({probe("A", kT0 + 3000)});
        quiet.at(30000);
        QCOMPARE(quiet.log(), QStringList{"t=1 A:firing"});
    }

    void inhibitedAlertIsNotNotified() {
        Rig rig(probeConfig("",
                            "inhibit_rules:\n"
                            "  - source_matchers: [ severity=\"critical\" ]\n"
                            "    target_matchers: [ severity=\"warning\" ]\n"
                            "    equal: [ cluster ]\n"));
        rig.post({makeAlert({{"alertname", "Probe"},
                             {"name", "crit"},
                             {"severity", "critical"},
                             {"cluster", "a"}},
                            kT0, kFar),
                  makeAlert({{"alertname", "Probe"},
                             {"name", "warnA"},
                             {"severity", "warning"},
                             {"cluster", "a"}},
                            kT0, kFar),
                  makeAlert({{"alertname", "Probe"},
                             {"name", "warnB"},
                             {"severity", "warning"},
                             {"cluster", "b"}},
                            kT0, kFar)});
        rig.at(1000);
        QCOMPARE(rig.log(), QStringList{"t=1 crit:firing warnB:firing"});
        // The source resolves: the target is no longer inhibited.
        rig.post({makeAlert(
            {{"alertname", "Probe"}, {"name", "crit"}, {"severity", "critical"}, {"cluster", "a"}},
            kT0, kT0 + 1000)});  // resolved as of now (t=1)
        rig.at(6000);
        QCOMPARE(rig.log().last(), QString("t=6 crit:resolved warnA:firing warnB:firing"));
    }

    void muteTimeIntervalHoldsNotifications() {
        // Muted from 22:00 to 23:00 UTC every day. kT0 = 2023-11-14 22:13:20 UTC.
        Rig rig(
            probeConfig("  routes:\n"
                        "    - matchers: [ alertname=\"Probe\" ]\n"
                        "      mute_time_intervals: [night]\n",
                        "time_intervals:\n"
                        "  - name: night\n"
                        "    time_intervals:\n"
                        "      - times:\n"
                        "          - start_time: '22:00'\n"
                        "            end_time: '23:00'\n"));
        rig.post({probe("A")});
        rig.at(60000);
        QCOMPARE(rig.recorder->calls(), 0);
        // 23:00 UTC is 46 min 40 s after kT0: the next tick after that sends.
        rig.at(47LL * 60 * 1000);
        QVERIFY(rig.recorder->calls() >= 1);
        const model::Timestamp first = rig.recorder->deliveries()[0].atMs - kT0;
        QVERIFY2(first >= (46 * 60 + 40) * 1000 && first < (46 * 60 + 45) * 1000,
                 qPrintable(QString::number(first)));
    }

    void timeIntervalFields() {
        TimeIntervalSpec spec;
        spec.weekdays = {{2, 2}};         // Tuesday
        spec.daysOfMonth = {{-17, -17}};  // 30 - 17 + 1 = the 14th of November
        spec.months = {{11, 11}};
        spec.years = {{2023, 2023}};
        QVERIFY(timeIntervalContains(spec, kT0));  // Tuesday 2023-11-14
        spec.weekdays = {{3, 6}};
        QVERIFY(!timeIntervalContains(spec, kT0));
        TimeIntervalSpec berlin;
        berlin.times = {{23 * 60, 24 * 60}};  // 22:13 UTC is 23:13 in Berlin (CET)
        berlin.location = "Europe/Berlin";
        QVERIFY(timeIntervalContains(berlin, kT0));
        berlin.location = "";
        QVERIFY(!timeIntervalContains(berlin, kT0));
    }

    void ackStopsRepeatsButNotResolve() {
        Rig rig(probeConfig());
        rig.post({probe("A")});
        rig.at(1000);
        QVERIFY(rig.dispatcher->ackGroup("{}:{alertname=\"Probe\"}", "alice", "on it").isOk());
        rig.at(40000);  // repeats would be at 11, 21, 31
        QCOMPARE(rig.log(), QStringList{"t=1 A:firing"});
        rig.post({probe("A", kT0 + 40000)});
        rig.at(41000);
        QCOMPARE(rig.log().last(), QString("t=41 A:resolved"));
        // "until resolved": the ack ended with the resolve.
        const auto history = rig.dispatcher->acks().history();
        QCOMPARE(int(history.size()), 1);
        QCOMPARE(QString::fromStdString(history[0].endedBy), QString("resolved"));
        QCOMPARE(QString::fromStdString(history[0].createdBy), QString("alice"));
    }

    void ackWithExpiryAndAlertAck() {
        Rig rig(probeConfig());
        rig.post({probe("A")});
        rig.at(1000);
        QVERIFY(rig.dispatcher->ackAlert(amFingerprint(probe("A").labels), "bob", "", kT0 + 15000)
                    .isOk());
        rig.at(25000);  // repeat at 11 suppressed; the ack expired at 15, repeat at 16
        QCOMPARE(rig.log(), (QStringList{"t=1 A:firing", "t=16 A:firing"}));
        QVERIFY(!rig.dispatcher->unackAlert(amFingerprint(probe("A").labels), "bob").isOk());
    }

    void retriesUntilDelivered() {
        Rig rig(probeConfig());
        rig.recorder->script = [](const NotificationContext& ctx, int call) {
            if (call < 2)
                return NotifyResult::retry("HTTP 503 (attempt " + std::to_string(ctx.attempt) +
                                           ")");
            return NotifyResult::delivered();
        };
        rig.post({probe("A")});
        rig.at(1000);
        QCOMPARE(rig.recorder->calls(), 3);
        QCOMPARE(int(rig.recorder->deliveries().size()), 1);
        QCOMPARE(rig.recorder->deliveries()[0].ctx.attempt, 3);
        QCOMPARE(int(rig.dispatcher->stats().notificationsSent), 1);
    }

    void failedSendIsRetriedNextTick() {
        Rig rig(probeConfig());
        rig.recorder->script = [](const NotificationContext&, int call) {
            return call == 0 ? NotifyResult::failed("HTTP 400") : NotifyResult::delivered();
        };
        rig.post({probe("A")});
        rig.at(6000);
        QCOMPARE(rig.log(), QStringList{"t=6 A:firing"});
        QCOMPARE(int(rig.dispatcher->stats().notificationsFailed), 1);
    }

    // Fire, notify, restart over the same state.db: the re-sent alert is not
    // notified again before repeat_interval, the due repeat is not lost, and
    // a resolve during the downtime is delivered.
    void restartNeitherResendsNorForgets() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("state.db").toStdString();
        auto db = state::Database::open(path);
        QVERIFY(db.isOk());
        Rig rig(probeConfig(), db->get());
        rig.post({probe("A"), probe("B")});
        rig.at(1000);
        QCOMPARE(rig.recorder->calls(), 1);
        QVERIFY(rig.dispatcher->ackGroup("{}:{alertname=\"Other\"}", "carol", "x").isOk());
        rig.dispatcher.reset();
        db->reset();

        // Restart 3 s later; the rule engine re-sends its alerts.
        auto db2 = state::Database::open(path);
        QVERIFY(db2.isOk());
        rig.clock.set(kT0 + 4000);
        rig.open(probeConfig(), db2->get());
        rig.post({probe("A"), probe("B")});
        rig.at(10000);  // immediate flush at 4 (back-dated), tick at 9: nothing new
        QCOMPARE(rig.recorder->calls(), 1);
        rig.at(14000);  // repeat due: 4 + 10 = 14
        QCOMPARE(rig.log().last(), QString("t=14 A:firing B:firing"));
        QVERIFY(rig.dispatcher->acks().hasActive(Ack::Scope::kGroup, "{}:{alertname=\"Other\"}",
                                                 kT0 + 14000));
        rig.dispatcher.reset();
        db2->reset();

        // Down again; B resolves meanwhile.
        auto db3 = state::Database::open(path);
        QVERIFY(db3.isOk());
        rig.clock.set(kT0 + 16000);
        rig.open(probeConfig(), db3->get());
        rig.post({probe("A"), probe("B", kT0 + 15000)});
        rig.at(17000);
        QCOMPARE(rig.log().last(), QString("t=16 A:firing B:resolved"));
    }

    void silenceEditingRules() {
        auto silences = Silences::open(nullptr);
        QVERIFY(silences.isOk());
        Silences& s = *silences.value();
        Silence in;
        in.matchers = parseAmMatchers("alertname=\"X\"").value();
        in.startsAtMs = kT0 - 5000;  // clamped to now
        in.endsAtMs = kT0 + 60000;
        in.createdBy = "dave";
        in.comment = "first";
        auto id = s.set(in, kT0);
        QVERIFY(id.isOk());
        QCOMPARE(s.get(id.value())->startsAtMs, kT0);

        // Active, same matchers and start, later end: updated in place.
        Silence edit = *s.get(id.value());
        edit.endsAtMs = kT0 + 120000;
        edit.comment = "longer";
        auto same = s.set(edit, kT0 + 1000);
        QVERIFY(same.isOk());
        QCOMPARE(same.value(), id.value());
        QCOMPARE(s.get(id.value())->comment, std::string("longer"));

        // Changed matchers: the old one expires, a new id appears.
        edit.matchers = parseAmMatchers("alertname=\"Y\"").value();
        auto other = s.set(edit, kT0 + 2000);
        QVERIFY(other.isOk());
        QVERIFY(other.value() != id.value());
        QCOMPARE(int(s.get(id.value())->state(kT0 + 2001)), int(Silence::State::kExpired));
        QCOMPARE(s.get(id.value())->endsAtMs, kT0 + 2000);

        // Pending: may move its start forward in place, not into the past.
        Silence pending;
        pending.matchers = parseAmMatchers("job=\"z\"").value();
        pending.startsAtMs = kT0 + 100000;
        pending.endsAtMs = kT0 + 200000;
        auto pid = s.set(pending, kT0);
        QVERIFY(pid.isOk());
        Silence moved = *s.get(pid.value());
        moved.startsAtMs = kT0 + 150000;
        QCOMPARE(s.set(moved, kT0 + 1).value(), pid.value());
        moved.startsAtMs = kT0 - 1;
        QVERIFY(s.set(moved, kT0 + 2).value() != pid.value());

        // Expire a pending silence: start = end = now.
        Silence p2 = pending;
        p2.id.clear();
        auto p2id = s.set(p2, kT0);
        QVERIFY(s.expire(p2id.value(), kT0 + 10).isOk());
        QCOMPARE(s.get(p2id.value())->startsAtMs, kT0 + 10);
        QCOMPARE(s.get(p2id.value())->endsAtMs, kT0 + 10);
        QVERIFY(!s.expire("no-such-id", kT0).isOk());
    }

    void silenceValidation_data() {
        QTest::addColumn<QString>("matchers");
        QTest::addColumn<QString>("error");
        QTest::newRow("matches empty") << "x=~\".*\""
                                       << "must not match the empty string";
        QTest::newRow("equal empty") << "x=\"\""
                                     << "must not match the empty string";
    }
    void silenceValidation() {
        QFETCH(QString, matchers);
        QFETCH(QString, error);
        auto silences = Silences::open(nullptr);
        Silence in;
        in.matchers = parseAmMatchers(matchers.toStdString()).value();
        in.startsAtMs = kT0;
        in.endsAtMs = kT0 + 1000;
        auto r = silences.value()->set(in, kT0);
        QVERIFY(!r.isOk());
        QVERIFY2(r.status().message().find(error.toStdString()) != std::string::npos,
                 r.status().message().c_str());
        in.matchers.clear();
        QVERIFY(!silences.value()->set(in, kT0).isOk());
    }

    void silencesPersist() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("state.db").toStdString();
        std::string id;
        {
            auto db = state::Database::open(path);
            auto s = Silences::open(db->get());
            Silence in;
            in.matchers = parseAmMatchers("a=\"1\", b=~\"x|y\"").value();
            in.startsAtMs = kT0;
            in.endsAtMs = kT0 + 1000;
            in.createdBy = "eve";
            in.comment = "c";
            id = s.value()->set(in, kT0).value();
        }
        auto db = state::Database::open(path);
        auto s = Silences::open(db->get());
        QVERIFY(s.isOk());
        auto got = s.value()->get(id);
        QVERIFY(got.has_value());
        QCOMPARE(got->createdBy, std::string("eve"));
        QCOMPARE(QString::fromStdString(amMatchersText(got->matchers)),
                 QString("{a=\"1\",b=~\"x|y\"}"));
        QCOMPARE(int(s.value()->mutedBy(model::Labels({{"a", "1"}, {"b", "y"}}), kT0 + 10).size()),
                 1);
        QCOMPARE(int(s.value()->mutedBy(model::Labels({{"a", "1"}, {"b", "z"}}), kT0 + 10).size()),
                 0);
    }

    void inhibitorRules() {
        InhibitRuleConfig rule;
        rule.sourceMatchers = parseAmMatchers("severity=~\"critical|warning\"").value();
        rule.targetMatchers = parseAmMatchers("severity=~\"warning|info\"").value();
        rule.equal = {"cluster"};
        Inhibitor inhibitor({rule});
        model::Alert crit = makeAlert({{"alertname", "A"}, {"severity", "critical"}}, kT0, kFar);
        model::Alert warn = makeAlert({{"alertname", "B"}, {"severity", "warning"}}, kT0, kFar);
        model::Alert info = makeAlert({{"alertname", "C"}, {"severity", "info"}}, kT0, kFar);
        inhibitor.add(1, &warn);
        // warn matches both sides: it cannot inhibit itself, nor be inhibited
        // by another both-sides alert; it does inhibit info.
        QVERIFY(!inhibitor.inhibited(warn.labels, kT0 + 1));
        QVERIFY(inhibitor.inhibited(info.labels, kT0 + 1));
        // A source-only alert inhibits it; both lack `cluster`: equal.
        inhibitor.add(2, &crit);
        QVERIFY(inhibitor.inhibited(warn.labels, kT0 + 1));
        // ... but not one with a different cluster.
        QVERIFY(!inhibitor.inhibited(model::Labels({{"severity", "warning"}, {"cluster", "x"}}),
                                     kT0 + 1));
        // Only firing sources count.
        QVERIFY(!inhibitor.inhibited(warn.labels, kFar + 1));
        inhibitor.remove(2, crit.labels);
        QVERIFY(!inhibitor.inhibited(warn.labels, kT0 + 1));
    }

    void alertOrderAsAlertmanager() {
        // job, then instance (having the label first), then the label set.
        QVERIFY(alertBefore(model::Labels({{"job", "a"}}), model::Labels({{"job", "b"}})));
        QVERIFY(alertBefore(model::Labels({{"job", "a"}}), model::Labels({{"x", "a"}})));
        QVERIFY(!alertBefore(model::Labels({{"x", "a"}}), model::Labels({{"job", "a"}})));
        QVERIFY(alertBefore(model::Labels({{"a", "1"}}), model::Labels({{"a", "1"}, {"b", "1"}})));
        QVERIFY(alertBefore(model::Labels({{"a", "1"}}), model::Labels({{"a", "2"}})));
    }

    void mergeKeepsEarliestStart() {
        Rig rig(probeConfig());
        rig.post({makeAlert({{"alertname", "Probe"}, {"name", "A"}}, kT0 + 500, kFar)});
        rig.at(100);
        rig.post({makeAlert({{"alertname", "Probe"}, {"name", "A"}}, kT0 + 50, kFar)});
        rig.post({makeAlert({{"alertname", "Probe"}, {"name", "A"}}, kT0 + 900, kFar)});
        rig.at(200);
        const auto alerts = rig.dispatcher->alerts();
        QCOMPARE(int(alerts.size()), 1);
        QCOMPARE(alerts[0].alert.startsAtMs, kT0 + 50);
        // No endsAt: resolve_timeout (5m) from receipt.
        rig.post({makeAlert({{"alertname", "Probe"}, {"name", "B"}}, kT0, 0)});
        rig.at(300);
        for (const auto& a : rig.dispatcher->alerts())
            if (a.alert.labels.get("name") == "B")
                QCOMPARE(a.alert.endsAtMs, kT0 + 200 + 300000);  // taken in at t=200
    }

    void parallelSendersDeliverEveryGroup() {
        Rig rig(probeConfig(), nullptr, 4);
        std::vector<model::Alert> alerts;
        for (int i = 0; i < 500; ++i) {
            model::Alert a;
            a.labels = model::Labels({{"alertname", "A" + std::to_string(i)}, {"name", "x"}});
            a.startsAtMs = kT0;
            a.endsAtMs = kFar;
            alerts.push_back(a);
        }
        rig.post(std::move(alerts));
        rig.at(1000);
        rig.dispatcher->drain();
        QCOMPARE(int(rig.recorder->deliveries().size()), 500);
        QCOMPARE(int(rig.dispatcher->groups().size()), 500);
        QCOMPARE(int(rig.dispatcher->notificationLog().size()), 500);
        // Nothing new: the next ticks send nothing.
        rig.at(6000);
        rig.dispatcher->drain();
        QCOMPARE(int(rig.recorder->deliveries().size()), 500);
    }

    // A receiver that hangs on one group does not hold up the others.
    void slowGroupDoesNotBlockOthers() {
        Rig rig(probeConfig(), nullptr, 4);
        std::promise<void> release;
        std::shared_future<void> released = release.get_future().share();
        rig.recorder->script = [released](const NotificationContext& ctx, int) {
            if (ctx.groupKey.find("Slow") != std::string::npos)
                released.wait();
            return NotifyResult::delivered();
        };
        rig.post({makeAlert({{"alertname", "Slow"}}, kT0, kFar),
                  makeAlert({{"alertname", "Fast"}}, kT0, kFar)});
        rig.at(1000);
        QElapsedTimer timer;
        timer.start();
        while (rig.recorder->deliveries().empty() && timer.elapsed() < 5000) {
            rig.dispatcher->waitForWork(Clock::system().nowMs() + 20);
            rig.dispatcher->process();
        }
        QCOMPARE(int(rig.recorder->deliveries().size()), 1);
        QCOMPARE(rig.recorder->deliveries()[0].ctx.groupKey,
                 std::string("{}:{alertname=\"Fast\"}"));
        // The Fast flush finishes on its sender thread just after recording
        // its delivery; the Slow one stays in flight.
        while (rig.dispatcher->flushesInFlight() != 1 && timer.elapsed() < 5000) {
            rig.dispatcher->waitForWork(Clock::system().nowMs() + 5);
            rig.dispatcher->process();
        }
        QCOMPARE(int(rig.dispatcher->flushesInFlight()), 1);
        // Ticks of the busy group are served after its flush.
        rig.at(12000);
        release.set_value();
        rig.dispatcher->drain();
        // Fast at 1 and its repeat at 11; Slow once: its missed ticks are
        // served when it completes (t=12), but the log's timestamp is the
        // completion time, so no repeat is due yet.
        QCOMPARE(int(rig.recorder->deliveries().size()), 3);
        auto slow = rig.dispatcher->notificationLog().query({"{}:{alertname=\"Slow\"}", "hook", 0});
        QVERIFY(slow.has_value());
        QCOMPARE(slow->timestampMs, kT0 + 12000);
        QCOMPARE(int(rig.dispatcher->flushesInFlight()), 0);
    }
};

QTEST_GUILESS_MAIN(TestDispatcher)
#include "tst_dispatcher.moc"
