// Format negotiation: the Accept header Prometheus sends and the parser the
// response's Content-Type selects.

#include <QtTest/QtTest>

#include "core/scrape/content_type.h"
#include "core/scrape/openmetrics_parser.h"
#include "core/scrape/prom_text_parser.h"

using namespace vigil::scrape;

Q_DECLARE_METATYPE(ExpositionFormat)

class TestContentType : public QObject {
    Q_OBJECT

private slots:
    void acceptHeaderIsPrometheus242();
    void parserFor_data();
    void parserFor();
    void makeParserBuildsTheChosenParser();
};

void TestContentType::acceptHeaderIsPrometheus242() {
    QCOMPARE(
        kScrapeAcceptHeader,
        std::string_view("application/openmetrics-text;version=1.0.0,application/"
                         "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,"
                         "*/*;q=0.1"));
}

void TestContentType::parserFor_data() {
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<ExpositionFormat>("format");
    QTest::addColumn<bool>("warns");

    QTest::newRow("absent") << QByteArray() << ExpositionFormat::kPromText << false;
    QTest::newRow("node_exporter") << QByteArray("text/plain; version=0.0.4; charset=utf-8")
                                   << ExpositionFormat::kPromText << false;
    QTest::newRow("openmetrics 1.0.0")
        << QByteArray("application/openmetrics-text; version=1.0.0; charset=utf-8")
        << ExpositionFormat::kOpenMetrics << false;
    QTest::newRow("openmetrics 0.0.1") << QByteArray("application/openmetrics-text;version=0.0.1")
                                       << ExpositionFormat::kOpenMetrics << false;
    QTest::newRow("case-insensitive")
        << QByteArray("Application/OpenMetrics-Text") << ExpositionFormat::kOpenMetrics << false;
    QTest::newRow("quoted parameter")
        << QByteArray("application/openmetrics-text; charset=\"utf-8\"")
        << ExpositionFormat::kOpenMetrics << false;
    QTest::newRow("unknown type falls back")
        << QByteArray("application/json") << ExpositionFormat::kPromText << false;
    QTest::newRow("protobuf is not supported")
        << QByteArray(
               "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; "
               "encoding=delimited")
        << ExpositionFormat::kPromText << true;
    QTest::newRow("broken parameter falls back with a warning")
        << QByteArray("application/openmetrics-text; version") << ExpositionFormat::kPromText
        << true;
    QTest::newRow("no subtype") << QByteArray("garbage") << ExpositionFormat::kPromText << true;
    QTest::newRow("unterminated quote")
        << QByteArray("application/openmetrics-text; charset=\"utf-8")
        << ExpositionFormat::kPromText << true;
}

void TestContentType::parserFor() {
    QFETCH(QByteArray, contentType);
    QFETCH(ExpositionFormat, format);
    QFETCH(bool, warns);
    FormatChoice choice = vigil::scrape::parserFor(contentType.toStdString());
    QCOMPARE(choice.format, format);
    QCOMPARE(!choice.warning.isOk(), warns);
    if (warns)
        QVERIFY2(choice.warning.message().find("Content-Type") != std::string::npos,
                 choice.warning.message().c_str());
}

void TestContentType::makeParserBuildsTheChosenParser() {
    const std::string_view body = "a 1\n";
    auto text = makeParser(ExpositionFormat::kPromText, body);
    QVERIFY(dynamic_cast<PromTextParser*>(text.get()) != nullptr);
    QCOMPARE(text->next(), Entry::kSeries);
    QCOMPARE(text->next(), Entry::kEnd);

    auto om = makeParser(ExpositionFormat::kOpenMetrics, body);
    QVERIFY(dynamic_cast<OpenMetricsParser*>(om.get()) != nullptr);
    QCOMPARE(om->next(), Entry::kSeries);
    QCOMPARE(om->next(), Entry::kInvalid);
    QCOMPARE(om->status().message(), std::string("line 2: data does not end with # EOF"));
}

QTEST_GUILESS_MAIN(TestContentType)
#include "tst_content_type.moc"
