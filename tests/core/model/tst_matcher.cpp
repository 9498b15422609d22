#include <QtTest>

#include "core/model/matcher.h"

using vigil::model::Labels;
using vigil::model::Matcher;
using vigil::model::MatchType;

Q_DECLARE_METATYPE(MatchType)

class TestMatcher : public QObject {
    Q_OBJECT
private slots:
    void matches_data() {
        QTest::addColumn<MatchType>("type");
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("expected");
        QTest::newRow("eq") << MatchType::kEqual << "node"
                            << "node" << true;
        QTest::newRow("eq-miss") << MatchType::kEqual << "node"
                                 << "nodes" << false;
        QTest::newRow("neq") << MatchType::kNotEqual << "node"
                             << "x" << true;
        QTest::newRow("re-anchored") << MatchType::kRegexp << "no"
                                     << "node" << false;
        QTest::newRow("re-full") << MatchType::kRegexp << "no.*"
                                 << "node" << true;
        QTest::newRow("re-alt-anchored") << MatchType::kRegexp << "a|b"
                                         << "ab" << false;
        QTest::newRow("re-dot-newline") << MatchType::kRegexp << "a.b"
                                        << "a\nb" << true;
        QTest::newRow("nre") << MatchType::kNotRegexp << "5.."
                             << "500" << false;
        QTest::newRow("nre-miss") << MatchType::kNotRegexp << "5.."
                                  << "200" << true;
        QTest::newRow("absent-eq-empty") << MatchType::kEqual << ""
                                         << "" << true;
        QTest::newRow("re-empty") << MatchType::kRegexp << ".*"
                                  << "" << true;
    }
    void matches() {
        QFETCH(MatchType, type);
        QFETCH(QString, pattern);
        QFETCH(QString, value);
        QFETCH(bool, expected);
        auto m = Matcher::make(type, "job", pattern.toStdString());
        QVERIFY2(m.isOk(), m.status().message().c_str());
        QCOMPARE(m->matches(value.toStdString()), expected);
    }
    void absentLabelIsEmpty() {
        auto m = Matcher::make(MatchType::kEqual, "env", "");
        QVERIFY(m.isOk());
        QVERIFY(m->matches(Labels{{"job", "x"}}));
        QVERIFY(m->matchesEmpty());
        auto neq = Matcher::make(MatchType::kNotEqual, "env", "");
        QVERIFY(!neq->matches(Labels{{"job", "x"}}));
    }
    void badRegexIsAnError() {
        auto m = Matcher::make(MatchType::kRegexp, "job", "a(");
        QVERIFY(!m.isOk());
        QVERIFY(m.status().message().find("invalid regular expression") != std::string::npos);
    }
    void rendering() {
        auto m = Matcher::make(MatchType::kNotRegexp, "path", "/a\"b");
        QCOMPARE(m->toString(), std::string("path!~\"/a\\\"b\""));
    }
};

QTEST_GUILESS_MAIN(TestMatcher)
#include "tst_matcher.moc"
