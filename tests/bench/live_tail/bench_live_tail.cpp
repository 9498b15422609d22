// Benchmark: live tail hub, level detection, log volume. Prints figures.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/logs/level/log_level.h"
#include "core/logs/level/log_volume.h"
#include "core/logs/live/live_tail_hub.h"
#include "core/logs/memory_log_store.h"

using namespace vigil;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string makeLine(std::size_t i) {
    static const char* kLevels[] = {"info", "info", "info", "debug", "warn", "error", "info"};
    const char* level = kLevels[i % 7];
    switch (i % 3) {
        case 0:
            return "ts=2024-01-01T00:00:00Z level=" + std::string(level) +
                   " msg=\"request handled\" path=/api/v1/items/" + std::to_string(i % 1000) +
                   " status=200 duration=" + std::to_string(i % 97) + "ms";
        case 1:
            return "{\"time\":\"2024-01-01T00:00:00Z\",\"level\":\"" + std::string(level) +
                   "\",\"msg\":\"cache refresh\",\"keys\":" + std::to_string(i % 5000) + "}";
        default:
            return "Jan  1 00:00:00 web01 nginx[1000]: " +
                   std::string(level == std::string("info") ? "GET" : level) + " /index.html " +
                   std::to_string(i);
    }
}

void benchLevels(const std::vector<std::string>& lines) {
    std::size_t counts[logs::kLogLevelCount] = {};
    const auto start = Clock::now();
    for (const auto& l : lines)
        ++counts[static_cast<int>(logs::detectLogLevelInLine(l))];
    const double s = secondsSince(start);
    std::printf(
        "level detection: %zu lines in %.3f s = %.1f ns/line (error %zu, warning %zu, "
        "info %zu, debug %zu, unknown %zu)\n",
        lines.size(), s, s * 1e9 / static_cast<double>(lines.size()), counts[1], counts[2],
        counts[3], counts[4], counts[6]);
}

void benchHub(const std::vector<std::string>& lines, const char* query, int subscribers) {
    logs::live::LiveTailOptions options;
    options.maxBufferedEntries = 1'000'000;
    options.maxBufferedBytes = 512u << 20;
    options.maxQueuedBytes = 512u << 20;
    logs::live::LiveTailHub hub(options);
    std::atomic<std::uint64_t> delivered{0}, dropped{0};
    std::vector<std::unique_ptr<logs::live::LiveTailSubscription>> subs;
    for (int i = 0; i < subscribers; ++i) {
        auto sub = hub.subscribe(query, [&](logs::live::LiveBatch&& b) {
            delivered += b.entries.size();
            dropped += b.dropped;
        });
        if (!sub.isOk()) {
            std::fprintf(stderr, "%s\n", sub.status().message().c_str());
            std::exit(1);
        }
        subs.push_back(std::move(sub.value()));
    }
    // Expected matches per subscriber, counted with a pull subscriber on a
    // separate hub would cost as much; instead wait until deliveries stop.
    constexpr std::size_t kBatch = 1000;
    const auto start = Clock::now();
    double pushSeconds = 0;
    for (std::size_t off = 0; off < lines.size(); off += kBatch) {
        logs::LogStream s;
        s.labels =
            model::Labels{{"job", "bench"}, {"host", "h" + std::to_string(off / kBatch % 8)}};
        for (std::size_t i = off; i < std::min(lines.size(), off + kBatch); ++i)
            s.entries.push_back({static_cast<std::int64_t>(i), lines[i], {}});
        const auto p = Clock::now();
        hub.offer({s});
        pushSeconds += secondsSince(p);
    }
    // Matched: every queued push went through every subscriber; then one
    // delivery interval brings the last batch.
    while (hub.stats().matchedPushes < hub.stats().offeredPushes)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const double s = secondsSince(start);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::printf(
        "hub %-45s x%-2d: %zu lines offered, %llu delivered, %llu dropped, %.3f s = "
        "%.2f M lines/s matched (all subscribers); pusher %.0f ns/line\n",
        query, subscribers, lines.size(), static_cast<unsigned long long>(delivered.load()),
        static_cast<unsigned long long>(dropped.load()), s,
        static_cast<double>(lines.size()) * subscribers / s / 1e6,
        pushSeconds * 1e9 / static_cast<double>(lines.size()));
}

void benchVolume(const std::vector<std::string>& lines) {
    logs::MemoryLogStore store;
    constexpr std::size_t kStreams = 100;
    std::vector<logs::LogStream> streams(kStreams);
    for (std::size_t i = 0; i < kStreams; ++i)
        streams[i].labels = model::Labels{{"job", "bench"}, {"stream", std::to_string(i)}};
    for (std::size_t i = 0; i < lines.size(); ++i)
        streams[i % kStreams].entries.push_back(
            {static_cast<std::int64_t>(i) * 1000, lines[i], {}});
    store.push(streams);
    const std::int64_t end = static_cast<std::int64_t>(lines.size()) * 1000;
    for (const char* q : {"{job=\"bench\"}", "{job=\"bench\"} | logfmt"}) {
        const auto start = Clock::now();
        auto v = logs::computeLogVolume(store, q, 0, end, 100);
        const double s = secondsSince(start);
        std::printf("log volume %-28s: %llu lines in %.3f s = %.2f M lines/s\n", q,
                    static_cast<unsigned long long>(v.isOk() ? v->lines : 0), s,
                    static_cast<double>(v.isOk() ? v->lines : 0) / s / 1e6);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
    std::vector<std::string> lines;
    lines.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        lines.push_back(makeLine(i));
    benchLevels(lines);
    for (int subs : {1, 8}) {
        benchHub(lines, "{job=\"bench\"}", subs);
        benchHub(lines, "{job=\"bench\"} |= \"error\"", subs);
        benchHub(lines, "{job=\"bench\"} | logfmt | level=\"error\"", subs);
    }
    benchVolume(lines);
    return 0;
}
