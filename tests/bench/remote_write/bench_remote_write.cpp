// Decodes remote write requests shaped like Prometheus sends them (batches of
// 2,000 samples: 500 series × 4 samples, node_exporter-like labels) and
// appends them through an Appender. Prints samples/s per CPU second for the
// decode alone (a counting appender) and with the in-memory reference store.

#include <snappy.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "core/model/in_memory_storage.h"
#include "core/receive/remote_write_decoder.h"
#include "remote.pb.h"

namespace {

double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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

std::string request(int batch, int seriesPerRequest, int samplesPerSeries) {
    prometheus::WriteRequest req;
    for (int s = 0; s < seriesPerRequest; ++s) {
        auto* ts = req.add_timeseries();
        const std::pair<const char*, std::string> labels[] = {
            {"__name__", "node_cpu_seconds_total"},
            {"cpu", std::to_string(s % 8)},
            {"instance", "host-" + std::to_string(s / 64) + ":9100"},
            {"job", "node"},
            {"mode", "idle" + std::to_string(s % 8 / 8)},
        };
        for (const auto& [name, value] : labels) {
            auto* l = ts->add_labels();
            l->set_name(name);
            l->set_value(value);
        }
        for (int i = 0; i < samplesPerSeries; ++i) {
            auto* sample = ts->add_samples();
            sample->set_timestamp(1735689600000LL + (batch * samplesPerSeries + i) * 15000LL);
            sample->set_value(1000.0 + batch * 0.37 + i);
        }
    }
    std::string raw = req.SerializeAsString(), compressed;
    snappy::Compress(raw.data(), raw.size(), &compressed);
    return compressed;
}

}  // namespace

int main() {
    constexpr int kRequests = 500, kSeries = 500, kSamples = 4;
    std::vector<std::string> bodies;
    for (int i = 0; i < kRequests; ++i)
        bodies.push_back(request(i, kSeries, kSamples));
    const double total = double(kRequests) * kSeries * kSamples;

    CountingAppender counting;
    double t0 = cpuSeconds();
    for (const auto& body : bodies)
        (void)vigil::receive::decodeRemoteWrite(body, 256 << 20, counting);
    const double decodeOnly = cpuSeconds() - t0;

    vigil::model::InMemoryStorage storage;
    t0 = cpuSeconds();
    for (const auto& body : bodies) {
        auto app = storage.appender();
        (void)vigil::receive::decodeRemoteWrite(body, 256 << 20, *app);
        (void)app->commit();
    }
    const double withStore = cpuSeconds() - t0;

    std::printf("remote write: %d requests x %d samples\n", kRequests, kSeries * kSamples);
    std::printf("  decode + label sets (counting appender): %8.2f M samples/s per CPU second\n",
                total / decodeOnly / 1e6);
    std::printf("  decode + append into InMemoryStorage:    %8.2f M samples/s per CPU second\n",
                total / withStore / 1e6);
    std::printf(
        "  target: >= 1 M samples/s on one core (decode and append); the TSDB figure is in "
        "tsdb_head.sh\n");
    return 0;
}
