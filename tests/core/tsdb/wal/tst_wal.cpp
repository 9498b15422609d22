#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/tsdb/wal/crc32c.h"
#include "core/tsdb/wal/wal.h"
#include "core/tsdb/wal/wal_reader.h"
#include "core/util/env.h"
#include "wal_test_util.h"

using namespace vigil::tsdb::wal;
using namespace vigil::tsdb::wal::testing;
using vigil::Env;
using vigil::Status;

namespace {

std::uint32_t crc32cBitwise(std::string_view data) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (char c : data) {
        crc ^= static_cast<std::uint8_t>(c);
        for (int i = 0; i < 8; ++i)
            crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    return ~crc;
}

std::string readBytes(const std::string& path) {
    auto r = vigil::readFile(Env::posix(), path);
    return r.isOk() ? *r : std::string();
}

void writeBytes(const std::string& path, std::string_view data) {
    auto f = Env::posix()->newWritableFile(path);
    QVERIFY(f.isOk());
    QVERIFY((*f)->append(data));
    QVERIFY((*f)->close());
}

}  // namespace

class TestWal : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::string dir() const { return m_tmp->path().toStdString() + "/wal"; }
    Env* env() const { return Env::posix(); }

private slots:
    void init() {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
    }

    void crc32cKnownValues() {
        QCOMPARE(vigil::tsdb::crc32c(""), 0u);
        QCOMPARE(vigil::tsdb::crc32c("123456789"), 0xE3069283u);
        // RFC 3720 (iSCSI) B.4 test vectors.
        QCOMPARE(vigil::tsdb::crc32c(std::string(32, '\0')), 0x8A9136AAu);
        QCOMPARE(vigil::tsdb::crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
        std::string ascending;
        for (int i = 0; i < 32; ++i)
            ascending.push_back(static_cast<char>(i));
        QCOMPARE(vigil::tsdb::crc32c(ascending), 0x46DD794Eu);

        std::mt19937_64 rng(1);
        std::string data = makeRecord(rng, 1000, false);
        for (std::size_t start = 0; start < 9; ++start) {
            for (std::size_t len : {0u, 1u, 7u, 8u, 9u, 63u, 500u}) {
                std::string_view piece = std::string_view(data).substr(start, len);
                QCOMPARE(vigil::tsdb::crc32c(piece), crc32cBitwise(piece));
                std::size_t half = len / 2;
                QCOMPARE(vigil::tsdb::crc32cExtend(vigil::tsdb::crc32c(piece.substr(0, half)),
                                                   piece.substr(half)),
                         crc32cBitwise(piece));
            }
        }
    }

    void roundTrip_data() {
        QTest::addColumn<bool>("compress");
        QTest::addColumn<bool>("compressible");
        QTest::newRow("plain") << false << false;
        QTest::newRow("snappy, compressible") << true << true;
        QTest::newRow("snappy, random bytes stay uncompressed") << true << false;
    }
    void roundTrip() {
        QFETCH(bool, compress);
        QFETCH(bool, compressible);
        std::mt19937_64 rng(42);
        std::vector<std::string> records;
        // Sizes around the page and header boundaries, larger than a page,
        // larger than a segment, and many small ones.
        for (std::size_t size :
             {std::size_t(0), std::size_t(1), kPageSize - kHeaderSize - 1, kPageSize - kHeaderSize,
              kPageSize - kHeaderSize + 1, kPageSize, 3 * kPageSize + 17, std::size_t(300000)})
            records.push_back(makeRecord(rng, size, compressible));
        for (int i = 0; i < 600; ++i)
            records.push_back(makeRecord(rng, rng() % 3000, compressible));
        records.push_back(makeRecord(rng, 70000, compressible));
        // Half random, half repetitive: compressed, it still spans pages.
        records.push_back(makeRecord(rng, 100000, false) + std::string(100000, 'z'));

        WalOptions options;
        options.segmentSize = 4 * kPageSize;
        options.compress = compress;
        {
            auto wal = Wal::open(env(), dir(), options);
            QVERIFY2(wal.isOk(), wal.status().message().c_str());
            QCOMPARE((*wal)->currentSegment(), 0);
            // Half one at a time, half in one batch.
            std::size_t half = records.size() / 2;
            for (std::size_t i = 0; i < half; ++i)
                QVERIFY((*wal)->log(records[i]));
            std::vector<std::string_view> rest(records.begin() + half, records.end());
            QVERIFY((*wal)->log(rest));
            QVERIFY((*wal)->sync());
            QVERIFY((*wal)->close());
            QVERIFY(!(*wal)->log("after close"));
        }
        ReadResult r = readAll(env(), dir());
        QVERIFY2(r.status.isOk(), r.status.message().c_str());
        QCOMPARE(r.records.size(), records.size());
        for (std::size_t i = 0; i < records.size(); ++i)
            QVERIFY2(r.records[i] == records[i], ("record " + std::to_string(i)).c_str());

        auto segments = listSegments(env(), dir());
        QVERIFY(segments.isOk());
        if (!(compress && compressible))
            QVERIFY(segments->size() > 5);
        for (std::size_t i = 0; i + 1 < segments->size(); ++i) {
            QCOMPARE((*segments)[i], static_cast<int>(i));
            auto size = env()->getFileSize(segmentPath(dir(), (*segments)[i]));
            QVERIFY(size.isOk());
            QCOMPARE(*size % kPageSize, std::uint64_t(0));  // finished segments are whole pages
        }
        // A record never spans segments: the 300000-byte record got its own.
        if (!(compress && compressible))
            QVERIFY(r.segments[7] != r.segments[6] && r.segments[7] != r.segments[8]);
        // The mixed record is written as FIRST..LAST, flagged as Snappy when compressing.
        const std::size_t mixed = records.size() - 1;
        const std::string segmentBytes = readBytes(segmentPath(dir(), r.segments[mixed]));
        const auto typeByte = static_cast<std::uint8_t>(segmentBytes[r.offsets[mixed]]);
        QCOMPARE(typeByte, static_cast<std::uint8_t>(2 | (compress ? kSnappyFlag : 0)));
        if (compress && compressible) {
            std::uint64_t total = 0, raw = 0;
            for (int s : *segments)
                total += *env()->getFileSize(segmentPath(dir(), s));
            for (const auto& rec : records)
                raw += rec.size();
            QVERIFY(total < raw / 2);
        }
    }

    // Records that leave 0..9 bytes in a page: fewer than a header plus one
    // byte is padded; more starts a fragment there.
    void pageTail_data() {
        QTest::addColumn<int>("left");
        for (int left = 0; left <= 9; ++left)
            QTest::newRow(("left " + std::to_string(left)).c_str()) << left;
    }
    void pageTail() {
        QFETCH(int, left);
        std::mt19937_64 rng(left);
        std::vector<std::string> records = {makeRecord(rng, kPageSize - kHeaderSize - left, false),
                                            makeRecord(rng, 20, false),
                                            makeRecord(rng, 40000, false)};
        {
            auto wal = Wal::open(env(), dir());
            QVERIFY(wal.isOk());
            QVERIFY(logAll(**wal, records));
            QVERIFY((*wal)->close());
        }
        ReadResult r = readAll(env(), dir());
        QVERIFY2(r.status.isOk(), r.status.message().c_str());
        QCOMPARE(r.records, records);
        const auto expectedStart =
            left <= static_cast<int>(kHeaderSize) ? kPageSize : kPageSize - left;
        QCOMPARE(r.offsets[1], std::uint64_t(expectedStart));

        if (left >= 2 && left <= static_cast<int>(kHeaderSize)) {
            // Non-zero bytes in the padding are corruption.
            std::string path = segmentPath(dir(), 0);
            std::string bytes = readBytes(path);
            bytes[kPageSize - 1] = 'x';
            writeBytes(path, bytes);
            ReadResult bad = readAll(env(), dir());
            QCOMPARE(bad.records.size(), std::size_t(1));
            QVERIFY(!bad.status.isOk());
            QVERIFY2(
                bad.status.message().find("non-zero bytes in the padding") != std::string::npos,
                bad.status.message().c_str());
        }
    }

    void emptyWalAndEmptyRecords() {
        {
            auto wal = Wal::open(env(), dir());
            QVERIFY(wal.isOk());
            QVERIFY((*wal)->close());
        }
        ReadResult r = readAll(env(), dir());
        QVERIFY(r.status.isOk());
        QVERIFY(r.records.empty());
        {
            auto wal = Wal::open(env(), dir());
            QVERIFY(wal.isOk());
            QCOMPARE((*wal)->currentSegment(), 1);
            QVERIFY((*wal)->log(""));
            QVERIFY((*wal)->log("x"));
            QVERIFY((*wal)->log(""));
        }  // the destructor closes
        r = readAll(env(), dir());
        QVERIFY(r.status.isOk());
        QCOMPARE(r.records, (std::vector<std::string>{"", "x", ""}));
    }

    void openStartsANewSegmentAndDropsInterruptedCheckpoints() {
        QVERIFY(vigil::createDirs(env(), dir() + "/checkpoint.00000003.tmp"));
        writeBytes(dir() + "/checkpoint.00000003.tmp/00000000", "junk");
        writeBytes(segmentPath(dir(), 4), "");
        auto wal = Wal::open(env(), dir());
        QVERIFY(wal.isOk());
        QCOMPARE((*wal)->currentSegment(), 5);
        QVERIFY(!env()->fileExists(dir() + "/checkpoint.00000003.tmp"));
        auto next = (*wal)->nextSegment();
        QVERIFY(next.isOk());
        QCOMPARE(*next, 6);
        QCOMPARE(*env()->getFileSize(segmentPath(dir(), 5)), std::uint64_t(0));

        WalOptions tiny;
        tiny.segmentSize = 100;
        auto bad = Wal::open(env(), dir() + "2", tiny);
        QVERIFY(!bad.isOk());
        QVERIFY(bad.status().message().find("segment size 100") != std::string::npos);
    }

    void concurrentWriters() {
        constexpr int kThreads = 4;
        constexpr int kPerThread = 300;
        {
            WalOptions options;
            options.segmentSize = 8 * kPageSize;
            auto wal = Wal::open(env(), dir(), options);
            QVERIFY(wal.isOk());
            std::vector<std::thread> threads;
            std::atomic<int> failures{0};
            for (int t = 0; t < kThreads; ++t) {
                threads.emplace_back([&, t] {
                    for (int i = 0; i < kPerThread; ++i) {
                        std::string rec = std::to_string(t) + ":" + std::to_string(i) + ":" +
                                          std::string(i % 7 == 0 ? 40000 : 100, 'a' + t);
                        if (!(*wal)->log(rec))
                            ++failures;
                        if (i % 50 == 0 && !(*wal)->sync())
                            ++failures;
                    }
                });
            }
            for (auto& th : threads)
                th.join();
            QCOMPARE(failures.load(), 0);
            QVERIFY((*wal)->close());
        }
        ReadResult r = readAll(env(), dir());
        QVERIFY(r.status.isOk());
        QCOMPARE(r.records.size(), std::size_t(kThreads * kPerThread));
        std::map<int, int> next;
        for (const auto& rec : r.records) {
            int t = std::stoi(rec.substr(0, rec.find(':')));
            int i = std::stoi(rec.substr(rec.find(':') + 1));
            QCOMPARE(i, next[t]);  // each thread's records in order
            ++next[t];
            QCOMPARE(rec.back(), static_cast<char>('a' + t));
        }
    }

    // Cutting the WAL at every byte inside the last record: the reader yields
    // exactly the records before it, and after repair the WAL is appendable
    // and reads cleanly.
    void tornTailAtEveryOffset_data() {
        QTest::addColumn<int>("firstSize");
        QTest::addColumn<int>("lastSize");
        QTest::addColumn<bool>("compress");
        QTest::newRow("FULL record inside a page") << 50 << 300 << false;
        // Leaves 100 bytes in the first page: the last record is FIRST + LAST.
        QTest::newRow("record across a page boundary")
            << static_cast<int>(kPageSize - kHeaderSize - 100 - 4 * (kHeaderSize + 50)) << 400
            << false;
        QTest::newRow("compressed record") << 50 << 2000 << true;
    }
    void tornTailAtEveryOffset() {
        QFETCH(int, firstSize);
        QFETCH(int, lastSize);
        QFETCH(bool, compress);
        NoSyncEnv noSync;  // ~1000 reopens: fsync would dominate the run time
        Env* env = &noSync;
        std::mt19937_64 rng(9);
        std::vector<std::string> records;
        records.push_back(makeRecord(rng, firstSize, compress));
        for (int i = 0; i < 4; ++i)
            records.push_back(makeRecord(rng, 50, compress));
        records.push_back(makeRecord(rng, lastSize, compress));
        WalOptions options;
        options.compress = compress;
        {
            auto wal = Wal::open(env, dir(), options);
            QVERIFY(wal.isOk());
            QVERIFY(logAll(**wal, records));
            QVERIFY((*wal)->close());
        }
        ReadResult full = readAll(env, dir());
        QVERIFY(full.status.isOk());
        QCOMPARE(full.records, records);
        const std::uint64_t recordStart = full.offsets.back();
        const std::string bytes = readBytes(segmentPath(dir(), 0));
        if (lastSize == 400)
            QVERIFY(recordStart < kPageSize && bytes.size() > kPageSize);
        const std::vector<std::string> before(records.begin(), records.end() - 1);

        const std::string work = m_tmp->path().toStdString() + "/torn";
        for (std::uint64_t cut = recordStart; cut < bytes.size(); ++cut) {
            const std::string at = "cut at " + std::to_string(cut);
            QVERIFY(vigil::removeAll(env, work));
            QVERIFY(vigil::createDirs(env, work));
            writeBytes(segmentPath(work, 0), std::string_view(bytes).substr(0, cut));

            ReadResult r = readAll(env, work);
            QVERIFY2(r.records == before, at.c_str());
            if (cut == recordStart) {
                QVERIFY2(r.status.isOk(), at.c_str());
            } else {
                QVERIFY2(!r.status.isOk() && r.corruption.has_value(), at.c_str());
                QCOMPARE(r.status.code(), Status::Code::kCorruption);
                QVERIFY2(r.corruption->tornTail, r.status.message().c_str());
                QCOMPARE(r.corruption->segment, 0);
                QCOMPARE(r.corruption->offset, recordStart);
                QVERIFY2(r.status.message().find("segment 00000000 offset " +
                                                 std::to_string(recordStart)) != std::string::npos,
                         r.status.message().c_str());
            }

            std::uint64_t replayed = 0;
            auto report = replayWal(env, work, [&](std::string_view) {
                ++replayed;
                return Status::ok();
            });
            QVERIFY2(report.isOk(), at.c_str());
            QCOMPARE(replayed, std::uint64_t(before.size()));
            QCOMPARE(report->warnings.size(), std::size_t(cut == recordStart ? 0 : 1));
            QCOMPARE(*env->getFileSize(segmentPath(work, 0)), recordStart);

            auto wal = Wal::open(env, work, options);
            QVERIFY(wal.isOk());
            QVERIFY((*wal)->log("appended after repair"));
            QVERIFY((*wal)->close());
            ReadResult after = readAll(env, work);
            QVERIFY2(after.status.isOk(), after.status.message().c_str());
            QCOMPARE(after.records.size(), before.size() + 1);
            QCOMPARE(after.records.back(), std::string("appended after repair"));
        }
    }

    void corruptionInTheMiddle_data() {
        QTest::addColumn<int>("at");     // byte offset within the record's first fragment
        QTest::addColumn<int>("value");  // -1: flip all bits
        QTest::addColumn<QString>("reason");
        QTest::newRow("data byte")
            << static_cast<int>(kHeaderSize + 1) << -1 << "checksum mismatch in";
        QTest::newRow("checksum") << 4 << -1 << "checksum mismatch in";
        QTest::newRow("length") << 1 << 0xFF << "runs past the end of the page";
        QTest::newRow("unknown type") << 0 << 0x05 << "unknown fragment type byte 5";
        QTest::newRow("unknown flag") << 0 << 0x11 << "unknown fragment type byte 17";
        QTest::newRow("MIDDLE without FIRST") << 0 << 0x03 << "MIDDLE fragment without a FIRST";
    }
    void corruptionInTheMiddle() {
        QFETCH(int, at);
        QFETCH(int, value);
        QFETCH(QString, reason);
        std::mt19937_64 rng(3);
        std::vector<std::string> records;
        for (int i = 0; i < 100; ++i)
            records.push_back(makeRecord(rng, 100 + rng() % 5000, false));
        WalOptions options;
        options.segmentSize = 2 * kPageSize;
        {
            auto wal = Wal::open(env(), dir(), options);
            QVERIFY(wal.isOk());
            QVERIFY(logAll(**wal, records));
            QVERIFY((*wal)->close());
        }
        ReadResult full = readAll(env(), dir());
        QVERIFY(full.status.isOk());
        const int victim = 50;
        const int segment = full.segments[victim];
        const std::uint64_t offset = full.offsets[victim];
        QVERIFY(segment > 0 && segment < full.segments.back());

        std::string path = segmentPath(dir(), segment);
        std::string bytes = readBytes(path);
        char& b = bytes[offset + at];
        b = value < 0 ? static_cast<char>(~b) : static_cast<char>(value);
        writeBytes(path, bytes);

        ReadResult r = readAll(env(), dir());
        QCOMPARE(r.records, std::vector<std::string>(records.begin(), records.begin() + victim));
        QCOMPARE(r.status.code(), Status::Code::kCorruption);
        QVERIFY(r.corruption.has_value());
        QCOMPARE(r.corruption->segment, segment);
        QCOMPARE(r.corruption->offset, offset);
        QVERIFY(!r.corruption->tornTail);
        QVERIFY2(r.status.message().find(reason.toStdString()) != std::string::npos,
                 r.status.message().c_str());
        QVERIFY2(r.status.message().find("segment " + segmentName(segment) + " offset " +
                                         std::to_string(offset)) != std::string::npos,
                 r.status.message().c_str());

        QVERIFY(repairWal(env(), *r.corruption));
        ReadResult repaired = readAll(env(), dir());
        QVERIFY(repaired.status.isOk());
        QCOMPARE(repaired.records.size(), std::size_t(victim));
        auto segments = listSegments(env(), dir());
        QVERIFY(segments.isOk());
        QCOMPARE(segments->back(), segment);
        auto wal = Wal::open(env(), dir(), options);
        QVERIFY(wal.isOk());
        QCOMPARE((*wal)->currentSegment(), segment + 1);
    }

    void replayReportsAndRepairsOnce() {
        {
            auto wal = Wal::open(env(), dir());
            QVERIFY(wal.isOk());
            QVERIFY((*wal)->log("one"));
            QVERIFY((*wal)->log(std::string(5000, 'x')));
            QVERIFY((*wal)->close());
        }
        std::string path = segmentPath(dir(), 0);
        QVERIFY(env()->truncateFile(path, *env()->getFileSize(path) - 10));
        std::vector<std::string> seen;
        auto report = replayWal(env(), dir(), [&](std::string_view rec) {
            seen.emplace_back(rec);
            return Status::ok();
        });
        QVERIFY(report.isOk());
        QCOMPARE(seen, std::vector<std::string>{"one"});
        QCOMPARE(report->records, std::uint64_t(1));
        QCOMPARE(report->warnings.size(), std::size_t(1));
        QVERIFY2(report->warnings[0].find("segment 00000000 offset 10") != std::string::npos,
                 report->warnings[0].c_str());
        QVERIFY(report->warnings[0].find("torn write") != std::string::npos);

        seen.clear();
        report = replayWal(env(), dir(), [&](std::string_view rec) {
            seen.emplace_back(rec);
            return Status::ok();
        });
        QVERIFY(report.isOk());
        QVERIFY(report->warnings.empty());
        QCOMPARE(seen.size(), std::size_t(1));

        // A failing callback stops the replay with its own error.
        auto failed =
            replayWal(env(), dir(), [](std::string_view) { return Status::error("bad record"); });
        QVERIFY(!failed.isOk());
        QCOMPARE(failed.status().message(), std::string("bad record"));
    }

    void missingSegmentsAreWarned() {
        {
            WalOptions options;
            options.segmentSize = kPageSize;
            auto wal = Wal::open(env(), dir(), options);
            QVERIFY(wal.isOk());
            for (int i = 0; i < 4; ++i) {
                QVERIFY((*wal)->log("r" + std::to_string(i)));
                QVERIFY((*wal)->nextSegment().isOk());
            }
            QVERIFY((*wal)->close());
        }
        QVERIFY(env()->removeFile(segmentPath(dir(), 1)));
        std::vector<std::string> warnings;
        auto refs = WalReader::segmentsToReplay(env(), dir(), &warnings);
        QVERIFY(refs.isOk());
        QCOMPARE(refs->size(), std::size_t(4));
        QCOMPARE(warnings.size(), std::size_t(1));
        QVERIFY2(warnings[0].find("segments 00000001 to 00000001 are missing") != std::string::npos,
                 warnings[0].c_str());
    }
};

QTEST_GUILESS_MAIN(TestWal)
#include "tst_wal.moc"
