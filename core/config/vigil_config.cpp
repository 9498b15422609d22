#include "core/config/vigil_config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include <sstream>

#include "core/config/config_errors.h"
#include "core/config/yaml_map_reader.h"
#include "core/notify/alertmanager_config.h"

namespace vigil::config {

std::string ListenAddress::toString() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ListenAddress> parseListenAddress(std::string_view text) {
    const std::string quoted = "'" + std::string(text) + "'";
    ListenAddress out;
    std::string_view portText;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return Status::error("invalid listen address " + quoted + ": expected [IPv6]:PORT");
        }
        out.host = std::string(text.substr(1, close - 1));
        portText = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            return Status::error("invalid listen address " + quoted +
                                 ": expected HOST:PORT, e.g. 127.0.0.1:9595");
        }
        out.host = std::string(text.substr(0, colon));
        portText = text.substr(colon + 1);
    }
    if (out.host.empty()) {
        return Status::error(
            "invalid listen address " + quoted +
            ": the host is empty; write 0.0.0.0:PORT to listen on every interface");
    }
    int port = -1;
    auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (portText.empty() || ec != std::errc() || ptr != portText.data() + portText.size() ||
        port < 0 || port > 65535) {
        return Status::error("invalid listen address " + quoted +
                             ": the port must be a number from 0 to 65535");
    }
    out.port = port;
    return out;
}

