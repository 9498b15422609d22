#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/instrument/metric_registry.h"
#include "core/model/storage.h"
#include "core/tsdb/compact/block_set.h"
#include "core/tsdb/head/head.h"
#include "core/util/env.h"
#include "core/util/status.h"

namespace vigil::tsdb {

struct DbOptions {
    std::int64_t retentionMs = kDefaultRetentionMs;         // 0: no time limit
    std::uint64_t retentionBytes = kDefaultRetentionBytes;  // 0: no size limit
    std::int64_t blockRangeMs = 2 * kHourMs;                // the smallest block
    std::int64_t outOfOrderWindowMs = 0;                    // off by default
    bool syncOnCommit = false;
};

struct DbStats {
    HeadStats head;
    std::size_t blocks = 0;
    std::uint64_t blockBytes = 0;
    std::uint64_t blockSamples = 0;
    model::Timestamp mint = model::kMaxTimestamp;  // over head and blocks
    model::Timestamp maxt = model::kMinTimestamp;
};

// Vigil's TSDB: the head (recent data in memory, protected by the WAL) and
// the immutable blocks of a directory, behind the Storage seam.
//
//   <dir>/wal/        the head's write-ahead log (segments, checkpoints)
//   <dir>/<ulid>/     one block each (chunks/, index, meta.json, tombstones)
//   <dir>/corrupted/  blocks set aside because they failed validation
//
// maintain() does what Prometheus's DB.Compact and reloadBlocks do: cuts the
// head into a block once it spans 1.5 block ranges, merges blocks by the
// leveled plan, and applies retention. Thread-safe; maintain() is meant to
// run on one background thread while appenders and queriers run elsewhere.
class Db final : public model::Storage {
public:
    // `env` and `metrics` must outlive the Db.
    static Result<std::unique_ptr<Db>> open(Env* env, const std::string& dir, DbOptions options,
                                            instrument::MetricRegistry* metrics = nullptr);
    ~Db() override;

    std::unique_ptr<model::Appender> appender() override;
    // Merges the blocks and the head over [mint, maxt].
    std::unique_ptr<model::Querier> querier(model::Timestamp mint, model::Timestamp maxt) override;

    // Cuts the oldest block range out of the head when the head spans more
    // than 1.5 block ranges. Returns whether a block was written.
    Result<bool> compactHead();
    // compactHead() until there is nothing to cut, block compaction until the
    // plan is empty, then retention.
    Status maintain();

    // Deletes the samples in [mint, maxt] of the series matching `matchers`,
    // in the head and (as tombstones) in every block.
    Status deleteSeries(const std::vector<model::Matcher>& matchers, model::Timestamp mint,
                        model::Timestamp maxt);
    // A consistent copy for backup: every block (hard links) plus the head's
    // data written as one more block. `outDir` must not exist.
    Status snapshot(const std::string& outDir);

    DbStats stats() const;
    std::vector<std::string> warnings() const;
    const std::string& dir() const { return m_dir; }
    Head& head() { return *m_head; }
    BlockSet& blocks() { return *m_blocks; }

    // Syncs and closes the WAL.
    Status close();

private:
    Db() = default;
    std::uint64_t walBytes() const;

    Env* m_env = nullptr;
    std::string m_dir;
    DbOptions m_options;
    std::unique_ptr<BlockSet> m_blocks;
    std::unique_ptr<Head> m_head;
    std::mutex m_maintenanceMutex;  // one compaction / retention pass at a time
    std::vector<std::string> m_openWarnings;
    instrument::Counter* m_compactions = nullptr;
    instrument::Counter* m_compactionFailures = nullptr;
    instrument::Gauge* m_blockCount = nullptr;
};

// The TSDB directory inside a Vigil data directory: `<dataDir>/metrics`.
std::string tsdbDirForDataDir(const std::string& dataDir);

}  // namespace vigil::tsdb
