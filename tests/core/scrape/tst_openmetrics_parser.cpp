// Behaviour of the OpenMetrics 1.0 parser, table-driven after the cases of
// Prometheus's openmetricsparse tests, plus the optional family rules.

#include <QtTest/QtTest>

#include "core/scrape/openmetrics_parser.h"
#include "parse_trace.h"

using namespace vigil::scrape;

namespace {

template <std::size_t N>
QByteArray bytes(const char (&s)[N]) {
    return QByteArray(s, static_cast<qsizetype>(N - 1));
}

std::string_view view(const QByteArray& b) {
    return std::string_view(b.constData(), static_cast<std::size_t>(b.size()));
}

}  // namespace

class TestOpenMetricsParser : public QObject {
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void errors_data();
    void errors();
    void familyRules_data();
    void familyRules();
    void timestampsAreTruncatedLikePrometheus_data();
    void timestampsAreTruncatedLikePrometheus();
    void exemplarAccess();
};

void TestOpenMetricsParser::parse_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");

    QTest::newRow("eof only") << bytes("# EOF") << QString("end");
    QTest::newRow("eof with newline") << bytes("# EOF\n") << QString("end");

    QTest::newRow("metadata, summary and counter")
        << bytes(
               "# HELP go_gc_duration_seconds A summary of the GC invocation durations.\n"
               "# TYPE go_gc_duration_seconds summary\n"
               "# UNIT go_gc_duration_seconds seconds\n"
               "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
               "go_gc_duration_seconds{quantile=\"0.25\",} 7.424100000000001e-05\n"
               "go_gc_duration_seconds{quantile=\"0.5\",a=\"b\"} 8.3835e-05\n"
               "# HELP nohelp1 \n"
               "# HELP help2 escape \\ \\n \\\\ \\\" \\x chars\n"
               "# UNIT nounit \n"
               "go_gc_duration_seconds{quantile=\"1.0\",a=\"b\"} 8.3835e-05\n"
               "go_gc_duration_seconds_count 99\n"
               "some:aggregate:rate5m{a_b=\"c\"} 1\n"
               "# HELP go_goroutines Number of goroutines that currently exist.\n"
               "# TYPE go_goroutines gauge\n"
               "go_goroutines 33 123.123\n"
               "# TYPE hh histogram\n"
               "hh_bucket{le=\"+Inf\"} 1\n"
               "# TYPE gh gaugehistogram\n"
               "gh_bucket{le=\"+Inf\"} 1\n"
               "# TYPE ii info\n"
               "ii{foo=\"bar\"} 1\n"
               "# TYPE ss stateset\n"
               "ss{ss=\"foo\"} 1\n"
               "ss{ss=\"bar\"} 0\n"
               "# TYPE un unknown\n"
               "_metric_starting_with_underscore 1\n"
               "testmetric{_label_starting_with_underscore=\"foo\"} 1\n"
               "testmetric{label=\"\\\"bar\\\"\"} 1\n"
               "# EOF\n")
        << QString(
               "help go_gc_duration_seconds \"A summary of the GC invocation durations.\"\n"
               "type go_gc_duration_seconds summary\n"
               "unit go_gc_duration_seconds seconds\n"
               "series go_gc_duration_seconds{quantile=\"0\"} => "
               "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
               "series go_gc_duration_seconds{quantile=\"0.25\",} => "
               "go_gc_duration_seconds{quantile=\"0.25\"} 7.424100000000001e-05\n"
               "series go_gc_duration_seconds{quantile=\"0.5\",a=\"b\"} => "
               "go_gc_duration_seconds{a=\"b\", quantile=\"0.5\"} 8.3835e-05\n"
               "help nohelp1 \"\"\n"
               "help help2 \"escape \\\\ \\n \\\\ \\\" \\\\x chars\"\n"
               "unit nounit \n"
               "series go_gc_duration_seconds{quantile=\"1.0\",a=\"b\"} => "
               "go_gc_duration_seconds{a=\"b\", quantile=\"1.0\"} 8.3835e-05\n"
               "series go_gc_duration_seconds_count => go_gc_duration_seconds_count 99\n"
               "series some:aggregate:rate5m{a_b=\"c\"} => some:aggregate:rate5m{a_b=\"c\"} 1\n"
               "help go_goroutines \"Number of goroutines that currently exist.\"\n"
               "type go_goroutines gauge\n"
               "series go_goroutines => go_goroutines 33 @123123\n"
               "type hh histogram\n"
               "series hh_bucket{le=\"+Inf\"} => hh_bucket{le=\"+Inf\"} 1\n"
               "type gh gaugehistogram\n"
               "series gh_bucket{le=\"+Inf\"} => gh_bucket{le=\"+Inf\"} 1\n"
               "type ii info\n"
               "series ii{foo=\"bar\"} => ii{foo=\"bar\"} 1\n"
               "type ss stateset\n"
               "series ss{ss=\"foo\"} => ss{ss=\"foo\"} 1\n"
               "series ss{ss=\"bar\"} => ss{ss=\"bar\"} 0\n"
               "type un unknown\n"
               "series _metric_starting_with_underscore => _metric_starting_with_underscore 1\n"
               "series testmetric{_label_starting_with_underscore=\"foo\"} => "
               "testmetric{_label_starting_with_underscore=\"foo\"} 1\n"
               "series testmetric{label=\"\\\"bar\\\"\"} => testmetric{label=\"\\\"bar\\\"\"} 1\n"
               "end");

    QTest::newRow("exemplars and timestamps")
        << bytes(
               "# TYPE foo counter\n"
               "foo_total 17.0 1520879607.789 # {id=\"counter-test\"} 5\n"
               "foo_total{a=\"b\"} 17 # {id=\"counter-test\"} 5 123\n"
               "foo_total{le=\"c\"} 21 # {} 0.5\n"
               "foo_created 1520872607.123\n"
               "# TYPE bar histogram\n"
               "bar_bucket{le=\"0.1\"} 8 # {id=\"a\",span=\"b\"} 0.05 1520879607.1\n"
               "bar_count 17 -12\n"
               "# EOF\n")
        << QString(
               "type foo counter\n"
               "series foo_total => foo_total 17 @1520879607789 # {id=\"counter-test\"} 5\n"
               "series foo_total{a=\"b\"} => foo_total{a=\"b\"} 17 # {id=\"counter-test\"} 5 "
               "@123000\n"
               "series foo_total{le=\"c\"} => foo_total{le=\"c\"} 21 # {} 0.5\n"
               "series foo_created => foo_created 1520872607.123\n"
               "type bar histogram\n"
               "series bar_bucket{le=\"0.1\"} => bar_bucket{le=\"0.1\"} 8 # {id=\"a\", "
               "span=\"b\"} 0.05 @1520879607100\n"
               "series bar_count => bar_count 17 @-12000\n"
               "end");

    QTest::newRow("special values")
        << bytes("a NaN\nb +Inf\nc -Inf\nd 1e-3 1e3\ne -0.0\n# EOF")
        << QString(
               "series a => a NaN\nseries b => b +Inf\nseries c => c -Inf\n"
               "series d => d 0.001 @1000000\nseries e => e -0\nend");

    QTest::newRow("null bytes in label value")
        << bytes("null_byte_metric{a=\"abc\x00\"} 1\n# EOF")
        << QString::fromUtf8(bytes(
               "series null_byte_metric{a=\"abc\x00\"} => null_byte_metric{a=\"abc\x00\"} 1\nend"));
}

