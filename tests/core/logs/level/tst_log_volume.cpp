#include <QtTest>

#include <atomic>

#include "core/logs/level/log_volume.h"
#include "core/logs/memory_log_store.h"

using namespace vigil;
using logs::LogLevel;

namespace {

std::size_t lvl(LogLevel l) {
    return static_cast<std::size_t>(l);
}

}  // namespace

class TestLogVolume : public QObject {
    Q_OBJECT
private:
    logs::MemoryLogStore m_store;

private slots:
    void initTestCase() {
        logs::LogStream a;
        a.labels = model::Labels{{"job", "app"}};
        // Bucket 0 ([0, 100)): error, info; bucket 1: warn, debug; bucket 3: unknown.
        a.entries = {{10, "level=error x", {}},
                     {20, "level=info y", {}},
                     {110, "WARN z", {}},
                     {150, "{\"level\":\"debug\"}", {}},
                     {350, "plain", {}}};
        logs::LogStream b;
        b.labels = model::Labels{{"job", "db"}, {"level", "critical"}};
        b.entries = {{30, "says info but the label wins", {}}, {399, "x", {}}};
        QCOMPARE(m_store.push({a, b}).accepted, std::size_t(7));
    }

    void countsByLevelPerBucket() {
        auto v = logs::computeLogVolume(m_store, "{job=~\"app|db\"}", 0, 400, 4);
        QVERIFY2(v.isOk(), v.isOk() ? "" : v.status().message().c_str());
        QCOMPARE(v->stepNs, std::int64_t(100));
        QCOMPARE(v->buckets.size(), std::size_t(4));
        QCOMPARE(v->lines, std::uint64_t(7));
        QCOMPARE(v->buckets[0][lvl(LogLevel::kError)], std::uint64_t(1));
        QCOMPARE(v->buckets[0][lvl(LogLevel::kInfo)], std::uint64_t(1));
        QCOMPARE(v->buckets[0][lvl(LogLevel::kCritical)], std::uint64_t(1));
        QCOMPARE(v->buckets[1][lvl(LogLevel::kWarning)], std::uint64_t(1));
        QCOMPARE(v->buckets[1][lvl(LogLevel::kDebug)], std::uint64_t(1));
        QCOMPARE(v->buckets[2], (std::array<std::uint64_t, logs::kLogLevelCount>{}));
        QCOMPARE(v->buckets[3][lvl(LogLevel::kUnknown)], std::uint64_t(1));
        QCOMPARE(v->buckets[3][lvl(LogLevel::kCritical)], std::uint64_t(1));
        QVERIFY(!v->truncated);
    }

    // The pipeline filters lines, and its parsed labels give the level.
    void pipelineFiltersAndParses() {
        auto v = logs::computeLogVolume(m_store, "{job=\"app\"} |= \"level\" | logfmt", 0, 400, 1);
        QVERIFY(v.isOk());
        QCOMPARE(v->lines, std::uint64_t(3));
        QCOMPARE(v->buckets[0][lvl(LogLevel::kError)], std::uint64_t(1));
        QCOMPARE(v->buckets[0][lvl(LogLevel::kInfo)], std::uint64_t(1));
        // The JSON line fails logfmt (an __error__ label) yet is counted, by its line.
        QCOMPARE(v->buckets[0][lvl(LogLevel::kDebug)], std::uint64_t(1));
    }

    void stopsAtMaxLinesAndOnCancel() {
        auto v = logs::computeLogVolume(m_store, "{job=\"app\"}", 0, 400, 4, 2);
        QVERIFY(v.isOk());
        QVERIFY(v->truncated);
        QCOMPARE(v->lines, std::uint64_t(2));
        std::atomic<bool> cancel{true};
        auto c = logs::computeLogVolume(m_store, "{job=\"app\"}", 0, 400, 4, 100, &cancel);
        QVERIFY(c.isOk());
        QCOMPARE(c->lines, std::uint64_t(0));
    }

    void badInput_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<qint64>("end");
        QTest::addColumn<int>("buckets");
        QTest::addColumn<QString>("error");
        QTest::newRow("metric") << "rate({job=\"a\"}[1m])" << qint64(10) << 1 << "log query";
        QTest::newRow("parse") << "{job=" << qint64(10) << 1 << "parse error at line 1";
        QTest::newRow("empty range") << "{job=\"a\"}" << qint64(0) << 1 << "range is empty";
        QTest::newRow("no buckets") << "{job=\"a\"}" << qint64(10) << 0 << "at least one bucket";
    }
    void badInput() {
        QFETCH(QString, query);
        QFETCH(qint64, end);
        QFETCH(int, buckets);
        QFETCH(QString, error);
        auto v = logs::computeLogVolume(m_store, query.toStdString(), 0, end, buckets);
        QVERIFY(!v.isOk());
        QVERIFY2(QString::fromStdString(v.status().message()).contains(error),
                 v.status().message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestLogVolume)
#include "tst_log_volume.moc"
