// Scrape manager CPU cost: N targets scraped every interval, each page parsed,
// labelled and appended. Prints the process CPU time (user + system, every
// thread: scheduler, HTTP, workers) as a percentage of one core over the
// measured intervals, after one warm-up interval (first scrapes build the
// label caches).
//
// --storage null   : a counting Appender (the scrape manager's own cost)
// --storage memory : model::InMemoryStorage (adds the reference store's cost,
//                    which copies every label set and sample vector)
//
// Usage: bench_scrape_manager --address 127.0.0.1:PORT [--targets 1000]
//        [--interval-s 15] [--intervals 4] [--storage null|memory] [--workers 2]

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "core/instrument/metric_registry.h"
#include "core/model/in_memory_storage.h"
#include "core/scrape/scrape_manager.h"

using namespace vigil;

namespace {

// Counts samples; stores nothing.
class CountingStorage : public model::Storage {
public:
    std::unique_ptr<model::Querier> querier(model::Timestamp mint, model::Timestamp maxt) override {
        return m_empty.querier(mint, maxt);
    }
    std::unique_ptr<model::Appender> appender() override {
        return std::make_unique<CountingAppender>(m_samples);
    }
    std::uint64_t samples() const { return m_samples.load(); }

private:
    class CountingAppender : public model::Appender {
    public:
        explicit CountingAppender(std::atomic<std::uint64_t>& total) : m_total(total) {}
        model::AppendError append(const model::Labels&, model::Timestamp, double) override {
            ++m_pending;
            return model::AppendError::kNone;
        }
        Status commit() override {
            m_total.fetch_add(m_pending);
            m_pending = 0;
            return Status::ok();
        }
        void rollback() override { m_pending = 0; }

    private:
        std::atomic<std::uint64_t>& m_total;
        std::uint64_t m_pending = 0;
    };
    model::InMemoryStorage m_empty;
    std::atomic<std::uint64_t> m_samples{0};
};

double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double counterValue(const std::string& text, const std::string& name) {
    double total = 0;
    std::size_t pos = 0;
    while ((pos = text.find(name, pos)) != std::string::npos) {
        if (pos == 0 || text[pos - 1] == '\n') {
            const std::size_t space = text.find(' ', pos);
            const std::size_t end = text.find('\n', space);
            total += std::strtod(text.substr(space + 1, end - space - 1).c_str(), nullptr);
        }
        pos += name.size();
    }
    return total;
}

}  // namespace

int main(int argc, char** argv) {
    std::string address;
    int targets = 1000;
    int intervalSeconds = 15;
    int intervals = 4;
    int workers = 2;
    std::string storageKind = "null";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--address")
            address = value;
        else if (flag == "--targets")
            targets = std::atoi(value.c_str());
        else if (flag == "--interval-s")
            intervalSeconds = std::atoi(value.c_str());
        else if (flag == "--intervals")
            intervals = std::atoi(value.c_str());
        else if (flag == "--storage")
            storageKind = value;
        else if (flag == "--workers")
            workers = std::atoi(value.c_str());
        else {
            std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
            return 2;
        }
    }
    if (address.empty() || targets <= 0 || intervalSeconds <= 0 || intervals <= 0 ||
        (storageKind != "null" && storageKind != "memory")) {
        std::fprintf(stderr,
                     "usage: bench_scrape_manager --address HOST:PORT [--targets N] "
                     "[--interval-s S] [--intervals N] [--storage null|memory] [--workers N]\n");
        return 2;
    }

    // One static group per target: the same page, told apart by a label, as
    // 1,000 distinct node_exporters would be.
    config::ScrapeConfig job;
    job.jobName = "bench";
    job.scrapeInterval = std::chrono::seconds(intervalSeconds);
    job.scrapeTimeout = std::chrono::seconds(std::min(intervalSeconds, 10));
    for (int i = 0; i < targets; ++i) {
        config::StaticConfig group;
        group.targets = {address};
        group.labels = model::Labels{{"shard", std::to_string(i)}};
        job.staticConfigs.push_back(std::move(group));
    }

    CountingStorage counting;
    model::InMemoryStorage memory;
    model::Storage& storage =
        storageKind == "null" ? static_cast<model::Storage&>(counting) : memory;
    instrument::MetricRegistry registry;
    scrape::ScrapeManager::Options options;
    options.workers = static_cast<std::size_t>(workers);
    scrape::ScrapeManager manager(storage, registry, options);
    if (Status s = manager.applyConfig({job}); !s.isOk()) {
        std::fprintf(stderr, "config: %s\n", s.message().c_str());
        return 1;
    }
    const double cpu0 = cpuSeconds();
    if (Status s = manager.start(); !s.isOk()) {
        std::fprintf(stderr, "start: %s\n", s.message().c_str());
        return 1;
    }
    const auto interval = std::chrono::seconds(intervalSeconds);
    std::this_thread::sleep_for(interval);
    const double cpu1 = cpuSeconds();
    const double appended1 = counterValue(registry.render(), "vigil_scrape_samples_appended_total");
    const double scrapes1 = counterValue(registry.render(), "vigil_scrapes_total");
    const double failures1 = counterValue(registry.render(), "vigil_scrape_failures_total");
    const auto t1 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(interval * intervals);
    const double cpu2 = cpuSeconds();
    const auto t2 = std::chrono::steady_clock::now();
    const std::string metrics = registry.render();
    manager.stop();

    const double wall = std::chrono::duration<double>(t2 - t1).count();
    const double appended =
        counterValue(metrics, "vigil_scrape_samples_appended_total") - appended1;
    const double scrapes = counterValue(metrics, "vigil_scrapes_total") - scrapes1;
    const double failures = counterValue(metrics, "vigil_scrape_failures_total") - failures1;
    std::printf("storage=%s targets=%d interval=%ds workers=%d\n", storageKind.c_str(), targets,
                intervalSeconds, workers);
    std::printf("warm-up interval: cpu %.2f s (%.1f%% of one core)\n", cpu1 - cpu0,
                100.0 * (cpu1 - cpu0) / intervalSeconds);
    std::printf(
        "measured %.1f s: %.0f scrapes (%.0f failed), %.0f samples appended (%.0f samples/s)\n",
        wall, scrapes, failures, appended, appended / wall);
    std::printf("CPU: %.2f s = %.1f%% of one core (target: under 50%%)\n", cpu2 - cpu1,
                100.0 * (cpu2 - cpu1) / wall);
    return failures > 0 ? 1 : 0;
}