void TestOpenMetricsParser::parse() {
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);
    OpenMetricsParser parser(view(input));
    QCOMPARE(QString::fromStdString(testing::trace(parser)), expected);
    QCOMPARE(parser.next(), Entry::kEnd);
}

void TestOpenMetricsParser::errors_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << bytes("") << "line 1: data does not end with # EOF";
    QTest::newRow("blank line") << bytes("\n")
                                << "line 1: \"INVALID\" \"\\n\" is not a valid start token";
    QTest::newRow("name at end")
        << bytes("metric")
        << "line 1: expected value after metric, got \"\" while parsing: \"metric\"";
    QTest::newRow("no eof, no newline")
        << bytes("metric 1") << "line 1: data does not end with # EOF";
    QTest::newRow("no eof") << bytes("metric 1\n") << "line 2: data does not end with # EOF";
    QTest::newRow("no eof after exemplar")
        << bytes("metric_total 1 # {aa=\"bb\"} 4") << "line 1: data does not end with # EOF";
    QTest::newRow("no value")
        << bytes("a\n# EOF\n")
        << "line 1: expected value after metric, got \"\\n\" while parsing: \"a\\n\"";
    QTest::newRow("blank line between samples")
        << bytes("a 1\n\n# EOF\n") << "line 2: \"INVALID\" \"\\n\" is not a valid start token";
    QTest::newRow("leading space")
        << bytes(" a 1\n# EOF\n") << "line 1: \"INVALID\" \" \" is not a valid start token";
    QTest::newRow("digit start") << bytes("9\n# EOF\n")
                                 << "line 1: \"INVALID\" \"9\" is not a valid start token";
    QTest::newRow("untyped is 0.0.4 only")
        << bytes("# TYPE u untyped\n# EOF\n") << "line 1: invalid metric type \"untyped\"";
    QTest::newRow("type trailing space")
        << bytes("# TYPE c counter \n# EOF\n") << "line 1: invalid metric type \"counter \"";
    QTest::newRow("type double space")
        << bytes("# TYPE c  counter\n# EOF\n") << "line 1: invalid metric type \" counter\"";
    QTest::newRow("two spaces after #") << bytes("#  TYPE c counter\n# EOF\n")
                                        << "line 1: \"INVALID\" \" \" is not a valid start token";
    QTest::newRow("tab after #") << bytes("#\tTYPE c counter\n# EOF\n")
                                 << "line 1: \"INVALID\" \"\\t\" is not a valid start token";
    QTest::newRow("plain comment")
        << bytes("# H\n# EOF\n") << "line 1: \"INVALID\" \"H\" is not a valid start token";
    QTest::newRow("TYPE no name")
        << bytes("# TYPE \n# EOF\n")
        << "line 1: expected metric name after TYPE, got \"\\n\" while parsing: \"# TYPE \\n\"";
    QTest::newRow("TYPE no text") << bytes("# TYPE m\n# EOF\n") << "line 1: expected text in TYPE";
    QTest::newRow("unit not a suffix")
        << bytes("# UNIT metric suffix\n# EOF\n")
        << "line 1: unit not a suffix of metric \"metric\" while parsing: \"# UNIT metric suffix\"";
    QTest::newRow("unit without underscore")
        << bytes("# UNIT metricsuffix suffix\n# EOF\n")
        << "line 1: unit not a suffix of metric \"metricsuffix\" while parsing: \"# UNIT "
           "metricsuffix suffix\"";
    QTest::newRow("unit longer than name")
        << bytes("# UNIT m suffix\n# EOF\n")
        << "line 1: unit not a suffix of metric \"m\" while parsing: \"# UNIT m suffix\"";
    QTest::newRow("UNIT no name")
        << bytes("# UNIT \n# EOF\n")
        << "line 1: expected metric name after UNIT, got \"\\n\" while parsing: \"# UNIT \\n\"";
    QTest::newRow("UNIT no text") << bytes("# UNIT m\n# EOF\n") << "line 1: expected text in UNIT";
    QTest::newRow("HELP no text") << bytes("# HELP m\n# EOF\n") << "line 1: expected text in HELP";
    QTest::newRow("tab before value")
        << bytes("a\t1\n# EOF\n")
        << "line 1: expected value after metric, got \"\\t\" while parsing: \"a\\t\"";
    QTest::newRow("tab inside value") << bytes("a 1\t2\n# EOF\n")
                                      << "line 1: strconv.ParseFloat: parsing \"1\\t2\": invalid "
                                         "syntax while parsing: \"a 1\\t2\"";
    QTest::newRow("space after timestamp")
        << bytes("a 1 2 \n# EOF\n")
        << "line 1: expected next entry after timestamp, got \" \\n\" while parsing: \"a 1 2 \\n\"";
    QTest::newRow("bad timestamp")
        << bytes("a 1 1z\n# EOF\n")
        << "line 1: strconv.ParseFloat: parsing \"1z\": invalid syntax while parsing: \"a 1 1z\"";
    QTest::newRow("space before eof")
        << bytes(" # EOF\n") << "line 1: \"INVALID\" \" \" is not a valid start token";
    QTest::newRow("data after eof") << bytes("# EOF\na 1") << "line 2: unexpected data after # EOF";
    QTest::newRow("blank after eof") << bytes("# EOF\n\n") << "line 2: unexpected data after # EOF";
    QTest::newRow("eof glued") << bytes("# EOFa 1") << "line 1: unexpected data after # EOF";
    QTest::newRow("three numbers") << bytes("a 1 1 1\n# EOF\n")
                                   << "line 1: expected next entry after timestamp, got \" 1\\n\" "
                                      "while parsing: \"a 1 1 1\\n\"";
    QTest::newRow("single quotes")
        << bytes("a{b='c'} 1\n# EOF\n")
        << "line 1: expected label value, got \"'\" while parsing: \"a{b='\"";
    QTest::newRow("leading comma")
        << bytes("a{,b=\"c\"} 1\n# EOF\n")
        << "line 1: expected label name or left brace, got \",\" while parsing: \"a{,\"";
    QTest::newRow("missing comma")
        << bytes("a{b=\"c\"d=\"e\"} 1\n# EOF\n")
        << "line 1: expected comma, got \"d\" while parsing: \"a{b=\\\"c\\\"d\"";
    QTest::newRow("double comma")
        << bytes("a{b=\"c\",,d=\"e\"} 1\n# EOF\n")
        << "line 1: expected label name, got \",\" while parsing: \"a{b=\\\"c\\\",,\"";
    QTest::newRow("space between labels")
        << bytes("a{b=\"c\", d=\"e\"} 1\n# EOF\n")
        << "line 1: expected label name, got \" \" while parsing: \"a{b=\\\"c\\\", \"";
    QTest::newRow("no label value")
        << bytes("a{b=\n# EOF\n")
        << "line 1: expected label value, got \"\\n\" while parsing: \"a{b=\\n\"";
    QTest::newRow("bad label name byte")
        << bytes("a{\xff=\"foo\"} 1\n# EOF\n")
        << "line 1: expected label name or left brace, got \"\\xff\" while parsing: \"a{\\xff\"";
    QTest::newRow("invalid utf8 value")
        << bytes("a{b=\"\xff\"} 1\n# EOF\n")
        << "line 1: invalid UTF-8 label value while parsing: \"a{b=\\\"\\xff\\\"\"";
    QTest::newRow("value not a number")
        << bytes("a true\n")
        << "line 1: strconv.ParseFloat: parsing \"true\": invalid syntax while parsing: \"a true\"";
    QTest::newRow("newline in label value") << bytes("something_weird{problem=\"\n# EOF\n")
                                            << "line 1: expected label value, got \"\\\"\\n\" "
                                               "while parsing: \"something_weird{problem=\\\"\\n\"";
    QTest::newRow("empty label name") << bytes("empty_label_name{=\"\"} 0\n# EOF\n")
                                      << "line 1: expected label name or left brace, got \"=\" "
                                         "while parsing: \"empty_label_name{=\"";
    QTest::newRow("underscore in value")
        << bytes("foo 1_2\n\n# EOF\n")
        << "line 1: unsupported character in float while parsing: \"foo 1_2\"";
    QTest::newRow("hex float")
        << bytes("foo 0x1p-3\n\n# EOF\n")
        << "line 1: unsupported character in float while parsing: \"foo 0x1p-3\"";
    QTest::newRow("underscore in timestamp")
        << bytes("foo 0 1_2\n\n# EOF\n")
        << "line 1: unsupported character in float while parsing: \"foo 0 1_2\"";
    QTest::newRow("exemplar on a name without _total or _bucket")
        << bytes("custom_metric 1 # {aa=\"bb\"} 1\n# EOF\n")
        << "line 1: metric name custom_metric does not support exemplars";
    QTest::newRow("exemplar unquoted value") << bytes("custom_metric_total 1 # {aa=bb}\n# EOF\n")
                                             << "line 1: expected label value, got \"b\" while "
                                                "parsing: \"custom_metric_total 1 # {aa=b\"";
    QTest::newRow("exemplar without value")
        << bytes("custom_metric_total 1 # {aa=\"bb\"}\n# EOF\n")
        << "line 1: expected value after exemplar labels, got \"\\n\" while parsing: "
           "\"custom_metric_total 1 # {aa=\\\"bb\\\"}\\n\"";
    QTest::newRow("exemplar label without value")
        << bytes("custom_metric_total 1 # {bb}\n# EOF\n")
        << "line 1: expected equal, got \"}\" while parsing: \"custom_metric_total 1 # {bb}\"";
    QTest::newRow("exemplar double comma")
        << bytes("custom_metric_total 1 # {aa=\"bb\",,cc=\"dd\"} 1\n# EOF\n")
        << "line 1: expected label name, got \",\" while parsing: \"custom_metric_total 1 # "
           "{aa=\\\"bb\\\",,\"";
    QTest::newRow("exemplar value underscore")
        << bytes("custom_metric_total 1 # {aa=\"bb\"} 1_2\n# EOF\n")
        << "line 1: unsupported character in float while parsing: \"custom_metric_total 1 # "
           "{aa=\\\"bb\\\"} 1_2\"";
    QTest::newRow("exemplar value not a number")
        << bytes("custom_metric_total 1 # {aa=\"bb\"} true\n# EOF\n")
        << "line 1: strconv.ParseFloat: parsing \"true\": invalid syntax while parsing: "
           "\"custom_metric_total 1 # {aa=\\\"bb\\\"} true\"";
    QTest::newRow("exemplar after exemplar timestamp")
        << bytes("a_total 1 # {x=\"y\"} 1 2 3\n# EOF\n")
        << "line 1: expected next entry after exemplar timestamp, got \" \" while parsing: "
           "\"a_total 1 # {x=\\\"y\\\"} 1 2 \"";
    QTest::newRow("brace without name")
        << bytes("{b=\"c\",} 1\n# EOF\n") << "line 1: \"INVALID\" \"{\" is not a valid start token";
    QTest::newRow("NaN timestamp")
        << bytes("a 1 NaN\n# EOF\n") << "line 1: invalid timestamp while parsing: \"a 1 NaN\"";
    QTest::newRow("-Inf timestamp")
        << bytes("a 1 -Inf\n# EOF\n") << "line 1: invalid timestamp while parsing: \"a 1 -Inf\"";
    QTest::newRow("Inf timestamp")
        << bytes("a 1 Inf\n# EOF\n") << "line 1: invalid timestamp while parsing: \"a 1 Inf\"";
    QTest::newRow("huge timestamp")
        << bytes("a 1 1e300\n# EOF\n") << "line 1: timestamp 1e300 is out of range";
    QTest::newRow("NaN exemplar timestamp")
        << bytes("# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 NaN\n# EOF\n")
        << "line 2: invalid exemplar timestamp while parsing: \"hhh_bucket{le=\\\"+Inf\\\"} 1 # "
           "{aa=\\\"bb\\\"} 4 NaN\"";
    QTest::newRow("-Inf exemplar timestamp")
        << bytes("# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 -Inf\n# EOF\n")
        << "line 2: invalid exemplar timestamp while parsing: \"hhh_bucket{le=\\\"+Inf\\\"} 1 # "
           "{aa=\\\"bb\\\"} 4 -Inf\"";
    QTest::newRow("NUL before label value")
        << bytes("a{b=\x00\"ssss\"} 1\n# EOF\n")
        << "line 1: expected label value, got \"\\x00\" while parsing: \"a{b=\\x00\"";
    QTest::newRow("NUL in label name")
        << bytes("a{b\x00=\"hiih\"} 1\n# EOF\n")
        << "line 1: expected equal, got \"\\x00\" while parsing: \"a{b\\x00\"";
    QTest::newRow("duplicate label")
        << bytes("a{b=\"1\",b=\"2\"} 1\n# EOF\n")
        << "line 1: label name \"b\" is not unique while parsing: \"a{b=\\\"1\\\",b=\\\"2\\\"}\"";
    QTest::newRow("error on line 4")
        << bytes("# TYPE a gauge\na 1\na{x=\"y\"} 2\na{x=\"z\"} 3 4 5\n# EOF\n")
        << "line 4: expected next entry after timestamp, got \" 5\\n\" while parsing: "
           "\"a{x=\\\"z\\\"} 3 4 5\\n\"";
}

