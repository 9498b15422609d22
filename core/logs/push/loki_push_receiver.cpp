#include "core/logs/push/loki_push_receiver.h"

#include <httplib.h>
#include <zlib.h>

#include <algorithm>

#include "core/instrument/metric_registry.h"
#include "core/logs/push/push_decoder.h"
#include "core/scrape/gzip.h"

namespace vigil::logs::push {

namespace {

// Content-Encoding: deflate (zlib format), bounded like gunzip.
Status inflateBody(std::string_view in, std::size_t limit, std::string& out) {
    z_stream z{};
    if (inflateInit(&z) != Z_OK)
        return Status::error("cannot initialise zlib");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    out.clear();
    char buf[64 * 1024];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&z);
            return Status::error("corrupt deflate body at byte offset " +
                                 std::to_string(in.size() - z.avail_in));
        }
        out.append(buf, sizeof buf - z.avail_out);
        if (out.size() > limit) {
            inflateEnd(&z);
            return Status::error(
                Status::Code::kResourceExhausted,
                "push request decompresses to more than " + std::to_string(limit) + " bytes");
        }
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            inflateEnd(&z);
            return Status::error("truncated deflate body");
        }
    }
    inflateEnd(&z);
    return Status::ok();
}

}  // namespace

LokiPushReceiver::LokiPushReceiver(LogWriter& writer, LokiPushReceiverOptions options,
                                   instrument::MetricRegistry& registry)
    : m_writer(writer),
      m_options(options),
      m_registry(registry),
      m_rateLimited(registry.counter("vigil_logs_discarded_entries_total",
                                     "Log entries refused by the log store, by reason.",
                                     model::Labels{{"reason", "rate_limited"}})),
      m_tokens(static_cast<double>(options.rateBurstBytes)),
      m_refilled(std::chrono::steady_clock::now()) {}

void LokiPushReceiver::install(httplib::Server& server) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        handle(req, res);
    };
    server.Post("/loki/api/v1/push", handler);
    server.Post("/api/prom/push", handler);
}

void LokiPushReceiver::reply(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    if (!message.empty())
        res.set_content(message + "\n", "text/plain; charset=utf-8");
    m_registry
        .counter("vigil_logs_push_requests_total", "Loki push requests by HTTP status code.",
                 model::Labels{{"code", std::to_string(status)}})
        .inc();
}

bool LokiPushReceiver::takeTokens(std::uint64_t bytes) {
    if (m_options.rateBytesPerSecond == 0)
        return true;
    std::lock_guard lock(m_rateMutex);
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - m_refilled).count();
    m_refilled = now;
    const double burst =
        static_cast<double>(std::max(m_options.rateBurstBytes, m_options.rateBytesPerSecond));
    m_tokens =
        std::min(burst, m_tokens + elapsed * static_cast<double>(m_options.rateBytesPerSecond));
    if (static_cast<double>(bytes) > m_tokens)
        return false;
    m_tokens -= static_cast<double>(bytes);
    return true;
}

