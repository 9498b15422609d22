// Prometheus's XOR chunk: byte compatibility, round trips, seek and
// corruption handling.

#include <QtCore/QDir>
#include <QtCore/QDirIterator>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <set>
#include <utility>

#include <bit>
#include <cstdint>
#include <vector>

#include "core/tsdb/chunkenc/xor_chunk.h"
#include "sample_shapes.h"

using namespace vigil;
using namespace vigil::tsdb;
using vigil::tsdb::testing::Shape;

namespace {

std::vector<std::uint8_t> bytesOf(const XorChunk& c) {
    return {c.bytes().begin(), c.bytes().end()};
}

QByteArray hex(const std::vector<std::uint8_t>& b) {
    return QByteArray(reinterpret_cast<const char*>(b.data()), static_cast<qsizetype>(b.size()))
        .toHex(' ');
}

std::vector<model::Sample> readAll(std::span<const std::uint8_t> data, Status* status) {
    XorIterator it(data);
    std::vector<model::Sample> out;
    while (it.next())
        out.push_back(it.at());
    *status = it.status();
    return out;
}

// A sample as a set key; every NaN is one key, since Go's and C's parsers
// produce different NaN bit patterns for the text "NaN".
std::pair<std::int64_t, std::uint64_t> sampleKey(const model::Sample& s) {
    return {s.t, std::isnan(s.v) ? 0x7ff8000000000001ULL : std::bit_cast<std::uint64_t>(s.v)};
}

}  // namespace

class TestXorChunk : public QObject {
    Q_OBJECT

private slots:
    // Expected bytes were derived by hand from Prometheus's algorithm
    // (tsdb/chunkenc/xor.go, docs/bstream.md):
    //   header  uint16 BE sample count
    //   s1      varint(zigzag(t)) = varint(2000) = d0 0f; value bits 3ff0000000000000
    //   s2      uvarint(tDelta=1000) = e8 07; value equal -> bit 0
    //   s3      dod 0 -> bit 0; 2.0^1.0 = 0x7ff0.. -> 1,1, leading 00001,
    //           sigbits 001011 (11), bits 11111111111
    //   s4      t=4005: dod 5 -> 10 + 14-bit 00000000000101; 8.0^2.0 =
    //           0x0020.. fits the window (leading 10 >= 1, trailing 53 >= 52)
    //           -> 1,0 + 11 bits 00000000010
    //   s5      t=5002: dod -8 -> 10 + 14-bit two's complement 11111111111000;
    //           value equal -> 0
    void compatibleBytes_data() {
        QTest::addColumn<int>("count");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("one sample") << 1 << QByteArray("00 01 d0 0f 3f f0 00 00 00 00 00 00");
        QTest::newRow("two samples, same value")
            << 2 << QByteArray("00 02 d0 0f 3f f0 00 00 00 00 00 00 e8 07 00");
        QTest::newRow("new xor window")
            << 3 << QByteArray("00 03 d0 0f 3f f0 00 00 00 00 00 00 e8 07 30 97 ff c0");
        QTest::newRow("14-bit dod and window reuse")
            << 4 << QByteArray("00 04 d0 0f 3f f0 00 00 00 00 00 00 e8 07 30 97 ff e0 01 60 04");
        QTest::newRow("negative dod")
            << 5
            << QByteArray("00 05 d0 0f 3f f0 00 00 00 00 00 00 e8 07 30 97 ff e0 01 60 05 7f f0");
    }
    void compatibleBytes() {
        QFETCH(int, count);
        QFETCH(QByteArray, expected);
        const model::Sample samples[] = {
            {1000, 1.0}, {2000, 1.0}, {3000, 2.0}, {4005, 8.0}, {5002, 8.0}};
        XorChunk c;
        for (int i = 0; i < count; ++i)
            c.append(samples[i].t, samples[i].v);
        QCOMPARE(c.numSamples(), count);
        QCOMPARE(hex(bytesOf(c)), expected);

        // And the expected bytes decode to the samples.
        const QByteArray raw = QByteArray::fromHex(expected);
        const std::vector<std::uint8_t> data(raw.begin(), raw.end());
        Status st;
        const auto got = readAll(data, &st);
        QVERIFY2(st.isOk(), st.message().c_str());
        QCOMPARE(static_cast<int>(got.size()), count);
        for (int i = 0; i < count; ++i)
            QVERIFY(testing::sameBits(got[i], samples[i]));
    }

