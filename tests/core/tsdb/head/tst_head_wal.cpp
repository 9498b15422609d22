#include <QTemporaryDir>
#include <QtTest>

#include <random>

#include "core/tsdb/head/head.h"
#include "core/tsdb/wal/segments.h"
#include "core/util/fault_injection_env.h"
#include "head_test_util.h"

using namespace vigil;
using namespace vigil::tsdb;
using namespace vigil::tsdb::testing;
using model::AppendError;
using model::Labels;
using model::MatchType;
using model::Timestamp;

// The head and its WAL: reopening replays to the same state, a damaged tail
// is cut and start-up goes on, checkpoints keep what truncate() kept, and
// what was committed and synced survives a power loss.
class TestHeadWal : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::string walDir() const { return m_tmp->path().toStdString() + "/wal"; }

    static std::unique_ptr<Head> open(Env* env, const std::string& dir, HeadOptions options = {},
                                      std::vector<std::string>* warnings = nullptr) {
        auto head = Head::open(env, dir, options);
        if (!head) {
            qWarning("%s", head.status().message().c_str());
            return nullptr;
        }
        if (warnings)
            *warnings = (*head)->warnings();
        return std::move(*head);
    }

    static SeriesSamples everything(Head& head) {
        SeriesSamples out;
        auto q = head.querier(model::kMinTimestamp, model::kMaxTimestamp);
        if (Status s = queryAll(*q, anySeries(), out); !s)
            qFatal("%s", s.message().c_str());
        return out;
    }

    static Labels series(int i) {
        return Labels{{"__name__", i % 2 ? "node_cpu_seconds_total" : "node_load1"},
                      {"cpu", std::to_string(i % 8)},
                      {"instance", "host-" + std::to_string(i / 8)}};
    }

    // Appends `batches` commits of `perBatch` samples over `seriesCount`
    // series, starting at t0 with a 15 s step; returns the last timestamp.
    static Timestamp load(Head& head, int seriesCount, int batches, Timestamp t0,
                          std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        auto app = head.appender();
        Timestamp t = t0;
        for (int b = 0; b < batches; ++b, t += 15'000) {
            for (int i = 0; i < seriesCount; ++i) {
                const double v =
                    rng() % 7 == 0 ? model::staleNaN() : static_cast<double>(rng() % 100000) / 100;
                if (app->append(series(i), t, v) != AppendError::kNone)
                    qFatal("append refused");
            }
            if (Status s = app->commit(); !s)
                qFatal("%s", s.message().c_str());
        }
        return t - 15'000;
    }

    static std::string lastSegmentPath(const std::string& dir) {
        auto segments = wal::listSegments(Env::posix(), dir);
        std::string path;
        for (int index : *segments) {
            auto size = Env::posix()->getFileSize(wal::segmentPath(dir, index));
            if (size.isOk() && *size > 0)
                path = wal::segmentPath(dir, index);
        }
        return path;
    }

