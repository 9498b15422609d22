#include <QTemporaryDir>
#include <QtTest>

#include <random>
#include <string>
#include <vector>

#include "core/tsdb/wal/wal.h"
#include "core/tsdb/wal/wal_reader.h"
#include "core/util/fault_injection_env.h"
#include "wal_test_util.h"

using namespace vigil::tsdb::wal;
using namespace vigil::tsdb::wal::testing;
using vigil::Env;
using vigil::FaultInjectionEnv;
using vigil::Status;

// The WAL against a failing file system: errors are reported as Status
// values, the WAL stays readable, and records acknowledged by a successful
// sync() survive a crash or a power loss.
class TestWalFaults : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::string dir() const { return m_tmp->path().toStdString() + "/wal"; }

    static std::vector<std::string> makeRecords(int n, std::size_t size, std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        std::vector<std::string> records;
        for (int i = 0; i < n; ++i)
            records.push_back(std::to_string(seed) + "/" + std::to_string(i) + ":" +
                              makeRecord(rng, size, false));
        return records;
    }

    // Start-up after a crash: replay with repair, then append and read again.
    void restartAndCheck(Env* env, const std::vector<std::string>& acknowledged,
                         const std::vector<std::string>& logged) {
        std::vector<std::string> replayed;
        auto report = replayWal(env, dir(), [&](std::string_view rec) {
            replayed.emplace_back(rec);
            return Status::ok();
        });
        QVERIFY2(report.isOk(), report.status().message().c_str());
        // Everything acknowledged is there, then at most a prefix of what was
        // logged after it, and nothing else.
        QVERIFY(replayed.size() >= acknowledged.size());
        QVERIFY(replayed.size() <= logged.size());
        for (std::size_t i = 0; i < replayed.size(); ++i)
            QVERIFY2(replayed[i] == logged[i], ("record " + std::to_string(i)).c_str());

        auto wal = Wal::open(env, dir());
        QVERIFY2(wal.isOk(), wal.status().message().c_str());
        QVERIFY((*wal)->log("after restart"));
        QVERIFY((*wal)->sync());
        QVERIFY((*wal)->close());
        ReadResult r = readAll(env, dir());
        QVERIFY2(r.status.isOk(), r.status.message().c_str());
        QCOMPARE(r.records.size(), replayed.size() + 1);
        QCOMPARE(r.records.back(), std::string("after restart"));
    }

