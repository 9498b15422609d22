#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "core/logs/log_store_api.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib
namespace vigil::instrument {
class MetricRegistry;
class Counter;
class Gauge;
}  // namespace vigil::instrument

namespace vigil::logs::push {

struct LokiPushReceiverOptions {
    // A larger (compressed) body gets 413.
    std::uint64_t maxRequestBytes = 32ULL << 20;
    // A body that decompresses to more than this gets 413.
    std::uint64_t maxDecodedBytes = 128ULL << 20;
    // Bodies being decoded and stored at once; past it, 429 with Retry-After.
    std::uint64_t maxInflightBytes = 64ULL << 20;
    // Ingestion rate limit (bytes of log lines per second, token bucket with
    // a burst of rateBurstBytes); 0: unlimited. Past it, 429 as Loki's
    // ingestion_rate_mb.
    std::uint64_t rateBytesPerSecond = 0;
    std::uint64_t rateBurstBytes = 0;
};

// POST /loki/api/v1/push (and the legacy /api/prom/push) as Loki answers it:
// 204 when every entry was stored; 400 with Loki's message for malformed
// requests and refused entries (the valid entries are kept, so a sender does
// not retry a 400); 413 over the size limits; 429 for the stream limit, the
// rate limit and saturated ingestion; 500 when the store failed to write.
// Thread-safe: requests run on the listener's worker threads.
class LokiPushReceiver {
public:
    // `writer` and `registry` must outlive the receiver.
    LokiPushReceiver(LogWriter& writer, LokiPushReceiverOptions options,
                     instrument::MetricRegistry& registry);
    void install(httplib::Server& server);
    void handle(const httplib::Request& req, httplib::Response& res);

private:
    void reply(httplib::Response& res, int status, const std::string& message);
    bool takeTokens(std::uint64_t bytes);

    LogWriter& m_writer;
    LokiPushReceiverOptions m_options;
    instrument::MetricRegistry& m_registry;
    std::atomic<std::uint64_t> m_inflightBytes{0};
    instrument::Counter& m_rateLimited;

    std::mutex m_rateMutex;
    double m_tokens = 0;                               // GUARDED_BY(m_rateMutex)
    std::chrono::steady_clock::time_point m_refilled;  // GUARDED_BY(m_rateMutex)
};

}  // namespace vigil::logs::push
