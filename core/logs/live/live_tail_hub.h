#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/logs/log_store_api.h"
#include "core/model/labels.h"
#include "core/util/status.h"

namespace vigil::logs::live {

// One live entry: the stream's labels after the query's pipeline (shared by
// the entries of a stream when the pipeline does not change them), the
// time, and the line (rewritten by line_format when the query has one).
struct LiveEntry {
    std::shared_ptr<const model::Labels> labels;
    TimestampNs tsNs = 0;
    std::string line;
};

// What a subscriber receives per delivery: the entries matched since the
// previous batch, in the order the store accepted them, and how many
// matching entries were dropped since the previous batch because the
// subscriber's buffer or the hub's queue was full (oldest first).
struct LiveBatch {
    std::vector<LiveEntry> entries;
    std::uint64_t dropped = 0;
};

struct LiveTailOptions {
    // Batches are delivered at most once per interval per subscriber (one
    // frame at 60 Hz by default).
    std::chrono::milliseconds deliveryInterval{16};
    // Per subscriber: matched entries waiting for delivery. When either
    // bound is reached the oldest entries are dropped and counted.
    std::size_t maxBufferedEntries = 10000;
    std::size_t maxBufferedBytes = 8u << 20;
    // Accepted entries waiting to be matched (all subscribers together).
    // A push that would exceed it is not queued; every subscriber whose
    // stream selector matches its streams counts the entries as dropped.
    std::size_t maxQueuedBytes = 32u << 20;
};

struct LiveTailStats {
    std::uint64_t offeredEntries = 0;  // entries queued for matching
    std::uint64_t offeredPushes = 0;   // offer() calls that queued entries
    std::uint64_t matchedPushes = 0;   // of those, matched against every subscriber
    std::uint64_t queueDroppedEntries = 0;
    std::uint64_t deliveredBatches = 0;
    std::size_t subscribers = 0;
    std::size_t queuedBytes = 0;
};

class LiveTailHub;

// A live tail subscription; unsubscribes when destroyed. May outlive the
// hub (it then receives nothing more). Thread-safe.
class LiveTailSubscription {
public:
    ~LiveTailSubscription();
    LiveTailSubscription(const LiveTailSubscription&) = delete;
    LiveTailSubscription& operator=(const LiveTailSubscription&) = delete;

    // Stops deliveries. When it returns, the callback is not running and
    // will not be called again — except when called from inside the
    // callback itself, where it returns at once and no further call follows.
    void unsubscribe();

    // Pull mode (subscribed without a callback): takes what is buffered,
    // waiting up to `timeout` for at least one entry or drop count. Returns
    // an empty batch on timeout or after unsubscribe().
    LiveBatch take(std::chrono::milliseconds timeout);

    // Entries and bytes buffered now (tests, diagnostics).
    std::size_t bufferedEntries() const;
    std::size_t bufferedBytes() const;

    struct State;

private:
    friend class LiveTailHub;
    explicit LiveTailSubscription(std::shared_ptr<State> state);
    std::shared_ptr<State> m_state;
};

// Fans newly stored log entries out to live subscribers, each with its own
// LogQL log query (stream selector + pipeline: line filters, parsers, label
// filters, line_format, ...), as Loki's tail does.
//
// Writers call offer() after the store accepted a push: with no subscriber
// it costs one atomic load; otherwise it copies the accepted entries into a
// bounded queue and returns. One hub thread matches queued entries against
// every subscription (never on the pusher's or the GUI's thread), keeps each
// subscriber's matches in a bounded buffer, and delivers them at most once
// per deliveryInterval.
//
// Callback contract: the callback runs on the hub's thread, never
// concurrently with itself, and must return quickly (hand the batch to
// another thread; see LiveTailQtAdapter). While it runs, other subscribers
// wait; entries keep arriving in the bounded queue meanwhile, so a slow
// callback loses entries (counted in `dropped`), never memory.
//
// Thread-safe. The destructor stops the thread; pending batches are not
// delivered.
class LiveTailHub {
public:
    using Callback = std::function<void(LiveBatch&& batch)>;

    explicit LiveTailHub(LiveTailOptions options = {});
    ~LiveTailHub();
    LiveTailHub(const LiveTailHub&) = delete;
    LiveTailHub& operator=(const LiveTailHub&) = delete;

    // Subscribes to the entries matching `query` (a LogQL log query; metric
    // queries are refused). Without a callback the subscription is in pull
    // mode (LiveTailSubscription::take). Parse errors come back as Loki's
    // "parse error at line L, col C: ...".
    Result<std::unique_ptr<LiveTailSubscription>> subscribe(std::string_view query,
                                                            Callback callback = {});

    // Offers entries the store accepted. `accepted`, when given, has one
    // flag per entry (streams in order, entries in order); entries flagged 0
    // are skipped. Never blocks on subscribers.
    void offer(const std::vector<LogStream>& streams,
               const std::vector<std::uint8_t>* accepted = nullptr);

    bool hasSubscribers() const;
    LiveTailStats stats() const;
    const LiveTailOptions& options() const { return m_options; }

    struct Shared;

private:
    const LiveTailOptions m_options;
    std::shared_ptr<Shared> m_shared;
    std::thread m_thread;
};

}  // namespace vigil::logs::live