private slots:
    void init() {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
    }

    void fsyncFailure() {
        FaultInjectionEnv env(Env::posix());
        auto acked = makeRecords(10, 500, 1);
        auto unacked = makeRecords(5, 500, 2);
        {
            auto wal = Wal::open(&env, dir());
            QVERIFY(wal.isOk());
            QVERIFY(logAll(**wal, acked));
            QVERIFY((*wal)->sync());
            QVERIFY(logAll(**wal, unacked));
            env.setSyncFailure(true);
            Status s = (*wal)->sync();
            QVERIFY(!s);
            QCOMPARE(s.code(), Status::Code::kIoError);
            QVERIFY2(s.message().find("segment 00000000") != std::string::npos,
                     s.message().c_str());
            QVERIFY(s.message().find("fdatasync") != std::string::npos);
            // Sticky: the sync is not retried as if nothing happened.
            env.setSyncFailure(false);
            QVERIFY(!(*wal)->sync());
            QVERIFY(!(*wal)->log("more"));
            QCOMPARE((*wal)->error().message(), s.message());
        }
        QVERIFY(env.dropUnsyncedData());
        ReadResult r = readAll(&env, dir());
        QVERIFY(r.status.isOk());
        QCOMPARE(r.records, acked);  // exactly the acknowledged records
        std::vector<std::string> logged = acked;
        logged.insert(logged.end(), unacked.begin(), unacked.end());
        restartAndCheck(&env, acked, logged);
    }

    void noSpace_data() {
        QTest::addColumn<int>("spaceAfterSync");
        QTest::addColumn<bool>("powerLoss");
        QTest::newRow("full right away") << 0 << false;
        QTest::newRow("full inside a header") << 3 << false;
        QTest::newRow("full after some records") << 5000 << false;
        QTest::newRow("full across a segment cut") << 70000 << false;
        QTest::newRow("full, then power loss") << 5000 << true;
    }
    void noSpace() {
        QFETCH(int, spaceAfterSync);
        QFETCH(bool, powerLoss);
        FaultInjectionEnv env(Env::posix());
        auto acked = makeRecords(20, 300, 3);
        auto later = makeRecords(200, 700, 4);
        std::vector<std::string> logged = acked;
        {
            WalOptions options;
            options.segmentSize = 2 * kPageSize;
            auto wal = Wal::open(&env, dir(), options);
            QVERIFY(wal.isOk());
            QVERIFY(logAll(**wal, acked));
            QVERIFY((*wal)->sync());
            env.setNoSpaceAfter(spaceAfterSync);
            Status s;
            for (const auto& rec : later) {
                s = (*wal)->log(rec);
                logged.push_back(rec);
                if (!s)
                    break;
            }
            QVERIFY(!s);
            QCOMPARE(s.code(), Status::Code::kResourceExhausted);
            QVERIFY2(s.message().find("No space left on device") != std::string::npos,
                     s.message().c_str());
            QVERIFY2(s.message().find(dir()) != std::string::npos, s.message().c_str());
            QVERIFY(!(*wal)->sync());
            QVERIFY(!(*wal)->log("x"));
            // The WAL stays readable while the disk is full.
            ReadResult r = readAll(&env, dir());
            QVERIFY(r.records.size() >= acked.size());
            QVERIFY(std::equal(acked.begin(), acked.end(), r.records.begin()));
        }
        env.resetFaults();  // space was freed; the process restarts
        if (powerLoss) {
            QVERIFY(env.dropUnsyncedData());
            ReadResult r = readAll(&env, dir());
            QVERIFY(r.status.isOk());
            QCOMPARE(r.records, acked);
        }
        restartAndCheck(&env, acked, logged);
    }

    void tornWrite_data() {
        QTest::addColumn<int>("keep");
        QTest::newRow("nothing written") << 0;
        QTest::newRow("1 byte") << 1;
        QTest::newRow("inside the header") << 5;
        QTest::newRow("header only") << 7;
        QTest::newRow("some data") << 100;
        QTest::newRow("across a page") << 40000;
    }
    void tornWrite() {
        QFETCH(int, keep);
        FaultInjectionEnv env(Env::posix());
        auto acked = makeRecords(5, 1000, 5);
        std::vector<std::string> logged = acked;
        {
            auto wal = Wal::open(&env, dir());
            QVERIFY(wal.isOk());
            QVERIFY(logAll(**wal, acked));
            QVERIFY((*wal)->sync());
            env.tearNextWrite(keep);
            std::string big = makeRecords(1, 60000, 6)[0];
            logged.push_back(big);
            QVERIFY(!(*wal)->log(big));
            QVERIFY(env.crashed());
        }
        env.resetFaults();  // a process crash: what reached the OS stays
        ReadResult r = readAll(&env, dir());
        QCOMPARE(r.records, acked);
        QCOMPARE(r.status.isOk(), keep == 0);
        if (keep > 0) {
            QVERIFY(r.corruption.has_value());
            QVERIFY(r.corruption->tornTail);
        }
        restartAndCheck(&env, acked, logged);
    }

    // Random power losses while writing over many segments: every record
    // acknowledged by sync() survives; what survives is a prefix of the log.
    void powerLossKeepsAcknowledgedRecords() {
        FaultInjectionEnv env(Env::posix());
        std::mt19937_64 rng(11);
        std::vector<std::string> logged;
        std::size_t acknowledged = 0;
        for (int round = 0; round < 5; ++round) {
            {
                WalOptions options;
                options.segmentSize = 2 * kPageSize;
                auto wal = Wal::open(&env, dir(), options);
                QVERIFY2(wal.isOk(), wal.status().message().c_str());
                for (int i = 0; i < 60; ++i) {
                    std::string rec = "round " + std::to_string(round) + " record " +
                                      std::to_string(i) + makeRecord(rng, rng() % 4000, false);
                    QVERIFY((*wal)->log(rec));
                    logged.push_back(rec);
                    if (rng() % 10 == 0) {
                        QVERIFY((*wal)->sync());
                        acknowledged = logged.size();
                    }
                }
            }
            QVERIFY(env.dropUnsyncedData());
            std::vector<std::string> replayed;
            auto report = replayWal(&env, dir(), [&](std::string_view rec) {
                replayed.emplace_back(rec);
                return Status::ok();
            });
            QVERIFY2(report.isOk(), report.status().message().c_str());
            QVERIFY2(
                replayed.size() >= acknowledged,
                (std::to_string(replayed.size()) + " < " + std::to_string(acknowledged)).c_str());
            for (std::size_t i = 0; i < replayed.size(); ++i)
                QVERIFY(replayed[i] == logged[i]);
            // What survived is the new truth for the next round.
            logged = replayed;
            acknowledged = logged.size();
        }
    }

    void failureWhileCreatingASegment() {
        FaultInjectionEnv env(Env::posix());
        WalOptions options;
        options.segmentSize = kPageSize;
        auto wal = Wal::open(&env, dir(), options);
        QVERIFY(wal.isOk());
        QVERIFY((*wal)->log(std::string(20000, 'a')));
        QVERIFY((*wal)->sync());
        env.setSyncFailure(true);  // the segment cut syncs the old segment
        Status s = (*wal)->log(std::string(20000, 'b'));
        QVERIFY(!s);
        QVERIFY(s.message().find("Input/output error") != std::string::npos);
        env.resetFaults();
        QVERIFY(!(*wal)->log("c"));  // sticky
        wal->reset();
        ReadResult r = readAll(&env, dir());
        QVERIFY(r.status.isOk());
        QCOMPARE(r.records.size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestWalFaults)
#include "tst_wal_faults.moc"
