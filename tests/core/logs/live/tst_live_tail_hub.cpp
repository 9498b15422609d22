#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/config/vigil_config.h"
#include "core/engine/engine.h"
#include "core/instrument/metric_registry.h"
#include "core/logs/live/live_tail_hub.h"
#include "core/logs/store/logs_service.h"
#include "tests/support/http_client.h"

using namespace vigil;
using namespace std::chrono_literals;
using logs::live::LiveBatch;
using logs::live::LiveTailHub;
using logs::live::LiveTailOptions;

namespace {

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

logs::LogStream stream(model::Labels labels, std::vector<std::string> lines,
                       std::int64_t t0 = 1000) {
    logs::LogStream s;
    s.labels = std::move(labels);
    for (auto& l : lines)
        s.entries.push_back({t0++, std::move(l), {}});
    return s;
}

// Collects batches from the hub's thread.
struct Sink {
    std::mutex mutex;
    std::vector<logs::live::LiveEntry> entries;
    std::uint64_t dropped = 0;
    int batches = 0;

    LiveTailHub::Callback callback() {
        return [this](LiveBatch&& b) {
            std::lock_guard lock(mutex);
            for (auto& e : b.entries)
                entries.push_back(std::move(e));
            dropped += b.dropped;
            ++batches;
        };
    }
    std::size_t count() {
        std::lock_guard lock(mutex);
        return entries.size();
    }
    std::uint64_t droppedCount() {
        std::lock_guard lock(mutex);
        return dropped;
    }
};

template <typename F>
bool waitUntil(F done, std::chrono::milliseconds timeout = 5s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (done())
            return true;
        std::this_thread::sleep_for(2ms);
    }
    return done();
}

}  // namespace

class TestLiveTailHub : public QObject {
    Q_OBJECT
private slots:
    void matchesSelectorAndPipeline() {
        LiveTailHub hub;
        Sink sink;
        auto sub = hub.subscribe(
            "{job=\"api\"} |= \"req\" | logfmt | status >= 500 | line_format \"{{.path}} failed\"",
            sink.callback());
        QVERIFY2(sub.isOk(), sub.isOk() ? "" : sub.status().message().c_str());
        QVERIFY(hub.hasSubscribers());
        hub.offer({stream({{"job", "api"}}, {"req path=/a status=200", "req path=/b status=503",
                                             "other path=/c status=500"}),
                   stream({{"job", "web"}}, {"req path=/d status=500"}),
                   stream({{"job", "api"}, {"pod", "2"}}, {"req path=/e status=502"})});
        QVERIFY(waitUntil([&] { return sink.count() == 2; }));
        std::lock_guard lock(sink.mutex);
        QCOMPARE(sink.entries[0].line, std::string("/b failed"));
        QCOMPARE(sink.entries[0].tsNs, std::int64_t(1001));
        QCOMPARE(sink.entries[0].labels->get("status"), std::string_view("503"));
        QCOMPARE(sink.entries[0].labels->get("job"), std::string_view("api"));
        QCOMPARE(sink.entries[1].line, std::string("/e failed"));
        QCOMPARE(sink.entries[1].labels->get("pod"), std::string_view("2"));
        QCOMPARE(sink.dropped, std::uint64_t(0));
    }

    void plainSelectorSharesStreamLabels() {
        LiveTailHub hub;
        Sink sink;
        auto sub = hub.subscribe("{job=~\"a|b\"}", sink.callback());
        QVERIFY(sub.isOk());
        hub.offer({stream({{"job", "a"}}, {"1", "2", "3"}), stream({{"job", "c"}}, {"x"})});
        QVERIFY(waitUntil([&] { return sink.count() == 3; }));
        std::lock_guard lock(sink.mutex);
        QCOMPARE(sink.entries[0].labels.get(), sink.entries[2].labels.get());
        QCOMPARE(sink.entries[2].line, std::string("3"));
    }

