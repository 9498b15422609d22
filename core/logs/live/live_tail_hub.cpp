#include "core/logs/live/live_tail_hub.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/logs/logql/parser.h"
#include "core/logs/logql/pipeline.h"

namespace vigil::logs::live {
namespace {

using Clock = std::chrono::steady_clock;

// Per-entry overhead counted against the byte bounds besides the line.
constexpr std::size_t kEntryOverhead = sizeof(LiveEntry);

struct QueuedStream {
    std::shared_ptr<const model::Labels> labels;
    std::vector<LogEntry> entries;
};

struct QueuedPush {
    std::vector<QueuedStream> streams;
    std::size_t bytes = 0;
    std::size_t entries = 0;
};

bool selectorMatches(const std::vector<model::Matcher>& matchers, const model::Labels& labels) {
    for (const auto& m : matchers)
        if (!m.matches(labels.get(m.name())))
            return false;
    return true;
}

}  // namespace

struct LiveTailSubscription::State {
    // Immutable after subscribe().
    std::vector<model::Matcher> matchers;
    logql::Pipeline pipeline;
    LiveTailHub::Callback callback;  // empty: pull mode
    std::size_t maxEntries = 0;
    std::size_t maxBytes = 0;
    std::weak_ptr<LiveTailHub::Shared> hub;

    mutable std::mutex mutex;
    std::condition_variable changed;
    std::deque<LiveEntry> buffer;  // GUARDED_BY(mutex)
    std::size_t bytes = 0;         // GUARDED_BY(mutex)
    std::uint64_t dropped = 0;     // GUARDED_BY(mutex)
    bool active = true;            // GUARDED_BY(mutex)
    bool delivering = false;       // GUARDED_BY(mutex)

    // Hub thread only: the pipeline's scratch state.
    logql::LineLabels lineLabels;
    std::string scratch;

    // REQUIRES: mutex held.
    void pushLocked(LiveEntry entry) {
        bytes += entry.line.size() + kEntryOverhead;
        buffer.push_back(std::move(entry));
        while (!buffer.empty() && (buffer.size() > maxEntries || bytes > maxBytes)) {
            bytes -= buffer.front().line.size() + kEntryOverhead;
            buffer.pop_front();
            ++dropped;
        }
    }

    LiveBatch takeLocked() {
        LiveBatch batch;
        batch.entries.reserve(buffer.size());
        for (auto& e : buffer)
            batch.entries.push_back(std::move(e));
        buffer.clear();
        bytes = 0;
        batch.dropped = dropped;
        dropped = 0;
        return batch;
    }
};

struct LiveTailHub::Shared {
    LiveTailOptions options;

    mutable std::mutex mutex;
    std::condition_variable wake;
    std::deque<QueuedPush> queue;                                           // GUARDED_BY(mutex)
    std::size_t queuedBytes = 0;                                            // GUARDED_BY(mutex)
    std::vector<std::shared_ptr<LiveTailSubscription::State>> subscribers;  // GUARDED_BY(mutex)
    bool stopping = false;                                                  // GUARDED_BY(mutex)
    LiveTailStats stats;                                                    // GUARDED_BY(mutex)
    std::atomic<std::size_t> subscriberCount{0};
    std::thread::id threadId;

    void remove(const LiveTailSubscription::State* state) {
        std::lock_guard lock(mutex);
        std::erase_if(subscribers, [&](const auto& s) { return s.get() == state; });
        subscriberCount.store(subscribers.size());
    }

