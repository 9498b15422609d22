#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::model {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
    std::string name;
    std::string value;

    friend bool operator==(const Label&, const Label&) = default;
    friend auto operator<=>(const Label&, const Label&) = default;
};

// An immutable label set, sorted by name with unique names: the identity of a
// series. An absent label and a label with an empty value are the same thing
// (Prometheus semantics), so empty values are never stored.
class Labels {
public:
    Labels() = default;
    Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);
    // Sorts `labels`, drops empty values; on duplicate names the last one wins.
    static Labels fromUnsorted(std::vector<Label> labels);
    // REQUIRES: `labels` is sorted by name, names unique, values non-empty.
    static Labels fromSorted(std::vector<Label> labels);

    // The value of `name`, or "" when absent.
    std::string_view get(std::string_view name) const;
    bool has(std::string_view name) const;
    std::string_view metricName() const { return get(kMetricName); }

    std::size_t size() const { return m_labels.size(); }
    bool empty() const { return m_labels.empty(); }
    auto begin() const { return m_labels.begin(); }
    auto end() const { return m_labels.end(); }
    const Label& operator[](std::size_t i) const { return m_labels[i]; }
    const std::vector<Label>& list() const { return m_labels; }

    // Copies without the given names / with only the given names.
    Labels without(std::initializer_list<std::string_view> names) const;
    Labels without(const std::vector<std::string>& names) const;
    Labels keepOnly(const std::vector<std::string>& names) const;
    Labels withoutMetricName() const { return without({kMetricName}); }

    // A stable 64-bit hash of the whole set, for maps and sharding.
    std::uint64_t hash() const;

    // Rendered as PromQL writes a series: `up{instance="a:9100", job="node"}`;
    // `up` alone when there is no other label, `{}` for the empty set.
    std::string toString() const;

    friend bool operator==(const Labels&, const Labels&) = default;
    friend bool operator<(const Labels& a, const Labels& b) { return a.m_labels < b.m_labels; }

private:
    std::vector<Label> m_labels;
};

// Builds a Labels from a base set with edits; Prometheus's labels.Builder.
class LabelsBuilder {
public:
    LabelsBuilder() = default;
    explicit LabelsBuilder(const Labels& base) { reset(base); }

    void reset(const Labels& base);
    // Setting an empty value deletes the label.
    LabelsBuilder& set(std::string_view name, std::string_view value);
    LabelsBuilder& del(std::string_view name);
    std::string_view get(std::string_view name) const;
    Labels labels() const;

private:
    std::vector<Label> m_labels;  // unsorted while editing
};

// Escapes a label value for the text exposition format and PromQL strings:
// backslash, double quote and newline.
std::string escapeLabelValue(std::string_view value);

// FNV-1a-style 64-bit hash mixing, shared by label hashing and sharding.
std::uint64_t hashBytes(std::string_view bytes, std::uint64_t seed);

}  // namespace vigil::model
