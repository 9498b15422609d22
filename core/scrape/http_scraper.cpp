#include "core/scrape/http_scraper.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "core/scrape/content_type.h"
#include "core/util/go_float.h"
#include "vigil/version.h"

namespace vigil::scrape {

namespace {

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

// Secrets in files are read at every scrape, as Prometheus does, so that a
// rotated token is picked up without a reload. Trailing whitespace is cut.
Result<std::string> readSecretFile(const std::string& path, std::string_view what) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status::ioError("unable to read " + std::string(what) + " file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return std::string(trim(text.str()));
}

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

const std::string& scrapeUserAgent() {
    static const std::string agent = std::string("Vigil/") + kVersion;
    return agent;
}

struct HttpScraper::Transfer {
    ScrapeRequest request;
    Callback done;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    curl_slist* connectTo = nullptr;
    std::string statusLine;
    std::string contentType;
    std::string body;
    bool limitExceeded = false;
    Status setupError;
    char errorBuffer[CURL_ERROR_SIZE] = {};
    std::chrono::steady_clock::time_point started;

    ~Transfer() {
        if (easy)
            curl_easy_cleanup(easy);
        curl_slist_free_all(headers);
        curl_slist_free_all(connectTo);
    }

    static std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
        auto* self = static_cast<Transfer*>(user);
        const std::size_t n = size * count;
        const std::uint64_t limit = self->request.bodySizeLimit;
        // libcurl hands decompressed bytes here, so the limit applies to the
        // decompressed body, as Prometheus's does.
        if (limit > 0 && self->body.size() + n > limit) {
            self->limitExceeded = true;
            return 0;  // aborts the transfer with CURLE_WRITE_ERROR
        }
        self->body.append(data, n);
        return n;
    }

    static std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
        auto* self = static_cast<Transfer*>(user);
        const std::size_t n = size * count;
        const std::string_view line(data, n);
        if (startsWithNoCase(line, "HTTP/")) {
            // A new response (after a redirect or 100-continue): start over.
            self->statusLine = std::string(trim(line));
            self->contentType.clear();
        } else if (startsWithNoCase(line, "content-type:")) {
            self->contentType = std::string(trim(line.substr(13)));
        }
        return n;
    }
};

struct HttpScraper::Impl {
    CurlGlobal* global = nullptr;
    CURLM* multi = nullptr;
    std::thread thread;
    mutable std::mutex mutex;
    std::deque<std::pair<ScrapeRequest, Callback>> pending;  // GUARDED_BY(mutex)
    bool running = false;                                    // GUARDED_BY(mutex)
    bool stopping = false;                                   // GUARDED_BY(mutex)
    std::map<CURL*, std::unique_ptr<Transfer>> transfers;    // scraper thread only
    std::atomic<std::size_t> inFlight{0};
};

HttpScraper::HttpScraper() : m_impl(std::make_unique<Impl>()) {
    static CurlGlobal global;
    m_impl->global = &global;
}

HttpScraper::~HttpScraper() {
    stop();
}

Status HttpScraper::start() {
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->running)
        return Status::ok();
    m_impl->multi = curl_multi_init();
    if (!m_impl->multi)
        return Status::error("scrape HTTP client: curl_multi_init failed");
    // Keep plenty of idle connections: one per target is the steady state.
    curl_multi_setopt(m_impl->multi, CURLMOPT_MAXCONNECTS, 100000L);
    m_impl->running = true;
    m_impl->stopping = false;
    m_impl->thread = std::thread([this] { run(); });
    return Status::ok();
}

void HttpScraper::stop() {
    {
        std::lock_guard lock(m_impl->mutex);
        if (!m_impl->running)
            return;
        m_impl->stopping = true;
    }
    curl_multi_wakeup(m_impl->multi);
    m_impl->thread.join();
    std::deque<std::pair<ScrapeRequest, Callback>> left;
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->running = false;
        left.swap(m_impl->pending);
    }
    for (auto& [request, done] : left) {
        ScrapeResponse response;
        response.status = Status::error(Status::Code::kCancelled, "scrape cancelled");
        done(std::move(response));
    }
    curl_multi_cleanup(m_impl->multi);
    m_impl->multi = nullptr;
}

void HttpScraper::submit(ScrapeRequest request, Callback done) {
    {
        std::lock_guard lock(m_impl->mutex);
        if (m_impl->running && !m_impl->stopping) {
            m_impl->pending.emplace_back(std::move(request), std::move(done));
            m_impl->inFlight.fetch_add(1, std::memory_order_relaxed);
            curl_multi_wakeup(m_impl->multi);
            return;
        }
    }
    ScrapeResponse response;
    response.status = Status::error(Status::Code::kCancelled, "scrape HTTP client not running");
    done(std::move(response));
}

