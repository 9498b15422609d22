#pragma once

// The write-ahead log of the TSDB head (Prometheus tsdb/wlog): a directory of
// numbered segment files made of 32 KiB pages holding checksummed record
// fragments. Format: core/tsdb/FORMAT.md ("Write-ahead log").

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "core/tsdb/wal/segments.h"
#include "core/util/env.h"
#include "core/util/status.h"

namespace vigil::tsdb::wal {

struct WalOptions {
    // A segment is cut before a record that would make it larger than this.
    // A record larger than a whole segment gets a segment of its own.
    std::uint64_t segmentSize = kDefaultSegmentSize;
    // Snappy-compress records (kept only when it makes the record smaller).
    bool compress = false;
};

// Appends records to the WAL.
//
// Thread-safety: all methods may be called from any thread; they serialize on
// an internal mutex. Records of one log() call are written contiguously and
// in order; records of concurrent calls are ordered by the lock. sync() holds
// the lock during the fsync, so log() calls wait for it: callers that batch
// (one log() per scrape, one sync() per interval) pay it rarely.
//
// Durability contract: when log() returns OK the records were handed to the
// operating system (they survive a crash of the process); when a later
// sync() returns OK they are durable (they survive a power loss). Only
// records followed by a successful sync() count as acknowledged.
//
// Errors are sticky (as LevelDB's background error): after a failed write or
// sync the WAL may end in a torn record, so every later call returns the
// first error. Recovery is a restart: replay with replayWal(), which repairs
// the tail, then open() again.
class Wal {
public:
    // Opens the WAL in `dir` (created with its parents if missing) for
    // appending. Writing starts in a fresh segment after the newest segment or
    // checkpoint: the tail segment of a previous run is never appended to,
    // because it may end in a torn record. Leftover "checkpoint.N.tmp"
    // directories of an interrupted checkpoint are removed.
    // `env` must outlive the Wal.
    static Result<std::unique_ptr<Wal>> open(Env* env, std::string dir, WalOptions options = {});

    // Closes the WAL; errors are lost (call close() to see them).
    ~Wal();

    Status log(std::span<const std::string_view> records);
    Status log(std::string_view record) {
        return log(std::span<const std::string_view>(&record, 1));
    }
    // Makes every record logged before this call durable.
    Status sync();
    // Syncs and closes the current segment. Later calls fail.
    Status close();

    // Finishes the current segment (padded to a page boundary, synced) and
    // starts the next one. Returns the index of the new segment; every
    // segment before it is complete and may be checkpointed.
    Result<int> nextSegment();
    // The segment being written.
    int currentSegment() const;
    const std::string& dir() const { return m_dir; }

    // The first error, or OK.
    Status error() const;

private:
    Wal(Env* env, std::string dir, WalOptions options);

    Status createSegment(int index);              // REQUIRES: m_mutex held
    Status finishSegment();                       // REQUIRES: m_mutex held
    Status writeRecord(std::string_view record);  // REQUIRES: m_mutex held
    Status flushBuffer();                         // REQUIRES: m_mutex held
    Status fail(Status s);                        // REQUIRES: m_mutex held

    Env* const m_env;
    const std::string m_dir;
    const WalOptions m_options;

    mutable std::mutex m_mutex;
    std::unique_ptr<WritableFile> m_file;  // GUARDED_BY(m_mutex)
    int m_segment = -1;                    // GUARDED_BY(m_mutex)
    // Bytes of the current segment, including those still in m_buffer.
    std::uint64_t m_segmentBytes = 0;  // GUARDED_BY(m_mutex)
    // Encoded bytes not yet handed to m_file; written at the end of log().
    std::string m_buffer;      // GUARDED_BY(m_mutex)
    std::string m_compressed;  // GUARDED_BY(m_mutex), scratch
    Status m_error;            // GUARDED_BY(m_mutex)
    bool m_closed = false;     // GUARDED_BY(m_mutex)
};

}  // namespace vigil::tsdb::wal
