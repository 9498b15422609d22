#include "core/tsdb/block/chunk_files.h"

#include <cstdio>

#include "core/tsdb/index/encoding.h"
#include "core/tsdb/wal/crc32c.h"

namespace vigil::tsdb {

namespace {

constexpr std::uint64_t kSegmentHeaderSize = 8;

std::string segmentName(std::uint32_t n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06u", n);
    return buf;
}

}  // namespace

ChunkWriter::ChunkWriter(Env* env, std::string dir, std::uint64_t segmentSize)
    : m_env(env), m_dir(std::move(dir)), m_segmentSize(segmentSize) {}

ChunkWriter::~ChunkWriter() {
    if (m_file)
        (void)m_file->close();
}

Status ChunkWriter::cut() {
    if (m_file) {
        Status st = m_file->sync();
        if (!st.isOk())
            return st;
        st = m_file->close();
        if (!st.isOk())
            return st;
        m_file.reset();
    }
    ++m_segment;
    auto f = m_env->newWritableFile(joinPath(m_dir, segmentName(m_segment)));
    if (!f)
        return f.status();
    m_file = std::move(f.value());
    Encbuf h;
    h.putBe32(kChunksMagic);
    h.putU8(1);
    h.putBytes(std::string_view("\0\0\0", 3));
    m_offset = h.size();
    m_totalBytes += h.size();
    return m_file->append(h.str());
}

Result<std::uint64_t> ChunkWriter::write(Encoding encoding, std::span<const std::uint8_t> data) {
    Encbuf f;
    f.putUvarint(data.size());
    const std::size_t crcStart = f.size();
    f.putU8(static_cast<std::uint8_t>(encoding));
    f.putBytes(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
    std::uint32_t crc = crc32c(std::string_view(f.str()).substr(crcStart));
    f.putBe32(crc);
    if (!m_file || (m_offset > kSegmentHeaderSize && m_offset + f.size() > m_segmentSize)) {
        Status st = cut();
        if (!st.isOk())
            return st;
    }
    if (m_offset > UINT32_MAX)
        return Status::error("chunk segment offset exceeds 4 GiB");
    std::uint64_t ref = (static_cast<std::uint64_t>(m_segment) << 32) | m_offset;
    Status st = m_file->append(f.str());
    if (!st.isOk())
        return st;
    m_offset += f.size();
    m_totalBytes += f.size();
    return ref;
}

Status ChunkWriter::finish() {
    if (!m_file) {
        // A block with no chunks still gets one (empty) segment.
        Status st = cut();
        if (!st.isOk())
            return st;
    }
    Status st = m_file->sync();
    Status closed = m_file->close();
    m_file.reset();
    return st.isOk() ? closed : st;
}

Result<std::unique_ptr<ChunkReader>> ChunkReader::open(Env* env, const std::string& dir) {
    auto names = env->getChildren(dir);
    if (!names)
        return names.status();
    std::unique_ptr<ChunkReader> r(new ChunkReader());
    std::uint32_t expect = 1;
    for (const auto& name : *names) {
        if (name != segmentName(expect))
            return Status::corruption(joinPath(dir, name) + ": unexpected file; expected segment " +
                                      segmentName(expect));
        auto f = MappedFile::open(env, joinPath(dir, name));
        if (!f)
            return f.status();
        Decbuf d((*f)->data());
        std::uint32_t magic = d.be32();
        std::uint8_t version = d.u8();
        if (!d.ok() || (*f)->data().size() < kSegmentHeaderSize)
            return Status::corruption((*f)->path() + ": offset 0: segment header truncated");
        if (magic != kChunksMagic)
            return Status::corruption((*f)->path() + ": offset 0: bad segment magic");
        if (version != 1)
            return Status::corruption((*f)->path() + ": offset 4: unsupported version " +
                                      std::to_string(version));
        r->m_segments.push_back(std::move(f.value()));
        ++expect;
    }
    if (r->m_segments.empty())
        return Status::corruption(dir + ": no chunk segment files");
    return r;
}

Result<ChunkReader::Frame> ChunkReader::frame(std::size_t seg, std::uint64_t offset) const {
    const MappedFile& f = *m_segments[seg];
    std::string_view data = f.data();
    auto bad = [&](const std::string& what) {
        return Status::corruption(f.path() + ": offset " + std::to_string(offset) + ": " + what);
    };
    if (offset < kSegmentHeaderSize || offset >= data.size())
        return bad("chunk reference out of bounds");
    Decbuf d(data.substr(offset));
    std::uint64_t len = d.uvarint();
    if (!d.ok() || len > d.remaining() || d.remaining() - len < 5)
        return bad("chunk truncated");
    const char* start = d.pos();
    std::uint8_t enc = d.u8();
    std::string_view body = d.bytes(len);
    std::uint32_t crc = d.be32();
    if (crc32c(std::string_view(start, len + 1)) != crc)
        return bad("chunk checksum mismatch");
    if (!isKnownEncoding(enc))
        return bad("unknown chunk encoding " + std::to_string(enc));
    Frame fr;
    fr.encoding = static_cast<Encoding>(enc);
    fr.data = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(body.data()),
                                            body.size());
    fr.end = static_cast<std::uint64_t>(d.pos() - data.data());
    return fr;
}

Result<ChunkView> ChunkReader::chunk(std::uint64_t ref) const {
    std::uint64_t seg = ref >> 32;
    if (seg == 0 || seg > m_segments.size())
        return Status::corruption("chunk reference " + std::to_string(ref) +
                                  " names a missing segment " + std::to_string(seg));
    auto fr = frame(static_cast<std::size_t>(seg - 1), ref & 0xffffffffULL);
    if (!fr)
        return fr.status();
    ChunkView v;
    v.encoding = fr->encoding;
    v.data = fr->data;
    return v;
}

Status ChunkReader::verifyAll() const {
    for (std::size_t i = 0; i < m_segments.size(); ++i) {
        std::uint64_t off = kSegmentHeaderSize;
        const std::uint64_t size = m_segments[i]->data().size();
        while (off < size) {
            auto fr = frame(i, off);
            if (!fr)
                return fr.status();
            off = fr->end;
        }
    }
    return Status::ok();
}

std::uint64_t ChunkReader::sizeBytes() const {
    std::uint64_t n = 0;
    for (const auto& s : m_segments)
        n += s->data().size();
    return n;
}

}  // namespace vigil::tsdb
