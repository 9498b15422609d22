// End-to-end tail latency: append lines to a file that a real Engine tails
// (default file_watch_config), subscribe to the engine's live tail, and
// measure append → delivery per line. Each line carries its write time
// (steady clock, ns) so the subscriber computes the latency itself.
#include <QCoreApplication>
#include <QTemporaryDir>

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config/vigil_config.h"
#include "core/engine/engine.h"
#include "core/logs/live/live_tail_hub.h"

using namespace vigil;

namespace {

std::int64_t steadyNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Latencies {
    std::mutex mutex;
    std::condition_variable arrived;
    std::vector<double> ms;
    std::uint64_t dropped = 0;
};

void report(const char* name, std::vector<double> ms, std::size_t sent, std::uint64_t dropped) {
    std::sort(ms.begin(), ms.end());
    auto pct = [&ms](double p) {
        return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, std::size_t(p * double(ms.size())))];
    };
    std::printf(
        "%-7s %6zu of %6zu lines delivered (%llu dropped): median %.2f ms, p99 %.2f ms, "
        "max %.2f ms  [target: < 250 ms] %s\n",
        name, ms.size(), sent, static_cast<unsigned long long>(dropped), pct(0.5), pct(0.99),
        ms.empty() ? 0.0 : ms.back(),
        (!ms.empty() && ms.back() < 250.0 && ms.size() + dropped == sent) ? "MET" : "NOT MET");
    if (dropped > 0)
        std::printf(
            "        (the drops are the live tail's bound: a subscriber holds at most "
            "10,000 undelivered entries; the store has every line)\n");
}

// Appends `n` lines, `gap` apart, and waits until they arrived (10 s at most).
void run(const char* name, int fd, int n, std::chrono::microseconds gap, Latencies& latencies) {
    {
        std::lock_guard lock(latencies.mutex);
        latencies.ms.clear();
        latencies.dropped = 0;
    }
    char line[160];
    for (int i = 0; i < n; ++i) {
        const int len = std::snprintf(line, sizeof line,
                                      "t=%lld seq=%d level=info msg=\"a line appended by the "
                                      "tail latency benchmark\"\n",
                                      static_cast<long long>(steadyNs()), i);
        if (::write(fd, line, std::size_t(len)) != len) {
            std::perror("write");
            std::exit(1);
        }
        if (gap.count() > 0)
            std::this_thread::sleep_for(gap);
    }
    std::unique_lock lock(latencies.mutex);
    latencies.arrived.wait_for(lock, std::chrono::seconds(10), [&] {
        return latencies.ms.size() + latencies.dropped >= std::size_t(n);
    });
    report(name, latencies.ms, std::size_t(n), latencies.dropped);
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int paced = argc > 1 ? std::atoi(argv[1]) : 500;
    const int burst = argc > 2 ? std::atoi(argv[2]) : 5000;
    const int flood = argc > 3 ? std::atoi(argv[3]) : 50000;
    QTemporaryDir dir;
    const std::string logs = dir.path().toStdString() + "/logs";
    std::filesystem::create_directories(logs);
    const std::string file = logs + "/app.log";
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) {
        std::perror("open");
        return 1;
    }
    const std::string yml =
        "server:\n  listen: 127.0.0.1:0\n"
        "host_collector:\n  enabled: false\n"
        "self_monitoring:\n  enabled: false\n"
        "logs:\n  scrape_configs:\n    - job_name: bench\n"
        "      static_configs:\n        - labels:\n"
        "            job: bench\n            __path__: " +
        logs + "/*.log\n";
    auto loaded = config::parseVigilConfig(yml, "bench.yml");
    if (!loaded.isOk()) {
        std::fprintf(stderr, "%s\n", loaded.status().message().c_str());
        return 1;
    }
    engine::EngineOptions options;
    options.config = loaded->config;
    options.dataDir = dir.path() + "/data";
    engine::Engine engine(options);
    if (Status started = engine.start(); !started.isOk()) {
        std::fprintf(stderr, "%s\n", started.message().c_str());
        return 1;
    }
    Latencies latencies;
    auto subscription = engine.liveTail()->subscribe(
        "{job=\"bench\"}", [&latencies](logs::live::LiveBatch&& batch) {
            const std::int64_t now = steadyNs();
            std::lock_guard lock(latencies.mutex);
            latencies.dropped += batch.dropped;
            for (const auto& entry : batch.entries) {
                const long long t = std::atoll(entry.line.c_str() + 2);  // "t=<ns> ..."
                latencies.ms.push_back(double(now - t) / 1e6);
            }
            latencies.arrived.notify_all();
        });
    if (!subscription.isOk()) {
        std::fprintf(stderr, "%s\n", subscription.status().message().c_str());
        return 1;
    }
    std::printf(
        "tail latency: file → tailer (default poll 250 ms, inotify) → log store (WAL) → "
        "live tail subscriber\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the tailer opened the file
    run("paced", fd, paced, std::chrono::milliseconds(10), latencies);
    run("burst", fd, burst, std::chrono::microseconds(0), latencies);
    run("flood", fd, flood, std::chrono::microseconds(0), latencies);
    ::close(fd);
    (*subscription)->unsubscribe();
    engine.stop();
    return 0;
}
