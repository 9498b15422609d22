#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/model/labels.h"

namespace vigil::collect {

enum class MetricType { kCounter, kGauge };

// The output of one host collection: metric families (name, HELP, TYPE) and
// their samples, before job/instance are attached. Collectors append to it;
// HostCollector turns it into appends or into the text exposition format.
//
// Label values are copied into the batch; a batch is reused across
// collections (clear() keeps the capacity). Not thread-safe.
class MetricBatch {
public:
    struct Sample {
        // Sorted by name. Empty values are kept, so that the text rendering
        // matches node_exporter's (node_disk_info{model=""}); appending
        // through model::Labels drops them (an empty label is an absent one).
        std::vector<model::Label> labels;
        double value = 0;
    };
    struct Family {
        std::string name;
        std::string help;
        MetricType type = MetricType::kGauge;
        std::vector<Sample> samples;
    };

    void clear();

    // Selects the family samples are added to, creating it on first use. A
    // family already present keeps its first HELP/TYPE.
    void family(std::string_view name, std::string_view help, MetricType type);

    // Adds a sample to the selected family.
    // REQUIRES: family() was called since clear().
    void add(std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
             double value);
    void add(std::vector<model::Label> labels, double value);
    void add(double value) { add(std::vector<model::Label>{}, value); }

    // Shorthand for family() followed by add() without labels.
    void single(std::string_view name, std::string_view help, MetricType type, double value);

    const std::vector<Family>& families() const { return m_families; }
    std::size_t sampleCount() const;

    // The families sorted by name and samples by labels, as client_golang
    // writes them, in the text format 0.0.4.
    std::string renderText() const;

private:
    std::vector<Family> m_families;
    std::unordered_map<std::string, std::size_t> m_index;
    std::size_t m_current = static_cast<std::size_t>(-1);
};

std::string_view metricTypeName(MetricType type);

}  // namespace vigil::collect
