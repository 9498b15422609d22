// Decodes remote write requests shaped like Prometheus sends them (batches of
// 2,000 samples: 500 series × 4 samples, node_exporter-like labels) and
// appends them through an Appender. Prints samples/s per CPU second for the
// decode alone (a counting appender), with the in-memory reference store and
// into a real tsdb::Db with its WAL on (what the receiver does in Vigil).
//
// Usage: bench_remote_write [--series N] [--requests N] [--samples-per-series N]
//                           [--dir DIR]
// Prometheus's own remote write sends one sample per series per request;
// --samples-per-series 1 measures that shape.

#include <snappy.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "core/model/in_memory_storage.h"
#include "core/receive/remote_write_decoder.h"
#include "core/tsdb/db/db.h"
#include "core/util/env.h"
#include "remote.pb.h"

namespace {

double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

class CountingAppender : public vigil::model::Appender {
public:
    vigil::model::AppendError append(const vigil::model::Labels&, vigil::model::Timestamp,
                                     double) override {
        ++count;
        return vigil::model::AppendError::kNone;
    }
    vigil::Status commit() override { return vigil::Status::ok(); }
    void rollback() override {}
    std::uint64_t count = 0;
};

// Request `batch` of a stream in which Prometheus sends `totalSeries`
// series, `seriesPerRequest` per request, like its queue manager's shards.
std::string request(int batch, int seriesPerRequest, int samplesPerSeries, int totalSeries) {
    prometheus::WriteRequest req;
    const int groups = totalSeries / seriesPerRequest;
    const int first = (batch % groups) * seriesPerRequest;
    const int round = batch / groups;
    for (int s = first; s < first + seriesPerRequest; ++s) {
        auto* ts = req.add_timeseries();
        const std::pair<const char*, std::string> labels[] = {
            {"__name__", "node_cpu_seconds_total"},
            {"cpu", std::to_string(s % 8)},
            {"instance", "host-" + std::to_string(s / 64) + ":9100"},
            {"job", "node"},
            {"mode", "idle" + std::to_string(s / 8 % 8)},
        };
        for (const auto& [name, value] : labels) {
            auto* l = ts->add_labels();
            l->set_name(name);
            l->set_value(value);
        }
        for (int i = 0; i < samplesPerSeries; ++i) {
            auto* sample = ts->add_samples();
            sample->set_timestamp(1735689600000LL + (round * samplesPerSeries + i) * 15000LL);
            sample->set_value(1000.0 + round * 0.37 + i * 1.25 + s);
        }
    }
    std::string raw = req.SerializeAsString(), compressed;
    snappy::Compress(raw.data(), raw.size(), &compressed);
    return compressed;
}

}  // namespace

