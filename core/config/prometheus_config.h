#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/scrape/relabel.h"
#include "core/util/status.h"

namespace YAML {
class Node;
}

namespace vigil::config {

class ConfigErrors;

// prometheus.yml as Prometheus 2.42 reads it. Fields Vigil does not act on
// are named in a warning at load; unknown fields are errors, as in
// Prometheus (which reads its config strictly). Relative file paths are
// resolved against the config file's directory, as Prometheus does.

struct TlsConfig {
    std::string caFile;
    std::string certFile;
    std::string keyFile;
    std::string serverName;
    bool insecureSkipVerify = false;
};

struct HttpClientConfig {
    std::string basicAuthUsername;
    std::string basicAuthPassword;
    std::string basicAuthPasswordFile;
    std::string authorizationType;  // "Bearer" by default when credentials are set
    std::string authorizationCredentials;
    std::string authorizationCredentialsFile;
    TlsConfig tls;
    std::string proxyUrl;
    bool followRedirects = true;
    bool enableHttp2 = true;
};

struct StaticConfig {
    std::vector<std::string> targets;
    model::Labels labels;
};

struct FileSdConfig {
    std::vector<std::string> files;  // globs, absolute after loading
    std::chrono::milliseconds refreshInterval{5 * 60 * 1000};
};

struct ScrapeConfig {
    std::string jobName;
    bool honorLabels = false;
    bool honorTimestamps = true;
    std::map<std::string, std::vector<std::string>> params;
    std::chrono::milliseconds scrapeInterval{0};  // 0 until defaults apply
    std::chrono::milliseconds scrapeTimeout{0};
    std::string metricsPath = "/metrics";
    std::string scheme = "http";
    HttpClientConfig http;
    std::uint64_t sampleLimit = 0;  // 0: no limit
    std::uint64_t targetLimit = 0;
    std::uint64_t labelLimit = 0;
    std::uint64_t labelNameLengthLimit = 0;
    std::uint64_t labelValueLengthLimit = 0;
    std::uint64_t bodySizeLimit = 0;
    std::vector<StaticConfig> staticConfigs;
    std::vector<FileSdConfig> fileSdConfigs;
    std::vector<scrape::RelabelConfig> relabelConfigs;
    std::vector<scrape::RelabelConfig> metricRelabelConfigs;
};

struct GlobalConfig {
    std::chrono::milliseconds scrapeInterval{60000};
    std::chrono::milliseconds scrapeTimeout{10000};
    std::chrono::milliseconds evaluationInterval{60000};
    model::Labels externalLabels;
};

struct PrometheusConfig {
    GlobalConfig global;
    std::vector<std::string> ruleFiles;  // globs, absolute after loading
    std::vector<ScrapeConfig> scrapeConfigs;
};

struct LoadedPrometheusConfig {
    PrometheusConfig config;
    std::vector<std::string> warnings;
};

// `baseDir` resolves relative paths (the directory of the file).
Result<LoadedPrometheusConfig> parsePrometheusConfig(std::string_view text,
                                                     const std::string& fileName,
                                                     const std::string& baseDir);
Result<LoadedPrometheusConfig> loadPrometheusConfig(const std::string& path);

// The pieces, for formats that embed them (vigil.yml's inline scrape_configs,
// the alerting section's relabel configs). Errors go to `errors`; `path`
// names the node in messages.
void readGlobalConfig(const YAML::Node& node, ConfigErrors& errors, GlobalConfig& out);
void readScrapeConfigs(const YAML::Node& node, ConfigErrors& errors, const GlobalConfig& global,
                       const std::string& baseDir, std::vector<ScrapeConfig>& out);
void readRelabelConfigs(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                        std::vector<scrape::RelabelConfig>& out);

}  // namespace vigil::config
