// Behaviour of the 0.0.4 text parser, table-driven after the cases of
// Prometheus's promparse tests: valid pages with every entry they yield, and
// invalid ones with the exact line and message.

#include <QtTest/QtTest>

#include <bit>
#include <charconv>
#include <cstring>

#include "core/scrape/prom_text_parser.h"
#include "parse_trace.h"

using namespace vigil::scrape;

namespace {

// Byte strings that may hold NUL: the length comes from the literal.
template <std::size_t N>
QByteArray bytes(const char (&s)[N]) {
    return QByteArray(s, static_cast<qsizetype>(N - 1));
}

std::string_view view(const QByteArray& b) {
    return std::string_view(b.constData(), static_cast<std::size_t>(b.size()));
}

}  // namespace

class TestPromTextParser : public QObject {
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void errors_data();
    void errors();
    void nanIsNormalised();
    void labelCallbackAndBuilder();
    void lineNumbersCountNewlinesInValues();
    void errorExcerptsAreBounded();
    void goFloatSyntax_data();
    void goFloatSyntax();
    void fastPathAgreesWithFromChars();
};

void TestPromTextParser::parse_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");

    QTest::newRow("summary, spacing and trailing commas")
        << bytes(
               "# HELP go_gc_duration_seconds A summary of the GC invocation durations.\n"
               "# \tTYPE go_gc_duration_seconds summary\n"
               "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
               "go_gc_duration_seconds{quantile=\"0.25\",} 7.424100000000001e-05\n"
               "go_gc_duration_seconds{quantile=\"0.8\", a=\"b\"} 8.3835e-05\n"
               "go_gc_duration_seconds{ quantile=\"0.9\", a=\"b\"} 8.3835e-05\n"
               "go_gc_duration_seconds { quantile= \"1.0\", a= \"b\", } 8.3835e-05\n"
               "go_gc_duration_seconds { quantile = \"2.0\" a = \"b\" } 8.3835e-05\n"
               "go_gc_duration_seconds_count 99\n")
        << QString(
               "help go_gc_duration_seconds \"A summary of the GC invocation durations.\"\n"
               "type go_gc_duration_seconds summary\n"
               "series go_gc_duration_seconds{quantile=\"0\"} => "
               "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
               "series go_gc_duration_seconds{quantile=\"0.25\",} => "
               "go_gc_duration_seconds{quantile=\"0.25\"} 7.424100000000001e-05\n"
               "series go_gc_duration_seconds{quantile=\"0.8\", a=\"b\"} => "
               "go_gc_duration_seconds{a=\"b\", quantile=\"0.8\"} 8.3835e-05\n"
               "series go_gc_duration_seconds{ quantile=\"0.9\", a=\"b\"} => "
               "go_gc_duration_seconds{a=\"b\", quantile=\"0.9\"} 8.3835e-05\n"
               "series go_gc_duration_seconds { quantile= \"1.0\", a= \"b\", } => "
               "go_gc_duration_seconds{a=\"b\", quantile=\"1.0\"} 8.3835e-05\n"
               "series go_gc_duration_seconds { quantile = \"2.0\" a = \"b\" } => "
               "go_gc_duration_seconds{a=\"b\", quantile=\"2.0\"} 8.3835e-05\n"
               "series go_gc_duration_seconds_count => go_gc_duration_seconds_count 99\n"
               "end");

    QTest::newRow("comments, blank lines, empty help")
        << bytes(
               "# Hrandom comment starting with prefix of HELP\n"
               "#\n"
               "\n"
               "   \t \n"
               "wind_speed{A=\"2\",c=\"3\"} 12345\n"
               "# comment with escaped \\n newline\n"
               "#TYPE not metadata without a space\n"
               "# HELPx not metadata either\n"
               "# HELP nohelp1\n"
               "# HELP nohelp2 \n")
        << QString(
               "comment \"# Hrandom comment starting with prefix of HELP\"\n"
               "comment \"#\"\n"
               "series wind_speed{A=\"2\",c=\"3\"} => wind_speed{A=\"2\", c=\"3\"} 12345\n"
               "comment \"# comment with escaped \\\\n newline\"\n"
               "comment \"#TYPE not metadata without a space\"\n"
               "comment \"# HELPx not metadata either\"\n"
               "help nohelp1 \"\"\n"
               "help nohelp2 \"\"\n"
               "end");

    QTest::newRow("timestamps, tabs, colons, underscores")
        << bytes(
               "# TYPE go_goroutines gauge\n"
               "go_goroutines 33  \t123123\n"
               "some:aggregate:rate5m{a_b=\"c\"}\t1\n"
               "_metric_starting_with_underscore 1\n"
               "testmetric{_label_starting_with_underscore=\"foo\"} 1 -0\n")
        << QString(
               "type go_goroutines gauge\n"
               "series go_goroutines => go_goroutines 33 @123123\n"
               "series some:aggregate:rate5m{a_b=\"c\"} => some:aggregate:rate5m{a_b=\"c\"} 1\n"
               "series _metric_starting_with_underscore => _metric_starting_with_underscore 1\n"
               "error: line 5: expected timestamp or new record, got \"-\" while parsing: "
               "\"testmetric{_label_starting_with_underscore=\\\"foo\\\"} 1 -\"");

    QTest::newRow("escapes in label values and help")
        << bytes(
               "# HELP m a \\\\ backslash, a \\n newline and a \\\" kept as written\n"
               "m{label=\"\\\"bar\\\"\",b=\"x\\\\y\",c=\"line\\nnext\",d=\"\\t stays\"} 1\n")
        << QString(
               "help m \"a \\\\ backslash, a \\n newline and a \\\\\\\" kept as written\"\n"
               "series m{label=\"\\\"bar\\\"\",b=\"x\\\\y\",c=\"line\\nnext\",d=\"\\t stays\"} => "
               "m{b=\"x\\\\y\", c=\"line\\nnext\", d=\"\\\\t stays\", label=\"\\\"bar\\\"\"} 1\n"
               "end");

    QTest::newRow("null bytes inside values and help, raw newline in a value")
        << bytes(
               "# HELP metric foo\x00"
               "bar\n"
               "null_byte_metric{a=\"abc\x00\"} 1\n"
               "multi{a=\"x\ny\"} 2\n")
        << QString::fromUtf8(
               bytes("help metric \"foo\\x00bar\"\n"
                     "series null_byte_metric{a=\"abc\x00\"} => null_byte_metric{a=\"abc\x00\"} 1\n"
                     "series multi{a=\"x\ny\"} => multi{a=\"x\\ny\"} 2\n"
                     "end"));

    QTest::newRow("special and Go-syntax values, no final newline")
        << bytes(
               "a NaN\nb +Inf\nc -Inf\nd inf\ne Infinity\nf -infinity\ng 1e3\nh .5\ni 5.\n"
               "j -0\nk +1\nl 1E-400\nm 0001.50\nn 1")
        << QString(
               "series a => a NaN\nseries b => b +Inf\nseries c => c -Inf\n"
               "series d => d +Inf\nseries e => e +Inf\nseries f => f -Inf\n"
               "series g => g 1000\nseries h => h 0.5\nseries i => i 5\n"
               "series j => j -0\nseries k => k 1\nseries l => l 0\nseries m => m 1.5\n"
               "series n => n 1\nend");

    QTest::newRow("empty label values are absent")
        << bytes("x{a=\"\",b=\"1\"} 1\ny{} 2\n")
        << QString("series x{a=\"\",b=\"1\"} => x{b=\"1\"} 1\nseries y{} => y 2\nend");

    QTest::newRow("NUL at line start ends the input")
        << bytes("a 1\n\x00garbage that is never read\n") << QString("series a => a 1\nend");

    QTest::newRow("histogram")
        << bytes(
               "# HELP http_request_duration_seconds Latency.\n"
               "# TYPE http_request_duration_seconds histogram\n"
               "http_request_duration_seconds_bucket{le=\"0.1\"} 3 1600000000000\n"
               "http_request_duration_seconds_bucket{le=\"+Inf\"} 5 1600000000000\n"
               "http_request_duration_seconds_sum 1.25 1600000000000\n"
               "http_request_duration_seconds_count 5 1600000000000\n")
        << QString(
               "help http_request_duration_seconds \"Latency.\"\n"
               "type http_request_duration_seconds histogram\n"
               "series http_request_duration_seconds_bucket{le=\"0.1\"} => "
               "http_request_duration_seconds_bucket{le=\"0.1\"} 3 "
               "@1600000000000\n"
               "series http_request_duration_seconds_bucket{le=\"+Inf\"} => "
               "http_request_duration_seconds_bucket{le=\"+Inf\"} 5 "
               "@1600000000000\n"
               "series http_request_duration_seconds_sum => "
               "http_request_duration_seconds_sum 1.25 @1600000000000\n"
               "series http_request_duration_seconds_count => "
               "http_request_duration_seconds_count 5 @1600000000000\n"
               "end");
}

