#include "core/scrape/scrape_pool.h"

#include <sstream>

#include "core/util/human_units.h"

namespace vigil::scrape {

namespace {

void writeLabels(std::ostringstream& out, const model::Labels& labels) {
    out << labels.toString() << '\n';
}

void writeRelabel(std::ostringstream& out, const std::vector<RelabelConfig>& configs) {
    for (const RelabelConfig& c : configs) {
        out << "relabel[";
        for (const std::string& s : c.sourceLabels)
            out << s.size() << ':' << s << ',';
        out << "] " << c.separator.size() << ':' << c.separator << ' ' << c.regex.pattern().size()
            << ':' << c.regex.pattern() << ' ' << c.modulus << ' ' << c.targetLabel.size() << ':'
            << c.targetLabel << ' ' << c.replacement.size() << ':' << c.replacement << ' '
            << relabelActionName(c.action) << '\n';
    }
}

std::string fileSdKey(std::size_t index) {
    return "file_sd/" + std::to_string(index);
}

}  // namespace

std::string scrapeConfigFingerprint(const config::ScrapeConfig& c) {
    std::ostringstream out;
    auto str = [&](const std::string& s) { out << s.size() << ':' << s << '\n'; };
    str(c.jobName);
    out << c.honorLabels << c.honorTimestamps << ' ' << c.scrapeInterval.count() << ' '
        << c.scrapeTimeout.count() << '\n';
    for (const auto& [name, values] : c.params) {
        str(name);
        for (const auto& v : values)
            str(v);
    }
    str(c.metricsPath);
    str(c.scheme);
    const config::HttpClientConfig& h = c.http;
    for (const std::string* s :
         {&h.basicAuthUsername, &h.basicAuthPassword, &h.basicAuthPasswordFile,
          &h.authorizationType, &h.authorizationCredentials, &h.authorizationCredentialsFile,
          &h.tls.caFile, &h.tls.certFile, &h.tls.keyFile, &h.tls.serverName, &h.proxyUrl})
        str(*s);
    out << h.tls.insecureSkipVerify << h.followRedirects << h.enableHttp2 << '\n';
    out << c.sampleLimit << ' ' << c.targetLimit << ' ' << c.labelLimit << ' '
        << c.labelNameLengthLimit << ' ' << c.labelValueLengthLimit << ' ' << c.bodySizeLimit
        << '\n';
    for (const auto& sc : c.staticConfigs) {
        out << "static\n";
        for (const auto& t : sc.targets)
            str(t);
        writeLabels(out, sc.labels);
    }
    for (const auto& fc : c.fileSdConfigs) {
        out << "file_sd " << fc.refreshInterval.count() << '\n';
        for (const auto& f : fc.files)
            str(f);
    }
    writeRelabel(out, c.relabelConfigs);
    out << "metric\n";
    writeRelabel(out, c.metricRelabelConfigs);
    return out.str();
}

std::vector<TargetGroup> staticTargetGroups(const config::ScrapeConfig& config) {
    std::vector<TargetGroup> groups;
    for (std::size_t i = 0; i < config.staticConfigs.size(); ++i) {
        TargetGroup group;
        group.source = std::to_string(i);
        group.labels = config.staticConfigs[i].labels;
        for (const std::string& address : config.staticConfigs[i].targets)
            group.targets.push_back(model::Labels{{"__address__", address}});
        groups.push_back(std::move(group));
    }
    return groups;
}

ScrapePool::ScrapePool(model::Storage& storage, const config::ScrapeConfig& config,
                       std::function<void()> onDiscoveryUpdate)
    : m_storage(storage), m_job(config.jobName), m_onDiscoveryUpdate(std::move(onDiscoveryUpdate)) {
    reconfigure(config);
}

ScrapePool::~ScrapePool() {
    stopDiscovery();
}

std::string ScrapePool::fingerprint() const {
    std::lock_guard lock(m_mutex);
    return m_fingerprint;
}

void ScrapePool::reconfigure(const config::ScrapeConfig& config) {
    stopDiscovery();
    {
        std::lock_guard lock(m_mutex);
        m_fingerprint = scrapeConfigFingerprint(config);
        m_defaults.jobName = config.jobName;
        m_defaults.scheme = config.scheme;
        m_defaults.metricsPath = config.metricsPath;
        m_defaults.scrapeInterval = config.scrapeInterval;
        m_defaults.scrapeTimeout = config.scrapeTimeout;
        m_defaults.params = config.params;
        m_relabelConfigs = config.relabelConfigs;
        m_targetLimit = config.targetLimit;
        m_options = LoopOptions::fromConfig(config);
        m_groups.clear();
        m_groups["static"] = staticTargetGroups(config);
    }
    m_fileSdConfigs = config.fileSdConfigs;
}

void ScrapePool::startDiscovery() {
    std::vector<std::unique_ptr<FileSd>> sds;
    for (std::size_t i = 0; i < m_fileSdConfigs.size(); ++i) {
        const std::string key = fileSdKey(i);
        sds.push_back(std::make_unique<FileSd>(m_fileSdConfigs[i],
                                               [this, key](const std::vector<TargetGroup>& groups) {
                                                   setGroups(key, groups);
                                                   if (m_onDiscoveryUpdate)
                                                       m_onDiscoveryUpdate();
                                               }));
    }
    for (auto& sd : sds)
        sd->start();
    std::lock_guard lock(m_mutex);
    m_fileSds = std::move(sds);
}

void ScrapePool::stopDiscovery() {
    std::vector<std::unique_ptr<FileSd>> sds;
    {
        std::lock_guard lock(m_mutex);
        sds.swap(m_fileSds);
    }
    for (auto& sd : sds)
        sd->stop();
}

void ScrapePool::setGroups(const std::string& provider, std::vector<TargetGroup> groups) {
    std::lock_guard lock(m_mutex);
    m_groups[provider] = std::move(groups);
}

ScrapePool::SyncResult ScrapePool::sync() {
    std::lock_guard lock(m_mutex);
    SyncResult result;
    std::unordered_map<std::uint64_t, std::shared_ptr<ScrapeLoop>> next;
    std::vector<DroppedTarget> dropped;
    std::vector<std::string> errors;
    for (const auto& [provider, groups] : m_groups) {
        for (const TargetGroup& group : groups) {
            for (std::size_t i = 0; i < group.targets.size(); ++i) {
                // Prometheus's targetsFromGroup: the target's own labels win
                // over the group's.
                model::LabelsBuilder builder(group.labels);
                for (const auto& label : group.targets[i])
                    builder.set(label.name, label.value);
                Result<TargetLabels> target =
                    populateTargetLabels(builder.labels(), m_defaults, m_relabelConfigs);
                if (!target.isOk()) {
                    errors.push_back("instance " + std::to_string(i) + " in group " + group.source +
                                     ": " + target.status().message());
                    continue;
                }
                if (target->dropped) {
                    dropped.push_back({target->discovered});
                    continue;
                }
                const std::string url = targetUrl(target->final, m_options->params);
                const std::uint64_t hash = model::hashBytes(url, target->final.hash());
                if (next.contains(hash))
                    continue;  // the same target from two groups is scraped once
                auto existing = m_loops.find(hash);
                if (existing != m_loops.end()) {
                    existing->second->setOptions(m_options);
                    next.emplace(hash, existing->second);
                } else {
                    auto loop = std::make_shared<ScrapeLoop>(m_storage, std::move(target.value()),
                                                             m_options);
                    next.emplace(hash, loop);
                    result.started.push_back(loop);
                }
            }
        }
    }
    for (auto& [hash, loop] : m_loops) {
        if (!next.contains(hash))
            result.stopped.push_back(loop);
    }
    m_loops = std::move(next);
    m_dropped = std::move(dropped);
    m_syncErrors = std::move(errors);

    Status forced;
    if (m_targetLimit > 0 && m_loops.size() > m_targetLimit) {
        forced = Status::error(
            "target_limit exceeded (number of targets: " + std::to_string(m_loops.size()) +
            ", limit: " + std::to_string(m_targetLimit) + ")");
    }
    for (auto& [hash, loop] : m_loops)
        loop->setForcedError(forced);
    return result;
}

std::vector<std::shared_ptr<ScrapeLoop>> ScrapePool::loops() const {
    std::lock_guard lock(m_mutex);
    std::vector<std::shared_ptr<ScrapeLoop>> out;
    out.reserve(m_loops.size());
    for (const auto& [hash, loop] : m_loops)
        out.push_back(loop);
    return out;
}

std::vector<DroppedTarget> ScrapePool::droppedTargets() const {
    std::lock_guard lock(m_mutex);
    return m_dropped;
}

std::vector<std::string> ScrapePool::errors() const {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> out = m_syncErrors;
    for (const auto& sd : m_fileSds) {
        for (std::string& e : sd->errors())
            out.push_back(std::move(e));
    }
    return out;
}

}  // namespace vigil::scrape
