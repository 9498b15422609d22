#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>

#include <string>
#include <string_view>
#include <vector>

#include "core/config/prometheus_config.h"
#include "core/config/promtail_config.h"
#include "core/util/status.h"

namespace vigil::notify {
struct AlertmanagerConfig;
}

namespace vigil::config {

// A host and port to listen on: "127.0.0.1:9595", "[::1]:9595", "localhost:0".
struct ListenAddress {
    std::string host = "127.0.0.1";
    int port = 9595;

    std::string toString() const;
};
Result<ListenAddress> parseListenAddress(std::string_view text);

// vigil.yml. Each section grows with the subsystems that land; a key that is
// not in this schema is an error, never silently ignored.
struct VigilConfig {
    struct Server {
        ListenAddress listen;
        std::uint64_t maxRequestBytes = 32ULL << 20;  // larger request bodies get 413
    } server;

    // The metrics TSDB (in <data dir>/metrics).
    struct Storage {
        std::chrono::milliseconds retentionTime{15LL * 24 * 3600 * 1000};  // 0: no time limit
        std::uint64_t retentionSize = 10ULL << 30;                         // 0: no size limit
        std::chrono::milliseconds outOfOrderWindow{0};                     // off by default
    } storage;

    // The built-in node_exporter-compatible collector (job "vigil-host").
    struct HostCollector {
        bool enabled = true;
        std::chrono::milliseconds scrapeInterval{15000};
    } hostCollector;

    // Vigil's own /metrics, stored in the TSDB under job "vigil" as
    // Prometheus's self-scrape stores its own (the Vigil self-monitoring
    // dashboard reads them).
    struct SelfMonitoring {
        bool enabled = true;
        std::chrono::milliseconds scrapeInterval{15000};
    } selfMonitoring;

    // POST /api/v1/write on the listener (Prometheus remote write 1.0).

    struct RemoteWriteReceiver {
        bool enabled = true;
        std::map<std::string, std::string> basicAuthUsers;  // user → bcrypt hash; empty: open
    } remoteWriteReceiver;

    // The log store (in <data dir>/logs) and the Loki push receiver
    // (POST /loki/api/v1/push on the listener).
    struct Logs {
        bool enabled = true;
        std::chrono::milliseconds retention{30LL * 24 * 3600 * 1000};  // 0: no time limit
        std::uint64_t maxSize = 10ULL << 30;                           // 0: no size limit
        std::int64_t maxStreams = 10000;  // active streams; 0: unlimited
        std::int64_t maxLabelValueLength = 2048;
        std::uint64_t maxLineLength = 256 * 1024;
        // Loki's ingestion_rate_mb for the push receiver; 0: unlimited.
        std::uint64_t ingestionRate = 0;  // bytes per second
        // The file tailer and journal source, in promtail.yml syntax
        // (core/logs/tail/FORMAT.md): inline `positions`, `file_watch_config`
        // and `scrape_configs`, or `promtail_config: path` to a promtail.yml.
        PromtailConfig tail;
        std::string promtailConfigFile;  // absolute after loading; empty: inline or none
        // Loki ruler rule files (globs, absolute after loading): the
        // Prometheus rule-file format with LogQL metric queries as `expr`.
        std::vector<std::string> ruleFiles;
        // Loki's chunk_encoding: how new chunks compress, "zstd" or "snappy"
        // (core/logs/store/FORMAT.md); chunks on disk stay readable either way.
        std::string chunkEncoding = "zstd";
    } logs;
    // Scraping, in prometheus.yml syntax: `scrape_configs` (and `global`)
    // inline, and/or `prometheus_config: path` to an existing prometheus.yml
    // whose scrape_configs are used unchanged.
    std::string prometheusConfigFile;  // absolute after loading; empty: none
    GlobalConfig global;
    std::vector<ScrapeConfig> scrapeConfigs;  // inline ones first, then the file's

    // Prometheus rule files (globs, absolute after loading): `rule_files` here
    // first, then those of prometheus_config's file.
    std::vector<std::string> ruleFiles;

    std::string logLevel = "info";  // debug, info, warning, error

    // The notification pipeline, in alertmanager.yml syntax: inline under
    // `alertmanager:`, or `alertmanager_config: path` to an existing
    // alertmanager.yml. Null when neither is given (no notifications).
    std::shared_ptr<const notify::AlertmanagerConfig> alertmanager;
    std::string alertmanagerConfigFile;  // absolute after loading; empty: inline or none
};

struct LoadedConfig {
    VigilConfig config;
    std::vector<std::string> warnings;  // "file:line:col: ..." for fields accepted but not acted on
};

// Parses vigil.yml text; `fileName` prefixes every message. All problems are
// reported together, one "file:line:col: message" per line.
Result<LoadedConfig> parseVigilConfig(std::string_view text, const std::string& fileName);

// Reads and parses a file; a missing or unreadable file is an error naming it.
Result<LoadedConfig> loadVigilConfig(const std::string& path);

}  // namespace vigil::config