    void run();
    void match(const QueuedPush& push,
               const std::vector<std::shared_ptr<LiveTailSubscription::State>>& subs);
    void deliver(const std::vector<std::shared_ptr<LiveTailSubscription::State>>& subs);
};

void LiveTailHub::Shared::run() {
    std::unique_lock lock(mutex);
    Clock::time_point nextDelivery = Clock::now();
    bool pendingDelivery = false;
    while (!stopping) {
        if (queue.empty()) {
            if (pendingDelivery)
                wake.wait_until(lock, nextDelivery, [&] { return stopping || !queue.empty(); });
            else
                wake.wait(lock, [&] { return stopping || !queue.empty(); });
            if (stopping)
                break;
        }
        std::deque<QueuedPush> work;
        work.swap(queue);
        queuedBytes = 0;
        auto subs = subscribers;
        lock.unlock();

        for (const QueuedPush& push : work)
            match(push, subs);
        const std::size_t processed = work.size();
        if (!work.empty())
            pendingDelivery = true;
        work.clear();
        const auto now = Clock::now();
        if (pendingDelivery && now >= nextDelivery) {
            deliver(subs);
            pendingDelivery = false;
            nextDelivery = now + options.deliveryInterval;
        }
        subs.clear();
        lock.lock();
        stats.matchedPushes += processed;
        // Drops counted by offer() while the queue was full also need a delivery.
        if (!pendingDelivery) {
            for (const auto& s : subscribers) {
                std::lock_guard sl(s->mutex);
                if (s->callback && s->dropped > 0) {
                    pendingDelivery = true;
                    break;
                }
            }
        }
    }
}

void LiveTailHub::Shared::match(
    const QueuedPush& push, const std::vector<std::shared_ptr<LiveTailSubscription::State>>& subs) {
    for (const auto& sub : subs) {
        for (const QueuedStream& stream : push.streams) {
            if (!selectorMatches(sub->matchers, *stream.labels))
                continue;
            if (sub->pipeline.empty()) {
                std::lock_guard lock(sub->mutex);
                if (!sub->active)
                    break;
                for (const LogEntry& e : stream.entries)
                    sub->pushLocked(LiveEntry{stream.labels, e.tsNs, e.line});
                continue;
            }
            std::shared_ptr<const model::Labels> lastLabels = stream.labels;
            for (const LogEntry& e : stream.entries) {
                sub->lineLabels.reset(*stream.labels, e.structuredMetadata);
                sub->scratch.assign(e.line);
                if (!sub->pipeline.process(e.tsNs, sub->scratch, sub->lineLabels))
                    continue;
                model::Labels result = sub->lineLabels.result();
                if (result != *lastLabels)
                    lastLabels = std::make_shared<const model::Labels>(std::move(result));
                std::lock_guard lock(sub->mutex);
                if (!sub->active)
                    break;
                sub->pushLocked(LiveEntry{lastLabels, e.tsNs, sub->scratch});
            }
        }
    }
}

void LiveTailHub::Shared::deliver(
    const std::vector<std::shared_ptr<LiveTailSubscription::State>>& subs) {
    std::uint64_t batches = 0;
    for (const auto& sub : subs) {
        LiveBatch batch;
        {
            std::lock_guard lock(sub->mutex);
            if (!sub->active)
                continue;
            if (sub->buffer.empty() && sub->dropped == 0)
                continue;
            if (!sub->callback) {
                sub->changed.notify_all();  // pull mode: wake take()
                continue;
            }
            batch = sub->takeLocked();
            sub->delivering = true;
        }
        sub->callback(std::move(batch));
        ++batches;
        {
            std::lock_guard lock(sub->mutex);
            sub->delivering = false;
        }
        sub->changed.notify_all();
    }
    std::lock_guard lock(mutex);
    stats.deliveredBatches += batches;
}

LiveTailSubscription::LiveTailSubscription(std::shared_ptr<State> state)
    : m_state(std::move(state)) {}

LiveTailSubscription::~LiveTailSubscription() {
    unsubscribe();
}

void LiveTailSubscription::unsubscribe() {
    auto hub = m_state->hub.lock();
    {
        std::unique_lock lock(m_state->mutex);
        if (!m_state->active && !m_state->delivering)
            return;
        m_state->active = false;
        m_state->buffer.clear();
        m_state->bytes = 0;
        m_state->changed.notify_all();
        const bool insideCallback = hub && std::this_thread::get_id() == hub->threadId;
        if (!insideCallback)
            m_state->changed.wait(lock, [&] { return !m_state->delivering; });
    }
    if (hub)
        hub->remove(m_state.get());
}

LiveBatch LiveTailSubscription::take(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_state->mutex);
    m_state->changed.wait_for(lock, timeout, [&] {
        return !m_state->active || !m_state->buffer.empty() || m_state->dropped > 0;
    });
    if (!m_state->active)
        return {};
    return m_state->takeLocked();
}

std::size_t LiveTailSubscription::bufferedEntries() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->buffer.size();
}

std::size_t LiveTailSubscription::bufferedBytes() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->bytes;
}

