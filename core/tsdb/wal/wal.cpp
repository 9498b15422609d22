#include "core/tsdb/wal/wal.h"

#include <snappy.h>

#include <algorithm>

#include "core/tsdb/wal/crc32c.h"

namespace vigil::tsdb::wal {
namespace {

void putBigEndian16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xFF));
}

void putBigEndian32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

// An upper bound of the bytes a record of `n` data bytes takes in a segment,
// wherever in a page it starts.
std::uint64_t encodedSizeBound(std::size_t n) {
    std::uint64_t fragments = n / (kPageSize - kHeaderSize) + 2;
    return kHeaderSize + n + fragments * kHeaderSize;
}

}  // namespace

Wal::Wal(Env* env, std::string dir, WalOptions options)
    : m_env(env), m_dir(std::move(dir)), m_options(options) {}

Wal::~Wal() {
    if (!m_closed)
        (void)close();
}

Result<std::unique_ptr<Wal>> Wal::open(Env* env, std::string dir, WalOptions options) {
    if (options.segmentSize < kPageSize)
        return Status::error("WAL " + dir + ": segment size " +
                             std::to_string(options.segmentSize) + " is smaller than one page (" +
                             std::to_string(kPageSize) + ")");
    if (Status s = createDirs(env, dir); !s)
        return s.withContext("opening WAL");
    auto names = env->getChildren(dir);
    if (!names)
        return names.status().withContext("opening WAL");
    int last = -1;
    for (const auto& name : *names) {
        if (auto index = parseSegmentName(name)) {
            last = std::max(last, *index);
        } else if (auto cp = parseCheckpointName(name)) {
            last = std::max(last, *cp);
        } else if (name.starts_with("checkpoint.") && name.ends_with(".tmp")) {
            if (Status s = removeAll(env, joinPath(dir, name)); !s)
                return s.withContext("removing an interrupted checkpoint");
        }
    }
    std::unique_ptr<Wal> wal(new Wal(env, std::move(dir), options));
    std::lock_guard lock(wal->m_mutex);
    if (Status s = wal->createSegment(last + 1); !s)
        return s.withContext("opening WAL");
    return wal;
}

Status Wal::createSegment(int index) {
    std::string path = segmentPath(m_dir, index);
    auto file = m_env->newWritableFile(path);
    if (!file)
        return file.status();
    // The new name must survive a power loss, or records synced into the
    // segment would vanish with it.
    if (Status s = m_env->syncDir(m_dir); !s)
        return s;
    m_file = std::move(*file);
    m_segment = index;
    m_segmentBytes = 0;
    return Status::ok();
}

Status Wal::finishSegment() {
    std::size_t used = m_segmentBytes % kPageSize;
    if (used != 0) {
        // Complete segments are whole pages (zero padding ends the last one).
        m_buffer.append(kPageSize - used, '\0');
        m_segmentBytes += kPageSize - used;
    }
    if (Status s = flushBuffer(); !s)
        return s;
    if (Status s = m_file->sync(); !s)
        return s;
    Status s = m_file->close();
    m_file.reset();
    return s;
}

Status Wal::flushBuffer() {
    if (m_buffer.empty())
        return Status::ok();
    Status s = m_file->append(m_buffer);
    if (s)
        s = m_file->flush();
    m_buffer.clear();
    return s;
}

Status Wal::fail(Status s) {
    if (m_error.isOk() && !s.isOk())
        m_error = s.withContext("WAL " + m_dir + " segment " + segmentName(m_segment));
    return m_error;
}

Status Wal::writeRecord(std::string_view record) {
    std::uint8_t flags = 0;
    if (m_options.compress && !record.empty()) {
        m_compressed.resize(snappy::MaxCompressedLength(record.size()));
        std::size_t n = 0;
        snappy::RawCompress(record.data(), record.size(), m_compressed.data(), &n);
        if (n < record.size()) {
            record = std::string_view(m_compressed.data(), n);
            flags = kSnappyFlag;
        }
    }

    if (m_segmentBytes > 0 &&
        m_segmentBytes + encodedSizeBound(record.size()) > m_options.segmentSize) {
        if (Status s = finishSegment(); !s)
            return s;
        if (Status s = createSegment(m_segment + 1); !s)
            return s;
    }

    bool first = true;
    do {
        std::size_t left = kPageSize - m_segmentBytes % kPageSize;
        if (left <= kHeaderSize) {
            // Too small for a fragment with data: pad to the page end.
            m_buffer.append(left, '\0');
            m_segmentBytes += left;
            left = kPageSize;
        }
        std::size_t n = std::min(record.size(), left - kHeaderSize);
        bool last = n == record.size();
        FragmentType type = first && last ? FragmentType::kFull
                            : first       ? FragmentType::kFirst
                            : last        ? FragmentType::kLast
                                          : FragmentType::kMiddle;
        std::string_view fragment = record.substr(0, n);
        m_buffer.push_back(static_cast<char>(static_cast<std::uint8_t>(type) | flags));
        putBigEndian16(m_buffer, static_cast<std::uint16_t>(n));
        putBigEndian32(m_buffer, crc32c(fragment));
        m_buffer.append(fragment);
        m_segmentBytes += kHeaderSize + n;
        record.remove_prefix(n);
        first = false;
        // Keep the buffer bounded when one call logs a lot.
        if (m_buffer.size() >= 1024 * 1024) {
            if (Status s = flushBuffer(); !s)
                return s;
        }
    } while (!record.empty());
    return Status::ok();
}

Status Wal::log(std::span<const std::string_view> records) {
    std::lock_guard lock(m_mutex);
    if (!m_error.isOk())
        return m_error;
    if (m_closed)
        return Status::error("WAL " + m_dir + ": log after close");
    for (std::string_view record : records) {
        if (Status s = writeRecord(record); !s)
            return fail(s);
    }
    return fail(flushBuffer());
}

Status Wal::sync() {
    std::lock_guard lock(m_mutex);
    if (!m_error.isOk())
        return m_error;
    if (m_closed)
        return Status::error("WAL " + m_dir + ": sync after close");
    return fail(m_file->sync());
}

Status Wal::close() {
    std::lock_guard lock(m_mutex);
    if (m_closed)
        return Status::error("WAL " + m_dir + ": already closed");
    m_closed = true;
    if (!m_error.isOk())
        return m_error;
    if (!m_file)  // open() failed to create the first segment
        return Status::ok();
    if (Status s = flushBuffer(); !s)
        return fail(s);
    if (Status s = m_file->sync(); !s)
        return fail(s);
    Status s = m_file->close();
    m_file.reset();
    return fail(s);
}

Result<int> Wal::nextSegment() {
    std::lock_guard lock(m_mutex);
    if (!m_error.isOk())
        return m_error;
    if (m_closed)
        return Status::error("WAL " + m_dir + ": nextSegment after close");
    if (Status s = finishSegment(); !s)
        return fail(s);
    if (Status s = createSegment(m_segment + 1); !s)
        return fail(s);
    return m_segment;
}

int Wal::currentSegment() const {
    std::lock_guard lock(m_mutex);
    return m_segment;
}

Status Wal::error() const {
    std::lock_guard lock(m_mutex);
    return m_error;
}

}  // namespace vigil::tsdb::wal
