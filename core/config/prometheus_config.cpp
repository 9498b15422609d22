#include "core/config/prometheus_config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/config/config_errors.h"
#include "core/config/yaml_map_reader.h"

namespace vigil::config {
namespace {

// Service discovery mechanisms of Prometheus 2.42 that Vigil does not offer
// (static_configs and file_sd_configs are supported).
constexpr const char* kUnsupportedServiceDiscovery[] = {
    "azure_sd_configs",      "consul_sd_configs",      "digitalocean_sd_configs",
    "docker_sd_configs",     "dockerswarm_sd_configs", "dns_sd_configs",
    "ec2_sd_configs",        "eureka_sd_configs",      "gce_sd_configs",
    "hetzner_sd_configs",    "http_sd_configs",        "ionos_sd_configs",
    "kubernetes_sd_configs", "kuma_sd_configs",        "lightsail_sd_configs",
    "linode_sd_configs",     "marathon_sd_configs",    "nerve_sd_configs",
    "nomad_sd_configs",      "openstack_sd_configs",   "ovhcloud_sd_configs",
    "puppetdb_sd_configs",   "scaleway_sd_configs",    "serverset_sd_configs",
    "triton_sd_configs",     "uyuni_sd_configs",       "vultr_sd_configs",
};

bool readUnsigned(YamlMapReader& reader, const char* key, std::uint64_t& out) {
    std::int64_t value = 0;
    if (!reader.read(key, value))
        return false;
    if (value < 0) {
        reader.errors().add(reader.child(key).Mark(),
                            reader.childPath(key) + ": must not be negative");
        return false;
    }
    out = static_cast<std::uint64_t>(value);
    return true;
}

// A mapping of label names to values (static_configs labels, external_labels).
model::Labels readLabelMap(const YAML::Node& node, ConfigErrors& errors, const std::string& path) {
    std::vector<model::Label> labels;
    if (!node || node.IsNull())
        return {};
    if (!node.IsMap()) {
        errors.add(node.Mark(), path + ": expected a mapping of label names to values, got " +
                                    nodeKindName(node));
        return {};
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string name = it->first.Scalar();
        if (!scrape::isValidLabelName(name)) {
            errors.add(it->first.Mark(), path + ": \"" + name + "\" is not a valid label name");
            continue;
        }
        if (!it->second.IsScalar()) {
            errors.add(it->second.Mark(),
                       path + "." + name + ": expected a string, got " + nodeKindName(it->second));
            continue;
        }
        labels.push_back({name, it->second.Scalar()});
    }
    return model::Labels::fromUnsorted(std::move(labels));
}

// Calls `each(itemNode, itemPath)` for each element of a list-valued key.
template <typename Each>
void forEachListItem(YamlMapReader& reader, const char* key, Each each) {
    YAML::Node list = reader.child(key);
    if (!list || list.IsNull())
        return;
    if (!list.IsSequence()) {
        reader.errors().add(list.Mark(),
                            reader.childPath(key) + ": expected a list, got " + nodeKindName(list));
        return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        each(list[i], reader.childPath(key) + "[" + std::to_string(i) + "]");
    }
}

void readTlsConfig(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                   const std::string& baseDir, TlsConfig& tls) {
    YamlMapReader reader(node, errors, path);
    reader.read("ca_file", tls.caFile);
    reader.read("cert_file", tls.certFile);
    reader.read("key_file", tls.keyFile);
    reader.read("server_name", tls.serverName);
    reader.read("insecure_skip_verify", tls.insecureSkipVerify);
    reader.warnUnsupported({"ca", "cert", "key", "min_version", "max_version"});
    reader.finish();
    tls.caFile = resolveConfigPath(baseDir, tls.caFile);
    tls.certFile = resolveConfigPath(baseDir, tls.certFile);
    tls.keyFile = resolveConfigPath(baseDir, tls.keyFile);
    if (tls.certFile.empty() != tls.keyFile.empty()) {
        errors.add(node.Mark(),
                   path +
                       ": exactly one of key or cert file specified; both are needed for client "
                       "certificates");
    }
}

void readHttpClientConfig(YamlMapReader& reader, const std::string& baseDir,
                          HttpClientConfig& http) {
    ConfigErrors& errors = reader.errors();
    if (YAML::Node basic = reader.child("basic_auth"); basic && !basic.IsNull()) {
        YamlMapReader auth(basic, errors, reader.childPath("basic_auth"));
        auth.read("username", http.basicAuthUsername);
        auth.read("password", http.basicAuthPassword);
        auth.read("password_file", http.basicAuthPasswordFile);
        auth.warnUnsupported({"username_file"});
        auth.finish();
        http.basicAuthPasswordFile = resolveConfigPath(baseDir, http.basicAuthPasswordFile);
        if (!http.basicAuthPassword.empty() && !http.basicAuthPasswordFile.empty()) {
            errors.add(basic.Mark(),
                       "at most one of basic_auth password & password_file must be configured");
        }
    }
    std::string bearerToken, bearerTokenFile;
    reader.read("bearer_token", bearerToken);
    reader.read("bearer_token_file", bearerTokenFile);
    if (!bearerToken.empty() && !bearerTokenFile.empty()) {
        errors.add(reader.child("bearer_token").Mark(),
                   "at most one of bearer_token & bearer_token_file must be configured");
    }
    YAML::Node authorization = reader.child("authorization");
    if (authorization && !authorization.IsNull()) {
        YamlMapReader auth(authorization, errors, reader.childPath("authorization"));
        auth.read("type", http.authorizationType);
        auth.read("credentials", http.authorizationCredentials);
        auth.read("credentials_file", http.authorizationCredentialsFile);
        auth.finish();
        http.authorizationCredentialsFile =
            resolveConfigPath(baseDir, http.authorizationCredentialsFile);
        std::string lowered = http.authorizationType;
        for (char& c : lowered)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lowered == "basic") {
            errors.add(authorization.Mark(),
                       "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
        }
        if (!http.authorizationCredentials.empty() && !http.authorizationCredentialsFile.empty()) {
            errors.add(authorization.Mark(),
                       "at most one of authorization credentials & credentials_file must be "
                       "configured");
        }
    }
    const bool hasBasic = !http.basicAuthUsername.empty() || !http.basicAuthPassword.empty() ||
                          !http.basicAuthPasswordFile.empty();
    const bool hasAuthorization = authorization && !authorization.IsNull();
    const bool hasBearer = !bearerToken.empty() || !bearerTokenFile.empty();
    if (int(hasBasic) + int(hasAuthorization) + int(hasBearer) > 1) {
        errors.add(
            reader.child("basic_auth").Mark(),
            reader.path() +
                ": at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be "
                "configured");
    }
    if (hasBearer) {  // the legacy fields are authorization with type Bearer
        http.authorizationCredentials = bearerToken;
        http.authorizationCredentialsFile = resolveConfigPath(baseDir, bearerTokenFile);
    }
    if ((hasBearer || hasAuthorization) && http.authorizationType.empty())
        http.authorizationType = "Bearer";

    if (YAML::Node tls = reader.child("tls_config"); tls && !tls.IsNull()) {
        readTlsConfig(tls, errors, reader.childPath("tls_config"), baseDir, http.tls);
    }
    reader.read("proxy_url", http.proxyUrl);
    reader.read("follow_redirects", http.followRedirects);
    reader.read("enable_http2", http.enableHttp2);
    reader.warnUnsupported(
        {"oauth2", "no_proxy", "proxy_from_environment", "proxy_connect_header"});
}

void readStaticConfig(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                      StaticConfig& out) {
    YamlMapReader reader(node, errors, path);
    reader.read("targets", out.targets);
    for (const auto& target : out.targets) {
        if (target.find('/') != std::string::npos) {
            errors.add(reader.child("targets").Mark(),
                       path + ".targets: \"" + target + "\" is not a valid hostname");
        }
    }
    out.labels = readLabelMap(reader.child("labels"), errors, reader.childPath("labels"));
    reader.finish();
}

void readFileSdConfig(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                      const std::string& baseDir, FileSdConfig& out) {
    YamlMapReader reader(node, errors, path);
    reader.read("files", out.files);
    reader.readDuration("refresh_interval", out.refreshInterval);
    reader.finish();
    for (auto& file : out.files) {
        const std::string ext = std::filesystem::path(file).extension().string();
        if (ext != ".json" && ext != ".yml" && ext != ".yaml") {
            errors.add(reader.child("files").Mark(),
                       path + ".files: invalid file extension \"" + file +
                           "\": only .json, .yml and .yaml are allowed");
        }
        file = resolveConfigPath(baseDir, file);
    }
}

void readScrapeConfig(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                      const GlobalConfig& global, const std::string& baseDir, ScrapeConfig& out) {
    YamlMapReader reader(node, errors, path);
    if (!reader.read("job_name", out.jobName) || out.jobName.empty()) {
        errors.add(node.Mark(), path + ": job_name is empty");
    }
    reader.read("honor_labels", out.honorLabels);
    reader.read("honor_timestamps", out.honorTimestamps);
    if (YAML::Node params = reader.child("params"); params && !params.IsNull()) {
        if (!params.IsMap()) {
            errors.add(params.Mark(),
                       reader.childPath("params") + ": expected a mapping of names to lists");
        } else {
            for (auto it = params.begin(); it != params.end(); ++it) {
                std::vector<std::string> values;
                const YAML::Node list = it->second;
                if (list.IsSequence()) {
                    for (std::size_t j = 0; j < list.size(); ++j)
                        values.push_back(list[j].Scalar());
                } else {
                    errors.add(it->second.Mark(), reader.childPath("params") + "." +
                                                      it->first.Scalar() +
                                                      ": expected a list of strings");
                }
                out.params[it->first.Scalar()] = std::move(values);
            }
        }
    }
    const bool hasInterval = reader.readDuration("scrape_interval", out.scrapeInterval);
    const bool hasTimeout = reader.readDuration("scrape_timeout", out.scrapeTimeout);
    if (!hasInterval)
        out.scrapeInterval = global.scrapeInterval;
    if (!hasTimeout)
        out.scrapeTimeout = std::min(global.scrapeTimeout, out.scrapeInterval);
    if (out.scrapeTimeout > out.scrapeInterval) {
        errors.add(
            reader.child("scrape_timeout").Mark(),
            "scrape timeout greater than scrape interval for scrape config with job name \"" +
                out.jobName + "\"");
    }
    reader.read("metrics_path", out.metricsPath);
    if (reader.read("scheme", out.scheme) && out.scheme != "http" && out.scheme != "https") {
        errors.add(reader.child("scheme").Mark(),
                   path + ".scheme: must be http or https, got \"" + out.scheme + "\"");
    }
    readHttpClientConfig(reader, baseDir, out.http);
    readUnsigned(reader, "sample_limit", out.sampleLimit);
    readUnsigned(reader, "target_limit", out.targetLimit);
    readUnsigned(reader, "label_limit", out.labelLimit);
    readUnsigned(reader, "label_name_length_limit", out.labelNameLengthLimit);
    readUnsigned(reader, "label_value_length_limit", out.labelValueLengthLimit);
    reader.readByteSize("body_size_limit", out.bodySizeLimit);
    forEachListItem(reader, "static_configs",
                    [&](const YAML::Node& item, const std::string& itemPath) {
                        readStaticConfig(item, errors, itemPath, out.staticConfigs.emplace_back());
                    });
    forEachListItem(
        reader, "file_sd_configs", [&](const YAML::Node& item, const std::string& itemPath) {
            readFileSdConfig(item, errors, itemPath, baseDir, out.fileSdConfigs.emplace_back());
        });
    readRelabelConfigs(reader.child("relabel_configs"), errors, reader.childPath("relabel_configs"),
                       out.relabelConfigs);
    readRelabelConfigs(reader.child("metric_relabel_configs"), errors,
                       reader.childPath("metric_relabel_configs"), out.metricRelabelConfigs);
    for (const char* sd : kUnsupportedServiceDiscovery) {
        reader.child(sd);
        if (const YAML::Mark mark = reader.keyMark(sd); mark.line >= 0) {
            errors.warn(mark, reader.childPath(sd) +
                                  ": this service discovery is not supported by Vigil; use "
                                  "static_configs or file_sd_configs. The job has no targets "
                                  "from it.");
        }
    }
    reader.warnUnsupported(
        {"scrape_classic_histograms", "native_histogram_bucket_limit", "keep_dropped_targets"});
    reader.finish();
}

}  // namespace

void readRelabelConfigs(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                        std::vector<scrape::RelabelConfig>& out) {
    if (!node || node.IsNull())
        return;
    if (!node.IsSequence()) {
        errors.add(node.Mark(), path + ": expected a list, got " + nodeKindName(node));
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        const std::string itemPath = path + "[" + std::to_string(i) + "]";
        const std::size_t errorsBefore = errors.errors().size();
        YamlMapReader reader(node[i], errors, itemPath);
        scrape::RelabelConfig config;
        reader.read("source_labels", config.sourceLabels);
        reader.read("separator", config.separator);
        std::string regex;
        if (reader.read("regex", regex)) {
            auto compiled = scrape::RelabelRegex::compile(regex);
            if (compiled) {
                config.regex = *compiled;
            } else {
                errors.add(reader.child("regex").Mark(),
                           itemPath + ".regex: " + compiled.status().message());
            }
        }
        std::int64_t modulus = 0;
        if (reader.read("modulus", modulus))
            config.modulus = static_cast<std::uint64_t>(std::max<std::int64_t>(0, modulus));
        reader.read("target_label", config.targetLabel);
        reader.read("replacement", config.replacement);
        std::string action;
        if (reader.read("action", action)) {
            if (auto parsed = scrape::parseRelabelAction(action)) {
                config.action = *parsed;
            } else {
                errors.add(reader.child("action").Mark(),
                           itemPath + ".action: unknown relabel action \"" + action + "\"");
            }
        }
        reader.finish();
        // Validate only what parsed: an unknown action would otherwise be
        // checked as the default replace and add a misleading second error.
        if (errors.errors().size() != errorsBefore)
            continue;
        if (Status valid = config.validate(); !valid.isOk()) {
            errors.add(node[i].Mark(), itemPath + ": " + valid.message());
        }
        out.push_back(std::move(config));
    }
}

void readGlobalConfig(const YAML::Node& node, ConfigErrors& errors, GlobalConfig& out) {
    YamlMapReader reader(node, errors, "global");
    reader.readDuration("scrape_interval", out.scrapeInterval);
    const bool hasTimeout = reader.readDuration("scrape_timeout", out.scrapeTimeout);
    // Prometheus: an unset global timeout is min(10s, interval).
    if (!hasTimeout && out.scrapeTimeout > out.scrapeInterval)
        out.scrapeTimeout = out.scrapeInterval;
    if (out.scrapeTimeout > out.scrapeInterval) {
        errors.add(reader.child("scrape_timeout").Mark(),
                   "global scrape timeout greater than scrape interval");
    }
    reader.readDuration("evaluation_interval", out.evaluationInterval);
    out.externalLabels =
        readLabelMap(reader.child("external_labels"), errors, "global.external_labels");
    reader.warnUnsupported({"query_log_file", "body_size_limit", "sample_limit", "label_limit",
                            "label_name_length_limit", "label_value_length_limit", "target_limit",
                            "keep_dropped_targets"});
    reader.finish();
}

void readScrapeConfigs(const YAML::Node& node, ConfigErrors& errors, const GlobalConfig& global,
                       const std::string& baseDir, std::vector<ScrapeConfig>& out) {
    if (!node || node.IsNull())
        return;
    if (!node.IsSequence()) {
        errors.add(node.Mark(),
                   std::string("scrape_configs: expected a list, got ") + nodeKindName(node));
        return;
    }
    std::set<std::string> jobs;
    for (std::size_t i = 0; i < node.size(); ++i) {
        ScrapeConfig config;
        readScrapeConfig(node[i], errors, "scrape_configs[" + std::to_string(i) + "]", global,
                         baseDir, config);
        if (!config.jobName.empty() && !jobs.insert(config.jobName).second) {
            errors.add(node[i].Mark(),
                       "found multiple scrape configs with job name \"" + config.jobName + "\"");
        }
        out.push_back(std::move(config));
    }
}

Result<LoadedPrometheusConfig> parsePrometheusConfig(std::string_view text,
                                                     const std::string& fileName,
                                                     const std::string& baseDir) {
    ConfigErrors errors(fileName);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        errors.add(e.mark, "invalid YAML: " + e.msg);
        return errors.toStatus();
    }
    LoadedPrometheusConfig loaded;
    YamlMapReader top(root, errors, "");
    readGlobalConfig(top.child("global"), errors, loaded.config.global);
    top.read("rule_files", loaded.config.ruleFiles);
    for (auto& file : loaded.config.ruleFiles)
        file = resolveConfigPath(baseDir, file);
    readScrapeConfigs(top.child("scrape_configs"), errors, loaded.config.global, baseDir,
                      loaded.config.scrapeConfigs);
    // alerting.alertmanagers is read by the forwarder to external
    // Alertmanagers (core/notify/receivers/alertmanager_forwarder.h).
    top.child("alerting");
    top.warnUnsupported(
        {"remote_write", "remote_read", "storage", "tracing", "scrape_config_files"});
    top.finish();
    if (!errors.empty())
        return errors.toStatus();
    loaded.warnings = errors.warnings();
    return loaded;
}

Result<LoadedPrometheusConfig> loadPrometheusConfig(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status::ioError("cannot read " + path + ": " + std::strerror(errno));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parsePrometheusConfig(buffer.str(), path,
                                 std::filesystem::path(path).parent_path().string());
}

}  // namespace vigil::config