void TestPromTextParser::parse() {
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);
    PromTextParser parser(view(input));
    const std::string got = testing::trace(parser);
    QCOMPARE(QString::fromStdString(got), expected);
}

void TestPromTextParser::errors_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");

    QTest::newRow("name only")
        << bytes("a") << "line 1: expected value after metric, got \"\" while parsing: \"a\"";
    QTest::newRow("single quotes")
        << bytes("a{b='c'} 1\n")
        << "line 1: expected label value, got \"'\" while parsing: \"a{b='\"";
    QTest::newRow("no label value")
        << bytes("a{b=\n")
        << "line 1: expected label value, got \"\\n\" while parsing: \"a{b=\\n\"";
    QTest::newRow("bad label name byte")
        << bytes("a{\xff=\"foo\"} 1\n")
        << "line 1: expected label name, got \"\\xff\" while parsing: \"a{\\xff\"";
    QTest::newRow("invalid utf8 label value")
        << bytes("a{b=\"\xff\"} 1\n")
        << "line 1: invalid UTF-8 label value while parsing: \"a{b=\\\"\\xff\\\"\"";
    QTest::newRow("value not a number")
        << bytes("a true\n")
        << "line 1: strconv.ParseFloat: parsing \"true\": invalid syntax while parsing: \"a true\"";
    QTest::newRow("unterminated label value") << bytes("something_weird{problem=\"")
                                              << "line 1: expected label value, got \"\\\"\" while "
                                                 "parsing: \"something_weird{problem=\\\"\"";
    QTest::newRow("empty label name")
        << bytes("empty_label_name{=\"\"} 0")
        << "line 1: expected label name, got \"=\" while parsing: \"empty_label_name{=\"";
    QTest::newRow("underscore in value")
        << bytes("foo 1_2\n")
        << "line 1: unsupported character in float while parsing: \"foo 1_2\"";
    QTest::newRow("hex float")
        << bytes("foo 0x1p-3\n")
        << "line 1: unsupported character in float while parsing: \"foo 0x1p-3\"";
    QTest::newRow("hex float upper P")
        << bytes("foo 0x1P-3\n")
        << "line 1: unsupported character in float while parsing: \"foo 0x1P-3\"";
    QTest::newRow("hex without exponent") << bytes("foo 0x10\n")
                                          << "line 1: strconv.ParseFloat: parsing \"0x10\": "
                                             "invalid syntax while parsing: \"foo 0x10\"";
    QTest::newRow("underscore in timestamp")
        << bytes("foo 0 1_2\n")
        << "line 1: expected next entry after timestamp, got \"_\" while parsing: \"foo 0 1_\"";
    QTest::newRow("brace without name")
        << bytes("{a=\"ok\"} 1")
        << "line 1: \"INVALID\" is not a valid start token, got \"{\" while parsing: \"{\"";
    QTest::newRow("TYPE without name")
        << bytes("# TYPE #\n")
        << "line 1: expected metric name after TYPE, got \"#\" while parsing: \"# TYPE #\"";
    QTest::newRow("HELP without name")
        << bytes("# HELP #\n")
        << "line 1: expected metric name after HELP, got \"#\" while parsing: \"# HELP #\"";
    QTest::newRow("OpenMetrics-only type")
        << bytes("# TYPE foo gaugehistogram\n") << "line 1: invalid metric type \"gaugehistogram\"";
    QTest::newRow("type with trailing space")
        << bytes("# TYPE foo counter \n") << "line 1: invalid metric type \"counter \"";
    QTest::newRow("error on a later line")
        << bytes("ok 1\nok 2\n\nbad{a=\"b\" 1\n")
        << "line 4: expected label name, got \"1\" while parsing: \"bad{a=\\\"b\\\" 1\"";
    QTest::newRow("duplicate label name")
        << bytes("a{b=\"c\",b=\"d\"} 1\n")
        << "line 1: label name \"b\" is not unique while parsing: \"a{b=\\\"c\\\",b=\\\"d\\\"}\"";
    QTest::newRow("negative timestamp")
        << bytes("a 1 -5\n")
        << "line 1: expected timestamp or new record, got \"-\" while parsing: \"a 1 -\"";
    QTest::newRow("timestamp overflow")
        << bytes("a 1 99999999999999999999\n")
        << "line 1: strconv.ParseInt: parsing \"99999999999999999999\": value out of range while "
           "parsing: \"a 1 99999999999999999999\"";
    QTest::newRow("value overflow") << bytes("a 1e400\n")
                                    << "line 1: strconv.ParseFloat: parsing \"1e400\": value out "
                                       "of range while parsing: \"a 1e400\"";
    QTest::newRow("after a multi-line label value")
        << bytes("a{b=\"x\ny\"} 1 2 3\n")
        << "line 2: expected next entry after timestamp, got \"3\" while parsing: "
           "\"a{b=\\\"x\\ny\\\"} 1 2 3\"";
    QTest::newRow("NUL in label name")
        << bytes("a{b\x00=\"hiih\"}\t1")
        << "line 1: expected equal, got \"\\x00\" while parsing: \"a{b\\x00\"";
    QTest::newRow("NUL after name")
        << bytes("a\x00{b=\"ddd\"} 1")
        << "line 1: expected value after metric, got \"\\x00\" while parsing: \"a\\x00\"";
    QTest::newRow("NUL after timestamp") << bytes("a 0 1\x00")
                                         << "line 1: expected next entry after timestamp, got "
                                            "\"\\x00\" while parsing: \"a 0 1\\x00\"";
    QTest::newRow("invalid utf8 help")
        << bytes("# HELP m \xff\n") << "line 1: help text \"\\xff\" is not a valid utf8 string";
    QTest::newRow("double comma")
        << bytes("a{b=\"c\",,d=\"e\"} 1")
        << "line 1: expected label name, got \",\" while parsing: \"a{b=\\\"c\\\",,\"";
    QTest::newRow("value on line 3")
        << bytes("a{b=\"c\"} 1 2\n# comment\nfoo bar\n")
        << "line 3: strconv.ParseFloat: parsing \"bar\": invalid syntax while parsing: \"foo bar\"";
    QTest::newRow("signed nan")
        << bytes("a +nan\n")
        << "line 1: strconv.ParseFloat: parsing \"+nan\": invalid syntax while "
           "parsing: \"a +nan\"";
    QTest::newRow("two dots")
        << bytes("a 1.2.3\n")
        << "line 1: strconv.ParseFloat: parsing \"1.2.3\": invalid syntax while "
           "parsing: \"a 1.2.3\"";
    QTest::newRow("digit start")
        << bytes("9 1\n")
        << "line 1: \"INVALID\" is not a valid start token, got \"9\" while parsing: \"9\"";
    QTest::newRow("colon in label name")
        << bytes("a{b:c=\"d\"} 1\n") << "line 1: expected equal, got \":\" while parsing: \"a{b:\"";
}

