// bench_rules TSDB_DIR [RULES] [SECONDS] [WORKERS]
//
// Evaluates RULES alerting rules (default 10,000, in groups of 100 with a
// 15 s interval) over the TSDB in TSDB_DIR (the anchor dataset imported
// with `vigilctl tsdb import openmetrics`), the way Vigil runs them: the
// RuleManager's scheduler and worker pool, queries through the PromQL
// engine, ALERTS/ALERTS_FOR_STATE written back, alert state kept in SQLite.
// The clock starts at the dataset's end and runs at real speed, so the run
// lasts SECONDS of wall time (default 60: four evaluation rounds).
//
// Prints: one sequential round's wall time, then for the scheduled run the
// evaluation time per round (sum and slowest group), missed iterations and
// the process's CPU use in cores (user+system CPU seconds / wall seconds).

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/promql/engine.h"
#include "core/rules/rule_manager.h"
#include "core/tsdb/db/db.h"
#include "core/util/env.h"

using namespace vigil;

namespace {

double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double nowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

class CountingSink : public model::AlertSink {
public:
    void send(std::vector<model::Alert> alerts) override { m_count += alerts.size(); }
    std::uint64_t count() const { return m_count.load(); }

private:
    std::atomic<std::uint64_t> m_count{0};
};

// Host alerting rules of the kinds people write, one per host and threshold:
// RULES / (hosts x kinds) thresholds per kind, spread so that some fire.
std::string ruleFile(int rules, int hosts) {
    const char* kinds[] = {
        "rate(node_cpu_seconds_total{instance=\"%s\",mode=\"idle\"}[5m]) < %g",
        "node_memory_MemAvailable_bytes{instance=\"%s\"} < %g * 1e8",
        "node_load1{instance=\"%s\"} > %g / 4",
        "rate(node_network_receive_bytes_total{instance=\"%s\"}[5m]) > %g * 1e5",
        "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{"
        "instance=\"%s\"}[5m]))) > %g / 20",
    };
    const int kindCount = 5;
    std::string out = "groups:\n";
    char expr[512];
    for (int i = 0; i < rules; ++i) {
        if (i % 100 == 0)
            out +=
                "  - name: bench-" + std::to_string(i / 100) + "\n    interval: 15s\n    rules:\n";
        const int kind = i % kindCount;
        const int host = (i / kindCount) % hosts;
        const int variant = i / (kindCount * hosts);
        char instance[64];
        std::snprintf(instance, sizeof instance, "host-%04d:9100", host);
        std::snprintf(expr, sizeof expr, kinds[kind], instance, 0.5 + variant);
        out += "      - alert: Bench" + std::to_string(kind) + "_" + std::to_string(variant) +
               "\n        expr: '" + expr +
               "'\n        for: 1m\n        labels:\n"
               "          severity: warning\n        annotations:\n"
               "          summary: '{{ $labels.instance }} at {{ $value | humanize }}'\n";
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_rules TSDB_DIR [RULES] [SECONDS] [WORKERS]\n");
        return 2;
    }
    const std::string dir = argv[1];
    const int rules = argc > 2 ? std::atoi(argv[2]) : 10000;
    const int seconds = argc > 3 ? std::atoi(argv[3]) : 60;
    const unsigned workers = argc > 4 ? static_cast<unsigned>(std::atoi(argv[4])) : 2;

    tsdb::DbOptions dbOptions;
    dbOptions.retentionMs = 0;  // the dataset is in the past
    dbOptions.retentionBytes = 0;
    auto db = tsdb::Db::open(Env::posix(), dir, dbOptions);
    if (!db) {
        std::fprintf(stderr, "bench_rules: %s\n", db.status().message().c_str());
        return 1;
    }
    const tsdb::DbStats stats = (*db)->stats();
    std::printf("tsdb: %zu blocks, %llu samples, %.1f h of data\n", stats.blocks,
                static_cast<unsigned long long>(stats.blockSamples),
                static_cast<double>(stats.maxt - stats.mint) / 3.6e6);

    const auto work =
        std::filesystem::temp_directory_path() / ("bench_rules." + std::to_string(::getpid()));
    std::filesystem::create_directories(work);
    const std::string rulePath = (work / "bench.rules.yml").string();
    {
        std::ofstream out(rulePath);
        out << ruleFile(rules, 108);
    }

    promql::EngineOptions engineOptions;
    engineOptions.workerThreads = 1;
    promql::Engine engine(engineOptions);
    CountingSink sink;

    // The clock starts right after the dataset's last sample and runs at real
    // speed (earlier times are below the TSDB head's lower bound, where
    // ALERTS could not be written; rate()[5m] still sees the last minutes).
    const model::Timestamp replayStart = stats.maxt + 1'000;
    const double wallStart = nowSeconds();
    rules::RuleManagerOptions options;
    options.storage = db->get();
    options.engine = &engine;
    options.ruleFiles = {rulePath};
    options.workerThreads = workers;
    options.stateDbPath = (work / "state.db").string();
    options.watchInterval = std::chrono::milliseconds(0);
    options.clock = [&] {
        return replayStart + 15'000 +
               static_cast<model::Timestamp>((nowSeconds() - wallStart) * 1000);
    };

    {
        rules::RuleManager sequential(options);
        if (Status st = sequential.reload(); !st.isOk()) {
            std::fprintf(stderr, "bench_rules: %s\n", st.message().c_str());
            return 1;
        }
        const double c0 = cpuSeconds();
        const double t0 = nowSeconds();
        sequential.evaluateAllAt(replayStart);
        std::printf("one round of %d rules on one thread: %.2f s wall, %.2f s CPU\n", rules,
                    nowSeconds() - t0, cpuSeconds() - c0);
    }

    rules::RuleManager manager(options);
    manager.setAlertSink(&sink);
    const double cpu0 = cpuSeconds();
    const double wall0 = nowSeconds();
    if (Status st = manager.start(); !st.isOk()) {
        std::fprintf(stderr, "bench_rules: %s\n", st.message().c_str());
        return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    auto snap = manager.snapshot();
    manager.stop();
    const double wall = nowSeconds() - wall0;
    const double cpu = cpuSeconds() - cpu0;

    double sumLast = 0;
    double slowest = 0;
    std::uint64_t iterations = 0;
    std::uint64_t missed = 0;
    std::size_t firing = 0;
    std::size_t errors = 0;
    std::string firstError;
    for (const auto& g : snap.groups) {
        sumLast += g.evaluationSeconds;
        slowest = std::max(slowest, g.evaluationSeconds);
        iterations += g.iterations;
        missed += g.missedIterations;
        for (const auto& r : g.rules) {
            firing += r.alerts.size();
            errors += r.health == rules::RuleHealth::kBad;
            if (firstError.empty() && !r.lastError.empty())
                firstError = r.name + ": " + r.lastError;
        }
    }
    std::printf("scheduled: %zu groups x 100 rules every 15 s, %u workers, %.0f s\n",
                snap.groups.size(), workers, wall);
    std::printf("  group iterations %llu (%.1f rounds), missed %llu\n",
                static_cast<unsigned long long>(iterations),
                static_cast<double>(iterations) / static_cast<double>(snap.groups.size()),
                static_cast<unsigned long long>(missed));
    std::printf(
        "  evaluation time of one round (sum of groups' last): %.2f s of the 15 s interval; "
        "slowest group %.3f s\n",
        sumLast, slowest);
    std::printf("  CPU: %.1f s over %.0f s = %.2f cores\n", cpu, wall, cpu / wall);
    std::printf("  active alerts %zu, rules with errors %zu, alerts sent %llu\n", firing, errors,
                static_cast<unsigned long long>(sink.count()));
    if (!firstError.empty())
        std::printf("  first error: %s\n", firstError.c_str());
    std::filesystem::remove_all(work);
    return 0;
}