void TestOpenMetricsParser::errors() {
    QFETCH(QByteArray, input);
    QFETCH(QString, error);
    OpenMetricsParser parser(view(input));
    QCOMPARE(QString::fromStdString(testing::outcome(parser)), "error: " + error);
    QCOMPARE(parser.next(), Entry::kInvalid);
}

void TestOpenMetricsParser::familyRules_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("strictOutcome");

    QTest::newRow("valid families")
        << bytes(
               "# TYPE c counter\n# HELP c h\nc_total 1 # {a=\"b\"} 1\nc_created 1\n"
               "# TYPE h histogram\nh_bucket{le=\"1\"} 1 # {a=\"b\"} 1\nh_bucket{le=\"+Inf\"} 1\n"
               "h_count 1\nh_sum 1\n# TYPE gh gaugehistogram\ngh_bucket{le=\"+Inf\"} 1\n"
               "gh_gcount 1\ngh_gsum 1\n# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_count 1\n"
               "s_sum 1\n# TYPE i info\ni_info{v=\"1\"} 1\n# TYPE st stateset\nst{st=\"a\"} 1\n"
               "st{st=\"b\"} 0\nplain 1\nplain_total 2\n# EOF\n")
        << QString("end");
    QTest::newRow("counter without _total")
        << bytes("# TYPE foo counter\nfoo 1\n# EOF\n")
        << "line 2: sample \"foo\" does not fit metric family \"foo\" of type counter (allowed "
           "suffixes: _total, _created)";
    QTest::newRow("gauge with _count")
        << bytes("# TYPE foo gauge\nfoo_count 1\n# EOF\n")
        << "line 2: sample \"foo_count\" does not fit metric family \"foo\" of type gauge (allowed "
           "suffixes: (none))";
    QTest::newRow("gaugehistogram with _sum")
        << bytes("# TYPE gh gaugehistogram\ngh_sum 1\n# EOF\n")
        << "line 2: sample \"gh_sum\" does not fit metric family \"gh\" of type gaugehistogram "
           "(allowed suffixes: _bucket, _gcount, _gsum)";
    QTest::newRow("info without _info")
        << bytes("# TYPE i info\ni{a=\"b\"} 1\n# EOF\n")
        << "line 2: sample \"i\" does not fit metric family \"i\" of type info (allowed suffixes: "
           "_info)";
    QTest::newRow("interleaved families")
        << bytes("# TYPE foo gauge\nfoo 1\n# TYPE bar gauge\nbar 1\nfoo 2\n# EOF\n")
        << "line 5: metric family \"foo\" appears again after other families (OpenMetrics "
           "families must not be interleaved)";
    QTest::newRow("metadata after samples")
        << bytes("# TYPE c counter\nc_total 1\n# HELP c late\n# EOF\n")
        << "line 3: metadata for metric family \"c\" after its samples";
    QTest::newRow("second TYPE") << bytes("# TYPE c counter\n# TYPE c gauge\n# EOF\n")
                                 << "line 2: second TYPE line for metric family \"c\"";
    QTest::newRow("stateset value")
        << bytes("# TYPE s stateset\ns{s=\"a\"} 2\n# EOF\n")
        << "line 2: stateset value must be 0 or 1 while parsing: \"s{s=\\\"a\\\"}\"";
    QTest::newRow("stateset label")
        << bytes("# TYPE s stateset\ns{x=\"a\"} 1\n# EOF\n")
        << "line 2: stateset sample without a label named after its family \"s\" while parsing: "
           "\"s{x=\\\"a\\\"}\"";
    QTest::newRow("info value")
        << bytes("# TYPE i info\ni_info{a=\"b\"} 2\n# EOF\n")
        << "line 2: info value must be 1 while parsing: \"i_info{a=\\\"b\\\"}\"";
    QTest::newRow("bucket without le")
        << bytes("# TYPE h histogram\nh_bucket 1\n# EOF\n")
        << "line 2: histogram bucket without an \"le\" label while parsing: \"h_bucket\"";
    QTest::newRow("summary without quantile")
        << bytes("# TYPE s summary\ns 1\n# EOF\n")
        << "line 2: summary quantile sample without a \"quantile\" label while parsing: \"s\"";
    QTest::newRow("negative counter")
        << bytes("# TYPE c counter\nc_total -1\n# EOF\n")
        << "line 2: counter total must not be negative or NaN while parsing: \"c_total\"";
    QTest::newRow("exemplar outside counters and histograms")
        << bytes("# TYPE u unknown\nu_total 1 # {a=\"b\"} 1\n# EOF\n")
        << "line 2: exemplars are only allowed on counter _total and histogram _bucket samples "
           "while parsing: \"u_total\"";
    QTest::newRow("exemplar too long")
        << bytes(
               "# TYPE c counter\nc_total 1 # {trace_id=\"0123456789012345678901234567890123456789"
               "01234567890123456789012345678901234567890123456789012345678901234567890123456789abc"
               "defgh\"} 1\n"
               "# EOF\n")
        << "line 2: exemplar labels are 136 characters long, more than the 128 allowed while "
           "parsing: \"c_total\"";
}

