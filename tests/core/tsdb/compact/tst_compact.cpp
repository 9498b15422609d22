// Compaction: planning (Prometheus's leveled plan), merging overlapping
// blocks equals the merged reference, tombstones hide data and survive
// compaction, retention by time and size, snapshot and delete.

#include <QTemporaryDir>
#include <QtTest>

#include "core/tsdb/block/block_querier.h"
#include "core/tsdb/compact/block_set.h"
#include "core/tsdb/compact/compactor.h"
#include "tests/core/tsdb/block/block_test_util.h"

using namespace vigil;
using namespace vigil::tsdb;
using namespace vigil::tsdb::testing;
using model::MatchType;

namespace {

struct M {
    std::string id;
    std::int64_t mint;
    std::int64_t maxt;
    std::uint64_t series = 10;
    std::uint64_t tombstones = 0;
};

std::vector<BlockMeta> metas(const std::vector<M>& ms) {
    std::vector<BlockMeta> out;
    for (const auto& m : ms) {
        BlockMeta b;
        b.ulid = m.id;
        b.minTime = m.mint;
        b.maxTime = m.maxt;
        b.numSeries = m.series;
        b.numTombstones = m.tombstones;
        out.push_back(b);
    }
    return out;
}

std::vector<model::Matcher> all() {
    return {matcher(MatchType::kRegexp, "__name__", ".+")};
}

SeriesMap mergeRef(const std::vector<SeriesMap>& parts) {
    SeriesMap out;
    for (const auto& p : parts)
        for (const auto& [l, s] : p) {
            auto& dst = out[l];
            for (const auto& x : s) {
                auto it = std::lower_bound(
                    dst.begin(), dst.end(), x.t,
                    [](const model::Sample& a, model::Timestamp t) { return a.t < t; });
                if (it == dst.end() || it->t != x.t)
                    dst.insert(it, x);  // the first source wins on equal timestamps
            }
        }
    return out;
}

}  // namespace

class TestCompact : public QObject {
    Q_OBJECT

private slots:
    void blockRanges();
    void plan_data();
    void plan();
    void compactOverlappingEqualsReference();
    void compactKeepsFirstBlockOnConflicts();
    void tombstonesSurviveCompaction();
    void blockSetCompactsLevels();
    void retentionPlan_data();
    void retentionPlan();
    void retentionOnDisk();
    void snapshotIsAConsistentCopy();
};

void TestCompact::blockRanges() {
    const std::int64_t h = kHourMs;
    QCOMPARE(exponentialBlockRanges(2 * h, 4, 3),
             (std::vector<std::int64_t>{2 * h, 6 * h, 18 * h, 54 * h}));
    // 15d retention: max block 1.5d = 36h → 2h, 6h, 18h.
    QCOMPARE(blockRangesForRetention(15 * kDayMs),
             (std::vector<std::int64_t>{2 * h, 6 * h, 18 * h}));
    // 10y retention: capped at 31d → ..., 486h (20.25d); 1458h is 60d.
    auto r = blockRangesForRetention(3650 * kDayMs);
    QCOMPARE(r.back(), 486 * h);
}

