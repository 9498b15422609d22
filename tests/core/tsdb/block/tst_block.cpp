// Blocks: write/read round trip against the in-memory reference, tombstones,
// the merging querier, corruption detection (set aside, others stay
// queryable) and fault injection while a block is written.

#include <QTemporaryDir>
#include <QtTest>

#include "core/model/in_memory_storage.h"
#include "core/tsdb/block/block.h"
#include "core/tsdb/block/block_querier.h"
#include "core/tsdb/compact/block_set.h"
#include "core/util/fault_injection_env.h"
#include "tests/core/tsdb/block/block_test_util.h"

using namespace vigil;
using namespace vigil::tsdb;
using namespace vigil::tsdb::testing;
using model::MatchType;

class TestBlock : public QObject {
    Q_OBJECT

private slots:
    void roundTripMatchesReference_data();
    void roundTripMatchesReference();
    void chunkRefsAcrossSegments();
    void tombstonesHideDataAndPersist();
    void tombstonesFileRoundTripAndDamage();
    void mergeQuerierDeduplicates();
    void corruptionIsSetAside_data();
    void corruptionIsSetAside();
    void faultDuringWriteLeavesNoBlock_data();
    void faultDuringWriteLeavesNoBlock();
    void powerLossAfterCommitKeepsBlock();
    void crashMidWriteLeavesNoBlock();
    void writerRejectsBadInput();
    void metaJsonErrorsNameTheKey();
};

void TestBlock::roundTripMatchesReference_data() {
    QTest::addColumn<quint64>("seed");
    QTest::addColumn<int>("perChunk");
    QTest::newRow("seed1/120") << quint64(1) << 120;
    QTest::newRow("seed2/7") << quint64(2) << 7;
    QTest::newRow("seed3/480") << quint64(3) << 480;
}

void TestBlock::roundTripMatchesReference() {
    QFETCH(quint64, seed);
    QFETCH(int, perChunk);
    QTemporaryDir tmp;
    Env* env = Env::posix();
    SeriesMap data = randomSeries(seed, 60, 500);
    auto meta = writeBlock(env, tmp.path().toStdString(), data, static_cast<std::size_t>(perChunk));
    QVERIFY2(meta.isOk(), meta.status().message().c_str());
    QCOMPARE(meta->numSeries, data.size());
    std::uint64_t samples = 0;
    for (const auto& [l, s] : data)
        samples += s.size();
    QCOMPARE(meta->numSamples, samples);

    auto block = Block::open(env, joinPath(tmp.path().toStdString(), meta->ulid), true);
    QVERIFY2(block.isOk(), block.status().message().c_str());
    auto ref = toStorage(data);
    std::mt19937_64 rng(seed);
    const std::vector<std::vector<model::Matcher>> selectors = {
        {matcher(MatchType::kEqual, "__name__", "up")},
        {matcher(MatchType::kRegexp, "job", "node|db")},
        {matcher(MatchType::kNotEqual, "env", "prod"), matcher(MatchType::kEqual, "job", "api")},
        {matcher(MatchType::kEqual, "env", ""), matcher(MatchType::kRegexp, "__name__", ".+")},
        {matcher(MatchType::kNotRegexp, "instance", "host-1.*"),
         matcher(MatchType::kRegexp, "__name__", "cpu|up")},
        {matcher(MatchType::kEqual, "job", "nope")},
    };
    for (int round = 0; round < 20; ++round) {
        model::Timestamp t0 = 1735689600000;
        model::Timestamp mint = t0 + static_cast<model::Timestamp>(rng() % 8000000) - 100000;
        model::Timestamp maxt = mint + static_cast<model::Timestamp>(rng() % 4000000);
        if (round == 0) {
            mint = model::kMinTimestamp;
            maxt = model::kMaxTimestamp;
        }
        BlockQuerier bq(*block, mint, maxt);
        auto rq = ref->querier(mint, maxt);
        for (const auto& sel : selectors) {
            auto got = collect(bq, sel);
            auto want = collect(*rq, sel);
            QVERIFY2(got.isOk(), got.status().message().c_str());
            QVERIFY(want.isOk());
            std::string d = diff(*got, *want);
            QVERIFY2(d.empty(), d.c_str());
        }
        auto names = bq.labelNames({matcher(MatchType::kEqual, "job", "api")});
        auto wantNames = rq->labelNames({matcher(MatchType::kEqual, "job", "api")});
        QVERIFY(names.isOk() && wantNames.isOk());
        if (round == 0) {
            QCOMPARE(*names, *wantNames);
            auto values =
                bq.labelValues("instance", {matcher(MatchType::kEqual, "__name__", "up")});
            auto wantValues =
                rq->labelValues("instance", {matcher(MatchType::kEqual, "__name__", "up")});
            QVERIFY(values.isOk() && wantValues.isOk());
            QCOMPARE(*values, *wantValues);
        }
    }
}

