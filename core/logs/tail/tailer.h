#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/config/promtail_config.h"
#include "core/logs/log_store_api.h"
#include "core/logs/pipeline/pipeline.h"
#include "core/logs/tail/journal_source.h"
#include "core/logs/tail/positions.h"
#include "core/model/labels.h"

namespace vigil::instrument {
class MetricRegistry;
class Counter;
class Gauge;
}  // namespace vigil::instrument

namespace vigil::logs::tail {

struct TailerOptions {
    config::PromtailConfig config;
    std::string positionsFile;  // REQUIRES: non-empty (the config's, or a default)
    std::size_t maxLineLength = 256 * 1024;
    std::size_t maxBatchBytes = 1 << 20;  // a push carries at most about this much
    std::string journalctl = "journalctl";
    instrument::MetricRegistry* metrics = nullptr;  // optional
    // Builds a job's pipeline; null: logs::pipeline::parsePipeline over the
    // job's pipeline_stages. A job whose factory result is used never takes
    // the pass-through fast path. (A seam for tests.)
    std::function<std::unique_ptr<pipeline::Pipeline>(const config::LogScrapeConfig&)>
        pipelineFactory;
    Env* env = Env::posix();
};

// One tailed file or journal job, as the targets page shows it.
struct LogTargetInfo {
    std::string job;
    std::string path;  // the file, or "journal" (with the job's --directory, if any)
    model::Labels labels;
    std::uint64_t position = 0;  // stored bytes (files)
    std::uint64_t size = 0;      // the file's size at the last poll
    std::string cursor;          // journal
    std::string error;           // empty: healthy
};

// Promtail's file tailer and journal reader in one object: discovers the
// files the globs match, follows them across rotations, runs each job's
// pipeline and pushes to the log store, and keeps the positions file
// (semantics in FORMAT.md).
//
// Thread-safety: open(), poll(), run() and close() are called from one
// thread (the service's); targets() and wake() from any thread.
class Tailer {
public:
    Tailer(TailerOptions options, LogWriter& writer);
    ~Tailer();
    Tailer(const Tailer&) = delete;
    Tailer& operator=(const Tailer&) = delete;

    // Loads the positions file, builds the pipelines, starts the journal
    // processes and sets up inotify. An invalid positions file is an error.
    Status open();
    // One pass: checks rotations, deletions and truncations, expands the
    // globs when `discover`, then reads every tailed file (up to 16 MiB each,
    // so a backlog does not hold up the rest) and journal and pushes what it
    // read. Returns the lines pushed.
    std::size_t poll(bool discover = true);
    // Releases what the pipelines hold (multiline), pushes it and writes the
    // positions file. open() may not be called again.
    Status close();

    // Polls until `stop` is set (and wake() called): waits on inotify, the
    // journal pipes and the poll period; syncs positions every sync_period.
    void run(const std::atomic<bool>& stop);
    // Interrupts run()'s wait.
    void wake();

    Status savePositions();
    std::vector<LogTargetInfo> targets() const;

    // Counters (also in /metrics when a registry is given).
    std::uint64_t linesRead() const { return m_linesRead; }
    std::uint64_t droppedEntries() const { return m_dropped; }
    std::uint64_t truncatedLines() const { return m_truncated; }

private:
    struct Job;
    struct TailedFile;
    struct Batch;

    void discover();
    void openFile(const std::string& path, Job& job,
                  const std::map<std::string, std::string>& labels, bool initial);
    // Reads `file` to its current end into the batch; `final` also emits a
    // partial last line (the file was rotated away or deleted).
    void readFile(TailedFile& file, Batch& batch, bool final);
    void rememberRotated(const TailedFile& file);
    void checkRotation(TailedFile& file, Batch& batch, std::vector<std::string>& closed);
    void emitLine(TailedFile& file, std::string_view line, TimestampNs ts, Batch& batch);
    void readJournals(Batch& batch);
    void addEntry(Job& job, pipeline::Entry&& entry, Batch& batch);
    // Pushes the batch; false when the store was unavailable (nothing advanced).
    bool flush(Batch& batch);
    void rewind(Batch& batch);
    void updateWatches();
    void updateTargets();

    TailerOptions m_options;
    LogWriter& m_writer;
    std::unique_ptr<Positions> m_positions;
    std::vector<std::unique_ptr<Job>> m_jobs;
    std::map<std::string, std::unique_ptr<TailedFile>> m_files;  // by path
    // Files rotated away recently, by (device, inode), with the offset read:
    // if a glob also matches the rotated name, it resumes there, not at 0.
    std::map<std::pair<dev_t, ino_t>, std::uint64_t> m_rotated;
    bool m_firstDiscovery = true;
    bool m_moreToRead = false;       // a file has more than a poll's share waiting
    std::uint64_t m_generation = 0;  // of batches, so a file knows its slot is current
    std::vector<char> m_readBuffer;

    int m_inotify = -1;
    int m_wakeFd = -1;
    std::set<std::string> m_watchedDirs;

    std::uint64_t m_linesRead = 0;
    std::uint64_t m_dropped = 0;
    std::uint64_t m_truncated = 0;
    instrument::Counter* m_droppedCounter = nullptr;
    instrument::Counter* m_truncatedCounter = nullptr;
    instrument::Gauge* m_filesActive = nullptr;

    mutable std::mutex m_targetsMutex;
    std::vector<LogTargetInfo> m_targets;  // GUARDED_BY(m_targetsMutex)
};

}  // namespace vigil::logs::tail
