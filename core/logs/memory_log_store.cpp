#include "core/logs/memory_log_store.h"

#include <algorithm>
#include <set>

namespace vigil::logs {

LogWriter::PushResult MemoryLogStore::push(const std::vector<LogStream>& streams) {
    PushResult result;
    std::lock_guard lock(m_mutex);
    for (const LogStream& stream : streams) {
        std::vector<LogEntry>& entries = m_streams[stream.labels];
        for (const LogEntry& entry : stream.entries) {
            // upper_bound keeps insertion order among equal timestamps.
            auto pos =
                std::upper_bound(entries.begin(), entries.end(), entry.tsNs,
                                 [](TimestampNs ts, const LogEntry& e) { return ts < e.tsNs; });
            entries.insert(pos, entry);
            ++result.accepted;
        }
    }
    return result;
}

void MemoryLogStore::clear() {
    std::lock_guard lock(m_mutex);
    m_streams.clear();
}

bool MemoryLogStore::hasDataIn(const std::vector<LogEntry>& entries, TimestampNs startNs,
                               TimestampNs endNs) {
    auto it = std::lower_bound(entries.begin(), entries.end(), startNs,
                               [](const LogEntry& e, TimestampNs ts) { return e.tsNs < ts; });
    return it != entries.end() && it->tsNs < endNs;
}

Status MemoryLogStore::select(const LogSelectParams& params, StreamVisitor& visitor) const {
    std::lock_guard lock(m_mutex);
    auto* withMetadata = dynamic_cast<MetadataStreamVisitor*>(&visitor);
    for (const auto& [labels, entries] : m_streams) {
        if (!model::matchesAll(params.matchers, labels))
            continue;
        if (!hasDataIn(entries, params.startNs, params.endNs))
            continue;
        if (!visitor.beginStream(labels))
            continue;
        auto first =
            std::lower_bound(entries.begin(), entries.end(), params.startNs,
                             [](const LogEntry& e, TimestampNs ts) { return e.tsNs < ts; });
        auto last = std::lower_bound(first, entries.end(), params.endNs,
                                     [](const LogEntry& e, TimestampNs ts) { return e.tsNs < ts; });
        auto send = [&](const LogEntry& e) {
            return withMetadata
                       ? withMetadata->entryWithMetadata(e.tsNs, e.line, e.structuredMetadata)
                       : visitor.entry(e.tsNs, e.line);
        };
        if (params.direction == Direction::kForward) {
            for (auto it = first; it != last; ++it)
                if (!send(*it))
                    break;
        } else {
            for (auto it = last; it != first;)
                if (!send(*--it))
                    break;
        }
        visitor.endStream();
    }
    return Status::ok();
}

Result<std::vector<std::string>> MemoryLogStore::labelNames(TimestampNs startNs,
                                                            TimestampNs endNs) const {
    std::lock_guard lock(m_mutex);
    std::set<std::string> names;
    for (const auto& [labels, entries] : m_streams) {
        if (!hasDataIn(entries, startNs, endNs))
            continue;
        for (const auto& l : labels)
            names.insert(l.name);
    }
    return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<std::string>> MemoryLogStore::labelValues(
    const std::string& name, const std::vector<model::Matcher>& matchers, TimestampNs startNs,
    TimestampNs endNs) const {
    std::lock_guard lock(m_mutex);
    std::set<std::string> values;
    for (const auto& [labels, entries] : m_streams) {
        if (!model::matchesAll(matchers, labels) || !hasDataIn(entries, startNs, endNs))
            continue;
        std::string_view v = labels.get(name);
        if (!v.empty())
            values.emplace(v);
    }
    return std::vector<std::string>(values.begin(), values.end());
}

Result<std::vector<model::Labels>> MemoryLogStore::series(
    const std::vector<model::Matcher>& matchers, TimestampNs startNs, TimestampNs endNs) const {
    std::lock_guard lock(m_mutex);
    std::vector<model::Labels> out;
    for (const auto& [labels, entries] : m_streams)
        if (model::matchesAll(matchers, labels) && hasDataIn(entries, startNs, endNs))
            out.push_back(labels);
    return out;
}

}  // namespace vigil::logs