void TestBlock::chunkRefsAcrossSegments() {
    // A tiny segment size forces many segments; every chunk must still be found.
    QTemporaryDir tmp;
    Env* env = Env::posix();
    SeriesMap data = randomSeries(9, 20, 300);
    BlockMeta meta;
    meta.minTime = 0;
    meta.maxTime = model::kMaxTimestamp;
    auto rejected = BlockWriter::create(env, tmp.path().toStdString(), meta, 256);
    QVERIFY(!rejected.isOk());  // not representable in meta.json
    meta.maxTime = 4000000000000;
    auto w = BlockWriter::create(env, tmp.path().toStdString(), meta, 256);
    QVERIFY(w.isOk());
    for (const auto& [l, s] : data) {
        std::vector<std::vector<std::uint8_t>> store;
        std::vector<ChunkView> views;
        for (std::size_t i = 0; i < s.size(); i += 50) {
            std::span<const model::Sample> part(s.data() + i,
                                                std::min<std::size_t>(50, s.size() - i));
            store.push_back(encodeSealed(part).value());
            views.push_back(
                ChunkView{part.front().t, part.back().t, Encoding::kPacked, store.back()});
        }
        QVERIFY((*w)->addSeries(l, views).isOk());
    }
    auto done = (*w)->commit();
    QVERIFY(done.isOk());
    auto segs =
        env->getChildren(joinPath(joinPath(tmp.path().toStdString(), done->ulid), "chunks"));
    QVERIFY(segs.isOk());
    QVERIFY2(segs->size() > 5, std::to_string(segs->size()).c_str());
    auto block = Block::open(env, joinPath(tmp.path().toStdString(), done->ulid), true);
    QVERIFY2(block.isOk(), block.status().message().c_str());
    BlockQuerier q(*block, model::kMinTimestamp, model::kMaxTimestamp);
    auto got = collect(q, {matcher(MatchType::kRegexp, "__name__", ".+")});
    QVERIFY(got.isOk());
    QVERIFY2(diff(*got, data).empty(), diff(*got, data).c_str());
}

