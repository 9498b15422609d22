#pragma once

// Checkpoints keep WAL replay bounded (Prometheus tsdb/wlog/checkpoint.go):
// the records of old segments that still matter are rewritten into a
// "checkpoint.N" directory, and segments 0..N are deleted.

#include <cstdint>
#include <functional>
#include <string>

#include "core/model/sample.h"
#include "core/tsdb/wal/wal.h"
#include "core/util/env.h"
#include "core/util/status.h"

namespace vigil::tsdb::wal {

struct CheckpointStats {
    int index = -1;  // the N of the checkpoint.N written
    std::uint64_t keptSeries = 0, droppedSeries = 0;
    std::uint64_t keptSamples = 0, droppedSamples = 0;
    std::uint64_t keptTombstones = 0, droppedTombstones = 0;
};

// Writes checkpoint.`last` from the previous checkpoint (if any) and the
// segments after it up to and including `last`, keeping
//   - Series records of series for which keep(ref) is true,
//   - samples of kept series with t >= mint,
//   - tombstones of kept series with maxt >= mint.
// The checkpoint is written to "checkpoint.N.tmp", synced and renamed into
// place, so a crash leaves either no checkpoint or a complete one (Wal::open
// removes leftover .tmp directories). Then segments <= `last` and older
// checkpoints are deleted. Replaying the checkpoint followed by the segments
// after `last` yields the kept state.
//
// REQUIRES: the segments up to `last` are complete: the writer has moved past
// them (Wal::nextSegment() returned a larger index). Only one checkpoint runs
// at a time. Damage in the input fails the checkpoint and deletes nothing.
Result<CheckpointStats> checkpoint(Env* env, const std::string& walDir, int last,
                                   const std::function<bool(std::uint64_t ref)>& keep,
                                   model::Timestamp mint, WalOptions options = {});

}  // namespace vigil::tsdb::wal
