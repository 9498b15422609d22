#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/instrument/metric_registry.h"
#include "core/logs/store/log_store.h"
#include "core/util/fault_injection_env.h"

using namespace vigil;
using namespace vigil::logs;
using vigil::logs::store::LogStore;
using vigil::logs::store::LogStoreOptions;

namespace {

constexpr std::int64_t kSec = 1000000000;
constexpr std::int64_t kBase = 1700000000 * kSec;

struct Collected {
    model::Labels labels;
    std::vector<std::pair<std::int64_t, std::string>> entries;
};

class Collector final : public StreamVisitor {
public:
    std::vector<Collected> streams;
    std::size_t limit = SIZE_MAX;
    bool beginStream(const model::Labels& labels) override {
        streams.push_back({labels, {}});
        return true;
    }
    bool entry(TimestampNs ts, std::string_view line) override {
        streams.back().entries.emplace_back(ts, std::string(line));
        return streams.back().entries.size() < limit;
    }
};

model::Matcher eq(const std::string& n, const std::string& v) {
    return model::Matcher::make(model::MatchType::kEqual, n, v).value();
}
model::Matcher re(const std::string& n, const std::string& v) {
    return model::Matcher::make(model::MatchType::kRegexp, n, v).value();
}

LogStream makeStream(model::Labels labels, std::int64_t from, int n, const std::string& prefix,
                     std::int64_t step = kSec) {
    LogStream s;
    s.labels = std::move(labels);
    for (int i = 0; i < n; ++i)
        s.entries.push_back({from + i * step, prefix + std::to_string(i), {}});
    return s;
}

std::vector<Collected> selectAll(const LogStore& store, std::vector<model::Matcher> matchers,
                                 Direction dir = Direction::kForward, std::int64_t start = 0,
                                 std::int64_t end = INT64_MAX) {
    Collector c;
    LogSelectParams p;
    p.matchers = std::move(matchers);
    p.startNs = start;
    p.endNs = end;
    p.direction = dir;
    const Status s = store.select(p, c);
    if (!s.isOk())
        qWarning() << s.message().c_str();
    return c.streams;
}

}  // namespace

class TestLogStore : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::atomic<std::int64_t> m_now{kBase + 3600 * kSec};

    LogStoreOptions options() {
        LogStoreOptions o;
        o.nowNs = [this] { return m_now.load(); };
        return o;
    }
    std::unique_ptr<LogStore> openStore(LogStoreOptions o, Env* env = Env::posix()) {
        auto r = LogStore::open(env, m_tmp->path().toStdString() + "/logs", std::move(o), nullptr);
        if (!r.isOk())
            qWarning() << r.status().message().c_str();
        return r.isOk() ? std::move(r.value()) : nullptr;
    }

