#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/instrument/metric_registry.h"
#include "core/tsdb/chunkenc/chunk.h"
#include "core/tsdb/head/head.h"
#include "core/tsdb/head/head_querier.h"
#include "head_test_util.h"

using namespace vigil;
using namespace vigil::tsdb;
using namespace vigil::tsdb::testing;
using model::AppendError;
using model::Labels;
using model::MatchType;
using model::Sample;
using model::Timestamp;

// The head without a WAL: appending, the order and duplicate checks and their
// counters, the out-of-order window, chunk cutting, querying against the
// reference InMemoryStorage, block cutting and deletion.
class TestHeadAppend : public QObject {
    Q_OBJECT
private:
    static std::unique_ptr<Head> openHead(HeadOptions options = {},
                                          instrument::MetricRegistry* metrics = nullptr) {
        auto head = Head::open(Env::posix(), "", options, metrics);
        if (!head)
            qFatal("%s", head.status().message().c_str());
        return std::move(*head);
    }

    static Labels seriesLabels(int i) {
        static const char* const kNames[] = {"up", "node_load1", "http_requests_total"};
        return Labels::fromUnsorted({{"__name__", kNames[i % 3]},
                                     {"instance", "host" + std::to_string(i % 7) + ":9100"},
                                     {"job", i % 2 ? "node" : "api"},
                                     {"shard", i % 5 == 0 ? "" : std::to_string(i % 4)}});
    }

    static double randomValue(std::mt19937_64& rng, int i) {
        switch (rng() % 10) {
            case 0:
                return model::staleNaN();
            case 1:
                return std::bit_cast<double>(0x7ff8000000000001ULL);  // another NaN
            case 2:
                return static_cast<double>(rng() % 1000) / 100.0;
            case 3:
                return -0.0;
            default:
                return static_cast<double>(i) + static_cast<double>(rng() % 3);
        }
    }

    // Appends a random workload to both the head and the reference, with
    // out-of-order and duplicate attempts both refuse (or ignore).
    static void fill(Head& head, model::InMemoryStorage& ref, std::uint64_t seed, int series,
                     int samples) {
        std::mt19937_64 rng(seed);
        std::vector<Timestamp> last(static_cast<std::size_t>(series), 1'000'000);
        std::vector<double> lastV(static_cast<std::size_t>(series), 0);
        auto app = head.appender();
        auto refApp = ref.appender();
        for (int n = 0; n < samples; ++n) {
            const int i = static_cast<int>(rng() % static_cast<std::uint64_t>(series));
            auto& t = last[static_cast<std::size_t>(i)];
            Timestamp ts;
            double v;
            const auto kind = rng() % 20;
            if (kind == 0 && t > 1'000'000) {
                ts = t - 1 - static_cast<Timestamp>(rng() % 5000);  // out of order
                v = 1;
                QCOMPARE(app->append(seriesLabels(i), ts, v), AppendError::kOutOfOrder);
                continue;
            }
            if (kind == 1 && t > 1'000'000) {
                ts = t;  // same timestamp, same value: accepted, ignored
                v = lastV[static_cast<std::size_t>(i)];
                QCOMPARE(app->append(seriesLabels(i), ts, v), AppendError::kNone);
                continue;
            }
            ts = t + 1 + static_cast<Timestamp>(rng() % 30000);
            v = randomValue(rng, n);
            QCOMPARE(app->append(seriesLabels(i), ts, v), AppendError::kNone);
            QCOMPARE(refApp->append(seriesLabels(i), ts, v), AppendError::kNone);
            t = ts;
            lastV[static_cast<std::size_t>(i)] = v;
            if (rng() % 50 == 0) {
                QVERIFY(app->commit());
                QVERIFY(refApp->commit());
            }
        }
        QVERIFY(app->commit());
        QVERIFY(refApp->commit());
    }

    static std::vector<std::string> names(const Result<std::vector<std::string>>& r) {
        return r ? *r : std::vector<std::string>{"error: " + r.status().message()};
    }

