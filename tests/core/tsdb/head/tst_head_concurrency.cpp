#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <random>
#include <thread>

#include "core/tsdb/head/head.h"
#include "head_test_util.h"

using namespace vigil;
using namespace vigil::tsdb;
using namespace vigil::tsdb::testing;
using model::AppendError;
using model::Labels;
using model::MatchType;
using model::Timestamp;

// Four appender threads and two querier threads on one head with a WAL, a
// truncate (with its checkpoint and garbage collection) in the middle. Every
// sample's value is its timestamp, so readers can check what they see; at
// the end every committed sample is there, in order, and a reopen from the
// WAL yields the same. Run it under the asan preset as well.
class TestHeadConcurrency : public QObject {
    Q_OBJECT
private slots:
    void appendersAndQueriers() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string walDir = tmp.path().toStdString() + "/wal";
        HeadOptions options;
        options.samplesPerChunk = 40;
        options.wal.segmentSize = 256 * 1024;
        auto opened = Head::open(Env::posix(), walDir, options);
        QVERIFY(opened.isOk());
        std::unique_ptr<Head> head = std::move(*opened);

        constexpr int kAppenders = 4, kRounds = 300, kOwnSeries = 150, kShared = 8;
        constexpr Timestamp kT0 = 1'000'000, kStep = 1000;
        constexpr Timestamp kCut = kT0 + 150 * kStep;
        auto ownLabels = [](int thread, int i) {
            return Labels{
                {"__name__", "own"}, {"thread", std::to_string(thread)}, {"i", std::to_string(i)}};
        };
        auto sharedLabels = [](int i) {
            return Labels{{"__name__", "shared"}, {"i", std::to_string(i)}};
        };
        std::atomic<int> progress[kAppenders] = {};
        std::atomic<bool> done{false}, truncated{false};
        std::atomic<int> failures{0};
        std::atomic<long> queries{0};
        std::vector<std::string> errors(kAppenders + 2);

        auto appender = [&](int thread) {
            auto app = head->appender();
            for (int r = 0; r < kRounds; ++r) {
                const Timestamp t = kT0 + r * kStep;
                // Series appear over time: creation races with queries.
                const int own = std::min(kOwnSeries, 10 + r);
                for (int i = 0; i < own; ++i) {
                    if (app->append(ownLabels(thread, i), t, static_cast<double>(t)) !=
                            AppendError::kNone &&
                        !(truncated.load() && t < kCut)) {
                        errors[static_cast<std::size_t>(thread)] = "own sample refused";
                        ++failures;
                    }
                }
                for (int i = 0; i < kShared; ++i) {
                    const Timestamp ts = t + thread * 10;
                    (void)app->append(sharedLabels(i), ts,
                                      static_cast<double>(ts));  // races: may be refused
                }
                if (Status s = app->commit(); !s) {
                    errors[static_cast<std::size_t>(thread)] = s.message();
                    ++failures;
                    return;
                }
                progress[thread].store(r + 1);
            }
        };
        auto querier = [&](int index) {
            std::mt19937_64 rng(static_cast<std::uint64_t>(index));
            while (!done.load()) {
                if (index == 0 && !truncated.load()) {
                    bool ready = true;
                    for (const auto& p : progress)
                        ready = ready && p.load() >= 200;
                    if (ready) {
                        if (Status s = head->truncate(kCut); !s) {
                            errors[kAppenders] = s.message();
                            ++failures;
                        }
                        truncated.store(true);
                    }
                }
                const Timestamp mint = kT0 + static_cast<Timestamp>(rng() % kRounds) * kStep;
                auto q = head->querier(mint, mint + 50 * kStep);
                const std::vector<model::Matcher> sel =
                    rng() % 2
                        ? std::vector<model::Matcher>{matcher(MatchType::kEqual, "__name__",
                                                              "shared")}
                        : std::vector<model::Matcher>{matcher(MatchType::kEqual, "thread",
                                                              std::to_string(rng() % kAppenders)),
                                                      matcher(MatchType::kRegexp, "i", "1.*")};
                auto set = q->select(sel, {});
                if (!set) {
                    ++failures;
                    continue;
                }
                while ((*set)->next()) {
                    auto it = (*set)->iterator();
                    Timestamp prev = model::kMinTimestamp;
                    while (it->next()) {
                        const auto s = it->at();
                        if (s.t <= prev || s.v != static_cast<double>(s.t) || s.t < mint ||
                            s.t > mint + 50 * kStep) {
                            errors[static_cast<std::size_t>(kAppenders + index)] =
                                "bad sample in " + (*set)->labels().toString();
                            ++failures;
                        }
                        prev = s.t;
                    }
                }
                (void)q->labelValues("i", sel);
                ++queries;
            }
        };
        std::vector<std::thread> threads;
        for (int i = 0; i < kAppenders; ++i)
            threads.emplace_back(appender, i);
        std::vector<std::thread> readers;
        for (int i = 0; i < 2; ++i)
            readers.emplace_back(querier, i);
        for (auto& t : threads)
            t.join();
        done.store(true);
        for (auto& t : readers)
            t.join();
        for (const auto& e : errors)
            QVERIFY2(e.empty(), e.c_str());
        QCOMPARE(failures.load(), 0);
        QVERIFY(truncated.load());
        QVERIFY(queries.load() > 0);

        // Every own sample from the cut on is there.
        SeriesSamples all;
        auto q = head->querier(model::kMinTimestamp, model::kMaxTimestamp);
        QVERIFY(queryAll(*q, anySeries(), all));
        QCOMPARE(all.size(), std::size_t(kAppenders * kOwnSeries + kShared));
        for (int thread = 0; thread < kAppenders; ++thread) {
            for (int i = 0; i < kOwnSeries; ++i) {
                const auto& s = all[ownLabels(thread, i)];
                const int firstRound = std::max(150, i - 10);
                QCOMPARE(static_cast<int>(s.size()), kRounds - firstRound);
                QCOMPARE(s.front().t, kT0 + firstRound * kStep);
            }
        }
        for (int i = 0; i < kShared; ++i) {
            const auto& s = all[sharedLabels(i)];
            QVERIFY(!s.empty());
            for (std::size_t k = 1; k < s.size(); ++k)
                QVERIFY(s[k - 1].t < s[k].t);
        }
        const HeadStats st = head->stats();
        std::uint64_t total = 0;
        for (const auto& [l, s] : all)
            total += s.size();
        QCOMPARE(st.samples, total);

        head.reset();
        opened = Head::open(Env::posix(), walDir, options);
        QVERIFY(opened.isOk());
        SeriesSamples replayed;
        auto rq = (*opened)->querier(model::kMinTimestamp, model::kMaxTimestamp);
        QVERIFY(queryAll(*rq, anySeries(), replayed));
        // The WAL may hold shared samples a racing commit refused in memory
        // (its record was logged before the other commit applied); own series
        // must be identical.
        for (const auto& [labels, samples] : all) {
            if (labels.metricName() == "own")
                QVERIFY2(sameSamples(samples, replayed[labels]), labels.toString().c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestHeadConcurrency)
#include "tst_head_concurrency.moc"
