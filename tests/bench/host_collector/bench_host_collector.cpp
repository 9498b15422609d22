// CPU time (whole process: the filesystem collector's statfs helper threads
// included) of one full host collection on this machine (the 11 node_exporter
// collectors on the live /proc and /sys), with and without the append path
// (labels with job/instance built for every sample, into a counting
// Appender). Prints per-collector wall time from the collector's own
// node_scrape_collector_duration_seconds, for comparison with node_exporter's.
//
// Usage: bench_host_collector [ITERATIONS]

#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "core/collect/host_collector.h"

using namespace vigil;

namespace {

double cpuSeconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double wallSeconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

class CountingAppender final : public model::Appender {
public:
    model::AppendError append(const model::Labels& labels, model::Timestamp, double) override {
        m_bytes += labels.size();
        ++m_samples;
        return model::AppendError::kNone;
    }
    Status commit() override { return Status::ok(); }
    void rollback() override {}
    std::size_t samples() const { return m_samples; }

private:
    std::size_t m_samples = 0;
    std::size_t m_bytes = 0;
};

}  // namespace

int main(int argc, char** argv) {
    const int iterations = argc > 1 ? std::atoi(argv[1]) : 500;
    auto created = collect::HostCollector::create({});
    if (!created.isOk()) {
        std::fprintf(stderr, "%s\n", created.status().message().c_str());
        return 1;
    }
    collect::HostCollector& host = *created.value();
    collect::MetricBatch batch;
    for (int i = 0; i < 20; ++i)  // warm the page cache and the batch's buffers
        host.collect(batch);

    std::map<std::string, double> perCollector;
    double cpu0 = cpuSeconds();
    double wall0 = wallSeconds();
    for (int i = 0; i < iterations; ++i) {
        host.collect(batch);
        for (const collect::CollectorOutcome& o : host.lastOutcomes())
            perCollector[o.name] += o.durationSeconds;
    }
    const double collectCpu = (cpuSeconds() - cpu0) / iterations;
    const double collectWall = (wallSeconds() - wall0) / iterations;
    const std::size_t samples = batch.sampleCount();

    CountingAppender appender;
    cpu0 = cpuSeconds();
    wall0 = wallSeconds();
    for (int i = 0; i < iterations; ++i)
        (void)host.collectInto(appender, 1000 + i);
    const double appendCpu = (cpuSeconds() - cpu0) / iterations;
    const double appendWall = (wallSeconds() - wall0) / iterations;

    std::printf("host collection (%d iterations, %zu samples per collection)\n", iterations,
                samples);
    std::printf("  collect():      %8.0f us CPU  %8.0f us wall\n", collectCpu * 1e6,
                collectWall * 1e6);
    std::printf("  collectInto():  %8.0f us CPU  %8.0f us wall  (%zu samples appended)\n",
                appendCpu * 1e6, appendWall * 1e6, appender.samples() / iterations);
    std::printf("  per collector (wall, mean):\n");
    double sum = 0;
    for (const auto& [name, seconds] : perCollector) {
        std::printf("    %-11s %8.1f us\n", name.c_str(), seconds / iterations * 1e6);
        sum += seconds / iterations;
    }
    std::printf("    %-11s %8.1f us\n", "sum", sum * 1e6);
    return 0;
}
