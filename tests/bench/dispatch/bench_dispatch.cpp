// bench_dispatch [N]: the Alertmanager load anchor's scenarios
// (shared/conformance/alertmanager/load/README.md) against Vigil's
// dispatcher on the real clock, with its own thread as in the engine:
// N distinct alerts (50 alertnames x 4 clusters x unique instance, 6 labels +
// 2 annotations), handed over in batches of 64 through the AlertSink, one
// inhibit rule that never matches (critical -> warning, equal alertname,
// cluster, instance), group_wait 1s. Prints, per scenario, the time from
// the first batch until every group has had its first notification
// (Alertmanager 0.25: 4.6-8.2 s for the 200-group scenario), the number of
// notifications and alerts delivered, the snapshot time for N alerts and RSS.
//
// The receiver is in-process: "instant" returns at once; "latency 50ms"
// sleeps 50 ms per notification like a slow webhook.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "core/notify/dispatcher.h"

using namespace vigil;
using namespace vigil::notify;

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

long rssMiB() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6)) / 1024;
    return -1;
}

class CountingNotifier : public Notifier {
public:
    explicit CountingNotifier(int latencyMs) : m_latencyMs(latencyMs) {}
    NotifyResult notify(const NotificationContext& ctx) override {
        if (m_latencyMs > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(m_latencyMs));
        std::lock_guard lock(m_mutex);
        ++notifications;
        alerts += ctx.alerts.size();
        if (groups.insert(ctx.groupKey).second)
            lastFirst = std::chrono::steady_clock::now();
        return NotifyResult::delivered();
    }
    std::mutex m_mutex;
    std::unordered_set<std::string> groups;
    std::size_t notifications = 0;
    std::size_t alerts = 0;
    std::chrono::steady_clock::time_point lastFirst;

private:
    int m_latencyMs;
};

void runScenario(int n, const char* groupBy, std::size_t expectGroups, int latencyMs) {
    const std::string yaml = std::string("route:\n  receiver: hook\n  group_by: ") + groupBy +
                             "\n  group_wait: 1s\n  group_interval: 5m\n  repeat_interval: 4h\n"
                             "receivers:\n  - name: hook\n    webhook_configs:\n"
                             "      - url: 'http://127.0.0.1:1/'\n"
                             "inhibit_rules:\n  - source_matchers: [ severity=\"critical\" ]\n"
                             "    target_matchers: [ severity=\"warning\" ]\n"
                             "    equal: [ alertname, cluster, instance ]\n";
    auto loaded = parseAlertmanagerConfig(yaml, "bench.yml");
    if (!loaded.isOk()) {
        std::fprintf(stderr, "%s\n", loaded.status().message().c_str());
        std::exit(1);
    }
    auto notifier = std::make_shared<CountingNotifier>(latencyMs);
    DispatcherOptions options;
    options.config = loaded->config;
    options.notifiers =
        buildNotifierRegistry(options.config,
                              [&](const ReceiverConfig&, const IntegrationConfig&,
                                  std::size_t) -> Result<std::shared_ptr<Notifier>> {
                                  return std::shared_ptr<Notifier>(notifier);
                              })
            .value();
    auto dispatcher = Dispatcher::create(std::move(options)).value();
    std::atomic<bool> stop{false};
    std::thread loop([&] {
        while (!stop) {
            const model::Timestamp next = dispatcher->process();
            dispatcher->waitForWork(next);
        }
    });

    const long rssBefore = rssMiB();
    const model::Timestamp now = Clock::system().nowMs();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<model::Alert> batch;
    for (int i = 0; i < n; ++i) {
        model::Alert a;
        a.labels =
            model::Labels::fromUnsorted({{"alertname", "LoadAlert" + std::to_string(i % 50)},
                                         {"cluster", "cluster-" + std::to_string((i / 50) % 4)},
                                         {"instance", "host-" + std::to_string(i) + ":9100"},
                                         {"job", "node"},
                                         {"severity", i % 2 ? "warning" : "critical"},
                                         {"team", "team-" + std::to_string(i % 7)}});
        a.annotations = model::Labels::fromUnsorted(
            {{"summary", "load alert " + std::to_string(i)},
             {"description", "synthetic alert for the dispatcher benchmark"}});
        a.startsAtMs = now;
        a.generatorUrl = "http://127.0.0.1:9090/graph";
        batch.push_back(std::move(a));
        if (batch.size() == 64 || i + 1 == n) {
            dispatcher->sink().send(std::move(batch));
            batch.clear();
        }
    }
    const double ingest = secondsSince(t0);
    double allNotified = -1;
    while (secondsSince(t0) < 60) {
        {
            std::lock_guard lock(notifier->m_mutex);
            if (notifier->groups.size() >= expectGroups) {
                allNotified = std::chrono::duration<double>(notifier->lastFirst - t0).count();
                break;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const auto s0 = std::chrono::steady_clock::now();
    const auto alerts = dispatcher->alerts();
    const double snapshot = secondsSince(s0);
    const auto g0 = std::chrono::steady_clock::now();
    const auto groups = dispatcher->groups();
    const double groupSnapshot = secondsSince(g0);
    stop = true;
    dispatcher->wake();
    loop.join();

    std::lock_guard lock(notifier->m_mutex);
    std::printf(
        "n=%d group_by=%s receiver=%s: handed over in %.3f s; every group (%zu/%zu) first-notified "
        "after %.3f s (group_wait 1s included); %zu notifications carrying %zu alerts; "
        "snapshot of %zu alerts %.3f s, of %zu groups %.3f s; RSS %ld -> %ld MiB\n",
        n, groupBy, latencyMs ? ("latency " + std::to_string(latencyMs) + "ms").c_str() : "instant",
        ingest, notifier->groups.size(), expectGroups, allNotified, notifier->notifications,
        notifier->alerts, alerts.size(), snapshot, groups.size(), groupSnapshot, rssBefore,
        rssMiB());
    if (allNotified < 0)
        std::printf("  NOT every group was notified within 60 s\n");
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
    runScenario(n, "[alertname, cluster]", 200, 0);
    runScenario(n, "[alertname, cluster]", 200, 50);
    runScenario(n, "['...']", static_cast<std::size_t>(n), 0);
    runScenario(n, "['...']", static_cast<std::size_t>(n), 50);
    return 0;
}
