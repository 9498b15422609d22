#pragma once

// Shared pieces of the scrape manager tests: a loopback exposition server
// (cpp-httplib on 127.0.0.1, ephemeral port) whose pages the tests set, and
// helpers reading series back from an InMemoryStorage.

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/model/in_memory_storage.h"
#include "core/model/matcher.h"

namespace vigil::test {

inline std::string readTestFile(const std::string& relative) {
    std::ifstream in(std::string(VIGIL_TEST_DATA_DIR) + "/" + relative, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::string headerValue(const httplib::Headers& headers, const std::string& name) {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

// A page the server returns for one path.
struct Page {
    std::string body;
    std::string contentType = "text/plain; version=0.0.4; charset=utf-8";
    std::string contentEncoding;  // "gzip" to send `body` as already compressed
    int status = 200;
    std::chrono::milliseconds delay{0};
};

class ExpositionServer {
public:
    ExpositionServer() {
        m_server.Get(".*", [this](const httplib::Request& request, httplib::Response& response) {
            Page page;
            bool found = false;
            {
                std::lock_guard lock(m_mutex);
                m_requests[request.path].push_back(request.headers);
                m_remotePorts[request.path].push_back(request.remote_port);
                auto it = m_pages.find(request.path);
                if (it != m_pages.end()) {
                    page = it->second;
                    found = true;
                }
            }
            if (!found) {
                response.status = 404;
                return;
            }
            if (page.delay.count() > 0)
                std::this_thread::sleep_for(page.delay);
            response.status = page.status;
            if (!page.contentEncoding.empty())
                response.set_header("Content-Encoding", page.contentEncoding);
            response.set_content(page.body, page.contentType);
        });
        // Keep-alive connections hold a thread each: room for every client.
        m_server.new_task_queue = [] { return new httplib::ThreadPool(96); };
        m_server.set_keep_alive_max_count(1000);
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        // The socket listens from bind_to_any_port on; connections queue until
        // the loop runs. Wait for it anyway so that stop() finds it running.
        while (!m_server.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~ExpositionServer() {
        m_server.stop();
        m_thread.join();
    }

    int port() const { return m_port; }
    std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }

    void setPage(const std::string& path, Page page) {
        std::lock_guard lock(m_mutex);
        m_pages[path] = std::move(page);
    }
    void removePage(const std::string& path) {
        std::lock_guard lock(m_mutex);
        m_pages.erase(path);
    }
    // Headers of every request made to `path` so far.
    std::vector<httplib::Headers> requests(const std::string& path) const {
        std::lock_guard lock(m_mutex);
        auto it = m_requests.find(path);
        return it == m_requests.end() ? std::vector<httplib::Headers>{} : it->second;
    }
    std::size_t requestCount(const std::string& path) const { return requests(path).size(); }
    // The Host header of every request, whatever its path.
    std::vector<std::string> hosts() const {
        std::lock_guard lock(m_mutex);
        std::vector<std::string> out;
        for (const auto& [path, list] : m_requests) {
            for (const auto& headers : list)
                out.push_back(headerValue(headers, "Host"));
        }
        return out;
    }
    // The client port of every request to `path` (equal ports: one kept-alive connection).
    std::vector<int> remotePorts(const std::string& path) const {
        std::lock_guard lock(m_mutex);
        auto it = m_remotePorts.find(path);
        return it == m_remotePorts.end() ? std::vector<int>{} : it->second;
    }

private:
    httplib::Server m_server;
    int m_port = 0;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::map<std::string, Page> m_pages;
    std::map<std::string, std::vector<httplib::Headers>> m_requests;
    std::map<std::string, std::vector<int>> m_remotePorts;
};

// Every series matching `matchers` (PromQL-style `name="value"` pairs, all
// equality) with its samples.
inline std::map<model::Labels, std::vector<model::Sample>> selectSeries(
    model::Storage& storage, const std::vector<std::pair<std::string, std::string>>& matchers) {
    std::vector<model::Matcher> ms;
    for (const auto& [name, value] : matchers)
        ms.push_back(model::Matcher::make(model::MatchType::kEqual, name, value).value());
    auto querier = storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    auto set = querier->select(ms);
    std::map<model::Labels, std::vector<model::Sample>> out;
    if (!set.isOk())
        return out;
    while (set.value()->next()) {
        std::vector<model::Sample> samples;
        auto it = set.value()->iterator();
        (void)model::collectSamples(*it, samples);
        out[set.value()->labels()] = std::move(samples);
    }
    return out;
}

// The samples of the one series named `name` with `instance` (empty when absent).
inline std::vector<model::Sample> seriesSamples(model::Storage& storage, const std::string& name,
                                                const std::string& instance = {}) {
    std::vector<std::pair<std::string, std::string>> matchers{{"__name__", name}};
    if (!instance.empty())
        matchers.emplace_back("instance", instance);
    auto all = selectSeries(storage, matchers);
    return all.empty() ? std::vector<model::Sample>{} : all.begin()->second;
}

// Polls `condition` every 20 ms until it holds or `timeout` passes.
template <typename Fn>
bool waitFor(Fn&& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
}

}  // namespace vigil::test
