#include "core/notify/receivers/transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <map>

namespace vigil::notify::receivers {

namespace {

constexpr std::size_t kMaxResponseBody = 4096;

void ensureCurlGlobalInit() {
    static const bool initialised = [] {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        return true;
    }();
    (void)initialised;
}

}  // namespace

struct Transport::Job {
    TransportRequest request;
    Callback done;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    curl_slist* recipients = nullptr;
    std::string response;
    std::size_t uploadOffset = 0;
    char errorBuffer[CURL_ERROR_SIZE] = {};
    std::chrono::steady_clock::time_point started;

    ~Job() {
        if (headers)
            curl_slist_free_all(headers);
        if (recipients)
            curl_slist_free_all(recipients);
        if (easy)
            curl_easy_cleanup(easy);
    }

    static size_t write(char* data, size_t size, size_t n, void* self) {
        auto* job = static_cast<Job*>(self);
        const size_t bytes = size * n;
        const size_t room = kMaxResponseBody - std::min(kMaxResponseBody, job->response.size());
        job->response.append(data, std::min(room, bytes));
        return bytes;
    }

    static size_t read(char* buffer, size_t size, size_t n, void* self) {
        auto* job = static_cast<Job*>(self);
        const std::string& body = job->request.body;
        const size_t bytes = std::min(size * n, body.size() - job->uploadOffset);
        std::memcpy(buffer, body.data() + job->uploadOffset, bytes);
        job->uploadOffset += bytes;
        return bytes;
    }

    void applyTls(const std::string& caFile, const std::string& certFile,
                  const std::string& keyFile, bool insecure) {
        if (!caFile.empty())
            curl_easy_setopt(easy, CURLOPT_CAINFO, caFile.c_str());
        if (!certFile.empty())
            curl_easy_setopt(easy, CURLOPT_SSLCERT, certFile.c_str());
        if (!keyFile.empty())
            curl_easy_setopt(easy, CURLOPT_SSLKEY, keyFile.c_str());
        if (insecure) {
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
        }
    }

    void setup() {
        easy = curl_easy_init();
        const TransportRequest& r = request;
        curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
        curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
        curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errorBuffer);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(std::min<std::int64_t>(r.timeout.count(), 10000)));
        if (r.kind == TransportRequest::Kind::kHttp) {
            for (const auto& h : r.headers)
                headers = curl_slist_append(headers, h.c_str());
            // No "Expect: 100-continue" round trip for larger bodies.
            headers = curl_slist_append(headers, "Expect:");
            curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
            curl_easy_setopt(easy, CURLOPT_USERAGENT, r.userAgent.c_str());
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
            if (r.method != "GET") {
                curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.data());
                curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                                 static_cast<curl_off_t>(r.body.size()));
            }
            curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Job::write);
            curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
            curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, r.http.followRedirects ? 1L : 0L);
            if (!r.http.basicAuthUser.empty()) {
                curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
                curl_easy_setopt(easy, CURLOPT_USERNAME, r.http.basicAuthUser.c_str());
                curl_easy_setopt(easy, CURLOPT_PASSWORD, r.http.basicAuthPassword.c_str());
            }
            if (!r.http.authorizationCredentials.empty()) {
                headers = curl_slist_append(headers, ("Authorization: " + r.http.authorizationType +
                                                      " " + r.http.authorizationCredentials)
                                                         .c_str());
            }
            if (!r.http.proxyUrl.empty())
                curl_easy_setopt(easy, CURLOPT_PROXY, r.http.proxyUrl.c_str());
            applyTls(r.http.caFile, r.http.certFile, r.http.keyFile, r.http.insecureSkipVerify);
        } else {
            curl_easy_setopt(easy, CURLOPT_MAIL_FROM, ("<" + r.mailFrom + ">").c_str());
            for (const auto& to : r.mailTo)
                recipients = curl_slist_append(recipients, ("<" + to + ">").c_str());
            curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, recipients);
            curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Job::read);
            curl_easy_setopt(easy, CURLOPT_READDATA, this);
            curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE,
                             static_cast<curl_off_t>(r.body.size()));
            if (r.smtpStartTls)
                curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
            if (!r.smtpUser.empty()) {
                curl_easy_setopt(easy, CURLOPT_USERNAME, r.smtpUser.c_str());
                curl_easy_setopt(easy, CURLOPT_PASSWORD, r.smtpPassword.c_str());
            }
            applyTls(r.smtpTls.caFile, r.smtpTls.certFile, r.smtpTls.keyFile,
                     r.smtpTls.insecureSkipVerify);
        }
        // curl_easy_setopt copies strings, but CURLOPT_HTTPHEADER keeps the
        // list: re-set it after the Authorization append.
        if (headers)
            curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        started = std::chrono::steady_clock::now();
    }
};

