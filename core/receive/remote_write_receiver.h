#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/model/storage.h"
#include "core/receive/remote_write_decoder.h"

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

namespace vigil::receive {

struct RemoteWriteReceiverOptions {
    // A larger (compressed) body gets 413.
    std::uint64_t maxRequestBytes = 32ULL << 20;
    // A body that decompresses to more than this gets 413.
    std::uint64_t maxDecodedBytes = 256ULL << 20;
    // Bodies being decoded and appended at once; past it, 429 with
    // Retry-After, so memory stays bounded whatever the senders do.
    std::uint64_t maxInflightBytes = 64ULL << 20;
    // Entries per generation of each series cache (see SeriesCache); at most
    // kMaxSeriesCaches caches exist, one per request being decoded.
    std::size_t seriesCacheEntries = 1 << 16;
    // user → bcrypt hash; empty: no authentication.
    std::map<std::string, std::string> basicAuthUsers;
};

// POST /api/v1/write, Prometheus remote write 1.0: a snappy-compressed
// prometheus.WriteRequest. Answers 204 when everything was stored, 400 with
// a message for malformed input or refused samples (the valid samples of the
// request are kept, so a 400 never loses accepted data and senders do not
// retry it), 401 without valid credentials, 413 over the size limits and 429
// when ingestion is saturated. Thread-safe: requests run on the listener's
// worker threads.
class RemoteWriteReceiver {
public:
    // `storage` and `registry` must outlive the receiver.
    RemoteWriteReceiver(model::Storage& storage, RemoteWriteReceiverOptions options,
                        instrument::MetricRegistry& registry);

    void install(httplib::Server& server);
    void handle(const httplib::Request& req, httplib::Response& res);

private:
    bool authorized(const httplib::Request& req) const;
    void reply(httplib::Response& res, int status, const std::string& message);

    static constexpr std::size_t kMaxSeriesCaches = 4;

    model::Storage& m_storage;
    RemoteWriteReceiverOptions m_options;
    std::mutex m_cacheMutex;
    std::vector<std::unique_ptr<SeriesCache>> m_caches;  // GUARDED_BY(m_cacheMutex): free ones
    std::size_t m_cachesOut = 0;                         // GUARDED_BY(m_cacheMutex)
    instrument::MetricRegistry& m_registry;
    std::atomic<std::uint64_t> m_inflightBytes{0};
    instrument::Gauge& m_inflight;
    instrument::Counter& m_samples;
    instrument::Counter& m_rejected;
    instrument::Counter& m_histogramsDropped;
};

}  // namespace vigil::receive
