// queryDataRange (Prometheus's FindMinMaxTime): the time range of samples a
// query reads, which the engine opens its querier over; and the engine's
// Storage overloads, which must give the same results as a querier over all
// time while asking the storage for just that range.

#include <QTest>

#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "core/promql/parser.h"
#include "core/promql/result_json.h"
#include "core/promql/select_range.h"

using namespace vigil;
using namespace vigil::promql;

namespace {

constexpr std::int64_t kMin = 60'000;
constexpr std::int64_t kLookback = 5 * kMin;

// Records the range of every querier it opens.
class RecordingStorage : public model::Storage {
public:
    std::unique_ptr<model::Querier> querier(model::Timestamp mint, model::Timestamp maxt) override {
        mints.push_back(mint);
        maxts.push_back(maxt);
        return inner.querier(mint, maxt);
    }
    std::unique_ptr<model::Appender> appender() override { return inner.appender(); }
    model::InMemoryStorage inner;
    std::vector<model::Timestamp> mints, maxts;
};

}  // namespace

class TestPromqlSelectRange : public QObject {
    Q_OBJECT

private slots:
    void ranges_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<qint64>("start");
        QTest::addColumn<qint64>("end");
        QTest::addColumn<qint64>("mint");
        QTest::addColumn<qint64>("maxt");
        const std::int64_t t = 100 * kMin;
        auto row = [](const char* name, const char* query, std::int64_t start, std::int64_t end,
                      std::int64_t mint, std::int64_t maxt) {
            QTest::newRow(name) << QString(query) << qint64(start) << qint64(end) << qint64(mint)
                                << qint64(maxt);
        };
        row("vector", "up", t, t, t - kLookback, t);
        row("range query", "up", t, t + 10 * kMin, t - kLookback, t + 10 * kMin);
        row("matrix", "rate(up[10m])", t, t, t - 10 * kMin, t);
        row("offset", "up offset 1h", t, t, t - 60 * kMin - kLookback, t - 60 * kMin);
        row("negative offset", "up offset -10m", t, t, t + 10 * kMin - kLookback, t + 10 * kMin);
        row("at", "rate(up[1m] @ 600)", t, t + kMin, 10 * kMin - kMin, 10 * kMin);
        row("at end()", "up @ end()", t, t + 10 * kMin, t + 10 * kMin - kLookback, t + 10 * kMin);
        row("subquery", "max_over_time(rate(up[5m])[1h:1m])", t, t, t - 60 * kMin - 5 * kMin, t);
        row("union of selectors", "up offset 1h + on() rate(x[2m] offset -1h)", t, t,
            t - 60 * kMin - kLookback, t + 60 * kMin);
        row("anchored", "increase(up[10m] anchored)", t, t, t - 10 * kMin - kLookback, t);
        row("smoothed", "rate(up[10m] smoothed)", t, t, t - 10 * kMin - kLookback, t + kLookback);
        row("smoothed vector", "up smoothed", t, t, t - kLookback, t + kLookback);
        row("no selector", "1 + time()", t, t + kMin, t, t + kMin);
    }
    void ranges() {
        QFETCH(QString, query);
        QFETCH(qint64, start);
        QFETCH(qint64, end);
        QFETCH(qint64, mint);
        QFETCH(qint64, maxt);
        auto expr = parse(query.toStdString());
        QVERIFY2(expr.isOk(), expr.status().message().c_str());
        const DataRange r = queryDataRange(**expr, start, end, end == start ? 0 : kMin, kLookback);
        QCOMPARE(qint64(r.mint), mint);
        QCOMPARE(qint64(r.maxt), maxt);
    }

    // Instant and range queries through the Storage overloads: same JSON as
    // over a querier of all time, with the querier opened over the range.
    void storageOverloadsNarrowTheQuerier() {
        RecordingStorage storage;
        for (int i = 0; i <= 120; ++i) {
            storage.inner.put(model::Labels{{"__name__", "c"}, {"i", "0"}}, i * kMin, 10.0 * i);
            storage.inner.put(model::Labels{{"__name__", "c"}, {"i", "1"}}, i * kMin,
                              i % 7 == 0 ? 0 : 3.0 * i);
        }
        Engine engine(EngineOptions{.workerThreads = 1});
        const model::Timestamp t = 90 * kMin;
        const char* queries[] = {"c", "rate(c[5m])", "sum(increase(c[10m] offset 30m))",
                                 "max_over_time(c[20m:1m])"};
        for (const char* q : queries) {
            auto all = storage.inner.querier(model::kMinTimestamp, model::kMaxTimestamp);
            const QueryResult want = engine.instantQuery(*all, q, t);
            storage.mints.clear();
            storage.maxts.clear();
            const QueryResult got = engine.instantQuery(storage, q, t);
            QVERIFY2(got.status.isOk(), got.status.message().c_str());
            QCOMPARE(renderResultJson(got.value), renderResultJson(want.value));
            QCOMPARE(storage.mints.size(), std::size_t{1});
            QVERIFY2(storage.mints[0] > 0 && storage.maxts[0] <= t, q);

            const QueryResult wantRange = engine.rangeQuery(*all, q, t - 30 * kMin, t, kMin);
            const QueryResult gotRange = engine.rangeQuery(storage, q, t - 30 * kMin, t, kMin);
            QVERIFY2(gotRange.status.isOk(), gotRange.status.message().c_str());
            QCOMPARE(renderResultJson(gotRange.value), renderResultJson(wantRange.value));
        }
        // A parse error is reported without opening a querier.
        storage.mints.clear();
        const QueryResult bad = engine.instantQuery(storage, "rate(c[5m]", t);
        QVERIFY(bad.parseError);
        QVERIFY(storage.mints.empty());
    }
};

QTEST_GUILESS_MAIN(TestPromqlSelectRange)
#include "tst_promql_select_range.moc"
