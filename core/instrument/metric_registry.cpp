#include "core/instrument/metric_registry.h"

#include <bit>
#include <cassert>
#include <cmath>

#include "core/util/go_float.h"

namespace vigil::instrument {
namespace {

void atomicAddDouble(std::atomic<std::uint64_t>& bits, double delta) {
    std::uint64_t old = bits.load(std::memory_order_relaxed);
    while (!bits.compare_exchange_weak(
        old, std::bit_cast<std::uint64_t>(std::bit_cast<double>(old) + delta),
        std::memory_order_relaxed)) {
    }
}

const char* typeName(MetricType type) {
    switch (type) {
        case MetricType::kCounter:
            return "counter";
        case MetricType::kGauge:
            return "gauge";
        case MetricType::kHistogram:
            return "histogram";
        case MetricType::kUntyped:
            return "untyped";
    }
    return "untyped";
}

void appendEscapedHelp(std::string& out, std::string_view help) {
    for (char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
}

}  // namespace

void Counter::inc(double delta) {
    assert(delta >= 0);
    atomicAddDouble(m_bits, delta);
}
double Counter::value() const {
    return std::bit_cast<double>(m_bits.load(std::memory_order_relaxed));
}

void Gauge::set(double v) {
    m_bits.store(std::bit_cast<std::uint64_t>(v), std::memory_order_relaxed);
}
void Gauge::add(double delta) {
    atomicAddDouble(m_bits, delta);
}
double Gauge::value() const {
    return std::bit_cast<double>(m_bits.load(std::memory_order_relaxed));
}

Histogram::Histogram(std::vector<double> upperBounds)
    : m_upperBounds(std::move(upperBounds)),
      m_buckets(std::make_unique<std::atomic<std::uint64_t>[]>(m_upperBounds.size() + 1)) {}

void Histogram::observe(double v) {
    std::size_t i = 0;
    while (i < m_upperBounds.size() && v > m_upperBounds[i])
        ++i;
    m_buckets[i].fetch_add(1, std::memory_order_relaxed);
    atomicAddDouble(m_sumBits, v);
    m_count.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    s.upperBounds = m_upperBounds;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= m_upperBounds.size(); ++i) {
        running += m_buckets[i].load(std::memory_order_relaxed);
        s.cumulativeCounts.push_back(running);
    }
    // Count from the buckets so that the +Inf bucket always equals _count,
    // even while observations race with the snapshot.
    s.count = running;
    s.sum = std::bit_cast<double>(m_sumBits.load(std::memory_order_relaxed));
    return s;
}

std::vector<double> defaultDurationBuckets() {
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

void ExpositionWriter::family(std::string_view name, std::string_view help, MetricType type) {
    m_out += "# HELP ";
    m_out += name;
    m_out += ' ';
    appendEscapedHelp(m_out, help);
    m_out += "\n# TYPE ";
    m_out += name;
    m_out += ' ';
    m_out += typeName(type);
    m_out += '\n';
}

void ExpositionWriter::sample(std::string_view name, const model::Labels& labels, double value) {
    m_out += name;
    if (!labels.empty()) {
        m_out += '{';
        bool first = true;
        for (const auto& label : labels) {
            if (!first)
                m_out += ',';
            first = false;
            m_out += label.name;
            m_out += "=\"";
            m_out += model::escapeLabelValue(label.value);
            m_out += '"';
        }
        m_out += '}';
    }
    m_out += ' ';
    appendFloatG(m_out, value);
    m_out += '\n';
}

MetricRegistry::Family& MetricRegistry::familyFor(const std::string& name, const std::string& help,
                                                  MetricType type) {
    auto [it, inserted] = m_families.try_emplace(name);
    if (inserted) {
        it->second.help = help;
        it->second.type = type;
    }
    assert(it->second.type == type && "metric registered twice with different types");
    return it->second;
}

Counter& MetricRegistry::counter(const std::string& name, const std::string& help,
                                 const model::Labels& labels) {
    std::lock_guard lock(m_mutex);
    auto& slot = familyFor(name, help, MetricType::kCounter).counters[labels];
    if (!slot)
        slot = std::make_unique<Counter>();
    return *slot;
}

Gauge& MetricRegistry::gauge(const std::string& name, const std::string& help,
                             const model::Labels& labels) {
    std::lock_guard lock(m_mutex);
    auto& slot = familyFor(name, help, MetricType::kGauge).gauges[labels];
    if (!slot)
        slot = std::make_unique<Gauge>();
    return *slot;
}

Histogram& MetricRegistry::histogram(const std::string& name, const std::string& help,
                                     std::vector<double> upperBounds, const model::Labels& labels) {
    std::lock_guard lock(m_mutex);
    auto& slot = familyFor(name, help, MetricType::kHistogram).histograms[labels];
    if (!slot)
        slot = std::make_unique<Histogram>(std::move(upperBounds));
    return *slot;
}

void MetricRegistry::addCollector(Collector collector) {
    std::lock_guard lock(m_mutex);
    m_collectors.push_back(std::move(collector));
}

std::string MetricRegistry::render() const {
    std::string out;
    out.reserve(8192);
    ExpositionWriter writer(out);
    std::lock_guard lock(m_mutex);
    for (const auto& collector : m_collectors)
        collector(writer);
    for (const auto& [name, family] : m_families) {
        writer.family(name, family.help, family.type);
        for (const auto& [labels, c] : family.counters)
            writer.sample(name, labels, c->value());
        for (const auto& [labels, g] : family.gauges)
            writer.sample(name, labels, g->value());
        for (const auto& [labels, h] : family.histograms) {
            const Histogram::Snapshot s = h->snapshot();
            const std::string bucketName = name + "_bucket";
            for (std::size_t i = 0; i < s.cumulativeCounts.size(); ++i) {
                model::LabelsBuilder b(labels);
                b.set("le", i < s.upperBounds.size() ? formatFloatG(s.upperBounds[i]) : "+Inf");
                writer.sample(bucketName, b.labels(), static_cast<double>(s.cumulativeCounts[i]));
            }
            writer.sample(name + "_sum", labels, s.sum);
            writer.sample(name + "_count", labels, static_cast<double>(s.count));
        }
    }
    return out;
}

}  // namespace vigil::instrument
