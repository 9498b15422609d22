#include "core/model/labels.h"

#include <algorithm>

namespace vigil::model {

Labels::Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
    std::vector<Label> labels;
    labels.reserve(pairs.size());
    for (const auto& [name, value] : pairs)
        labels.push_back({std::string(name), std::string(value)});
    *this = fromUnsorted(std::move(labels));
}

Labels Labels::fromUnsorted(std::vector<Label> labels) {
    // stable_sort keeps the input order among equal names, so "last wins" is
    // the last of each run.
    std::stable_sort(labels.begin(), labels.end(),
                     [](const Label& a, const Label& b) { return a.name < b.name; });
    std::vector<Label> out;
    out.reserve(labels.size());
    for (auto& label : labels) {
        if (!out.empty() && out.back().name == label.name) {
            out.back().value = std::move(label.value);
        } else {
            out.push_back(std::move(label));
        }
    }
    std::erase_if(out, [](const Label& l) { return l.value.empty(); });
    Labels result;
    result.m_labels = std::move(out);
    return result;
}

Labels Labels::fromSorted(std::vector<Label> labels) {
    Labels result;
    result.m_labels = std::move(labels);
    return result;
}

std::string_view Labels::get(std::string_view name) const {
    auto it = std::lower_bound(m_labels.begin(), m_labels.end(), name,
                               [](const Label& l, std::string_view n) { return l.name < n; });
    if (it != m_labels.end() && it->name == name)
        return it->value;
    return {};
}

bool Labels::has(std::string_view name) const {
    return !get(name).empty();
}

Labels Labels::without(std::initializer_list<std::string_view> names) const {
    Labels result;
    for (const auto& label : m_labels) {
        if (std::find(names.begin(), names.end(), label.name) == names.end()) {
            result.m_labels.push_back(label);
        }
    }
    return result;
}

Labels Labels::without(const std::vector<std::string>& names) const {
    Labels result;
    for (const auto& label : m_labels) {
        if (std::find(names.begin(), names.end(), label.name) == names.end()) {
            result.m_labels.push_back(label);
        }
    }
    return result;
}

Labels Labels::keepOnly(const std::vector<std::string>& names) const {
    Labels result;
    for (const auto& label : m_labels) {
        if (std::find(names.begin(), names.end(), label.name) != names.end()) {
            result.m_labels.push_back(label);
        }
    }
    return result;
}

std::uint64_t hashBytes(std::string_view bytes, std::uint64_t seed) {
    std::uint64_t h = seed ^ 0xcbf29ce484222325ULL;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    // Final avalanche (splitmix64) so that short, similar strings spread.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

std::uint64_t Labels::hash() const {
    std::uint64_t h = 0;
    for (const auto& label : m_labels) {
        h = hashBytes(label.name, h);
        h = hashBytes(label.value, h ^ 0xff);
    }
    return h;
}

std::string escapeLabelValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string Labels::toString() const {
    std::string out(metricName());
    if (!out.empty() && m_labels.size() == 1)
        return out;
    out += '{';
    bool first = true;
    for (const auto& label : m_labels) {
        if (label.name == kMetricName)
            continue;
        if (!first)
            out += ", ";
        first = false;
        out += label.name;
        out += "=\"";
        out += escapeLabelValue(label.value);
        out += '"';
    }
    out += '}';
    return out;
}

void LabelsBuilder::reset(const Labels& base) {
    m_labels = base.list();
}

LabelsBuilder& LabelsBuilder::set(std::string_view name, std::string_view value) {
    for (auto& label : m_labels) {
        if (label.name == name) {
            label.value = std::string(value);
            return *this;
        }
    }
    m_labels.push_back({std::string(name), std::string(value)});
    return *this;
}

LabelsBuilder& LabelsBuilder::del(std::string_view name) {
    std::erase_if(m_labels, [&](const Label& l) { return l.name == name; });
    return *this;
}

std::string_view LabelsBuilder::get(std::string_view name) const {
    for (const auto& label : m_labels) {
        if (label.name == name)
            return label.value;
    }
    return {};
}

Labels LabelsBuilder::labels() const {
    return Labels::fromUnsorted(m_labels);
}

}  // namespace vigil::model