int main(int argc, char** argv) {
    int kRequests = 1000, kTotalSeries = 50000;
    constexpr int kSeries = 500;
    int kSamples = 4;
    std::string dir;
    bool tsdbOnly = false;  // --tsdb-only: skip the other legs (for profiling)
    for (int i = 1; i < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--tsdb-only") {
            tsdbOnly = true;
            --i;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "%s needs a value\n", flag.c_str());
            return 2;
        }
        if (flag == "--series")
            kTotalSeries = std::atoi(argv[i + 1]);
        else if (flag == "--requests")
            kRequests = std::atoi(argv[i + 1]);
        else if (flag == "--samples-per-series")
            kSamples = std::atoi(argv[i + 1]);
        else if (flag == "--dir")
            dir = argv[i + 1];
        else {
            std::fprintf(stderr,
                         "usage: bench_remote_write [--series N] [--requests N] "
                         "[--samples-per-series N] [--dir DIR]\n");
            return 2;
        }
    }
    if (kTotalSeries < kSeries || kTotalSeries % kSeries != 0 || kRequests <= 0 || kSamples <= 0) {
        std::fprintf(stderr, "--series must be a multiple of %d\n", kSeries);
        return 2;
    }
    std::vector<std::string> bodies;
    for (int i = 0; i < kRequests; ++i)
        bodies.push_back(request(i, kSeries, kSamples, kTotalSeries));
    const double total = double(kRequests) * kSeries * kSamples;

    CountingAppender counting;
    double t0 = cpuSeconds();
    for (const auto& body : bodies) {
        if (tsdbOnly)
            break;
        (void)vigil::receive::decodeRemoteWrite(body, 256 << 20, counting);
    }
    const double decodeOnly = cpuSeconds() - t0;
    vigil::receive::SeriesCache countingCache;
    for (const auto& body : bodies) {  // warm: every series seen once
        if (tsdbOnly)
            break;
        (void)vigil::receive::decodeRemoteWrite(body, 256 << 20, counting, &countingCache);
    }
    t0 = cpuSeconds();
    for (const auto& body : bodies) {
        if (tsdbOnly)
            break;
        (void)vigil::receive::decodeRemoteWrite(body, 256 << 20, counting, &countingCache);
    }
    const double decodeCached = cpuSeconds() - t0;

    vigil::model::InMemoryStorage storage;
    t0 = cpuSeconds();
    for (const auto& body : bodies) {
        if (tsdbOnly)
            break;
        auto app = storage.appender();
        (void)vigil::receive::decodeRemoteWrite(body, 256 << 20, *app);
        (void)app->commit();
    }
    const double withStore = cpuSeconds() - t0;

    // The real TSDB, WAL on, as the receiver appends: one appender and one
    // commit per request. The first pass over the series creates them
    // (Prometheus's steady state has them all already), so the figure is
    // reported for the whole run and for the requests after the first round.
    if (dir.empty())
        dir = (std::filesystem::temp_directory_path() / "vigil_bench_remote_write").string();
    std::filesystem::remove_all(dir);
    auto db = vigil::tsdb::Db::open(vigil::Env::posix(), dir, vigil::tsdb::DbOptions{});
    if (!db.isOk()) {
        std::fprintf(stderr, "opening %s: %s\n", dir.c_str(), db.status().message().c_str());
        return 1;
    }
    const int firstRound = kTotalSeries / kSeries;
    double tsdbAll = 0, tsdbSteady = 0;
    std::uint64_t appended = 0, rejected = 0;
    vigil::receive::SeriesCache cache;  // as the receiver keeps one per concurrent request
    for (int i = 0; i < kRequests; ++i) {
        t0 = cpuSeconds();
        auto app = db.value()->appender();
        auto stats = vigil::receive::decodeRemoteWrite(bodies[i], 256 << 20, *app, &cache);
        (void)app->commit();
        const double spent = cpuSeconds() - t0;
        tsdbAll += spent;
        if (i >= firstRound)
            tsdbSteady += spent;
        if (stats.isOk()) {
            appended += stats.value().samples;
            rejected += stats.value().rejected;
        }
    }
    db.value().reset();
    std::filesystem::remove_all(dir);

    std::printf("remote write: %d requests x %d samples, %d distinct series\n", kRequests,
                kSeries * kSamples, kTotalSeries);
    if (!tsdbOnly) {
        std::printf("  decode + label sets (counting appender): %8.2f M samples/s per CPU second\n",
                    total / decodeOnly / 1e6);
        std::printf(
            "  ... with a warm series cache:             %8.2f M samples/s per CPU second\n",
            total / decodeCached / 1e6);
        std::printf("  decode + append into InMemoryStorage:    %8.2f M samples/s per CPU second\n",
                    total / withStore / 1e6);
    }
    std::printf(
        "  decode + append into tsdb::Db (WAL on):   %8.2f M samples/s per CPU second "
        "(all requests)\n",
        total / tsdbAll / 1e6);
    if (kRequests > firstRound) {
        const double steadySamples = double(kRequests - firstRound) * kSeries * kSamples;
        std::printf("  ... series already in the head:         %8.2f M samples/s per CPU second\n",
                    steadySamples / tsdbSteady / 1e6);
    }
    std::printf("  tsdb appended %llu, rejected %llu\n", static_cast<unsigned long long>(appended),
                static_cast<unsigned long long>(rejected));
    std::printf("  target: >= 1 M samples/s on one core (decode and append into the TSDB)\n");
    return 0;
}
