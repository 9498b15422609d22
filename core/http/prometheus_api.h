#pragma once

#include <functional>
#include <memory>

#include "core/model/storage.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace vigil::promql {
class Engine;
}

namespace vigil::http {

// What the Prometheus HTTP API reads from. Both must outlive the server.
struct PrometheusApiContext {
    model::Storage* storage = nullptr;
    promql::Engine* engine = nullptr;
    // Answers GET /api/v1/metadata (the scrape manager's metadata store);
    // when empty, the endpoint answers an empty object.
    std::function<void(const httplib::Request&, httplib::Response&)> metadata;
};

// Installs Prometheus's query API on `server`, with its JSON shapes, error
// types and status codes (so Grafana can use Vigil as a Prometheus data
// source): GET/POST /api/v1/query, /api/v1/query_range, /api/v1/series,
// /api/v1/labels, /api/v1/label/<name>/values, /api/v1/metadata and
// /api/v1/status/buildinfo.
void installPrometheusApi(httplib::Server& server, PrometheusApiContext context);

// Prometheus's parameter parsing, exposed for tests.
// Times: RFC 3339 or Unix seconds with up to millisecond precision.
Result<model::Timestamp> parseApiTime(std::string_view text);
// Durations: a Prometheus duration ("15s") or seconds as a float ("15.5").
Result<std::int64_t> parseApiDurationMs(std::string_view text);

}  // namespace vigil::http
