#include <QtTest>

#include "core/notify/alertmanager_config.h"
#include "core/notify/am_matchers.h"
#include "core/notify/route.h"

using namespace vigil::notify;
using vigil::model::Labels;

class TestAmMatchers : public QObject {
    Q_OBJECT
private slots:
    void parse_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");  // empty: an error is expected
        QTest::newRow("bare") << "severity=critical"
                              << "{severity=\"critical\"}";
        QTest::newRow("quoted") << "severity=\"critical\""
                                << "{severity=\"critical\"}";
        QTest::newRow("spaces") << "  team !~ \"a|b\" "
                                << "{team!~\"a|b\"}";
        QTest::newRow("regex-escape-kept") << "device=~\"nvme\\d+\""
                                           << "{device=~\"nvme\\\\d+\"}";
        QTest::newRow("comma-in-quotes") << "msg=\"rollback, then page\""
                                         << "{msg=\"rollback, then page\"}";
        QTest::newRow("braces-and-list") << "{a=1,b!=\"2\",}"
                                         << "{a=\"1\",b!=\"2\"}";
        QTest::newRow("escaped-quote") << "a=\"x\\\"y\""
                                       << "{a=\"x\\\"y\"}";
        QTest::newRow("newline-escape") << "a=\"x\\ny\""
                                        << "{a=\"x\\ny\"}";
        QTest::newRow("empty-value") << "priority=\"\""
                                     << "{priority=\"\"}";
        QTest::newRow("colon-name") << "a:b=1"
                                    << "{a:b=\"1\"}";
        QTest::newRow("bad-name") << "1a=1"
                                  << "";
        QTest::newRow("no-op") << "abc"
                               << "";
        QTest::newRow("unescaped-quote") << "a=\"x\"y\""
                                         << "";
        QTest::newRow("missing-end-quote") << "a=\"xy"
                                           << "";
        QTest::newRow("bad-regex") << "a=~\"(\""
                                   << "";
    }
    void parse() {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        auto parsed = parseAmMatchers(text.toStdString());
        if (canonical.isEmpty()) {
            QVERIFY(!parsed.isOk());
        } else {
            QVERIFY2(parsed.isOk(), parsed.status().message().c_str());
            QCOMPARE(QString::fromStdString(amMatchersText(*parsed)), canonical);
        }
    }
    void fingerprint() {
        // SEMANTICS.md: {alertname="Watchdog",severity="none"} → 448881ef475b9b26.
        QCOMPARE(amFingerprintHex(Labels{{"alertname", "Watchdog"}, {"severity", "none"}}),
                 std::string("448881ef475b9b26"));
        QCOMPARE(amFingerprintHex(Labels{}), std::string("cbf29ce484222325"));
    }
    void groupKeyText() {
        QCOMPARE(amLabelSetText(Labels{{"b", "2"}, {"a", "1"}}), std::string("{a=\"1\", b=\"2\"}"));
    }
    void routeKeysAndInheritance() {
        auto cfg = parseAlertmanagerConfig(
            "route:\n  receiver: root\n  group_by: [alertname]\n  routes:\n"
            "    - matchers: ['team=~\"a|b\"', severity=\"critical\"]\n      group_wait: 5s\n"
            "      routes:\n        - match: {env: prod}\n          receiver: prod\n"
            "    - receiver: audit\n      group_by: ['...']\n"
            "receivers: [{name: root}, {name: prod}, {name: audit}]\n",
            "am.yml");
        QVERIFY2(cfg.isOk(), cfg.status().message().c_str());
        auto root = Route::build(cfg->config.route);
        const Route& team = *root->children()[0];
        const Route& prod = *team.children()[0];
        QCOMPARE(prod.key(),
                 std::string("{}/{severity=\"critical\",team=~\"a|b\"}/{env=\"prod\"}"));
        QCOMPARE(prod.options().groupWait.count(), 5000);  // inherited
        QCOMPARE(prod.options().groupBy, std::vector<std::string>{"alertname"});
        QCOMPARE(prod.options().receiver, std::string("prod"));
        QCOMPARE(team.options().receiver, std::string("root"));
        const Route& audit = *root->children()[1];
        QVERIFY(audit.options().groupByAll);
        const Labels alert{
            {"alertname", "X"}, {"env", "prod"}, {"severity", "critical"}, {"team", "a"}};
        QCOMPARE(prod.groupLabels(alert), (Labels{{"alertname", "X"}}));
        QCOMPARE(audit.groupLabels(alert), alert);
    }
    void configErrors_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("undefined-receiver") << "route: {receiver: x}\nreceivers: [{name: y}]\n"
                                            << "undefined receiver \"x\" used in route";
        QTest::newRow("root-matchers")
            << "route: {receiver: y, matchers: [a=1]}\nreceivers: [{name: y}]\n"
            << "root route must not have any matchers";
        QTest::newRow("wildcard-mixed")
            << "route: {receiver: y, group_by: ['...', a]}\nreceivers: [{name: y}]\n"
            << "cannot have wildcard group_by";
        QTest::newRow("zero-interval")
            << "route: {receiver: y, group_interval: 0s}\nreceivers: [{name: y}]\n"
            << "group_interval cannot be zero";
        QTest::newRow("unknown-field")
            << "route: {receiver: y, recevier: z}\nreceivers: [{name: y}]\n"
            << "am.yml:1:22: unknown key 'recevier' in route; did you mean 'receiver'?";
        QTest::newRow("duplicate-receiver")
            << "route: {receiver: y}\nreceivers: [{name: y}, {name: y}]\n"
            << "notification config name \"y\" is not unique";
        QTest::newRow("slack-unknown-field")
            << "route: {receiver: y}\nreceivers: [{name: y, slack_configs: [{chanel: '#x'}]}]\n"
            << "unknown key 'chanel' in receivers[0].slack_configs[0]; did you mean 'channel'?";
        QTest::newRow("bad-time")
            << "route: {receiver: y}\nreceivers: [{name: y}]\ntime_intervals:\n  - name: t\n"
               "    time_intervals: [{times: [{start_time: '18:00', end_time: '09:00'}]}]\n"
            << "start time cannot be equal or greater than end time";
        QTest::newRow("undefined-interval")
            << "route: {receiver: y, routes: [{mute_time_intervals: [nope]}]}\nreceivers: [{name: "
               "y}]\n"
            << "undefined time interval \"nope\" used in route";
    }
    void configErrors() {
        QFETCH(QString, yaml);
        QFETCH(QString, expected);
        auto cfg = parseAlertmanagerConfig(yaml.toStdString(), "am.yml");
        QVERIFY(!cfg.isOk());
        QVERIFY2(QString::fromStdString(cfg.status().message()).contains(expected),
                 cfg.status().message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestAmMatchers)
#include "tst_am_matchers.moc"
