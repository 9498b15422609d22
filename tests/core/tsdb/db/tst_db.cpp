#include <QtTest>

#include "core/instrument/metric_registry.h"
#include "core/model/in_memory_storage.h"
#include "core/tsdb/compact/block_set.h"
#include "core/tsdb/db/db.h"
#include "core/tsdb/db/tsdb_service.h"

using namespace vigil;
using model::Labels;
using model::Sample;

namespace {

constexpr std::int64_t kHour = 3600 * 1000;

// Samples compared by timestamp and exact value bits.
using Series = std::map<Labels, std::vector<std::pair<model::Timestamp, std::uint64_t>>>;

Series readQuerier(model::Querier& q) {
    Series out;
    auto set = q.select({*model::Matcher::make(model::MatchType::kRegexp, "__name__", ".+")});
    if (!set)
        return out;
    while ((*set)->next()) {
        auto it = (*set)->iterator();
        auto& samples = out[(*set)->labels()];
        while (it->next())
            samples.emplace_back(it->at().t, std::bit_cast<std::uint64_t>(it->at().v));
    }
    return out;
}

Series readAll(model::Storage& storage) {
    auto q = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    return readQuerier(*q);
}

// 20 series, a sample every 15 s for `hours`, appended in time order.
void fill(model::Storage& a, model::Storage& b, int hours) {
    for (std::int64_t t = 0; t < hours * kHour; t += 15000) {
        auto appA = a.appender();
        auto appB = b.appender();
        for (int s = 0; s < 20; ++s) {
            const Labels labels{{"__name__", s % 2 ? "up" : "load"},
                                {"instance", "h" + std::to_string(s)}};
            const double v = s * 1000 + static_cast<double>(t / 15000) * 0.25;
            QCOMPARE(appA->append(labels, t, v), model::AppendError::kNone);
            appB->append(labels, t, v);
        }
        QVERIFY(appA->commit().isOk());
        QVERIFY(appB->commit().isOk());
    }
}

}  // namespace

class TestDb : public QObject {
    Q_OBJECT
private slots:
    void headIsCutIntoBlocksAndReadsStayWhole() {
        QTemporaryDir dir;
        model::InMemoryStorage reference;
        {
            auto db = tsdb::Db::open(Env::posix(), dir.path().toStdString(), {});
            QVERIFY2(db.isOk(), db.status().message().c_str());
            fill(**db, reference, 5);
            QCOMPARE((*db)->stats().blocks, std::size_t(0));
            QVERIFY((*db)->maintain().isOk());
            // 5h of data, 2h blocks: [0,2h) and [2h,4h) are cut; the last
            // 1.5 ranges stay in the head.
            const auto stats = (*db)->stats();
            QCOMPARE(stats.blocks, std::size_t(1));
            QVERIFY(stats.head.mint >= 2 * kHour);
            QVERIFY(readAll(**db) == readAll(reference));
        }
        // Reopen: blocks plus the WAL replay give the same data.
        auto db = tsdb::Db::open(Env::posix(), dir.path().toStdString(), {});
        QVERIFY(db.isOk());
        QVERIFY(readAll(**db) == readAll(reference));
        // Samples older than the newest block are refused.
        auto app = (*db)->appender();
        QCOMPARE(app->append(Labels{{"__name__", "up"}, {"instance", "h1"}}, 1000, 1),
                 model::AppendError::kOutOfBounds);
    }

    void deleteAndSnapshot() {
        QTemporaryDir dir;
        model::InMemoryStorage reference;
        auto db = tsdb::Db::open(Env::posix(), dir.path().toStdString(), {});
        QVERIFY(db.isOk());
        fill(**db, reference, 5);
        QVERIFY((*db)->maintain().isOk());
        const auto matcher = *model::Matcher::make(model::MatchType::kEqual, "instance", "h3");
        QVERIFY((*db)->deleteSeries({matcher}, model::kMinTimestamp, model::kMaxTimestamp).isOk());
        auto after = readAll(**db);
        QCOMPARE(after.size(), std::size_t(19));

        const std::string snapshot = dir.path().toStdString() + "/snapshot";
        QVERIFY((*db)->snapshot(snapshot).isOk());
        auto copy = tsdb::BlockSet::open(Env::posix(), snapshot);
        QVERIFY(copy.isOk());
        QCOMPARE((*copy)->blocks().size(), std::size_t(2));  // one block + the head as a block
        auto q = (*copy)->querier(model::kMinTimestamp, model::kMaxTimestamp);
        QVERIFY(readQuerier(*q) == after);
    }

    void serviceForwardsWhileRunning() {
        QTemporaryDir dir;
        instrument::MetricRegistry metrics;
        tsdb::TsdbService service(dir.path().toStdString(), {}, metrics);
        auto refused = service.appender();
        refused->append(Labels{{"__name__", "x"}}, 1, 1);
        QVERIFY(!refused->commit().isOk());
        QVERIFY(service.start().isOk());
        auto app = service.appender();
        QCOMPARE(app->append(Labels{{"__name__", "x"}}, 1, 1), model::AppendError::kNone);
        QVERIFY(app->commit().isOk());
        QCOMPARE(readAll(service).size(), std::size_t(1));
        service.stop();
        auto set = service.querier(0, 10)->select(
            {*model::Matcher::make(model::MatchType::kEqual, "__name__", "x")});
        QVERIFY(!set.isOk());
        QVERIFY(set.status().message().find("not running") != std::string::npos);
        // Restart: the WAL brought the sample back.
        QVERIFY(service.start().isOk());
        QCOMPARE(readAll(service).size(), std::size_t(1));
        service.stop();
    }
};

QTEST_GUILESS_MAIN(TestDb)
#include "tst_db.moc"
