#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"

namespace vigil::instrument {

// Vigil's own metrics, served at /metrics in the Prometheus text format 0.0.4.
// Updating a metric is lock-free (relaxed atomics); registering and rendering
// take the registry's mutex. References returned by the registry stay valid
// for the registry's lifetime.

class Counter {
public:
    // REQUIRES: delta >= 0.
    void inc(double delta = 1.0);
    double value() const;

private:
    std::atomic<std::uint64_t> m_bits{0};  // a double, as bits, for atomic add
};

class Gauge {
public:
    void set(double v);
    void add(double delta);
    double value() const;

private:
    std::atomic<std::uint64_t> m_bits{0};
};

class Histogram {
public:
    // REQUIRES: `upperBounds` sorted ascending, without +Inf (it is implicit).
    explicit Histogram(std::vector<double> upperBounds);
    void observe(double v);

    struct Snapshot {
        std::vector<double> upperBounds;
        std::vector<std::uint64_t> cumulativeCounts;  // one per bound, then +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    Snapshot snapshot() const;

private:
    std::vector<double> m_upperBounds;
    std::unique_ptr<std::atomic<std::uint64_t>[]> m_buckets;  // non-cumulative, +Inf last
    std::atomic<std::uint64_t> m_sumBits{0};
    std::atomic<std::uint64_t> m_count{0};
};

// Buckets for durations from a millisecond to ten seconds.
std::vector<double> defaultDurationBuckets();

enum class MetricType { kCounter, kGauge, kHistogram, kUntyped };

// Writes families in the text exposition format; used by the registry and by
// collectors that compute their values at scrape time.
class ExpositionWriter {
public:
    explicit ExpositionWriter(std::string& out) : m_out(out) {}
    void family(std::string_view name, std::string_view help, MetricType type);
    // `name` is the full sample name (with _total, _bucket, ... as applicable).
    void sample(std::string_view name, const model::Labels& labels, double value);

private:
    std::string& m_out;
};

class MetricRegistry {
public:
    MetricRegistry() = default;
    MetricRegistry(const MetricRegistry&) = delete;
    MetricRegistry& operator=(const MetricRegistry&) = delete;

    // Returns the series with these labels in the family `name`, creating the
    // family on first use. A name registered with another type is a
    // programming error (asserts in debug builds).
    Counter& counter(const std::string& name, const std::string& help,
                     const model::Labels& labels = {});
    Gauge& gauge(const std::string& name, const std::string& help,
                 const model::Labels& labels = {});
    Histogram& histogram(const std::string& name, const std::string& help,
                         std::vector<double> upperBounds, const model::Labels& labels = {});

    // A collector renders families computed at scrape time (process metrics).
    // It runs on the thread that renders, with the registry's mutex held.
    using Collector = std::function<void(ExpositionWriter&)>;
    void addCollector(Collector collector);

    // The whole registry in the text format, families sorted by name.
    std::string render() const;

private:
    struct Family {
        std::string help;
        MetricType type = MetricType::kUntyped;
        std::map<model::Labels, std::unique_ptr<Counter>> counters;
        std::map<model::Labels, std::unique_ptr<Gauge>> gauges;
        std::map<model::Labels, std::unique_ptr<Histogram>> histograms;
    };
    Family& familyFor(const std::string& name, const std::string& help, MetricType type);

    mutable std::mutex m_mutex;
    std::map<std::string, Family> m_families;  // GUARDED_BY(m_mutex)
    std::vector<Collector> m_collectors;       // GUARDED_BY(m_mutex)
};

}  // namespace vigil::instrument
