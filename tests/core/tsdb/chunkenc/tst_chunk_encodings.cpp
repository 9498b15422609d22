// The common chunk interface and the packed (sealed) encoding: round trips of
// both encodings through decodeChunk/decodeSamples, seek semantics, size
// expectations that justify the packed format, and malformed input.

#include <QtTest/QtTest>

#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "core/tsdb/chunkenc/bstream.h"
#include "core/tsdb/chunkenc/chunk.h"
#include "core/tsdb/chunkenc/packed_chunk.h"
#include "core/tsdb/chunkenc/xor_chunk.h"
#include "sample_shapes.h"

using namespace vigil;
using namespace vigil::tsdb;
using vigil::tsdb::testing::Shape;

namespace {

// Must match the "Example" section of core/tsdb/FORMAT.md.
constexpr const char* FORMAT_EXAMPLE = "78 01 80 f0 cb f2 83 65 b0 ea 01 00 00 00 00 02 00 00";

std::vector<std::uint8_t> encodeXor(const std::vector<model::Sample>& samples) {
    XorChunk c;
    for (const auto& s : samples)
        c.append(s.t, s.v);
    return {c.bytes().begin(), c.bytes().end()};
}

std::vector<std::uint8_t> sealed(const std::vector<model::Sample>& samples) {
    auto r = encodeSealed(samples);
    if (!r.isOk())
        qFatal("encodeSealed: %s", r.status().message().c_str());
    return std::move(r).value();
}

std::vector<std::uint8_t> fromHex(const char* hex) {
    const QByteArray raw = QByteArray::fromHex(hex);
    return {raw.begin(), raw.end()};
}

// Decodes through the iterator interface, returning the status.
Status iterateAll(Encoding e, std::span<const std::uint8_t> data, std::vector<model::Sample>& out) {
    auto it = decodeChunk(e, data);
    if (!it.isOk())
        return it.status();
    while ((*it)->next())
        out.push_back((*it)->at());
    return (*it)->status();
}

}  // namespace