    void acceptedMaskSkipsRejected() {
        LiveTailHub hub;
        Sink sink;
        auto sub = hub.subscribe("{job=\"a\"}", sink.callback());
        QVERIFY(sub.isOk());
        std::vector<std::uint8_t> accepted = {1, 0, 1, 0};
        hub.offer({stream({{"job", "a"}}, {"kept1", "rejected1", "kept2"}),
                   stream({{"job", "a"}}, {"rejected2"})},
                  &accepted);
        QVERIFY(waitUntil([&] { return sink.count() == 2; }));
        std::this_thread::sleep_for(50ms);
        std::lock_guard lock(sink.mutex);
        QCOMPARE(sink.entries.size(), std::size_t(2));
        QCOMPARE(sink.entries[1].line, std::string("kept2"));
    }

    void refusesBadQueries_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("error");
        QTest::newRow("metric") << "rate({job=\"a\"}[1m])"
                                << "needs a log query";
        QTest::newRow("syntax") << "{job=\"a\"} |= "
                                << "parse error at line 1, col";
        QTest::newRow("empty matcher") << "{job=\"\"}"
                                       << "parse error";
    }
    void refusesBadQueries() {
        QFETCH(QString, query);
        QFETCH(QString, error);
        LiveTailHub hub;
        auto sub = hub.subscribe(query.toStdString(), [](LiveBatch&&) {});
        QVERIFY(!sub.isOk());
        QVERIFY2(QString::fromStdString(sub.status().message()).contains(error),
                 sub.status().message().c_str());
        QVERIFY(!hub.hasSubscribers());
    }

    // Many pushes within one interval arrive as few batches.
    void coalescesDeliveries() {
        LiveTailOptions options;
        options.deliveryInterval = 200ms;
        LiveTailHub hub(options);
        Sink sink;
        auto sub = hub.subscribe("{job=\"a\"}", sink.callback());
        QVERIFY(sub.isOk());
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 100; ++i)
            hub.offer({stream({{"job", "a"}}, {"line " + std::to_string(i)})});
        // At most one batch per interval (plus the first, which goes out at
        // once), however long the pushes took on a loaded machine.
        const auto intervals =
            (std::chrono::steady_clock::now() - start) / options.deliveryInterval;
        QVERIFY(waitUntil([&] { return sink.count() == 100; }));
        std::lock_guard lock(sink.mutex);
        QVERIFY2(
            sink.batches <= 2 + intervals,
            qPrintable(QString("%1 batches in %2 intervals").arg(sink.batches).arg(intervals)));
        for (int i = 0; i < 100; ++i)
            QCOMPARE(sink.entries[std::size_t(i)].line, "line " + std::to_string(i));
    }

    // A subscriber that never reads keeps only its newest entries and
    // learns how many it lost.
    void pullModeDropsOldestAndCounts() {
        LiveTailOptions options;
        options.maxBufferedEntries = 10;
        LiveTailHub hub(options);
        auto sub = hub.subscribe("{job=\"a\"}");
        QVERIFY(sub.isOk());
        std::vector<std::string> lines;
        for (int i = 0; i < 100; ++i)
            lines.push_back("l" + std::to_string(i));
        hub.offer({stream({{"job", "a"}}, lines)});
        QVERIFY(waitUntil([&] { return hub.stats().queuedBytes == 0; }));
        QVERIFY(waitUntil([&] { return (*sub)->bufferedEntries() == 10; }));
        LiveBatch batch = (*sub)->take(1s);
        QCOMPARE(batch.entries.size(), std::size_t(10));
        QCOMPARE(batch.dropped, std::uint64_t(90));
        QCOMPARE(batch.entries.front().line, std::string("l90"));
        QCOMPARE(batch.entries.back().line, std::string("l99"));
        // Nothing left: take() times out empty.
        LiveBatch empty = (*sub)->take(30ms);
        QVERIFY(empty.entries.empty());
        QCOMPARE(empty.dropped, std::uint64_t(0));
    }

    void boundedBytes() {
        LiveTailOptions options;
        options.maxBufferedBytes = 16 * 1024;
        options.maxQueuedBytes = 64 * 1024;
        LiveTailHub hub(options);
        auto sub = hub.subscribe("{job=\"a\"}");
        QVERIFY(sub.isOk());
        const std::string line(200, 'x');
        std::uint64_t offered = 0;
        for (int round = 0; round < 200; ++round) {
            hub.offer({stream({{"job", "a"}}, std::vector<std::string>(50, line))});
            offered += 50;
            QVERIFY((*sub)->bufferedBytes() <= options.maxBufferedBytes);
            QVERIFY(hub.stats().queuedBytes <= options.maxQueuedBytes);
        }
        QVERIFY(waitUntil([&] { return hub.stats().queuedBytes == 0; }));
        QVERIFY((*sub)->bufferedBytes() <= options.maxBufferedBytes);
        QVERIFY((*sub)->bufferedEntries() > 0);
        LiveBatch batch = (*sub)->take(1s);
        QCOMPARE(batch.entries.size() + batch.dropped, offered);
        QVERIFY(batch.dropped > 0);
    }

    // A callback slower than the pushes loses entries, counted, never memory.
    void slowSubscriberCountsDrops() {
        LiveTailOptions options;
        options.deliveryInterval = 5ms;
        options.maxBufferedEntries = 20;
        options.maxQueuedBytes = 8 * 1024;
        LiveTailHub hub(options);
        Sink sink;
        auto slow = sink.callback();
        auto sub = hub.subscribe("{job=\"a\"}", [&](LiveBatch&& b) {
            std::this_thread::sleep_for(20ms);
            slow(std::move(b));
        });
        QVERIFY(sub.isOk());
        std::uint64_t offered = 0;
        for (int i = 0; i < 300; ++i) {
            hub.offer({stream({{"job", "a"}}, std::vector<std::string>(10, std::string(64, 'y')))});
            offered += 10;
            if (i % 30 == 0)
                std::this_thread::sleep_for(10ms);
            QVERIFY(hub.stats().queuedBytes <= options.maxQueuedBytes + 10 * (64 + 64));
        }
        QVERIFY(waitUntil([&] { return sink.count() + sink.droppedCount() == offered; }, 10s));
        QVERIFY(sink.droppedCount() > 0);
        QVERIFY(hub.stats().queueDroppedEntries > 0);
    }

    void unsubscribeFromOtherThreadWaitsForCallback() {
        LiveTailOptions options;
        options.deliveryInterval = 1ms;
        LiveTailHub hub(options);
        std::atomic<bool> inCallback{false};
        std::atomic<int> callsAfterUnsubscribe{0};
        std::atomic<bool> unsubscribed{false};
        auto sub = hub.subscribe("{job=\"a\"}", [&](LiveBatch&&) {
            if (unsubscribed.load())
                ++callsAfterUnsubscribe;
            inCallback = true;
            std::this_thread::sleep_for(50ms);
            inCallback = false;
        });
        QVERIFY(sub.isOk());
        hub.offer({stream({{"job", "a"}}, {"x"})});
        QVERIFY(waitUntil([&] { return inCallback.load(); }));
        (*sub)->unsubscribe();
        unsubscribed = true;
        QVERIFY(!inCallback.load());  // unsubscribe() waited for the callback
        hub.offer({stream({{"job", "a"}}, {"y"})});
        std::this_thread::sleep_for(50ms);
        QCOMPARE(callsAfterUnsubscribe.load(), 0);
        QVERIFY(!hub.hasSubscribers());
    }

    void unsubscribeInsideCallback() {
        LiveTailOptions options;
        options.deliveryInterval = 1ms;
        LiveTailHub hub(options);
        std::unique_ptr<logs::live::LiveTailSubscription> handle;
        std::atomic<int> calls{0};
        auto sub = hub.subscribe("{job=\"a\"}", [&](LiveBatch&&) {
            ++calls;
            handle.reset();  // destroys the subscription from its own callback
        });
        QVERIFY(sub.isOk());
        handle = std::move(sub.value());
        hub.offer({stream({{"job", "a"}}, {"x"})});
        QVERIFY(waitUntil([&] { return calls.load() == 1; }));
        QVERIFY(waitUntil([&] { return !hub.hasSubscribers(); }));
        hub.offer({stream({{"job", "a"}}, {"y"})});
        std::this_thread::sleep_for(30ms);
        QCOMPARE(calls.load(), 1);
    }

    void concurrentPushes() {
        LiveTailOptions options;
        options.maxBufferedEntries = 100000;
        options.maxQueuedBytes = 64u << 20;
        LiveTailHub hub(options);
        Sink sink;
        auto sub = hub.subscribe("{job=~\"t.\"} != \"skip\"", sink.callback());
        QVERIFY(sub.isOk());
        constexpr int kThreads = 4;
        constexpr int kPerThread = 2000;
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&hub, t] {
                const std::string job = "t" + std::to_string(t);
                for (int i = 0; i < kPerThread; ++i)
                    hub.offer({stream({{"job", job}}, {std::to_string(i), "skip"}, i)});
            });
        }
        // Subscribers come and go meanwhile.
        for (int i = 0; i < 20; ++i) {
            auto other = hub.subscribe("{job=\"t0\"}", [](LiveBatch&&) {});
            QVERIFY(other.isOk());
            std::this_thread::sleep_for(1ms);
        }
        for (auto& th : threads)
            th.join();
        QVERIFY(waitUntil([&] { return sink.count() == kThreads * kPerThread; }, 10s));
        std::lock_guard lock(sink.mutex);
        QCOMPARE(sink.dropped, std::uint64_t(0));
        std::vector<int> next(kThreads, 0);
        for (const auto& e : sink.entries) {
            const int t = e.labels->get("job")[1] - '0';
            QCOMPARE(e.line, std::to_string(next[std::size_t(t)]));  // per-pusher order kept
            ++next[std::size_t(t)];
        }
    }

    void noSubscriberCostsNothing() {
        LiveTailHub hub;
        hub.offer({stream({{"job", "a"}}, {"x"})});
        QCOMPARE(hub.stats().offeredEntries, std::uint64_t(0));
        {
            auto sub = hub.subscribe("{job=\"a\"}");
            QVERIFY(sub.isOk());
        }
        QVERIFY(!hub.hasSubscribers());
    }

    void subscriptionOutlivesHub() {
        std::unique_ptr<logs::live::LiveTailSubscription> sub;
        {
            LiveTailHub hub;
            auto s = hub.subscribe("{job=\"a\"}");
            QVERIFY(s.isOk());
            sub = std::move(s.value());
        }
        QVERIFY(sub->take(10ms).entries.empty());
        sub->unsubscribe();
    }

    // The log service offers what the store accepted, and only that.
    void logsServiceFeedsTheHub() {
        QTemporaryDir dir;
        instrument::MetricRegistry registry;
        logs::store::LogStoreOptions options;
        options.maxLineLength = 10;
        logs::store::LogsService service(dir.path().toStdString(), options, registry);
        LiveTailHub hub;
        service.setLiveTail(&hub);
        QVERIFY(service.start().isOk());
        Sink sink;
        auto sub = hub.subscribe("{job=\"svc\"}", sink.callback());
        QVERIFY(sub.isOk());
        const std::int64_t t = nowNs();
        auto result =
            service.push({stream({{"job", "svc"}}, {"short", "much too long a line", "ok"}, t)});
        QCOMPARE(result.accepted, std::size_t(2));
        QCOMPARE(result.rejected, std::size_t(1));
        QVERIFY(waitUntil([&] { return sink.count() == 2; }));
        std::this_thread::sleep_for(30ms);
        {
            std::lock_guard lock(sink.mutex);
            QCOMPARE(sink.entries.size(), std::size_t(2));
            QCOMPARE(sink.entries[0].line, std::string("short"));
            QCOMPARE(sink.entries[1].line, std::string("ok"));
            QCOMPARE(sink.entries[1].tsNs, t + 2);
        }
        service.stop();
    }

    // Through the Engine: a Loki push over HTTP reaches a live subscriber.
    void engineLokiPushReachesTheLiveTail() {
        QTemporaryDir dir;
        engine::EngineOptions options;
        options.dataDir = dir.path();
        options.config.server.listen = {"127.0.0.1", 0};
        options.config.hostCollector.enabled = false;
        engine::Engine engine(options);
        QVERIFY(engine.liveTail());
        QVERIFY(engine.start().isOk());
        Sink sink;
        auto sub = engine.liveTail()->subscribe("{job=\"http\"} |= \"tail\"", sink.callback());
        QVERIFY(sub.isOk());
        const std::string ts = std::to_string(nowNs());
        const std::string body = "{\"streams\":[{\"stream\":{\"job\":\"http\"},\"values\":[[\"" +
                                 ts + "\",\"live tail me\"],[\"" + ts + "\",\"not me\"]]}]}";
        auto reply = test::httpRequest(engine.httpAddress(), "POST", "/loki/api/v1/push", body,
                                       "application/json");
        QCOMPARE(reply.status, 204);
        QVERIFY(waitUntil([&] { return sink.count() == 1; }));
        {
            std::lock_guard lock(sink.mutex);
            QCOMPARE(sink.entries[0].line, std::string("live tail me"));
            QCOMPARE(sink.entries[0].tsNs, std::stoll(ts));
        }
        (*sub)->unsubscribe();

        // Loki's tail long-poll waits on the hub: a push wakes it at once.
        const std::string start = std::to_string(nowNs());
        test::HttpReply tail;
        std::chrono::steady_clock::time_point answered;
        std::thread poller([&] {
            tail = test::httpGet(
                engine.httpAddress(),
                "/loki/api/v1/tail?query=%7Bjob%3D%22http%22%7D&wait=20&start=" + start);
            answered = std::chrono::steady_clock::now();
        });
        QVERIFY(waitUntil([&] { return engine.liveTail()->stats().subscribers == 1; }));
        const std::string ts2 = std::to_string(nowNs());
        const auto pushed = std::chrono::steady_clock::now();
        reply = test::httpRequest(engine.httpAddress(), "POST", "/loki/api/v1/push",
                                  "{\"streams\":[{\"stream\":{\"job\":\"http\"},\"values\":[[\"" +
                                      ts2 + "\",\"woke the tail\"]]}]}",
                                  "application/json");
        QCOMPARE(reply.status, 204);
        poller.join();
        QCOMPARE(tail.status, 200);
        QVERIFY2(tail.body.find("woke the tail") != std::string::npos, tail.body.c_str());
        const auto latencyMs =
            std::chrono::duration_cast<std::chrono::milliseconds>(answered - pushed).count();
        qInfo("tail answered %lld ms after the push", static_cast<long long>(latencyMs));
        QVERIFY(latencyMs < 5000);  // far below wait=20s: woken, not timed out
        QTRY_COMPARE(engine.liveTail()->stats().subscribers, std::size_t(0));
        engine.stop();
    }

    void disabledLogsHaveNoLiveTail() {
        QTemporaryDir dir;
        engine::EngineOptions options;
        options.dataDir = dir.path();
        options.config.logs.enabled = false;
        engine::Engine engine(options);
        QVERIFY(!engine.liveTail());
    }
};

QTEST_GUILESS_MAIN(TestLiveTailHub)
#include "tst_live_tail_hub.moc"
