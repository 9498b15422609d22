#include "core/notify/receivers/alertmanager_forwarder.h"

#include <yaml-cpp/yaml.h>

#include <ctime>
#include <future>

#include "core/config/config_errors.h"
#include "core/config/yaml_map_reader.h"
#include "core/notify/receivers/notification_data.h"

namespace vigil::notify::receivers {

using config::ConfigErrors;
using config::YamlMapReader;

std::vector<std::string> AlertmanagerSetConfig::urls() const {
    std::string prefix = pathPrefix;
    while (!prefix.empty() && prefix.back() == '/')
        prefix.pop_back();
    if (!prefix.empty() && prefix.front() != '/')
        prefix = "/" + prefix;
    std::vector<std::string> out;
    for (const auto& t : targets)
        out.push_back(scheme + "://" + t + prefix + "/api/v2/alerts");
    return out;
}

namespace {

void readAlertmanagerSet(const YAML::Node& node, const std::string& path, ConfigErrors& errors,
                         AlertmanagerSetConfig& set) {
    YamlMapReader r(node, errors, path);
    r.readEnum("scheme", set.scheme, {"http", "https"});
    r.read("path_prefix", set.pathPrefix);
    r.readDuration("timeout", set.timeout);
    std::string apiVersion = "v2";
    if (r.read("api_version", apiVersion) && apiVersion != "v2") {
        errors.add(r.child("api_version").Mark(),
                   r.childPath("api_version") + ": unsupported Alertmanager API version \"" +
                       apiVersion + "\" (only v2; Alertmanager 0.27 removed v1)");
    }
    set.http = readHttpClientOptions(r);
    if (YAML::Node statics = r.child("static_configs"); statics && statics.IsSequence()) {
        for (std::size_t i = 0; i < statics.size(); ++i) {
            YamlMapReader s(statics[i], errors,
                            r.childPath("static_configs") + "[" + std::to_string(i) + "]");
            std::vector<std::string> targets;
            s.read("targets", targets);
            for (const auto& t : targets) {
                if (t.empty() || t.find('/') != std::string::npos) {
                    errors.add(s.child("targets").Mark(), s.childPath("targets") + ": \"" + t +
                                                              "\" is not a valid host:port target");
                    continue;
                }
                set.targets.push_back(t);
            }
            s.warnUnsupported({"labels"});
            s.finish();
        }
    } else if (statics && !statics.IsNull()) {
        errors.add(statics.Mark(), r.childPath("static_configs") + ": expected a list");
    }
    r.warnUnsupported({"relabel_configs", "alert_relabel_configs"});
    for (const char* sd : {"file_sd_configs", "dns_sd_configs", "consul_sd_configs",
                           "kubernetes_sd_configs", "http_sd_configs", "ec2_sd_configs"}) {
        if (r.has(sd)) {
            errors.add(r.keyMark(sd), r.childPath(sd) +
                                          ": service discovery for Alertmanagers is not supported "
                                          "by Vigil; list them in static_configs");
            r.child(sd);
        }
    }
    r.finish();
}

}  // namespace

Result<LoadedAlertingConfig> parseAlertingConfig(std::string_view prometheusYml,
                                                 const std::string& fileName) {
    ConfigErrors errors(fileName);
    LoadedAlertingConfig loaded;
    YAML::Node root;
    try {
        root = YAML::Load(std::string(prometheusYml));
    } catch (const YAML::Exception& e) {
        errors.add(e.mark, e.msg);
        return errors.toStatus();
    }
    if (!root.IsMap())
        return loaded;
    const YAML::Node alerting = root["alerting"];
    if (!alerting || alerting.IsNull())
        return loaded;
    YamlMapReader r(alerting, errors, "alerting");
    r.warnUnsupported({"alert_relabel_configs"});
    if (YAML::Node list = r.child("alertmanagers"); list && list.IsSequence()) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            AlertmanagerSetConfig set;
            readAlertmanagerSet(
                list[i], r.childPath("alertmanagers") + "[" + std::to_string(i) + "]", errors, set);
            loaded.config.alertmanagers.push_back(std::move(set));
        }
    } else if (list && !list.IsNull()) {
        errors.add(list.Mark(), r.childPath("alertmanagers") + ": expected a list");
    }
    r.finish();
    if (!errors.empty())
        return errors.toStatus();
    loaded.warnings = errors.warnings();
    return loaded;
}

namespace {

// go-openapi strfmt.DateTime: RFC 3339 with milliseconds, UTC.
std::string formatApiTime(model::Timestamp ms) {
    std::int64_t secs = ms / 1000;
    int frac = static_cast<int>(ms % 1000);
    if (frac < 0) {
        frac += 1000;
        --secs;
    }
    const std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return buf;
}

}  // namespace