void TestCompact::plan_data() {
    QTest::addColumn<QString>("blocks");  // "id:mint-maxt[:tomb]" separated by spaces
    QTest::addColumn<QString>("expected");
    // Ranges 20, 60, 180, 540 (as in Prometheus's TestLeveledCompactor_plan).
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("one block") << "1:0-20"
                               << "";
    QTest::newRow("two, newest excluded") << "1:0-20 2:20-40"
                                          << "";
    // Not a full range yet, and 2 is not before the newest remaining block.
    QTest::newRow("three in range, newest excluded") << "1:0-20 2:20-40 3:40-60"
                                                     << "";
    QTest::newRow("full range") << "1:0-20 2:20-40 3:40-60 4:60-80"
                                << "1 2 3";
    QTest::newRow("with a gap") << "1:0-20 3:40-60 4:60-120"
                                << "1 3";
    QTest::newRow("already compacted") << "1:0-60 2:60-80"
                                       << "";
    QTest::newRow("next level") << "1:0-60 2:60-120 3:120-180 4:180-200"
                                << "1 2 3";
    QTest::newRow("overlap first") << "1:0-20 2:10-30 3:40-60"
                                   << "1 2";
    QTest::newRow("overlap chain") << "1:0-20 2:19-40 3:39-60 4:70-80"
                                   << "1 2 3";
    QTest::newRow("tombstones") << "1:0-180:1 2:180-200"
                                << "1";
    QTest::newRow("few tombstones") << "1:0-180:0 2:180-200"
                                    << "";
}

void TestCompact::plan() {
    QFETCH(QString, blocks);
    QFETCH(QString, expected);
    std::vector<M> ms;
    for (const QString& b : blocks.split(' ', Qt::SkipEmptyParts)) {
        QStringList p = b.split(':');
        QStringList r = p[1].split('-');
        M m{p[0].toStdString(), r[0].toLongLong(), r[1].toLongLong()};
        if (p.size() > 2)
            m.tombstones = p[2].toULongLong();
        ms.push_back(m);
    }
    auto got = planCompaction(metas(ms), {20, 60, 180, 540});
    std::vector<std::string> want;
    for (const QString& e : expected.split(' ', Qt::SkipEmptyParts))
        want.push_back(e.toStdString());
    QCOMPARE(got, want);
}

void TestCompact::compactOverlappingEqualsReference() {
    QTemporaryDir tmp;
    Env* env = Env::posix();
    const std::string root = tmp.path().toStdString();
    const model::Timestamp t0 = 1735689600000;
    // Three blocks: b overlaps a in time and shares series; c is disjoint.
    SeriesMap a = randomSeries(11, 40, 480, t0);
    SeriesMap b = randomSeries(12, 40, 480, t0 + 3600000);
    SeriesMap c = randomSeries(13, 40, 480, t0 + 4 * 7200000);
    // Make some samples identical in both (shared timestamps, same values).
    for (auto& [l, s] : b)
        if (a.count(l))
            for (const auto& x : a[l])
                if (x.t >= t0 + 3600000 && x.t % 2 == 0)
                    s.push_back(x);
    for (auto& [l, s] : b) {
        std::sort(s.begin(), s.end(), [](auto& x, auto& y) { return x.t < y.t; });
        s.erase(std::unique(s.begin(), s.end(), [](auto& x, auto& y) { return x.t == y.t; }),
                s.end());
    }
    std::vector<std::shared_ptr<const Block>> blocks;
    for (const SeriesMap* m : {&a, &b, &c}) {
        auto meta = writeBlock(env, root, *m);
        QVERIFY(meta.isOk());
        blocks.push_back(Block::open(env, joinPath(root, meta->ulid)).value());
    }
    auto merged = compactBlocks(env, root, blocks);
    QVERIFY2(merged.isOk(), merged.status().message().c_str());
    QCOMPARE(merged->level, 2);
    QCOMPARE(merged->parents.size(), std::size_t(3));
    QCOMPARE(merged->sources.size(), std::size_t(3));
    auto block = Block::open(env, joinPath(root, merged->ulid), true);
    QVERIFY2(block.isOk(), block.status().message().c_str());
    QCOMPARE((*block)->meta().minTime, blocks[0]->meta().minTime);
    BlockQuerier q(*block, model::kMinTimestamp, model::kMaxTimestamp);
    auto got = collect(q, all());
    QVERIFY(got.isOk());
    SeriesMap want = mergeRef({a, b, c});
    QVERIFY2(diff(*got, want).empty(), diff(*got, want).c_str());
    std::uint64_t samples = 0;
    for (const auto& [l, s] : want)
        samples += s.size();
    QCOMPARE((*block)->meta().numSamples, samples);
    // Chunks of the result are sorted and non-overlapping (the index writer checks; re-read).
    model::Labels l;
    std::vector<ChunkMeta> chunks;
    for (std::uint32_t id = 0; id < (*block)->index().numSeries(); ++id) {
        QVERIFY((*block)->index().series(id, &l, &chunks).isOk());
        for (std::size_t i = 1; i < chunks.size(); ++i)
            QVERIFY(chunks[i].mint > chunks[i - 1].maxt);
    }
}