std::size_t HttpScraper::inFlight() const {
    return m_impl->inFlight.load(std::memory_order_relaxed);
}

void HttpScraper::run() {
    for (;;) {
        std::deque<std::pair<ScrapeRequest, Callback>> fresh;
        bool stopping = false;
        {
            std::lock_guard lock(m_impl->mutex);
            fresh.swap(m_impl->pending);
            stopping = m_impl->stopping;
        }
        if (stopping) {
            // Put back what was not started; stop() cancels it.
            std::lock_guard lock(m_impl->mutex);
            for (auto& entry : fresh)
                m_impl->pending.push_back(std::move(entry));
            break;
        }
        for (auto& [request, done] : fresh) {
            auto transfer = std::make_unique<Transfer>();
            transfer->request = std::move(request);
            transfer->done = std::move(done);
            startTransfer(std::move(transfer));
        }

        int running = 0;
        curl_multi_perform(m_impl->multi, &running);
        int queued = 0;
        while (CURLMsg* message = curl_multi_info_read(m_impl->multi, &queued)) {
            if (message->msg == CURLMSG_DONE)
                finishTransfer(message->easy_handle, message->data.result);
        }
        int fds = 0;
        curl_multi_poll(m_impl->multi, nullptr, 0, 1000, &fds);
    }

    // Abort what is still in flight.
    for (auto& [easy, transfer] : m_impl->transfers) {
        curl_multi_remove_handle(m_impl->multi, easy);
        ScrapeResponse response;
        response.status = Status::error(Status::Code::kCancelled, "scrape cancelled");
        m_impl->inFlight.fetch_sub(1, std::memory_order_relaxed);
        transfer->done(std::move(response));
    }
    m_impl->transfers.clear();
}

void HttpScraper::startTransfer(std::unique_ptr<Transfer> transfer) {
    Transfer& t = *transfer;
    t.started = std::chrono::steady_clock::now();
    if (t.request.bodySizeHint > 0) {
        std::size_t reserve = t.request.bodySizeHint + t.request.bodySizeHint / 8;
        if (t.request.bodySizeLimit > 0)
            reserve = std::min<std::size_t>(reserve, t.request.bodySizeLimit);
        t.body.reserve(reserve);
    }
    t.easy = curl_easy_init();
    if (!t.easy) {
        ScrapeResponse response;
        response.status = Status::error("scrape HTTP client: curl_easy_init failed");
        response.started = t.started;
        m_impl->inFlight.fetch_sub(1, std::memory_order_relaxed);
        t.done(std::move(response));
        return;
    }
    CURL* easy = t.easy;
    const ScrapeRequest& request = t.request;
    const config::HttpClientConfig empty;
    const config::HttpClientConfig& http = request.http ? *request.http : empty;

    std::string url = request.url;
    std::string hostHeader;
    if (!http.tls.serverName.empty()) {
        // Go's tls.Config.ServerName changes only the name the certificate is
        // checked against (and SNI). libcurl takes both from the URL, so the
        // URL names the server name while CONNECT_TO keeps the real address
        // and the Host header keeps the original authority.
        const std::size_t schemeEnd = url.find("://");
        if (schemeEnd != std::string::npos) {
            const std::size_t hostBegin = schemeEnd + 3;
            std::size_t hostEnd = url.find_first_of("/?", hostBegin);
            if (hostEnd == std::string::npos)
                hostEnd = url.size();
            const std::string authority = url.substr(hostBegin, hostEnd - hostBegin);
            const std::size_t colon = authority.rfind(':');
            const std::string host =
                colon == std::string::npos ? authority : authority.substr(0, colon);
            const std::string port =
                colon == std::string::npos ? "443" : authority.substr(colon + 1);
            t.connectTo = curl_slist_append(
                nullptr, (http.tls.serverName + ":" + port + ":" + host + ":" + port).c_str());
            url = url.substr(0, hostBegin) + http.tls.serverName + ":" + port + url.substr(hostEnd);
            hostHeader = "Host: " + authority;
        }
    }

    t.headers =
        curl_slist_append(t.headers, ("Accept: " + std::string(kScrapeAcceptHeader)).c_str());
    {
        // Go's strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64).
        const double seconds = static_cast<double>(request.timeout.count()) / 1000.0;
        t.headers = curl_slist_append(
            t.headers, ("X-Prometheus-Scrape-Timeout-Seconds: " + formatFloatF(seconds)).c_str());
    }
    if (!hostHeader.empty())
        t.headers = curl_slist_append(t.headers, hostHeader.c_str());

    if (!http.basicAuthUsername.empty() || !http.basicAuthPassword.empty() ||
        !http.basicAuthPasswordFile.empty()) {
        std::string password = http.basicAuthPassword;
        if (!http.basicAuthPasswordFile.empty()) {
            auto secret = readSecretFile(http.basicAuthPasswordFile, "basic auth password");
            if (!secret.isOk())
                t.setupError = secret.status();
            else
                password = secret.value();
        }
        curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(easy, CURLOPT_USERNAME, http.basicAuthUsername.c_str());
        // CURLOPT_PASSWORD copies the string.
        curl_easy_setopt(easy, CURLOPT_PASSWORD, password.c_str());
    }
    if (!http.authorizationCredentials.empty() || !http.authorizationCredentialsFile.empty()) {
        std::string credentials = http.authorizationCredentials;
        if (!http.authorizationCredentialsFile.empty()) {
            auto secret =
                readSecretFile(http.authorizationCredentialsFile, "authorization credentials");
            if (!secret.isOk())
                t.setupError = secret.status();
            else
                credentials = secret.value();
        }
        const std::string type = http.authorizationType.empty() ? "Bearer" : http.authorizationType;
        t.headers =
            curl_slist_append(t.headers, ("Authorization: " + type + " " + credentials).c_str());
    }

    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t.headers);
    if (t.connectTo)
        curl_easy_setopt(easy, CURLOPT_CONNECT_TO, t.connectTo);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, scrapeUserAgent().c_str());
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    // VIGIL_CURL_VERBOSE=1 traces every transfer on stderr (debugging only).
    static const bool verbose = std::getenv("VIGIL_CURL_VERBOSE") != nullptr;
    if (verbose)
        curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, http.followRedirects ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::onBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.errorBuffer);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);
    if (!http.proxyUrl.empty())
        curl_easy_setopt(easy, CURLOPT_PROXY, http.proxyUrl.c_str());
    else
        curl_easy_setopt(easy, CURLOPT_PROXY, "");  // ignore *_proxy environment variables
    if (!http.tls.caFile.empty())
        curl_easy_setopt(easy, CURLOPT_CAINFO, http.tls.caFile.c_str());
    if (!http.tls.certFile.empty())
        curl_easy_setopt(easy, CURLOPT_SSLCERT, http.tls.certFile.c_str());
    if (!http.tls.keyFile.empty())
        curl_easy_setopt(easy, CURLOPT_SSLKEY, http.tls.keyFile.c_str());
    if (http.tls.insecureSkipVerify) {
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (http.enableHttp2)
        curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);

    if (!t.setupError.isOk()) {
        ScrapeResponse response;
        response.status = t.setupError;
        response.started = t.started;
        m_impl->inFlight.fetch_sub(1, std::memory_order_relaxed);
        t.done(std::move(response));
        return;
    }
    if (curl_multi_add_handle(m_impl->multi, easy) != CURLM_OK) {
        ScrapeResponse response;
        response.status = Status::error("scrape HTTP client: cannot add transfer");
        response.started = t.started;
        m_impl->inFlight.fetch_sub(1, std::memory_order_relaxed);
        t.done(std::move(response));
        return;
    }
    m_impl->transfers.emplace(easy, std::move(transfer));
}

