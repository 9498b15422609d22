// Unit tests of the PromQL engine: results rendered as Prometheus's API
// JSON for functions, aggregations, operators and edge cases; errors naming
// the sub-expression; cancellation, superseded slots, timeout and the
// samples limit.

#include <QTest>

#include <condition_variable>
#include <mutex>

#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "core/promql/result_json.h"

using namespace vigil;
using namespace vigil::promql;

namespace {

// Loads: http_requests{job="api",instance="0|1"} counters 0+10/min and
// 0+20/min for 10 minutes (ms timestamps), a gauge and histogram buckets.
void loadFixture(model::InMemoryStorage& s) {
    for (int i = 0; i <= 10; ++i) {
        const std::int64_t t = i * 60000;
        s.put(model::Labels{{"__name__", "http_requests"}, {"job", "api"}, {"instance", "0"}}, t,
              10.0 * i);
        s.put(model::Labels{{"__name__", "http_requests"}, {"job", "api"}, {"instance", "1"}}, t,
              20.0 * i);
        s.put(model::Labels{{"__name__", "temp"}, {"room", "a"}}, t, i % 2 == 0 ? 20.5 : 21.5);
        s.put(model::Labels{{"__name__", "temp2"}, {"room", "a"}}, t, 1);
        s.put(model::Labels{{"__name__", "lat_bucket"}, {"le", "0.1"}}, t, 5.0 * i);
        s.put(model::Labels{{"__name__", "lat_bucket"}, {"le", "1"}}, t, 8.0 * i);
        s.put(model::Labels{{"__name__", "lat_bucket"}, {"le", "+Inf"}}, t, 10.0 * i);
    }
    // A series that went stale at 5m.
    s.put(model::Labels{{"__name__", "gone"}}, 0, 1);
    s.put(model::Labels{{"__name__", "gone"}}, 240000, 2);
    s.put(model::Labels{{"__name__", "gone"}}, 300000, model::staleNaN());
}

// Blocks select() until released, to hold a query in flight.
class GateQuerier : public model::Querier {
public:
    explicit GateQuerier(std::unique_ptr<model::Querier> inner) : m_inner(std::move(inner)) {}
    Result<std::unique_ptr<model::SeriesSet>> select(const std::vector<model::Matcher>& m,
                                                     const model::SelectHints& h) override {
        {
            std::unique_lock lock(m_mutex);
            m_entered = true;
            m_cv.notify_all();
            m_cv.wait(lock, [this] { return m_open; });
        }
        return m_inner->select(m, h);
    }
    Result<std::vector<std::string>> labelNames(const std::vector<model::Matcher>& m) override {
        return m_inner->labelNames(m);
    }
    Result<std::vector<std::string>> labelValues(const std::string& n,
                                                 const std::vector<model::Matcher>& m) override {
        return m_inner->labelValues(n, m);
    }
    void waitEntered() {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_entered; });
    }
    void open() {
        std::lock_guard lock(m_mutex);
        m_open = true;
        m_cv.notify_all();
    }

private:
    std::unique_ptr<model::Querier> m_inner;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_entered = false;
    bool m_open = false;
};

}  // namespace

class TestPromqlEngine : public QObject {
    Q_OBJECT

private slots:
    void instantQueries_data();
    void instantQueries();
    void rangeQueries_data();
    void rangeQueries();
    void errors_data();
    void errors();
    void jsonFormatting();
    void cancellationByToken();
    void newerQueryInSlotCancelsOlder();
    void timeout();
    void maxSamples();
    void statsCountLoadedSamples();
};