void TestPromTextParser::errors() {
    QFETCH(QByteArray, input);
    QFETCH(QString, error);
    PromTextParser parser(view(input));
    QCOMPARE(QString::fromStdString(testing::outcome(parser)), "error: " + error);
    // Errors are sticky.
    QCOMPARE(parser.next(), Entry::kInvalid);
    QVERIFY(!parser.status().isOk());
}

void TestPromTextParser::nanIsNormalised() {
    const QByteArray input = bytes("a NaN\n");
    PromTextParser parser(view(input));
    QCOMPARE(parser.next(), Entry::kSeries);
    QCOMPARE(std::bit_cast<std::uint64_t>(parser.value()), kNormalNaNBits);
    QVERIFY(!vigil::model::isStaleNaN(parser.value()));
}

void TestPromTextParser::labelCallbackAndBuilder() {
    const QByteArray input = bytes("req_total{path=\"/a\\\"b\",code=\"200\"} 7 1234\n");
    PromTextParser parser(view(input));
    QCOMPARE(parser.next(), Entry::kSeries);
    QCOMPARE(parser.metricName(), std::string_view("req_total"));
    QCOMPARE(parser.value(), 7.0);
    QCOMPARE(parser.timestamp().value_or(-1), vigil::model::Timestamp(1234));
    std::vector<std::pair<std::string, std::string>> seen;
    parser.forEachLabel([&](std::string_view name, std::string_view value) {
        seen.emplace_back(std::string(name), std::string(value));
    });
    QCOMPARE(seen.size(), std::size_t(3));
    QCOMPARE(seen[0].first, std::string("__name__"));
    QCOMPARE(seen[1].second, std::string("/a\"b"));
    QCOMPARE(seen[2].first, std::string("code"));
    vigil::model::LabelsBuilder builder;
    parser.labels(builder);
    QCOMPARE(builder.labels().toString(), std::string("req_total{code=\"200\", path=\"/a\\\"b\"}"));
    QVERIFY(!parser.exemplar(*std::make_unique<Exemplar>()));
    QCOMPARE(parser.next(), Entry::kEnd);
    QCOMPARE(parser.next(), Entry::kEnd);
}

