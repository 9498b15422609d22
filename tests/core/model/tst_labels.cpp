#include <QtTest>

#include "core/model/labels.h"
#include "core/model/sample.h"

using vigil::model::Labels;
using vigil::model::LabelsBuilder;

class TestLabels : public QObject {
    Q_OBJECT
private slots:
    void sortsAndDropsEmptyValues() {
        Labels l{{"job", "node"}, {"__name__", "up"}, {"empty", ""}, {"instance", "a:9100"}};
        QCOMPARE(l.size(), std::size_t(3));
        QCOMPARE(l[0].name, std::string("__name__"));
        QCOMPARE(l[1].name, std::string("instance"));
        QCOMPARE(l[2].name, std::string("job"));
        QVERIFY(!l.has("empty"));
        QCOMPARE(l.get("missing"), std::string_view());
        QCOMPARE(l.metricName(), std::string_view("up"));
    }
    void lastDuplicateWins() {
        Labels l = Labels::fromUnsorted({{"a", "1"}, {"b", "2"}, {"a", "3"}});
        QCOMPARE(l.size(), std::size_t(2));
        QCOMPARE(l.get("a"), std::string_view("3"));
    }
    void rendersLikePromQL() {
        QCOMPARE(Labels({{"__name__", "up"}, {"job", "a\"b\\c\nd"}}).toString(),
                 std::string("up{job=\"a\\\"b\\\\c\\nd\"}"));
        QCOMPARE(Labels({{"__name__", "up"}}).toString(), std::string("up"));
        QCOMPARE(Labels().toString(), std::string("{}"));
        QCOMPARE(Labels({{"a", "1"}, {"b", "2"}}).toString(), std::string("{a=\"1\", b=\"2\"}"));
    }
    void hashDistinguishesBoundaries() {
        // "ab"="c" and "a"="bc" must not collide trivially.
        QVERIFY(Labels({{"ab", "c"}}).hash() != Labels({{"a", "bc"}}).hash());
        QCOMPARE(Labels({{"a", "1"}, {"b", "2"}}).hash(), Labels({{"b", "2"}, {"a", "1"}}).hash());
    }
    void builderEdits() {
        Labels base{{"__name__", "up"}, {"job", "node"}};
        LabelsBuilder b(base);
        b.set("instance", "x").del("job").set("__name__", "");
        Labels out = b.labels();
        QCOMPARE(out.toString(), std::string("{instance=\"x\"}"));
        QCOMPARE(base.withoutMetricName().toString(), std::string("{job=\"node\"}"));
    }
    void staleNaNIsExactBitPattern() {
        QVERIFY(vigil::model::isStaleNaN(vigil::model::staleNaN()));
        QVERIFY(!vigil::model::isStaleNaN(std::numeric_limits<double>::quiet_NaN()));
        QCOMPARE(std::bit_cast<std::uint64_t>(vigil::model::staleNaN()), 0x7ff0000000000002ULL);
    }
};

QTEST_GUILESS_MAIN(TestLabels)
#include "tst_labels.moc"
