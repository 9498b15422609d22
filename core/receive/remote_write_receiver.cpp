#include "core/receive/remote_write_receiver.h"

#include <httplib.h>

#include <QByteArray>

#include "core/instrument/metric_registry.h"
#include "core/receive/bcrypt_password.h"
#include "core/receive/remote_write_decoder.h"

namespace vigil::receive {

RemoteWriteReceiver::RemoteWriteReceiver(model::Storage& storage,
                                         RemoteWriteReceiverOptions options,
                                         instrument::MetricRegistry& registry)
    : m_storage(storage),
      m_options(std::move(options)),
      m_registry(registry),
      m_inflight(registry.gauge(
          "vigil_remote_write_inflight_requests",
          "Remote write requests being decoded and appended (the ingestion queue depth).")),
      m_samples(registry.counter("vigil_remote_write_samples_total",
                                 "Samples stored from remote write requests.")),
      m_rejected(registry.counter(
          "vigil_remote_write_samples_rejected_total",
          "Remote write samples refused: invalid labels, out of order, duplicate, too old.")),
      m_histogramsDropped(registry.counter(
          "vigil_remote_write_histograms_dropped_total",
          "Native histogram samples received and not stored (Vigil stores floats).")) {}

void RemoteWriteReceiver::install(httplib::Server& server) {
    server.Post("/api/v1/write",
                [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
}

bool RemoteWriteReceiver::authorized(const httplib::Request& req) const {
    if (m_options.basicAuthUsers.empty())
        return true;
    const std::string header = req.get_header_value("Authorization");
    if (header.rfind("Basic ", 0) != 0)
        return false;
    const QByteArray decoded = QByteArray::fromBase64(QByteArray::fromStdString(header.substr(6)));
    const int colon = decoded.indexOf(':');
    if (colon < 0)
        return false;
    const auto user = m_options.basicAuthUsers.find(decoded.left(colon).toStdString());
    if (user == m_options.basicAuthUsers.end())
        return false;
    return bcryptMatches(decoded.mid(colon + 1).toStdString(), user->second);
}

void RemoteWriteReceiver::reply(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    if (!message.empty())
        res.set_content(message + "\n", "text/plain; charset=utf-8");
    m_registry
        .counter("vigil_remote_write_requests_total", "Remote write requests by HTTP status code.",
                 model::Labels{{"code", std::to_string(status)}})
        .inc();
}

void RemoteWriteReceiver::handle(const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req)) {
        res.set_header("WWW-Authenticate", "Basic realm=\"vigil\"");
        return reply(res, 401, "unauthorized");
    }
    const std::uint64_t size = req.body.size();
    if (size > m_options.maxRequestBytes) {
        return reply(res, 413,
                     "request body of " + std::to_string(size) + " bytes exceeds the limit of " +
                         std::to_string(m_options.maxRequestBytes) + " bytes");
    }
    // The bounded queue: account the body before working on it.
    const std::uint64_t before = m_inflightBytes.fetch_add(size);
    struct Release {
        RemoteWriteReceiver* self;
        std::uint64_t size;
        ~Release() {
            self->m_inflightBytes.fetch_sub(size);
            self->m_inflight.add(-1);
        }
    } release{this, size};
    m_inflight.add(1);
    if (before + size > m_options.maxInflightBytes && before > 0) {
        res.set_header("Retry-After", "1");
        return reply(res, 429, "ingestion is saturated; retry later");
    }

    // A series cache of its own for this request (requests run concurrently).
    std::unique_ptr<SeriesCache> cache;
    {
        std::lock_guard lock(m_cacheMutex);
        if (!m_caches.empty()) {
            cache = std::move(m_caches.back());
            m_caches.pop_back();
        } else if (m_cachesOut < kMaxSeriesCaches) {
            cache = std::make_unique<SeriesCache>(m_options.seriesCacheEntries);
        }
        if (cache)
            ++m_cachesOut;
    }
    struct ReturnCache {
        RemoteWriteReceiver* self;
        std::unique_ptr<SeriesCache>& cache;
        ~ReturnCache() {
            if (!cache)
                return;
            std::lock_guard lock(self->m_cacheMutex);
            --self->m_cachesOut;
            self->m_caches.push_back(std::move(cache));
        }
    } returnCache{this, cache};

    auto appender = m_storage.appender();
    auto decoded = decodeRemoteWrite(req.body, m_options.maxDecodedBytes, *appender, cache.get());
    if (!decoded) {
        appender->rollback();
        const bool tooLarge = decoded.status().code() == Status::Code::kResourceExhausted;
        return reply(res, tooLarge ? 413 : 400, decoded.status().message());
    }
    if (Status committed = appender->commit(); !committed.isOk()) {
        // Storage trouble is the server's, not the sender's: a retryable 5xx.
        return reply(res, 503, "storing the samples failed: " + committed.message());
    }
    m_samples.inc(static_cast<double>(decoded->samples));
    m_rejected.inc(static_cast<double>(decoded->rejected + decoded->invalidSeries));
    m_histogramsDropped.inc(static_cast<double>(decoded->histogramsDropped));
    if (decoded->rejected + decoded->invalidSeries > 0) {
        return reply(res, 400,
                     std::to_string(decoded->rejected) + " samples refused and " +
                         std::to_string(decoded->invalidSeries) +
                         " series with invalid labels skipped (" +
                         std::to_string(decoded->samples) +
                         " samples stored); first: " + decoded->firstProblem);
    }
    reply(res, 204, "");
}

}  // namespace vigil::receive
