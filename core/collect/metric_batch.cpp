#include "core/collect/metric_batch.h"

#include <algorithm>
#include <cassert>

#include "core/util/go_float.h"

namespace vigil::collect {

void MetricBatch::clear() {
    m_families.clear();
    m_index.clear();
    m_current = static_cast<std::size_t>(-1);
}

void MetricBatch::family(std::string_view name, std::string_view help, MetricType type) {
    auto it = m_index.find(std::string(name));
    if (it != m_index.end()) {
        m_current = it->second;
        return;
    }
    m_current = m_families.size();
    m_families.push_back(Family{std::string(name), std::string(help), type, {}});
    m_index.emplace(std::string(name), m_current);
}

void MetricBatch::add(std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
                      double value) {
    std::vector<model::Label> list;
    list.reserve(labels.size());
    for (const auto& [name, v] : labels)
        list.push_back(model::Label{std::string(name), std::string(v)});
    add(std::move(list), value);
}

void MetricBatch::add(std::vector<model::Label> labels, double value) {
    assert(m_current < m_families.size() && "MetricBatch::add before family()");
    std::sort(labels.begin(), labels.end(),
              [](const model::Label& a, const model::Label& b) { return a.name < b.name; });
    m_families[m_current].samples.push_back(Sample{std::move(labels), value});
}

void MetricBatch::single(std::string_view name, std::string_view help, MetricType type,
                         double value) {
    family(name, help, type);
    add(value);
}

std::size_t MetricBatch::sampleCount() const {
    std::size_t n = 0;
    for (const Family& f : m_families)
        n += f.samples.size();
    return n;
}

std::string_view metricTypeName(MetricType type) {
    return type == MetricType::kCounter ? "counter" : "gauge";
}

namespace {

void appendEscapedHelp(std::string& out, std::string_view help) {
    for (char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
}

}  // namespace

std::string MetricBatch::renderText() const {
    std::vector<const Family*> order;
    order.reserve(m_families.size());
    for (const Family& f : m_families)
        order.push_back(&f);
    std::sort(order.begin(), order.end(),
              [](const Family* a, const Family* b) { return a->name < b->name; });

    std::string out;
    std::vector<const Sample*> samples;
    for (const Family* f : order) {
        if (f->samples.empty())
            continue;
        out += "# HELP ";
        out += f->name;
        out += ' ';
        appendEscapedHelp(out, f->help);
        out += "\n# TYPE ";
        out += f->name;
        out += ' ';
        out += metricTypeName(f->type);
        out += '\n';
        samples.clear();
        for (const Sample& s : f->samples)
            samples.push_back(&s);
        std::sort(samples.begin(), samples.end(),
                  [](const Sample* a, const Sample* b) { return a->labels < b->labels; });
        for (const Sample* s : samples) {
            out += f->name;
            if (!s->labels.empty()) {
                out += '{';
                for (std::size_t i = 0; i < s->labels.size(); ++i) {
                    if (i)
                        out += ',';
                    out += s->labels[i].name;
                    out += "=\"";
                    out += model::escapeLabelValue(s->labels[i].value);
                    out += '"';
                }
                out += '}';
            }
            out += ' ';
            appendFloatG(out, s->value);
            out += '\n';
        }
    }
    return out;
}

}  // namespace vigil::collect
