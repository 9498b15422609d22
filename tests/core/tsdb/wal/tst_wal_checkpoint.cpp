#include <QTemporaryDir>
#include <QtTest>

#include <bit>
#include <functional>
#include <string>
#include <vector>

#include "core/tsdb/record/record.h"
#include "core/tsdb/wal/checkpoint.h"
#include "core/tsdb/wal/wal.h"
#include "core/tsdb/wal/wal_reader.h"
#include "core/util/fault_injection_env.h"
#include "wal_test_util.h"

using namespace vigil::tsdb::wal;
using namespace vigil::tsdb::wal::testing;
using namespace vigil::tsdb::record;
using vigil::Env;
using vigil::Status;
using vigil::model::Labels;
using vigil::model::Timestamp;

namespace {

// The head state a sequence of records rebuilds, in record order.
struct State {
    std::vector<RefSeries> series;
    std::vector<std::tuple<std::uint64_t, Timestamp, std::uint64_t>> samples;  // value bits
    std::vector<Tombstone> tombstones;

    friend bool operator==(const State&, const State&) = default;
};

void applyRecord(State& state, std::string_view rec) {
    switch (recordType(rec)) {
        case RecordType::kSeries:
            QVERIFY(decodeSeries(rec, state.series));
            break;
        case RecordType::kSamples: {
            std::vector<RefSample> samples;
            QVERIFY(decodeSamples(rec, samples));
            for (const auto& s : samples)
                state.samples.emplace_back(s.ref, s.t, std::bit_cast<std::uint64_t>(s.v));
            break;
        }
        case RecordType::kTombstones:
            QVERIFY(decodeTombstones(rec, state.tombstones));
            break;
        case RecordType::kUnknown:
            QFAIL("unknown record");
    }
}

State filtered(const State& in, const std::function<bool(std::uint64_t)>& keep, Timestamp mint) {
    State out;
    for (const auto& s : in.series)
        if (keep(s.ref))
            out.series.push_back(s);
    for (const auto& s : in.samples)
        if (keep(std::get<0>(s)) && std::get<1>(s) >= mint)
            out.samples.push_back(s);
    for (const auto& t : in.tombstones)
        if (keep(t.ref) && t.maxt >= mint)
            out.tombstones.push_back(t);
    return out;
}

void appendState(State& a, const State& b) {
    a.series.insert(a.series.end(), b.series.begin(), b.series.end());
    a.samples.insert(a.samples.end(), b.samples.begin(), b.samples.end());
    a.tombstones.insert(a.tombstones.end(), b.tombstones.begin(), b.tombstones.end());
}

Labels labelsFor(std::uint64_t ref) {
    return Labels{{"__name__", "m"}, {"id", std::to_string(ref)}};
}

}  // namespace

class TestWalCheckpoint : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::string dir() const { return m_tmp->path().toStdString() + "/wal"; }
    std::string m_buf;

    void logSeries(Wal& wal, std::uint64_t from, std::uint64_t to) {
        std::vector<RefSeries> series;
        for (std::uint64_t ref = from; ref <= to; ++ref)
            series.push_back({ref, labelsFor(ref)});
        encodeSeries(series, m_buf);
        QVERIFY(wal.log(m_buf));
    }
    void logSamples(Wal& wal, std::uint64_t refs, Timestamp from, Timestamp to) {
        for (Timestamp t = from; t <= to; ++t) {
            std::vector<RefSample> samples;
            for (std::uint64_t ref = 1; ref <= refs; ++ref)
                samples.push_back({ref, t, static_cast<double>(t) * 10 + static_cast<double>(ref)});
            encodeSamples(samples, m_buf);
            QVERIFY(wal.log(m_buf));
        }
    }
    void logTombstones(Wal& wal, std::vector<Tombstone> stones) {
        encodeTombstones(stones, m_buf);
        QVERIFY(wal.log(m_buf));
    }

    // Segments 0..2 complete, 3 being written.
    std::unique_ptr<Wal> writeHistory(Env* env) {
        auto wal = Wal::open(env, dir());
        if (!wal.isOk())
            return nullptr;
        logSeries(**wal, 1, 10);
        logSamples(**wal, 10, 0, 9);
        (void)(*wal)->nextSegment();
        logSamples(**wal, 10, 10, 19);
        logTombstones(**wal, {{2, 0, 5}, {3, 0, 100}, {5, 0, 10}});
        (void)(*wal)->nextSegment();
        logSeries(**wal, 11, 12);
        logSamples(**wal, 12, 20, 29);
        (void)(*wal)->nextSegment();
        logSamples(**wal, 12, 30, 39);
        if (!(*wal)->sync())
            return nullptr;
        return std::move(*wal);
    }

    // The state of the records up to and including segment `last` (and any
    // checkpoint), and of the later ones.
    void stateBeforeAndAfter(Env* env, int last, State& upTo, State& after) {
        ReadResult r = readAll(env, dir());
        QVERIFY2(r.status.isOk(), r.status.message().c_str());
        for (std::size_t i = 0; i < r.records.size(); ++i) {
            bool old = r.dirs[i] != dir() || r.segments[i] <= last;
            applyRecord(old ? upTo : after, r.records[i]);
        }
    }

    State replayState(Env* env) {
        State state;
        auto report = replayWal(env, dir(), [&](std::string_view rec) {
            applyRecord(state, rec);
            return Status::ok();
        });
        if (!report.isOk() || !report->warnings.empty())
            qWarning("replay: %s", report.isOk() ? report->warnings[0].c_str()
                                                 : report.status().message().c_str());
        return state;
    }

