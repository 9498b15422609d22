// WAL replay benchmark (not a test): writes 1000 series x 1000 samples as a
// scraper would (one Samples record of 1000 samples per scrape, after one
// Series record), then times a full replay: read, checksum, decode.
// Target: replay of 1M samples in under 2 s.
//
// Usage: bench_wal_replay [--compress] [--series N] [--samples N] [--dir PATH]
// Without --dir a temporary directory is used and removed afterwards. The
// replay reads from the page cache (the files were just written): this
// measures the CPU cost of replay, not the disk.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/tsdb/record/record.h"
#include "core/tsdb/wal/wal.h"
#include "core/tsdb/wal/wal_reader.h"
#include "core/util/env.h"

using namespace vigil;
using namespace vigil::tsdb;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void die(const std::string& what, const Status& s) {
    std::fprintf(stderr, "bench_wal_replay: %s: %s\n", what.c_str(), s.message().c_str());
    std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    bool compress = false;
    int seriesCount = 1000;
    int scrapes = 1000;
    std::string dir;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--compress") {
            compress = true;
        } else if (arg == "--series" && i + 1 < argc) {
            seriesCount = std::atoi(argv[++i]);
        } else if (arg == "--samples" && i + 1 < argc) {
            scrapes = std::atoi(argv[++i]);
        } else if (arg == "--dir" && i + 1 < argc) {
            dir = argv[++i];
        } else {
            std::fprintf(stderr, "usage: %s [--compress] [--series N] [--samples N] [--dir PATH]\n",
                         argv[0]);
            return 2;
        }
    }
    bool temporary = dir.empty();
    if (temporary) {
        char tmpl[] = "/tmp/bench_wal_replay.XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) {
            std::perror("mkdtemp");
            return 1;
        }
        dir = tmpl;
    }
    Env* env = Env::posix();
    const std::string walDir = dir + "/wal";

    // Write.
    auto writeStart = Clock::now();
    {
        wal::WalOptions options;
        options.compress = compress;
        auto w = wal::Wal::open(env, walDir, options);
        if (!w)
            die("open", w.status());
        std::string buf;
        std::vector<record::RefSeries> series;
        for (int s = 0; s < seriesCount; ++s)
            series.push_back({static_cast<std::uint64_t>(s + 1),
                              model::Labels{{"__name__", "node_cpu_seconds_total"},
                                            {"cpu", std::to_string(s % 64)},
                                            {"instance", "host-" + std::to_string(s / 64)},
                                            {"mode", "user"}}});
        record::encodeSeries(series, buf);
        if (Status st = (*w)->log(buf); !st)
            die("log series", st);
        std::vector<record::RefSample> samples(static_cast<std::size_t>(seriesCount));
        const model::Timestamp t0 = 1700000000000;
        for (int scrape = 0; scrape < scrapes; ++scrape) {
            for (int s = 0; s < seriesCount; ++s) {
                // Jitter of a few ms, counters that grow: like a real scrape.
                samples[s] = {static_cast<std::uint64_t>(s + 1), t0 + scrape * 15000LL + s % 7,
                              1000.0 + scrape * 0.25 * (s % 13)};
            }
            record::encodeSamples(samples, buf);
            if (Status st = (*w)->log(buf); !st)
                die("log samples", st);
        }
        if (Status st = (*w)->close(); !st)
            die("close", st);
    }
    double writeSeconds = secondsSince(writeStart);
    std::uint64_t bytes = 0;
    auto segs = wal::listSegments(env, walDir);
    if (!segs)
        die("list", segs.status());
    for (int s : *segs)
        bytes += *env->getFileSize(wal::segmentPath(walDir, s));

    // Replay: read + decode, as the head would at start-up.
    std::uint64_t samplesRead = 0, seriesRead = 0;
    double checksum = 0;
    auto replayStart = Clock::now();
    std::vector<record::RefSample> samples;
    std::vector<record::RefSeries> series;
    auto report = wal::replayWal(env, walDir, [&](std::string_view rec) -> Status {
        switch (record::recordType(rec)) {
            case record::RecordType::kSamples: {
                samples.clear();
                if (Status s = record::decodeSamples(rec, samples); !s)
                    return s;
                samplesRead += samples.size();
                checksum += samples.back().v;
                return Status::ok();
            }
            case record::RecordType::kSeries: {
                series.clear();
                if (Status s = record::decodeSeries(rec, series); !s)
                    return s;
                seriesRead += series.size();
                return Status::ok();
            }
            default:
                return Status::corruption("unexpected record type");
        }
    });
    double replaySeconds = secondsSince(replayStart);
    if (!report)
        die("replay", report.status());

    const std::uint64_t expected = static_cast<std::uint64_t>(seriesCount) * scrapes;
    std::printf("WAL replay benchmark (%s)\n", compress ? "snappy" : "uncompressed");
    std::printf("  series %llu, samples %llu in %llu records, %d segment(s), %.1f MiB\n",
                static_cast<unsigned long long>(seriesRead),
                static_cast<unsigned long long>(samplesRead),
                static_cast<unsigned long long>(report->records), static_cast<int>(segs->size()),
                static_cast<double>(bytes) / (1024.0 * 1024.0));
    std::printf("  write : %.3f s  (%.0f samples/s)\n", writeSeconds,
                static_cast<double>(expected) / writeSeconds);
    std::printf("  replay: %.3f s  (%.0f samples/s)  %s\n", replaySeconds,
                static_cast<double>(samplesRead) / replaySeconds,
                replaySeconds < 2.0 ? "[target < 2 s: met]" : "[target < 2 s: MISSED]");
    std::printf("  (checksum %.1f)\n", checksum);

    if (temporary)
        (void)removeAll(env, dir);
    if (samplesRead != expected || !report->warnings.empty()) {
        std::fprintf(stderr, "bench_wal_replay: replayed %llu samples, expected %llu\n",
                     static_cast<unsigned long long>(samplesRead),
                     static_cast<unsigned long long>(expected));
        return 1;
    }
    return 0;
}
