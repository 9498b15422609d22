#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/logs/log_store_api.h"
#include "core/util/status.h"

namespace YAML {
class Node;
}
namespace vigil::config {
class ConfigErrors;
}

namespace vigil::logs::pipeline {

// One log entry moving through Promtail's pipeline stages: the stream labels,
// the extracted map that carries values between stages, the timestamp and
// the line. Sources (the file tailer, the journal reader, `vigilctl logs
// import`) fill `labels`, `tsNs` (the read time when the source has none) and
// `line`; stages may change any of them.
struct Entry {
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> extracted;
    TimestampNs tsNs = 0;
    std::string line;
    // Loki structured metadata set by the structured_metadata stage (empty
    // values are dropped when stored).
    std::map<std::string, std::string> structuredMetadata;
};

// A parsed `pipeline_stages:` list, with Promtail's semantics. Not
// thread-safe: a source owns its pipeline and runs it on one thread. Stages
// with state (multiline, limit) keep it per stream (per label set).
class Pipeline {
public:
    virtual ~Pipeline() = default;

    // Runs one entry through the stages and appends what comes out to `out`:
    // nothing when a stage drops it or holds it (multiline), more than one
    // entry when a held block is released by this one.
    virtual void process(Entry entry, std::vector<Entry>& out) = 0;

    // Releases entries held longer than their stage allows (multiline's
    // max_wait_time) at time `nowNs`, or every held entry when `all` (the
    // source stops or reached the end of its input). `nowNs` is wall-clock
    // Unix time (std::chrono::system_clock): multiline measures a block's
    // idle time from the wall-clock time its last line was processed.
    virtual void flush(TimestampNs nowNs, bool all, std::vector<Entry>& out) = 0;

    // Entries dropped by stages so far (drop, match with action drop, limit
    // with drop, json drop_malformed). Entries merged by multiline or cri
    // are not counted as dropped.
    virtual std::uint64_t dropped() const { return 0; }
};

// Parses a `pipeline_stages:` YAML sequence. Every problem is added to
// `errors` with its file:line:col and the stage's path (e.g.
// "scrape_configs[0].pipeline_stages[2].regex.expression: ..."); the result
// is null when there was one. A null or absent node is an empty pipeline.
std::unique_ptr<Pipeline> parsePipeline(const YAML::Node& stages, const std::string& path,
                                        config::ConfigErrors& errors);

// A pipeline with no stages: entries pass through unchanged.
std::unique_ptr<Pipeline> emptyPipeline();

// The stream labels an entry is stored under: `labels` without the empty
// values and without the names starting with "__" (Promtail drops them
// before sending).
model::Labels streamLabels(const Entry& entry);

}  // namespace vigil::logs::pipeline
