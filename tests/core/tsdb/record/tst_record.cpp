#include <QtTest>

#include <bit>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/tsdb/record/record.h"

using namespace vigil::tsdb::record;
using vigil::Status;
using vigil::model::Labels;

namespace {

std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list)
        s.push_back(static_cast<char>(b));
    return s;
}

bool sameSamples(const std::vector<RefSample>& a, const std::vector<RefSample>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].ref != b[i].ref || a[i].t != b[i].t ||
            std::bit_cast<std::uint64_t>(a[i].v) != std::bit_cast<std::uint64_t>(b[i].v))
            return false;
    }
    return true;
}

}  // namespace

class TestRecord : public QObject {
    Q_OBJECT
private slots:
    void seriesRoundTrip() {
        std::vector<RefSeries> series = {
            {1, Labels{{"__name__", "up"}, {"job", "node"}}},
            {0xFFFFFFFFFFFFFFFFull,
             Labels{{"a", "\xc3\xa9t\xc3\xa9"}, {"b", std::string(300, 'x')}}},
            {42, Labels{}},
        };
        std::string rec;
        encodeSeries(series, rec);
        QCOMPARE(recordType(rec), RecordType::kSeries);
        std::vector<RefSeries> out;
        QVERIFY(decodeSeries(rec, out));
        QVERIFY(out == series);

        encodeSeries({}, rec);
        out.clear();
        QVERIFY(decodeSeries(rec, out));
        QVERIFY(out.empty());
    }

    void samplesRoundTrip_data() {
        QTest::addColumn<int>("which");
        QTest::newRow("empty") << 0;
        QTest::newRow("one") << 1;
        QTest::newRow("scrape-like") << 2;
        QTest::newRow("decreasing refs and times, extremes") << 3;
        QTest::newRow("special values") << 4;
    }
    void samplesRoundTrip() {
        QFETCH(int, which);
        std::vector<RefSample> samples;
        switch (which) {
            case 1:
                samples = {{7, 1000, 1.5}};
                break;
            case 2:
                for (int i = 0; i < 1000; ++i)
                    samples.push_back(
                        {static_cast<std::uint64_t>(i + 1), 1700000000000 + i % 3, i * 0.25});
                break;
            case 3:
                samples = {{1000, 5000, 1},
                           {3, -5000, 2},
                           {0, std::numeric_limits<std::int64_t>::min(), 3},
                           {std::numeric_limits<std::uint64_t>::max(),
                            std::numeric_limits<std::int64_t>::max(), 4}};
                break;
            case 4:
                samples = {{1, 1, vigil::model::staleNaN()},
                           {2, 2, std::numeric_limits<double>::quiet_NaN()},
                           {3, 3, std::numeric_limits<double>::infinity()},
                           {4, 4, -0.0}};
                break;
            default:
                break;
        }
        std::string rec;
        encodeSamples(samples, rec);
        QCOMPARE(recordType(rec), RecordType::kSamples);
        std::vector<RefSample> out;
        QVERIFY(decodeSamples(rec, out));
        QVERIFY(sameSamples(out, samples));
        if (which == 4)
            QVERIFY(vigil::model::isStaleNaN(out[0].v));
    }

    // The layout Prometheus's record.Encoder writes: type, base ref and time
    // (big-endian), then per sample zig-zag varint deltas and the float bits.
    void samplesBytesMatchPrometheus() {
        std::vector<RefSample> samples = {{1, 1000, 1.0}, {2, 999, 2.0}};
        std::string rec;
        encodeSamples(samples, rec);
        std::string want = bytes({2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x03, 0xE8,
                                  // sample 0: dref 0, dt 0, 1.0
                                  0, 0, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0,
                                  // sample 1: dref +1 -> 2, dt -1 -> 1, 2.0
                                  2, 1, 0x40, 0, 0, 0, 0, 0, 0, 0});
        QCOMPARE(rec, want);
    }

    void seriesBytesMatchPrometheus() {
        std::vector<RefSeries> series = {{5, Labels{{"a", "b"}}}};
        std::string rec;
        encodeSeries(series, rec);
        QCOMPARE(rec, bytes({1, 0, 0, 0, 0, 0, 0, 0, 5, 1, 1, 'a', 1, 'b'}));
    }

    void tombstonesRoundTrip() {
        std::vector<Tombstone> stones = {{1, 0, 100}, {300, -50, -10}, {2, 7, 7}};
        std::string rec;
        encodeTombstones(stones, rec);
        QCOMPARE(rec.substr(0, 5), bytes({3, 1, 0, 0xC8, 0x01}));
        std::vector<Tombstone> out;
        QVERIFY(decodeTombstones(rec, out));
        QVERIFY(out == stones);
    }

    void wrongTypeIsNamed() {
        std::string rec;
        encodeSamples(std::vector<RefSample>{{1, 1, 1}}, rec);
        std::vector<RefSeries> series;
        Status s = decodeSeries(rec, series);
        QVERIFY(!s);
        QCOMPARE(s.code(), Status::Code::kCorruption);
        QVERIFY2(s.message().find("type byte is 2 (samples)") != std::string::npos,
                 s.message().c_str());
        std::vector<RefSample> samples;
        QVERIFY(!decodeSamples("", samples));
        QCOMPARE(recordType(""), RecordType::kUnknown);
        QCOMPARE(recordType(bytes({9})), RecordType::kUnknown);
    }

