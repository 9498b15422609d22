// bench_logql LINES STREAMS REPEAT: loads LINES synthetic logfmt lines spread
// over STREAMS streams and one hour into a MemoryLogStore, then times LogQL
// queries (best of REPEAT) and prints lines processed per second.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "core/logs/logql/engine.h"
#include "core/logs/memory_log_store.h"

using namespace vigil;

int main(int argc, char** argv) {
    const long lines = argc > 1 ? std::atol(argv[1]) : 1000000;
    const long streams = argc > 2 ? std::atol(argv[2]) : 100;
    const int repeat = argc > 3 ? std::atoi(argv[3]) : 3;
    constexpr std::int64_t kSec = 1000000000;
    constexpr std::int64_t kBase = 1717000000LL * kSec;
    const std::int64_t span = 3600 * kSec;

    logs::MemoryLogStore store;
    std::mt19937_64 rng(42);
    const char* levels[] = {"debug", "info", "info", "info", "warn", "error"};
    const char* methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
    const int statuses[] = {200, 200, 200, 201, 404, 500, 503};
    std::vector<logs::LogStream> batch(static_cast<std::size_t>(streams));
    for (long s = 0; s < streams; ++s)
        batch[static_cast<std::size_t>(s)].labels =
            model::Labels{{"job", "app"}, {"pod", "pod-" + std::to_string(s)}};
    for (long i = 0; i < lines; ++i) {
        std::int64_t ts = kBase + span * i / lines;
        std::string line = "ts=" + std::to_string(ts) + " level=" + levels[rng() % 6] +
                           " method=" + methods[rng() % 6] +
                           " status=" + std::to_string(statuses[rng() % 7]) +
                           " duration=" + std::to_string(rng() % 2000) +
                           "ms bytes=" + std::to_string(rng() % 100000) + " path=/api/v1/item/" +
                           std::to_string(rng() % 1000) + " msg=\"request served\"";
        batch[static_cast<std::size_t>(i % streams)].entries.push_back({ts, line, {}});
    }
    store.push(batch);
    std::printf("loaded %ld lines in %ld streams over 1h\n", lines, streams);

    logql::Engine engine(store);
    struct Case {
        const char* name;
        const char* query;
        bool log;
    };
    // Parsers extract only the labels a query needs (`| logfmt status`): a full
    // `| logfmt` would make every line its own series (ts=, path=), which Loki
    // refuses ("maximum of series reached") and which says nothing about speed.
    const Case cases[] = {
        {"count by level (line filter)",
         "sum by (level) (count_over_time({job=\"app\"} |= \"level=error\" [1m]))", false},
        {"rate of 5xx (logfmt status + label filter)",
         "sum by (status) (rate({job=\"app\"} | logfmt status | status >= 500 [5m]))", false},
        {"p99 duration by method (logfmt + unwrap duration)",
         "quantile_over_time(0.99, {job=\"app\"} | logfmt method, duration | unwrap "
         "duration(duration) "
         "[5m]) by "
         "(method)",
         false},
        {"bytes_rate by pod", "sum by (pod) (bytes_rate({job=\"app\"}[5m]))", false},
        {"count by level (full logfmt | keep level)",
         "sum by (level) (count_over_time({job=\"app\"} | logfmt | keep level [5m]))", false},
        {"log query: filter + logfmt + line_format, limit 1000",
         "{job=\"app\"} |= \"status=503\" | logfmt | line_format \"{{.method}} {{.path}}\"", true},
    };
    for (const Case& c : cases) {
        double best = 1e9;
        std::uint64_t processed = 0;
        std::size_t resultSize = 0;
        for (int r = 0; r < repeat; ++r) {
            logql::QueryParams p;
            p.startNs = c.log ? kBase : kBase + 300 * kSec;
            p.endNs = kBase + span;
            p.stepNs = c.log ? 0 : 60 * kSec;
            p.limit = 1000;
            auto t0 = std::chrono::steady_clock::now();
            auto res = engine.query(c.query, p);
            double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (!res.isOk()) {
                std::fprintf(stderr, "%s: %s\n", c.name, res.status().message().c_str());
                return 1;
            }
            best = std::min(best, secs);
            processed = res->stats.linesProcessed;
            resultSize = c.log ? res->stats.entriesReturned : res->series.size();
        }
        std::printf("%-55s %8.1f ms  %6.2f M lines/s  (%llu lines, %zu %s)\n", c.name, best * 1e3,
                    static_cast<double>(processed) / best / 1e6,
                    static_cast<unsigned long long>(processed), resultSize,
                    c.log ? "entries" : "series");
    }
    return 0;
}
