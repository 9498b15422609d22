// XXH64 and Prometheus's label hash, which limit_ratio's choice of series
// depends on: published XXH64 test vectors, streaming equals one-shot, and the
// label hash is XXH64 over name 0xff value 0xff ...

#include <QTest>

#include <string>

#include "core/model/labels.h"
#include "core/promql/xxhash64.h"

using vigil::promql::prometheusLabelsHash;
using vigil::promql::xxhash64;
using vigil::promql::XxHash64;

class TestPromqlXxhash : public QObject {
    Q_OBJECT

private slots:
    // Reference values of XXH64 with seed 0 (the xxHash project's and Go's
    // cespare/xxhash test vectors), covering the < 4, < 8, < 32 and >= 32
    // byte paths.
    void vectors_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<quint64>("want");
        QTest::newRow("empty") << QByteArray("") << quint64(0xef46db3751d8e999ULL);
        QTest::newRow("a") << QByteArray("a") << quint64(0xd24ec4f1a98c6e5bULL);
        QTest::newRow("as") << QByteArray("as") << quint64(0x1c330fb2d66be179ULL);
        QTest::newRow("asd") << QByteArray("asd") << quint64(0x631c37ce72a97393ULL);
        QTest::newRow("asdf") << QByteArray("asdf") << quint64(0x415872f599cea71eULL);
        QTest::newRow("abc") << QByteArray("abc") << quint64(0x44bc2cf5ad770999ULL);
        QTest::newRow("ishmael")
            << QByteArray("Call me Ishmael. Some years ago--never mind how long precisely-")
            << quint64(0x02a2e85470d6fd96ULL);
    }
    void vectors() {
        QFETCH(QByteArray, input);
        QFETCH(quint64, want);
        const std::string_view in(input.constData(), static_cast<std::size_t>(input.size()));
        QCOMPARE(quint64(xxhash64(in)), want);
    }

    // Any split of the input into update() calls gives the one-shot value.
    void streamingEqualsOneShot() {
        std::string data;
        for (int i = 0; i < 300; ++i)
            data.push_back(static_cast<char>((i * 131 + 7) & 0xff));
        for (std::size_t len : {0, 3, 31, 32, 33, 64, 100, 300}) {
            const std::string_view whole(data.data(), len);
            const std::uint64_t want = xxhash64(whole);
            for (std::size_t piece : {1, 5, 8, 17, 32, 40}) {
                XxHash64 h;
                for (std::size_t off = 0; off < len; off += piece)
                    h.update(whole.substr(off, piece));
                QVERIFY2(h.digest() == want,
                         qPrintable(QString("len %1 piece %2").arg(len).arg(piece)));
            }
        }
    }

    void labelsHashIsXxhashOfSeparatedPairs() {
        const vigil::model::Labels l{{"__name__", "http_requests"}, {"job", "api-server"}};
        const std::string flat =
            std::string("__name__\xff") + "http_requests\xff" + "job\xff" + "api-server\xff";
        QCOMPARE(prometheusLabelsHash(l), xxhash64(flat));
        QCOMPARE(prometheusLabelsHash(vigil::model::Labels{}), xxhash64(""));
        QVERIFY(prometheusLabelsHash(l) !=
                prometheusLabelsHash(vigil::model::Labels{{"__name__", "http_requests"}}));
    }
};

QTEST_GUILESS_MAIN(TestPromqlXxhash)
#include "tst_promql_xxhash.moc"