    // Cutting a record anywhere inside an entry is reported; cutting at an
    // entry boundary leaves a shorter valid record.
    void truncatedSamples() {
        std::vector<RefSample> samples = {{1, 1000, 1}, {300, 100000, 2}, {2, 5, 3}};
        std::string rec;
        encodeSamples(samples, rec);
        std::vector<std::size_t> boundaries = {1, 17};  // type only; type + base
        for (int i = 0; i < 3; ++i) {
            std::string one;
            encodeSamples(std::vector<RefSample>(samples.begin(), samples.begin() + i + 1), one);
            boundaries.push_back(one.size());
        }
        for (std::size_t cut = 1; cut < rec.size(); ++cut) {
            std::vector<RefSample> out;
            Status s = decodeSamples(std::string_view(rec).substr(0, cut), out);
            bool boundary =
                std::find(boundaries.begin(), boundaries.end(), cut) != boundaries.end();
            QVERIFY2(s.isOk() == boundary, ("cut at " + std::to_string(cut)).c_str());
            if (!s) {
                QCOMPARE(s.code(), Status::Code::kCorruption);
                QVERIFY2(s.message().find("samples record of " + std::to_string(cut) +
                                          " bytes: byte ") == 0,
                         s.message().c_str());
                QVERIFY(s.message().find("truncated") != std::string::npos);
            }
            // Entries before the damage are delivered.
            QVERIFY(sameSamples(
                out, std::vector<RefSample>(samples.begin(), samples.begin() + out.size())));
        }
    }

    void corruptSeries_data() {
        QTest::addColumn<QByteArray>("record");
        QTest::addColumn<QString>("message");
        auto rec = [](std::initializer_list<int> list) {
            std::string s = bytes(list);
            return QByteArray(s.data(), static_cast<int>(s.size()));
        };
        QTest::newRow("truncated ref")
            << rec({1, 0, 0, 0}) << "byte 1 (series 0): truncated series ref";
        QTest::newRow("label count too large")
            << rec({1, 0, 0, 0, 0, 0, 0, 0, 9, 100, 1, 'a', 1, 'b'})
            << "series 0, ref 9): label count 100 exceeds the record";
        QTest::newRow("string past end") << rec({1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 5, 'a'})
                                         << "label name of 5 bytes runs past the end";
        QTest::newRow("empty value")
            << rec({1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 1, 'a', 0}) << "label 'a' has an empty value";
        QTest::newRow("empty name")
            << rec({1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 0, 1, 'v'}) << "label 0 has an empty name";
        QTest::newRow("unsorted") << rec({1, 0, 0, 0, 0, 0, 0, 0, 9, 2, 1, 'b', 1, 'x', 1, 'a', 1,
                                          'y'})
                                  << "label 'a' is out of order or repeated";
        QTest::newRow("repeated") << rec({1, 0, 0, 0, 0, 0, 0, 0, 9, 2, 1, 'a', 1, 'x', 1, 'a', 1,
                                          'y'})
                                  << "label 'a' is out of order or repeated";
        QTest::newRow("varint overflow") << rec({1, 0, 0, 0, 0, 0, 0, 0, 9, 0xFF, 0xFF, 0xFF, 0xFF,
                                                 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F})
                                         << "varint overflows 64 bits (label count)";
    }
    void corruptSeries() {
        QFETCH(QByteArray, record);
        QFETCH(QString, message);
        std::vector<RefSeries> out;
        Status s = decodeSeries(std::string_view(record.constData(), record.size()), out);
        QVERIFY(!s);
        QCOMPARE(s.code(), Status::Code::kCorruption);
        QVERIFY2(s.message().find(message.toStdString()) != std::string::npos, s.message().c_str());
        QVERIFY(s.message().starts_with("series record of "));
    }

    void corruptTombstones() {
        std::vector<Tombstone> out;
        Status s = decodeTombstones(bytes({3, 1, 0, 0xC8, 0x01, 2, 0x80}), out);
        QVERIFY(!s);
        QVERIFY2(s.message().find("byte 5 (tombstone 1)") != std::string::npos,
                 s.message().c_str());
        QVERIFY(s.message().find("truncated varint (mint)") != std::string::npos);
        QCOMPARE(out.size(), std::size_t(1));
    }

    void randomRoundTrips() {
        std::mt19937_64 rng(7);
        for (int round = 0; round < 200; ++round) {
            std::vector<RefSample> samples(rng() % 50);
            for (auto& s : samples) {
                s.ref = rng() % 4 == 0 ? rng() : rng() % 1000;
                s.t = static_cast<std::int64_t>(rng());
                s.v = std::bit_cast<double>(rng());
            }
            std::string rec;
            encodeSamples(samples, rec);
            std::vector<RefSample> out;
            QVERIFY(decodeSamples(rec, out));
            QVERIFY(sameSamples(out, samples));
        }
    }
};

QTEST_GUILESS_MAIN(TestRecord)
#include "tst_record.moc"
