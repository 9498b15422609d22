#pragma once

// The HTTP side of scraping: one thread drives libcurl's multi interface for
// every target, instead of a thread per target. Requests run concurrently;
// a slow or failing target only holds its own transfer, never the others.
// Connections stay in the multi handle's pool and are reused (keep-alive)
// by the next request to the same host.
//
// Each request sends Prometheus's Accept header, Accept-Encoding: gzip,
// User-Agent "Vigil/<version>" and X-Prometheus-Scrape-Timeout-Seconds, and
// carries the job's authentication, TLS and proxy settings. The body size
// limit is enforced while receiving (the transfer is aborted as soon as it is
// exceeded) and again on the decompressed body.
//
// VIGIL_CURL_VERBOSE=1 in the environment makes libcurl trace transfers on
// stderr.
//
// Thread-safety: submit() may be called from any thread. Callbacks run on the
// scraper's thread and must return quickly (hand heavy work to another
// thread).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/config/prometheus_config.h"
#include "core/util/status.h"

namespace vigil::scrape {

struct ScrapeRequest {
    std::string url;  // scheme://host:port/path?query
    std::chrono::milliseconds timeout{10000};
    std::uint64_t bodySizeLimit = 0;  // bytes after decompression; 0: none
    // The body size of the target's last page: the buffer is reserved up
    // front so that a page is received without reallocations.
    std::size_t bodySizeHint = 0;
    // Authentication, TLS and proxy. Shared by every target of a job.
    std::shared_ptr<const config::HttpClientConfig> http;
};

struct ScrapeResponse {
    // Not ok when the scrape failed; the message is what the targets page
    // shows ("server returned HTTP status 404 Not Found", "body size limit
    // exceeded", `Get "url": context deadline exceeded`, ...).
    Status status;
    long httpStatus = 0;
    std::string contentType;
    std::string body;  // decompressed
    std::uint64_t wireBytes = 0;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::duration duration{};
};

// The message Prometheus gives for an exceeded body_size_limit.
inline constexpr std::string_view kBodySizeLimitError = "body size limit exceeded";

class HttpScraper {
public:
    using Callback = std::function<void(ScrapeResponse&&)>;

    HttpScraper();
    ~HttpScraper();  // stops
    HttpScraper(const HttpScraper&) = delete;
    HttpScraper& operator=(const HttpScraper&) = delete;

    // Starts the thread. Fails when libcurl cannot be initialised.
    Status start();
    // Aborts transfers in flight (their callbacks get a "scrape cancelled"
    // error) and joins the thread. Idempotent.
    void stop();

    // Queues a request; `done` is called exactly once, on the scraper's
    // thread (or on the caller's thread with an error if the scraper is not
    // running).
    void submit(ScrapeRequest request, Callback done);

    // Transfers in flight, for tests and /metrics.
    std::size_t inFlight() const;

private:
    struct Transfer;
    void run();
    void startTransfer(std::unique_ptr<Transfer> transfer);
    void finishTransfer(void* easy, int curlCode);

    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// "Vigil/<version>".
const std::string& scrapeUserAgent();

}  // namespace vigil::scrape
