#include "core/http/http_service.h"

#include <httplib.h>

#include <QLoggingCategory>

#include "core/instrument/metric_registry.h"

namespace vigil::http {

Q_LOGGING_CATEGORY(lcHttp, "vigil.http")

namespace {

// The handler label of vigil_http_requests_total: the route, with path
// parameters folded so that the label set stays bounded.
std::string handlerLabel(const std::string& path) {
    static const std::string kLabelValues = "/api/v1/label/";
    if (path.rfind(kLabelValues, 0) == 0)
        return "/api/v1/label/:name/values";
    static const char* const kPrefixes[] = {"/-/", "/api/v1/", "/loki/api/v1/"};
    for (const char* prefix : kPrefixes) {
        if (path.rfind(prefix, 0) == 0 && path.size() < 64)
            return path;
    }
    return path == "/metrics" ? path : "other";
}

constexpr const char* kTextPlain = "text/plain; charset=utf-8";
constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";
}  // namespace

HttpService::HttpService(config::VigilConfig::Server settings, instrument::MetricRegistry& registry,
                         std::function<bool()> isReady)
    : Service(QStringLiteral("http")),
      m_settings(std::move(settings)),
      m_registry(registry),
      m_isReady(std::move(isReady)) {}

void HttpService::addRoutes(RouteInstaller installer) {
    m_installers.push_back(std::move(installer));
}

HttpService::~HttpService() {
    stop();
}

std::string HttpService::boundAddress() const {
    config::ListenAddress address = m_settings.listen;
    address.port = m_boundPort.load();
    return address.toString();
}

void HttpService::installRoutes() {
    httplib::Server& server = *m_server;

    server.Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("Vigil is Healthy.\n", kTextPlain);
    });
    server.Get("/-/ready", [this](const httplib::Request&, httplib::Response& res) {
        if (m_isReady && m_isReady()) {
            res.set_content("Vigil is Ready.\n", kTextPlain);
        } else {
            res.status = 503;
            res.set_content("Service Unavailable\n", kTextPlain);
        }
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(m_registry.render(), kExpositionContentType);
    });

    // Unknown paths get Prometheus's plain 404 body; other error statuses
    // (413 for an oversized body, 414 for a long URI) say what went wrong.
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        switch (res.status) {
            case 404:
                res.set_content("404 page not found\n", kTextPlain);
                break;
            case 413:
                res.set_content(
                    "413 request body too large (see server.max_request_size in vigil.yml)\n",
                    kTextPlain);
                break;
            default:
                if (res.body.empty()) {
                    res.set_content("HTTP status " + std::to_string(res.status) + "\n", kTextPlain);
                }
        }
    });
    for (const auto& install : m_installers)
        install(server);
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
        m_registry
            .counter("vigil_http_requests_total",
                     "HTTP requests served by Vigil's listener, by handler and status code.",
                     model::Labels{{"handler", res.status == 404 ? std::string("other")
                                                                 : handlerLabel(req.path)},
                                   {"code", std::to_string(res.status)}})

            .inc();
    });
}

Status HttpService::doStart() {
    m_server = std::make_unique<httplib::Server>();
    m_server->set_payload_max_length(m_settings.maxRequestBytes);
    // httplib's default also sets SO_REUSEPORT, which would let a second Vigil
    // bind the same port and share the traffic. SO_REUSEADDR alone keeps
    // restarts quick while a taken port is refused.
    m_server->set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    m_server->set_read_timeout(30, 0);
    m_server->set_write_timeout(30, 0);
    m_server->set_keep_alive_max_count(100);
    installRoutes();

    const std::string& host = m_settings.listen.host;
    int port = m_settings.listen.port;
    if (port == 0) {
        port = m_server->bind_to_any_port(host);
        if (port < 0)
            port = 0;
    } else if (!m_server->bind_to_port(host, port)) {
        port = 0;
    }
    if (port == 0) {
        m_server.reset();
        return Status::error(
            Status::Code::kUnavailable,
            "cannot listen on " + m_settings.listen.toString() +
                ": the address is in use or not available (set server.listen in vigil.yml or "
                "pass --listen ADDR:PORT)");
    }
    m_boundPort = port;
    m_stopping = false;
    m_acceptThread = std::thread([this] {
        const bool ok = m_server->listen_after_bind();
        if (!ok && !m_stopping.load())
            reportFailure(QStringLiteral("the HTTP accept loop ended unexpectedly"));
    });
    // httplib's stop() is a no-op until the accept loop runs, so a stop()
    // right after start() would hang: wait for the loop to be up.
    for (int i = 0; i < 5000 && !m_server->is_running(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    qCInfo(lcHttp).noquote() << "listening on" << QString::fromStdString(boundAddress());
    return Status::ok();
}

void HttpService::doStop() {
    m_stopping = true;
    if (m_server)
        m_server->stop();
    if (m_acceptThread.joinable())
        m_acceptThread.join();
    m_server.reset();
    m_boundPort = 0;
}

}  // namespace vigil::http