private slots:
    void init() {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
    }

    void reopenReplaysToIdenticalResults_data() {
        QTest::addColumn<qint64>("oooWindow");
        QTest::addColumn<bool>("compress");
        QTest::newRow("in order") << qint64(0) << false;
        QTest::newRow("out-of-order window, compressed WAL") << qint64(600'000) << true;
    }
    void reopenReplaysToIdenticalResults() {
        QFETCH(qint64, oooWindow);
        QFETCH(bool, compress);
        HeadOptions options;
        options.outOfOrderWindow = oooWindow;
        options.wal.compress = compress;
        options.samplesPerChunk = 50;
        SeriesSamples before;
        HeadStats statsBefore;
        {
            auto head = open(Env::posix(), walDir(), options);
            QVERIFY(head);
            const Timestamp last = load(*head, 40, 200, 1'700'000'000'000, 1);
            if (oooWindow > 0) {
                auto app = head->appender();
                QCOMPARE(app->append(series(3), last - 100'000 + 1, 42), AppendError::kNone);
                QVERIFY(app->commit());
            }
            QVERIFY(head->deleteRange({matcher(MatchType::kEqual, "cpu", "3")}, last - 2'000'000,
                                      last - 1'000'000)
                        .isOk());
            load(*head, 44, 20, last + 15'000, 2);  // new series after the delete
            before = everything(*head);
            statsBefore = head->stats();
        }
        std::vector<std::string> warnings;
        auto head = open(Env::posix(), walDir(), options, &warnings);
        QVERIFY(head);
        QVERIFY2(warnings.empty(), warnings.empty() ? "" : warnings.front().c_str());
        const std::string d = diff(before, everything(*head));
        QVERIFY2(d.empty(), d.c_str());
        QCOMPARE(head->stats().series, statsBefore.series);
        QCOMPARE(head->stats().samples, statsBefore.samples);
        QCOMPARE(head->stats().mint, statsBefore.mint);
        QCOMPARE(head->stats().maxt, statsBefore.maxt);
        // Refs continue after the replayed ones: a new series and a reopen.
        auto app = head->appender();
        const Labels fresh{{"__name__", "fresh"}};
        QCOMPARE(app->append(fresh, statsBefore.maxt, 1), AppendError::kNone);
        QCOMPARE(app->append(series(0), statsBefore.maxt, 1), AppendError::kDuplicate);
        QVERIFY(app->commit());
        before = everything(*head);
        head.reset();
        head = open(Env::posix(), walDir(), options);
        QVERIFY(head);
        const std::string d2 = diff(before, everything(*head));
        QVERIFY2(d2.empty(), d2.c_str());
    }

    void tornTailIsRepaired() {
        SeriesSamples full;
        {
            auto head = open(Env::posix(), walDir());
            QVERIFY(head);
            load(*head, 10, 30, 1'000'000, 3);
            full = everything(*head);
        }
        const std::string path = lastSegmentPath(walDir());
        QVERIFY(!path.empty());
        auto size = Env::posix()->getFileSize(path);
        QVERIFY(size.isOk());
        QVERIFY(Env::posix()->truncateFile(path, *size - 5));  // the last record is torn

        std::vector<std::string> warnings;
        auto head = open(Env::posix(), walDir(), {}, &warnings);
        QVERIFY(head);
        QCOMPARE(warnings.size(), std::size_t(1));
        QVERIFY2(warnings[0].find("offset") != std::string::npos, warnings[0].c_str());
        // Everything but the last batch (one sample per series) is there.
        const SeriesSamples got = everything(*head);
        QCOMPARE(got.size(), full.size());
        for (const auto& [labels, samples] : full) {
            auto expected = samples;
            expected.pop_back();
            QVERIFY2(sameSamples(expected, got.at(labels)), labels.toString().c_str());
        }
        // The head appends again, and the next start is clean.
        QVERIFY(load(*head, 10, 2, 2'000'000, 4) > 0);
        const SeriesSamples after = everything(*head);
        head.reset();
        head = open(Env::posix(), walDir(), {}, &warnings);
        QVERIFY(head);
        QVERIFY(warnings.empty());
        QVERIFY(diff(after, everything(*head)).empty());
    }

    void corruptRecordIsCut() {
        {
            auto head = open(Env::posix(), walDir());
            QVERIFY(head);
            load(*head, 5, 400, 1'000'000, 5);
        }
        const std::string path = lastSegmentPath(walDir());
        auto data = readFile(Env::posix(), path);
        QVERIFY(data.isOk());
        std::string bytes = *data;
        bytes[bytes.size() / 2] ^= 0x40;
        QVERIFY(writeFileAtomically(Env::posix(), path, bytes));
        std::vector<std::string> warnings;
        auto head = open(Env::posix(), walDir(), {}, &warnings);
        QVERIFY(head);
        QCOMPARE(warnings.size(), std::size_t(1));
        QVERIFY(warnings[0].find("checksum") != std::string::npos);
        const HeadStats st = head->stats();
        QVERIFY(st.samples > 0);
        QVERIFY(st.samples < 5 * 400);
    }

    void truncateCheckpointReopen() {
        HeadOptions options;
        options.chunkRange = 3'600'000;
        options.wal.segmentSize = 64 * 1024;
        SeriesSamples before;
        const Timestamp h = 3'600'000;
        {
            auto head = open(Env::posix(), walDir(), options);
            QVERIFY(head);
            load(*head, 20, 4 * 240, 0, 6);  // 4 h, 15 s step
            // A series that only lives before the cut disappears.
            auto app = head->appender();
            QCOMPARE(app->append(Labels{{"__name__", "gone"}}, h, 1), AppendError::kNone);
            QVERIFY(app->commit());
            QVERIFY(head->truncate(2 * h));
            QCOMPARE(head->stats().series, std::uint64_t(20));
            QCOMPARE(head->stats().mint, 2 * h);
            QCOMPARE(app->append(series(1), 2 * h - 1, 1), AppendError::kOutOfBounds);
            load(*head, 21, 10, 4 * h, 7);
            before = everything(*head);
        }
        auto names = Env::posix()->getChildren(walDir());
        QVERIFY(names.isOk());
        int checkpoints = 0, segments = 0;
        for (const auto& n : *names) {
            if (n.rfind("checkpoint.", 0) == 0)
                ++checkpoints;
            else
                ++segments;
        }
        QCOMPARE(checkpoints, 1);
        QVERIFY(segments <= 2);  // old segments are gone
        HeadOptions reopened = options;
        reopened.minValidTime = 2 * h;
        auto head = open(Env::posix(), walDir(), reopened);
        QVERIFY(head);
        const std::string d = diff(before, everything(*head));
        QVERIFY2(d.empty(), d.c_str());
        QCOMPARE(head->stats().mint, 2 * h);
        // A second truncate builds on the first checkpoint.
        QVERIFY(head->truncate(3 * h));
        before = everything(*head);
        head.reset();
        head = open(Env::posix(), walDir(), reopened);
        QVERIFY(head);
        QVERIFY(diff(before, everything(*head)).empty());
        QCOMPARE(head->stats().mint, 3 * h);
    }

    void powerLossKeepsSyncedSamples_data() {
        QTest::addColumn<bool>("syncOnCommit");
        QTest::addColumn<int>("cut");
        QTest::newRow("sync on commit, early") << true << 3;
        QTest::newRow("sync on commit, late") << true << 27;
        QTest::newRow("explicit sync") << false << 17;
    }
    void powerLossKeepsSyncedSamples() {
        QFETCH(bool, syncOnCommit);
        QFETCH(int, cut);
        FaultInjectionEnv env(Env::posix());
        HeadOptions options;
        options.syncOnCommit = syncOnCommit;
        model::InMemoryStorage acked;
        {
            auto head = open(&env, walDir(), options);
            QVERIFY(head);
            auto app = head->appender();
            auto ref = acked.appender();
            for (int b = 0; b < 30; ++b) {
                for (int i = 0; i < 25; ++i) {
                    QCOMPARE(app->append(series(i + b), 1'000'000 + b * 1000, b),
                             AppendError::kNone);
                    if (b < cut || (syncOnCommit && b == cut))
                        QCOMPARE(ref->append(series(i + b), 1'000'000 + b * 1000, b),
                                 AppendError::kNone);
                }
                QVERIFY(app->commit());
                if (!syncOnCommit && b + 1 == cut)
                    QVERIFY(head->sync());
                if (b == cut) {
                    QVERIFY(ref->commit());
                    QVERIFY(env.dropUnsyncedData());  // the power goes out
                    break;
                }
                QVERIFY(ref->commit());
            }
        }
        auto head = open(&env, walDir(), options);
        QVERIFY(head);
        SeriesSamples want;
        auto rq = acked.querier(model::kMinTimestamp, model::kMaxTimestamp);
        QVERIFY(queryAll(*rq, anySeries(), want));
        const SeriesSamples got = everything(*head);
        if (syncOnCommit) {
            const std::string d = diff(want, got);
            QVERIFY2(d.empty(), d.c_str());
        } else {
            // Acknowledged (synced) samples are all there; later ones may be lost.
            for (const auto& [labels, samples] : want) {
                auto it = got.find(labels);
                QVERIFY2(it != got.end(), labels.toString().c_str());
                QVERIFY(it->second.size() >= samples.size());
                std::vector<model::Sample> prefix(
                    it->second.begin(),
                    it->second.begin() + static_cast<std::ptrdiff_t>(samples.size()));
                QVERIFY(sameSamples(samples, prefix));
            }
        }
    }

    void walErrorFailsCommit() {
        FaultInjectionEnv env(Env::posix());
        auto head = open(&env, walDir());
        QVERIFY(head);
        auto app = head->appender();
        QCOMPARE(app->append(series(0), 1000, 1), AppendError::kNone);
        QVERIFY(app->commit());
        env.setNoSpaceAfter(0);
        QCOMPARE(app->append(series(0), 2000, 2), AppendError::kNone);
        QCOMPARE(app->append(series(1), 2000, 2), AppendError::kNone);
        Status s = app->commit();
        QVERIFY(!s.isOk());
        QVERIFY2(s.message().find("committing to the head") != std::string::npos,
                 s.message().c_str());
        // Nothing of the failed batch is visible.
        const SeriesSamples got = everything(*head);
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(got.begin()->second.size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestHeadWal)
#include "tst_head_wal.moc"
