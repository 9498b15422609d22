#include <QtTest>

#include "core/tsdb/head/head.h"
#include "core/tsdb/head/head_querier.h"
#include "head_test_util.h"

using namespace vigil;
using namespace vigil::tsdb;
using namespace vigil::tsdb::testing;
using model::Labels;
using model::MatchType;

// Matcher semantics of the head's postings (Prometheus PostingsForMatchers):
// =, !=, =~, !~ with fully anchored RE2, and an absent label equal to "".
// Each row lists the series expected by name; the same selection is also
// checked against model::matchesAll over every series.
class TestHeadMatchers : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<Head> m_head;
    std::vector<Labels> m_all;

    // "a=1;b!~x|y" -> matchers. Operators: =~ !~ != =.
    static std::vector<model::Matcher> parse(const QString& spec) {
        std::vector<model::Matcher> out;
        for (const QString& part : spec.split(';', Qt::SkipEmptyParts)) {
            const std::string p = part.toStdString();
            for (const auto& [op, type] :
                 std::vector<std::pair<std::string, MatchType>>{{"=~", MatchType::kRegexp},
                                                                {"!~", MatchType::kNotRegexp},
                                                                {"!=", MatchType::kNotEqual},
                                                                {"=", MatchType::kEqual}}) {
                const auto pos = p.find(op);
                if (pos != std::string::npos) {
                    out.push_back(matcher(type, p.substr(0, pos), p.substr(pos + op.size())));
                    break;
                }
            }
        }
        return out;
    }

private slots:
    void initTestCase() {
        auto head = Head::open(Env::posix(), "", {});
        QVERIFY(head.isOk());
        m_head = std::move(*head);
        // Series are named s1..s6 by their __name__.
        m_all = {
            Labels{{"__name__", "s1"}, {"job", "node"}, {"env", "prod"}},
            Labels{{"__name__", "s2"}, {"job", "node"}, {"env", "dev"}},
            Labels{{"__name__", "s3"}, {"job", "api"}},
            Labels{{"__name__", "s4"}, {"job", "api"}, {"env", "prod"}, {"path", "/a/b"}},
            Labels{{"__name__", "s5"}, {"path", "/a"}},
            Labels{{"__name__", "s6"}, {"job", "node-exporter"}, {"env", ""}},
        };
        auto app = m_head->appender();
        for (const auto& l : m_all)
            QCOMPARE(app->append(l, 1000, 1), model::AppendError::kNone);
        QVERIFY(app->commit());
    }

    void select_data() {
        QTest::addColumn<QString>("matchers");
        QTest::addColumn<QString>("expected");
        QTest::newRow("equal") << "job=node"
                               << "s1 s2";
        QTest::newRow("equal unknown value") << "job=nope"
                                             << "";
        QTest::newRow("equal unknown name") << "nope=x"
                                            << "";
        QTest::newRow("equal empty: absent label") << "__name__=~s.*;env="
                                                   << "s3 s5 s6";
        QTest::newRow("not equal includes absent") << "__name__=~s.*;env!=prod"
                                                   << "s2 s3 s5 s6";
        QTest::newRow("not equal empty: present") << "env!="
                                                  << "s1 s2 s4";
        QTest::newRow("regexp anchored") << "job=~nod"
                                         << "";
        QTest::newRow("regexp alternation") << "job=~node|api"
                                            << "s1 s2 s3 s4";
        QTest::newRow("regexp prefix") << "job=~node.*"
                                       << "s1 s2 s6";
        QTest::newRow("regexp matching empty") << "__name__=~s.*;env=~prod|"
                                               << "s1 s3 s4 s5 s6";
        QTest::newRow("regexp any incl. absent") << "__name__=~s.*;path=~.*"
                                                 << "s1 s2 s3 s4 s5 s6";
        QTest::newRow("regexp non-empty") << "path=~.+"
                                          << "s4 s5";
        QTest::newRow("not regexp") << "__name__=~s.*;job!~node.*"
                                    << "s3 s4 s5";
        QTest::newRow("not regexp non-empty") << "__name__=~s.*;path!~.+"
                                              << "s1 s2 s3 s6";
        QTest::newRow("not regexp anchored") << "__name__=~s.*;path!~/a"
                                             << "s1 s2 s3 s4 s6";
        QTest::newRow("intersection") << "job=api;env=prod"
                                      << "s4";
        QTest::newRow("intersection empty") << "job=node;path=/a"
                                            << "";
        QTest::newRow("subtraction chain") << "job=~.+;env!=dev;path!~/a.*"
                                           << "s1 s3 s6";
        QTest::newRow("only empty matchers") << "foo=;env!=dev"
                                             << "s1 s3 s4 s5 s6";
        QTest::newRow("special characters") << "path=/a/b"
                                            << "s4";
    }
    void select() {
        QFETCH(QString, matchers);
        QFETCH(QString, expected);
        const auto ms = parse(matchers);
        auto q = m_head->querier(0, 10'000);
        SeriesSamples got;
        QVERIFY(queryAll(*q, ms, got));
        QStringList names;
        for (const auto& [l, s] : got)
            names << QString::fromStdString(std::string(l.metricName()));
        QCOMPARE(names.join(' '), expected);
        // The reference semantics over every series agree.
        QStringList reference;
        for (const auto& l : m_all) {
            if (model::matchesAll(ms, l))
                reference << QString::fromStdString(std::string(l.metricName()));
        }
        QCOMPARE(names.join(' '), reference.join(' '));
    }

    void labelNamesAndValues() {
        auto q = m_head->querier(0, 10'000);
        auto names = q->labelNames({});
        QVERIFY(names.isOk());
        QCOMPARE(*names, (std::vector<std::string>{"__name__", "env", "job", "path"}));
        auto withMatchers = q->labelNames(parse("job=api"));
        QVERIFY(withMatchers.isOk());
        QCOMPARE(*withMatchers, (std::vector<std::string>{"__name__", "env", "job", "path"}));
        auto values = q->labelValues("job", {});
        QVERIFY(values.isOk());
        QCOMPARE(*values, (std::vector<std::string>{"api", "node", "node-exporter"}));
        auto filtered = q->labelValues("env", parse("job=~node.*"));
        QVERIFY(filtered.isOk());
        QCOMPARE(*filtered, (std::vector<std::string>{"dev", "prod"}));
        auto none = q->labelValues("nope", {});
        QVERIFY(none.isOk() && none->empty());
        auto series = static_cast<HeadQuerier&>(*q).series(parse("env=prod"));
        QVERIFY(series.isOk());
        QCOMPARE(series->size(), std::size_t(2));
        QCOMPARE((*series)[0], m_all[0]);
        QCOMPARE((*series)[1], m_all[3]);
    }

    void outOfRangeSeriesAreNotSelected() {
        auto q = m_head->querier(2000, 3000);
        SeriesSamples got;
        QVERIFY(queryAll(*q, parse("job=node"), got));
        QVERIFY(got.empty());
    }
};

QTEST_GUILESS_MAIN(TestHeadMatchers)
#include "tst_head_matchers.moc"