namespace {

void readServer(const YAML::Node& node, ConfigErrors& errors, VigilConfig::Server& server) {
    YamlMapReader reader(node, errors, "server");
    std::string listen;
    if (reader.read("listen", listen)) {
        auto parsed = parseListenAddress(listen);
        if (parsed) {
            server.listen = *parsed;
        } else {
            errors.add(reader.child("listen").Mark(),
                       "server.listen: " + parsed.status().message());
        }
    }
    reader.readByteSize("max_request_size", server.maxRequestBytes);
    reader.finish();
}

void readStorage(const YAML::Node& node, ConfigErrors& errors, VigilConfig::Storage& storage) {
    YamlMapReader reader(node, errors, "storage");
    reader.readDuration("retention_time", storage.retentionTime);
    reader.readByteSize("retention_size", storage.retentionSize);
    reader.readDuration("out_of_order_window", storage.outOfOrderWindow);
    reader.finish();
}

// The tailer's sources: inline Promtail sections or `promtail_config: path`.
void readLogSources(YamlMapReader& reader, ConfigErrors& errors, const std::string& fileName,
                    VigilConfig::Logs& logs) {
    const std::string baseDir = std::filesystem::path(fileName).parent_path().string();
    if (!reader.has("promtail_config")) {
        readPromtailSections(reader, errors, baseDir, logs.tail);
        return;
    }
    for (const char* key : {"positions", "file_watch_config", "scrape_configs"}) {
        if (reader.has(key)) {
            errors.add(reader.keyMark(key), "logs." + std::string(key) +
                                                ": give either logs.promtail_config or inline "
                                                "Promtail sections, not both");
            reader.child(key);
        }
    }
    std::string path;
    if (!reader.read("promtail_config", path))
        return;
    path = resolveConfigPath(baseDir, path);
    logs.promtailConfigFile = path;
    auto loaded = loadPromtailConfig(path);
    if (!loaded) {
        errors.add(reader.child("promtail_config").Mark(),
                   "logs.promtail_config: " + loaded.status().message());
        return;
    }
    for (const auto& warning : loaded->warnings)
        errors.warnVerbatim(warning);
    logs.tail = std::move(loaded->config);
}

// Relative rule file globs are relative to the directory of the file that names them.
void resolveRuleFiles(std::vector<std::string>& files, const std::string& baseDir) {
    for (auto& file : files)
        file = resolveConfigPath(baseDir, file);
}

void readLogs(const YAML::Node& node, ConfigErrors& errors, const std::string& fileName,
              VigilConfig::Logs& logs) {
    YamlMapReader reader(node, errors, "logs");
    reader.read("enabled", logs.enabled);
    reader.readDuration("retention", logs.retention);
    reader.readByteSize("max_size", logs.maxSize);
    if (reader.read("max_streams", logs.maxStreams) && logs.maxStreams < 0)
        errors.add(reader.child("max_streams").Mark(), "logs.max_streams: must not be negative");
    if (reader.read("max_label_value_length", logs.maxLabelValueLength) &&
        logs.maxLabelValueLength <= 0) {
        errors.add(reader.child("max_label_value_length").Mark(),
                   "logs.max_label_value_length: must be positive");
    }
    if (reader.readByteSize("max_line_length", logs.maxLineLength) && logs.maxLineLength == 0)
        errors.add(reader.child("max_line_length").Mark(),
                   "logs.max_line_length: must be positive");
    reader.readByteSize("ingestion_rate", logs.ingestionRate);
    readLogSources(reader, errors, fileName, logs);
    if (reader.read("rule_files", logs.ruleFiles)) {
        resolveRuleFiles(logs.ruleFiles, std::filesystem::path(fileName).parent_path().string());
        if (!logs.enabled && !logs.ruleFiles.empty())
            errors.add(reader.child("rule_files").Mark(),
                       "logs.rule_files: log rules query the log store, which logs.enabled: false "
                       "turns off");
    }
    reader.readEnum("chunk_encoding", logs.chunkEncoding, {"zstd", "snappy"});
    reader.finish();
}

void readHostCollector(const YAML::Node& node, ConfigErrors& errors,
                       VigilConfig::HostCollector& host) {
    YamlMapReader reader(node, errors, "host_collector");
    reader.read("enabled", host.enabled);
    if (reader.readDuration("scrape_interval", host.scrapeInterval) &&
        host.scrapeInterval.count() <= 0) {
        errors.add(reader.child("scrape_interval").Mark(),
                   "host_collector.scrape_interval: must be positive");
    }
    reader.finish();
}

void readSelfMonitoring(const YAML::Node& node, ConfigErrors& errors,
                        VigilConfig::SelfMonitoring& self) {
    YamlMapReader reader(node, errors, "self_monitoring");
    reader.read("enabled", self.enabled);
    if (reader.readDuration("scrape_interval", self.scrapeInterval) &&
        self.scrapeInterval.count() <= 0) {
        errors.add(reader.child("scrape_interval").Mark(),
                   "self_monitoring.scrape_interval: must be positive");
    }
    reader.finish();
}

void readRemoteWriteReceiver(const YAML::Node& node, ConfigErrors& errors,
                             VigilConfig::RemoteWriteReceiver& out) {
    YamlMapReader reader(node, errors, "remote_write_receiver");
    reader.read("enabled", out.enabled);
    if (YAML::Node users = reader.child("basic_auth_users"); users && !users.IsNull()) {
        if (!users.IsMap()) {
            errors.add(
                users.Mark(),
                "remote_write_receiver.basic_auth_users: expected a mapping of user names to "
                "bcrypt hashes");
        } else {
            for (auto it = users.begin(); it != users.end(); ++it) {
                const std::string hash =
                    it->second.IsScalar() ? it->second.Scalar() : std::string();
                // A bcrypt hash: $2a$, $2b$ or $2y$, cost, 53 characters of salt and hash.
                if (hash.size() != 60 || hash.rfind("$2", 0) != 0) {
                    errors.add(it->second.Mark(),
                               "remote_write_receiver.basic_auth_users." + it->first.Scalar() +
                                   ": expected a bcrypt hash (for example from htpasswd -nB)");
                    continue;
                }
                out.basicAuthUsers[it->first.Scalar()] = hash;
            }
        }
    }
    reader.finish();
}

// `global`, inline `scrape_configs` and `prometheus_config`.
void readScraping(YamlMapReader& top, ConfigErrors& errors, const std::string& fileName,
                  VigilConfig& config) {
    const std::string baseDir = std::filesystem::path(fileName).parent_path().string();
    readGlobalConfig(top.child("global"), errors, config.global);
    readScrapeConfigs(top.child("scrape_configs"), errors, config.global, baseDir,
                      config.scrapeConfigs);
    if (top.read("rule_files", config.ruleFiles))
        resolveRuleFiles(config.ruleFiles, baseDir);

    std::string prometheusFile;
    if (!top.read("prometheus_config", prometheusFile))
        return;
    prometheusFile = resolveConfigPath(baseDir, prometheusFile);
    config.prometheusConfigFile = prometheusFile;
    auto loaded = loadPrometheusConfig(prometheusFile);
    if (!loaded) {
        errors.add(top.child("prometheus_config").Mark(),
                   "prometheus_config: " + loaded.status().message());
        return;
    }
    for (const auto& warning : loaded->warnings)
        errors.warnVerbatim(warning);
    for (const auto& file : loaded->config.ruleFiles)
        config.ruleFiles.push_back(file);
    std::set<std::string> jobs;
    for (const auto& job : config.scrapeConfigs)
        jobs.insert(job.jobName);
    for (auto& job : loaded->config.scrapeConfigs) {
        if (!jobs.insert(job.jobName).second) {
            errors.add(top.child("prometheus_config").Mark(),
                       "prometheus_config: job \"" + job.jobName + "\" of " + prometheusFile +
                           " is also defined in scrape_configs here");
            continue;
        }
        config.scrapeConfigs.push_back(std::move(job));
    }
}

// Re-positions the errors of a nested parse ("vigil.yml:L:C: message", one
// per line) in this file's list.
void addNestedErrors(ConfigErrors& errors, const std::string& fileName,
                     const std::string& message) {
    std::istringstream lines(message);
    std::string line;
    while (std::getline(lines, line)) {
        const std::string prefix = fileName + ":";
        int l = 0, c = 0, pos = 0;
        if (line.rfind(prefix, 0) == 0 &&
            std::sscanf(line.c_str() + prefix.size(), "%d:%d: %n", &l, &c, &pos) >= 2 && pos > 0) {
            errors.add(l, c, line.substr(prefix.size() + static_cast<std::size_t>(pos)));
        } else {
            errors.add(0, 0, line);
        }
    }
}

// `alertmanager:` (an inline alertmanager.yml) or `alertmanager_config: path`.
void readAlertmanager(YamlMapReader& top, ConfigErrors& errors, std::string_view text,
                      const std::string& fileName, VigilConfig& config) {
    const bool hasInline = top.has("alertmanager");
    const bool hasFile = top.has("alertmanager_config");
    if (hasInline && hasFile) {
        errors.add(top.keyMark("alertmanager_config"),
                   "alertmanager_config: give either alertmanager_config or an inline "
                   "alertmanager section, not both");
        top.child("alertmanager");
        top.child("alertmanager_config");
        return;
    }
    if (hasFile) {
        std::string path;
        if (!top.read("alertmanager_config", path))
            return;
        const std::string baseDir = std::filesystem::path(fileName).parent_path().string();
        path = resolveConfigPath(baseDir, path);
        auto loaded = notify::loadAlertmanagerConfig(path);
        if (!loaded) {
            errors.add(top.child("alertmanager_config").Mark(),
                       "alertmanager_config: " + loaded.status().message());
            return;
        }
        for (const auto& warning : loaded->warnings)
            errors.warnVerbatim(warning);
        config.alertmanagerConfigFile = path;
        config.alertmanager =
            std::make_shared<const notify::AlertmanagerConfig>(std::move(loaded->config));
        return;
    }
    if (!hasInline)
        return;
    const YAML::Node node = top.child("alertmanager");
    if (!node.IsMap() || node.Style() == YAML::EmitterStyle::Flow) {
        errors.add(node.Mark(),
                   "alertmanager: expected an alertmanager.yml mapping in block style "
                   "(or use alertmanager_config: path)");
        return;
    }
    // Hand the section's own lines to the alertmanager.yml reader, preceded
    // by as many empty lines as come before it, so that its messages carry
    // this file's line and column numbers.
    const YAML::Mark mark = node.Mark();
    std::string section(static_cast<std::size_t>(mark.line), '\n');
    std::size_t lineNo = 0, start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        const std::string_view line = text.substr(start, end - start);
        if (lineNo >= static_cast<std::size_t>(mark.line)) {
            const std::size_t indent = line.find_first_not_of(' ');
            const bool blank = indent == std::string_view::npos || line[indent] == '#';
            if (!blank && indent < static_cast<std::size_t>(mark.column))
                break;
            section.append(line);
            section += '\n';
        }
        ++lineNo;
        start = end + 1;
    }
    auto loaded = notify::parseAlertmanagerConfig(section, fileName);
    if (!loaded) {
        addNestedErrors(errors, fileName, loaded.status().message());
        return;
    }
    for (const auto& warning : loaded->warnings)
        errors.warnVerbatim(warning);
    config.alertmanager =
        std::make_shared<const notify::AlertmanagerConfig>(std::move(loaded->config));
}

}  // namespace

