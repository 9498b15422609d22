#pragma once

#include <map>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/logs/log_store_api.h"

namespace vigil::logs {

// A StreamVisitor that also wants each entry's structured metadata. The seam's
// StreamVisitor::entry() carries only the line; readers that keep metadata
// (MemoryLogStore, and any store that chooses to) check for this interface
// with dynamic_cast and call entryWithMetadata() instead of entry().
class MetadataStreamVisitor : public StreamVisitor {
public:
    virtual bool entryWithMetadata(TimestampNs tsNs, std::string_view line,
                                   const model::Labels& structuredMetadata) = 0;
    bool entry(TimestampNs tsNs, std::string_view line) override {
        return entryWithMetadata(tsNs, line, model::Labels());
    }
};

// A complete, simple in-memory log store: the reference LogReader/LogWriter
// for tests, the .logqltest runner and the Loki API tests. Entries of a
// stream are kept sorted by time (stable for equal timestamps: insertion
// order). Accepts everything (no limits). Thread-safe: one mutex.
class MemoryLogStore final : public LogReader, public LogWriter {
public:
    PushResult push(const std::vector<LogStream>& streams) override;
    void clear();

    Status select(const LogSelectParams& params, StreamVisitor& visitor) const override;
    Result<std::vector<std::string>> labelNames(TimestampNs startNs,
                                                TimestampNs endNs) const override;
    Result<std::vector<std::string>> labelValues(const std::string& name,
                                                 const std::vector<model::Matcher>& matchers,
                                                 TimestampNs startNs,
                                                 TimestampNs endNs) const override;
    Result<std::vector<model::Labels>> series(const std::vector<model::Matcher>& matchers,
                                              TimestampNs startNs,
                                              TimestampNs endNs) const override;

private:
    // True when the stream has an entry in [startNs, endNs).
    static bool hasDataIn(const std::vector<LogEntry>& entries, TimestampNs startNs,
                          TimestampNs endNs);

    mutable std::mutex m_mutex;
    std::map<model::Labels, std::vector<LogEntry>> m_streams;  // label order
};

}  // namespace vigil::logs