void TestBlock::tombstonesHideDataAndPersist() {
    QTemporaryDir tmp;
    Env* env = Env::posix();
    SeriesMap data = randomSeries(4, 30, 400);
    auto meta = writeBlock(env, tmp.path().toStdString(), data);
    QVERIFY(meta.isOk());
    const std::string dir = joinPath(tmp.path().toStdString(), meta->ulid);
    auto block = Block::open(env, dir);
    QVERIFY(block.isOk());
    const model::Timestamp t0 = 1735689600000;
    const model::Timestamp delMin = t0 + 100 * 15000, delMax = t0 + 250 * 15000;
    auto sel = std::vector<model::Matcher>{matcher(MatchType::kEqual, "job", "node")};
    QVERIFY((*block)->deleteRange(sel, delMin, delMax).isOk());
    // The reference: the same data without the deleted samples.
    SeriesMap want;
    for (const auto& [l, s] : data) {
        std::vector<model::Sample> kept;
        for (const auto& x : s)
            if (!(l.get("job") == "node" && x.t >= delMin && x.t <= delMax))
                kept.push_back(x);
        if (!kept.empty())
            want[l] = kept;
    }
    auto all = std::vector<model::Matcher>{matcher(MatchType::kRegexp, "__name__", ".+")};
    {
        BlockQuerier q(*block, model::kMinTimestamp, model::kMaxTimestamp);
        auto got = collect(q, all);
        QVERIFY(got.isOk());
        QVERIFY2(diff(*got, want).empty(), diff(*got, want).c_str());
    }
    // Reopened: the tombstones file persisted them; meta counts them.
    auto again = Block::open(env, dir, true);
    QVERIFY2(again.isOk(), again.status().message().c_str());
    QVERIFY((*again)->meta().numTombstones > 0);
    QCOMPARE((*again)->meta().numTombstones, (*again)->tombstones()->numIntervals());
    BlockQuerier q(*again, model::kMinTimestamp, model::kMaxTimestamp);
    auto got = collect(q, all);
    QVERIFY(got.isOk());
    QVERIFY2(diff(*got, want).empty(), diff(*got, want).c_str());
    // The chunk view (compactor's) applies them too.
    std::uint64_t n = 0;
    Status st = q.forEachSeriesChunks(model::kMinTimestamp, model::kMaxTimestamp,
                                      [&](const model::Labels& l, std::span<const ChunkView> cs) {
                                          std::vector<model::Sample> s;
                                          for (const auto& c : cs) {
                                              Status d = decodeSamples(c.encoding, c.data, s);
                                              if (!d.isOk())
                                                  return d;
                                          }
                                          if (!sameSamples(s, want[l]))
                                              return Status::error("differs: " + l.toString());
                                          ++n;
                                          return Status::ok();
                                      });
    QVERIFY2(st.isOk(), st.message().c_str());
    QCOMPARE(n, want.size());
}

void TestBlock::tombstonesFileRoundTripAndDamage() {
    Tombstones t;
    t.add(1, {model::kMinTimestamp, model::kMaxTimestamp});
    t.add(7, {5, 5});
    t.add(7, {6, 9});  // adjacent: merged into [5, 9]
    t.add(7, {20, 30});
    t.add(3, {-100, -50});
    std::string bytes = t.encode();
    auto back = Tombstones::decode(bytes, "tombstones");
    QVERIFY2(back.isOk(), back.status().message().c_str());
    QCOMPARE(back->all(), t.all());
    QCOMPARE(back->get(7)->size(), std::size_t(2));
    QCOMPARE(back->get(7)->front(), (Interval{5, 9}));
    QVERIFY(isDeleted(*back->get(1), 0));
    QVERIFY(back->get(2) == nullptr);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        std::string bad = bytes;
        bad[i] = static_cast<char>(bad[i] ^ 0x10);
        auto r = Tombstones::decode(bad, "blk/tombstones");
        QVERIFY2(!r.isOk(), ("flip at " + std::to_string(i)).c_str());
        QVERIFY(r.status().message().find("blk/tombstones: offset ") == 0);
    }
    for (std::size_t n = 0; n < bytes.size(); ++n)
        QVERIFY(!Tombstones::decode(bytes.substr(0, n), "t").isOk());
}

