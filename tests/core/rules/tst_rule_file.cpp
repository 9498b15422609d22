// Rule files: what is accepted, and where each problem is reported.

#include <QtTest>

#include "core/rules/rule_file.h"

using vigil::rules::parseRuleFile;
using vigil::rules::RuleFileErrors;

class TestRuleFile : public QObject {
    Q_OBJECT
private slots:
    void parsesEveryField() {
        const std::string text =
            "groups:\n"
            "  - name: g\n"
            "    interval: 30s\n"
            "    limit: 10\n"
            "    query_offset: 1m\n"
            "    rules:\n"
            "      - record: job:up:sum\n"
            "        expr: sum by (job) (up)\n"
            "        labels: {b: '2', a: '1'}\n"
            "      - alert: Down\n"
            "        expr: up == 0\n"
            "        for: 5m\n"
            "        keep_firing_for: 10m\n"
            "        annotations:\n"
            "          summary: '{{ $labels.instance }} down'\n"
            "      - alert: Down\n"  // duplicate rule names in a group are fine
            "        expr: up == 0\n";
        auto file = parseRuleFile(text, "r.yml");
        QVERIFY2(file.isOk(), file.status().message().c_str());
        QCOMPARE(file->groups.size(), std::size_t(1));
        const auto& g = file->groups[0];
        QCOMPARE(g.name, std::string("g"));
        QCOMPARE(g.interval.count(), 30000);
        QCOMPARE(g.limit, 10);
        QCOMPARE(g.queryOffset.count(), 60000);
        QCOMPARE(g.rules.size(), std::size_t(3));
        QVERIFY(!g.rules[0].alerting);
        QCOMPARE(g.rules[0].labels.front().first, std::string("a"));  // sorted
        QVERIFY(g.rules[0].parsed != nullptr);
        QVERIFY(g.rules[1].alerting);
        QCOMPARE(g.rules[1].holdDuration.count(), 300000);
        QCOMPARE(g.rules[1].keepFiringFor.count(), 600000);
        QCOMPARE(g.rules[1].line, 10);
        QCOMPARE(file->ruleCount(), std::size_t(3));
    }

    void reportsPositions_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");  // one of the positioned errors
        QTest::newRow("plain expr")
            << "groups:\n- name: g\n  rules:\n  - record: a\n    expr: sum(up\n"
            << "r.yml:5:17: group \"g\", rule 1, \"a\": could not parse "
               "expression: 1:7: parse error: unclosed left parenthesis";
        QTest::newRow("quoted expr")
            << "groups:\n- name: g\n  rules:\n  - record: a\n    expr: \"up + \"\n"
            << "r.yml:5:17: group \"g\", rule 1, \"a\": could not parse expression: 1:6: parse "
               "error: unexpected end of input";
        QTest::newRow("block expr, second line")
            << "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: |\n      up\n        == == "
               "0\n"
            << "r.yml:7:12: group \"g\", rule 1, \"A\": could not parse expression: 2:6: parse "
               "error: unexpected <op:==>";
        QTest::newRow("duplicate group")
            << "groups:\n- name: g\n  rules: []\n- name: g\n  rules: []\n"
            << "r.yml:4:3: groupname: \"g\" is repeated in the same file";
        QTest::newRow("bad record name")
            << "groups:\n- name: g\n  rules:\n  - record: 'a b'\n    expr: up\n"
            << "r.yml:4:13: group \"g\", rule 1, \"a b\": invalid recording rule name: a b";
        QTest::newRow("for on a recording rule")
            << "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n    for: 1m\n"
            << "r.yml:4:13: group \"g\", rule 1, \"a\": invalid field 'for' in recording rule";
        QTest::newRow("bad label name")
            << "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels:\n      "
               "bad-name: x\n"
            << "r.yml:7:17: group \"g\", rule 1, \"A\": invalid label name: bad-name";
        QTest::newRow("template that does not parse")
            << "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations:\n      "
               "s: '{{ $labels.x '\n"
            << "r.yml:7:10: group \"g\", rule 1, \"A\": annotation \"s\": template: __alert_A:1: "
               "unclosed action";
        QTest::newRow("unknown field")
            << "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for_: 1m\n"
            << "r.yml:6:5: field for_ not found in type rulefmt.RuleNode";
        QTest::newRow("bad duration")
            << "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: 5x\n"
            << "r.yml: not a valid duration string: \"5x\"";
        QTest::newRow("yaml syntax") << "groups: [\n"
                                     << "r.yml:2:1: yaml: line 2: end of sequence flow not found";
    }
    void reportsPositions() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        RuleFileErrors errors;
        auto file = parseRuleFile(text.toStdString(), "r.yml", &errors);
        QVERIFY(!file.isOk());
        QVERIFY(!errors.promtool.empty());
        bool found = false;
        for (const auto& e : errors.positioned)
            found = found || e == expected.toStdString();
        QVERIFY2(found, file.status().message().c_str());
        QVERIFY(file.status().message().find(expected.toStdString()) != std::string::npos);
    }

    void emptyFileHasNoGroups() {
        auto file = parseRuleFile("", "r.yml");
        QVERIFY(file.isOk());
        QVERIFY(file->groups.empty());
    }

    void names() {
        QVERIFY(vigil::rules::isValidMetricName("job:up:sum"));
        QVERIFY(!vigil::rules::isValidMetricName("1abc"));
        QVERIFY(!vigil::rules::isValidMetricName("a-b"));
        QVERIFY(vigil::rules::isValidLabelName("_a1"));
        QVERIFY(!vigil::rules::isValidLabelName("a:b"));
    }
};

QTEST_GUILESS_MAIN(TestRuleFile)
#include "tst_rule_file.moc"
