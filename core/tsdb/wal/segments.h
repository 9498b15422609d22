#pragma once

// The on-disk layout shared by the WAL writer, reader and checkpoints. The
// byte format is specified in core/tsdb/FORMAT.md ("Write-ahead log").

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/env.h"
#include "core/util/status.h"

namespace vigil::tsdb::wal {

inline constexpr std::size_t kPageSize = 32 * 1024;
// type (1) + length (2, big-endian) + CRC32C of the fragment data (4, big-endian)
inline constexpr std::size_t kHeaderSize = 7;
inline constexpr std::uint64_t kDefaultSegmentSize = 128ull * 1024 * 1024;

// Low three bits of the type byte; 0 marks zero padding up to the page end.
enum class FragmentType : std::uint8_t {
    kPadding = 0,
    kFull = 1,
    kFirst = 2,
    kMiddle = 3,
    kLast = 4
};
inline constexpr std::uint8_t kFragmentTypeMask = 0x07;
// Set on every fragment of a record whose bytes are Snappy-compressed.
inline constexpr std::uint8_t kSnappyFlag = 0x08;

// "00000042": segment names are the index as eight decimal digits.
std::string segmentName(int index);
std::string segmentPath(std::string_view dir, int index);
// The index named by `name`, or nullopt when `name` is not a segment name.
std::optional<int> parseSegmentName(std::string_view name);
// The segment indexes in `dir`, ascending.
Result<std::vector<int>> listSegments(Env* env, const std::string& dir);

// "checkpoint.00000042": holds the state of all segments up to and including 42.
std::string checkpointName(int index);
// The index of a finished checkpoint directory name ("checkpoint.N", not ".tmp").
std::optional<int> parseCheckpointName(std::string_view name);
struct CheckpointRef {
    int index = -1;
    std::string dir;  // full path
};
// The newest finished checkpoint in `walDir`, or nullopt when there is none.
Result<std::optional<CheckpointRef>> lastCheckpoint(Env* env, const std::string& walDir);

}  // namespace vigil::tsdb::wal
