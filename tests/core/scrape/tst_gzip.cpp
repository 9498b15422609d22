// Gunzip of scrape bodies: round trips, multi-member streams, corrupt input
// and the decompressed size limit.

#include <QtTest/QtTest>

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "core/scrape/gzip.h"
#include "core/scrape/prom_text_parser.h"

using namespace vigil;
using namespace vigil::scrape;

namespace {

std::string gzipCompress(std::string_view data, int level = Z_DEFAULT_COMPRESSION) {
    z_stream zs;
    std::memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : std::string();
}

std::string readFile(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

class TestGzip : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void concatenatedMembers();
    void limit();
    void expansionIsStoppedEarly();
    void corruptInput_data();
    void corruptInput();
    void capturedNodeExporterResponse();
    void contentEncoding();
};

void TestGzip::roundTrip_data() {
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("one byte") << QByteArray("x");
    QTest::newRow("exposition") << QByteArray("# TYPE a gauge\na{b=\"c\"} 1\n").repeated(1000);
    QByteArray noisy(300000, '\0');
    quint32 x = 12345;
    for (auto& c : noisy) {
        x = x * 1103515245U + 12345U;
        c = static_cast<char>(x >> 24);
    }
    QTest::newRow("incompressible") << noisy;
}

void TestGzip::roundTrip() {
    QFETCH(QByteArray, data);
    const std::string input = data.toStdString();
    const std::string compressed = gzipCompress(input);
    QVERIFY(!compressed.empty());
    std::string out = "stale contents";
    Status s = gunzip(compressed, 0, out);
    QVERIFY2(s.isOk(), s.message().c_str());
    QCOMPARE(out.size(), input.size());
    QVERIFY(out == input);
}

void TestGzip::concatenatedMembers() {
    const std::string compressed = gzipCompress("first\n") + gzipCompress("second\n");
    std::string out;
    QVERIFY(gunzip(compressed, 0, out).isOk());
    QCOMPARE(out, std::string("first\nsecond\n"));
}

void TestGzip::limit() {
    const std::string input(100000, 'a');
    const std::string compressed = gzipCompress(input);
    std::string out;
    QVERIFY(gunzip(compressed, input.size(), out).isOk());
    QCOMPARE(out.size(), input.size());

    Status s = gunzip(compressed, input.size() - 1, out);
    QCOMPARE(s.code(), Status::Code::kResourceExhausted);
    QCOMPARE(s.message(), std::string("body size limit exceeded: the decompressed body is larger "
                                      "than 99999 bytes"));
    QVERIFY(out.empty());
}

void TestGzip::expansionIsStoppedEarly() {
    // 200 MB of zeros compress to ~200 KB; the limit must stop inflating long
    // before the whole body would be held in memory.
    std::string zeros(200u << 20, '\0');
    const std::string compressed = gzipCompress(zeros, Z_BEST_COMPRESSION);
    zeros = std::string();
    QVERIFY(compressed.size() < 1u << 20);
    std::string out;
    QElapsedTimer timer;
    timer.start();
    Status s = gunzip(compressed, 1u << 20, out);
    QCOMPARE(s.code(), Status::Code::kResourceExhausted);
    QVERIFY(out.capacity() <= 8u << 20);
    QVERIFY2(timer.elapsed() < 2000, "gunzip kept going past the limit");
}

void TestGzip::corruptInput_data() {
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("messageStart");
    const std::string good = gzipCompress(std::string(5000, 'z') + "end");
    QTest::newRow("empty") << QByteArray() << "gzip: empty body";
    QTest::newRow("not gzip") << QByteArray("a 1\n") << "gzip: invalid data at compressed byte";
    QTest::newRow("truncated") << QByteArray::fromStdString(good.substr(0, good.size() / 2))
                               << "gzip: unexpected end of data after";
    QTest::newRow("missing trailer") << QByteArray::fromStdString(good.substr(0, good.size() - 4))
                                     << "gzip: unexpected end of data after";
    std::string flipped = good;
    flipped[flipped.size() - 6] ^= 0x55;  // inside the CRC32 trailer
    QTest::newRow("bad checksum") << QByteArray::fromStdString(flipped)
                                  << "gzip: invalid data at compressed byte";
    QTest::newRow("garbage after a member")
        << QByteArray::fromStdString(good + "junk") << "gzip: invalid data at compressed byte";
}

void TestGzip::corruptInput() {
    QFETCH(QByteArray, data);
    QFETCH(QString, messageStart);
    std::string out;
    Status s = gunzip(data.toStdString(), 0, out);
    QVERIFY(!s.isOk());
    QVERIFY2(QString::fromStdString(s.message()).startsWith(messageStart), s.message().c_str());
    QCOMPARE(s.code(), Status::Code::kCorruption);
}

void TestGzip::capturedNodeExporterResponse() {
    // The body node_exporter 1.5.0 sent for Accept-Encoding: gzip.
    const QString path = QFINDTESTDATA("testdata/node_exporter.prom.gz");
    QVERIFY(!path.isEmpty());
    const std::string compressed = readFile(path);
    std::string body;
    Status s = gunzip(compressed, 10u << 20, body);
    QVERIFY2(s.isOk(), s.message().c_str());
    QVERIFY(body.size() > compressed.size() * 3);
    PromTextParser parser(body);
    int series = 0;
    for (Entry e = parser.next(); e != Entry::kEnd; e = parser.next()) {
        QVERIFY2(e != Entry::kInvalid, parser.status().message().c_str());
        if (e == Entry::kSeries)
            ++series;
    }
    QCOMPARE(series, 507);
}

void TestGzip::contentEncoding() {
    QVERIFY(isGzipEncoding("gzip"));
    QVERIFY(isGzipEncoding("GZIP"));
    QVERIFY(isGzipEncoding(" gzip "));
    QVERIFY(!isGzipEncoding(""));
    QVERIFY(!isGzipEncoding("identity"));
    QVERIFY(!isGzipEncoding("x-gzip2"));
}

QTEST_GUILESS_MAIN(TestGzip)
#include "tst_gzip.moc"
