#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/model/labels.h"
#include "core/model/matcher.h"
#include "core/model/sample.h"
#include "core/util/status.h"

namespace vigil::model {

// The two seams every reader and writer of metrics goes through, as in
// Prometheus's storage/interface.go: the PromQL engine queries any Querier
// (the local TSDB, a remote Prometheus-compatible API, an in-memory test
// store); collectors and receivers write through an Appender.

// Iterates one series' samples in increasing time order.
// Not thread-safe; one iterator is used by one thread.
class SampleIterator {
public:
    virtual ~SampleIterator() = default;
    // Advances to the next sample; false at the end or on error (see status()).
    virtual bool next() = 0;
    // Advances to the first sample with timestamp >= t (never backwards);
    // false when there is none.
    virtual bool seek(Timestamp t) = 0;
    // REQUIRES: the last next()/seek() returned true.
    virtual Sample at() const = 0;
    virtual Status status() const { return Status::ok(); }
};

// The series a select() found, in label order. Not thread-safe.
class SeriesSet {
public:
    virtual ~SeriesSet() = default;
    virtual bool next() = 0;
    // REQUIRES: the last next() returned true. Valid until the next call.
    virtual const Labels& labels() const = 0;
    // A new iterator over the current series' samples within the select's
    // [mint, maxt].
    virtual std::unique_ptr<SampleIterator> iterator() const = 0;
    virtual Status status() const { return Status::ok(); }
};

// Hints a querier may use to read less (Prometheus's SelectHints).
struct SelectHints {
    Timestamp start = kMinTimestamp;  // the query's own range, before lookback
    Timestamp end = kMaxTimestamp;
    std::int64_t stepMs = 0;
    std::string function;  // "series" when only labels are needed
};

// A read view of storage over [mint, maxt]. Queriers from the TSDB see a
// consistent state: appends that commit after the querier was opened may or
// may not be visible, but a series is never seen half-written.
// Thread-safe for concurrent select() calls unless an implementation says
// otherwise.
class Querier {
public:
    virtual ~Querier() = default;
    // Series matching every matcher (Prometheus semantics: an absent label
    // is ""), sorted by labels. At least one matcher must not match "".
    virtual Result<std::unique_ptr<SeriesSet>> select(const std::vector<Matcher>& matchers,
                                                      const SelectHints& hints = {}) = 0;
    // Label names (sorted, unique) of series matching `matchers` (all series
    // when empty).
    virtual Result<std::vector<std::string>> labelNames(const std::vector<Matcher>& matchers) = 0;
    // Values (sorted, unique) of `name` among series matching `matchers`.
    virtual Result<std::vector<std::string>> labelValues(const std::string& name,
                                                         const std::vector<Matcher>& matchers) = 0;
};

// Why a sample was refused; each reason is counted in /metrics.
enum class AppendError : std::uint8_t {
    kNone,
    kOutOfOrder,   // older than the series' newest sample (and outside the out-of-order window)
    kDuplicate,    // same timestamp, different value
    kOutOfBounds,  // older than the head's lower bound (data already cut into blocks)
    kTooOld,       // outside the retention
};
const char* appendErrorName(AppendError error);

// Batches writes. Appended samples become visible to queriers at commit().
// One Appender is used by one thread; many Appenders may be used at once.
class Appender {
public:
    virtual ~Appender() = default;
    // Adds a sample to the batch. A refused sample is reported here and
    // counted; the rest of the batch is unaffected.
    virtual AppendError append(const Labels& labels, Timestamp t, double v) = 0;
    // Makes the batch durable (written to the WAL) and visible.
    virtual Status commit() = 0;
    virtual void rollback() = 0;
};

// Something that can be both read and written.
class Storage {
public:
    virtual ~Storage() = default;
    virtual std::unique_ptr<Querier> querier(Timestamp mint, Timestamp maxt) = 0;
    virtual std::unique_ptr<Appender> appender() = 0;
};

}  // namespace vigil::model
