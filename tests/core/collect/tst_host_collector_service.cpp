// HostCollectorService: collects on its own thread at the interval, commits
// to storage, counts itself in the registry, and stops promptly.

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>
#include <thread>

#include "core/collect/host_collector_service.h"
#include "core/model/in_memory_storage.h"

using namespace vigil;
using namespace vigil::collect;

namespace {

HostCollectorServiceOptions fixtureOptions(std::chrono::milliseconds interval) {
    const QString root = QStringLiteral(VIGIL_TEST_DATA_DIR "/testdata/synthetic");
    HostCollectorServiceOptions options;
    options.collector.paths.procPath = (root + "/proc").toStdString();
    options.collector.paths.sysPath = (root + "/sys").toStdString();
    options.collector.collectors = {"loadavg", "stat"};
    options.collector.instance = "fixture:9100";
    options.interval = interval;
    return options;
}

std::vector<model::Sample> samplesOf(model::Storage& storage, const std::string& name) {
    auto querier = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    auto set =
        querier->select({model::Matcher::make(model::MatchType::kEqual, "__name__", name).value()});
    std::vector<model::Sample> out;
    if (set.isOk() && set.value()->next()) {
        auto it = set.value()->iterator();
        (void)model::collectSamples(*it, out);
    }
    return out;
}

bool waitFor(const std::function<bool()>& condition, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (!condition()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace

class TestHostCollectorService : public QObject {
    Q_OBJECT
private slots:
    void collectsAtTheInterval();
    void stopIsPrompt();
    void rejectsBadOptions();
};

void TestHostCollectorService::collectsAtTheInterval() {
    model::InMemoryStorage storage;
    instrument::MetricRegistry registry;
    HostCollectorService service(storage, fixtureOptions(std::chrono::milliseconds(40)), registry);
    QCOMPARE(service.name(), QStringLiteral("host-collector"));
    QVERIFY(service.start().isOk());
    QCOMPARE(service.state(), engine::Service::State::kRunning);
    QVERIFY(waitFor([&] { return service.collections() >= 3; }, 5000));
    service.stop();
    QCOMPARE(service.state(), engine::Service::State::kStopped);

    const std::uint64_t collections = service.collections();
    const auto loads = samplesOf(storage, "node_load1");
    QCOMPARE(loads.size(), std::size_t(collections));
    for (std::size_t i = 1; i < loads.size(); ++i) {
        QCOMPARE(loads[i].v, 0.52);
        // About the interval apart (never closer than half of it).
        QVERIFY2(loads[i].t - loads[i - 1].t >= 20,
                 qPrintable(QString::number(loads[i].t - loads[i - 1].t)));
    }
    QCOMPARE(samplesOf(storage, "up").size(), std::size_t(collections));

    const std::string metrics = registry.render();
    QVERIFY2(metrics.find("vigil_host_collections_total " + std::to_string(collections)) !=
                 std::string::npos,
             metrics.c_str());
    QVERIFY(metrics.find("vigil_host_collection_duration_seconds_count " +
                         std::to_string(collections)) != std::string::npos);
    // 3 loads + 6 stat + 2x2 scrape_collector + 3 scrape series per collection.
    QVERIFY2(metrics.find("vigil_host_samples_appended_total " +
                          std::to_string(16 * collections)) != std::string::npos,
             metrics.c_str());
}

// With an hour-long interval the thread sleeps after its first collection;
// stop() must wake it rather than wait.
void TestHostCollectorService::stopIsPrompt() {
    model::InMemoryStorage storage;
    instrument::MetricRegistry registry;
    HostCollectorService service(storage, fixtureOptions(std::chrono::hours(1)), registry);
    QVERIFY(service.start().isOk());
    QVERIFY(waitFor([&] { return service.collections() == 1; }, 5000));
    QElapsedTimer timer;
    timer.start();
    service.stop();
    QVERIFY2(timer.elapsed() < 500, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(service.collections(), std::uint64_t(1));
    // Restartable.
    QVERIFY(service.start().isOk());
    QVERIFY(waitFor([&] { return service.collections() == 2; }, 5000));
    service.stop();
}

void TestHostCollectorService::rejectsBadOptions() {
    model::InMemoryStorage storage;
    instrument::MetricRegistry registry;
    {
        HostCollectorService service(storage, fixtureOptions(std::chrono::milliseconds(0)),
                                     registry);
        Status s = service.start();
        QVERIFY(!s.isOk());
        QVERIFY2(s.message().find("interval must be positive") != std::string::npos,
                 s.message().c_str());
        QCOMPARE(service.state(), engine::Service::State::kFailed);
    }
    HostCollectorServiceOptions options = fixtureOptions(std::chrono::milliseconds(100));
    options.collector.collectors = {"bogus"};
    HostCollectorService service(storage, options, registry);
    Status s = service.start();
    QVERIFY(!s.isOk());
    QVERIFY2(s.message().find("unknown collector \"bogus\"") != std::string::npos,
             s.message().c_str());
}

QTEST_GUILESS_MAIN(TestHostCollectorService)
#include "tst_host_collector_service.moc"
