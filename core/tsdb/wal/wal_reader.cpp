#include "core/tsdb/wal/wal_reader.h"

#include <snappy.h>

#include <algorithm>

#include "core/tsdb/wal/crc32c.h"

namespace vigil::tsdb::wal {
namespace {

std::uint16_t bigEndian16(const char* p) {
    return static_cast<std::uint16_t>(static_cast<std::uint8_t>(p[0]) << 8 |
                                      static_cast<std::uint8_t>(p[1]));
}

std::uint32_t bigEndian32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v = v << 8 | static_cast<std::uint8_t>(p[i]);
    return v;
}

const char* fragmentTypeName(std::uint8_t type) {
    switch (static_cast<FragmentType>(type)) {
        case FragmentType::kPadding:
            return "padding";
        case FragmentType::kFull:
            return "FULL";
        case FragmentType::kFirst:
            return "FIRST";
        case FragmentType::kMiddle:
            return "MIDDLE";
        case FragmentType::kLast:
            return "LAST";
    }
    return "unknown";
}

}  // namespace

std::string WalCorruption::toString() const {
    return "WAL " + dir + " segment " + segmentName(segment) + " offset " + std::to_string(offset) +
           ": " + reason;
}

WalReader::WalReader(Env* env, std::vector<SegmentRef> segments)
    : m_env(env), m_segments(std::move(segments)) {
    m_page.resize(kPageSize);
    if (m_segments.empty())
        m_done = true;
}

WalReader::~WalReader() = default;

Result<std::vector<SegmentRef>> WalReader::segmentsToReplay(Env* env, const std::string& walDir,
                                                            std::vector<std::string>* warnings) {
    auto checkpoint = lastCheckpoint(env, walDir);
    if (!checkpoint)
        return checkpoint.status();
    std::vector<SegmentRef> refs;
    auto addRange = [&](const std::string& dir, const std::vector<int>& indexes, int expectFirst) {
        int expect = expectFirst;
        for (int index : indexes) {
            if (expect >= 0 && index != expect && warnings != nullptr) {
                warnings->push_back("WAL " + dir + ": segments " + segmentName(expect) + " to " +
                                    segmentName(index - 1) + " are missing");
            }
            refs.push_back(SegmentRef{dir, index});
            expect = index + 1;
        }
    };
    int after = -1;
    if (*checkpoint) {
        const CheckpointRef& cp = **checkpoint;
        auto segments = listSegments(env, cp.dir);
        if (!segments)
            return segments.status();
        addRange(cp.dir, *segments, 0);
        after = cp.index;
    }
    auto segments = listSegments(env, walDir);
    if (!segments)
        return segments.status();
    std::vector<int> later;
    for (int index : *segments) {
        if (index > after)
            later.push_back(index);
    }
    addRange(walDir, later, after >= 0 ? after + 1 : -1);
    return refs;
}

bool WalReader::openSegment(std::size_t i) {
    m_current = i;
    const SegmentRef& ref = m_segments[i];
    auto file = m_env->newSequentialFile(segmentPath(ref.dir, ref.index));
    if (!file)
        return ioFailure(file.status().withContext("reading WAL"));
    m_file = std::move(*file);
    m_pageOffset = 0;
    m_pageLen = 0;
    m_pos = 0;
    m_pageEof = false;
    return true;
}

bool WalReader::readPage() {
    m_pageOffset += m_pageLen;
    auto n = m_file->read(m_page.data(), kPageSize);
    if (!n)
        return ioFailure(n.status().withContext("reading WAL"));
    m_pageLen = *n;
    m_pos = 0;
    if (m_pageLen < kPageSize)
        m_pageEof = true;
    return true;
}

bool WalReader::ioFailure(Status s) {
    m_status = std::move(s);
    m_done = true;
    m_record = {};
    return false;
}

bool WalReader::stop(std::string reason, bool eof) {
    WalCorruption c;
    c.dir = m_segments[m_current].dir;
    c.segment = m_segments[m_current].index;
    c.offset = m_recordOffset;
    c.reason = std::move(reason);
    c.tornTail = eof && m_current + 1 == m_segments.size();
    m_status = Status::corruption(c.toString());
    m_corruption = std::move(c);
    m_done = true;
    m_record = {};
    return false;
}