void HttpScraper::finishTransfer(void* easyHandle, int curlCode) {
    CURL* easy = static_cast<CURL*>(easyHandle);
    auto it = m_impl->transfers.find(easy);
    if (it == m_impl->transfers.end())
        return;
    std::unique_ptr<Transfer> transfer = std::move(it->second);
    m_impl->transfers.erase(it);
    curl_multi_remove_handle(m_impl->multi, easy);

    Transfer& t = *transfer;
    ScrapeResponse response;
    response.started = t.started;
    response.duration = std::chrono::steady_clock::now() - t.started;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.httpStatus);
    curl_off_t wire = 0;
    curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &wire);
    response.wireBytes = static_cast<std::uint64_t>(wire);

    const auto code = static_cast<CURLcode>(curlCode);
    if (t.limitExceeded) {
        response.status =
            Status::error(Status::Code::kResourceExhausted, std::string(kBodySizeLimitError));
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        response.status = Status::error("Get \"" + t.request.url + "\": context deadline exceeded");
    } else if (code != CURLE_OK) {
        const std::string detail = t.errorBuffer[0] ? t.errorBuffer : curl_easy_strerror(code);
        response.status = Status::error("Get \"" + t.request.url + "\": " + detail);
    } else if (response.httpStatus != 200) {
        // Prometheus: "server returned HTTP status 404 Not Found".
        std::string status = std::to_string(response.httpStatus);
        const std::size_t space = t.statusLine.find(' ');
        if (space != std::string::npos)
            status = std::string(trim(std::string_view(t.statusLine).substr(space + 1)));
        response.status = Status::error("server returned HTTP status " + status);
    } else {
        response.contentType = std::move(t.contentType);
        response.body = std::move(t.body);
    }
    m_impl->inFlight.fetch_sub(1, std::memory_order_relaxed);
    t.done(std::move(response));
}

}  // namespace vigil::scrape