class TestChunkEncodings : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data() {
        QTest::addColumn<int>("shape");
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("encoding");
        for (Shape s : testing::kAllShapes) {
            for (int n : {1, 2, 3, 120, 10000}) {
                for (Encoding e : {Encoding::kXor, Encoding::kPacked}) {
                    QTest::addRow("%s/%d/%s", testing::shapeName(s), n,
                                  std::string(encodingName(e)).c_str())
                        << static_cast<int>(s) << n << static_cast<int>(e);
                }
            }
        }
    }
    void roundTrip() {
        QFETCH(int, shape);
        QFETCH(int, count);
        QFETCH(int, encoding);
        const auto e = static_cast<Encoding>(encoding);
        const auto samples =
            testing::makeSamples(static_cast<Shape>(shape), static_cast<std::size_t>(count), 11);
        const auto data = e == Encoding::kXor ? encodeXor(samples) : sealed(samples);

        std::vector<model::Sample> bulk;
        Status st = decodeSamples(e, data, bulk);
        QVERIFY2(st.isOk(), st.message().c_str());
        std::vector<model::Sample> iterated;
        st = iterateAll(e, data, iterated);
        QVERIFY2(st.isOk(), st.message().c_str());
        QCOMPARE(bulk.size(), samples.size());
        QCOMPARE(iterated.size(), samples.size());
        for (std::size_t i = 0; i < samples.size(); ++i) {
            QVERIFY2(testing::sameBits(bulk[i], samples[i]), qPrintable(QString::number(i)));
            QVERIFY2(testing::sameBits(iterated[i], samples[i]), qPrintable(QString::number(i)));
        }
    }

    // decodeSamplesInRange gives exactly the samples of a full decode that
    // lie in [mint, maxt], bit for bit, for windows at the ends, inside and
    // outside the chunk.
    void rangeDecodeMatchesFilteredFullDecode_data() {
        QTest::addColumn<int>("shape");
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("encoding");
        for (Shape s : testing::kAllShapes) {
            if (s == Shape::kExtremeTimes)  // not increasing: no time window applies
                continue;
            for (int n : {1, 2, 120, 480, 5000}) {
                for (Encoding e : {Encoding::kXor, Encoding::kPacked}) {
                    QTest::addRow("%s/%d/%s", testing::shapeName(s), n,
                                  std::string(encodingName(e)).c_str())
                        << static_cast<int>(s) << n << static_cast<int>(e);
                }
            }
        }
    }
    void rangeDecodeMatchesFilteredFullDecode() {
        QFETCH(int, shape);
        QFETCH(int, count);
        QFETCH(int, encoding);
        const auto e = static_cast<Encoding>(encoding);
        const auto samples =
            testing::makeSamples(static_cast<Shape>(shape), static_cast<std::size_t>(count), 7);
        const auto data = e == Encoding::kXor ? encodeXor(samples) : sealed(samples);
        const std::size_t n = samples.size();
        const model::Timestamp first = samples.front().t, last = samples.back().t;
        const model::Timestamp mid = samples[n / 2].t;
        const std::pair<model::Timestamp, model::Timestamp> windows[] = {
            {first, last},                                         // everything
            {first - 1000, first - 1},                             // before the chunk
            {last + 1, last + 1000},                               // after it
            {samples[n > 20 ? n - 20 : 0].t, last + 50},           // the tail (an instant query)
            {first - 5, samples[n / 3].t},                         // the head
            {mid, mid},                                            // one sample
            {mid + 1, samples[std::min(n - 1, n / 2 + 7)].t - 1},  // inside, off-sample bounds
            {last, first},                                         // empty (mint > maxt)
        };
        for (const auto& [mint, maxt] : windows) {
            std::vector<model::Sample> want;
            for (const auto& smp : samples)
                if (smp.t >= mint && smp.t <= maxt)
                    want.push_back(smp);
            std::vector<model::Sample> got{{-1, 42.0}};  // appends after what is there
            Status st = decodeSamplesInRange(e, data, mint, maxt, got);
            QVERIFY2(st.isOk(), st.message().c_str());
            QCOMPARE(got.size(), want.size() + 1);
            QCOMPARE(got[0].t, model::Timestamp{-1});
            for (std::size_t i = 0; i < want.size(); ++i)
                QVERIFY2(
                    testing::sameBits(got[i + 1], want[i]),
                    qPrintable(QString("window [%1, %2] sample %3").arg(mint).arg(maxt).arg(i)));
        }
    }

    // A corrupt packed chunk is reported by the range decoder too, and leaves
    // the output as it was.
    void rangeDecodeReportsCorruption() {
        const auto samples = testing::makeSamples(Shape::kCentiCounter, 480, 3);
        auto data = sealed(samples);
        data.resize(data.size() / 2);
        std::vector<model::Sample> out{{1, 1.0}};
        Status st =
            decodeSamplesInRange(Encoding::kPacked, data, samples.front().t, samples.back().t, out);
        QVERIFY(!st.isOk());
        QVERIFY2(st.message().find("packed chunk") != std::string::npos, st.message().c_str());
        QCOMPARE(out.size(), std::size_t{1});
    }

    // decodeSamples appends: decoding a second chunk keeps the first's samples.
    void decodeSamplesAppends() {
        const auto a = testing::makeSamples(Shape::kCentiCounter, 50, 1);
        const auto b = testing::makeSamples(Shape::kIrregularGauge, 30, 2);
        std::vector<model::Sample> out;
        QVERIFY(decodeSamples(Encoding::kPacked, sealed(a), out).isOk());
        QVERIFY(decodeSamples(Encoding::kXor, encodeXor(b), out).isOk());
        QCOMPARE(out.size(), std::size_t{80});
        QVERIFY(testing::sameBits(out[49], a[49]));
        QVERIFY(testing::sameBits(out[50], b[0]));
    }

    void staleNaNKeepsItsBits() {
        std::vector<model::Sample> samples;
        for (int i = 0; i < 120; ++i)
            samples.push_back({i * 15000, i == 60 || i == 119 ? model::staleNaN() : i * 0.5});
        std::vector<model::Sample> out;
        QVERIFY(decodeSamples(Encoding::kPacked, sealed(samples), out).isOk());
        QVERIFY(model::isStaleNaN(out[60].v));
        QVERIFY(model::isStaleNaN(out[119].v));
        QVERIFY(!std::isnan(out[61].v));
        // A decimal series with two markers stays decimal (markers are raw
        // exceptions) rather than falling back to XOR.
        PackedEncoder enc;
        std::vector<std::uint8_t> data;
        QVERIFY(enc.encode(samples, data).isOk());
        QVERIFY(enc.lastLayout().decimalValues);
        QCOMPARE(enc.lastLayout().rawValues, 2);
        QCOMPARE(enc.lastLayout().mantissas.exceptions, 0);
    }

    void seekSemantics_data() {
        QTest::addColumn<int>("encoding");
        QTest::newRow("xor") << static_cast<int>(Encoding::kXor);
        QTest::newRow("packed") << static_cast<int>(Encoding::kPacked);
    }
    void seekSemantics() {
        QFETCH(int, encoding);
        const auto e = static_cast<Encoding>(encoding);
        std::vector<model::Sample> samples;
        for (int i = 1; i <= 10; ++i)
            samples.push_back({i * 10, static_cast<double>(i)});
        const auto data = e == Encoding::kXor ? encodeXor(samples) : sealed(samples);
        auto r = decodeChunk(e, data);
        QVERIFY(r.isOk());
        ChunkIterator& it = **r;
        QVERIFY(it.seek(-5));
        QCOMPARE(it.at().t, model::Timestamp{10});
        QVERIFY(it.seek(35));
        QCOMPARE(it.at().t, model::Timestamp{40});
        QCOMPARE(it.at().v, 4.0);
        QVERIFY(it.seek(11));  // never moves backwards
        QCOMPARE(it.at().t, model::Timestamp{40});
        QVERIFY(it.next());
        QCOMPARE(it.at().t, model::Timestamp{50});
        QVERIFY(it.seek(100));
        QCOMPARE(it.at().v, 10.0);
        QVERIFY(!it.seek(101));
        QVERIFY(!it.next());
        QVERIFY(it.status().isOk());

        auto fresh = decodeChunk(e, data);
        QVERIFY(fresh.isOk());
        QVERIFY(!(*fresh)->seek(1000));  // past the end from the start
    }

    // The measurements that chose the packed format, pinned as expectations
    // (see core/tsdb/FORMAT.md): decimal data shrinks well below XOR, and
    // non-decimal data never costs much more than XOR.
    void packedSize_data() {
        QTest::addColumn<int>("shape");
        QTest::addColumn<double>("maxRatio");  // packed bytes / XOR bytes
        QTest::newRow("regular-counter") << static_cast<int>(Shape::kRegularCounter) << 0.6;
        QTest::newRow("centi-counter") << static_cast<int>(Shape::kCentiCounter) << 0.35;
        QTest::newRow("irregular-gauge") << static_cast<int>(Shape::kIrregularGauge) << 0.5;
        QTest::newRow("constant") << static_cast<int>(Shape::kConstant) << 0.8;
        QTest::newRow("kibibytes") << static_cast<int>(Shape::kKibiBytes) << 0.9;
        QTest::newRow("random-floats") << static_cast<int>(Shape::kRandomFloats) << 1.05;
        QTest::newRow("nans-infs-negzero") << static_cast<int>(Shape::kNaNs) << 1.05;
    }
    void packedSize() {
        QFETCH(int, shape);
        QFETCH(double, maxRatio);
        const auto samples = testing::makeSamples(static_cast<Shape>(shape), 120, 5);
        const double xorBytes = static_cast<double>(encodeXor(samples).size());
        const double packedBytes = static_cast<double>(sealed(samples).size());
        QVERIFY2(packedBytes <= maxRatio * xorBytes,
                 qPrintable(QString("packed %1 B, xor %2 B").arg(packedBytes).arg(xorBytes)));
    }

    // The worked example in core/tsdb/FORMAT.md, byte for byte.
    void formatExample() {
        std::vector<model::Sample> samples;
        for (int i = 0; i < 120; ++i)
            samples.push_back({1735689600000 + i * 15000, 1.0});
        const auto data = sealed(samples);
        const QByteArray got = QByteArray(reinterpret_cast<const char*>(data.data()),
                                          static_cast<qsizetype>(data.size()))
                                   .toHex(' ');
        QCOMPARE(got, QByteArray(FORMAT_EXAMPLE));
    }

    void constantRegularSeriesIsTiny() {
        std::vector<model::Sample> samples;
        for (int i = 0; i < 120; ++i)
            samples.push_back({1735689600000 + i * 15000, 1.0});
        const auto data = sealed(samples);
        // count, ts header+t0+delta+base+exc, value mode+exp+header+m0+base+exc+raw
        QVERIFY2(data.size() <= 20, qPrintable(QString::number(data.size())));
        auto layout = inspectPacked(data);
        QVERIFY(layout.isOk());
        QCOMPARE(layout->timestamps.width, 0);
        QCOMPARE(layout->mantissas.width, 0);
    }

    // A missed scrape or a counter reset becomes an exception, not a wider
    // bit width for the whole chunk.
    void outliersBecomeExceptions() {
        std::vector<model::Sample> samples;
        model::Timestamp t = 1735689600000;
        double v = 1000;
        for (int i = 0; i < 120; ++i) {
            t += i == 50 ? 30000 : 15000;
            v = i == 80 ? 3 : v + 7;
            samples.push_back({t, v});
        }
        PackedEncoder enc;
        std::vector<std::uint8_t> data;
        QVERIFY(enc.encode(samples, data).isOk());
        const PackedLayout& l = enc.lastLayout();
        QCOMPARE(l.timestamps.width, 0);
        QVERIFY(l.timestamps.exceptions >= 1);
        QCOMPARE(l.mantissas.width, 0);
        QVERIFY(l.mantissas.exceptions >= 1);
        std::vector<model::Sample> out;
        QVERIFY(decodeSamples(Encoding::kPacked, data, out).isOk());
        for (std::size_t i = 0; i < samples.size(); ++i)
            QVERIFY(testing::sameBits(out[i], samples[i]));
    }

    // Printed decimals of any precision up to 15 significant digits, parsed
    // the way a scrape parser does, are recognised as decimals (so they take
    // the compact path) and come back bit-exactly.
    void printedDecimalsAreDecimal_data() {
        QTest::addColumn<int>("digits");
        for (int d : {1, 3, 6, 9, 12, 15})
            QTest::addRow("%d digits", d) << d;
    }
    void printedDecimalsAreDecimal() {
        QFETCH(int, digits);
        std::mt19937_64 rng(static_cast<unsigned>(digits));
        std::vector<model::Sample> samples;
        for (int i = 0; i < 120; ++i) {
            const double raw = std::ldexp(static_cast<double>(rng() >> 11), -53) *
                               std::pow(10.0, static_cast<double>(rng() % 4) - 2);
            const QByteArray text = QByteArray::number(raw, 'g', digits);
            samples.push_back({i * 1000, std::strtod(text.constData(), nullptr)});
        }
        PackedEncoder enc;
        std::vector<std::uint8_t> data;
        QVERIFY(enc.encode(samples, data).isOk());
        std::vector<model::Sample> out;
        QVERIFY(decodeSamples(Encoding::kPacked, data, out).isOk());
        for (std::size_t i = 0; i < samples.size(); ++i)
            QVERIFY(testing::sameBits(out[i], samples[i]));
        if (digits <= 9) {
            // Magnitudes 1e-3..1e1 share one exponent while mantissas fit 2^53.
            QVERIFY(enc.lastLayout().decimalValues);
            QCOMPARE(enc.lastLayout().rawValues, 0);
        }
    }

    void largeRoundNumbersAreDecimal() {
        std::vector<model::Sample> samples;
        for (int i = 0; i < 120; ++i)
            samples.push_back({i * 1000, (i % 7 + 1) * 1e21});
        PackedEncoder enc;
        std::vector<std::uint8_t> data;
        QVERIFY(enc.encode(samples, data).isOk());
        QVERIFY(enc.lastLayout().decimalValues);
        QCOMPARE(enc.lastLayout().exponent, 21);
        QVERIFY(enc.lastLayout().mantissas.width <= 4);
    }

    void commonFactorIsFound() {
        const auto samples = testing::makeSamples(Shape::kKibiBytes, 120, 9);
        auto layout = inspectPacked(sealed(samples));
        QVERIFY(layout.isOk());
        QVERIFY(layout->decimalValues);
        QCOMPARE(layout->mantissas.scale % 1024, std::uint64_t{0});
    }

    // A gauge that changes in a third of the scrapes (filesystem free bytes)
    // packs only its changes, behind a bitmap.
    void mostlyUnchangedUsesSparsePacking() {
        std::mt19937_64 rng(77);
        std::vector<model::Sample> samples;
        std::int64_t blocks = 5000000;
        for (int i = 0; i < 120; ++i) {
            if (rng() % 3 == 0)
                blocks += static_cast<std::int64_t>(rng() % 200) - 100;
            samples.push_back({1735689600000 + i * 15000, static_cast<double>(blocks * 4096)});
        }
        PackedEncoder enc;
        std::vector<std::uint8_t> data;
        QVERIFY(enc.encode(samples, data).isOk());
        QVERIFY(enc.lastLayout().decimalValues);
        QVERIFY(enc.lastLayout().mantissas.sparse);
        QVERIFY2(data.size() < encodeXor(samples).size(), qPrintable(QString::number(data.size())));
        std::vector<model::Sample> out;
        QVERIFY(decodeSamples(Encoding::kPacked, data, out).isOk());
        for (std::size_t i = 0; i < samples.size(); ++i)
            QVERIFY(testing::sameBits(out[i], samples[i]));
    }

    void corruptPacked_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray("") << "truncated sample count";
        QTest::newRow("zero samples") << QByteArray("00") << "sample count 0";
        QTest::newRow("too many samples") << QByteArray("80 80 04") << "outside 1..65535";
        QTest::newRow("order 3") << QByteArray("01 03") << "order 3";
        QTest::newRow("order beyond count") << QByteArray("01 02 00 00") << "exceeds its 1 values";
        // n=1, ts order 1 t0=0, mode 0 (decimal), exponent 100
        QTest::newRow("exponent") << QByteArray("01 01 00 00 64") << "exponent 100";
        QTest::newRow("value mode") << QByteArray("01 01 00 07") << "unknown value mode 7";
        QTest::newRow("trailing bytes")
            << QByteArray("01 01 00 01 00 00 00 00 00 00 f0 3f ff") << "1 bytes after the last";
        QTest::newRow("truncated xor value")
            << QByteArray("01 01 00 01 3f f0") << "first XOR value";
        // n=2, ts order 0 width 1 (header 04), base 0, exc field 0, packed 1 byte
        QTest::newRow("packed bytes missing")
            << QByteArray("02 04 00 00") << "1 packed bytes needed, 0 left";
        // n=2, ts order 0 width 0, base 0, 1 exception at gap 5
        QTest::newRow("exception past end")
            << QByteArray("02 00 00 04 05 00") << "lies past the last value";
        // n=3, ts order 0 width 1, base 0, sparse flag, bitmap missing
        QTest::newRow("bitmap missing")
            << QByteArray("03 04 00 02") << "1 bitmap bytes needed, 0 left";
        QTest::newRow("too many exceptions") << QByteArray("02 00 00 0c") << "3 exceptions for 2";
        // n=1, ts order 1, decimal e=0, mantissa order 1 m0=1, raw count 1, gap 3
        QTest::newRow("raw value past end")
            << QByteArray("01 01 00 00 00 01 02 01 03 00 00 00 00 00 00 00 00")
            << "lies past the last sample";
    }
    void corruptPacked() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const auto data = fromHex(bytes.constData());
        std::vector<model::Sample> out;
        Status st = decodeSamples(Encoding::kPacked, data, out);
        QVERIFY(!st.isOk());
        QCOMPARE(st.code(), Status::Code::kCorruption);
        QVERIFY2(QString::fromStdString(st.message()).contains(message), st.message().c_str());
        QVERIFY(QString::fromStdString(st.message()).startsWith("packed chunk: byte "));
        QVERIFY(!decodeChunk(Encoding::kPacked, data).isOk());
    }

    void encodeRejectsBadSizes() {
        std::vector<model::Sample> none;
        auto r = encodeSealed(none);
        QVERIFY(!r.isOk());
        QVERIFY(r.status().message().find("0 samples") != std::string::npos);
        std::vector<model::Sample> many(kMaxPackedSamples + 1);
        QVERIFY(!encodeSealed(many).isOk());
        many.pop_back();
        QVERIFY(encodeSealed(many).isOk());
    }

    void unknownEncodingIsAnError() {
        const std::vector<std::uint8_t> data{0, 1, 2};
        auto r = decodeChunk(static_cast<Encoding>(7), data);
        QVERIFY(!r.isOk());
        QVERIFY(r.status().message().find("unknown encoding 7") != std::string::npos);
        QVERIFY(!isKnownEncoding(7));
        QVERIFY(isKnownEncoding(1));
        QVERIFY(isKnownEncoding(0x40));
        QVERIFY(!decodeChunk(Encoding::kXor, std::span(data).first(1)).isOk());
    }

    // Every strict prefix of a packed chunk is rejected: the format has no
    // optional tail, so a short read can never pass as a smaller chunk.
    void truncationIsDetected_data() {
        QTest::addColumn<int>("shape");
        for (Shape s : testing::kAllShapes)
            QTest::newRow(testing::shapeName(s)) << static_cast<int>(s);
    }
    void truncationIsDetected() {
        QFETCH(int, shape);
        const auto data = sealed(testing::makeSamples(static_cast<Shape>(shape), 120, 4));
        for (std::size_t len = 0; len < data.size(); ++len) {
            std::vector<model::Sample> out;
            QVERIFY2(!decodeSamples(Encoding::kPacked, std::span(data).first(len), out).isOk(),
                     qPrintable(QString("prefix of %1 of %2 bytes").arg(len).arg(data.size())));
        }
    }

    // Random bytes and mutated valid chunks must never crash or read out of
    // bounds (run under the asan preset); any error is a Corruption status.
    void fuzzDecoders() {
        std::mt19937_64 rng(20261121);
        std::vector<std::vector<std::uint8_t>> seeds;
        for (Shape s : testing::kAllShapes) {
            const auto samples = testing::makeSamples(s, 1 + rng() % 200, 3);
            seeds.push_back(sealed(samples));
            seeds.push_back(encodeXor(samples));
        }
        int errors = 0;
        int decoded = 0;
        for (int round = 0; round < 6000; ++round) {
            std::vector<std::uint8_t> data;
            if (round % 2 == 0) {
                data.resize(rng() % 80);
                for (auto& b : data)
                    b = static_cast<std::uint8_t>(rng());
                if (round % 4 == 0 && !data.empty())
                    data[0] = static_cast<std::uint8_t>(1 + rng() % 130);  // plausible counts
            } else {
                data = seeds[rng() % seeds.size()];
                const int flips = 1 + static_cast<int>(rng() % 4);
                for (int f = 0; f < flips && !data.empty(); ++f)
                    data[rng() % data.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
                if (rng() % 3 == 0)
                    data.resize(rng() % (data.size() + 1));
            }
            for (Encoding e : {Encoding::kXor, Encoding::kPacked}) {
                std::vector<model::Sample> out;
                Status st = iterateAll(e, data, out);
                if (st.isOk()) {
                    ++decoded;
                    QVERIFY(out.size() <= 0xffff);
                } else {
                    ++errors;
                    QCOMPARE(st.code(), Status::Code::kCorruption);
                    QVERIFY(st.message().find("chunk") != std::string::npos);
                }
            }
        }
        // Both outcomes must actually be exercised for the fuzzing to mean anything.
        QVERIFY(errors > 1000);
        QVERIFY(decoded > 100);
    }
};

QTEST_GUILESS_MAIN(TestChunkEncodings)
#include "tst_chunk_encodings.moc"