void TestPromTextParser::lineNumbersCountNewlinesInValues() {
    const QByteArray input = bytes("a{b=\"1\n2\n3\"} 1\n\nc 1\n");
    PromTextParser parser(view(input));
    QCOMPARE(parser.next(), Entry::kSeries);
    QCOMPARE(parser.line(), std::size_t(1));
    QCOMPARE(parser.next(), Entry::kSeries);
    QCOMPARE(parser.line(), std::size_t(5));
}

void TestPromTextParser::errorExcerptsAreBounded() {
    // A stray quote swallows the rest of a big page as one label value.
    QByteArray input = "ok 1\nbroken{a=\"" + QByteArray("x 1\n").repeated(100000);
    PromTextParser parser(view(input));
    QCOMPARE(parser.next(), Entry::kSeries);
    QCOMPARE(parser.next(), Entry::kInvalid);
    const std::string& message = parser.status().message();
    QVERIFY2(message.starts_with("line 2: expected label value, got \"\\\"x 1\\nx 1"),
             message.c_str());
    QVERIFY(message.size() < 1000);
}

void TestPromTextParser::goFloatSyntax_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<double>("value");
    QTest::newRow("int") << QByteArray("42") << true << 42.0;
    QTest::newRow("plus") << QByteArray("+42") << true << 42.0;
    QTest::newRow("neg frac") << QByteArray("-0.25") << true << -0.25;
    QTest::newRow("leading dot") << QByteArray(".5") << true << 0.5;
    QTest::newRow("trailing dot") << QByteArray("5.") << true << 5.0;
    QTest::newRow("exp") << QByteArray("1.5e3") << true << 1500.0;
    QTest::newRow("exp sign") << QByteArray("15E-1") << true << 1.5;
    QTest::newRow("16 digits") << QByteArray("1234567890123456") << true << 1234567890123456.0;
    QTest::newRow("many digits") << QByteArray("0.1000000000000000055511151231257827") << true
                                 << 0.1;
    QTest::newRow("max") << QByteArray("1.7976931348623157e308") << true << 1.7976931348623157e308;
    QTest::newRow("underflow is 0") << QByteArray("1e-400") << true << 0.0;
    QTest::newRow("inf") << QByteArray("iNf") << true << qInf();
    QTest::newRow("+infinity") << QByteArray("+infinity") << true << qInf();
    QTest::newRow("-Inf") << QByteArray("-Inf") << true << -qInf();
    QTest::newRow("empty") << QByteArray("") << false << 0.0;
    QTest::newRow("sign only") << QByteArray("-") << false << 0.0;
    QTest::newRow("dot only") << QByteArray(".") << false << 0.0;
    QTest::newRow("exp without digits") << QByteArray("1e") << false << 0.0;
    QTest::newRow("infin") << QByteArray("infin") << false << 0.0;
    QTest::newRow("-nan") << QByteArray("-NaN") << false << 0.0;
    QTest::newRow("space") << QByteArray(" 1") << false << 0.0;
    QTest::newRow("overflow") << QByteArray("2e308") << false << 0.0;
}