void TestCompact::compactKeepsFirstBlockOnConflicts() {
    QTemporaryDir tmp;
    Env* env = Env::posix();
    const std::string root = tmp.path().toStdString();
    model::Labels l{{"__name__", "x"}};
    SeriesMap a{{l, {{1000, 1}, {2000, 2}, {3000, 3}}}};
    SeriesMap b{{l, {{2000, 20}, {2500, 25}, {4000, 40}}}};
    auto ma = writeBlock(env, root, a);
    auto mb = writeBlock(env, root, b);
    std::vector<std::shared_ptr<const Block>> blocks = {
        Block::open(env, joinPath(root, ma->ulid)).value(),
        Block::open(env, joinPath(root, mb->ulid)).value()};
    auto merged = compactBlocks(env, root, blocks);
    QVERIFY(merged.isOk());
    auto block = Block::open(env, joinPath(root, merged->ulid)).value();
    BlockQuerier q(block, model::kMinTimestamp, model::kMaxTimestamp);
    auto got = collect(q, all());
    QVERIFY(got.isOk());
    SeriesMap want{{l, {{1000, 1}, {2000, 2}, {2500, 25}, {3000, 3}, {4000, 40}}}};
    QVERIFY2(diff(*got, want).empty(), diff(*got, want).c_str());
}

void TestCompact::tombstonesSurviveCompaction() {
    QTemporaryDir tmp;
    Env* env = Env::posix();
    const std::string root = tmp.path().toStdString();
    const model::Timestamp t0 = 1735689600000;
    SeriesMap a = randomSeries(21, 30, 480, t0);
    SeriesMap b = randomSeries(22, 30, 480, t0 + 7200000);
    QVERIFY(writeBlock(env, root, a).isOk());
    QVERIFY(writeBlock(env, root, b).isOk());
    auto set = BlockSet::open(env, root);
    QVERIFY(set.isOk());
    const model::Timestamp delMin = t0 + 5000000, delMax = t0 + 9000000;
    auto sel = std::vector<model::Matcher>{matcher(MatchType::kEqual, "job", "api")};
    QVERIFY((*set)->deleteSeries(sel, delMin, delMax).isOk());
    SeriesMap want;
    for (const auto& [l, s] : mergeRef({a, b})) {
        std::vector<model::Sample> kept;
        for (const auto& x : s)
            if (!(l.get("job") == "api" && x.t >= delMin && x.t <= delMax))
                kept.push_back(x);
        if (!kept.empty())
            want[l] = kept;
    }
    auto check = [&](const char* when) {
        auto q = (*set)->querier(model::kMinTimestamp, model::kMaxTimestamp);
        auto got = collect(*q, all());
        QVERIFY2(got.isOk(), when);
        QVERIFY2(diff(*got, want).empty(), (std::string(when) + ": " + diff(*got, want)).c_str());
    };
    check("after delete");
    QVERIFY((*set)->reload().isOk());
    check("after reopen");
    auto blocks = (*set)->blocks();
    QCOMPARE(blocks.size(), std::size_t(2));
    std::vector<std::shared_ptr<const Block>> in(blocks.begin(), blocks.end());
    auto merged = compactBlocks(env, root, in);
    QVERIFY(merged.isOk());
    QCOMPARE(merged->numTombstones, std::uint64_t(0));
    for (const auto& b2 : blocks)
        QVERIFY(removeAll(env, b2->dir()).isOk());
    QVERIFY((*set)->reload().isOk());
    QCOMPARE((*set)->blocks().size(), std::size_t(1));
    check("after compaction");
}