void TestOpenMetricsParser::familyRules() {
    QFETCH(QByteArray, input);
    QFETCH(QString, strictOutcome);
    // Prometheus does not enforce these rules, so neither does the default.
    OpenMetricsParser lax(view(input));
    QCOMPARE(QString::fromStdString(testing::outcome(lax)), QString("end"));
    OpenMetricsParser strict(view(input), OpenMetricsParser::Options{.validateFamilies = true});
    QString got = QString::fromStdString(testing::outcome(strict));
    if (strictOutcome != "end")
        strictOutcome.prepend("error: ");
    QCOMPARE(got, strictOutcome);
}

void TestOpenMetricsParser::timestampsAreTruncatedLikePrometheus_data() {
    QTest::addColumn<QByteArray>("timestamp");
    QTest::addColumn<qint64>("ms");
    // int64(seconds * 1000) in float64 arithmetic, truncated toward zero.
    QTest::newRow("integer") << QByteArray("1600000000") << qint64(1600000000000);
    QTest::newRow("millis") << QByteArray("1600000000.5") << qint64(1600000000500);
    QTest::newRow("1.001 truncates") << QByteArray("1.001") << qint64(1000);
    QTest::newRow("sub-ms") << QByteArray("0.0009") << qint64(0);
    QTest::newRow("negative") << QByteArray("-1.5") << qint64(-1500);
    QTest::newRow("negative truncates toward zero") << QByteArray("-0.0019") << qint64(-1);
    QTest::newRow("exponent") << QByteArray("1.6e9") << qint64(1600000000000);
    // Checked against `promtool tsdb create-blocks-from openmetrics` + `promtool
    // tsdb dump` (Prometheus 2.42.0, Debian 12).
    QTest::newRow("promtool .001") << QByteArray("1600000015.001") << qint64(1600000015001);
    QTest::newRow("promtool .999") << QByteArray("1600000030.999") << qint64(1600000030999);
    QTest::newRow("promtool exponent") << QByteArray("1.6000000451e9") << qint64(1600000045100);
    QTest::newRow("promtool .0019") << QByteArray("1600000000.0019") << qint64(1600000000001);
}

