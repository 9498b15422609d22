#include "core/config/promtail_config.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/config/config_errors.h"
#include "core/config/prometheus_config.h"
#include "core/config/yaml_map_reader.h"
#include "core/logs/pipeline/pipeline.h"

namespace vigil::config {
namespace {

// A mapping of label names to string values; `__`-prefixed names allowed
// (`__path__`, `__path_exclude__`).
std::map<std::string, std::string> readLabels(const YAML::Node& node, ConfigErrors& errors,
                                              const std::string& path) {
    std::map<std::string, std::string> out;
    if (!node || node.IsNull())
        return out;
    if (!node.IsMap()) {
        errors.add(node.Mark(), path + ": expected a mapping of label names to values, got " +
                                    nodeKindName(node));
        return out;
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
        out[name] = it->second.Scalar();
    }
    return out;
}

void readPositions(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                   const std::string& baseDir, PositionsConfig& out) {
    YamlMapReader reader(node, errors, path);
    if (reader.read("filename", out.filename))
        out.filename = resolveConfigPath(baseDir, out.filename);
    if (reader.readDuration("sync_period", out.syncPeriod) && out.syncPeriod.count() <= 0)
        errors.add(reader.child("sync_period").Mark(),
                   reader.childPath("sync_period") + ": must be positive");
    reader.read("ignore_invalid_yaml", out.ignoreInvalidYaml);
    reader.finish();
}

void readFileWatch(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                   FileWatchConfig& out) {
    YamlMapReader reader(node, errors, path);
    if (reader.readDuration("min_poll_frequency", out.minPollFrequency) &&
        out.minPollFrequency.count() <= 0) {
        errors.add(reader.child("min_poll_frequency").Mark(),
                   reader.childPath("min_poll_frequency") + ": must be positive");
    }
    if (reader.readDuration("max_poll_frequency", out.maxPollFrequency) &&
        out.maxPollFrequency.count() <= 0) {
        errors.add(reader.child("max_poll_frequency").Mark(),
                   reader.childPath("max_poll_frequency") + ": must be positive");
    }
    if (out.maxPollFrequency < out.minPollFrequency) {
        errors.add(node ? node.Mark() : YAML::Mark(),
                   path + ": max_poll_frequency must not be below min_poll_frequency");
    }
    reader.finish();
}

void readJournal(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                 const std::string& baseDir, JournalConfig& out) {
    YamlMapReader reader(node, errors, path);
    reader.read("json", out.json);
    if (reader.readDuration("max_age", out.maxAge) && out.maxAge.count() <= 0)
        errors.add(reader.child("max_age").Mark(),
                   reader.childPath("max_age") + ": must be positive");
    out.labels = readLabels(reader.child("labels"), errors, reader.childPath("labels"));
    for (const auto& [name, value] : out.labels) {
        (void)value;
        if (name.rfind("__", 0) == 0)
            errors.add(reader.child("labels").Mark(), reader.childPath("labels") + ": \"" + name +
                                                          "\" starts with __ and would be dropped");
    }
    if (reader.read("path", out.path))
        out.path = resolveConfigPath(baseDir, out.path);
    reader.read("matches", out.matches);
    reader.finish();
}

void readScrapeConfig(const YAML::Node& node, ConfigErrors& errors, const std::string& path,
                      const std::string& baseDir, LogScrapeConfig& out) {
    YamlMapReader reader(node, errors, path);
    if (!reader.read("job_name", out.jobName) || out.jobName.empty())
        errors.add(node.Mark(), path + ": job_name is required");

    if (YAML::Node list = reader.child("static_configs"); list && !list.IsNull()) {
        if (!list.IsSequence()) {
            errors.add(list.Mark(), reader.childPath("static_configs") + ": expected a list, got " +
                                        nodeKindName(list));
        } else {
            for (std::size_t i = 0; i < list.size(); ++i) {
                const std::string itemPath =
                    reader.childPath("static_configs") + "[" + std::to_string(i) + "]";
                YamlMapReader item(list[i], errors, itemPath);
                std::vector<std::string> targets;  // accepted and ignored, as by Promtail
                item.read("targets", targets);
                LogStaticConfig config;
                config.labels = readLabels(item.child("labels"), errors, item.childPath("labels"));
                item.finish();
                for (const char* key : {"__path__", "__path_exclude__"}) {
                    auto it = config.labels.find(key);
                    if (it != config.labels.end() && !it->second.empty() &&
                        it->second.front() != '/') {
                        errors.add(list[i].Mark(), itemPath + ".labels." + key +
                                                       ": must be an absolute path, got \"" +
                                                       it->second + "\"");
                    }
                }
                if (!config.labels.count("__path__") && !reader.has("relabel_configs")) {
                    errors.add(list[i].Mark(), itemPath +
                                                   ".labels: __path__ is required (the glob of "
                                                   "the files to tail)");
                }
                out.staticConfigs.push_back(std::move(config));
            }
        }
    }
    if (YAML::Node journal = reader.child("journal"); journal && !journal.IsNull()) {
        out.journal.emplace();
        readJournal(journal, errors, reader.childPath("journal"), baseDir, *out.journal);
    }
    readRelabelConfigs(reader.child("relabel_configs"), errors, reader.childPath("relabel_configs"),
                       out.relabelConfigs);
    out.pipelinePath = reader.childPath("pipeline_stages");
    out.pipelineStages = reader.child("pipeline_stages");
    // Checked now, so that a mistake stops the load with its position.
    (void)logs::pipeline::parsePipeline(out.pipelineStages, out.pipelinePath, errors);

    reader.warnUnsupported({"syslog", "gcplog", "windows_events", "kafka", "gelf", "cloudflare",
                            "heroku_drain", "loki_push_api", "azure_event_hubs",
                            "docker_sd_configs", "kubernetes_sd_configs", "file_sd_configs",
                            "consul_sd_configs", "consulagent_sd_configs", "encoding",
                            "decompression", "limits_config"});
    reader.finish();
    if (out.staticConfigs.empty() && !out.journal && node.IsMap()) {
        errors.add(node.Mark(),
                   path + ": neither static_configs nor journal is given: nothing to read");
    }
}

}  // namespace

void readPromtailSections(YamlMapReader& reader, ConfigErrors& errors, const std::string& baseDir,
                          PromtailConfig& out) {
    readPositions(reader.child("positions"), errors, reader.childPath("positions"), baseDir,
                  out.positions);
    readFileWatch(reader.child("file_watch_config"), errors, reader.childPath("file_watch_config"),
                  out.fileWatch);
    YAML::Node list = reader.child("scrape_configs");
    if (!list || list.IsNull())
        return;
    if (!list.IsSequence()) {
        errors.add(list.Mark(), reader.childPath("scrape_configs") + ": expected a list, got " +
                                    nodeKindName(list));
        return;
    }
    std::set<std::string> jobs;
    for (std::size_t i = 0; i < list.size(); ++i) {
        LogScrapeConfig config;
        const std::string path = reader.childPath("scrape_configs") + "[" + std::to_string(i) + "]";
        readScrapeConfig(list[i], errors, path, baseDir, config);
        if (!config.jobName.empty() && !jobs.insert(config.jobName).second) {
            errors.add(list[i].Mark(),
                       path + ": job_name \"" + config.jobName + "\" is already used");
        }
        out.scrapeConfigs.push_back(std::move(config));
    }
}

Result<LoadedPromtailConfig> parsePromtailConfig(std::string_view text,
                                                 const std::string& fileName) {
    ConfigErrors errors(fileName);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        errors.add(e.mark, "invalid YAML: " + e.msg);
        return errors.toStatus();
    }
    LoadedPromtailConfig loaded;
    YamlMapReader top(root, errors, "");
    readPromtailSections(top, errors, std::filesystem::path(fileName).parent_path().string(),
                         loaded.config);
    for (const char* key : {"server", "clients"}) {
        if (!top.has(key))
            continue;
        top.child(key);
        errors.warn(top.keyMark(key), std::string(key) +
                                          ": ignored: Vigil stores the logs in its own store and "
                                          "serves them on its own listener");
    }
    top.warnUnsupported({"limits_config", "target_config", "tracing", "global", "options"});
    top.finish();
    if (!errors.empty())
        return errors.toStatus();
    loaded.warnings = errors.warnings();
    return loaded;
}

Result<LoadedPromtailConfig> loadPromtailConfig(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status::ioError("cannot read " + path + ": " + std::strerror(errno));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parsePromtailConfig(buffer.str(), path);
}

}  // namespace vigil::config
