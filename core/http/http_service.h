#pragma once

#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/config/vigil_config.h"
#include "core/engine/service.h"

namespace httplib {
class Server;
}

namespace vigil::instrument {
class MetricRegistry;
class Counter;
}  // namespace vigil::instrument

namespace vigil::http {

// The embedded HTTP listener (cpp-httplib). It serves /-/healthy, /-/ready and
// /metrics; later subsystems add the Prometheus and Loki APIs and the
// receivers. The socket is bound in start() so that a taken port is reported
// at once; requests are then served by cpp-httplib's worker pool while one
// thread owned by this service runs the accept loop.
class HttpService : public engine::Service {
    Q_OBJECT
public:
    // `registry` and `isReady` must outlive the service. `isReady` is called
    // on request threads.
    HttpService(config::VigilConfig::Server settings, instrument::MetricRegistry& registry,
                std::function<bool()> isReady);
    ~HttpService() override;

    // The address actually bound ("127.0.0.1:40123" when port 0 was asked).
    // Valid while running.
    std::string boundAddress() const;

    // Adds routes of another subsystem (query APIs, receivers). Installers
    // run in start(), on a fresh server each time. REQUIRES: not running.
    using RouteInstaller = std::function<void(httplib::Server&)>;
    void addRoutes(RouteInstaller installer);

protected:
    Status doStart() override;
    void doStop() override;

private:
    void installRoutes();

    config::VigilConfig::Server m_settings;
    instrument::MetricRegistry& m_registry;
    std::vector<RouteInstaller> m_installers;

    std::function<bool()> m_isReady;
    std::unique_ptr<httplib::Server> m_server;
    std::thread m_acceptThread;
    std::atomic<int> m_boundPort{0};
    std::atomic<bool> m_stopping{false};
};

}  // namespace vigil::http
