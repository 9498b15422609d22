#include <QtTest>

#include "core/scrape/relabel.h"
#include "core/scrape/target_labels.h"

using namespace vigil::scrape;
using vigil::model::Labels;

namespace {

RelabelConfig config(RelabelAction action, std::vector<std::string> sources, const char* regex,
                     const char* target = "", const char* replacement = "$1",
                     std::uint64_t modulus = 0) {
    RelabelConfig c;
    c.action = action;
    c.sourceLabels = std::move(sources);
    c.regex = *RelabelRegex::compile(regex);
    c.targetLabel = target;
    c.replacement = replacement;
    c.modulus = modulus;
    return c;
}

const Labels kInput{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}};

}  // namespace

class TestRelabel : public QObject {
    Q_OBJECT
private slots:
    void replaceWithGroups() {
        auto out = relabel(kInput,
                           {config(RelabelAction::kReplace, {"a"}, "f(.*)", "d", "ch${1}-ch${1}")});
        QVERIFY(out);
        QCOMPARE(out->get("d"), std::string_view("choo-choo"));
    }
    void replaceJoinsSources() {
        auto out = relabel(kInput, {config(RelabelAction::kReplace, {"a", "b"}, "f(.*);(.*)r", "a",
                                           "b${1}${2}m")});
        QCOMPARE(out->get("a"), std::string_view("boobam"));
    }
    void replaceNoMatchLeavesLabels() {
        auto out = relabel(kInput, {config(RelabelAction::kReplace, {"a"}, "x(.*)", "d")});
        QCOMPARE(*out, kInput);
    }
    void replaceEmptyResultDeletes() {
        auto out = relabel(kInput, {config(RelabelAction::kReplace, {"a"}, "(.*)", "b", "")});
        QVERIFY(!out->has("b"));
    }
    void replaceInvalidTargetIsSkipped() {
        auto out = relabel(kInput, {config(RelabelAction::kReplace, {"a"}, "(.*)", "$1-x", "v")});
        QCOMPARE(*out, kInput);  // "foo-x" is not a label name
    }
    void goExpandRules() {
        auto regex = *RelabelRegex::compile("(?P<host>[^:]+):(\\d+)");
        std::vector<std::string_view> groups;
        QVERIFY(regex.match("h1:80", groups));
        QCOMPARE(regex.expand("${host}-$2", groups), std::string("h1-80"));
        QCOMPARE(regex.expand("$hostx", groups), std::string(""));  // group "hostx" does not exist
        QCOMPARE(regex.expand("$$1", groups), std::string("$1"));
        QCOMPARE(regex.expand("${1}x", groups), std::string("h1x"));
        QCOMPARE(regex.expand("$1x", groups), std::string(""));  // "1x" is a name, not group 1
        QCOMPARE(regex.expand("a$", groups), std::string("a$"));
        QCOMPARE(regex.expand("${host", groups), std::string("${host"));
        QCOMPARE(regex.expand("$01", groups), std::string(""));  // leading zero: a name
    }
    void keepAndDrop() {
        QVERIFY(!relabel(kInput, {config(RelabelAction::kDrop, {"a"}, ".*o.*")}));
        QVERIFY(relabel(kInput, {config(RelabelAction::kDrop, {"a"}, "o")}));  // anchored: no match
        QVERIFY(!relabel(kInput, {config(RelabelAction::kKeep, {"a"}, "no-match")}));
        QVERIFY(relabel(kInput, {config(RelabelAction::kKeep, {"a"}, "f.*")}));
    }
    void keepEqualDropEqual() {
        const Labels l{{"a", "x"}, {"b", "x"}, {"c", "y"}};
        QVERIFY(relabel(l, {config(RelabelAction::kKeepEqual, {"a"}, "(.*)", "b")}));
        QVERIFY(!relabel(l, {config(RelabelAction::kKeepEqual, {"a"}, "(.*)", "c")}));
        QVERIFY(!relabel(l, {config(RelabelAction::kDropEqual, {"a"}, "(.*)", "b")}));
    }
    void hashmod() {
        auto out =
            relabel(kInput, {config(RelabelAction::kHashMod, {"c"}, "(.*)", "d", "$1", 1000)});
        QCOMPARE(out->get("d"), std::string_view("976"));
    }
    void labelmapDropKeep() {
        const Labels l{{"__meta_x", "1"}, {"__meta_y_z", "2"}, {"job", "j"}};
        auto mapped = relabel(l, {config(RelabelAction::kLabelMap, {}, "__meta_(.*)", "", "m_$1")});
        QCOMPARE(mapped->get("m_x"), std::string_view("1"));
        QCOMPARE(mapped->get("m_y_z"), std::string_view("2"));
        QCOMPARE(mapped->get("__meta_x"), std::string_view("1"));
        auto dropped = relabel(l, {config(RelabelAction::kLabelDrop, {}, "__meta_.*")});
        QCOMPARE(*dropped, (Labels{{"job", "j"}}));
        auto kept = relabel(l, {config(RelabelAction::kLabelKeep, {}, "__meta_.*")});
        QCOMPARE(kept->size(), std::size_t(2));
    }
    void caseChange() {
        const Labels l{{"a", "MiXeD"}};
        QCOMPARE(relabel(l, {config(RelabelAction::kLowercase, {"a"}, "(.*)", "lo")})->get("lo"),
                 std::string_view("mixed"));
        QCOMPARE(relabel(l, {config(RelabelAction::kUppercase, {"a"}, "(.*)", "up")})->get("up"),
                 std::string_view("MIXED"));
    }
    void validation_data() {
        QTest::addColumn<int>("action");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("replacement");
        QTest::addColumn<QString>("expected");
        QTest::newRow("replace-needs-target")
            << int(RelabelAction::kReplace) << ""
            << "$1"
            << "relabel configuration for replace action requires 'target_label' value";
        QTest::newRow("replace-bad-target")
            << int(RelabelAction::kReplace) << "1bad"
            << "$1"
            << "\"1bad\" is invalid 'target_label' for replace action";
        QTest::newRow("replace-template-ok") << int(RelabelAction::kReplace) << "x_$1"
                                             << "$1"
                                             << "";
        QTest::newRow("lowercase-no-template")
            << int(RelabelAction::kLowercase) << "x_$1"
            << "$1"
            << "\"x_$1\" is invalid 'target_label' for lowercase action";
        QTest::newRow("labelmap-bad-replacement")
            << int(RelabelAction::kLabelMap) << ""
            << "a-b"
            << "\"a-b\" is invalid 'replacement' for labelmap action";
        QTest::newRow("hashmod-modulus")
            << int(RelabelAction::kHashMod) << "t"
            << "$1"
            << "relabel configuration for hashmod requires non-zero modulus";
        QTest::newRow("labeldrop-only-regex")
            << int(RelabelAction::kLabelDrop) << "t"
            << "$1"
            << "labeldrop action requires only 'regex', and no other fields";
    }
    void validation() {
        QFETCH(int, action);
        QFETCH(QString, target);
        QFETCH(QString, replacement);
        QFETCH(QString, expected);
        RelabelConfig c;
        c.action = static_cast<RelabelAction>(action);
        c.targetLabel = target.toStdString();
        c.replacement = replacement.toStdString();
        const vigil::Status s = c.validate();
        if (expected.isEmpty()) {
            QVERIFY2(s.isOk(), s.message().c_str());
        } else {
            QCOMPARE(QString::fromStdString(s.message()), expected);
        }
    }
    void actionsParseCaseInsensitively() {
        QCOMPARE(parseRelabelAction("Replace"), std::optional(RelabelAction::kReplace));
        QCOMPARE(parseRelabelAction("LABELMAP"), std::optional(RelabelAction::kLabelMap));
        QVERIFY(!parseRelabelAction("frobnicate"));
    }
    void targetDefaultsAndPort() {
        TargetDefaults d;
        d.jobName = "node";
        d.params["module"] = {"http_2xx", "other"};
        auto t = populateTargetLabels(Labels{{"__address__", "host"}, {"__meta_k", "v"}}, d, {});
        QVERIFY2(t.isOk(), t.status().message().c_str());
        QCOMPARE(t->final.get("__address__"), std::string_view("host:80"));
        QCOMPARE(t->final.get("instance"), std::string_view("host:80"));
        QCOMPARE(t->final.get("__param_module"), std::string_view("http_2xx"));
        QVERIFY(!t->final.has("__meta_k"));
        QCOMPARE(t->discovered.get("__meta_k"), std::string_view("v"));
        QCOMPARE(t->discovered.get("__scrape_interval__"), std::string_view("1m"));
        QCOMPARE(t->publicLabels(), (Labels{{"instance", "host:80"}, {"job", "node"}}));
        d.scheme = "https";
        QCOMPARE(
            populateTargetLabels(Labels{{"__address__", "h"}}, d, {})->final.get("__address__"),
            std::string_view("h:443"));
        QCOMPARE(
            populateTargetLabels(Labels{{"__address__", "[::1]"}}, d, {})->final.get("__address__"),
            std::string_view("[::1]:443"));
        QVERIFY(!populateTargetLabels(Labels{{"__address__", "h/x"}}, d, {}).isOk());
        QVERIFY(!populateTargetLabels(Labels{}, d, {}).isOk());
        auto dropped =
            populateTargetLabels(Labels{{"__address__", "h:1"}}, d,
                                 {config(RelabelAction::kDrop, {"__address__"}, "h:.*")});
        QVERIFY(dropped->dropped);
    }
};

QTEST_GUILESS_MAIN(TestRelabel)
#include "tst_relabel.moc"