    // Prometheus's buckets are asymmetric: +2^(n-1) fits n bits, -2^(n-1)
    // does not (bitRange). Sizes follow from that.
    void dodBuckets_data() {
        QTest::addColumn<qint64>("dod");
        QTest::addColumn<int>("bits");  // bits spent on the third timestamp
        QTest::newRow("0") << qint64(0) << 1;
        QTest::newRow("+8192 fits 14") << qint64(8192) << 16;
        QTest::newRow("-8191 fits 14") << qint64(-8191) << 16;
        QTest::newRow("-8192 needs 17") << qint64(-8192) << 20;
        QTest::newRow("+65536 fits 17") << qint64(65536) << 20;
        QTest::newRow("+65537 needs 20") << qint64(65537) << 24;
        QTest::newRow("+524288 fits 20") << qint64(524288) << 24;
        QTest::newRow("+524289 needs 64") << qint64(524289) << 68;
        QTest::newRow("-1e15 needs 64") << qint64(-1000000000000000) << 68;
    }
    void dodBuckets() {
        QFETCH(qint64, dod);
        QFETCH(int, bits);
        XorChunk c;
        const model::Timestamp t0 = 5000000000000;
        c.append(t0, 1.0);
        c.append(t0 + 1000000, 1.0);
        const std::size_t before = c.bytes().size() * 8 - 7;  // s2 used one bit of its byte
        const model::Timestamp t2 = t0 + 2000000 + dod;
        c.append(t2, 1.0);
        // Stream bits used after s3 = dod bits + 1 value bit.
        const std::size_t used = before + static_cast<std::size_t>(bits) + 1;
        QCOMPARE(c.bytes().size(), (used + 7) / 8);
        Status st;
        const auto got = readAll(c.bytes(), &st);
        QVERIFY2(st.isOk(), st.message().c_str());
        QCOMPARE(got.size(), std::size_t{3});
        QCOMPARE(got[2].t, t2);
    }

    void roundTrip_data() {
        QTest::addColumn<int>("shape");
        QTest::addColumn<int>("count");
        for (Shape s : testing::kAllShapes) {
            for (int n : {1, 2, 3, 120, 10000}) {
                QTest::addRow("%s/%d", testing::shapeName(s), n) << static_cast<int>(s) << n;
            }
        }
    }
    void roundTrip() {
        QFETCH(int, shape);
        QFETCH(int, count);
        const auto samples =
            testing::makeSamples(static_cast<Shape>(shape), static_cast<std::size_t>(count));
        XorChunk c;
        for (const auto& s : samples)
            c.append(s.t, s.v);
        QCOMPARE(c.numSamples(), count);
        Status st;
        const auto got = readAll(c.bytes(), &st);
        QVERIFY2(st.isOk(), st.message().c_str());
        QCOMPARE(got.size(), samples.size());
        for (std::size_t i = 0; i < got.size(); ++i)
            QVERIFY2(testing::sameBits(got[i], samples[i]), qPrintable(QString::number(i)));
    }

    // fromBytes restores the appender state: appending after a restore gives
    // the same bytes as appending to the original.
    void fromBytesContinuesAppending() {
        const auto samples = testing::makeSamples(Shape::kNaNs, 200, 7);
        for (std::size_t split :
             {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{57}}) {
            XorChunk whole;
            for (const auto& s : samples)
                whole.append(s.t, s.v);
            XorChunk first;
            for (std::size_t i = 0; i < split; ++i)
                first.append(samples[i].t, samples[i].v);
            auto restored = XorChunk::fromBytes(first.bytes());
            QVERIFY2(restored.isOk(), restored.status().message().c_str());
            for (std::size_t i = split; i < samples.size(); ++i)
                restored->append(samples[i].t, samples[i].v);
            QCOMPARE(bytesOf(*restored), bytesOf(whole));
        }
    }

