#include <QtTest>

#include "core/util/utf8.h"

class TestUtf8 : public QObject {
    Q_OBJECT
private slots:
    // The decisions of Go's utf8.DecodeRuneInString.
    void decodes_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("length");
        QTest::addColumn<uint>("codePoint");
        QTest::newRow("ascii") << QByteArray("a") << 1 << 0x61u;
        QTest::newRow("two") << QByteArray("\xc3\xa9") << 2 << 0xe9u;
        QTest::newRow("three") << QByteArray("\xe2\x82\xac") << 3 << 0x20acu;
        QTest::newRow("four") << QByteArray("\xf0\x9f\x94\xa5") << 4 << 0x1f525u;
        QTest::newRow("overlong") << QByteArray("\xc0\xaf") << 0 << 0u;
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << 0 << 0u;
        QTest::newRow("past-max") << QByteArray("\xf4\x90\x80\x80") << 0 << 0u;
        QTest::newRow("truncated") << QByteArray("\xe2\x82") << 0 << 0u;
        QTest::newRow("bad-continuation") << QByteArray("\xc3\x28") << 0 << 0u;
        QTest::newRow("lone-continuation") << QByteArray("\x80") << 0 << 0u;
    }
    void decodes() {
        QFETCH(QByteArray, bytes);
        QFETCH(int, length);
        QFETCH(uint, codePoint);
        std::uint32_t cp = 0;
        const std::size_t n = vigil::decodeUtf8(
            std::string_view(bytes.constData(), std::size_t(bytes.size())), 0, &cp);
        QCOMPARE(int(n), length);
        if (length > 0)
            QCOMPARE(uint(cp), codePoint);
    }

    // JSON escapes as Go's encoding/json decodes them; bad ones are refused
    // (never thrown: a log line is untrusted input).
    void jsonEscapes_data() {
        QTest::addColumn<QByteArray>("text");  // what follows the backslash
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QByteArray>("decoded");
        QTest::addColumn<int>("consumed");
        QTest::newRow("quote") << QByteArray("\"x") << true << QByteArray("\"") << 1;
        QTest::newRow("newline") << QByteArray("n") << true << QByteArray("\n") << 1;
        QTest::newRow("slash") << QByteArray("/") << true << QByteArray("/") << 1;
        QTest::newRow("u-ascii") << QByteArray("u0041") << true << QByteArray("A") << 5;
        QTest::newRow("u-euro") << QByteArray("u20AC") << true << QByteArray("\xe2\x82\xac") << 5;
        QTest::newRow("pair") << QByteArray("ud83d\\udd25") << true
                              << QByteArray("\xf0\x9f\x94\xa5") << 11;
        QTest::newRow("lone-high")
            << QByteArray("ud83dx") << true << QByteArray("\xef\xbf\xbd") << 5;
        QTest::newRow("lone-low") << QByteArray("udd25") << true << QByteArray("\xef\xbf\xbd") << 5;
        QTest::newRow("high-then-bad")
            << QByteArray("ud83d\\uZZZZ") << true << QByteArray("\xef\xbf\xbd") << 5;
        QTest::newRow("not-hex") << QByteArray("uZZZZ") << false << QByteArray() << 0;
        QTest::newRow("short") << QByteArray("u12") << false << QByteArray() << 0;
        QTest::newRow("unknown") << QByteArray("x") << false << QByteArray() << 0;
        QTest::newRow("empty") << QByteArray() << false << QByteArray() << 0;
    }
    void jsonEscapes() {
        QFETCH(QByteArray, text);
        QFETCH(bool, ok);
        QFETCH(QByteArray, decoded);
        QFETCH(int, consumed);
        std::string out;
        std::size_t pos = 0;
        QCOMPARE(vigil::decodeJsonEscape(
                     std::string_view(text.constData(), std::size_t(text.size())), pos, out),
                 ok);
        QCOMPARE(QByteArray::fromStdString(out), decoded);
        QCOMPARE(int(pos), consumed);
    }
};

QTEST_GUILESS_MAIN(TestUtf8)

#include "tst_utf8.moc"