private slots:
    void init() {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
    }

    void keepsLiveSeriesAndReplaysIdentically() {
        Env* env = Env::posix();
        auto wal = writeHistory(env);
        QVERIFY(wal);
        QCOMPARE(wal->currentSegment(), 3);

        auto keep = [](std::uint64_t ref) { return ref % 2 == 1 || ref == 12; };
        const Timestamp mint = 15;
        State upTo, after;
        stateBeforeAndAfter(env, 2, upTo, after);
        State expected = filtered(upTo, keep, mint);
        appendState(expected, after);

        auto stats = checkpoint(env, dir(), 2, keep, mint);
        QVERIFY2(stats.isOk(), stats.status().message().c_str());
        QCOMPARE(stats->index, 2);
        QCOMPARE(stats->keptSeries, std::uint64_t(7));  // 1 3 5 7 9 11 and 12
        QCOMPARE(stats->keptSeries + stats->droppedSeries, std::uint64_t(12));
        QCOMPARE(stats->keptTombstones, std::uint64_t(1));  // {3, 0, 100}
        QCOMPARE(stats->droppedTombstones, std::uint64_t(2));
        QCOMPARE(stats->keptSamples + stats->droppedSamples, std::uint64_t(10 * 20 + 12 * 10));

        auto names = env->getChildren(dir());
        QVERIFY(names.isOk());
        QCOMPARE(*names, (std::vector<std::string>{"00000003", "checkpoint.00000002"}));

        State replayed = replayState(env);
        QCOMPARE(replayed.series.size(), std::size_t(7));
        QVERIFY(replayed == expected);

        // The writer goes on; a second checkpoint builds on the first.
        QCOMPARE(*wal->nextSegment(), 4);
        logSeries(*wal, 13, 13);
        logSamples(*wal, 13, 40, 44);
        QCOMPARE(*wal->nextSegment(), 5);
        logSamples(*wal, 13, 45, 46);
        QVERIFY(wal->sync());

        auto keep2 = [](std::uint64_t ref) { return ref % 3 == 0; };
        State upTo2, after2;
        stateBeforeAndAfter(env, 4, upTo2, after2);
        State expected2 = filtered(upTo2, keep2, 38);
        appendState(expected2, after2);
        auto stats2 = checkpoint(env, dir(), 4, keep2, 38);
        QVERIFY2(stats2.isOk(), stats2.status().message().c_str());
        names = env->getChildren(dir());
        QCOMPARE(*names, (std::vector<std::string>{"00000005", "checkpoint.00000004"}));
        QVERIFY(replayState(env) == expected2);

        QVERIFY(wal->close());
        // After a restart the writer numbers on after the newest segment.
        auto reopened = Wal::open(env, dir());
        QVERIFY(reopened.isOk());
        QCOMPARE((*reopened)->currentSegment(), 6);

        // A checkpoint cannot go backwards.
        auto again = checkpoint(env, dir(), 3, keep2, 0);
        QVERIFY(!again.isOk());
        QVERIFY2(again.status().message().find("checkpoint.00000004 already covers it") !=
                     std::string::npos,
                 again.status().message().c_str());
    }

    void checkpointWithoutOlderSegmentsAfterRestart() {
        Env* env = Env::posix();
        {
            auto wal = writeHistory(env);
            QVERIFY(wal);
            QVERIFY(wal->close());
        }
        State upTo, after;
        stateBeforeAndAfter(env, 3, upTo, after);
        auto all = [](std::uint64_t) { return true; };
        QVERIFY(checkpoint(env, dir(), 3, all, 0).isOk());
        QVERIFY(replayState(env) == upTo);  // keeping everything changes nothing
        auto wal = Wal::open(env, dir());
        QVERIFY(wal.isOk());
        QCOMPARE((*wal)->currentSegment(), 4);
    }

    void damagedInputFailsAndDeletesNothing_data() {
        QTest::addColumn<bool>("unknownRecord");
        QTest::newRow("checksum mismatch") << false;
        QTest::newRow("unknown record type") << true;
    }
    void damagedInputFailsAndDeletesNothing() {
        QFETCH(bool, unknownRecord);
        Env* env = Env::posix();
        auto wal = writeHistory(env);
        QVERIFY(wal);
        std::string victim = segmentPath(dir(), 1);
        if (unknownRecord) {
            // A well-framed record the codec does not know.
            QVERIFY(wal->close());
            wal.reset();
            auto w = Wal::open(env, dir());
            QVERIFY(w.isOk());
            QVERIFY((*w)->log(std::string("\x2a junk", 6)));
            QVERIFY((*w)->close());
            victim = segmentPath(dir(), 4);
        } else {
            auto bytes = *vigil::readFile(env, victim);
            bytes[100] = static_cast<char>(~bytes[100]);
            auto f = env->newWritableFile(victim);
            QVERIFY((*f)->append(bytes));
            QVERIFY((*f)->close());
        }
        auto before = env->getChildren(dir());
        const int last = unknownRecord ? 4 : 2;
        auto stats = checkpoint(
            env, dir(), last, [](std::uint64_t) { return true; }, 0);
        QVERIFY(!stats.isOk());
        const std::string message = stats.status().message();
        QVERIFY2(message.find("checkpointing WAL " + dir()) == 0, message.c_str());
        if (unknownRecord)
            QVERIFY2(message.find("segment 00000004 offset 0: unknown record type byte 42") !=
                         std::string::npos,
                     message.c_str());
        else
            QVERIFY2(
                message.find("segment 00000001 offset 0: checksum mismatch") != std::string::npos,
                message.c_str());
        QCOMPARE(*env->getChildren(dir()), *before);  // no checkpoint, nothing deleted
    }

    void crashDuringCheckpoint() {
        vigil::FaultInjectionEnv env(Env::posix());
        auto wal = writeHistory(&env);
        QVERIFY(wal);
        State upTo, after;
        stateBeforeAndAfter(&env, 2, upTo, after);
        State all = upTo;
        appendState(all, after);

        env.tearNextWrite(10);
        auto stats = checkpoint(
            &env, dir(), 2, [](std::uint64_t) { return true; }, 0);
        QVERIFY(!stats.isOk());
        QVERIFY(env.crashed());
        wal.reset();
        env.resetFaults();
        QVERIFY(env.fileExists(dir() + "/checkpoint.00000002.tmp"));
        // Replay ignores the unfinished checkpoint: the state is unchanged.
        QVERIFY(replayState(&env) == all);
        auto reopened = Wal::open(&env, dir());
        QVERIFY(reopened.isOk());
        QVERIFY(!env.fileExists(dir() + "/checkpoint.00000002.tmp"));

        // Sync failure: reported, the temporary directory is removed.
        env.setSyncFailure(true);
        stats = checkpoint(
            &env, dir(), 2, [](std::uint64_t) { return false; }, 0);
        QVERIFY(!stats.isOk());
        QVERIFY(stats.status().message().find("Input/output error") != std::string::npos);
        env.resetFaults();
        QVERIFY(!env.fileExists(dir() + "/checkpoint.00000002.tmp"));
        QVERIFY(!env.fileExists(dir() + "/checkpoint.00000002"));
        QVERIFY(env.fileExists(segmentPath(dir(), 0)));
    }
};

QTEST_GUILESS_MAIN(TestWalCheckpoint)
#include "tst_wal_checkpoint.moc"