void TestBlock::mergeQuerierDeduplicates() {
    QTemporaryDir tmp;
    Env* env = Env::posix();
    // Two overlapping sources sharing some samples (same value), each with its own.
    SeriesMap a = randomSeries(5, 25, 300);
    SeriesMap b;
    SeriesMap want = a;
    int i = 0;
    for (const auto& [l, s] : a) {
        if (i++ % 2)
            continue;
        std::vector<model::Sample> part(s.begin() + static_cast<std::ptrdiff_t>(s.size() / 2),
                                        s.end());
        for (auto& x : part)
            x.t += 7;  // interleaved timestamps
        std::vector<model::Sample> shared(s.begin() + static_cast<std::ptrdiff_t>(s.size() / 3),
                                          s.begin() + static_cast<std::ptrdiff_t>(s.size() / 2));
        part.insert(part.begin(), shared.begin(), shared.end());
        std::sort(part.begin(), part.end(), [](auto& x, auto& y) { return x.t < y.t; });
        b[l] = part;
        auto& w = want[l];
        for (const auto& x : part)
            w.push_back(x);
        std::sort(w.begin(), w.end(), [](auto& x, auto& y) { return x.t < y.t; });
        w.erase(std::unique(w.begin(), w.end(), [](auto& x, auto& y) { return x.t == y.t; }),
                w.end());
    }
    b[model::Labels{{"__name__", "only_b"}}] = {{1735689600000, 1}, {1735689615000, 2}};
    want[model::Labels{{"__name__", "only_b"}}] = {{1735689600000, 1}, {1735689615000, 2}};
    auto ma = writeBlock(env, tmp.path().toStdString(), a);
    auto mb = writeBlock(env, tmp.path().toStdString(), b);
    QVERIFY(ma.isOk() && mb.isOk());
    auto ba = Block::open(env, joinPath(tmp.path().toStdString(), ma->ulid));
    auto bb = Block::open(env, joinPath(tmp.path().toStdString(), mb->ulid));
    QVERIFY(ba.isOk() && bb.isOk());
    std::vector<std::unique_ptr<model::Querier>> qs;
    qs.push_back(std::make_unique<BlockQuerier>(*ba, model::kMinTimestamp, model::kMaxTimestamp));
    qs.push_back(std::make_unique<BlockQuerier>(*bb, model::kMinTimestamp, model::kMaxTimestamp));
    MergeQuerier mq(std::move(qs));
    auto got = collect(mq, {matcher(MatchType::kRegexp, "__name__", ".+")});
    QVERIFY(got.isOk());
    QVERIFY2(diff(*got, want).empty(), diff(*got, want).c_str());
    // seek() across sources.
    auto set = mq.select({matcher(MatchType::kEqual, "__name__", "only_b")}, {});
    QVERIFY(set.isOk() && (*set)->next());
    auto it = (*set)->iterator();
    QVERIFY(it->seek(1735689600001));
    QCOMPARE(it->at().t, model::Timestamp(1735689615000));
    auto names = mq.labelValues("__name__", {});
    QVERIFY(names.isOk());
    QVERIFY(std::find(names->begin(), names->end(), "only_b") != names->end());
}

void TestBlock::corruptionIsSetAside_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("mode");    // flip@offset (negative: from the end) or truncate
    QTest::addColumn<QString>("expect");  // fragment of the warning
    QTest::newRow("chunks flip") << "chunks/000001"
                                 << "flip:40"
                                 << "checksum";
    QTest::newRow("chunks flip header") << "chunks/000001"
                                        << "flip:1"
                                        << "magic";
    QTest::newRow("chunks truncate") << "chunks/000001"
                                     << "truncate"
                                     << "chunks/000001";
    QTest::newRow("index flip middle") << "index"
                                       << "flip:mid"
                                       << "index";
    QTest::newRow("index flip toc") << "index"
                                    << "flip:-10"
                                    << "TOC";
    QTest::newRow("index truncate") << "index"
                                    << "truncate"
                                    << "index";
    QTest::newRow("meta flip") << "meta.json"
                               << "flip:0"
                               << "meta.json";
    QTest::newRow("meta truncate") << "meta.json"
                                   << "truncate"
                                   << "meta.json";
    QTest::newRow("tombstones flip") << "tombstones"
                                     << "flip:5"
                                     << "tombstones";
    QTest::newRow("tombstones truncate") << "tombstones"
                                         << "truncate"
                                         << "tombstones";
}