void TestPromTextParser::goFloatSyntax() {
    QFETCH(QByteArray, text);
    QFETCH(bool, ok);
    QFETCH(double, value);
    double got = -1;
    std::string error;
    QCOMPARE(parseGoFloat(view(text), got, error), ok);
    if (ok)
        QCOMPARE(got, value);
    else
        QVERIFY(error.starts_with("strconv.ParseFloat: parsing"));
}

void TestPromTextParser::fastPathAgreesWithFromChars() {
    // The short-decimal fast path must give exactly the double that a correct
    // parser (std::from_chars) gives, for every split of digits around the dot.
    quint64 x = 88172645463325252ULL;
    for (int i = 0; i < 200000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const int digits = 1 + static_cast<int>(x % 15);
        std::string mantissa = std::to_string(x % 1000000000000000ULL);
        if (static_cast<int>(mantissa.size()) > digits)
            mantissa.resize(static_cast<std::size_t>(digits));
        const std::size_t dot = (x >> 20) % (mantissa.size() + 1);
        // Built by concatenation: GCC 12 -O3 warns falsely on string::insert.
        const std::string text = std::string((x & (1ULL << 40)) ? "-" : "") +
                                 mantissa.substr(0, dot) + "." + mantissa.substr(dot);
        double fast = 0;
        double reference = 0;
        std::string error;
        QVERIFY(parseGoFloat(text, fast, error));
        std::string_view body = text;
        std::from_chars(body.data(), body.data() + body.size(), reference);
        if (std::bit_cast<quint64>(fast) != std::bit_cast<quint64>(reference))
            QFAIL(("mismatch for " + text).c_str());
    }
}

QTEST_GUILESS_MAIN(TestPromTextParser)
#include "tst_prom_text_parser.moc"
