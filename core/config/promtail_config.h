#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/scrape/relabel.h"
#include "core/util/status.h"

namespace vigil::config {

class ConfigErrors;
class YamlMapReader;

// Promtail's configuration (the parts Vigil's tailer acts on), read from
// vigil.yml's `logs:` section or from an existing promtail.yml. The format is
// described in core/logs/tail/FORMAT.md.

struct PositionsConfig {
    std::string filename;  // empty: <data dir>/positions.yaml
    std::chrono::milliseconds syncPeriod{10000};
    bool ignoreInvalidYaml = false;
};

struct FileWatchConfig {
    std::chrono::milliseconds minPollFrequency{250};
    std::chrono::milliseconds maxPollFrequency{250};
};

struct LogStaticConfig {
    // Every label, `__path__` and `__path_exclude__` included.
    std::map<std::string, std::string> labels;
};

struct JournalConfig {
    bool json = false;
    std::chrono::milliseconds maxAge{7LL * 3600 * 1000};  // Promtail's default
    std::map<std::string, std::string> labels;
    std::string path;     // empty: the system journal
    std::string matches;  // journalctl matches, space separated
};

struct LogScrapeConfig {
    std::string jobName;
    std::vector<LogStaticConfig> staticConfigs;
    std::optional<JournalConfig> journal;
    std::vector<scrape::RelabelConfig> relabelConfigs;
    // The `pipeline_stages` list as written (null: none). It was checked by
    // logs::pipeline::parsePipeline at load; each source builds its own
    // pipeline from it (a pipeline has per-stream state).
    YAML::Node pipelineStages;
    std::string pipelinePath;  // "scrape_configs[0].pipeline_stages", for messages
};

struct PromtailConfig {
    PositionsConfig positions;
    FileWatchConfig fileWatch;
    std::vector<LogScrapeConfig> scrapeConfigs;
};

// Reads the Promtail keys (`positions`, `file_watch_config`,
// `scrape_configs`) of the mapping `reader` reads; `baseDir` resolves a
// relative positions file name. Used for vigil.yml's `logs:` section and for
// a promtail.yml's top level.
void readPromtailSections(YamlMapReader& reader, ConfigErrors& errors, const std::string& baseDir,
                          PromtailConfig& out);

struct LoadedPromtailConfig {
    PromtailConfig config;
    std::vector<std::string> warnings;
};

// A whole promtail.yml: `server`, `clients`, `limits_config`, `target_config`,
// `tracing` and `global` are accepted with a warning.
Result<LoadedPromtailConfig> parsePromtailConfig(std::string_view text,
                                                 const std::string& fileName);
Result<LoadedPromtailConfig> loadPromtailConfig(const std::string& path);

}  // namespace vigil::config
