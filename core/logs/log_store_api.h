#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/model/matcher.h"
#include "core/util/status.h"

namespace vigil::logs {

// The seams between the log store (core/logs/store), its writers (the file
// tailer, the Loki push receiver, `vigilctl logs import`) and its readers
// (the LogQL engine in core/logs/logql, the Loki query API, the live tail).
// Timestamps are nanoseconds since the epoch, as in Loki.

using TimestampNs = std::int64_t;

struct LogEntry {
    TimestampNs tsNs = 0;
    std::string line;
    // Loki 2.9+ structured metadata; empty for most sources.
    model::Labels structuredMetadata;
};

struct LogStream {
    model::Labels labels;
    std::vector<LogEntry> entries;  // ascending time
};

enum class Direction : std::uint8_t { kForward, kBackward };

// Receives a select()'s result one stream at a time. Streams come in label
// order; within a stream, entries come in the select's direction. Returning
// false from entry() stops the current stream early (limit reached);
// returning false from beginStream() skips that stream.
class StreamVisitor {
public:
    virtual ~StreamVisitor() = default;
    virtual bool beginStream(const model::Labels& labels) = 0;
    // `line` is valid only during the call.
    virtual bool entry(TimestampNs tsNs, std::string_view line) = 0;
    virtual void endStream() {}
};

struct LogSelectParams {
    std::vector<model::Matcher> matchers;  // the stream selector
    TimestampNs startNs = 0;               // inclusive
    TimestampNs endNs = 0;                 // exclusive, as Loki's end
    Direction direction = Direction::kForward;
};

// A read view of the log store. Thread-safe.
class LogReader {
public:
    virtual ~LogReader() = default;
    virtual Status select(const LogSelectParams& params, StreamVisitor& visitor) const = 0;
    // Label names / values of streams with data in [startNs, endNs), sorted
    // and unique. `matchers` may be empty (every stream).
    virtual Result<std::vector<std::string>> labelNames(TimestampNs startNs,
                                                        TimestampNs endNs) const = 0;
    virtual Result<std::vector<std::string>> labelValues(
        const std::string& name, const std::vector<model::Matcher>& matchers, TimestampNs startNs,
        TimestampNs endNs) const = 0;
    virtual Result<std::vector<model::Labels>> series(const std::vector<model::Matcher>& matchers,
                                                      TimestampNs startNs,
                                                      TimestampNs endNs) const = 0;
};

// Why the store refused an entry or a stream; each reason is counted in
// /metrics (vigil_logs_discarded_entries_total{reason=...}) and reported to
// the sender (the push receiver turns them into Loki's 400/429 answers).
enum class LogRejection : std::uint8_t {
    kNone,
    kTooOld,  // older than the retention or the reject_old_samples window
    kTooFarInFuture,
    kOutOfOrder,  // only when the store is set to refuse them
    kLineTooLong,
    kStreamLimit,  // the cardinality guard: too many active streams
    kLabelValueTooLong,
    kLabelNameInvalid,
    kRateLimited,
};

// Writes to the log store. Thread-safe; push() is all-or-nothing per stream
// entry: accepted entries are durable (WAL) when it returns.
class LogWriter {
public:
    virtual ~LogWriter() = default;
    struct PushResult {
        std::size_t accepted = 0;
        std::size_t rejected = 0;
        LogRejection firstRejection = LogRejection::kNone;
        std::string firstError;  // user-facing, names the stream and the entry
    };
    virtual PushResult push(const std::vector<LogStream>& streams) = 0;
};

}  // namespace vigil::logs