Transport::Transport() {
    ensureCurlGlobalInit();
    m_multi = curl_multi_init();
    m_thread = std::thread([this] { run(); });
}

Transport::~Transport() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    curl_multi_wakeup(static_cast<CURLM*>(m_multi));
    m_thread.join();
    curl_multi_cleanup(static_cast<CURLM*>(m_multi));
}

void Transport::submit(TransportRequest request, Callback done) {
    auto job = std::make_unique<Job>();
    job->request = std::move(request);
    job->done = std::move(done);
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            TransportResponse response;
            response.error = "transport stopped";
            job->done(std::move(response));
            return;
        }
        m_queue.push_back(std::move(job));
        ++m_inFlight;
    }
    curl_multi_wakeup(static_cast<CURLM*>(m_multi));
}

TransportResponse Transport::perform(TransportRequest request) {
    auto promise = std::make_shared<std::promise<TransportResponse>>();
    auto future = promise->get_future();
    submit(std::move(request),
           [promise](TransportResponse r) { promise->set_value(std::move(r)); });
    return future.get();
}

std::size_t Transport::inFlight() const {
    std::lock_guard lock(m_mutex);
    return m_inFlight;
}

void Transport::run() {
    auto* multi = static_cast<CURLM*>(m_multi);
    std::map<CURL*, std::unique_ptr<Job>> running;
    auto finish = [&](std::unique_ptr<Job> job, TransportResponse response) {
        response.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - job->started);
        job->done(std::move(response));
        std::lock_guard lock(m_mutex);
        --m_inFlight;
    };
    for (;;) {
        std::deque<std::unique_ptr<Job>> incoming;
        bool stopping = false;
        {
            std::lock_guard lock(m_mutex);
            incoming.swap(m_queue);
            stopping = m_stopping;
        }
        if (stopping) {
            for (auto& job : incoming) {
                TransportResponse r;
                r.error = "transport stopped";
                job->started = std::chrono::steady_clock::now();
                finish(std::move(job), std::move(r));
            }
            for (auto& [easy, job] : running) {
                curl_multi_remove_handle(multi, easy);
                TransportResponse r;
                r.error = "transport stopped";
                finish(std::move(job), std::move(r));
            }
            return;
        }
        for (auto& job : incoming) {
            job->setup();
            curl_multi_add_handle(multi, job->easy);
            running.emplace(job->easy, std::move(job));
        }
        int stillRunning = 0;
        curl_multi_perform(multi, &stillRunning);
        int queued = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL* easy = msg->easy_handle;
            const CURLcode code = msg->data.result;
            curl_multi_remove_handle(multi, easy);
            auto it = running.find(easy);
            if (it == running.end())
                continue;
            std::unique_ptr<Job> job = std::move(it->second);
            running.erase(it);
            TransportResponse response;
            long status = 0;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            response.status = static_cast<int>(status);
            if (code != CURLE_OK) {
                response.error = job->errorBuffer[0] ? job->errorBuffer : curl_easy_strerror(code);
            }
            response.body = std::move(job->response);
            finish(std::move(job), std::move(response));
        }
        curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
}

}  // namespace vigil::notify::receivers
