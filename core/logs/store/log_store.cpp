#include "core/logs/store/log_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <numeric>
#include <queue>
#include <thread>
#include <unordered_set>

#include "core/instrument/metric_registry.h"
#include "core/logs/store/chunk_codec.h"
#include "core/logs/store/encoding.h"
#include "core/tsdb/wal/crc32c.h"
#include "core/tsdb/wal/segments.h"
#include "core/tsdb/wal/wal.h"
#include "core/tsdb/wal/wal_reader.h"

namespace vigil::logs::store {

namespace {

// Version 1 chunks (no encoding byte) are snappy; version 2 names the
// encoding of its blocks. New chunks are always version 2.
constexpr std::uint8_t kChunkVersionSnappy = 1;
constexpr std::uint8_t kChunkVersion = 2;
constexpr char kStreamRecord = 'S';
constexpr char kEntriesRecord = 'E';
constexpr std::size_t kRecordHeader = 8;         // bodyLen + crc
constexpr std::size_t kHeaderProbe = 64 * 1024;  // bytes read to parse a chunk header
constexpr std::size_t kReasonCount = 9;

std::string segmentFileName(int index) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%08d.seg", index);
    return buf;
}

bool parseSegmentFileName(const std::string& name, int& index) {
    if (name.size() != 12 || name.compare(8, 4, ".seg") != 0)
        return false;
    index = 0;
    for (int i = 0; i < 8; ++i) {
        if (name[static_cast<std::size_t>(i)] < '0' || name[static_cast<std::size_t>(i)] > '9')
            return false;
        index = index * 10 + (name[static_cast<std::size_t>(i)] - '0');
    }
    return true;
}

bool validLabelName(std::string_view name) {
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                        (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

std::string formatNs(std::int64_t ns) {
    // RFC3339Nano-ish UTC, as Loki's messages print time.Time.
    const std::time_t secs = static_cast<std::time_t>(ns / 1000000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[96];
    std::snprintf(out, sizeof out, "%s.%09lldZ", buf,
                  static_cast<long long>(((ns % 1000000000) + 1000000000) % 1000000000));
    return out;
}

// One parsed chunk header (FORMAT.md "Chunk segment files").
struct BlockMeta {
    std::int64_t mint = 0;
    std::int64_t maxt = 0;
    std::uint64_t entries = 0;
    std::uint64_t rawLen = 0;
    std::uint64_t compressedLen = 0;
    // Every timestamp delta in the block is a multiple of this; the entries
    // store delta / tsUnit (version 2; always 1 in version 1 chunks).
    std::uint64_t tsUnit = 1;
    std::uint64_t dataOffset = 0;  // within the body
};

struct ChunkHeader {
    ChunkEncoding encoding = ChunkEncoding::kSnappy;
    model::Labels labels;
    std::int64_t mint = 0;
    std::int64_t maxt = 0;
    std::uint64_t entries = 0;
    std::uint64_t lastSeq = 0;
    std::vector<BlockMeta> blocks;
};

// Parses the header of a chunk body; false when `body` is too short or
// malformed. Block data offsets are checked against `bodyLen`.
bool parseChunkHeader(std::string_view body, std::uint64_t bodyLen, ChunkHeader& h,
                      bool withLabels) {
    Decoder d(body);
    std::uint8_t version = 0;
    if (!d.u8(version))
        return false;
    if (version == kChunkVersionSnappy) {
        h.encoding = ChunkEncoding::kSnappy;
    } else if (version == kChunkVersion) {
        std::uint8_t byte = 0;
        if (!d.u8(byte))
            return false;
        const auto encoding = chunkEncodingFromByte(byte);
        if (!encoding)
            return false;
        h.encoding = *encoding;
    } else {
        return false;
    }
    if (withLabels) {
        if (!getLabels(d, h.labels))
            return false;
    } else {
        std::uint64_t n = 0;
        std::string_view skip;
        if (!d.uvarint(n))
            return false;
        for (std::uint64_t i = 0; i < 2 * n; ++i)
            if (!d.bytes(skip))
                return false;
    }
    std::uint64_t nblocks = 0;
    if (!d.varint(h.mint) || !d.varint(h.maxt) || !d.uvarint(h.entries) || !d.uvarint(h.lastSeq) ||
        !d.uvarint(nblocks) || nblocks > bodyLen)
        return false;
    h.blocks.resize(static_cast<std::size_t>(nblocks));
    for (auto& b : h.blocks) {
        if (!d.varint(b.mint) || !d.varint(b.maxt) || !d.uvarint(b.entries) ||
            !d.uvarint(b.rawLen) || !d.uvarint(b.compressedLen))
            return false;
        if (version == kChunkVersion && (!d.uvarint(b.tsUnit) || b.tsUnit == 0))
            return false;
    }
    std::uint64_t offset = static_cast<std::uint64_t>(d.pos() - body.data());
    for (auto& b : h.blocks) {
        b.dataOffset = offset;
        offset += b.compressedLen;
    }
    return offset <= bodyLen;
}

// Why a chunk body's version or encoding byte is not one this build reads;
// empty when both are known (or the body is too short to say).
std::string unknownChunkFormat(std::string_view body) {
    if (body.empty())
        return {};
    const auto version = static_cast<std::uint8_t>(body[0]);
    if (version != kChunkVersionSnappy && version != kChunkVersion)
        return "chunk format version " + std::to_string(version);
    if (version == kChunkVersion && body.size() > 1 &&
        !chunkEncodingFromByte(static_cast<std::uint8_t>(body[1])))
        return "chunk encoding " + std::to_string(static_cast<std::uint8_t>(body[1]));
    return {};
}

Status preadFull(int fd, std::uint64_t offset, std::size_t n, char* out, const std::string& path) {
    std::size_t done = 0;
    while (done < n) {
        const ssize_t r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return Status::ioError("reading " + path + ": " + std::strerror(errno));
        }
        if (r == 0)
            return Status::corruption(path + ": unexpected end of file at offset " +
                                      std::to_string(offset + done));
        done += static_cast<std::size_t>(r);
    }
    return Status::ok();
}

// Walks the entries of a head buffer or a WAL entries record (FORMAT.md):
// varint ts, line, metadata pairs.
struct HeadEntry {
    std::int64_t ts;
    std::uint32_t restOffset;  // the line length varint
    std::uint32_t restLen;     // line and metadata
};

bool indexEntries(std::string_view buf, std::vector<HeadEntry>& out) {
    out.clear();
    Decoder d(buf);
    while (!d.done()) {
        std::int64_t ts = 0;
        if (!d.varint(ts))
            return false;
        const char* rest = d.pos();
        std::string_view line;
        std::uint64_t pairs = 0;
        if (!d.bytes(line) || !d.uvarint(pairs))
            return false;
        for (std::uint64_t i = 0; i < 2 * pairs; ++i) {
            std::string_view s;
            if (!d.bytes(s))
                return false;
        }
        out.push_back({ts, static_cast<std::uint32_t>(rest - buf.data()),
                       static_cast<std::uint32_t>(d.pos() - rest)});
    }
    return true;
}

}  // namespace

const char* rejectionReasonName(LogRejection reason) {
    switch (reason) {
        case LogRejection::kNone:
            return "none";
        case LogRejection::kTooOld:
            return "too_old";
        case LogRejection::kTooFarInFuture:
            return "too_far_in_future";
        case LogRejection::kOutOfOrder:
            return "out_of_order";
        case LogRejection::kLineTooLong:
            return "line_too_long";
        case LogRejection::kStreamLimit:
            return "stream_limit";
        case LogRejection::kLabelValueTooLong:
            return "label_value_too_long";
        case LogRejection::kLabelNameInvalid:
            return "label_name_invalid";
        case LogRejection::kRateLimited:
            return "rate_limited";
    }
    return "unknown";
}

std::string logsDirForDataDir(const std::string& dataDir) {
    return dataDir + "/logs";
}

struct LogStore::Segment {
    int index = 0;
    std::string path;
    int fd = -1;
    std::uint64_t size = 0;  // GUARDED_BY(store m_mutex)
    std::int64_t mint = INT64_MAX;
    std::int64_t maxt = INT64_MIN;
    std::int64_t createdWallNs = 0;
    ~Segment() {
        if (fd >= 0)
            ::close(fd);
    }
};

struct LogStore::ChunkRef {
    std::shared_ptr<Segment> segment;
    std::uint64_t offset = 0;  // of the record
    std::uint32_t length = 0;  // of the body
    std::int64_t mint = 0;
    std::int64_t maxt = 0;
    std::uint64_t entries = 0;
};

struct LogStore::Stream {
    std::uint32_t id = 0;
    model::Labels labels;
    std::uint64_t hash = 0;
    std::vector<ChunkRef> chunks;
    // The head chunk: WAL entry encoding, in arrival order.
    std::string head;
    std::uint32_t headCount = 0;
    std::int64_t headMint = INT64_MAX;
    std::int64_t headMaxt = INT64_MIN;
    std::int64_t headLastTs = INT64_MIN;
    bool headSorted = true;
    std::int64_t headCreatedWallNs = 0;
    std::int64_t lastWriteWallNs = 0;
    std::uint64_t nextSeq = 1;  // seq of the next accepted entry
    std::uint32_t walRef = 0;
    bool walDeclared = false;
    bool active = false;
    std::int64_t mint() const {
        std::int64_t m = headCount ? headMint : INT64_MAX;
        for (const auto& c : chunks)
            m = std::min(m, c.mint);
        return m;
    }
    bool overlaps(std::int64_t start, std::int64_t end) const {
        if (headCount && headMint < end && headMaxt >= start)
            return true;
        for (const auto& c : chunks)
            if (c.mint < end && c.maxt >= start)
                return true;
        return false;
    }
};

LogStore::LogStore(Env* env, std::string dir, LogStoreOptions options,
                   instrument::MetricRegistry* registry)
    : m_env(env),
      m_dir(std::move(dir)),
      m_options(std::move(options)),
      m_ownRegistry(registry ? nullptr : std::make_unique<instrument::MetricRegistry>()),
      m_registry(registry ? *registry : *m_ownRegistry),
      m_ingestedEntries(m_registry.counter("vigil_logs_ingested_entries_total",
                                           "Log entries accepted by the log store.")),
      m_ingestedBytes(m_registry.counter("vigil_logs_ingested_bytes_total",
                                         "Bytes of log lines accepted by the log store.")),
      m_chunksCut(m_registry.counter("vigil_logs_chunks_flushed_total",
                                     "Head chunks cut and written to segment files.")),
      m_activeGauge(m_registry.gauge(
          "vigil_logs_active_streams",
          "Streams counted by the cardinality guard (max_streams in vigil.yml logs:).")),
      m_diskGauge(m_registry.gauge("vigil_logs_store_bytes",
                                   "Bytes of chunk segment files of the log store.")) {
    for (std::size_t i = 1; i < kReasonCount; ++i) {
        m_discardedCounters[i] = &m_registry.counter(
            "vigil_logs_discarded_entries_total",
            "Log entries refused by the log store, by reason.",
            model::Labels{{"reason", rejectionReasonName(static_cast<LogRejection>(i))}});
    }
}

LogStore::~LogStore() = default;

std::int64_t LogStore::now() const {
    if (m_options.nowNs)
        return m_options.nowNs();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<std::unique_ptr<LogStore>> LogStore::open(Env* env, std::string dir, LogStoreOptions options,
                                                 instrument::MetricRegistry* registry) {
    if (options.blockBytes == 0 || options.chunkTargetBytes == 0)
        return Status::error("log store: block and chunk sizes must be positive");
    std::unique_ptr<LogStore> store(
        new LogStore(env, std::move(dir), std::move(options), registry));
    if (Status s = store->recover(); !s.isOk())
        return s.withContext("opening the log store in " + store->m_dir);
    return store;
}

Status LogStore::loadSegment(int index, bool newest) {
    auto seg = std::make_shared<Segment>();
    seg->index = index;
    seg->path = m_dir + "/chunks/" + segmentFileName(index);
    seg->fd = ::open(seg->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (seg->fd < 0)
        return Status::ioError("opening " + seg->path + ": " + std::strerror(errno));
    auto fileSize = m_env->getFileSize(seg->path);
    if (!fileSize)
        return fileSize.status();
    const std::uint64_t size = *fileSize;

    std::string buf;
    std::uint64_t offset = 0;
    std::string problem;
    while (offset < size) {
        if (size - offset < kRecordHeader) {
            problem = "truncated record header";
            break;
        }
        char hdr[kRecordHeader];
        if (Status s = preadFull(seg->fd, offset, kRecordHeader, hdr, seg->path); !s.isOk())
            return s;
        const std::uint32_t bodyLen = getFixed32(hdr);
        const std::uint32_t crc = getFixed32(hdr + 4);
        if (bodyLen == 0 || bodyLen > size - offset - kRecordHeader) {
            problem = "record length " + std::to_string(bodyLen) + " past the end of the file";
            break;
        }
        // Only the newest segment can end in a torn write (older ones were
        // synced before the next was started): its records are checksummed
        // in full; elsewhere only the header is read, so that opening costs
        // one small read per chunk, not a read of the whole store. Readers
        // check block decoding as they go.
        const std::size_t want = newest ? bodyLen : std::min<std::size_t>(bodyLen, kHeaderProbe);
        buf.resize(want);
        if (Status s = preadFull(seg->fd, offset + kRecordHeader, want, buf.data(), seg->path);
            !s.isOk())
            return s;
        if (newest && tsdb::crc32c(buf) != crc) {
            problem = "checksum mismatch";
            break;
        }
        ChunkHeader h;
        bool parsed = parseChunkHeader(buf, bodyLen, h, true);
        if (!parsed && want < bodyLen) {
            // A header larger than the probe (very many labels): read it all.
            buf.resize(bodyLen);
            if (Status s =
                    preadFull(seg->fd, offset + kRecordHeader, bodyLen, buf.data(), seg->path);
                !s.isOk())
                return s;
            parsed = parseChunkHeader(buf, bodyLen, h, true);
        }
        if (!parsed) {
            // A record that is intact but of a version or encoding this
            // build does not know (a store written by a newer Vigil) is not
            // a torn write: refuse to open rather than truncate it away.
            if (std::string what = unknownChunkFormat(buf); !what.empty()) {
                if (buf.size() < bodyLen) {
                    buf.resize(bodyLen);
                    if (Status s = preadFull(seg->fd, offset + kRecordHeader, bodyLen, buf.data(),
                                             seg->path);
                        !s.isOk())
                        return s;
                }
                if (tsdb::crc32c(buf) == crc)
                    return Status::corruption(seg->path + ": chunk at offset " +
                                              std::to_string(offset) + ": " + what +
                                              ", unknown to this version of Vigil");
            }
            problem = "malformed chunk header";
            break;
        }
        Stream* stream = findStream(h.labels);
        if (!stream)
            stream = createStream(h.labels);
        stream->chunks.push_back({seg, offset, bodyLen, h.mint, h.maxt, h.entries});
        stream->nextSeq = std::max(stream->nextSeq, h.lastSeq + 1);
        seg->mint = std::min(seg->mint, h.mint);
        seg->maxt = std::max(seg->maxt, h.maxt);
        offset += kRecordHeader + bodyLen;
    }
    if (!problem.empty()) {
        // A chunk write cut short by a crash: its entries are still in the
        // WAL (which is truncated only after the segment was synced).
        if (Status s = m_env->truncateFile(seg->path, offset); !s.isOk())
            return s;
    }
    seg->size = offset;
    seg->createdWallNs = now();
    m_segments[index] = std::move(seg);
    return Status::ok();
}

Status LogStore::recover() {
    for (const char* sub : {"", "/chunks", "/wal"}) {
        if (Status s = m_env->createDir(m_dir + sub); !s.isOk())
            return s;
    }
    auto names = m_env->getChildren(m_dir + "/chunks");
    if (!names)
        return names.status();
    std::vector<int> indexes;
    for (const auto& name : *names) {
        int index = 0;
        if (parseSegmentFileName(name, index))
            indexes.push_back(index);
    }
    std::sort(indexes.begin(), indexes.end());
    for (int index : indexes)
        if (Status s = loadSegment(index, index == indexes.back()); !s.isOk())
            return s;

    // Replay the WAL into the heads.
    std::unordered_map<std::uint32_t, Stream*> refs;
    std::uint32_t maxRef = 0;
    const std::int64_t oldest =
        m_options.retentionNs > 0 ? now() - m_options.retentionNs : INT64_MIN;
    std::vector<HeadEntry> idx;
    auto replayed =
        tsdb::wal::replayWal(m_env, m_dir + "/wal", [&](std::string_view record) -> Status {
            Decoder d(record);
            std::uint8_t type = 0;
            std::uint64_t ref = 0;
            if (!d.u8(type) || !d.uvarint(ref))
                return Status::corruption("log WAL: malformed record");
            maxRef = std::max(maxRef, static_cast<std::uint32_t>(ref));
            if (type == kStreamRecord) {
                model::Labels labels;
                if (!getLabels(d, labels))
                    return Status::corruption("log WAL: malformed stream record");
                Stream* s = findStream(labels);
                if (!s)
                    s = createStream(std::move(labels));
                refs[static_cast<std::uint32_t>(ref)] = s;
                return Status::ok();
            }
            if (type != kEntriesRecord)
                return Status::corruption("log WAL: unknown record type " + std::to_string(type));
            auto it = refs.find(static_cast<std::uint32_t>(ref));
            if (it == refs.end())
                return Status::corruption("log WAL: entries for undeclared stream ref " +
                                          std::to_string(ref));
            Stream& s = *it->second;
            std::uint64_t seq = 0;
            std::uint64_t count = 0;
            if (!d.uvarint(seq) || !d.uvarint(count))
                return Status::corruption("log WAL: malformed entries record");
            const std::string_view entries(d.pos(), d.remaining());
            if (!indexEntries(entries, idx) || idx.size() != count)
                return Status::corruption("log WAL: malformed entries record");
            for (const auto& e : idx) {
                const std::uint64_t entrySeq = seq++;
                if (entrySeq < s.nextSeq || e.ts < oldest)
                    continue;  // already in a chunk, or re-logged; or expired
                // Varint ts + rest, exactly as in the record.
                const char* begin = entries.data() + e.restOffset;
                std::string tsBuf;
                putVarint(tsBuf, e.ts);
                if (s.headCount == 0) {
                    s.headCreatedWallNs = now();
                    s.headMint = e.ts;
                    s.headMaxt = e.ts;
                }
                s.head += tsBuf;
                s.head.append(begin, e.restLen);
                if (e.ts < s.headLastTs)
                    s.headSorted = false;
                s.headLastTs = e.ts;
                s.headMint = std::min(s.headMint, e.ts);
                s.headMaxt = std::max(s.headMaxt, e.ts);
                ++s.headCount;
                s.nextSeq = entrySeq + 1;
                s.lastWriteWallNs = now();
                if (s.head.size() >= m_options.chunkTargetBytes) {
                    if (Status c = cutHead(s); !c.isOk())
                        return c;
                }
            }
            return Status::ok();
        });
    if (!replayed)
        return replayed.status();
    m_nextWalRef = maxRef + 1;

    tsdb::wal::WalOptions walOptions;
    auto wal = tsdb::wal::Wal::open(m_env, m_dir + "/wal", walOptions);
    if (!wal)
        return wal.status();
    m_wal = std::move(*wal);
    if (replayed->records > 0) {
        // Start the next generation now: the heads are re-logged into the
        // new segment and the replayed segments go, so repeated crashes do
        // not let the WAL grow.
        if (Status s = rotateWal(); !s.isOk())
            return s;
    }

    const std::int64_t t = now();
    for (auto& s : m_streams) {
        if (!s)
            continue;
        s->active = s->headCount > 0;
        if (s->active) {
            ++m_activeStreams;
            s->lastWriteWallNs = t;
        }
    }
    m_activeGauge.set(static_cast<double>(m_activeStreams));
    std::uint64_t disk = 0;
    for (const auto& [i, seg] : m_segments)
        disk += seg->size;
    m_diskGauge.set(static_cast<double>(disk));
    return Status::ok();
}

LogStore::Stream* LogStore::findStream(const model::Labels& labels) const {
    auto it = m_byHash.find(labels.hash());
    if (it == m_byHash.end())
        return nullptr;
    for (Stream* s : it->second)
        if (s->labels == labels)
            return s;
    return nullptr;
}

LogStore::Stream* LogStore::createStream(model::Labels labels) {
    auto stream = std::make_unique<Stream>();
    stream->id = static_cast<std::uint32_t>(m_streams.size());
    stream->hash = labels.hash();
    stream->labels = std::move(labels);
    Stream* raw = stream.get();
    m_byHash[raw->hash].push_back(raw);
    for (const auto& l : raw->labels)
        m_postings[l.name][l.value].push_back(raw->id);  // ids ascend: stays sorted
    m_streams.push_back(std::move(stream));
    return raw;
}

Status LogStore::openNewSegment() {
    if (m_activeFile) {
        if (Status s = m_activeFile->sync(); !s.isOk())
            return s;
        if (Status s = m_activeFile->close(); !s.isOk())
            return s;
        m_activeFile.reset();
    }
    const int index = m_segments.empty() ? 1 : m_segments.rbegin()->first + 1;
    auto seg = std::make_shared<Segment>();
    seg->index = index;
    seg->path = m_dir + "/chunks/" + segmentFileName(index);
    auto file = m_env->newWritableFile(seg->path);
    if (!file)
        return file.status();
    seg->fd = ::open(seg->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (seg->fd < 0)
        return Status::ioError("opening " + seg->path + ": " + std::strerror(errno));
    if (Status s = m_env->syncDir(m_dir + "/chunks"); !s.isOk())
        return s;
    seg->createdWallNs = now();
    m_activeFile = std::move(*file);
    m_segments[index] = seg;
    m_active = std::move(seg);
    return Status::ok();
}

Status LogStore::cutHead(Stream& stream) {
    if (stream.headCount == 0)
        return Status::ok();
    std::vector<HeadEntry> idx;
    idx.reserve(stream.headCount);
    if (!indexEntries(stream.head, idx))
        return Status::corruption("log store: head chunk of " + stream.labels.toString() +
                                  " is malformed");
    if (!stream.headSorted)
        std::stable_sort(idx.begin(), idx.end(),
                         [](const HeadEntry& a, const HeadEntry& b) { return a.ts < b.ts; });

    std::vector<BlockMeta> blocks;
    std::string data;  // compressed blocks
    std::string& raw = m_scratch;
    std::size_t i = 0;
    while (i < idx.size()) {
        raw.clear();
        BlockMeta b;
        b.mint = idx[i].ts;
        // The block's entries (about blockBytes of them), and the largest
        // unit all their timestamp deltas are multiples of: timestamps of
        // second, millisecond or microsecond precision then cost a byte or
        // two per entry instead of three or four of nearly random bits.
        std::size_t end = i;
        std::size_t size = 0;
        std::uint64_t unit = 0;
        for (std::int64_t prev = b.mint; end < idx.size() && size < m_options.blockBytes; ++end) {
            size += idx[end].restLen + 1;
            unit = std::gcd(unit, static_cast<std::uint64_t>(idx[end].ts - prev));
            prev = idx[end].ts;
        }
        b.tsUnit = unit == 0 ? 1 : unit;
        std::int64_t prev = b.mint;
        for (; i < end; ++i) {
            const HeadEntry& e = idx[i];
            putUvarint(raw, static_cast<std::uint64_t>(e.ts - prev) / b.tsUnit);
            raw.append(stream.head.data() + e.restOffset, e.restLen);
            prev = e.ts;
            ++b.entries;
        }
        b.maxt = prev;
        b.rawLen = raw.size();
        const std::size_t before = data.size();
        if (Status s =
                m_compressor.compress(m_options.chunkEncoding, m_options.zstdLevel, raw, data);
            !s.isOk())
            return s.withContext("cutting a chunk of " + stream.labels.toString());
        b.compressedLen = data.size() - before;
        blocks.push_back(b);
    }

    std::string body;
    body.reserve(data.size() + 256);
    body.push_back(static_cast<char>(kChunkVersion));
    body.push_back(static_cast<char>(m_options.chunkEncoding));
    putLabels(body, stream.labels);
    putVarint(body, idx.front().ts);
    putVarint(body, idx.back().ts);
    putUvarint(body, idx.size());
    putUvarint(body, stream.nextSeq - 1);
    putUvarint(body, blocks.size());
    for (const auto& b : blocks) {
        putVarint(body, b.mint);
        putVarint(body, b.maxt);
        putUvarint(body, b.entries);
        putUvarint(body, b.rawLen);
        putUvarint(body, b.compressedLen);
        putUvarint(body, b.tsUnit);
    }
    body += data;

    const std::int64_t t = now();
    if (!m_active || m_active->size >= m_options.segmentBytes ||
        (m_active->size > 0 && t - m_active->createdWallNs >= m_options.segmentSpanNs)) {
        if (Status s = openNewSegment(); !s.isOk())
            return s;
    }
    std::string record;
    putFixed32(record, static_cast<std::uint32_t>(body.size()));
    putFixed32(record, tsdb::crc32c(body));
    Status written = m_activeFile->append(record);
    if (written.isOk())
        written = m_activeFile->append(body);
    // Readers pread the file: hand the bytes to the kernel now.
    if (written.isOk())
        written = m_activeFile->flush();
    if (!written.isOk()) {
        // The segment may end in part (or all) of this record: cut it back
        // (if that fails too, the next open truncates a partial record) and
        // write the next cut to a new segment. The head keeps its entries,
        // which the WAL still holds.
        m_activeFile.reset();
        (void)m_env->truncateFile(m_active->path, m_active->size);
        m_active.reset();
        return written;
    }
    ChunkRef ref{m_active,       m_active->size, static_cast<std::uint32_t>(body.size()),
                 idx.front().ts, idx.back().ts,  idx.size()};
    m_active->size += kRecordHeader + body.size();
    m_active->mint = std::min(m_active->mint, ref.mint);
    m_active->maxt = std::max(m_active->maxt, ref.maxt);
    stream.chunks.push_back(std::move(ref));
    m_diskGauge.add(static_cast<double>(kRecordHeader + body.size()));
    m_chunksCut.inc();

    std::string().swap(stream.head);  // release the buffer: idle streams hold nothing
    stream.headCount = 0;
    stream.headMint = INT64_MAX;
    stream.headMaxt = INT64_MIN;
    stream.headLastTs = INT64_MIN;
    stream.headSorted = true;
    return Status::ok();
}

void LogStore::reject(PushResult& result, LogRejection reason, std::size_t count,
                      std::string message) {
    if (count == 0)
        return;
    result.rejected += count;
    const auto i = static_cast<std::size_t>(reason);
    m_discarded[i].fetch_add(count, std::memory_order_relaxed);
    if (m_discardedCounters[i])
        m_discardedCounters[i]->inc(static_cast<double>(count));
    if (result.firstRejection == LogRejection::kNone && result.firstError.empty()) {
        result.firstRejection = reason;
        result.firstError = std::move(message);
    }
}

std::uint64_t LogStore::discarded(LogRejection reason) const {
    return m_discarded[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
}

LogWriter::PushResult LogStore::push(const std::vector<LogStream>& streams) {
    return push(streams, nullptr);
}

LogWriter::PushResult LogStore::push(const std::vector<LogStream>& streams,
                                     std::vector<std::uint8_t>* accepted) {
    PushResult result;
    if (accepted) {
        std::size_t n = 0;
        for (const auto& s : streams)
            n += s.entries.size();
        accepted->assign(n, 0);
    }
    std::unique_lock lock(m_mutex);
    if (m_closed || !m_wal) {
        std::size_t n = 0;
        for (const auto& s : streams)
            n += s.entries.size();
        result.rejected = n;
        result.firstError = "the log store is closed";
        return result;
    }
    const std::int64_t t = now();
    const std::int64_t oldest = m_options.retentionNs > 0 ? t - m_options.retentionNs : INT64_MIN;
    const std::int64_t newest = t + m_options.maxFutureNs;

    struct Pending {
        Stream* stream;
        std::size_t record;     // index in records
        std::size_t entriesAt;  // where the entries start in the record
        std::uint32_t count;
        std::int64_t mint, maxt, first, last;
        bool sorted;
        std::uint64_t bytes;
    };
    std::vector<Pending> pending;
    std::vector<std::string> records;
    std::vector<Stream*> declared;

    std::size_t flatNext = 0;  // index of the stream's first entry in *accepted
    for (const LogStream& in : streams) {
        const std::size_t flatBase = flatNext;
        flatNext += in.entries.size();
        if (in.entries.empty())
            continue;
        const std::string labelText = in.labels.toString();
        if (in.labels.size() == 0) {
            reject(result, LogRejection::kLabelNameInvalid, in.entries.size(),
                   "error at least one label pair is required per stream");
            continue;
        }
        bool labelsOk = true;
        for (const auto& l : in.labels) {
            if (!validLabelName(l.name)) {
                reject(result, LogRejection::kLabelNameInvalid, in.entries.size(),
                       "error parsing labels '" + labelText + "' with error: invalid label name '" +
                           l.name + "'");
                labelsOk = false;
                break;
            }
            if (l.value.size() > m_options.maxLabelValueLength) {
                reject(result, LogRejection::kLabelValueTooLong, in.entries.size(),
                       "stream '" + labelText + "' has label value too long: '" + l.value + "'");
                labelsOk = false;
                break;
            }
        }
        if (!labelsOk)
            continue;

        Stream* stream = findStream(in.labels);
        if (!stream || !stream->active) {
            if (m_options.maxStreams > 0 && m_activeStreams >= m_options.maxStreams) {
                reject(result, LogRejection::kStreamLimit, in.entries.size(),
                       "Maximum active stream limit exceeded, reduce the number of active "
                       "streams (reduce labels or reduce label values), or contact your Loki "
                       "administrator to see if the limit can be increased, user: 'fake'");
                continue;
            }
            if (!stream)
                stream = createStream(in.labels);
            stream->active = true;
            ++m_activeStreams;
        }
        if (!stream->walDeclared &&
            std::find(declared.begin(), declared.end(), stream) == declared.end()) {
            stream->walRef = m_nextWalRef++;
            std::string rec;
            rec.push_back(kStreamRecord);
            putUvarint(rec, stream->walRef);
            putLabels(rec, stream->labels);
            records.push_back(std::move(rec));
            declared.push_back(stream);
        }

        // Sequence numbers are assigned in the order pending entries are
        // applied; several LogStreams of one push may name the same stream.
        std::uint64_t seqBase = stream->nextSeq;
        for (const auto& p : pending)
            if (p.stream == stream)
                seqBase += p.count;

        std::string rec;
        rec.push_back(kEntriesRecord);
        putUvarint(rec, stream->walRef);
        putUvarint(rec, seqBase);
        const std::size_t countAt = rec.size();
        Pending p{stream, records.size(), 0, 0, INT64_MAX, INT64_MIN, 0, 0, true, 0};
        std::string entries;
        entries.reserve(in.entries.size() * 24 + 64);
        std::int64_t last = INT64_MIN;
        std::size_t flat = flatBase;
        for (const LogEntry& e : in.entries) {
            const std::size_t entryIndex = flat++;
            if (e.line.size() > m_options.maxLineLength) {
                reject(result, LogRejection::kLineTooLong, 1,
                       "max entry size '" + std::to_string(m_options.maxLineLength) +
                           "' bytes exceeded for stream '" + labelText +
                           "' while adding an entry with length '" + std::to_string(e.line.size()) +
                           "' bytes");
                continue;
            }
            if (e.tsNs < oldest) {
                reject(result, LogRejection::kTooOld, 1,
                       "entry for stream '" + labelText +
                           "' has timestamp too old: " + formatNs(e.tsNs) +
                           ", oldest acceptable timestamp is: " + formatNs(oldest));
                continue;
            }
            if (e.tsNs > newest) {
                reject(result, LogRejection::kTooFarInFuture, 1,
                       "entry for stream '" + labelText +
                           "' has timestamp too new: " + formatNs(e.tsNs));
                continue;
            }
            putVarint(entries, e.tsNs);
            putBytes(entries, e.line);
            putUvarint(entries, e.structuredMetadata.size());
            for (const auto& l : e.structuredMetadata) {
                putBytes(entries, l.name);
                putBytes(entries, l.value);
            }
            if (p.count == 0)
                p.first = e.tsNs;
            if (e.tsNs < last)
                p.sorted = false;
            last = e.tsNs;
            p.mint = std::min(p.mint, e.tsNs);
            p.maxt = std::max(p.maxt, e.tsNs);
            p.bytes += e.line.size();
            ++p.count;
            if (accepted)
                (*accepted)[entryIndex] = 1;
        }
        if (p.count == 0)
            continue;
        p.last = last;
        (void)countAt;
        putUvarint(rec, p.count);
        p.entriesAt = rec.size();
        rec += entries;
        records.push_back(std::move(rec));
        pending.push_back(p);
    }

    if (pending.empty())
        return result;

    std::vector<std::string_view> views(records.begin(), records.end());
    Status logged = m_wal->log(views);
    if (logged.isOk() &&
        (m_options.syncOnPush || t - m_lastWalSync >= m_options.walSyncIntervalNs)) {
        logged = m_wal->sync();
        m_lastWalSync = t;
    }
    if (!logged.isOk()) {
        // Nothing of this push is acknowledged; the caller answers 5xx.
        for (const auto& p : pending)
            result.rejected += p.count;
        result.accepted = 0;
        result.firstRejection = LogRejection::kNone;
        result.firstError = "writing the log WAL failed: " + logged.message();
        if (accepted)
            std::fill(accepted->begin(), accepted->end(), 0);
        return result;
    }
    for (Stream* s : declared)
        s->walDeclared = true;
    std::uint64_t walBytes = 0;
    for (const auto& r : records)
        walBytes += r.size();
    m_walBytes += walBytes;

    Status cutError;
    std::uint64_t bytes = 0;
    for (const Pending& p : pending) {
        Stream& s = *p.stream;
        const std::string& rec = records[p.record];
        if (s.headCount == 0) {
            s.headCreatedWallNs = t;
            s.headMint = p.mint;
            s.headMaxt = p.maxt;
        }
        s.head.append(rec, p.entriesAt, std::string::npos);
        if (!p.sorted || p.first < s.headLastTs)
            s.headSorted = false;
        s.headLastTs = std::max(s.headLastTs, p.last);
        if (!s.headSorted)
            s.headLastTs = std::max(s.headLastTs, p.maxt);
        s.headMint = std::min(s.headMint, p.mint);
        s.headMaxt = std::max(s.headMaxt, p.maxt);
        s.headCount += p.count;
        s.nextSeq += p.count;
        s.lastWriteWallNs = t;
        result.accepted += p.count;
        bytes += p.bytes;
        if (s.head.size() >= m_options.chunkTargetBytes && cutError.isOk())
            cutError = cutHead(s);
    }
    m_ingestedEntries.inc(static_cast<double>(result.accepted));
    m_ingestedBytes.inc(static_cast<double>(bytes));
    m_activeGauge.set(static_cast<double>(m_activeStreams));
    // A failed cut keeps the entries in the head and the WAL: they are safe;
    // the next cut retries. Rotation waits for a healthy cut.
    if (cutError.isOk() && m_walBytes >= m_options.walRotateBytes)
        (void)rotateWal();
    return result;
}

Status LogStore::rotateWal() {
    if (m_activeFile) {
        if (Status s = m_activeFile->sync(); !s.isOk())
            return s;
    }
    auto next = m_wal->nextSegment();
    if (!next)
        return next.status();
    std::vector<std::string> records;
    m_nextWalRef = 0;
    for (auto& sp : m_streams) {
        if (!sp)
            continue;
        Stream& s = *sp;
        s.walDeclared = false;
        if (s.headCount == 0)
            continue;
        s.walRef = m_nextWalRef++;
        std::string decl;
        decl.push_back(kStreamRecord);
        putUvarint(decl, s.walRef);
        putLabels(decl, s.labels);
        records.push_back(std::move(decl));
        std::string rec;
        rec.push_back(kEntriesRecord);
        putUvarint(rec, s.walRef);
        putUvarint(rec, s.nextSeq - s.headCount);
        putUvarint(rec, s.headCount);
        rec += s.head;
        records.push_back(std::move(rec));
        s.walDeclared = true;
    }
    std::vector<std::string_view> views(records.begin(), records.end());
    if (!views.empty()) {
        if (Status s = m_wal->log(views); !s.isOk())
            return s;
    }
    if (Status s = m_wal->sync(); !s.isOk())
        return s;
    auto segments = tsdb::wal::listSegments(m_env, m_dir + "/wal");
    if (!segments)
        return segments.status();
    for (int index : *segments) {
        if (index >= *next)
            break;
        if (Status s = m_env->removeFile(tsdb::wal::segmentPath(m_dir + "/wal", index)); !s.isOk())
            return s;
    }
    m_walBytes = 0;
    for (const auto& r : records)
        m_walBytes += r.size();
    return Status::ok();
}

Status LogStore::flushHeads() {
    std::unique_lock lock(m_mutex);
    for (auto& s : m_streams) {
        if (s && s->headCount > 0)
            if (Status st = cutHead(*s); !st.isOk())
                return st;
    }
    if (m_activeFile)
        return m_activeFile->sync();
    return Status::ok();
}

Status LogStore::applyRetention(std::int64_t t) {
    std::vector<int> doomed;
    if (m_options.retentionNs > 0) {
        const std::int64_t cutoff = t - m_options.retentionNs;
        for (const auto& [index, seg] : m_segments)
            if (seg != m_active && seg->maxt < cutoff)
                doomed.push_back(index);
    }
    if (m_options.maxBytes > 0) {
        std::uint64_t total = 0;
        for (const auto& [index, seg] : m_segments)
            total += seg->size;
        for (const auto& [index, seg] : m_segments) {
            if (total <= m_options.maxBytes || seg == m_active)
                break;
            if (std::find(doomed.begin(), doomed.end(), index) == doomed.end())
                doomed.push_back(index);
            total -= seg->size;
        }
    }
    if (doomed.empty())
        return Status::ok();
    std::unordered_set<int> gone(doomed.begin(), doomed.end());
    for (int index : doomed) {
        auto it = m_segments.find(index);
        if (Status s = m_env->removeFile(it->second->path); !s.isOk())
            return s;
        m_diskGauge.add(-static_cast<double>(it->second->size));
        m_segments.erase(it);
    }
    bool removedStreams = false;
    for (auto& sp : m_streams) {
        if (!sp)
            continue;
        auto& chunks = sp->chunks;
        chunks.erase(
            std::remove_if(chunks.begin(), chunks.end(),
                           [&](const ChunkRef& c) { return gone.count(c.segment->index) > 0; }),
            chunks.end());
        if (chunks.empty() && sp->headCount == 0 && !sp->active && !sp->walDeclared) {
            auto& bucket = m_byHash[sp->hash];
            bucket.erase(std::remove(bucket.begin(), bucket.end(), sp.get()), bucket.end());
            if (bucket.empty())
                m_byHash.erase(sp->hash);
            sp.reset();
            removedStreams = true;
        }
    }
    if (removedStreams) {
        for (auto nameIt = m_postings.begin(); nameIt != m_postings.end();) {
            for (auto valueIt = nameIt->second.begin(); valueIt != nameIt->second.end();) {
                auto& ids = valueIt->second;
                ids.erase(std::remove_if(ids.begin(), ids.end(),
                                         [&](std::uint32_t id) { return !m_streams[id]; }),
                          ids.end());
                valueIt = ids.empty() ? nameIt->second.erase(valueIt) : std::next(valueIt);
            }
            nameIt = nameIt->second.empty() ? m_postings.erase(nameIt) : std::next(nameIt);
        }
    }
    return Status::ok();
}

Status LogStore::maintain() {
    std::unique_lock lock(m_mutex);
    if (m_closed)
        return Status::ok();
    const std::int64_t t = now();
    Status first;
    std::size_t active = 0;
    for (auto& sp : m_streams) {
        if (!sp)
            continue;
        Stream& s = *sp;
        if (s.headCount > 0 && (t - s.headCreatedWallNs >= m_options.maxChunkAgeNs ||
                                t - s.lastWriteWallNs >= m_options.chunkIdleNs)) {
            if (Status c = cutHead(s); !c.isOk() && first.isOk())
                first = c;
        }
        s.active = s.headCount > 0 || t - s.lastWriteWallNs < m_options.streamIdleNs;
        if (s.active)
            ++active;
    }
    m_activeStreams = active;
    m_activeGauge.set(static_cast<double>(active));
    if (m_wal) {
        if (Status s = m_wal->sync(); !s.isOk() && first.isOk())
            first = s;
        m_lastWalSync = t;
    }
    if (m_activeFile) {
        if (Status s = m_activeFile->sync(); !s.isOk() && first.isOk())
            first = s;
        if (m_active && m_active->size > 0 &&
            t - m_active->createdWallNs >= m_options.segmentSpanNs) {
            (void)m_activeFile->close();
            m_activeFile.reset();
            m_active.reset();
        }
    }
    if (Status s = applyRetention(t); !s.isOk() && first.isOk())
        first = s;
    if (first.isOk() && m_walBytes >= m_options.walRotateBytes)
        first = rotateWal();
    return first;
}

Status LogStore::close() {
    std::unique_lock lock(m_mutex);
    if (m_closed)
        return Status::ok();
    Status first;
    for (auto& s : m_streams) {
        if (s && s->headCount > 0)
            if (Status st = cutHead(*s); !st.isOk() && first.isOk())
                first = st;
    }
    if (first.isOk() && m_activeFile) {
        first = m_activeFile->sync();
        if (first.isOk())
            first = m_activeFile->close();
        m_activeFile.reset();
        m_active.reset();
    }
    // Every head is on disk and synced: the WAL is obsolete.
    if (first.isOk() && m_wal)
        first = rotateWal();
    if (m_wal) {
        Status c = m_wal->close();
        if (first.isOk())
            first = c;
        m_wal.reset();
    }
    m_closed = true;
    return first;
}

LogStoreStats LogStore::stats() const {
    std::shared_lock lock(m_mutex);
    LogStoreStats st;
    for (const auto& s : m_streams) {
        if (!s)
            continue;
        ++st.streams;
        st.chunks += s->chunks.size();
        st.headBytes += s->head.size();
        st.headEntries += s->headCount;
    }
    st.activeStreams = m_activeStreams;
    st.segments = m_segments.size();
    for (const auto& [i, seg] : m_segments)
        st.diskBytes += seg->size;
    return st;
}

std::vector<LogStore::Stream*> LogStore::matchStreams(const std::vector<model::Matcher>& matchers,
                                                      TimestampNs startNs,
                                                      TimestampNs endNs) const {
    std::vector<std::uint32_t> candidates;
    bool haveCandidates = false;
    for (const auto& m : matchers) {
        if (m.matches(""))
            continue;  // checked on each candidate below
        std::vector<std::uint32_t> ids;
        auto name = m_postings.find(m.name());
        if (name != m_postings.end()) {
            if (m.type() == model::MatchType::kEqual) {
                auto v = name->second.find(m.value());
                if (v != name->second.end())
                    ids = v->second;
            } else {
                for (const auto& [value, list] : name->second)
                    if (m.matches(value))
                        ids.insert(ids.end(), list.begin(), list.end());
                std::sort(ids.begin(), ids.end());
                ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
            }
        }
        if (!haveCandidates) {
            candidates = std::move(ids);
            haveCandidates = true;
        } else {
            std::vector<std::uint32_t> both;
            std::set_intersection(candidates.begin(), candidates.end(), ids.begin(), ids.end(),
                                  std::back_inserter(both));
            candidates = std::move(both);
        }
        if (candidates.empty())
            return {};
    }
    std::vector<Stream*> out;
    auto consider = [&](Stream* s) {
        if (!s || !s->overlaps(startNs, endNs))
            return;
        for (const auto& m : matchers)
            if (!m.matches(s->labels.get(m.name())))
                return;
        out.push_back(s);
    };
    if (haveCandidates) {
        for (std::uint32_t id : candidates)
            consider(m_streams[id].get());
    } else {
        for (const auto& s : m_streams)
            consider(s.get());
    }
    std::sort(out.begin(), out.end(),
              [](const Stream* a, const Stream* b) { return a->labels < b->labels; });
    return out;
}

namespace {

// A source of entries of one stream in one direction: a chunk on disk or the
// head snapshot.
class EntrySource {
public:
    virtual ~EntrySource() = default;
    // Advances; false at the end (or on error, see status()).
    virtual bool next() = 0;
    std::int64_t ts = 0;
    std::string_view line;
    Status status;
};

// Skips the structured metadata that follows a line.
inline bool skipMetadata(Decoder& d) {
    std::uint64_t pairs = 0;
    if (!d.uvarint(pairs))
        return false;
    std::string_view s;
    for (std::uint64_t i = 0; i < 2 * pairs; ++i)
        if (!d.bytes(s))
            return false;
    return true;
}

class ChunkSource final : public EntrySource {
public:
    ChunkSource(int fd, std::string path, std::uint64_t offset, std::uint32_t length,
                std::int64_t start, std::int64_t end, bool backward)
        : m_fd(fd),
          m_path(std::move(path)),
          m_offset(offset),
          m_length(length),
          m_start(start),
          m_end(end),
          m_backward(backward) {}

    bool next() override {
        if (!m_loaded && !load())
            return false;
        for (;;) {
            if (m_backward) {
                while (m_pos > 0) {
                    const auto& e = m_rev[--m_pos];
                    if (e.ts >= m_end)
                        continue;
                    if (e.ts < m_start) {
                        m_pos = 0;
                        m_block = m_header.blocks.size();  // nothing older can match
                        return false;
                    }
                    ts = e.ts;
                    line = std::string_view(m_rawView.data() + e.restOffset, e.restLen);
                    return true;
                }
            } else if (m_inBlock) {
                while (!m_dec.done()) {
                    std::uint64_t delta = 0;
                    std::string_view l;
                    if (!m_dec.uvarint(delta) || !m_dec.bytes(l) || !skipMetadata(m_dec))
                        return fail("malformed entry");
                    // Unsigned: damaged deltas wrap instead of overflowing.
                    m_ts = static_cast<std::int64_t>(static_cast<std::uint64_t>(m_ts) +
                                                     delta * m_tsUnit);
                    if (m_ts < m_start)
                        continue;
                    if (m_ts >= m_end) {
                        m_block = m_header.blocks.size();
                        m_inBlock = false;
                        return false;
                    }
                    ts = m_ts;
                    line = l;
                    return true;
                }
                m_inBlock = false;
            }
            if (!nextBlock())
                return false;
        }
    }

    // Reads the chunk and decompresses every block the scan will visit, so
    // that next() only decodes entries. Called by the select's prefetch
    // thread (BlockPrefetcher) before the consumer first calls next(); the
    // handoff goes through the prefetcher's mutex. A failure is reported by
    // next() when it reaches the failed block (or at once for the header).
    void prepare() {
        if (!load())
            return;
        m_prepared.resize(m_order.size());
        for (std::size_t k = 0; k < m_order.size(); ++k) {
            if (std::string why = decompressBlock(m_order[k], m_prepared[k]); !why.empty()) {
                m_prepareFailedAt = k;
                m_prepareError = std::move(why);
                break;
            }
        }
        m_isPrepared = true;
    }

private:
    std::string decompressBlock(std::size_t index, std::string& out) {
        const BlockMeta& b = m_header.blocks[index];
        const std::string_view compressed(m_body.data() + b.dataOffset, b.compressedLen);
        std::string why =
            threadBlockDecompressor().decompress(m_header.encoding, compressed, b.rawLen, out);
        if (!why.empty())
            why = "block " + std::to_string(index) + ": " + why;
        return why;
    }

    bool fail(const std::string& why) {
        status = Status::corruption(m_path + ": chunk at offset " + std::to_string(m_offset) +
                                    ": " + why);
        m_block = m_header.blocks.size();
        return false;
    }

    bool load() {
        m_loaded = true;
        m_body.resize(m_length);
        if (Status s = preadFull(m_fd, m_offset + kRecordHeader, m_length, m_body.data(), m_path);
            !s.isOk()) {
            status = s;
            return false;
        }
        if (!parseChunkHeader(m_body, m_length, m_header, false))
            return fail("malformed header");
        // Blocks in scan order, pruned by time.
        for (std::size_t i = 0; i < m_header.blocks.size(); ++i) {
            const auto& b = m_header.blocks[i];
            if (b.mint < m_end && b.maxt >= m_start)
                m_order.push_back(i);
        }
        if (m_backward)
            std::reverse(m_order.begin(), m_order.end());
        m_block = 0;
        return true;
    }

    bool nextBlock() {
        if (m_block >= m_order.size())
            return false;
        const std::size_t k = m_block++;
        const BlockMeta& b = m_header.blocks[m_order[k]];
        if (m_isPrepared) {
            if (k == m_prepareFailedAt)
                return fail(m_prepareError);
            if (k > 0)
                std::string().swap(m_prepared[k - 1]);  // done with it
            m_rawView = m_prepared[k];
        } else {
            if (std::string why = decompressBlock(m_order[k], m_raw); !why.empty())
                return fail(why);
            m_rawView = m_raw;
        }
        m_dec = Decoder(m_rawView);
        m_ts = b.mint;
        m_tsUnit = b.tsUnit;
        if (!m_backward) {
            m_inBlock = true;
            return true;
        }
        m_rev.clear();
        std::int64_t t = b.mint;
        while (!m_dec.done()) {
            std::uint64_t delta = 0;
            std::string_view l;
            if (!m_dec.uvarint(delta) || !m_dec.bytes(l) || !skipMetadata(m_dec))
                return fail("malformed entry");
            t = static_cast<std::int64_t>(static_cast<std::uint64_t>(t) + delta * m_tsUnit);
            m_rev.push_back({t, static_cast<std::uint32_t>(l.data() - m_rawView.data()),
                             static_cast<std::uint32_t>(l.size())});
        }
        m_pos = m_rev.size();
        return true;
    }

    int m_fd;
    std::string m_path;
    std::uint64_t m_offset;
    std::uint32_t m_length;
    std::int64_t m_start;
    std::int64_t m_end;
    bool m_backward;
    bool m_loaded = false;
    std::string m_body;
    ChunkHeader m_header;
    std::vector<std::size_t> m_order;
    std::size_t m_block = 0;
    std::string m_raw;           // the block being read, when not prepared
    std::string_view m_rawView;  // m_raw or a prepared block
    bool m_isPrepared = false;
    std::vector<std::string> m_prepared;  // by position in m_order
    std::size_t m_prepareFailedAt = SIZE_MAX;
    std::string m_prepareError;
    Decoder m_dec{std::string_view()};
    bool m_inBlock = false;
    std::int64_t m_ts = 0;
    std::uint64_t m_tsUnit = 1;
    std::vector<HeadEntry> m_rev;  // restOffset/restLen = the line, for backward
    std::size_t m_pos = 0;
};

// The head entries in range, copied under the lock and sorted.
class HeadSource final : public EntrySource {
public:
    HeadSource(std::string buf, std::vector<HeadEntry> idx, bool backward)
        : m_buf(std::move(buf)), m_idx(std::move(idx)), m_backward(backward) {
        m_pos = m_backward ? m_idx.size() : 0;
    }
    bool next() override {
        if (m_backward ? m_pos == 0 : m_pos >= m_idx.size())
            return false;
        const HeadEntry& e = m_backward ? m_idx[--m_pos] : m_idx[m_pos++];
        ts = e.ts;
        Decoder d(std::string_view(m_buf.data() + e.restOffset, e.restLen));
        (void)d.bytes(line);
        return true;
    }

private:
    std::string m_buf;
    std::vector<HeadEntry> m_idx;
    bool m_backward;
    std::size_t m_pos = 0;
};

struct SourceSpec {
    std::int64_t mint;
    std::int64_t maxt;
    std::unique_ptr<EntrySource> source;
    ChunkSource* chunk = nullptr;   // source, when it is a chunk
    std::size_t prefetchIndex = 0;  // its position in the BlockPrefetcher's order
};

// Decompresses the next chunk of a scan on a second thread while the caller
// decodes and visits the current one: zstd is about half of a line-filter
// scan's CPU, so on two cores this takes it off the visitor's path.
//
// `order` lists the chunk sources in the order the scan acquires them. The
// worker prepares only the source after the last one acquired (one chunk of
// look-ahead, ~1.5 MiB), so memory stays bounded and a scan that stops early
// or skips streams wastes at most one chunk of work. A source the consumer
// reaches before the worker started it is read by the consumer itself.
// Thread-safety: acquire() from the one consuming thread; the sources must
// outlive the prefetcher (the destructor joins the worker).
class BlockPrefetcher {
public:
    explicit BlockPrefetcher(std::vector<ChunkSource*> order)
        : m_order(std::move(order)), m_state(m_order.size(), kIdle) {
        if (m_order.size() >= 2)
            m_thread = std::thread([this] { run(); });
    }
    ~BlockPrefetcher() {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
            m_wake.notify_all();
        }
        if (m_thread.joinable())
            m_thread.join();
    }
    BlockPrefetcher(const BlockPrefetcher&) = delete;
    BlockPrefetcher& operator=(const BlockPrefetcher&) = delete;

    // Call before the first next() on the source at `index`; indexes
    // ascend. Waits while the worker is preparing it.
    void acquire(std::size_t index) {
        if (!m_thread.joinable())
            return;
        std::unique_lock lock(m_mutex);
        m_acquired = std::max(m_acquired, index + 1);
        if (m_state[index] == kIdle)
            m_state[index] = kConsumerReads;
        m_wake.notify_all();
        m_done.wait(lock, [&] { return m_state[index] != kPreparing; });
    }

private:
    enum State : std::uint8_t { kIdle, kPreparing, kReady, kConsumerReads };

    void run() {
        std::unique_lock lock(m_mutex);
        std::size_t next = 0;
        for (;;) {
            m_wake.wait(lock, [&] {
                next = std::max(next, m_acquired);
                return m_stop || next >= m_order.size() || next <= m_acquired;
            });
            if (m_stop || next >= m_order.size())
                return;
            if (m_state[next] != kIdle) {
                ++next;
                continue;
            }
            m_state[next] = kPreparing;
            lock.unlock();
            m_order[next]->prepare();
            lock.lock();
            m_state[next] = kReady;
            ++next;
            m_done.notify_all();
        }
    }

    std::vector<ChunkSource*> m_order;
    std::mutex m_mutex;
    std::condition_variable m_wake;  // the worker waits here
    std::condition_variable m_done;  // the consumer waits here
    std::vector<State> m_state;      // GUARDED_BY(m_mutex)
    std::size_t m_acquired = 0;      // GUARDED_BY(m_mutex) sources [0, m_acquired) acquired
    bool m_stop = false;             // GUARDED_BY(m_mutex)
    std::thread m_thread;
};

struct StreamSnapshot {
    model::Labels labels;
    std::vector<SourceSpec> sources;
    std::vector<std::shared_ptr<void>> keepAlive;  // segments being read
};

}  // namespace

Status LogStore::select(const LogSelectParams& params, StreamVisitor& visitor) const {
    const bool backward = params.direction == Direction::kBackward;
    std::vector<StreamSnapshot> snaps;
    {
        std::shared_lock lock(m_mutex);
        for (Stream* s : matchStreams(params.matchers, params.startNs, params.endNs)) {
            StreamSnapshot snap;
            snap.labels = s->labels;
            for (const auto& c : s->chunks) {
                if (c.mint >= params.endNs || c.maxt < params.startNs)
                    continue;
                snap.keepAlive.push_back(c.segment);
                auto chunk =
                    std::make_unique<ChunkSource>(c.segment->fd, c.segment->path, c.offset,
                                                  c.length, params.startNs, params.endNs, backward);
                ChunkSource* raw = chunk.get();
                snap.sources.push_back({c.mint, c.maxt, std::move(chunk), raw});
            }
            if (s->headCount > 0 && s->headMint < params.endNs && s->headMaxt >= params.startNs) {
                std::vector<HeadEntry> idx;
                if (!indexEntries(s->head, idx))
                    return Status::corruption("log store: malformed head chunk of " +
                                              s->labels.toString());
                std::string buf;
                std::vector<HeadEntry> kept;
                for (const auto& e : idx) {
                    if (e.ts < params.startNs || e.ts >= params.endNs)
                        continue;
                    kept.push_back({e.ts, static_cast<std::uint32_t>(buf.size()), e.restLen});
                    buf.append(s->head, e.restOffset, e.restLen);
                }
                if (!s->headSorted)
                    std::stable_sort(
                        kept.begin(), kept.end(),
                        [](const HeadEntry& a, const HeadEntry& b) { return a.ts < b.ts; });
                if (!kept.empty()) {
                    const std::int64_t mint = kept.front().ts;
                    const std::int64_t maxt = kept.back().ts;
                    snap.sources.push_back(
                        {mint, maxt,
                         std::make_unique<HeadSource>(std::move(buf), std::move(kept), backward)});
                }
            }
            if (!snap.sources.empty())
                snaps.push_back(std::move(snap));
        }
    }

    // Sources in scan order (overlapping ones are merged by time below), and
    // the chunks among them in the order the scan reaches them.
    std::vector<ChunkSource*> chunkOrder;
    for (auto& snap : snaps) {
        auto& sources = snap.sources;
        if (backward)
            std::stable_sort(
                sources.begin(), sources.end(),
                [](const SourceSpec& a, const SourceSpec& b) { return a.maxt > b.maxt; });
        else
            std::stable_sort(
                sources.begin(), sources.end(),
                [](const SourceSpec& a, const SourceSpec& b) { return a.mint < b.mint; });
        for (auto& spec : sources) {
            if (spec.chunk) {
                spec.prefetchIndex = chunkOrder.size();
                chunkOrder.push_back(spec.chunk);
            }
        }
    }
    // Declared after snaps: destroyed (worker joined) before the sources.
    if (!m_options.scanPrefetch)
        chunkOrder.clear();
    BlockPrefetcher prefetcher(std::move(chunkOrder));
    auto acquire = [&prefetcher](const SourceSpec& spec) {
        if (spec.chunk)
            prefetcher.acquire(spec.prefetchIndex);
    };

    for (auto& snap : snaps) {
        if (!visitor.beginStream(snap.labels))
            continue;
        auto& sources = snap.sources;
        bool stopped = false;
        std::size_t i = 0;
        while (i < sources.size() && !stopped) {
            // A cluster: sources whose ranges overlap transitively.
            std::size_t j = i + 1;
            std::int64_t edge = backward ? sources[i].mint : sources[i].maxt;
            while (j < sources.size() &&
                   (backward ? sources[j].maxt >= edge : sources[j].mint <= edge)) {
                edge = backward ? std::min(edge, sources[j].mint) : std::max(edge, sources[j].maxt);
                ++j;
            }
            if (j == i + 1) {
                acquire(sources[i]);
                EntrySource& src = *sources[i].source;
                while (src.next()) {
                    if (!visitor.entry(src.ts, src.line)) {
                        stopped = true;
                        break;
                    }
                }
                if (!src.status.isOk())
                    return src.status;
            } else {
                // Heap merge; ties go to the earlier source (stable).
                using Item = std::pair<std::int64_t, std::size_t>;
                auto cmp = [backward](const Item& a, const Item& b) {
                    if (a.first != b.first)
                        return backward ? a.first < b.first : a.first > b.first;
                    return a.second > b.second;
                };
                std::priority_queue<Item, std::vector<Item>, decltype(cmp)> heap(cmp);
                for (std::size_t k = i; k < j; ++k) {
                    acquire(sources[k]);
                    if (sources[k].source->next())
                        heap.push({sources[k].source->ts, k});
                    else if (!sources[k].source->status.isOk())
                        return sources[k].source->status;
                }
                while (!heap.empty()) {
                    const std::size_t k = heap.top().second;
                    heap.pop();
                    EntrySource& src = *sources[k].source;
                    if (!visitor.entry(src.ts, src.line)) {
                        stopped = true;
                        break;
                    }
                    if (src.next())
                        heap.push({src.ts, k});
                    else if (!src.status.isOk())
                        return src.status;
                }
            }
            // Done with these sources: free their buffers now, so a scan
            // holds one chunk at a time, not every chunk of the stream.
            for (std::size_t k = i; k < j; ++k)
                sources[k].source.reset();
            i = j;
        }
        visitor.endStream();
    }
    return Status::ok();
}

Result<std::vector<std::string>> LogStore::labelNames(TimestampNs startNs,
                                                      TimestampNs endNs) const {
    std::shared_lock lock(m_mutex);
    std::vector<std::string> out;
    for (const auto& [name, values] : m_postings) {
        bool found = false;
        for (const auto& [value, ids] : values) {
            for (std::uint32_t id : ids)
                if (m_streams[id] && m_streams[id]->overlaps(startNs, endNs)) {
                    found = true;
                    break;
                }
            if (found)
                break;
        }
        if (found)
            out.push_back(name);
    }
    return out;
}

Result<std::vector<std::string>> LogStore::labelValues(const std::string& name,
                                                       const std::vector<model::Matcher>& matchers,
                                                       TimestampNs startNs,
                                                       TimestampNs endNs) const {
    std::shared_lock lock(m_mutex);
    std::vector<std::string> out;
    for (Stream* s : matchStreams(matchers, startNs, endNs)) {
        const std::string_view v = s->labels.get(name);
        if (!v.empty())
            out.emplace_back(v);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<std::vector<model::Labels>> LogStore::series(const std::vector<model::Matcher>& matchers,
                                                    TimestampNs startNs, TimestampNs endNs) const {
    std::shared_lock lock(m_mutex);
    std::vector<model::Labels> out;
    for (Stream* s : matchStreams(matchers, startNs, endNs))
        out.push_back(s->labels);
    return out;
}

}  // namespace vigil::logs::store
