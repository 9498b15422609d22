#pragma once

// Prometheus's HTTP API over the scrape manager, with Prometheus 2.42's JSON
// shapes, parameters and errors:
//
//   GET /api/v1/targets           ?state=active|dropped|any &scrapePool=JOB
//   GET /api/v1/targets/metadata  ?match_target=SELECTOR &metric=NAME &limit=N
//   GET /api/v1/metadata          ?metric=NAME &limit=N  (handleMetadata)
//
// The handlers copy what they need out of the manager (brief mutexes, never a
// wait on a scrape) and render without holding any lock.
//
// Thread-safety: the handlers run on the listener's worker threads; the
// manager getter must be callable from them.

#include <functional>
#include <string>
#include <string_view>

#include "core/scrape/scrape_manager.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace vigil::scrape {

// Returns the manager to read from, or null when nothing is scraped (the
// endpoints then answer as Prometheus does without targets).
using ScrapeManagerGetter = std::function<const ScrapeManager*()>;

// Installs /api/v1/targets and /api/v1/targets/metadata on `server`.
void installScrapeApi(httplib::Server& server, ScrapeManagerGetter manager);

// GET /api/v1/metadata: metadata per metric family over all active targets,
// each distinct (type, help, unit) once.
void handleMetadata(const ScrapeManager* manager, const httplib::Request& req,
                    httplib::Response& res);

// --- The JSON renderings, exposed for tests (the "data" member only). ---

// `state`: "", "any", "active" or "dropped" (lower-cased by the caller);
// `scrapePool`: empty for every job.
std::string renderTargetsJson(const TargetsSnapshot& targets, std::string_view state,
                              std::string_view scrapePool);
// `limit` < 0: no limit on the number of metric families.
std::string renderMetadataJson(const std::vector<TargetMetadata>& targets, std::string_view metric,
                               long long limit);

// Go's time.Time JSON (RFC 3339 with trailing zeros of the fraction cut, UTC);
// the epoch of the clock means "never" and renders as Go's zero time.
std::string formatApiTime(std::chrono::system_clock::time_point t);

// Prometheus's globalUrl: the scrape URL with a loopback host replaced by
// this machine's host name, so that a link works from elsewhere.
std::string globalUrl(const std::string& scrapeUrl);

}  // namespace vigil::scrape