void TestCompact::blockSetCompactsLevels() {
    QTemporaryDir tmp;
    Env* env = Env::posix();
    const std::string root = tmp.path().toStdString();
    // Four aligned 2h blocks: the first three fill a 6h range (the newest is left alone).
    const model::Timestamp t0 = 1735689600000;  // a multiple of 6h
    std::vector<SeriesMap> parts;
    for (int i = 0; i < 4; ++i) {
        parts.push_back(
            randomSeries(30 + static_cast<std::uint64_t>(i), 20, 480, t0 + i * 2 * kHourMs));
        QVERIFY(writeBlock(env, root, parts.back(), 120, t0 + i * 2 * kHourMs,
                           t0 + (i + 1) * 2 * kHourMs)
                    .isOk());
    }
    auto set = BlockSet::open(env, root);
    QVERIFY(set.isOk());
    auto did = (*set)->compactOnce();
    QVERIFY2(did.isOk(), did.status().message().c_str());
    QVERIFY(*did);
    auto blocks = (*set)->blocks();
    QCOMPARE(blocks.size(), std::size_t(2));
    QCOMPARE(blocks[0]->meta().maxTime - blocks[0]->meta().minTime, 6 * kHourMs);
    QCOMPARE(blocks[0]->meta().level, 2);
    did = (*set)->compactOnce();
    QVERIFY(did.isOk());
    QVERIFY(!*did);
    auto q = (*set)->querier(model::kMinTimestamp, model::kMaxTimestamp);
    auto got = collect(*q, all());
    QVERIFY(got.isOk());
    SeriesMap want = mergeRef(parts);
    QVERIFY2(diff(*got, want).empty(), diff(*got, want).c_str());
}

void TestCompact::retentionPlan_data() {
    QTest::addColumn<QString>("blocks");  // id:mint-maxt:size
    QTest::addColumn<qint64>("retention");
    QTest::addColumn<quint64>("maxBytes");
    QTest::addColumn<QString>("expected");
    const QString four = "a:0-10:100 b:10-20:100 c:20-30:100 d:30-40:100";
    QTest::newRow("nothing") << four << qint64(100) << quint64(1000) << "";
    QTest::newRow("time") << four << qint64(15) << quint64(0) << "b a";
    QTest::newRow("time exact edge kept") << four << qint64(20) << quint64(0) << "a";
    QTest::newRow("size") << four << qint64(0) << quint64(250) << "b a";
    QTest::newRow("size exact fits") << four << qint64(0) << quint64(400) << "";
    QTest::newRow("whichever first: size") << four << qint64(25) << quint64(150) << "c b a";
    QTest::newRow("whichever first: time") << four << qint64(5) << quint64(1000) << "c b a";
}

void TestCompact::retentionPlan() {
    QFETCH(QString, blocks);
    QFETCH(qint64, retention);
    QFETCH(quint64, maxBytes);
    QFETCH(QString, expected);
    std::vector<RetentionBlock> rb;
    for (const QString& b : blocks.split(' ', Qt::SkipEmptyParts)) {
        QStringList p = b.split(':');
        QStringList r = p[1].split('-');
        rb.push_back(RetentionBlock{p[0].toStdString(), r[0].toLongLong(), r[1].toLongLong(),
                                    p[2].toULongLong()});
    }
    auto got = planRetention(rb, retention, maxBytes);
    std::vector<std::string> want;
    for (const QString& e : expected.split(' ', Qt::SkipEmptyParts))
        want.push_back(e.toStdString());
    QCOMPARE(got, want);
}

