#pragma once

// Reading the WAL back: iteration over the records of a sequence of segments,
// detection of torn and corrupt data, and repair.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tsdb/wal/segments.h"
#include "core/util/env.h"
#include "core/util/status.h"

namespace vigil::tsdb::wal {

// One segment file to read.
struct SegmentRef {
    std::string dir;
    int index = 0;
};

// Where reading stopped, and why. `offset` is the start of the first record
// that could not be read: everything before it in the segment is good, so
// repairWal() cuts the segment there.
struct WalCorruption {
    std::string dir;
    int segment = 0;
    std::uint64_t offset = 0;
    std::string reason;
    // True when the segment simply ends inside a record (a write cut short by
    // a crash) and the segment is the last one read.
    bool tornTail = false;

    // "WAL /data/wal segment 00000003 offset 40960: checksum mismatch ..."
    std::string toString() const;
};

// Iterates over the records of `segments`, in order.
//
// A record never spans segments. Reading stops at the first damaged
// fragment: next() returns false, status() is a kCorruption Status naming
// the segment and offset, and corruption() says where the good data ends.
// An I/O error (a segment that cannot be opened or read) stops reading too,
// with a kIoError status and no corruption().
//
// Not thread-safe.
class WalReader {
public:
    WalReader(Env* env, std::vector<SegmentRef> segments);
    ~WalReader();
    WalReader(const WalReader&) = delete;
    WalReader& operator=(const WalReader&) = delete;

    // The last checkpoint of `walDir` (if any) followed by the segments after
    // it. Gaps in the numbering are reported in `warnings` (if not null).
    static Result<std::vector<SegmentRef>> segmentsToReplay(Env* env, const std::string& walDir,
                                                            std::vector<std::string>* warnings);

    // Advances to the next record. False at the end or on error.
    bool next();
    // The current record, decompressed. Valid until the next call to next().
    std::string_view record() const { return m_record; }
    // Where the current record starts.
    const SegmentRef& segment() const { return m_segments[m_current]; }
    std::uint64_t recordOffset() const { return m_recordOffset; }

    Status status() const { return m_status; }
    const std::optional<WalCorruption>& corruption() const { return m_corruption; }

private:
    bool openSegment(std::size_t i);
    bool readPage();
    bool stop(std::string reason, bool eof);
    bool ioFailure(Status s);

    Env* m_env;
    std::vector<SegmentRef> m_segments;
    std::size_t m_current = 0;
    std::unique_ptr<SequentialFile> m_file;
    bool m_done = false;

    std::string m_page;              // the current page; shorter than a page only at the end
    std::size_t m_pageLen = 0;       // valid bytes in m_page
    std::size_t m_pos = 0;           // next unread byte in m_page
    std::uint64_t m_pageOffset = 0;  // offset of m_page in the segment
    bool m_pageEof = false;          // m_page is the last (possibly partial) page

    std::string_view m_record;
    std::uint64_t m_recordOffset = 0;
    std::string m_assembled;     // fragments of a multi-fragment record
    std::string m_decompressed;  // scratch for Snappy

    Status m_status;
    std::optional<WalCorruption> m_corruption;
};

// Cuts the damaged segment at the good prefix and deletes the later segments
// of the same directory, so the WAL reads cleanly to its end and can be
// appended to again (Wal::open starts a new segment).
Status repairWal(Env* env, const WalCorruption& corruption);

struct ReplayReport {
    std::uint64_t records = 0;
    // Each damaged tail that was cut off, for the log.
    std::vector<std::string> warnings;
};

// Start-up replay: reads the last checkpoint and the segments after it,
// calling `onRecord` for each record in order. A torn or corrupt tail is
// repaired (repairWal) and reported in the warnings; it does not fail the
// replay. A damaged checkpoint is cut the same way and replay goes on with
// the segments after it. Fails only on I/O errors or when `onRecord` fails
// (that error is returned as is).
Result<ReplayReport> replayWal(Env* env, const std::string& walDir,
                               const std::function<Status(std::string_view record)>& onRecord);

}  // namespace vigil::tsdb::wal
