#include <QtTest>

#include "core/model/in_memory_storage.h"

using namespace vigil::model;

namespace {
Matcher eq(const char* name, const char* value) {
    return *Matcher::make(MatchType::kEqual, name, value);
}
Matcher re(const char* name, const char* value) {
    return *Matcher::make(MatchType::kRegexp, name, value);
}
}  // namespace

class TestInMemoryStorage : public QObject {
    Q_OBJECT
private slots:
    void appendSelectIterate() {
        InMemoryStorage storage;
        auto app = storage.appender();
        for (int i = 0; i < 10; ++i) {
            app->append(Labels{{"__name__", "up"}, {"job", "a"}}, i * 1000, i);
            app->append(Labels{{"__name__", "up"}, {"job", "b"}}, i * 1000, -i);
        }
        // Not visible before commit.
        QCOMPARE(storage.seriesCount(), std::size_t(0));
        QVERIFY(app->commit().isOk());
        QCOMPARE(storage.seriesCount(), std::size_t(2));

        auto q = storage.querier(2000, 5000);
        auto set = q->select({eq("__name__", "up"), re("job", "a|b")});
        QVERIFY(set.isOk());
        QVERIFY((*set)->next());
        QCOMPARE((*set)->labels().get("job"), std::string_view("a"));
        std::vector<Sample> samples;
        auto it = (*set)->iterator();
        QVERIFY(collectSamples(*it, samples).isOk());
        QCOMPARE(samples.size(), std::size_t(4));
        QCOMPARE(samples.front().t, Timestamp(2000));
        QCOMPARE(samples.back().t, Timestamp(5000));
        QVERIFY((*set)->next());
        QCOMPARE((*set)->labels().get("job"), std::string_view("b"));
        QVERIFY(!(*set)->next());
    }

    void seekNeverGoesBack() {
        InMemoryStorage storage;
        for (int i = 0; i < 10; ++i)
            storage.put(Labels{{"__name__", "x"}}, i * 10, i);
        auto set = std::move(
            *storage.querier(kMinTimestamp, kMaxTimestamp)->select({eq("__name__", "x")}));
        QVERIFY(set->next());
        auto it = set->iterator();
        QVERIFY(it->seek(35));
        QCOMPARE(it->at().t, Timestamp(40));
        QVERIFY(it->seek(10));  // already past: stays
        QCOMPARE(it->at().t, Timestamp(40));
        QVERIFY(it->next());
        QCOMPARE(it->at().t, Timestamp(50));
        QVERIFY(!it->seek(1000));
    }

    void absentLabelMatchesEmpty() {
        InMemoryStorage storage;
        storage.put(Labels{{"__name__", "m"}, {"env", "prod"}}, 1, 1);
        storage.put(Labels{{"__name__", "m"}}, 1, 2);
        auto q = storage.querier(0, 10);
        auto set = std::move(*q->select({eq("__name__", "m"), eq("env", "")}));
        QVERIFY(set->next());
        QVERIFY(!set->labels().has("env"));
        QVERIFY(!set->next());
        auto names = q->labelNames({});
        QCOMPARE(*names, (std::vector<std::string>{"__name__", "env"}));
        auto values = q->labelValues("env", {eq("__name__", "m")});
        QCOMPARE(*values, (std::vector<std::string>{"prod"}));
    }

    void outOfOrderAppendIsDropped() {
        InMemoryStorage storage;
        auto app = storage.appender();
        app->append(Labels{{"__name__", "x"}}, 100, 1);
        app->append(Labels{{"__name__", "x"}}, 50, 2);
        QVERIFY(app->commit().isOk());
        auto set = std::move(*storage.querier(0, 1000)->select({eq("__name__", "x")}));
        QVERIFY(set->next());
        std::vector<Sample> samples;
        auto it = set->iterator();
        QVERIFY(collectSamples(*it, samples).isOk());
        QCOMPARE(samples.size(), std::size_t(1));
        QCOMPARE(appendErrorName(AppendError::kOutOfOrder), "out_of_order");
    }
};

QTEST_GUILESS_MAIN(TestInMemoryStorage)
#include "tst_in_memory_storage.moc"
