// Whole pages: real 0.0.4 pages captured from node_exporter 1.5.0 and
// Prometheus 2.42.0 (Debian 12), and OpenMetrics pages with every metric type,
// units, exemplars and timestamps.

#include <QtTest/QtTest>

#include <fstream>
#include <map>
#include <sstream>

#include "core/scrape/openmetrics_parser.h"
#include "core/scrape/prom_text_parser.h"
#include "parse_trace.h"

using namespace vigil;
using namespace vigil::scrape;

namespace {

std::string readFixture(const QString& name) {
    const QString path = QFINDTESTDATA("testdata/" + name);
    if (path.isEmpty())
        return {};
    std::ifstream in(path.toStdString(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct PageSummary {
    std::map<Entry, int> entries;
    std::map<std::string, model::Labels> firstSeriesByName;
    std::map<std::string, MetricType> types;
    std::map<std::string, std::string> help;
    std::map<std::string, std::string> units;
    std::vector<std::string> samples;  // trace lines of every series
    int exemplars = 0;
    std::string outcome;
};

PageSummary summarise(ExpositionParser& p) {
    PageSummary s;
    for (;;) {
        Entry e = p.next();
        if (e == Entry::kInvalid) {
            s.outcome = "error: " + p.status().message();
            return s;
        }
        if (e == Entry::kEnd) {
            s.outcome = "end";
            return s;
        }
        ++s.entries[e];
        switch (e) {
            case Entry::kSeries: {
                model::Labels labels = p.labels();
                s.firstSeriesByName.try_emplace(std::string(p.metricName()), labels);
                s.samples.push_back(testing::traceEntry(p, e));
                Exemplar ex;
                if (p.exemplar(ex))
                    ++s.exemplars;
                break;
            }
            case Entry::kType:
                s.types[std::string(p.metadataName())] = p.type();
                break;
            case Entry::kHelp:
                s.help[std::string(p.metadataName())] = std::string(p.help());
                break;
            case Entry::kUnit:
                s.units[std::string(p.metadataName())] = std::string(p.unit());
                break;
            default:
                break;
        }
    }
}

}  // namespace

class TestExpositionFixtures : public QObject {
    Q_OBJECT

private slots:
    void realPrometheusTextPages_data();
    void realPrometheusTextPages();
    void textPageIsNotOpenMetrics();
    void allTypesOpenMetrics();
    void allTypesIsNotPrometheusText();
    void backfillTimestamps();
};

void TestExpositionFixtures::realPrometheusTextPages_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("series");
    QTest::addColumn<int>("types");
    QTest::addColumn<QString>("buildInfo");
    QTest::addColumn<QString>("version");
    QTest::newRow("node_exporter 1.5.0")
        << "node_exporter.prom" << 507 << 283 << "node_exporter_build_info"
        << "1.5.0";
    QTest::newRow("prometheus 2.42.0")
        << "prometheus_2_42.prom" << 271 << -1 << "prometheus_build_info"
        << "2.42.0+ds";
}

void TestExpositionFixtures::realPrometheusTextPages() {
    QFETCH(QString, file);
    QFETCH(int, series);
    QFETCH(int, types);
    QFETCH(QString, buildInfo);
    QFETCH(QString, version);
    const std::string page = readFixture(file);
    QVERIFY2(!page.empty(), "fixture missing");
    PromTextParser parser(page);
    PageSummary s = summarise(parser);
    QCOMPARE(s.outcome, std::string("end"));
    QCOMPARE(s.entries[Entry::kSeries], series);
    if (types >= 0)
        QCOMPARE(s.entries[Entry::kType], types);
    QCOMPARE(s.entries[Entry::kHelp], s.entries[Entry::kType]);
    auto it = s.firstSeriesByName.find(buildInfo.toStdString());
    QVERIFY(it != s.firstSeriesByName.end());
    QCOMPARE(it->second.get("version"), std::string_view(version.toStdString()));
    QCOMPARE(it->second.get("goarch"), std::string_view("amd64"));
    // Every series' label set carries its metric name.
    for (const auto& [name, labels] : s.firstSeriesByName)
        QCOMPARE(labels.metricName(), std::string_view(name));
}

void TestExpositionFixtures::textPageIsNotOpenMetrics() {
    const std::string page = readFixture("node_exporter.prom");
    QVERIFY(!page.empty());
    OpenMetricsParser parser(page);
    PageSummary s = summarise(parser);
    // OpenMetrics has no `untyped`; node_exporter's first one is on line 407.
    QCOMPARE(s.outcome, std::string("error: line 407: invalid metric type \"untyped\""));
    QVERIFY(s.entries[Entry::kSeries] > 100);
    // Cut just before that line, the page still lacks `# EOF`.
    std::size_t cut = 0;
    for (int line = 1; line < 407; ++line)
        cut = page.find('\n', cut) + 1;
    OpenMetricsParser head(std::string_view(page).substr(0, cut));
    QCOMPARE(summarise(head).outcome, std::string("error: line 407: data does not end with # EOF"));
}

void TestExpositionFixtures::allTypesOpenMetrics() {
    const std::string page = readFixture("all_types.om.txt");
    QVERIFY(!page.empty());
    for (bool strict : {false, true}) {
        OpenMetricsParser parser(page, OpenMetricsParser::Options{.validateFamilies = strict});
        PageSummary s = summarise(parser);
        QCOMPARE(s.outcome, std::string("end"));
        QCOMPARE(s.entries[Entry::kSeries], 26);
        QCOMPARE(s.entries[Entry::kType], 8);
        QCOMPARE(s.entries[Entry::kHelp], 4);
        QCOMPARE(s.entries[Entry::kUnit], 2);
        QCOMPARE(s.exemplars, 3);
        QCOMPARE(s.types["acme_queue_length"], MetricType::kGaugeHistogram);
        QCOMPARE(s.types["acme_build"], MetricType::kInfo);
        QCOMPARE(s.types["acme_feature"], MetricType::kStateset);
        QCOMPARE(s.types["acme_other"], MetricType::kUnknown);
        QCOMPARE(s.units["acme_request_duration_seconds"], std::string("seconds"));
        QCOMPARE(s.help["acme_temperature_celsius"],
                 std::string("Temperature of the \"main\" sensor\nsecond line \\ done."));
        QCOMPARE(s.firstSeriesByName["acme_build_info"].get("revision"),
                 std::string_view("a\\b\"c\nd"));
        QCOMPARE(s.samples.front(),
                 std::string("series acme_http_requests_total{method=\"get\",code=\"200\"} => "
                             "acme_http_requests_total{code=\"200\", method=\"get\"} 1027 "
                             "@1700000000500 # {trace_id=\"KOO5S4vxi0o\"} 0.67 @1700000000123"));
        QCOMPARE(s.samples[5], std::string("series acme_temperature_celsius{sensor=\"aux\"} => "
                                           "acme_temperature_celsius{sensor=\"aux\"} NaN"));
        QCOMPARE(s.samples[24], std::string("series acme_other => acme_other 1.5 @-1500"));
        QCOMPARE(s.samples[25], std::string("series acme_untyped_without_metadata{x=\"y\"} => "
                                            "acme_untyped_without_metadata{x=\"y\"} 2 @1000000"));
    }
}

void TestExpositionFixtures::allTypesIsNotPrometheusText() {
    // 0.0.4 timestamps are integer milliseconds, so the first sample fails.
    const std::string page = readFixture("all_types.om.txt");
    PromTextParser parser(page);
    PageSummary s = summarise(parser);
    QCOMPARE(s.outcome,
             std::string("error: line 3: expected next entry after timestamp, got \".\" while "
                         "parsing: \"acme_http_requests_total{method=\\\"get\\\",code=\\\"200\\\"} "
                         "1027 1700000000.\""));
    // The gauge family is valid 0.0.4 except for its UNIT line, which is a
    // comment there; gaugehistogram is not a 0.0.4 type.
    const std::size_t from = page.find("# HELP acme_temperature_celsius");
    const std::size_t to = page.find("# HELP acme_request_duration_seconds");
    const std::string part =
        page.substr(from, to - from) + page.substr(page.find("# TYPE acme_queue_length"));
    PromTextParser partParser(part);
    PageSummary t = summarise(partParser);
    QCOMPARE(t.outcome, std::string("error: line 6: invalid metric type \"gaugehistogram\""));
    QCOMPARE(t.entries[Entry::kComment], 1);
    QCOMPARE(t.entries[Entry::kSeries], 2);
}

void TestExpositionFixtures::backfillTimestamps() {
    // What `vigilctl tsdb import openmetrics` reads: float seconds everywhere.
    const std::string page = readFixture("histogram_timeseries.om.txt");
    OpenMetricsParser parser(page, OpenMetricsParser::Options{.validateFamilies = true});
    std::vector<model::Timestamp> ts;
    for (Entry e = parser.next(); e != Entry::kEnd; e = parser.next()) {
        QVERIFY2(e != Entry::kInvalid, parser.status().message().c_str());
        if (e == Entry::kSeries)
            ts.push_back(parser.timestamp().value_or(-1));
    }
    const std::vector<model::Timestamp> expected = {1600000000000, 1600000015001, 1600000030999,
                                                    1600000045100, 1600000000500, 1600000000500,
                                                    1600000000500, 1600000000500};
    QCOMPARE(ts, expected);
}

QTEST_GUILESS_MAIN(TestExpositionFixtures)
#include "tst_exposition_fixtures.moc"