LiveTailHub::LiveTailHub(LiveTailOptions options)
    : m_options(options), m_shared(std::make_shared<Shared>()) {
    m_shared->options = options;
    std::thread thread([shared = m_shared.get()] { shared->run(); });
    m_shared->threadId = thread.get_id();
    m_thread = std::move(thread);
}

LiveTailHub::~LiveTailHub() {
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->stopping = true;
    }
    m_shared->wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    std::vector<std::shared_ptr<LiveTailSubscription::State>> subs;
    {
        std::lock_guard lock(m_shared->mutex);
        subs.swap(m_shared->subscribers);
        m_shared->subscriberCount.store(0);
    }
    for (const auto& s : subs) {
        std::lock_guard lock(s->mutex);
        s->active = false;
        s->changed.notify_all();
    }
}

Result<std::unique_ptr<LiveTailSubscription>> LiveTailHub::subscribe(std::string_view query,
                                                                     Callback callback) {
    auto parsed = logql::parse(query);
    if (!parsed.isOk())
        return parsed.status();
    const auto* logQuery = dynamic_cast<const logql::LogQueryExpr*>(parsed.value().get());
    if (!logQuery)
        return Status::error(
            "live tail needs a log query (a stream selector and pipeline), "
            "not a metric query");
    auto pipeline = logql::Pipeline::compile(logQuery->selector.stages);
    if (!pipeline.isOk())
        return pipeline.status();
    auto state = std::make_shared<LiveTailSubscription::State>();
    state->matchers = logQuery->selector.matchers;
    state->pipeline = std::move(pipeline.value());
    state->callback = std::move(callback);
    state->maxEntries = std::max<std::size_t>(1, m_options.maxBufferedEntries);
    state->maxBytes = std::max<std::size_t>(1, m_options.maxBufferedBytes);
    state->hub = m_shared;
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->subscribers.push_back(state);
        m_shared->subscriberCount.store(m_shared->subscribers.size());
    }
    return std::unique_ptr<LiveTailSubscription>(new LiveTailSubscription(std::move(state)));
}

void LiveTailHub::offer(const std::vector<LogStream>& streams,
                        const std::vector<std::uint8_t>* accepted) {
    if (m_shared->subscriberCount.load(std::memory_order_acquire) == 0)
        return;
    QueuedPush push;
    std::size_t flag = 0;
    for (const LogStream& in : streams) {
        QueuedStream out;
        for (const LogEntry& e : in.entries) {
            const bool ok = !accepted || (flag < accepted->size() && (*accepted)[flag] != 0);
            ++flag;
            if (!ok)
                continue;
            out.entries.push_back(e);
            push.bytes += e.line.size() + kEntryOverhead;
        }
        if (out.entries.empty())
            continue;
        push.entries += out.entries.size();
        out.labels = std::make_shared<const model::Labels>(in.labels);
        push.streams.push_back(std::move(out));
    }
    if (push.streams.empty())
        return;
    {
        std::lock_guard lock(m_shared->mutex);
        if (m_shared->queuedBytes + push.bytes <= m_options.maxQueuedBytes ||
            m_shared->queue.empty()) {
            // An empty queue always takes one push, so a single push larger
            // than the bound is still tailed (it is bounded by the store's
            // own request size limit).
            m_shared->queuedBytes += push.bytes;
            m_shared->stats.offeredEntries += push.entries;
            ++m_shared->stats.offeredPushes;
            m_shared->queue.push_back(std::move(push));
            m_shared->wake.notify_one();
            return;
        }
        m_shared->stats.queueDroppedEntries += push.entries;
        for (const auto& sub : m_shared->subscribers) {
            std::uint64_t n = 0;
            for (const QueuedStream& s : push.streams)
                if (selectorMatches(sub->matchers, *s.labels))
                    n += s.entries.size();
            if (n > 0) {
                std::lock_guard sl(sub->mutex);
                sub->dropped += n;
                if (!sub->callback)
                    sub->changed.notify_all();
            }
        }
    }
    m_shared->wake.notify_one();
}

bool LiveTailHub::hasSubscribers() const {
    return m_shared->subscriberCount.load() > 0;
}

LiveTailStats LiveTailHub::stats() const {
    std::lock_guard lock(m_shared->mutex);
    LiveTailStats s = m_shared->stats;
    s.subscribers = m_shared->subscribers.size();
    s.queuedBytes = m_shared->queuedBytes;
    return s;
}

}  // namespace vigil::logs::live