    static std::string renderOf(const instrument::MetricRegistry& registry,
                                const std::string& line) {
        const std::string all = registry.render();
        // Sample lines start a line; HELP and TYPE lines mention the name too.
        const auto pos = all.find("\n" + line);
        if (pos == std::string::npos)
            return "<absent>";
        const auto end = all.find('\n', pos + 1);
        return all.substr(pos + 1, end - pos - 1);
    }

private slots:
    void randomizedAgainstReference_data() {
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<int>("series");
        QTest::addColumn<int>("samples");
        QTest::addColumn<int>("perChunk");
        QTest::addColumn<qint64>("chunkRange");
        QTest::newRow("few series, long") << quint64(1) << 3 << 3000 << 120 << qint64(7'200'000);
        QTest::newRow("many series") << quint64(2) << 60 << 8000 << 120 << qint64(7'200'000);
        QTest::newRow("tiny chunks") << quint64(3) << 10 << 4000 << 7 << qint64(7'200'000);
        QTest::newRow("short range") << quint64(4) << 10 << 4000 << 120 << qint64(60'000);
        QTest::newRow("one sample chunks") << quint64(5) << 4 << 500 << 1 << qint64(7'200'000);
    }
    void randomizedAgainstReference() {
        QFETCH(quint64, seed);
        QFETCH(int, series);
        QFETCH(int, samples);
        QFETCH(int, perChunk);
        QFETCH(qint64, chunkRange);
        HeadOptions options;
        options.samplesPerChunk = perChunk;
        options.chunkRange = chunkRange;
        auto head = openHead(options);
        model::InMemoryStorage ref;
        fill(*head, ref, seed, series, samples);
        if (QTest::currentTestFailed())
            return;

        std::mt19937_64 rng(seed * 7);
        const std::vector<std::vector<model::Matcher>> selectors = {
            anySeries(),
            {matcher(MatchType::kEqual, "job", "node")},
            {matcher(MatchType::kEqual, "__name__", "up"),
             matcher(MatchType::kNotEqual, "shard", "1")},
            {matcher(MatchType::kRegexp, "instance", "host[0-3]:.*"),
             matcher(MatchType::kNotRegexp, "shard", "2|3")},
            {matcher(MatchType::kEqual, "shard", ""), matcher(MatchType::kRegexp, "job", ".+")},
            {matcher(MatchType::kEqual, "job", "nonexistent")},
        };
        for (int q = 0; q < 30; ++q) {
            Timestamp mint = 1'000'000 + static_cast<Timestamp>(rng() % 20'000'000);
            Timestamp maxt = mint + static_cast<Timestamp>(rng() % 40'000'000);
            if (q == 0) {
                mint = model::kMinTimestamp;
                maxt = model::kMaxTimestamp;
            }
            const auto& sel = selectors[static_cast<std::size_t>(q) % selectors.size()];
            auto hq = head->querier(mint, maxt);
            auto rq = ref.querier(mint, maxt);
            SeriesSamples got, want;
            std::vector<Labels> order;
            QVERIFY(queryAll(*hq, sel, got, &order));
            QVERIFY(queryAll(*rq, sel, want));
            const std::string d = diff(want, got);
            QVERIFY2(d.empty(), ("query " + std::to_string(q) + ": " + d).c_str());
            QVERIFY(std::is_sorted(order.begin(), order.end()));
            QCOMPARE(names(hq->labelNames(sel)), names(rq->labelNames(sel)));
            QCOMPARE(names(hq->labelValues("instance", sel)),
                     names(rq->labelValues("instance", sel)));
        }
        auto hq = head->querier(model::kMinTimestamp, model::kMaxTimestamp);
        auto rq = ref.querier(model::kMinTimestamp, model::kMaxTimestamp);
        QCOMPARE(names(hq->labelNames({})), names(rq->labelNames({})));
        QCOMPARE(names(hq->labelValues("shard", {})), names(rq->labelValues("shard", {})));

        // Seek behaves as on the reference.
        auto set = hq->select(anySeries(), {});
        QVERIFY(set.isOk());
        auto rset = rq->select(anySeries(), {});
        while ((*set)->next()) {
            QVERIFY((*rset)->next());
            auto a = (*set)->iterator();
            auto b = (*rset)->iterator();
            for (Timestamp t = 1'000'000; t < 200'000'000; t += 7'777'777) {
                const bool ha = a->seek(t), hb = b->seek(t);
                QCOMPARE(ha, hb);
                if (!ha)
                    break;
                QCOMPARE(a->at().t, b->at().t);
            }
        }

        const HeadStats st = head->stats();
        QCOMPARE(st.series, static_cast<std::uint64_t>(ref.seriesCount()));
        std::uint64_t total = 0;
        for (const auto& [l, s] : got(*head))
            total += s.size();
        QCOMPARE(st.samples, total);
        QCOMPARE(st.samplesAppended, total);
        QVERIFY(st.memoryBytes > 0);
    }

    void rejectionsAreCounted() {
        instrument::MetricRegistry registry;
        auto head = openHead({}, &registry);
        const Labels a{{"__name__", "a"}};
        auto app = head->appender();
        QCOMPARE(app->append(a, 100, 1), AppendError::kNone);
        QCOMPARE(app->append(a, 100, 2), AppendError::kDuplicate);  // within the batch
        QCOMPARE(app->append(a, 50, 1), AppendError::kOutOfOrder);  // within the batch
        QVERIFY(app->commit());
        QCOMPARE(app->append(a, 100, 1), AppendError::kNone);  // same value: ignored
        QCOMPARE(app->append(a, 100, 3), AppendError::kDuplicate);
        QCOMPARE(app->append(a, 99, 3), AppendError::kOutOfOrder);
        QCOMPARE(app->append(Labels{}, 100, 3), AppendError::kOutOfBounds);
        // NaN payloads compare by bits: a different NaN is a duplicate.
        QCOMPARE(app->append(a, 200, model::staleNaN()), AppendError::kNone);
        QVERIFY(app->commit());
        QCOMPARE(app->append(a, 200, model::staleNaN()), AppendError::kNone);
        QCOMPARE(app->append(a, 200, std::nan("")), AppendError::kDuplicate);
        QVERIFY(app->commit());

        QCOMPARE(renderOf(registry, "vigil_tsdb_samples_rejected_total{reason=\"duplicate\"}"),
                 std::string("vigil_tsdb_samples_rejected_total{reason=\"duplicate\"} 3"));
        QCOMPARE(renderOf(registry, "vigil_tsdb_samples_rejected_total{reason=\"out_of_order\"}"),
                 std::string("vigil_tsdb_samples_rejected_total{reason=\"out_of_order\"} 2"));
        QCOMPARE(renderOf(registry, "vigil_tsdb_samples_rejected_total{reason=\"out_of_bounds\"}"),
                 std::string("vigil_tsdb_samples_rejected_total{reason=\"out_of_bounds\"} 1"));
        QCOMPARE(renderOf(registry, "vigil_tsdb_samples_rejected_total{reason=\"too_old\"}"),
                 std::string("vigil_tsdb_samples_rejected_total{reason=\"too_old\"} 0"));
        QCOMPARE(renderOf(registry, "vigil_tsdb_head_samples_appended_total "),
                 std::string("vigil_tsdb_head_samples_appended_total 2"));
        QCOMPARE(renderOf(registry, "vigil_tsdb_head_series "),
                 std::string("vigil_tsdb_head_series 1"));
        const HeadStats st = head->stats();
        QCOMPARE(st.rejectedDuplicate, std::uint64_t(3));
        QCOMPARE(st.rejectedOutOfOrder, std::uint64_t(2));
        QCOMPARE(st.samples, std::uint64_t(2));

        SeriesSamples got;
        auto q = head->querier(0, 1000);
        QVERIFY(queryAll(*q, anySeries(), got));
        QCOMPARE(got.size(), std::size_t(1));
        const auto& s = got.begin()->second;
        QCOMPARE(s.size(), std::size_t(2));
        QCOMPARE(s[0].v, 1.0);
        QVERIFY(model::isStaleNaN(s[1].v));
    }

    void concurrentCommitRecheck() {
        // A sample valid at append() but made stale by another appender's
        // commit is dropped and counted at commit().
        instrument::MetricRegistry registry;
        auto head = openHead({}, &registry);
        const Labels a{{"__name__", "a"}};
        auto first = head->appender();
        auto second = head->appender();
        QCOMPARE(first->append(a, 100, 1), AppendError::kNone);
        QCOMPARE(second->append(a, 200, 1), AppendError::kNone);
        QVERIFY(second->commit());
        QVERIFY(first->commit());
        QCOMPARE(head->stats().rejectedOutOfOrder, std::uint64_t(1));
        QCOMPARE(head->stats().samples, std::uint64_t(1));
    }

    void outOfBoundsAndRollback() {
        HeadOptions options;
        options.minValidTime = 1000;
        auto head = openHead(options);
        const Labels a{{"__name__", "a"}};
        auto app = head->appender();
        QCOMPARE(app->append(a, 999, 1), AppendError::kOutOfBounds);
        QCOMPARE(app->append(a, 1000, 1), AppendError::kNone);
        app->rollback();
        QCOMPARE(head->stats().samples, std::uint64_t(0));
        QCOMPARE(app->append(a, 1000, 1), AppendError::kNone);  // the rollback forgot it
        QVERIFY(app->commit());
        QCOMPARE(head->stats().samples, std::uint64_t(1));
    }

    void outOfOrderWindow() {
        instrument::MetricRegistry registry;
        HeadOptions options;
        options.outOfOrderWindow = 3'600'000;  // 1h
        options.samplesPerChunk = 4;
        auto head = openHead(options, &registry);
        const Labels a{{"__name__", "a"}};
        const Labels b{{"__name__", "b"}};
        auto app = head->appender();
        const Timestamp h = 3'600'000;
        for (int i = 0; i < 10; ++i)
            QCOMPARE(app->append(a, 10 * h + i * 60'000, i), AppendError::kNone);
        QVERIFY(app->commit());
        // Within the window (of the head's newest sample), older than a's newest.
        QCOMPARE(app->append(a, 10 * h - 30'000, 100), AppendError::kNone);
        QCOMPARE(app->append(a, 10 * h + 30'000, 101), AppendError::kNone);
        QCOMPARE(app->append(a, 9 * h - 1, 102), AppendError::kTooOld);
        QCOMPARE(app->append(b, 9 * h + 1, 103),
                 AppendError::kNone);  // first sample of b: in order
        QVERIFY(app->commit());
        QCOMPARE(app->append(a, 10 * h + 30'000, 101), AppendError::kNone);  // same: ignored
        QCOMPARE(app->append(a, 10 * h + 30'000, 7), AppendError::kDuplicate);
        QVERIFY(app->commit());
        QCOMPARE(renderOf(registry, "vigil_tsdb_samples_rejected_total{reason=\"too_old\"}"),
                 std::string("vigil_tsdb_samples_rejected_total{reason=\"too_old\"} 1"));
        QCOMPARE(head->stats().rejectedDuplicate, std::uint64_t(1));

        SeriesSamples got;
        auto q = head->querier(0, 20 * h);
        QVERIFY(queryAll(*q, {matcher(MatchType::kEqual, "__name__", "a")}, got));
        const auto& s = got[a];
        QCOMPARE(s.size(), std::size_t(12));
        QCOMPARE(s[0].t, 10 * h - 30'000);
        QCOMPARE(s[0].v, 100.0);
        QCOMPARE(s[1].t, 10 * h);
        QCOMPARE(s[2].t, 10 * h + 30'000);
        QCOMPARE(s[2].v, 101.0);
        for (std::size_t i = 1; i < s.size(); ++i)
            QVERIFY(s[i - 1].t < s[i].t);

        // Block cutting merges the out-of-order samples too.
        std::vector<Sample> cut;
        QVERIFY(head->forEachSeriesChunks(
            0, 20 * h, [&](const Labels& l, std::span<const ChunkView> chunks) {
                if (l != a)
                    return Status::ok();
                for (const auto& c : chunks) {
                    if (c.encoding != Encoding::kPacked)
                        return Status::error("not packed");
                    if (Status st = decodeSamples(c.encoding, c.data, cut); !st)
                        return st;
                }
                return Status::ok();
            }));
        QVERIFY(sameSamples(cut, s));

        // Without a window the same sample is out of order.
        auto strict = openHead();
        auto sapp = strict->appender();
        QCOMPARE(sapp->append(a, 10 * h, 1), AppendError::kNone);
        QVERIFY(sapp->commit());
        QCOMPARE(sapp->append(a, 10 * h - 30'000, 1), AppendError::kOutOfOrder);
    }

    void chunksDoNotSpanBlockBoundaries() {
        HeadOptions options;
        options.chunkRange = 1000;
        options.samplesPerChunk = 120;
        auto head = openHead(options);
        const Labels a{{"__name__", "a"}};
        auto app = head->appender();
        for (Timestamp t = -2050; t < 5000; t += 70)
            QCOMPARE(app->append(a, t, static_cast<double>(t)), AppendError::kNone);
        QVERIFY(app->commit());
        QCOMPARE(head->stats().chunks, std::uint64_t(8));  // [-3000,-2000) .. [4000,5000)
        int chunks = 0;
        QVERIFY(head->forEachSeriesChunks(
            model::kMinTimestamp, model::kMaxTimestamp,
            [&](const Labels&, std::span<const ChunkView> cs) {
                for (const auto& c : cs) {
                    ++chunks;
                    const auto floorDiv = [](Timestamp t) {
                        return t >= 0 ? t / 1000 : (t - 999) / 1000;
                    };
                    if (floorDiv(c.mint) != floorDiv(c.maxt))
                        return Status::error("chunk [" + std::to_string(c.mint) + ", " +
                                             std::to_string(c.maxt) + "] spans a boundary");
                }
                return Status::ok();
            }));
        QCOMPARE(chunks, 8);
    }

    void forEachSeriesChunksDecodesToRange_data() {
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<int>("perChunk");
        QTest::newRow("120") << quint64(11) << 120;
        QTest::newRow("9") << quint64(12) << 9;
    }
    void forEachSeriesChunksDecodesToRange() {
        QFETCH(quint64, seed);
        QFETCH(int, perChunk);
        HeadOptions options;
        options.samplesPerChunk = perChunk;
        options.chunkRange = 3'600'000;
        auto head = openHead(options);
        model::InMemoryStorage ref;
        fill(*head, ref, seed, 20, 6000);
        if (QTest::currentTestFailed())
            return;
        std::mt19937_64 rng(seed);
        for (int round = 0; round < 12; ++round) {
            Timestamp mint = 1'000'000 + static_cast<Timestamp>(rng() % 5'000'000);
            Timestamp maxt = mint + static_cast<Timestamp>(rng() % 10'000'000);
            if (round % 3 == 0) {  // block-aligned, as the compactor asks
                mint = mint / 3'600'000 * 3'600'000;
                maxt = mint + 3'600'000;
            }
            SeriesSamples want;
            auto rq = ref.querier(mint, maxt - 1);
            QVERIFY(queryAll(*rq, anySeries(), want));
            SeriesSamples got;
            Labels previous;
            Status s = head->forEachSeriesChunks(
                mint, maxt, [&](const Labels& l, std::span<const ChunkView> chunks) {
                    if (!got.empty() && !(previous < l))
                        return Status::error("series out of order: " + l.toString());
                    previous = l;
                    auto& out = got[l];
                    Timestamp lastMaxt = model::kMinTimestamp;
                    for (const auto& c : chunks) {
                        if (c.encoding != Encoding::kPacked)
                            return Status::error("not a packed chunk");
                        if (c.mint <= lastMaxt && lastMaxt != model::kMinTimestamp)
                            return Status::error("chunks overlap");
                        lastMaxt = c.maxt;
                        const std::size_t before = out.size();
                        if (Status st = decodeSamples(c.encoding, c.data, out); !st)
                            return st;
                        if (out[before].t != c.mint || out.back().t != c.maxt)
                            return Status::error("chunk bounds do not match its samples");
                    }
                    return Status::ok();
                });
            QVERIFY2(s.isOk(), s.message().c_str());
            const std::string d = diff(want, got);
            QVERIFY2(d.empty(), d.c_str());
        }
        // A visitor error stops the walk and is returned.
        Status stop = head->forEachSeriesChunks(
            model::kMinTimestamp, model::kMaxTimestamp,
            [](const Labels&, std::span<const ChunkView>) { return Status::error("stop here"); });
        QCOMPARE(stop.message(), std::string("stop here"));
    }

    void deleteRangeRewritesChunks() {
        HeadOptions options;
        options.samplesPerChunk = 10;
        auto head = openHead(options);
        const Labels a{{"__name__", "a"}, {"job", "x"}};
        const Labels b{{"__name__", "b"}, {"job", "y"}};
        auto app = head->appender();
        for (Timestamp t = 0; t < 100; ++t) {
            QCOMPARE(app->append(a, t * 1000, static_cast<double>(t)), AppendError::kNone);
            QCOMPARE(app->append(b, t * 1000, static_cast<double>(t)), AppendError::kNone);
        }
        QVERIFY(app->commit());
        auto removed = head->deleteRange({matcher(MatchType::kEqual, "job", "x")}, 15'000, 54'000);
        QVERIFY(removed.isOk());
        QCOMPARE(*removed, std::uint64_t(40));
        QVERIFY(!head->deleteRange({matcher(MatchType::kEqual, "job", "x")}, 5, 4).isOk());
        SeriesSamples got;
        auto q = head->querier(0, 1'000'000);
        QVERIFY(queryAll(*q, anySeries(), got));
        QCOMPARE(got[a].size(), std::size_t(60));
        QCOMPARE(got[b].size(), std::size_t(100));
        for (const auto& s : got[a])
            QVERIFY(s.t < 15'000 || s.t > 54'000);
        QCOMPARE(head->stats().samples, std::uint64_t(160));
        // Appends continue after the newest sample, not after the deletion.
        QCOMPARE(app->append(a, 50'000, 1), AppendError::kOutOfOrder);
        QCOMPARE(app->append(a, 100'000, 1), AppendError::kNone);
        QVERIFY(app->commit());
    }

    void truncateDropsOldSamplesAndSeries() {
        HeadOptions options;
        options.samplesPerChunk = 10;
        options.chunkRange = 50'000;
        auto head = openHead(options);
        const Labels a{{"__name__", "a"}};
        const Labels old{{"__name__", "old"}};
        auto app = head->appender();
        for (Timestamp t = 0; t < 100; ++t)
            QCOMPARE(app->append(a, t * 1000, 1), AppendError::kNone);
        QCOMPARE(app->append(old, 1000, 1), AppendError::kNone);
        QVERIFY(app->commit());
        QVERIFY(head->truncate(42'500));  // not chunk aligned: the straddling chunk is rewritten
        const HeadStats st = head->stats();
        QCOMPARE(st.series, std::uint64_t(1));
        QCOMPARE(st.samples, std::uint64_t(57));
        QCOMPARE(st.mint, Timestamp(43'000));
        QCOMPARE(st.maxt, Timestamp(99'000));
        QCOMPARE(app->append(a, 42'000, 1), AppendError::kOutOfBounds);
        auto q = head->querier(model::kMinTimestamp, model::kMaxTimestamp);
        auto values = q->labelValues("__name__", {});
        QVERIFY(values.isOk());
        QCOMPARE(*values, std::vector<std::string>{"a"});
        // A series removed by truncate can come back.
        QCOMPARE(app->append(old, 200'000, 1), AppendError::kNone);
        QVERIFY(app->commit());
        QCOMPARE(head->stats().series, std::uint64_t(2));
    }

    void invalidOptionsAreRefused() {
        HeadOptions options;
        options.samplesPerChunk = 0;
        auto head = Head::open(Env::posix(), "", options);
        QVERIFY(!head.isOk());
        QVERIFY(head.status().message().find("samplesPerChunk") != std::string::npos);
        options = {};
        options.outOfOrderWindow = -1;
        QVERIFY(!Head::open(Env::posix(), "", options).isOk());
    }

private:
    static SeriesSamples got(Head& head) {
        SeriesSamples out;
        auto q = head.querier(model::kMinTimestamp, model::kMaxTimestamp);
        (void)queryAll(*q, anySeries(), out);
        return out;
    }
};

QTEST_GUILESS_MAIN(TestHeadAppend)
#include "tst_head_append.moc"
