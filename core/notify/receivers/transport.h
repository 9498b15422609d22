#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/notify/receivers/integration_configs.h"

namespace vigil::notify::receivers {

// One network exchange of a notification: an HTTP request (webhook, Slack,
// PagerDuty, Discord, an external Alertmanager) or an SMTP mail submission.
struct TransportRequest {
    enum class Kind { kHttp, kSmtp };
    Kind kind = Kind::kHttp;
    std::string url;  // http(s)://...; smtp://host:port/HELO-name or smtps://...
    std::string method = "POST";
    std::vector<std::string> headers;  // "Name: value"
    std::string body;                  // HTTP body, or the mail message (CRLF)
    std::string userAgent = "Vigil (Alertmanager/0.25.0 compatible)";
    HttpClientOptions http;  // auth, TLS, proxy (HTTP)
    std::chrono::milliseconds timeout{30000};
    // SMTP.
    std::string mailFrom;
    std::vector<std::string> mailTo;
    bool smtpStartTls = false;  // require STARTTLS (smtp:// only)
    std::string smtpUser, smtpPassword;
    TlsOptions smtpTls;
};

struct TransportResponse {
    // HTTP status, or the last SMTP reply code; 0 when none arrived.
    int status = 0;
    std::string body;   // at most the first 4 KiB of the HTTP response
    std::string error;  // transport error (curl's message); empty when a response arrived
    std::chrono::milliseconds duration{0};
    bool transportOk() const { return error.empty(); }
};

// Runs requests on one libcurl multi handle in its own thread, so that many
// notifications are in flight at once and no caller's thread spends its
// time in the network: submit() queues and returns; perform() queues and
// waits (for callers that have a thread of their own to block, such as the
// dispatcher's notification workers).
//
// Thread-safe. Destruction stops the thread; requests still running complete
// with error "transport stopped".
class Transport {
public:
    Transport();
    ~Transport();
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    using Callback = std::function<void(TransportResponse)>;
    // `done` runs on the transport thread; it must not block.
    void submit(TransportRequest request, Callback done);
    TransportResponse perform(TransportRequest request);

    // Requests currently queued or running.
    std::size_t inFlight() const;

private:
    struct Job;
    void run();

    mutable std::mutex m_mutex;
    std::deque<std::unique_ptr<Job>> m_queue;  // GUARDED_BY(m_mutex)
    bool m_stopping = false;                   // GUARDED_BY(m_mutex)
    std::size_t m_inFlight = 0;                // GUARDED_BY(m_mutex)
    void* m_multi = nullptr;                   // CURLM*, used by run() only (and wakeup)
    std::thread m_thread;
};

}  // namespace vigil::notify::receivers