Result<LoadedConfig> parseVigilConfig(

    std::string_view text, const std::string& fileName) {
    ConfigErrors errors(fileName);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        errors.add(e.mark, "invalid YAML: " + e.msg);
        return errors.toStatus();
    }

    LoadedConfig loaded;
    YamlMapReader top(root, errors, "");
    readServer(top.child("server"), errors, loaded.config.server);
    readStorage(top.child("storage"), errors, loaded.config.storage);
    readLogs(top.child("logs"), errors, fileName, loaded.config.logs);
    readHostCollector(top.child("host_collector"), errors, loaded.config.hostCollector);
    readSelfMonitoring(top.child("self_monitoring"), errors, loaded.config.selfMonitoring);

    readRemoteWriteReceiver(top.child("remote_write_receiver"), errors,
                            loaded.config.remoteWriteReceiver);
    readScraping(top, errors, fileName, loaded.config);
    readAlertmanager(top, errors, text, fileName, loaded.config);

    top.readEnum("log_level", loaded.config.logLevel, {"debug", "info", "warning", "error"});
    top.finish();

    if (!errors.empty())
        return errors.toStatus();
    loaded.warnings = errors.warnings();
    return loaded;
}

Result<LoadedConfig> loadVigilConfig(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Status::ioError("cannot read config file " + path + ": " + std::strerror(errno));
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parseVigilConfig(buffer.str(), path);
}

}  // namespace vigil::config
