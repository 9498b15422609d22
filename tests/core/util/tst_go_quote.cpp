#include <QtTest>

#include "core/util/go_quote.h"

class TestGoQuote : public QObject {
    Q_OBJECT
private slots:
    // Expected strings are what Go's strconv.Quote returns.
    void quotes_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("plain") << QByteArray("abc") << QByteArray("\"abc\"");
        QTest::newRow("quote-backslash") << QByteArray("a\"b\\c") << QByteArray("\"a\\\"b\\\\c\"");
        QTest::newRow("controls") << QByteArray("\a\b\f\n\r\t\v")
                                  << QByteArray("\"\\a\\b\\f\\n\\r\\t\\v\"");
        QTest::newRow("other-control") << QByteArray("\x01\x7f", 2) << QByteArray("\"\\x01\\x7f\"");
        QTest::newRow("utf8-kept") << QByteArray("h\xc3\xa9") << QByteArray("\"h\xc3\xa9\"");
        QTest::newRow("invalid-utf8") << QByteArray("\xff") << QByteArray("\"\\xff\"");
        QTest::newRow("overlong") << QByteArray("\xc0\xaf") << QByteArray("\"\\xc0\\xaf\"");
        QTest::newRow("truncated") << QByteArray("\xe2\x82") << QByteArray("\"\\xe2\\x82\"");
    }
    void quotes() {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        QCOMPARE(QByteArray::fromStdString(vigil::goQuote(input.toStdString())), expected);
    }
};

QTEST_GUILESS_MAIN(TestGoQuote)
#include "tst_go_quote.moc"
