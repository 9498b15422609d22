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
};

QTEST_GUILESS_MAIN(TestUtf8)
#include "tst_utf8.moc"
