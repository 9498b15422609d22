#include "core/logs/pipeline/stage.h"

#include "core/model/labels.h"

namespace vigil::logs::pipeline {

StageChain::StageChain(std::vector<StagePtr> stages)
    : m_stages(std::move(stages)), m_released(m_stages.size()) {}

void StageChain::runFrom(std::size_t first, Entry entry, std::vector<Entry>& out) {
    for (std::size_t i = first; i < m_stages.size(); ++i) {
        std::vector<Entry>& released = m_released[i];
        const Verdict verdict = m_stages[i]->process(entry, released);
        if (!released.empty()) {
            // Moved out first: a later stage may not touch m_released[i], but
            // the recursion must not see a half-consumed list either.
            std::vector<Entry> batch = std::move(released);
            released.clear();
            for (Entry& e : batch)
                runFrom(i + 1, std::move(e), out);
            batch.clear();
            if (released.empty())
                released = std::move(batch);  // keep the capacity
        }
        if (verdict == Verdict::kDrop) {
            ++m_dropped;
            return;
        }
        if (verdict == Verdict::kHold)
            return;
    }
    out.push_back(std::move(entry));
}

void StageChain::flush(TimestampNs nowNs, bool all, std::vector<Entry>& out) {
    for (std::size_t i = 0; i < m_stages.size(); ++i) {
        std::vector<Entry> batch;
        m_stages[i]->flush(nowNs, all, batch);
        for (Entry& e : batch)
            runFrom(i + 1, std::move(e), out);
    }
}

std::uint64_t StageChain::dropped() const {
    std::uint64_t n = m_dropped;
    for (const auto& s : m_stages)
        n += s->nestedDropped();
    return n;
}

std::uint64_t streamKey(const Entry& entry) {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (const auto& [name, value] : entry.labels) {
        h = model::hashBytes(name, h);
        h = model::hashBytes(value, h ^ 0xff);
    }
    return h;
}

}  // namespace vigil::logs::pipeline