    void fromBytesRejectsTrailingBytes() {
        XorChunk c;
        c.append(1000, 1.0);
        std::vector<std::uint8_t> data = bytesOf(c);
        data.push_back(0);
        auto r = XorChunk::fromBytes(data);
        QVERIFY(!r.isOk());
        QVERIFY2(r.status().message().find("trailing") != std::string::npos,
                 r.status().message().c_str());
    }

    void seekSemantics() {
        XorChunk c;
        for (int i = 1; i <= 10; ++i)
            c.append(i * 10, i);
        XorIterator it(c.bytes());
        QVERIFY(it.seek(0));  // an unstarted iterator moves to its first sample
        QCOMPARE(it.at().t, model::Timestamp{10});
        QVERIFY(it.seek(35));
        QCOMPARE(it.at().t, model::Timestamp{40});
        QVERIFY(it.seek(20));  // never backwards
        QCOMPARE(it.at().t, model::Timestamp{40});
        QVERIFY(it.seek(40));
        QCOMPARE(it.at().t, model::Timestamp{40});
        QVERIFY(it.next());
        QCOMPARE(it.at().v, 5.0);
        QVERIFY(it.seek(100));
        QCOMPARE(it.at().t, model::Timestamp{100});
        QVERIFY(!it.seek(101));
        QVERIFY(!it.next());
        QVERIFY(it.status().isOk());
    }

