// The file tailer's benchmarks (issue 7):
//   bench_log_tailer ingest FILE STORE_DIR [PRESET]
//     tails FILE from offset 0 into a fresh LogStore (WAL on, one thread)
//     until its end, through the bundled pipeline PRESET when given; prints
//     lines/s and MB/s (target >= 300k lines/s).
//   bench_log_tailer latency DIR [N]
//     runs the TailerService on DIR/app.log (poll period 250 ms, inotify on),
//     appends N lines carrying their write time, and polls the store until
//     each is visible; prints the median and p99 of append-to-store latency.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/logs/pipeline/presets.h"
#include "core/logs/store/log_store.h"
#include "core/logs/tail/tailer.h"
#include "core/logs/tail/tailer_service.h"

using namespace vigil;
using namespace vigil::logs;
using Clock = std::chrono::steady_clock;

namespace {

tail::TailerOptions optionsFor(const std::string& glob, const std::string& positions,
                               const std::string& preset = {}) {
    tail::TailerOptions options;
    options.positionsFile = positions;
    config::LogScrapeConfig job;
    job.jobName = "bench";
    config::LogStaticConfig target;
    target.labels["job"] = "bench";
    target.labels["__path__"] = glob;
    job.staticConfigs.push_back(target);
    if (!preset.empty()) {
        auto text = pipeline::presetText(preset);
        if (!text.isOk()) {
            std::fprintf(stderr, "%s\n", text.status().message().c_str());
            std::exit(2);
        }
        const YAML::Node root = YAML::Load(*text);
        job.pipelineStages = root.IsMap() ? root["pipeline_stages"] : root;
        job.pipelinePath = "preset " + preset;
    }
    options.config.scrapeConfigs.push_back(job);
    return options;
}

int ingest(const std::string& file, const std::string& dir, const std::string& preset) {
    if (file.empty() || file.front() != '/') {
        std::fprintf(stderr, "FILE must be an absolute path (the tailer takes absolute globs)\n");
        return 2;
    }
    std::filesystem::remove_all(dir);
    store::LogStoreOptions storeOptions;
    auto opened = store::LogStore::open(Env::posix(), dir, storeOptions, nullptr);
    if (!opened) {
        std::fprintf(stderr, "%s\n", opened.status().message().c_str());
        return 1;
    }
    auto& store = *opened.value();
    const std::uint64_t bytes = std::filesystem::file_size(file);
    tail::Tailer tailer(optionsFor(file, dir + "/positions.yaml", preset), store);
    if (Status s = tailer.open(); !s.isOk()) {
        std::fprintf(stderr, "%s\n", s.message().c_str());
        return 1;
    }
    const auto start = Clock::now();
    const std::clock_t cpu0 = std::clock();
    while (tailer.poll(true) > 0) {
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
    const std::uint64_t lines = tailer.linesRead();
    (void)tailer.close();
    std::printf(
        "tailer ingest%s%s: %llu lines, %.1f MB in %.2f s wall (%.2f s CPU): %.0f lines/s, "
        "%.1f MB/s; dropped %llu\n",
        preset.empty() ? "" : " through the preset ", preset.c_str(),
        static_cast<unsigned long long>(lines), bytes / 1e6, seconds, cpu, lines / seconds,
        bytes / 1e6 / seconds, static_cast<unsigned long long>(tailer.droppedEntries()));
    (void)store.close();
    return 0;
}

class Find final : public StreamVisitor {
public:
    bool beginStream(const model::Labels&) override { return true; }
    bool entry(TimestampNs, std::string_view) override {
        ++count;
        return true;
    }
    std::size_t count = 0;
};

int latency(const std::string& dir, int n) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto opened = store::LogStore::open(Env::posix(), dir + "/store", {}, nullptr);
    if (!opened) {
        std::fprintf(stderr, "%s\n", opened.status().message().c_str());
        return 1;
    }
    auto& store = *opened.value();
    const std::string log = dir + "/app.log";
    std::ofstream(log).flush();
    tail::TailerService service(optionsFor(log, dir + "/positions.yaml"), store);
    if (Status s = service.start(); !s.isOk()) {
        std::fprintf(stderr, "%s\n", s.message().c_str());
        return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    LogSelectParams params;
    params.matchers.push_back(*model::Matcher::make(model::MatchType::kEqual, "job", "bench"));
    params.endNs = INT64_MAX;
    std::vector<double> ms;
    std::ofstream out(log, std::ios::app);
    for (int i = 0; i < n; ++i) {
        const auto start = Clock::now();
        out << "bench line " << i << " written at "
            << std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch())
                   .count()
            << '\n';
        out.flush();
        for (;;) {
            Find find;
            (void)store.select(params, find);
            if (find.count >= static_cast<std::size_t>(i + 1))
                break;
            if (Clock::now() - start > std::chrono::seconds(5)) {
                std::fprintf(stderr, "line %d not stored after 5 s\n", i);
                return 1;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a paced writer
    }
    service.stop();
    std::sort(ms.begin(), ms.end());
    std::printf(
        "append-to-store latency over %d lines: median %.2f ms, p99 %.2f ms, max %.2f ms "
        "(poll period 250 ms)\n",
        n, ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back());
    (void)store.close();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 4 && std::strcmp(argv[1], "ingest") == 0)
        return ingest(argv[2], argv[3], argc >= 5 ? argv[4] : "");
    if (argc >= 3 && std::strcmp(argv[1], "latency") == 0)
        return latency(argv[2], argc >= 4 ? std::atoi(argv[3]) : 500);
    std::fprintf(stderr,
                 "usage: bench_log_tailer ingest FILE STORE_DIR\n"
                 "       bench_log_tailer latency DIR [N]\n");
    return 2;
}
