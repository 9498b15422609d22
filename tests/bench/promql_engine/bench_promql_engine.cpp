// Times the PromQL anchor queries against Vigil's engine:
//   sum by (mode) (rate(node_cpu_seconds_total[5m]))                     ~345 ms in Prometheus
//   histogram_quantile(0.99, sum by (le) (rate(<buckets>[5m])))          ~510 ms in Prometheus
// over 6h at a 60s step on SERIES series (default 10000) scraped every
// INTERVAL seconds (default 15). Data is synthetic and held in an
// InMemoryStorage, so the load phase includes that store's iterator cost.
// Usage: bench_promql_engine [SERIES] [INTERVAL_SECONDS] [REPEAT]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"

using namespace vigil;

int main(int argc, char** argv) {
    const int series = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int intervalS = argc > 2 ? std::atoi(argv[2]) : 15;
    const int repeat = argc > 3 ? std::atoi(argv[3]) : 3;
    const std::int64_t hour = 3600 * 1000;
    const std::int64_t end = 6 * hour + 10 * 60 * 1000;
    const std::int64_t start = end - 6 * hour;
    const std::int64_t first = start - 10 * 60 * 1000;
    model::InMemoryStorage storage;
    const char* modes[] = {"user", "system", "idle", "iowait", "irq", "softirq", "steal", "nice"};
    const char* les[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                         "0.5",   "1",    "2.5",   "5",    "10",  "+Inf"};
    std::size_t samples = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int s = 0; s < series; ++s) {
        const model::Labels cpu{{"__name__", "node_cpu_seconds_total"},
                                {"instance", "host-" + std::to_string(s / 80)},
                                {"cpu", std::to_string((s / 8) % 10)},
                                {"mode", modes[s % 8]}};
        const model::Labels bucket{{"__name__", "http_request_duration_seconds_bucket"},
                                   {"instance", "host-" + std::to_string(s / 12)},
                                   {"le", les[s % 12]}};
        double a = 0, b = 0;
        for (std::int64_t t = first; t <= end; t += intervalS * 1000) {
            a += 0.25 + (s % 7) * 0.01;
            b += (s % 12 + 1) * 0.5;
            storage.put(cpu, t, a);
            storage.put(bucket, t, b);
            samples += 2;
        }
    }
    const double loadS =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("loaded %zu samples in %.1fs (%d series per metric, %ds interval)\n", samples,
                loadS, series, intervalS);
    promql::EngineOptions options;
    options.workerThreads = 1;
    promql::Engine engine(options);
    auto q = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    const char* queries[] = {
        "sum by (mode) (rate(node_cpu_seconds_total[5m]))",
        "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    };
    for (const char* query : queries) {
        double best = 1e9;
        promql::QueryResult r;
        for (int i = 0; i < repeat; ++i) {
            auto t1 = std::chrono::steady_clock::now();
            r = engine.rangeQuery(*q, query, start, end, 60000);
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1)
                    .count();
            if (ms < best)
                best = ms;
            if (!r.status.isOk()) {
                std::fprintf(stderr, "%s: %s\n", query, r.status.message().c_str());
                return 1;
            }
        }
        std::printf("%-90s best of %d: %8.1f ms  (%zu series out, %llu samples loaded)\n", query,
                    repeat, best, r.value.matrix.size(),
                    static_cast<unsigned long long>(r.stats.samplesLoaded));
    }
    return 0;
}