void TestCompact::retentionOnDisk() {
    QTemporaryDir tmp;
    Env* env = Env::posix();
    const std::string root = tmp.path().toStdString();
    const model::Timestamp t0 = 1735689600000;
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        auto m = writeBlock(
            env, root, randomSeries(40 + static_cast<std::uint64_t>(i), 10, 100, t0 + i * kDayMs));
        QVERIFY(m.isOk());
        ids.push_back(m->ulid);
    }
    BlockSetOptions opt;
    opt.retentionMs = 2 * kDayMs + kHourMs;  // keeps the newest three
    opt.retentionBytes = 0;
    auto set = BlockSet::open(env, root, opt);
    QVERIFY(set.isOk());
    auto gone = (*set)->applyRetention();
    QVERIFY(gone.isOk());
    QCOMPARE(*gone, (std::vector<std::string>{ids[1], ids[0]}));
    QCOMPARE((*set)->blocks().size(), std::size_t(3));
    QVERIFY(!env->fileExists(joinPath(root, ids[0])));
    // By size: room for about two blocks.
    std::uint64_t size = (*set)->blocks()[2]->sizeBytes() + (*set)->blocks()[1]->sizeBytes();
    opt.retentionMs = 0;
    opt.retentionBytes = size + 1;
    auto set2 = BlockSet::open(env, root, opt);
    QVERIFY(set2.isOk());
    gone = (*set2)->applyRetention();
    QVERIFY(gone.isOk());
    QCOMPARE(*gone, (std::vector<std::string>{ids[2]}));
    QCOMPARE((*set2)->blocks().size(), std::size_t(2));
}

void TestCompact::snapshotIsAConsistentCopy() {
    QTemporaryDir tmp;
    Env* env = Env::posix();
    const std::string root = tmp.filePath("data").toStdString();
    const model::Timestamp t0 = 1735689600000;
    SeriesMap a = randomSeries(50, 20, 200, t0);
    SeriesMap b = randomSeries(51, 20, 200, t0 + kDayMs);
    QVERIFY(createDirs(env, root).isOk());
    QVERIFY(writeBlock(env, root, a).isOk());
    QVERIFY(writeBlock(env, root, b).isOk());
    auto set = BlockSet::open(env, root);
    QVERIFY(set.isOk());
    QVERIFY((*set)
                ->deleteSeries({matcher(MatchType::kEqual, "job", "db")}, t0, t0 + 2 * kDayMs)
                .isOk());
    const std::string out = tmp.filePath("snap").toStdString();
    Status st = (*set)->snapshot(out);
    QVERIFY2(st.isOk(), st.message().c_str());
    QVERIFY(!(*set)->snapshot(out).isOk());  // refuses to overwrite
    QVERIFY(!env->fileExists(out + ".tmp"));
    auto copy = BlockSet::open(env, out);
    QVERIFY(copy.isOk());
    QCOMPARE((*copy)->blocks().size(), std::size_t(2));
    QVERIFY((*copy)->warnings().empty());
    auto q1 = (*set)->querier(model::kMinTimestamp, model::kMaxTimestamp);
    auto q2 = (*copy)->querier(model::kMinTimestamp, model::kMaxTimestamp);
    auto g1 = collect(*q1, all());
    auto g2 = collect(*q2, all());
    QVERIFY(g1.isOk() && g2.isOk());
    QVERIFY2(diff(*g2, *g1).empty(), diff(*g2, *g1).c_str());
    for (const auto& [l, s] : *g2)
        QVERIFY(l.get("job") != "db");
    // The snapshot stays intact when the source blocks are compacted away.
    auto blocks = (*set)->blocks();
    for (const auto& blk : blocks)
        QVERIFY(removeAll(env, blk->dir()).isOk());
    QVERIFY((*copy)->reload().isOk());
    QCOMPARE((*copy)->blocks().size(), std::size_t(2));
}

QTEST_GUILESS_MAIN(TestCompact)
#include "tst_compact.moc"