private slots:
    void init() {
        m_tmp = std::make_unique<QTemporaryDir>();
        m_now = kBase + 3600 * kSec;
    }

    void pushAndSelectBothDirections_data() {
        QTest::addColumn<bool>("cut");
        QTest::newRow("head") << false;
        QTest::newRow("chunks") << true;
    }
    void pushAndSelectBothDirections() {
        QFETCH(bool, cut);
        LogStoreOptions o = options();
        o.blockBytes = 64;  // many blocks per chunk
        auto store = openStore(o);
        QVERIFY(store);
        auto r = store->push({makeStream({{"job", "a"}}, kBase, 100, "line a "),
                              makeStream({{"job", "b"}}, kBase, 50, "line b ")});
        QCOMPARE(r.accepted, std::size_t(150));
        QCOMPARE(r.rejected, std::size_t(0));
        if (cut)
            QVERIFY(store->flushHeads().isOk());

        auto fwd = selectAll(*store, {eq("job", "a")});
        QCOMPARE(fwd.size(), std::size_t(1));
        QCOMPARE(fwd[0].entries.size(), std::size_t(100));
        QCOMPARE(fwd[0].entries.front().second, std::string("line a 0"));
        QCOMPARE(fwd[0].entries.back().first, kBase + 99 * kSec);

        auto bwd = selectAll(*store, {eq("job", "a")}, Direction::kBackward);
        QCOMPARE(bwd[0].entries.size(), std::size_t(100));
        QCOMPARE(bwd[0].entries.front().second, std::string("line a 99"));

        // Time range [10s, 20s): start inclusive, end exclusive.
        auto range = selectAll(*store, {re("job", "a|b")}, Direction::kForward, kBase + 10 * kSec,
                               kBase + 20 * kSec);
        QCOMPARE(range.size(), std::size_t(2));
        QCOMPARE(range[0].labels.get("job"), std::string_view("a"));
        QCOMPARE(range[1].entries.size(), std::size_t(10));
        QCOMPARE(range[1].entries.front().first, kBase + 10 * kSec);
        auto rangeBack = selectAll(*store, {re("job", ".+")}, Direction::kBackward,
                                   kBase + 10 * kSec, kBase + 20 * kSec);
        QCOMPARE(rangeBack[1].entries.size(), std::size_t(10));
        QCOMPARE(rangeBack[1].entries.front().first, kBase + 19 * kSec);

        // Visitor limit stops the stream.
        Collector limited;
        limited.limit = 5;
        LogSelectParams p;
        p.matchers = {eq("job", "a")};
        p.endNs = INT64_MAX;
        QVERIFY(store->select(p, limited).isOk());
        QCOMPARE(limited.streams[0].entries.size(), std::size_t(5));

        QCOMPARE(store->labelNames(0, INT64_MAX).value(), std::vector<std::string>{"job"});
        QCOMPARE(store->labelValues("job", {}, 0, INT64_MAX).value(),
                 (std::vector<std::string>{"a", "b"}));
        QCOMPARE(store->series({eq("job", "b")}, 0, INT64_MAX).value().size(), std::size_t(1));
        QCOMPARE(store->series({}, kBase + 60 * kSec, INT64_MAX).value().size(), std::size_t(1));
        QVERIFY(store->close().isOk());
    }

    void matchers() {
        auto store = openStore(options());
        QVERIFY(store);
        store->push({makeStream({{"job", "a"}, {"env", "prod"}}, kBase, 3, "x"),
                     makeStream({{"job", "b"}}, kBase, 3, "y"),
                     makeStream({{"job", "c"}, {"env", "dev"}}, kBase, 3, "z")});
        auto ne = model::Matcher::make(model::MatchType::kNotEqual, "env", "prod").value();
        auto res = selectAll(*store, {re("job", ".+"), ne});
        QCOMPARE(res.size(), std::size_t(2));  // b (no env) and c
        auto nre = model::Matcher::make(model::MatchType::kNotRegexp, "job", "a|b").value();
        QCOMPARE(selectAll(*store, {nre}).size(), std::size_t(1));
        QCOMPARE(selectAll(*store, {eq("job", "nope")}).size(), std::size_t(0));
        QCOMPARE(selectAll(*store, {eq("env", "prod"), eq("job", "b")}).size(), std::size_t(0));
    }

    void outOfOrderAccepted() {
        LogStoreOptions o = options();
        o.chunkTargetBytes = 200;  // cut often: out-of-order entries span chunks
        o.blockBytes = 50;
        auto store = openStore(o);
        QVERIFY(store);
        std::vector<std::int64_t> order = {5,  1,  9,  3,  7,  2,  8,  0,  6,  4,
                                           15, 11, 19, 13, 17, 12, 18, 10, 16, 14};
        for (std::int64_t i : order) {
            LogStream s;
            s.labels = {{"job", "ooo"}};
            s.entries.push_back({kBase + i * kSec, "entry " + std::to_string(i), {}});
            QCOMPARE(store->push({s}).accepted, std::size_t(1));
        }
        for (bool flush : {false, true}) {
            if (flush)
                QVERIFY(store->flushHeads().isOk());
            auto fwd = selectAll(*store, {eq("job", "ooo")});
            QCOMPARE(fwd[0].entries.size(), order.size());
            for (std::size_t i = 0; i < order.size(); ++i)
                QCOMPARE(fwd[0].entries[i].first, kBase + static_cast<std::int64_t>(i) * kSec);
            auto bwd = selectAll(*store, {eq("job", "ooo")}, Direction::kBackward);
            for (std::size_t i = 0; i < order.size(); ++i)
                QCOMPARE(bwd[0].entries[i].first,
                         kBase + static_cast<std::int64_t>(order.size() - 1 - i) * kSec);
        }
    }

    void refusalsAreCounted() {
        instrument::MetricRegistry registry;
        LogStoreOptions o = options();
        o.maxStreams = 2;
        o.maxLineLength = 10;
        o.maxLabelValueLength = 5;
        o.retentionNs = 3600 * kSec;
        auto r = LogStore::open(Env::posix(), m_tmp->path().toStdString() + "/logs", o, &registry);
        QVERIFY(r.isOk());
        auto& store = *r.value();
        LogStream s1 = makeStream({{"job", "a"}}, kBase + 100 * kSec, 2, "ok");
        s1.entries.push_back({kBase + 100 * kSec, "this line is too long", {}});
        s1.entries.push_back({kBase - 10 * kSec, "old", {}});       // too old
        s1.entries.push_back({m_now + 3600 * kSec, "future", {}});  // too new
        auto res = store.push({s1, makeStream({{"job", "b"}}, kBase + 100 * kSec, 1, "x"),
                               makeStream({{"job", "c"}}, kBase + 100 * kSec, 3, "x"),
                               makeStream({{"job", "toolongvalue"}}, kBase + 100 * kSec, 1, "x"),
                               makeStream({{"0bad", "v"}}, kBase + 100 * kSec, 1, "x")});
        QCOMPARE(res.accepted, std::size_t(3));
        QCOMPARE(res.rejected, std::size_t(8));
        QCOMPARE(res.firstRejection, LogRejection::kLineTooLong);
        QVERIFY2(
            res.firstError.find("max entry size '10' bytes exceeded for stream '{job=\"a\"}'") !=
                std::string::npos,
            res.firstError.c_str());
        QCOMPARE(store.discarded(LogRejection::kLineTooLong), std::uint64_t(1));
        QCOMPARE(store.discarded(LogRejection::kTooOld), std::uint64_t(1));
        QCOMPARE(store.discarded(LogRejection::kTooFarInFuture), std::uint64_t(1));
        QCOMPARE(store.discarded(LogRejection::kStreamLimit), std::uint64_t(3));
        QCOMPARE(store.discarded(LogRejection::kLabelValueTooLong), std::uint64_t(1));
        QCOMPARE(store.discarded(LogRejection::kLabelNameInvalid), std::uint64_t(1));
        QCOMPARE(store.stats().activeStreams, std::size_t(2));
        // The counter is in /metrics.
        const double counted = registry
                                   .counter("vigil_logs_discarded_entries_total", "",
                                            model::Labels{{"reason", "stream_limit"}})
                                   .value();
        QCOMPARE(counted, 3.0);
        // Idle streams leave the guard's count.
        m_now += 31 * 60 * kSec;
        QVERIFY(store.maintain().isOk());
        QCOMPARE(store.stats().activeStreams, std::size_t(0));
        QCOMPARE(store.push({makeStream({{"job", "c"}}, m_now, 1, "x")}).accepted, std::size_t(1));
    }

    void reopenAfterClose() {
        {
            auto store = openStore(options());
            QVERIFY(store);
            store->push({makeStream({{"job", "a"}}, kBase, 1000, "persisted ")});
            QVERIFY(store->close().isOk());
        }
        auto store = openStore(options());
        QVERIFY(store);
        auto res = selectAll(*store, {eq("job", "a")});
        QCOMPARE(res[0].entries.size(), std::size_t(1000));
        QCOMPARE(res[0].entries[999].second, std::string("persisted 999"));
        QCOMPARE(store->stats().chunks, std::size_t(1));
        QCOMPARE(store->stats().headEntries, std::uint64_t(0));
    }

    // A process crash (no close) at various points: every acknowledged entry
    // comes back exactly once.
    void crashRecoversExactlyOnce_data() {
        QTest::addColumn<int>("chunkTarget");
        QTest::addColumn<int>("walRotate");
        QTest::newRow("head only") << (1 << 20) << (64 << 20);
        QTest::newRow("cut chunks + wal") << 2000 << (64 << 20);
        QTest::newRow("wal rotations") << 2000 << 5000;
    }
    void crashRecoversExactlyOnce() {
        QFETCH(int, chunkTarget);
        QFETCH(int, walRotate);
        LogStoreOptions o = options();
        o.chunkTargetBytes = static_cast<std::size_t>(chunkTarget);
        o.walRotateBytes = static_cast<std::uint64_t>(walRotate);
        int pushed = 0;
        for (int round = 0; round < 3; ++round) {
            auto store = openStore(o);
            QVERIFY(store);
            for (int i = 0; i < 40; ++i) {
                LogStream s = makeStream({{"job", "crash"}}, kBase + pushed * kSec, 10, "e");
                for (int k = 0; k < 10; ++k)
                    s.entries[static_cast<std::size_t>(k)].line = "e" + std::to_string(pushed + k);
                QCOMPARE(store
                             ->push({s, makeStream({{"job", "other"}, {"n", std::to_string(i % 3)}},
                                                   kBase + pushed * kSec, 1, "o")})
                             .accepted,
                         std::size_t(11));
                pushed += 10;
            }
            // Destroyed without close(): a crash of the process.
        }
        auto store = openStore(o);
        QVERIFY(store);
        auto res = selectAll(*store, {eq("job", "crash")});
        QCOMPARE(res.size(), std::size_t(1));
        QCOMPARE(res[0].entries.size(), static_cast<std::size_t>(pushed));
        for (int i = 0; i < pushed; ++i)
            QCOMPARE(res[0].entries[static_cast<std::size_t>(i)].second, "e" + std::to_string(i));
        std::size_t others = 0;
        for (const auto& c : selectAll(*store, {eq("job", "other")}))
            others += c.entries.size();
        QCOMPARE(others, std::size_t(120));
    }

    // kill -9 of a writing process at an arbitrary point (mid-cut, mid-WAL
    // rotation...): every entry whose push() returned is there, exactly once
    // and in order.
    void killNineKeepsAcknowledged_data() {
        QTest::addColumn<int>("killAfter");
        QTest::newRow("early") << 500;
        QTest::newRow("later") << 4000;
        QTest::newRow("much later") << 12000;
    }
    void killNineKeepsAcknowledged() {
        QFETCH(int, killAfter);
        LogStoreOptions o;
        o.chunkTargetBytes = 4096;
        o.walRotateBytes = 32 * 1024;
        o.segmentBytes = 64 * 1024;
        const std::string dir = m_tmp->path().toStdString() + "/logs";
        int fds[2];
        QVERIFY(::pipe(fds) == 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(fds[0]);
            auto r = LogStore::open(Env::posix(), dir, o, nullptr);
            if (!r.isOk())
                ::_exit(3);
            std::int64_t n = 0;
            for (;;) {
                LogStream s;
                s.labels = {{"job", "kill"}};
                for (int k = 0; k < 10; ++k, ++n)
                    s.entries.push_back({kBase + n, "k" + std::to_string(n), {}});
                if (r.value()->push({s}).accepted != 10)
                    ::_exit(4);
                if (::write(fds[1], &n, sizeof n) != sizeof n)
                    ::_exit(5);
            }
        }
        ::close(fds[1]);
        std::int64_t acked = 0;
        while (acked < killAfter) {
            std::int64_t v = 0;
            if (::read(fds[0], &v, sizeof v) != sizeof v)
                break;
            acked = v;
        }
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        std::int64_t v = 0;
        while (::read(fds[0], &v, sizeof v) == sizeof v)
            acked = v;
        ::close(fds[0]);
        QVERIFY2(WIFSIGNALED(status), "the writer died on its own");
        QVERIFY(acked >= killAfter);

        auto store = openStore(o);
        QVERIFY(store);
        auto res = selectAll(*store, {eq("job", "kill")});
        QCOMPARE(res.size(), std::size_t(1));
        const auto& got = res[0].entries;
        QVERIFY2(
            static_cast<std::int64_t>(got.size()) >= acked,
            qPrintable(QString("%1 entries back, %2 acknowledged").arg(got.size()).arg(acked)));
        for (std::size_t i = 0; i < got.size(); ++i) {
            if (got[i].second != "k" + std::to_string(i))
                QFAIL(qPrintable(QString("entry %1 is %2").arg(i).arg(got[i].second.c_str())));
        }
    }

    // One push naming the same stream twice: both parts are stored, in
    // order, and replayed exactly once after a crash.
    void sameStreamTwiceInOnePush() {
        LogStoreOptions o = options();
        {
            auto store = openStore(o);
            QVERIFY(store);
            auto r = store->push({makeStream({{"job", "dup"}}, kBase, 3, "first "),
                                  makeStream({{"job", "dup"}}, kBase + 10 * kSec, 2, "second ")});
            QCOMPARE(r.accepted, std::size_t(5));
        }
        auto store = openStore(o);
        QVERIFY(store);
        auto res = selectAll(*store, {eq("job", "dup")});
        QCOMPARE(res.size(), std::size_t(1));
        QCOMPARE(res[0].entries.size(), std::size_t(5));
        QCOMPARE(res[0].entries[3].second, std::string("second 0"));
        QVERIFY(store->close().isOk());
        store.reset();
        store = openStore(o);
        QCOMPARE(selectAll(*store, {eq("job", "dup")})[0].entries.size(), std::size_t(5));
    }

    // A chunk write that runs out of disk: the push that triggered the cut
    // still succeeds (its entries are in the WAL and the head), the segment
    // is cut back, and later cuts go to a new segment; nothing is lost or
    // doubled.
    void diskFullDuringCut() {
        FaultInjectionEnv env(Env::posix());
        LogStoreOptions o = options();
        o.chunkTargetBytes = 900;
        auto store = openStore(o, &env);
        QVERIFY(store);
        LogStream big;
        big.labels = {{"job", "full"}};
        for (int i = 0; i < 20; ++i)
            big.entries.push_back({kBase + i,
                                   "entry " + std::to_string(i * 7919) + " " +
                                       std::to_string(i * 104729) + " " +
                                       std::string(static_cast<std::size_t>(20 + i), 'a' + i % 26),
                                   {}});
        // Room for the WAL record (~1.1 KB) but not for the chunk after it.
        env.setNoSpaceAfter(1300);
        auto r = store->push({big});
        QCOMPARE(r.accepted, std::size_t(20));
        env.resetFaults();
        auto r2 = store->push({makeStream({{"job", "full"}}, kBase + 100, 30, "later ", 1)});
        QCOMPARE(r2.accepted, std::size_t(30));
        QVERIFY(store->close().isOk());
        store.reset();
        store = openStore(o, &env);
        QVERIFY(store);
        auto res = selectAll(*store, {eq("job", "full")});
        QCOMPARE(res[0].entries.size(), std::size_t(50));
        QCOMPARE(res[0].entries[19].first, kBase + 19);
        QCOMPARE(res[0].entries[20].second, std::string("later 0"));
        QVERIFY(store->stats().segments >= 2);
    }

    // A power loss drops whatever was not synced: acknowledged entries stay.
    void powerLossKeepsAcknowledged() {
        FaultInjectionEnv env(Env::posix());
        LogStoreOptions o = options();
        o.syncOnPush = true;
        o.chunkTargetBytes = 3000;
        o.walRotateBytes = 8000;
        {
            auto store = openStore(o, &env);
            QVERIFY(store);
            for (int i = 0; i < 100; ++i)
                QCOMPARE(store
                             ->push({makeStream({{"job", "p"}}, kBase + i * 10 * kSec, 10,
                                                "power " + std::to_string(i) + " ")})
                             .accepted,
                         std::size_t(10));
            QVERIFY(env.dropUnsyncedData().isOk());
        }
        auto store = openStore(o, &env);
        QVERIFY(store);
        auto res = selectAll(*store, {eq("job", "p")});
        QCOMPARE(res[0].entries.size(), std::size_t(1000));
    }

    // A torn chunk write is cut off at open; its entries come from the WAL.
    void tornChunkRecordIsRepaired() {
        LogStoreOptions o = options();
        {
            auto store = openStore(o);
            store->push({makeStream({{"job", "t"}}, kBase, 100, "torn ")});
            QVERIFY(store->flushHeads().isOk());
            // crash without close: WAL still holds the entries
        }
        const QString seg = m_tmp->path() + "/logs/chunks/00000001.seg";
        QFile f(seg);
        QVERIFY(f.exists());
        const qint64 size = f.size();
        QVERIFY(f.resize(size - 7));
        auto store = openStore(o);
        QVERIFY(store);
        QCOMPARE(QFile(seg).size(), qint64(0));
        auto res = selectAll(*store, {eq("job", "t")});
        QCOMPARE(res[0].entries.size(), std::size_t(100));
    }

    void retentionByTimeAndSize() {
        LogStoreOptions o = options();
        o.retentionNs = 5 * 1800 * kSec;  // 2.5h
        o.segmentBytes = 1;               // every chunk in its own segment
        auto store = openStore(o);
        QVERIFY(store);
        for (int h = 0; h < 3; ++h) {
            store->push({makeStream({{"job", "r"}, {"h", std::to_string(h)}},
                                    m_now - 30 * 60 * kSec, 10, "x")});
            QVERIFY(store->flushHeads().isOk());
            m_now += 3600 * kSec;
        }
        // now = first + 3h: only the first hour's segment is past 2.5h retention.
        QVERIFY(store->maintain().isOk());
        QCOMPARE(store->series({}, 0, INT64_MAX).value().size(), std::size_t(2));

        const auto before = store->stats();
        LogStoreOptions sized = o;
        sized.retentionNs = 0;
        sized.maxBytes = before.diskBytes - 1;  // one segment too many
        store.reset();
        store = openStore(sized);
        QVERIFY(store);
        m_now += 100 * 3600 * kSec;  // streams idle
        QVERIFY(store->maintain().isOk());
        QVERIFY(store->stats().diskBytes <= sized.maxBytes);
        QCOMPARE(store->series({}, 0, INT64_MAX).value().size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestLogStore)
#include "tst_log_store.moc"