bool WalReader::next() {
    if (m_done)
        return false;
    m_record = {};
    bool inRecord = false;
    std::uint8_t recordFlags = 0;
    if (!m_file && !openSegment(0))
        return false;
    for (;;) {
        if (m_pos >= m_pageLen) {
            if (m_pageEof) {
                if (inRecord)
                    return stop("the segment ends inside a record (torn write)", true);
                if (m_current + 1 == m_segments.size()) {
                    m_done = true;
                    m_file.reset();
                    return false;
                }
                if (!openSegment(m_current + 1))
                    return false;
            }
            if (!readPage())
                return false;
            continue;
        }

        const char* p = m_page.data() + m_pos;
        const std::size_t remaining = m_pageLen - m_pos;
        const std::uint64_t fragmentOffset = m_pageOffset + m_pos;
        if (!inRecord)
            m_recordOffset = fragmentOffset;

        const auto typeByte = static_cast<std::uint8_t>(p[0]);
        if (typeByte == 0) {
            if (inRecord)
                return stop("padding inside a record that has no LAST fragment", false);
            if (!std::all_of(p, p + remaining, [](char c) { return c == 0; }))
                return stop("non-zero bytes in the padding at the end of page " +
                                std::to_string(m_pageOffset / kPageSize),
                            false);
            m_pos = m_pageLen;
            continue;
        }
        if (remaining < kHeaderSize) {
            if (m_pageEof)
                return stop("the segment ends inside a fragment header (torn write)", true);
            return stop("fragment header crosses the end of the page", false);
        }
        const std::uint8_t type = typeByte & kFragmentTypeMask;
        const std::uint8_t flags = typeByte & ~kFragmentTypeMask;
        const std::size_t length = bigEndian16(p + 1);
        const std::uint32_t crc = bigEndian32(p + 3);
        if (kHeaderSize + length > remaining) {
            if (m_pageEof && m_pageLen < kPageSize)
                return stop("the segment ends inside a fragment (torn write)", true);
            return stop("fragment length " + std::to_string(length) + " at offset " +
                            std::to_string(fragmentOffset) + " runs past the end of the page",
                        false);
        }
        std::string_view data(p + kHeaderSize, length);
        if (crc32c(data) != crc)
            return stop(std::string("checksum mismatch in ") + fragmentTypeName(type) +
                            " fragment at offset " + std::to_string(fragmentOffset),
                        false);
        if ((flags & ~kSnappyFlag) != 0 || type > static_cast<std::uint8_t>(FragmentType::kLast))
            return stop("unknown fragment type byte " + std::to_string(typeByte) + " at offset " +
                            std::to_string(fragmentOffset),
                        false);
        m_pos += kHeaderSize + length;

        std::string_view whole;
        switch (static_cast<FragmentType>(type)) {
            case FragmentType::kFull:
            case FragmentType::kFirst:
                if (inRecord)
                    return stop(std::string("unexpected ") + fragmentTypeName(type) +
                                    " fragment at offset " + std::to_string(fragmentOffset) +
                                    " inside a record",
                                false);
                recordFlags = flags;
                if (type == static_cast<std::uint8_t>(FragmentType::kFull)) {
                    whole = data;
                    break;
                }
                inRecord = true;
                m_assembled.assign(data);
                continue;
            case FragmentType::kMiddle:
            case FragmentType::kLast:
                if (!inRecord)
                    return stop(
                        std::string(fragmentTypeName(type)) + " fragment without a FIRST fragment",
                        false);
                if (flags != recordFlags)
                    return stop("fragment flags change inside a record at offset " +
                                    std::to_string(fragmentOffset),
                                false);
                m_assembled.append(data);
                if (type == static_cast<std::uint8_t>(FragmentType::kMiddle))
                    continue;
                whole = m_assembled;
                break;
            case FragmentType::kPadding:
                break;  // handled above
        }

        if (recordFlags & kSnappyFlag) {
            std::size_t n = 0;
            if (!snappy::GetUncompressedLength(whole.data(), whole.size(), &n))
                return stop("invalid Snappy header in a compressed record", false);
            m_decompressed.resize(n);
            if (!snappy::RawUncompress(whole.data(), whole.size(), m_decompressed.data()))
                return stop("invalid Snappy data in a compressed record", false);
            whole = m_decompressed;
        }
        m_record = whole;
        return true;
    }
}

Status repairWal(Env* env, const WalCorruption& corruption) {
    std::string path = segmentPath(corruption.dir, corruption.segment);
    Status s = env->truncateFile(path, corruption.offset);
    if (!s)
        return s.withContext("repairing WAL");
    auto segments = listSegments(env, corruption.dir);
    if (!segments)
        return segments.status().withContext("repairing WAL");
    for (int index : *segments) {
        if (index <= corruption.segment)
            continue;
        if (Status rs = env->removeFile(segmentPath(corruption.dir, index)); !rs)
            return rs.withContext("repairing WAL");
    }
    return env->syncDir(corruption.dir).withContext("repairing WAL");
}

Result<ReplayReport> replayWal(Env* env, const std::string& walDir,
                               const std::function<Status(std::string_view record)>& onRecord) {
    ReplayReport report;
    auto segments = WalReader::segmentsToReplay(env, walDir, &report.warnings);
    if (!segments)
        return segments.status();
    std::vector<SegmentRef> toRead = std::move(*segments);
    // At most two passes: a damaged checkpoint, then a damaged WAL tail.
    while (!toRead.empty()) {
        WalReader reader(env, toRead);
        while (reader.next()) {
            if (Status s = onRecord(reader.record()); !s)
                return s;
            ++report.records;
        }
        if (reader.status().isOk())
            break;
        if (!reader.corruption())
            return reader.status();
        const WalCorruption& c = *reader.corruption();
        report.warnings.push_back(c.toString() + "; the rest of the segment" +
                                  std::string(c.dir == walDir ? " and the later segments were"
                                                              : " of the checkpoint was") +
                                  " cut off");
        if (Status s = repairWal(env, c); !s)
            return s;
        if (c.dir == walDir)
            break;
        std::erase_if(toRead, [&](const SegmentRef& ref) { return ref.dir != walDir; });
    }
    return report;
}

}  // namespace vigil::tsdb::wal