void TestBlock::corruptionIsSetAside() {
    QFETCH(QString, file);
    QFETCH(QString, mode);
    QFETCH(QString, expect);
    QTemporaryDir tmp;
    Env* env = Env::posix();
    const std::string root = tmp.path().toStdString();
    SeriesMap good = randomSeries(6, 20, 200, 1735689600000);
    SeriesMap bad = randomSeries(7, 20, 200, 1735689600000 + 7200000);
    auto mg = writeBlock(env, root, good);
    auto mb = writeBlock(env, root, bad);
    QVERIFY(mg.isOk() && mb.isOk());
    const std::string victim = joinPath(joinPath(root, mb->ulid), file.toStdString());
    if (mode == "create")
        QVERIFY(writeFileAtomically(env, victim, "x").isOk());
    auto size = env->getFileSize(victim);
    QVERIFY(size.isOk());
    if (mode == "delete") {
        QVERIFY(env->removeFile(victim).isOk());
    } else if (mode == "create") {
    } else if (mode == "truncate") {
        QVERIFY(env->truncateFile(victim, *size / 2).isOk());
    } else {
        QString where = mode.mid(5);
        std::int64_t off =
            where == "mid" ? static_cast<std::int64_t>(*size / 2) : where.toLongLong();
        if (off < 0)
            off += static_cast<std::int64_t>(*size);
        QVERIFY(flipByte(env, victim, static_cast<std::uint64_t>(off)).isOk());
    }
    auto set = BlockSet::open(env, root);
    QVERIFY2(set.isOk(), set.status().message().c_str());
    QCOMPARE((*set)->blocks().size(), std::size_t(1));
    QCOMPARE((*set)->blocks()[0]->meta().ulid, mg->ulid);
    auto warnings = (*set)->warnings();
    QCOMPARE(warnings.size(), std::size_t(1));
    QVERIFY2(warnings[0].find(mb->ulid) != std::string::npos, warnings[0].c_str());
    QVERIFY2(warnings[0].find(expect.toStdString()) != std::string::npos, warnings[0].c_str());
    QVERIFY(env->isDirectory(joinPath(joinPath(root, "corrupted"), mb->ulid)));
    QVERIFY(!env->fileExists(joinPath(root, mb->ulid)));
    auto q = (*set)->querier(model::kMinTimestamp, model::kMaxTimestamp);
    auto got = collect(*q, {matcher(MatchType::kRegexp, "__name__", ".+")});
    QVERIFY2(got.isOk(), got.status().message().c_str());
    QVERIFY2(diff(*got, good).empty(), diff(*got, good).c_str());
}

void TestBlock::faultDuringWriteLeavesNoBlock_data() {
    QTest::addColumn<QString>("fault");
    QTest::addColumn<int>("bytes");
    QTest::newRow("fsync fails") << "sync" << 0;
    QTest::newRow("ENOSPC in chunks") << "nospace" << 100;
    QTest::newRow("ENOSPC in index") << "nospace" << -300;  // relative to the chunk bytes
    QTest::newRow("ENOSPC in meta") << "nospace" << -20;
}

void TestBlock::faultDuringWriteLeavesNoBlock() {
    QFETCH(QString, fault);
    QFETCH(int, bytes);
    QTemporaryDir tmp;
    const std::string root = tmp.path().toStdString();
    SeriesMap data = randomSeries(8, 30, 300);
    // Measure how many bytes a clean write takes to aim the ENOSPC.
    std::uint64_t total = 0;
    {
        QTemporaryDir probe;
        FaultInjectionEnv env(Env::posix());
        QVERIFY(writeBlock(&env, probe.path().toStdString(), data).isOk());
        total = env.bytesWritten();
    }
    FaultInjectionEnv env(Env::posix());
    if (fault == "sync")
        env.setSyncFailure(true);
    else
        env.setNoSpaceAfter(bytes >= 0 ? static_cast<std::uint64_t>(bytes)
                                       : total - static_cast<std::uint64_t>(-bytes));
    auto meta = writeBlock(&env, root, data);
    QVERIFY(!meta.isOk());
    if (fault == "nospace")
        QCOMPARE(meta.status().code(), Status::Code::kResourceExhausted);
    env.resetFaults();
    auto names = Env::posix()->getChildren(root);
    QVERIFY(names.isOk());
    QVERIFY2(names->empty(), (names->empty() ? "" : names->front()).c_str());
    auto set = BlockSet::open(Env::posix(), root);
    QVERIFY(set.isOk());
    QCOMPARE((*set)->blocks().size(), std::size_t(0));
}

void TestBlock::powerLossAfterCommitKeepsBlock() {
    // commit() syncs every file and directory: a power loss right after it
    // must leave the whole block readable.
    QTemporaryDir tmp;
    const std::string root = tmp.path().toStdString();
    SeriesMap data = randomSeries(14, 30, 300);
    FaultInjectionEnv env(Env::posix());
    auto meta = writeBlock(&env, root, data);
    QVERIFY2(meta.isOk(), meta.status().message().c_str());
    QVERIFY(env.dropUnsyncedData().isOk());
    auto set = BlockSet::open(Env::posix(), root);
    QVERIFY(set.isOk());
    QVERIFY((*set)->warnings().empty());
    QCOMPARE((*set)->blocks().size(), std::size_t(1));
    auto q = (*set)->querier(model::kMinTimestamp, model::kMaxTimestamp);
    auto got = collect(*q, {matcher(MatchType::kRegexp, "__name__", ".+")});
    QVERIFY(got.isOk());
    QVERIFY2(diff(*got, data).empty(), diff(*got, data).c_str());
}