void TestOpenMetricsParser::timestampsAreTruncatedLikePrometheus() {
    QFETCH(QByteArray, timestamp);
    QFETCH(qint64, ms);
    const QByteArray input = "m 1 " + timestamp + "\n# EOF\n";
    OpenMetricsParser parser(view(input));
    QCOMPARE(parser.next(), Entry::kSeries);
    QVERIFY(parser.timestamp().has_value());
    QCOMPARE(qint64(*parser.timestamp()), ms);
}

void TestOpenMetricsParser::exemplarAccess() {
    const QByteArray input = bytes(
        "# TYPE foo counter\nfoo_total 17 # {trace_id=\"x\\\"y\",span=\"1\"} 0.5 "
        "2.25\nfoo_total{a=\"b\"} 1\n# EOF\n");
    OpenMetricsParser parser(view(input));
    QCOMPARE(parser.next(), Entry::kType);
    QCOMPARE(parser.type(), MetricType::kCounter);
    QCOMPARE(parser.next(), Entry::kSeries);
    Exemplar ex;
    QVERIFY(parser.exemplar(ex));
    QCOMPARE(ex.labels.get("trace_id"), std::string_view("x\"y"));
    QCOMPARE(ex.labels.get("span"), std::string_view("1"));
    QCOMPARE(ex.value, 0.5);
    QCOMPARE(ex.timestamp.value_or(0), vigil::model::Timestamp(2250));
    QVERIFY(!parser.timestamp().has_value());
    QCOMPARE(parser.next(), Entry::kSeries);
    QVERIFY(!parser.exemplar(ex));
    QCOMPARE(parser.next(), Entry::kEnd);
}

QTEST_GUILESS_MAIN(TestOpenMetricsParser)
#include "tst_openmetrics_parser.moc"
