// TSDB head benchmarks (not a test): prints figures.
//
//   append      samples/s through HeadAppender from 1 and 2 threads, each
//               thread a "scrape target" committing one batch per scrape,
//               with the WAL on (no fsync) and off. Target: 1M samples/s
//               from two threads.
//   memory      bytes per active series: 100k series with node_exporter-like
//               labels and 130 samples each (one sealed chunk + the open
//               one): RSS delta and the head's own accounting. Target:
//               <= 1 KiB (Prometheus: ~2.7 KiB).
//   replay      Head::open replaying a WAL of 1M samples (1000 series x 1000
//               scrapes). Target: under 2 s.
//
// Usage: bench_tsdb_head [append|memory|replay|all] [--dir PATH]

#include <unistd.h>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/tsdb/head/head.h"

using namespace vigil;
using namespace vigil::tsdb;
using Clock = std::chrono::steady_clock;

namespace {

// CPU time of the whole process: the machine is shared, so wall time
// under-reports what the code can do; figures per CPU-second are stable.
double processCpuSeconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void die(const std::string& what, const Status& s) {
    std::fprintf(stderr, "bench_tsdb_head: %s: %s\n", what.c_str(), s.message().c_str());
    std::exit(1);
}

std::uint64_t rssBytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// node_exporter-like series of one host: ~1000 per host.
std::vector<model::Labels> hostSeries(int host, int count) {
    static const char* const kModes[] = {"idle",    "iowait", "irq",    "nice",
                                         "softirq", "steal",  "system", "user"};
    static const char* const kDevices[] = {"eth0", "lo", "wlan0", "docker0", "veth1a2b3c"};
    static const char* const kFamilies[] = {
        "node_network_receive_bytes_total", "node_network_transmit_bytes_total",
        "node_network_receive_packets_total", "node_network_transmit_errs_total"};
    std::vector<model::Labels> out;
    const std::string instance = "host-" + std::to_string(host) + ".example.org:9100";
    for (int i = 0; static_cast<int>(out.size()) < count; ++i) {
        switch (i % 4) {
            case 0:
                out.push_back(model::Labels::fromUnsorted({{"__name__", "node_cpu_seconds_total"},
                                                           {"cpu", std::to_string(i / 32)},
                                                           {"mode", kModes[i / 4 % 8]},
                                                           {"instance", instance},
                                                           {"job", "node"}}));
                break;
            case 1:
                out.push_back(model::Labels::fromUnsorted(
                    {{"__name__", kFamilies[i / 4 % 4]},
                     {"device", kDevices[i / 16 % 5] + std::to_string(i / 80)},
                     {"instance", instance},
                     {"job", "node"}}));
                break;
            case 2:
                out.push_back(model::Labels::fromUnsorted(
                    {{"__name__", "node_filesystem_avail_bytes"},
                     {"device", "/dev/sda" + std::to_string(i / 4)},
                     {"fstype", i % 8 == 2 ? "ext4" : "xfs"},
                     {"mountpoint", "/mnt/data" + std::to_string(i / 4)},
                     {"instance", instance},
                     {"job", "node"}}));
                break;
            default:
                out.push_back(
                    model::Labels::fromUnsorted({{"__name__", "node_disk_io_time_seconds_total"},
                                                 {"device", "nvme" + std::to_string(i / 4) + "n1"},
                                                 {"instance", instance},
                                                 {"job", "node"}}));
                break;
        }
    }
    return out;
}

double valueAt(int series, int scrape) {
    // Counters growing by decimal steps, as node_exporter's mostly are.
    return static_cast<double>(series) * 10.0 + scrape * (series % 7 == 0 ? 0.01 : 1.0);
}

std::unique_ptr<Head> openHead(const std::string& walDir) {
    auto head = Head::open(Env::posix(), walDir, HeadOptions{});
    if (!head)
        die("open", head.status());
    return std::move(*head);
}

void benchAppend(const std::string& dir) {
    constexpr int kSeriesPerTarget = 10'000;
    constexpr int kScrapes = 120;
    for (const bool withWal : {true, false}) {
        for (const int threads : {1, 2}) {
            const std::string walDir =
                withWal ? dir + "/append_wal_" + std::to_string(threads) : "";
            auto head = openHead(walDir);
            std::vector<std::vector<model::Labels>> targets;
            for (int t = 0; t < threads; ++t)
                targets.push_back(hostSeries(t, kSeriesPerTarget));
            // Series creation is measured separately from steady-state appends.
            auto run = [&](int thread, int firstScrape, int scrapes) {
                auto app = head->appender();
                const auto& series = targets[static_cast<std::size_t>(thread)];
                for (int s = firstScrape; s < firstScrape + scrapes; ++s) {
                    const model::Timestamp ts = 1'700'000'000'000 + s * 15'000LL;
                    for (std::size_t i = 0; i < series.size(); ++i) {
                        if (app->append(series[i], ts, valueAt(static_cast<int>(i), s)) !=
                            model::AppendError::kNone)
                            die("append", Status::error("refused"));
                    }
                    if (Status st = app->commit(); !st)
                        die("commit", st);
                }
            };
            auto start = Clock::now();
            {
                std::vector<std::thread> ts;
                for (int t = 0; t < threads; ++t)
                    ts.emplace_back(run, t, 0, 1);
                for (auto& t : ts)
                    t.join();
            }
            const double create = secondsSince(start);
            start = Clock::now();
            const double cpuStart = processCpuSeconds();
            {
                std::vector<std::thread> ts;
                for (int t = 0; t < threads; ++t)
                    ts.emplace_back(run, t, 1, kScrapes);
                for (auto& t : ts)
                    t.join();
            }
            const double steady = secondsSince(start);
            const double cpu = processCpuSeconds() - cpuStart;
            const double samples = static_cast<double>(threads) * kSeriesPerTarget * kScrapes;
            std::printf(
                "append  wal=%-3s threads=%d  %d series: create %.0f series/s; steady %.2f M "
                "samples/s "
                "wall, %.2f M samples per CPU-second, %.2f CPUs busy "
                "(%.0f samples in %.3f s, commits of %d)\n",
                withWal ? "on" : "off", threads, threads * kSeriesPerTarget,
                threads * kSeriesPerTarget / create, samples / steady / 1e6, samples / cpu / 1e6,
                cpu / steady, samples, steady, kSeriesPerTarget);
        }
    }
}

void benchMemory() {
    constexpr int kHosts = 100;
    constexpr int kPerHost = 1000;
    constexpr int kScrapes = 130;
    std::vector<std::vector<model::Labels>> hosts;
    for (int h = 0; h < kHosts; ++h)
        hosts.push_back(hostSeries(h, kPerHost));
    const std::uint64_t rssBefore = rssBytes();
    auto head = openHead("");
    for (int s = 0; s < kScrapes; ++s) {
        const model::Timestamp ts = 1'700'000'000'000 + s * 15'000LL;
        for (const auto& series : hosts) {
            auto app = head->appender();
            for (std::size_t i = 0; i < series.size(); ++i)
                (void)app->append(series[i], ts, valueAt(static_cast<int>(i), s));
            if (Status st = app->commit(); !st)
                die("commit", st);
        }
    }
    const std::uint64_t rssAfter = rssBytes();
    const HeadStats st = head->stats();
    const double n = static_cast<double>(st.series);
    std::printf(
        "memory  %llu series x %d samples (%llu chunks): RSS delta %.0f B/series, "
        "head accounting %.0f B/series (%.1f MiB)\n",
        static_cast<unsigned long long>(st.series), kScrapes,
        static_cast<unsigned long long>(st.chunks), static_cast<double>(rssAfter - rssBefore) / n,
        static_cast<double>(st.memoryBytes) / n, static_cast<double>(st.memoryBytes) / 1048576.0);
}

void benchReplay(const std::string& dir) {
    constexpr int kSeries = 1000, kScrapes = 1000;
    const std::string walDir = dir + "/replay_wal";
    std::vector<model::Labels> series = hostSeries(0, kSeries);
    {
        auto head = openHead(walDir);
        auto app = head->appender();
        for (int s = 0; s < kScrapes; ++s) {
            const model::Timestamp ts = 1'700'000'000'000 + s * 15'000LL;
            for (std::size_t i = 0; i < series.size(); ++i)
                (void)app->append(series[i], ts, valueAt(static_cast<int>(i), s));
            if (Status st = app->commit(); !st)
                die("commit", st);
        }
    }
    auto start = Clock::now();
    const double cpuStart = processCpuSeconds();
    auto head = openHead(walDir);
    const double took = secondsSince(start);
    const double cpu = processCpuSeconds() - cpuStart;
    const HeadStats st = head->stats();
    std::printf(
        "replay  %llu samples of %llu series through Head::open: %.3f s wall, %.3f CPU-s "
        "(%.2f M samples per CPU-second)\n",
        static_cast<unsigned long long>(st.samples), static_cast<unsigned long long>(st.series),
        took, cpu, static_cast<double>(st.samples) / cpu / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
    std::string what = "all";
    std::string dir;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--dir" && i + 1 < argc) {
            dir = argv[++i];
        } else if (arg == "append" || arg == "memory" || arg == "replay" || arg == "all") {
            what = arg;
        } else {
            std::fprintf(stderr, "usage: %s [append|memory|replay|all] [--dir PATH]\n", argv[0]);
            return 2;
        }
    }
    const bool temporary = dir.empty();
    if (temporary) {
        char tmpl[] = "/tmp/bench_tsdb_head.XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) {
            std::perror("mkdtemp");
            return 1;
        }
        dir = tmpl;
    }
    // Memory first, in a fresh process state, so other runs do not inflate RSS.
    if (what == "memory" || what == "all")
        benchMemory();
    if (what == "append" || what == "all")
        benchAppend(dir);
    if (what == "replay" || what == "all")
        benchReplay(dir);
    if (temporary)
        (void)removeAll(Env::posix(), dir);
    return 0;
}