void TestBlock::crashMidWriteLeavesNoBlock() {
    QTemporaryDir tmp;
    const std::string root = tmp.path().toStdString();
    SeriesMap data = randomSeries(15, 30, 300);
    FaultInjectionEnv env(Env::posix());
    env.tearNextWrite(3);  // the first append (a segment header) is torn
    auto meta = writeBlock(&env, root, data);
    QVERIFY(!meta.isOk());
    QVERIFY(env.dropUnsyncedData().isOk());
    auto set = BlockSet::open(Env::posix(), root);
    QVERIFY(set.isOk());
    QCOMPARE((*set)->blocks().size(), std::size_t(0));
    QCOMPARE((*set)->warnings().size(), std::size_t(1));
    QVERIFY2((*set)->warnings()[0].find("removed unfinished block") != std::string::npos,
             (*set)->warnings()[0].c_str());
    // The leftover <ulid>.tmp directory (the crashed writer could not remove
    // it) is cleaned up when the directory is opened.
    auto names = Env::posix()->getChildren(root);
    QVERIFY(names.isOk());
    for (const auto& n : *names)
        QVERIFY2(n == "corrupted", n.c_str());
}

void TestBlock::writerRejectsBadInput() {
    QTemporaryDir tmp;
    BlockMeta meta;
    meta.minTime = 1000;
    meta.maxTime = 2000;
    auto w = BlockWriter::create(Env::posix(), tmp.path().toStdString(), meta);
    QVERIFY(w.isOk());
    std::vector<model::Sample> s = {{1500, 1}, {1600, 2}};
    auto enc = encodeSealed(s).value();
    ChunkView c{1500, 1600, Encoding::kPacked, enc};
    QVERIFY((*w)->addSeries(model::Labels{{"__name__", "b"}}, {&c, 1}).isOk());
    Status st = (*w)->addSeries(model::Labels{{"__name__", "a"}}, {&c, 1});
    QVERIFY(!st.isOk());
    QVERIFY2(st.message().find("out of order") != std::string::npos, st.message().c_str());
    ChunkView outside{1500, 2500, Encoding::kPacked, enc};
    st = (*w)->addSeries(model::Labels{{"__name__", "c"}}, {&outside, 1});
    QVERIFY(!st.isOk());
    QVERIFY2(st.message().find("outside the block range") != std::string::npos,
             st.message().c_str());
    ChunkView twice[2] = {c, c};
    st = (*w)->addSeries(model::Labels{{"__name__", "d"}}, twice);
    QVERIFY(!st.isOk());
    QVERIFY2(st.message().find("overlaps") != std::string::npos, st.message().c_str());
}

void TestBlock::metaJsonErrorsNameTheKey() {
    BlockMeta m;
    m.ulid = newUlid();
    m.minTime = 0;
    m.maxTime = 10;
    auto back = BlockMeta::fromJson(m.toJson(), "x/meta.json");
    QVERIFY(back.isOk());
    QCOMPARE(back->ulid, m.ulid);
    QCOMPARE(back->maxTime, m.maxTime);
    std::string json = m.toJson();
    auto pos = json.find("\"maxTime\"");
    json.replace(pos, 9, "\"maxTimX\"");
    auto r = BlockMeta::fromJson(json, "x/meta.json");
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().code(), Status::Code::kCorruption);
    QVERIFY2(r.status().message().find("x/meta.json") != std::string::npos &&
                 r.status().message().find("maxTime") != std::string::npos,
             r.status().message().c_str());
    QVERIFY(isUlid(newUlid()));
    QVERIFY(newUlid(1000) < newUlid(2000));
}

QTEST_GUILESS_MAIN(TestBlock)
#include "tst_block.moc"