    void corruptStreams_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        QTest::newRow("count larger than stream")
            << QByteArray("00 02 d0 0f 3f f0 00 00 00 00 00 00")
            << "truncated or malformed timestamp";
        QTest::newRow("truncated first value")
            << QByteArray("00 01 d0 0f 3f f0") << "truncated first";
        QTest::newRow("overlong varint")
            << QByteArray("00 01 ff ff ff ff ff ff ff ff ff ff 7f") << "first timestamp varint";
        // s2: delta 1000, then control 1,1, leading 31 (11111), sigbits 63
        // (111111): 31 + 63 > 64.
        QTest::newRow("window wider than 64 bits")
            << QByteArray(
                   "00 02 d0 0f 3f f0 00 00 00 00 00 00 e8 07 ff fe 00 00 00 00 00 00 00 00 00")
            << "wider than 64";
        // The 7 padding bits after s2 decode as three more equal samples (2
        // bits each); the sixth runs out of bits.
        QTest::newRow("count beyond padding")
            << QByteArray("00 06 d0 0f 3f f0 00 00 00 00 00 00 e8 07 00") << "sample 6 of 6";
    }
    void corruptStreams() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const QByteArray raw = QByteArray::fromHex(bytes);
        const std::vector<std::uint8_t> data(raw.begin(), raw.end());
        Status st;
        (void)readAll(data, &st);
        QVERIFY(!st.isOk());
        QVERIFY2(QString::fromStdString(st.message()).contains(message), st.message().c_str());
        QVERIFY(!XorChunk::fromBytes(data).isOk());
    }

    // The real thing: Prometheus's promtool writes blocks from OpenMetrics
    // text; every chunk in its chunk files must decode to input samples, and
    // re-encoding those samples must give Prometheus's bytes exactly.
    void matchesPromtoolBlocks() {
        const QString promtool = QStandardPaths::findExecutable("promtool");
        if (promtool.isEmpty())
            QSKIP("promtool (Debian package prometheus) is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        // Three series of 300 samples (3 chunks each): a 2-decimal gauge,
        // random floats at quarter-second jitter, and integers mixed with
        // NaN, ±Inf, -0.0 and extreme magnitudes.
        std::set<std::pair<std::int64_t, std::uint64_t>> expected;
        QByteArray text = "# TYPE g gauge\n";
        std::mt19937_64 rng(5);
        const char* specials[] = {"NaN", "+Inf", "-Inf", "-0.0", "1e300", "5e-324"};
        for (int series = 0; series < 3; ++series) {
            for (int i = 0; i < 300; ++i) {
                const std::int64_t ms =
                    1735689600000 + i * 15000 +
                    (series == 1 ? 250 * static_cast<std::int64_t>(rng() % 4) : 0);
                QByteArray value;
                if (series == 0)
                    value = QByteArray::number(static_cast<double>(rng() % 10000) / 100.0, 'f', 2);
                else if (series == 1)
                    value = QByteArray::number(std::ldexp(static_cast<double>(rng() >> 11), -40),
                                               'g', 17);
                else
                    value =
                        i % 5 == 0 ? QByteArray(specials[(i / 5) % 6]) : QByteArray::number(i * 7);
                text += "g{s=\"" + QByteArray::number(series) + "\"} " + value + " " +
                        QByteArray::number(static_cast<double>(ms) / 1000.0, 'f', 3) + "\n";
                expected.insert(sampleKey({ms, std::strtod(value.constData(), nullptr)}));
            }
        }
        text += "# EOF\n";
        QFile in(dir.filePath("in.om"));
        QVERIFY(in.open(QIODevice::WriteOnly));
        in.write(text);
        in.close();

        QProcess p;
        p.start(promtool, {"tsdb", "create-blocks-from", "openmetrics", in.fileName(),
                           dir.filePath("blocks")});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());

        int chunks = 0;
        std::size_t samples = 0;
        QDirIterator files(dir.filePath("blocks"), {"0*"}, QDir::Files,
                           QDirIterator::Subdirectories);
        while (files.hasNext()) {
            QFile f(files.next());
            if (!f.fileName().contains("/chunks/"))
                continue;
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray raw = f.readAll();
            const std::vector<std::uint8_t> seg(raw.begin(), raw.end());
            // Segment: magic 0x85BD40DD, version 1, 3 bytes padding; then
            // per chunk uvarint(len) encoding:1 data[len] crc32:4.
            QVERIFY(seg.size() >= 8);
            QCOMPARE(QByteArray(raw.constData(), 4).toHex(), QByteArray("85bd40dd"));
            std::size_t pos = 8;
            while (pos < seg.size()) {
                BitReader r(seg, pos);
                std::uint64_t len = 0;
                QVERIFY(r.readUvarint(len));
                pos = r.bytePos();
                QVERIFY(pos + 1 + len + 4 <= seg.size());
                QCOMPARE(int(seg[pos]), int(static_cast<std::uint8_t>(Encoding::kXor)));
                const auto data = std::span(seg).subspan(pos + 1, len);
                pos += 1 + len + 4;

                Status st;
                const auto got = readAll(data, &st);
                QVERIFY2(st.isOk(), st.message().c_str());
                XorChunk again;
                for (const auto& s : got) {
                    QVERIFY2(expected.count(sampleKey(s)) == 1,
                             qPrintable(QString("unexpected sample t=%1").arg(s.t)));
                    again.append(s.t, s.v);
                }
                QCOMPARE(bytesOf(again), std::vector<std::uint8_t>(data.begin(), data.end()));
                ++chunks;
                samples += got.size();
            }
        }
        qInfo("promtool wrote %d chunks with %zu samples; all re-encode identically", chunks,
              samples);
        QCOMPARE(samples, expected.size());
        QVERIFY(chunks >= 9);
    }

    // Every strict prefix of a valid chunk is detected as truncated.
    void truncationIsDetected() {
        const auto samples = testing::makeSamples(Shape::kIrregularGauge, 120, 3);
        XorChunk c;
        for (const auto& s : samples)
            c.append(s.t, s.v);
        const auto data = bytesOf(c);
        for (std::size_t len = 2; len < data.size(); ++len) {
            Status st;
            const auto got = readAll(std::span(data).first(len), &st);
            QVERIFY2(!st.isOk(), qPrintable(QString("prefix of %1 bytes").arg(len)));
            QVERIFY(got.size() < samples.size());
        }
    }
};

QTEST_GUILESS_MAIN(TestXorChunk)
#include "tst_xor_chunk.moc"