void LokiPushReceiver::handle(const httplib::Request& req, httplib::Response& res) {
    const std::uint64_t size = req.body.size();
    if (size > m_options.maxRequestBytes) {
        return reply(res, 413,
                     "request body of " + std::to_string(size) + " bytes exceeds the limit of " +
                         std::to_string(m_options.maxRequestBytes) + " bytes");
    }
    const std::uint64_t before = m_inflightBytes.fetch_add(size);
    struct Release {
        std::atomic<std::uint64_t>& bytes;
        std::uint64_t size;
        ~Release() { bytes.fetch_sub(size); }
    } release{m_inflightBytes, size};
    if (before + size > m_options.maxInflightBytes && before > 0) {
        res.set_header("Retry-After", "1");
        return reply(res, 429, "ingestion is saturated; retry later");
    }

    std::string_view body = req.body;
    std::string decompressed;
    const std::string encoding = req.get_header_value("Content-Encoding");
    // cpp-httplib built with zlib decodes gzip and deflate request bodies
    // itself (keeping the header): decode only what still looks compressed.
    const bool gzipMagic = body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
                           static_cast<unsigned char>(body[1]) == 0x8b;
    const bool zlibMagic = body.size() >= 2 && (static_cast<unsigned char>(body[0]) & 0x0f) == 8 &&
                           ((static_cast<unsigned>(static_cast<unsigned char>(body[0])) << 8) |
                            static_cast<unsigned char>(body[1])) %
                                   31 ==
                               0;
    const bool isGzip = scrape::isGzipEncoding(encoding);
    if (isGzip && gzipMagic) {
        if (Status s = scrape::gunzip(body, m_options.maxDecodedBytes, decompressed); !s.isOk()) {
            const bool tooLarge = s.code() == Status::Code::kResourceExhausted;
            return reply(res, tooLarge ? 413 : 400, "gzip body: " + s.message());
        }
        body = decompressed;
    } else if (encoding == "deflate" && zlibMagic) {
        if (Status s = inflateBody(body, m_options.maxDecodedBytes, decompressed); !s.isOk()) {
            const bool tooLarge = s.code() == Status::Code::kResourceExhausted;
            return reply(res, tooLarge ? 413 : 400, "deflate body: " + s.message());
        }
        body = decompressed;
    } else if (!isGzip && !encoding.empty() && encoding != "deflate" && encoding != "snappy" &&
               encoding != "identity") {
        return reply(res, 415, "unsupported Content-Encoding: " + encoding);
    }
    std::string contentType = req.get_header_value("Content-Type");
    contentType = contentType.substr(0, contentType.find(';'));
    std::vector<LogStream> streams;
    Status decoded;
    if (contentType == "application/json") {
        if (body.size() > m_options.maxDecodedBytes)
            return reply(res, 413, "push request body exceeds the decoded size limit");
        decoded = decodePushJson(body, streams);
    } else if (contentType.empty() || contentType == "application/x-protobuf") {
        decoded = decodePushProtobuf(body, m_options.maxDecodedBytes, streams);
    } else {
        return reply(res, 415,
                     "unsupported Content-Type: " + contentType +
                         " (use application/json or application/x-protobuf)");
    }
    if (!decoded.isOk()) {
        const bool tooLarge = decoded.code() == Status::Code::kResourceExhausted;
        return reply(res, tooLarge ? 413 : 400, decoded.message());
    }

    std::uint64_t lineBytes = 0;
    std::size_t lines = 0;
    for (const auto& s : streams) {
        lines += s.entries.size();
        for (const auto& e : s.entries)
            lineBytes += e.line.size();
    }
    if (!takeTokens(lineBytes)) {
        m_rateLimited.inc(static_cast<double>(lines));
        res.set_header("Retry-After", "1");
        return reply(res, 429,
                     "Ingestion rate limit exceeded for user fake (limit: " +
                         std::to_string(m_options.rateBytesPerSecond) +
                         " bytes/sec) while attempting to ingest '" + std::to_string(lines) +
                         "' lines totaling '" + std::to_string(lineBytes) +
                         "' bytes, reduce log volume or contact your Loki administrator to see "
                         "if the limit can be increased");
    }

    const LogWriter::PushResult result = m_writer.push(streams);
    if (result.rejected == 0)
        return reply(res, 204, "");
    if (result.firstRejection == LogRejection::kNone) {
        // The store could not write: the sender should retry.
        return reply(res, 500, result.firstError);
    }
    const bool tooMany = result.firstRejection == LogRejection::kStreamLimit ||
                         result.firstRejection == LogRejection::kRateLimited;
    std::string message = result.firstError;
    if (result.rejected > 1)
        message += " (and " + std::to_string(result.rejected - 1) + " more refused entries)";
    reply(res, tooMany ? 429 : 400, message);
}

}  // namespace vigil::logs::push
