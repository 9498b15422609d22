#pragma once

// A block's chunk segment files (FORMAT.md, "Chunks file").

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/tsdb/chunk_series.h"
#include "core/tsdb/index/mapped_file.h"
#include "core/util/env.h"

namespace vigil::tsdb {

inline constexpr std::uint32_t kChunksMagic = 0x85BD40DD;
inline constexpr std::uint64_t kDefaultSegmentSize = 512ULL << 20;

// Appends framed chunks to `<dir>/000001`, `000002`, ... Not thread-safe.
class ChunkWriter {
public:
    // `dir` must exist. `segmentSize` bounds each segment (a single larger
    // chunk still gets a segment of its own).
    ChunkWriter(Env* env, std::string dir, std::uint64_t segmentSize = kDefaultSegmentSize);
    ~ChunkWriter();

    // Writes one chunk and returns its reference.
    Result<std::uint64_t> write(Encoding encoding, std::span<const std::uint8_t> data);
    // Syncs and closes the current segment. Must be called before the block
    // is published; the writer is unusable afterwards.
    Status finish();
    std::uint64_t bytesWritten() const { return m_totalBytes; }

private:
    Status cut();

    Env* m_env;
    std::string m_dir;
    std::uint64_t m_segmentSize;
    std::unique_ptr<WritableFile> m_file;
    std::uint32_t m_segment = 0;
    std::uint64_t m_offset = 0;
    std::uint64_t m_totalBytes = 0;
    std::string m_frame;
};

// Reads chunks by reference from the mapped segment files of one block.
// Immutable after open(); thread-safe.
class ChunkReader {
public:
    // Maps every segment of `dir` and checks each header.
    static Result<std::unique_ptr<ChunkReader>> open(Env* env, const std::string& dir);

    // The chunk at `ref`, checksum verified. The view's bytes live as long as
    // the reader.
    Result<ChunkView> chunk(std::uint64_t ref) const;
    // Walks every chunk of every segment and checks its frame and checksum.
    Status verifyAll() const;
    std::uint64_t sizeBytes() const;

private:
    struct Frame {
        Encoding encoding;
        std::span<const std::uint8_t> data;
        std::uint64_t end;  // offset just past the frame
    };
    Result<Frame> frame(std::size_t segmentIndex, std::uint64_t offset) const;

    std::vector<std::shared_ptr<const MappedFile>> m_segments;  // index = number - 1
};

}  // namespace vigil::tsdb