std::string AlertmanagerForwarder::encodeBatch(const std::vector<model::Alert>& alerts) {
    std::string out = "[";
    for (std::size_t i = 0; i < alerts.size(); ++i) {
        const model::Alert& a = alerts[i];
        if (i)
            out += ',';
        out += "{\"labels\":";
        appendGoJsonLabels(out, a.labels);
        if (!a.annotations.empty()) {
            out += ",\"annotations\":";
            appendGoJsonLabels(out, a.annotations);
        }
        if (a.startsAtMs != 0)
            out += ",\"startsAt\":\"" + formatApiTime(a.startsAtMs) + "\"";
        if (a.endsAtMs != 0)
            out += ",\"endsAt\":\"" + formatApiTime(a.endsAtMs) + "\"";
        if (!a.generatorUrl.empty()) {
            out += ",\"generatorURL\":";
            appendGoJsonString(out, a.generatorUrl);
        }
        out += '}';
    }
    out += "]";
    return out;
}

AlertmanagerForwarder::AlertmanagerForwarder(AlertingConfig config,
                                             std::shared_ptr<Transport> transport, Options options)
    : m_config(std::move(config)),
      m_options(options),
      m_transport(transport ? std::move(transport) : std::make_shared<Transport>()) {
    m_thread = std::thread([this] { run(); });
}

AlertmanagerForwarder::AlertmanagerForwarder(AlertingConfig config,
                                             std::shared_ptr<Transport> transport)
    : AlertmanagerForwarder(std::move(config), std::move(transport), Options{}) {}

AlertmanagerForwarder::~AlertmanagerForwarder() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void AlertmanagerForwarder::send(std::vector<model::Alert> alerts) {
    {
        std::lock_guard lock(m_mutex);
        const std::size_t cap = m_options.queueCapacity;
        std::size_t skip = 0;
        // Prometheus: more alerts than the queue holds -> keep the newest.
        if (alerts.size() > cap) {
            skip = alerts.size() - cap;
            m_stats.dropped += skip;
        }
        const std::size_t incoming = alerts.size() - skip;
        if (m_queue.size() + incoming > cap) {
            const std::size_t drop = m_queue.size() + incoming - cap;
            m_queue.erase(m_queue.begin(), m_queue.begin() + static_cast<std::ptrdiff_t>(drop));
            m_stats.dropped += drop;
        }
        for (std::size_t i = skip; i < alerts.size(); ++i)
            m_queue.push_back(std::move(alerts[i]));
        m_stats.queueLength = m_queue.size();
    }
    m_wake.notify_one();
}

AlertmanagerForwarder::Stats AlertmanagerForwarder::stats() const {
    std::lock_guard lock(m_mutex);
    return m_stats;
}

bool AlertmanagerForwarder::waitIdle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_idle.wait_for(lock, timeout, [this] { return m_queue.empty() && !m_busy; });
}

void AlertmanagerForwarder::run() {
    for (;;) {
        std::vector<model::Alert> batch;
        {
            std::unique_lock lock(m_mutex);
            m_busy = false;
            if (m_queue.empty())
                m_idle.notify_all();
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_stopping)
                return;
            const std::size_t n = std::min(m_queue.size(), m_options.maxBatchSize);
            batch.assign(std::make_move_iterator(m_queue.begin()),
                         std::make_move_iterator(m_queue.begin() + static_cast<std::ptrdiff_t>(n)));
            m_queue.erase(m_queue.begin(), m_queue.begin() + static_cast<std::ptrdiff_t>(n));
            m_stats.queueLength = m_queue.size();
            m_busy = true;
        }
        const bool ok = sendBatch(batch);
        std::lock_guard lock(m_mutex);
        ++m_stats.batches;
        (ok ? m_stats.sent : m_stats.dropped) += batch.size();
    }
}

bool AlertmanagerForwarder::sendBatch(const std::vector<model::Alert>& batch) {
    const std::string body = encodeBatch(batch);
    std::vector<std::future<TransportResponse>> pending;
    std::vector<std::string> urls;
    for (const auto& set : m_config.alertmanagers) {
        for (const auto& url : set.urls()) {
            TransportRequest request;
            request.url = url;
            request.headers = {"Content-Type: application/json"};
            request.body = body;
            request.http = set.http;
            request.timeout = set.timeout;
            request.userAgent = "Vigil (Prometheus notifier compatible)";
            auto promise = std::make_shared<std::promise<TransportResponse>>();
            pending.push_back(promise->get_future());
            urls.push_back(url);
            m_transport->submit(std::move(request), [promise](TransportResponse r) {
                promise->set_value(std::move(r));
            });
        }
    }
    std::size_t successes = 0;
    for (std::size_t i = 0; i < pending.size(); ++i) {
        const TransportResponse r = pending[i].get();
        if (r.transportOk() && r.status / 100 == 2) {
            ++successes;
            continue;
        }
        std::lock_guard lock(m_mutex);
        ++m_stats.errors;
        m_stats.lastError =
            urls[i] + ": " +
            (r.transportOk() ? "bad response status " + std::to_string(r.status) : r.error);
    }
    return successes > 0;
}

}  // namespace vigil::notify::receivers
