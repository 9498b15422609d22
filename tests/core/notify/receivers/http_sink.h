#pragma once

// Test support: an HTTP server on 127.0.0.1 (ephemeral port) that records
// every request and answers with a scripted status.

#include <httplib.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::test {

class HttpSink {
public:
    struct Request {
        std::string method, path, contentType, userAgent, authorization, body;
    };

    // `status(path, n)`: the answer to the n-th (0-based) request to `path`.
    explicit HttpSink(std::function<int(const std::string&, int)> status = {})
        : m_status(std::move(status)) {
        auto handler = [this](const httplib::Request& req, httplib::Response& res) {
            int n = 0;
            {
                std::lock_guard lock(m_mutex);
                for (const auto& r : m_requests)
                    n += r.path == req.path ? 1 : 0;
                m_requests.push_back({req.method, req.path, req.get_header_value("Content-Type"),
                                      req.get_header_value("User-Agent"),
                                      req.get_header_value("Authorization"), req.body});
            }
            if (m_delayMs > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(m_delayMs));
            res.status = m_status ? m_status(req.path, n) : 200;
            res.set_content(res.status / 100 == 2 ? "ok" : "sink says no", "text/plain");
        };
        m_server.Post(".*", handler);
        m_server.Get(".*", handler);
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        while (!m_server.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~HttpSink() {
        m_server.stop();
        m_thread.join();
    }

    int port() const { return m_port; }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }
    void setDelayMs(int ms) { m_delayMs = ms; }
    std::vector<Request> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }
    void clear() {
        std::lock_guard lock(m_mutex);
        m_requests.clear();
    }

private:
    std::function<int(const std::string&, int)> m_status;
    std::atomic<int> m_delayMs{0};
    httplib::Server m_server;
    int m_port = 0;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::vector<Request> m_requests;
};

}  // namespace vigil::test