void TestPromqlEngine::instantQueries_data() {
    QTest::addColumn<QString>("query");
    QTest::addColumn<qint64>("timeMs");
    QTest::addColumn<QString>("json");
    const QString v = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[";
    const QString s = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":";
    QTest::newRow("selector")
        << "http_requests{instance=\"1\"}" << qint64(600000)
        << v + "{\"metric\":{\"__name__\":\"http_requests\",\"instance\":\"1\",\"job\":\"api\"},"
               "\"value\":[600,\"200\"]}]}}";
    QTest::newRow("rate drops name")
        << "rate(http_requests{instance=\"0\"}[5m])" << qint64(600000)
        << v + "{\"metric\":{\"instance\":\"0\",\"job\":\"api\"},\"value\":[600,"
               "\"0.16666666666666666\"]}]}}";
    QTest::newRow("sum by") << "sum by (job) (http_requests)" << qint64(300000)
                            << v + "{\"metric\":{\"job\":\"api\"},\"value\":[300,\"150\"]}]}}";
    QTest::newRow("avg without") << "avg without (instance) (http_requests)" << qint64(300000)
                                 << v + "{\"metric\":{\"job\":\"api\"},\"value\":[300,\"75\"]}]}}";
    QTest::newRow("topk keeps labels") << "topk(1, http_requests)" << qint64(60000)
                                       << v + "{\"metric\":{\"__name__\":\"http_requests\","
                                              "\"instance\":\"1\",\"job\":\"api\"},\"value\":[60,"
                                              "\"20\"]}]}}";
    QTest::newRow("count_values") << "count_values(\"v\", temp)" << qint64(60000)
                                  << v + "{\"metric\":{\"v\":\"21.5\"},\"value\":[60,\"1\"]}]}}";
    QTest::newRow("scalar arithmetic") << "2 ^ 10 % 7" << qint64(0) << s + "[0,\"2\"]}}";
    QTest::newRow("division by zero") << "1 / 0" << qint64(0) << s + "[0,\"+Inf\"]}}";
    QTest::newRow("histogram_quantile") << "histogram_quantile(0.5, lat_bucket)" << qint64(600000)
                                        << v + "{\"metric\":{},\"value\":[600,\"0.1\"]}]}}";
    QTest::newRow("histogram_quantile interpolates")
        << "histogram_quantile(0.65, lat_bucket)" << qint64(600000)
        << v + "{\"metric\":{},\"value\":[600,\"0.55\"]}]}}";
    QTest::newRow("stale marker hides series") << "gone" << qint64(300000) << v + "]}}";
    QTest::newRow("before stale marker")
        << "gone" << qint64(299999)
        << v + "{\"metric\":{\"__name__\":\"gone\"},\"value\":[299.999,\"2\"]}]}}";
    QTest::newRow("lookback ends after 5m") << "temp offset 16m" << qint64(600000) << v + "]}}";
    QTest::newRow("negative offset")
        << "http_requests{instance=\"0\"} offset -1m" << qint64(60000)
        << v + "{\"metric\":{\"__name__\":\"http_requests\",\"instance\":\"0\",\"job\":"
               "\"api\"},\"value\":[60,\"20\"]}]}}";
    QTest::newRow("@ end()")
        << "http_requests{instance=\"0\"} @ end()" << qint64(120000)
        << v + "{\"metric\":{\"__name__\":\"http_requests\",\"instance\":\"0\",\"job\":\"api\"},"
               "\"value\":[120,\"20\"]}]}}";
    QTest::newRow("subquery")
        << "max_over_time(rate(http_requests{instance=\"1\"}[2m])[5m:1m])" << qint64(600000)
        << v + "{\"metric\":{\"instance\":\"1\",\"job\":\"api\"},\"value\":[600,"
               "\"0.3333333333333333\"]}]}}";
    QTest::newRow("group_left")
        << "http_requests + on() group_left(room) temp" << qint64(0)
        << v + "{\"metric\":{\"instance\":\"0\",\"job\":\"api\",\"room\":\"a\"},"
               "\"value\":[0,\"20.5\"]},{\"metric\":{\"instance\":\"1\",\"job\":\"api\","
               "\"room\":\"a\"},\"value\":[0,\"20.5\"]}]}}";
    QTest::newRow("absent") << "absent(nope{job=\"x\"})" << qint64(0)
                            << v + "{\"metric\":{\"job\":\"x\"},\"value\":[0,\"1\"]}]}}";
    QTest::newRow("label_replace")
        << "label_replace(temp, \"r\", \"$1-x\", \"room\", \"(.*)\")" << qint64(0)
        << v + "{\"metric\":{\"__name__\":\"temp\",\"r\":\"a-x\",\"room\":\"a\"},\"value\":"
               "[0,\"20.5\"]}]}}";
    QTest::newRow("and/unless")
        << "http_requests unless on(instance) http_requests{instance=\"0\"}" << qint64(0)
        << v + "{\"metric\":{\"__name__\":\"http_requests\",\"instance\":\"1\",\"job\":"
               "\"api\"},\"value\":[0,\"0\"]}]}}";
    QTest::newRow("comparison filter keeps name")
        << "temp > 21" << qint64(60000)
        << v + "{\"metric\":{\"__name__\":\"temp\",\"room\":\"a\"},\"value\":"
               "[60,\"21.5\"]}]}}";
    QTest::newRow("bool drops name") << "temp > bool 21" << qint64(0)
                                     << v + "{\"metric\":{\"room\":\"a\"},\"value\":[0,\"0\"]}]}}";
    QTest::newRow("string")
        << "\"hello\"" << qint64(1500)
        << "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1.500,"
           "\"hello\"]}}";
    QTest::newRow("range vector")
        << "temp[1m]" << qint64(60000)
        << "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{"
           "\"metric\":{\"__name__\":\"temp\",\"room\":\"a\"},\"values\":[[0,\"20.5\"],[60,"
           "\"21.5\"]]}]}}";
}

void TestPromqlEngine::instantQueries() {
    QFETCH(QString, query);
    QFETCH(qint64, timeMs);
    QFETCH(QString, json);
    model::InMemoryStorage storage;
    loadFixture(storage);
    Engine engine(EngineOptions{.workerThreads = 1});
    auto q = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    const QueryResult r = engine.instantQuery(*q, query.toStdString(), timeMs);
    QVERIFY2(r.status.isOk(), r.status.message().c_str());
    QCOMPARE(QString::fromStdString(renderResultJson(r.value)), json);
}

void TestPromqlEngine::rangeQueries_data() {
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("json");
    const QString m = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[";
    QTest::newRow("selector steps")
        << "http_requests{instance=\"0\"}"
        << m + "{\"metric\":{\"__name__\":\"http_requests\",\"instance\":\"0\",\"job\":"
               "\"api\"},\"values\":[[0,\"0\"],[120,\"20\"],[240,\"40\"]]}]}}";
    QTest::newRow("scalar becomes a series")
        << "time()"
        << m + "{\"metric\":{},\"values\":[[0,\"0\"],[120,\"120\"],[240,"
               "\"240\"]]}]}}";
    QTest::newRow("delta over closed window")
        << "delta(temp[1m])"
        << m + "{\"metric\":{\"room\":\"a\"},\"values\":[[120,\"-1\"],[240,\"-1\"]]}"
               "]}}";
    QTest::newRow("sorted by labels")
        << "sum by (instance) (http_requests)"
        << m + "{\"metric\":{\"instance\":\"0\"},\"values\":[[0,\"0\"],[120,\"20\"],["
               "240,\"40\"]]},{\"metric\":{\"instance\":\"1\"},\"values\":[[0,\"0\"],["
               "120,\"40\"],[240,\"80\"]]}]}}";
}

void TestPromqlEngine::rangeQueries() {
    QFETCH(QString, query);
    QFETCH(QString, json);
    model::InMemoryStorage storage;
    loadFixture(storage);
    Engine engine(EngineOptions{.workerThreads = 1});
    auto q = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    const QueryResult r = engine.rangeQuery(*q, query.toStdString(), 0, 240000, 120000);
    QVERIFY2(r.status.isOk(), r.status.message().c_str());
    QCOMPARE(QString::fromStdString(renderResultJson(r.value)), json);
}

void TestPromqlEngine::errors_data() {
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("failedExpr");
    QTest::newRow("parse error") << "sum("
                                 << "1:5: parse error: unclosed left parenthesis"
                                 << "";
    // Prometheus 2.42's order: the series it is at, then the one seen before.
    QTest::newRow("many-to-many")
        << "temp + on() http_requests"
        << "found duplicate series for the match group {} on the right hand-side of the "
           "operation: [{__name__=\"http_requests\", instance=\"1\", job=\"api\"}, "
           "{__name__=\"http_requests\", instance=\"0\", job=\"api\"}];many-to-many "
           "matching not allowed: matching labels must be unique on one side"
        << "temp + on () http_requests";
    QTest::newRow("duplicate labelset") << "rate({__name__=~\"temp|temp2\"}[5m])"
                                        << "vector cannot contain metrics with the same labelset"
                                        << "rate({__name__=~\"temp|temp2\"}[5m])";
    QTest::newRow("same labelset after dropping name")
        << "-{__name__=~\"temp|temp2\"}"
        << "vector cannot contain metrics with the same labelset"
        << "-{__name__=~\"temp|temp2\"}";
    QTest::newRow("bad regex") << "label_replace(temp, \"a\", \"b\", \"room\", \"(\")"
                               << "invalid regular expression in label_replace(): ("
                               << "label_replace(temp, \"a\", "
                                  "\"b\", \"room\", \"(\")";
    QTest::newRow("holt_winters factor")
        << "holt_winters(temp[5m], 2, 0.5)"
        << "invalid smoothing factor. Expected: 0 < sf < 1, got: 2.000000"
        << "holt_winters(temp[5m], 2, 0.5)";
    QTest::newRow("one-to-one needs explicit grouping")
        << "http_requests + ignoring(instance) sum by (job) (http_requests)"
        << "multiple matches for labels: many-to-one matching must be explicit "
           "(group_left/group_right)"
        << "";
}

void TestPromqlEngine::errors() {
    QFETCH(QString, query);
    QFETCH(QString, message);
    QFETCH(QString, failedExpr);
    model::InMemoryStorage storage;
    loadFixture(storage);
    Engine engine(EngineOptions{.workerThreads = 1});
    auto q = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    const QueryResult r = engine.instantQuery(*q, query.toStdString(), 600000);
    QVERIFY(!r.status.isOk());
    QCOMPARE(QString::fromStdString(r.status.message()), message);
    if (!failedExpr.isEmpty())
        QCOMPARE(QString::fromStdString(r.failedExpr), failedExpr);
}

void TestPromqlEngine::jsonFormatting() {
    std::string ts;
    appendJsonTimestamp(ts, 1700000000123);
    QCOMPARE(QString::fromStdString(ts), QString("1700000000.123"));
    ts.clear();
    appendJsonTimestamp(ts, 1700000000100);
    QCOMPARE(QString::fromStdString(ts), QString("1700000000.100"));
    ts.clear();
    appendJsonTimestamp(ts, -1500);
    QCOMPARE(QString::fromStdString(ts), QString("-1.500"));
    Value v;
    v.type = ValueType::kVector;
    v.vector.push_back({model::Labels{{"a", "<&>\"\n"}}, 5, 1e21});
    QCOMPARE(
        QString::fromStdString(renderResultJson(v)),
        QString(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{"
            "\"a\":"
            "\"\\u003c\\u0026\\u003e\\\"\\n\"},\"value\":[0.005,\"1000000000000000000000\"]}]}}"));
    QCOMPARE(
        QString::fromStdString(renderErrorJson("bad_data", "x \"y\"")),
        QString("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"x \\\"y\\\"\"}"));
}

void TestPromqlEngine::cancellationByToken() {
    model::InMemoryStorage storage;
    loadFixture(storage);
    Engine engine(EngineOptions{.workerThreads = 1});
    auto q = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    QueryControl control;
    control.token = std::make_shared<QueryToken>();
    control.token->cancel();
    const QueryResult r = engine.instantQuery(*q, "sum(http_requests)", 0, control);
    QCOMPARE(r.status.code(), Status::Code::kCancelled);
    QCOMPARE(QString::fromStdString(r.status.message()),
             QString("query was canceled in expression evaluation"));
    QCOMPARE(QString::fromStdString(errorTypeFor(r.status, false)), QString("canceled"));
}

void TestPromqlEngine::newerQueryInSlotCancelsOlder() {
    model::InMemoryStorage storage;
    loadFixture(storage);
    Engine engine(EngineOptions{.workerThreads = 2});
    GateQuerier gate(storage.querier(model::kMinTimestamp, model::kMaxTimestamp));
    auto plain = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    QueryControl control;
    control.slot = "panel-1";
    auto older = engine.submitRange(gate, "rate(http_requests[5m])", 0, 600000, 60000, control);
    gate.waitEntered();  // the older query is now inside select()
    auto newer = engine.submitInstant(*plain, "sum(http_requests)", 600000, control);
    const QueryResult n = newer.get();
    QVERIFY2(n.status.isOk(), n.status.message().c_str());
    gate.open();
    const QueryResult o = older.get();
    QCOMPARE(o.status.code(), Status::Code::kCancelled);
    // A query in another slot is unaffected.
    QueryControl other;
    other.slot = "panel-2";
    auto third = engine.submitInstant(*plain, "sum(http_requests)", 600000, other);
    QVERIFY(third.get().status.isOk());
}

void TestPromqlEngine::timeout() {
    model::InMemoryStorage storage;
    loadFixture(storage);
    EngineOptions options;
    options.workerThreads = 1;
    options.timeout = std::chrono::milliseconds(-1);
    Engine engine(options);
    auto q = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    const QueryResult r = engine.instantQuery(*q, "http_requests", 0);
    QCOMPARE(r.status.code(), Status::Code::kTimeout);
    QCOMPARE(QString::fromStdString(r.status.message()),
             QString("query timed out in expression evaluation"));
}

void TestPromqlEngine::maxSamples() {
    model::InMemoryStorage storage;
    loadFixture(storage);
    EngineOptions options;
    options.workerThreads = 1;
    options.maxSamples = 10;
    Engine engine(options);
    auto q = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    const QueryResult r = engine.instantQuery(*q, "rate(http_requests[10m])", 600000);
    QCOMPARE(r.status.code(), Status::Code::kResourceExhausted);
    QCOMPARE(
        QString::fromStdString(r.status.message()),
        QString("query processing would load too many samples into memory in query execution"));
    // Within the limit it works.
    const QueryResult ok =
        engine.instantQuery(*q, "rate(http_requests{instance=\"0\"}[3m])", 600000);
    QVERIFY2(ok.status.isOk(), ok.status.message().c_str());
}

void TestPromqlEngine::statsCountLoadedSamples() {
    model::InMemoryStorage storage;
    loadFixture(storage);
    Engine engine(EngineOptions{.workerThreads = 1});
    auto q = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    const QueryResult r = engine.rangeQuery(*q, "rate(http_requests[5m])", 300000, 600000, 60000);
    QVERIFY(r.status.isOk());
    // Each series is read once for the whole range: samples at 0..10m.
    QCOMPARE(r.stats.samplesLoaded, std::uint64_t(22));
    QCOMPARE(r.stats.seriesLoaded, std::uint64_t(2));
}

QTEST_GUILESS_MAIN(TestPromqlEngine)
#include "tst_promql_engine.moc"
