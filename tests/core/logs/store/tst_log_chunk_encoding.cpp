// The log store's chunk encodings (core/logs/store/FORMAT.md): snappy and
// zstd chunks round-trip, a store mixes them, version 1 (pre-encoding-byte)
// stores still read, and damaged blocks are reported as corruption naming
// the segment and chunk.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/logs/store/chunk_codec.h"
#include "core/logs/store/log_store.h"

using namespace vigil;
using namespace vigil::logs;
using vigil::logs::store::BlockCompressor;
using vigil::logs::store::BlockDecompressor;
using vigil::logs::store::ChunkEncoding;
using vigil::logs::store::LogStore;
using vigil::logs::store::LogStoreOptions;

Q_DECLARE_METATYPE(vigil::logs::store::ChunkEncoding)

namespace {

constexpr std::int64_t kSec = 1000000000;
constexpr std::int64_t kBase = 1700000000 * kSec;

struct Collected {
    model::Labels labels;
    std::vector<std::pair<std::int64_t, std::string>> entries;
};

class Collector final : public StreamVisitor {
public:
    std::vector<Collected> streams;
    bool beginStream(const model::Labels& labels) override {
        streams.push_back({labels, {}});
        return true;
    }
    bool entry(TimestampNs ts, std::string_view line) override {
        streams.back().entries.emplace_back(ts, std::string(line));
        return true;
    }
};

model::Matcher eq(const std::string& n, const std::string& v) {
    return model::Matcher::make(model::MatchType::kEqual, n, v).value();
}

Status selectAll(const LogStore& store, std::vector<Collected>& out,
                 Direction dir = Direction::kForward,
                 std::vector<model::Matcher> matchers = {eq("job", "app")}) {
    Collector c;
    LogSelectParams p;
    p.matchers = std::move(matchers);
    p.startNs = 0;
    p.endNs = INT64_MAX;
    p.direction = dir;
    Status s = store.select(p, c);
    out = std::move(c.streams);
    return s;
}

// Log-like lines: compressible, varied, some with structured metadata; one
// every 100 ms, or with `jitter` at irregular nanoseconds (timestamp unit 1).
LogStream makeStream(const std::string& host, std::int64_t from, int n, bool jitter = false) {
    LogStream s;
    s.labels = model::Labels{{"job", "app"}, {"host", host}};
    std::mt19937 rng(static_cast<unsigned>(std::hash<std::string>{}(host)));
    static const char* const kLevels[] = {"INFO", "WARN", "ERROR", "DEBUG"};
    static const char* const kPaths[] = {"/", "/login", "/api/v1/users", "/api/v1/orders"};
    for (int i = 0; i < n; ++i) {
        std::string line = std::string(kLevels[rng() % 4]) +
                           " request id=" + std::to_string(rng()) + " user=user" +
                           std::to_string(rng() % 1000) + " path=" + kPaths[rng() % 4] +
                           " status=" + std::to_string(200 + 100 * (rng() % 4)) +
                           " dur=" + std::to_string(rng() % 90) + "ms seq=" + std::to_string(i);
        const std::int64_t ts = from + i * (kSec / 10) + (jitter ? (i * 7919) % 1000 : 0);
        LogEntry e{ts, std::move(line), {}};
        if (i % 7 == 0)
            e.structuredMetadata = model::Labels{{"trace_id", std::to_string(rng())}};
        s.entries.push_back(std::move(e));
    }
    return s;
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

bool writeFile(const QString& path, const QByteArray& data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// The encoding bytes of every chunk record in a segment file (FORMAT.md:
// u32 bodyLen, u32 crc, body = version [, encoding] ...); 0 for version 1.
std::vector<int> chunkEncodings(const QByteArray& seg) {
    std::vector<int> out;
    qsizetype at = 0;
    while (at + 10 <= seg.size()) {
        std::uint32_t len = 0;
        for (int i = 0; i < 4; ++i)
            len |= static_cast<std::uint32_t>(static_cast<unsigned char>(seg[at + i])) << (8 * i);
        const int version = static_cast<unsigned char>(seg[at + 8]);
        out.push_back(version == 1 ? 0 : static_cast<unsigned char>(seg[at + 9]));
        at += 8 + static_cast<qsizetype>(len);
    }
    return out;
}

}  // namespace

class TestLogChunkEncoding : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_tmp;

    QString logsDir() const { return m_tmp->path() + "/logs"; }
    LogStoreOptions options(ChunkEncoding encoding) {
        LogStoreOptions o;
        o.nowNs = [] { return kBase + 3600 * kSec; };
        o.chunkEncoding = encoding;
        o.blockBytes = 4096;  // several blocks per chunk
        return o;
    }
    std::unique_ptr<LogStore> openStore(LogStoreOptions o) {
        auto r = LogStore::open(Env::posix(), logsDir().toStdString(), std::move(o), nullptr);
        if (!r.isOk())
            qWarning() << r.status().message().c_str();
        return r.isOk() ? std::move(r.value()) : nullptr;
    }

private slots:
    void init() { m_tmp = std::make_unique<QTemporaryDir>(); }

    void names() {
        QCOMPARE(store::parseChunkEncoding("zstd"), std::optional(ChunkEncoding::kZstd));
        QCOMPARE(store::parseChunkEncoding("snappy"), std::optional(ChunkEncoding::kSnappy));
        QVERIFY(!store::parseChunkEncoding("gzip"));
        QVERIFY(!store::parseChunkEncoding("ZSTD"));
        QCOMPARE(std::string(store::chunkEncodingName(ChunkEncoding::kZstd)), std::string("zstd"));
        QCOMPARE(std::string(store::chunkEncodingName(ChunkEncoding::kSnappy)),
                 std::string("snappy"));
        QVERIFY(!store::chunkEncodingFromByte(0));
        QVERIFY(!store::chunkEncodingFromByte(3));
        QCOMPARE(LogStoreOptions().chunkEncoding, ChunkEncoding::kZstd);
    }

    void roundTrip_data() {
        QTest::addColumn<ChunkEncoding>("encoding");
        QTest::newRow("snappy") << ChunkEncoding::kSnappy;
        QTest::newRow("zstd") << ChunkEncoding::kZstd;
    }
    void roundTrip() {
        QFETCH(ChunkEncoding, encoding);
        const std::vector<LogStream> written = {makeStream("a", kBase, 3000),
                                                makeStream("b", kBase + kSec / 20, 500),
                                                makeStream("c", kBase + 1, 700, true)};
        {
            auto store = openStore(options(encoding));
            QVERIFY(store);
            QCOMPARE(store->push(written).accepted, std::size_t(4200));
            QVERIFY(store->close().isOk());
        }
        QCOMPARE(chunkEncodings(readFile(logsDir() + "/chunks/00000001.seg")),
                 std::vector<int>(3, static_cast<int>(encoding)));
        // Reopened with the other encoding for new chunks: old ones read as written.
        auto store = openStore(options(encoding == ChunkEncoding::kZstd ? ChunkEncoding::kSnappy
                                                                        : ChunkEncoding::kZstd));
        QVERIFY(store);
        std::vector<Collected> fwd;
        QVERIFY(selectAll(*store, fwd).isOk());
        QCOMPARE(fwd.size(), std::size_t(3));
        for (std::size_t s = 0; s < 3; ++s) {
            const LogStream& in = written[s];
            QCOMPARE(fwd[s].labels, in.labels);
            QCOMPARE(fwd[s].entries.size(), in.entries.size());
            for (std::size_t i = 0; i < in.entries.size(); ++i) {
                QCOMPARE(fwd[s].entries[i].first, in.entries[i].tsNs);
                QCOMPARE(fwd[s].entries[i].second, in.entries[i].line);
            }
        }
        std::vector<Collected> bwd;
        QVERIFY(selectAll(*store, bwd, Direction::kBackward).isOk());
        QCOMPARE(bwd[0].entries.size(), std::size_t(3000));
        QCOMPARE(bwd[0].entries.front().second, written[0].entries.back().line);
        QCOMPARE(bwd[0].entries.back().second, written[0].entries.front().line);
    }

    // The point of zstd: on log lines it beats snappy by a wide margin.
    void zstdIsSmallerThanSnappy() {
        std::map<ChunkEncoding, std::uint64_t> bytes;
        for (ChunkEncoding e : {ChunkEncoding::kSnappy, ChunkEncoding::kZstd}) {
            m_tmp = std::make_unique<QTemporaryDir>();
            LogStoreOptions o = options(e);
            o.blockBytes = 256 * 1024;
            auto store = openStore(o);
            QVERIFY(store);
            QCOMPARE(store->push({makeStream("a", kBase, 20000)}).accepted, std::size_t(20000));
            QVERIFY(store->flushHeads().isOk());
            bytes[e] = store->stats().diskBytes;
        }
        QVERIFY2(bytes[ChunkEncoding::kZstd] * 4 < bytes[ChunkEncoding::kSnappy] * 3,
                 qPrintable(QString("zstd %1 bytes, snappy %2 bytes")
                                .arg(bytes[ChunkEncoding::kZstd])
                                .arg(bytes[ChunkEncoding::kSnappy])));
    }

    // Chunks of both encodings in one stream, in one segment and across
    // segments, overlapping in time: merged in order.
    void mixedEncodingStore() {
        LogStream first = makeStream("m", kBase, 1000);
        LogStream second = makeStream("m", kBase + 100 * kSec, 1000);
        LogStream overlapping = makeStream("m", kBase + kSec / 20, 300);
        {
            auto store = openStore(options(ChunkEncoding::kSnappy));
            QVERIFY(store);
            QCOMPARE(store->push({first}).accepted, std::size_t(1000));
            QVERIFY(store->close().isOk());
        }
        {
            LogStoreOptions o = options(ChunkEncoding::kZstd);
            auto store = openStore(o);
            QVERIFY(store);
            QCOMPARE(store->push({second}).accepted, std::size_t(1000));
            QVERIFY(store->flushHeads().isOk());
            QCOMPARE(store->push({overlapping}).accepted, std::size_t(300));
            QVERIFY(store->close().isOk());
        }
        std::vector<int> encodings;
        for (const QString& name : QDir(logsDir() + "/chunks").entryList(QDir::Files, QDir::Name))
            for (int e : chunkEncodings(readFile(logsDir() + "/chunks/" + name)))
                encodings.push_back(e);
        QCOMPARE(encodings, (std::vector<int>{1, 2, 2}));

        auto store = openStore(options(ChunkEncoding::kSnappy));
        QVERIFY(store);
        QCOMPARE(store->stats().chunks, std::size_t(3));
        std::vector<std::pair<std::int64_t, std::string>> expected;
        for (const LogStream* s : {&first, &second, &overlapping})
            for (const auto& e : s->entries)
                expected.emplace_back(e.tsNs, e.line);
        std::stable_sort(expected.begin(), expected.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<Collected> got;
        QVERIFY(selectAll(*store, got).isOk());
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(got[0].entries.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE(got[0].entries[i].first, expected[i].first);
        // Lines with equal timestamps may come in either chunk order; the
        // multiset of lines must match exactly.
        std::vector<std::string> a, b;
        for (const auto& e : got[0].entries)
            a.push_back(e.second);
        for (const auto& e : expected)
            b.push_back(e.second);
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        QVERIFY(a == b);
    }

    // A segment written by the log store before the encoding byte existed
    // (testdata/README.md) opens and reads back every line.
    void versionOneStoreStillReads() {
        const QString fixture =
            QStringLiteral(VIGIL_TEST_DATA_DIR "/testdata/v1_snappy_store/chunks/00000001.seg");
        const QByteArray seg = readFile(fixture);
        QVERIFY2(!seg.isEmpty(), qPrintable(fixture));
        const std::vector<int> encodings = chunkEncodings(seg);
        QCOMPARE(encodings.size(), std::size_t(12));
        for (int e : encodings)
            QCOMPARE(e, 0);  // version 1: no encoding byte
        QVERIFY(QDir().mkpath(logsDir() + "/chunks"));
        QVERIFY(writeFile(logsDir() + "/chunks/00000001.seg", seg));

        QFile text(QStringLiteral(VIGIL_TEST_DATA_DIR "/testdata/v1_snappy_store.log"));
        QVERIFY(text.open(QIODevice::ReadOnly));
        std::map<std::string, std::vector<std::pair<std::int64_t, std::string>>> byHost;
        std::int64_t i = 0;
        for (QByteArray line; !(line = text.readLine()).isEmpty(); ++i) {
            line.chop(1);
            const std::string s = line.toStdString();
            const std::string host = s.substr(16, s.find(' ', 16) - 16);
            byHost[host].emplace_back(kBase + i * 100000, s);
        }
        QCOMPARE(i, std::int64_t(1000));

        LogStoreOptions o;
        o.maxFutureNs = INT64_MAX / 4;
        auto store = openStore(o);  // new chunks: zstd
        QVERIFY(store);
        std::vector<Collected> got;
        QVERIFY(selectAll(*store, got, Direction::kForward, {eq("job", "syslog")}).isOk());
        QCOMPARE(got.size(), byHost.size());
        for (const auto& stream : got) {
            const auto& want = byHost[std::string(stream.labels.get("host"))];
            QCOMPARE(stream.entries, want);
        }
        // Appending zstd chunks to the old store: both read together.
        LogStream more;
        more.labels = model::Labels{{"job", "syslog"}, {"host", "web01"}};
        more.entries.push_back({kBase + 1000 * 100000, "appended after the upgrade", {}});
        QCOMPARE(store->push({more}).accepted, std::size_t(1));
        QVERIFY(store->close().isOk());
        store = openStore(o);
        QVERIFY(store);
        QVERIFY(selectAll(*store, got, Direction::kBackward, {eq("host", "web01")}).isOk());
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(got[0].entries.size(), byHost["web01"].size() + 1);
        QCOMPARE(got[0].entries.front().second, std::string("appended after the upgrade"));
        QCOMPARE(got[0].entries.back(), byHost["web01"].front());
    }

    // A damaged block in a sealed segment: the select fails with a
    // corruption error naming the segment, the chunk and the block.
    void corruptedZstdBlockIsReported() {
        LogStoreOptions o = options(ChunkEncoding::kZstd);
        o.segmentBytes = 1;  // every chunk in its own segment
        {
            auto store = openStore(o);
            QVERIFY(store);
            store->push({makeStream("a", kBase, 200)});
            QVERIFY(store->flushHeads().isOk());
            store->push({makeStream("b", kBase, 200)});
            QVERIFY(store->close().isOk());
        }
        const QString segPath = logsDir() + "/chunks/00000001.seg";
        const QByteArray good = readFile(segPath);
        const qsizetype magic = good.indexOf(QByteArray("\x28\xb5\x2f\xfd", 4));
        QVERIFY(magic > 0);
        QByteArray bad = good;
        bad[magic + 1] = static_cast<char>(bad[magic + 1] ^ 0x40);
        QVERIFY(writeFile(segPath, bad));

        auto store = openStore(o);
        QVERIFY(store);
        std::vector<Collected> got;
        Status s = selectAll(*store, got, Direction::kForward, {eq("host", "a")});
        QVERIFY(!s.isOk());
        QVERIFY(s.code() == Status::Code::kCorruption);
        const std::string msg = s.message();
        QVERIFY2(msg.find(segPath.toStdString() + ": chunk at offset 0: block 0: zstd") !=
                     std::string::npos,
                 msg.c_str());
        // The other segment is intact.
        QVERIFY(selectAll(*store, got, Direction::kForward, {eq("host", "b")}).isOk());
        QCOMPARE(got[0].entries.size(), std::size_t(200));
        store.reset();

        // Damage anywhere in the block data, either direction: an error or
        // (where the damage happens to decode) lines, never a crash or a read
        // outside the record. Every error names the segment and chunk.
        std::mt19937 rng(7);
        const qsizetype end = good.size();
        int reported = 0;
        for (int round = 0; round < 150; ++round) {
            bad = good;
            const qsizetype at = magic + static_cast<qsizetype>(rng() % (end - magic));
            bad[at] = static_cast<char>(bad[at] ^ (1 << (rng() % 8)));
            QVERIFY(writeFile(segPath, bad));
            store = openStore(o);
            QVERIFY(store);
            for (Direction dir : {Direction::kForward, Direction::kBackward}) {
                Status r = selectAll(*store, got, dir, {eq("host", "a")});
                if (!r.isOk()) {
                    ++reported;
                    QVERIFY(r.code() == Status::Code::kCorruption);
                    QVERIFY2(r.message().find(segPath.toStdString() + ": chunk at offset 0: ") !=
                                 std::string::npos,
                             r.message().c_str());
                }
            }
        }
        // Most single-bit flips in entropy-coded data break the frame.
        QVERIFY2(reported > 150, qPrintable(QString::number(reported)));
    }

    // A chunk of an encoding this version does not know (written by a newer
    // one): the store refuses to open instead of truncating it away.
    void unknownEncodingRefusesToOpen() {
        {
            auto store = openStore(options(ChunkEncoding::kZstd));
            QVERIFY(store);
            store->push({makeStream("a", kBase, 10)});
            QVERIFY(store->close().isOk());
        }
        const QString segPath = logsDir() + "/chunks/00000001.seg";
        QByteArray seg = readFile(segPath);
        QCOMPARE(static_cast<int>(seg[9]), 2);
        seg[9] = 9;
        // Recompute the record's CRC-32C so that only the encoding is unknown.
        const QByteArray body = seg.mid(8);
        std::uint32_t crc = 0xffffffffu;
        for (char c : body) {
            crc ^= static_cast<unsigned char>(c);
            for (int k = 0; k < 8; ++k)
                crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
        }
        crc = ~crc;
        for (int i = 0; i < 4; ++i)
            seg[4 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
        QVERIFY(writeFile(segPath, seg));
        auto r = LogStore::open(Env::posix(), logsDir().toStdString(),
                                options(ChunkEncoding::kZstd), nullptr);
        QVERIFY(!r.isOk());
        QVERIFY2(r.status().message().find(segPath.toStdString() +
                                           ": chunk at offset 0: chunk encoding 9, unknown") !=
                     std::string::npos,
                 r.status().message().c_str());
        QCOMPARE(readFile(segPath).size(), seg.size());  // not truncated
    }

    // The scan's prefetch thread (decompressing the next chunk while the
    // current one is visited) changes nothing a visitor sees: many chunks per
    // stream, overlapping chunks merged, a skipped stream, a visitor that
    // stops early, both directions, and a damaged chunk in the middle.
    void prefetchMatchesSerialScan() {
        class Picky final : public StreamVisitor {
        public:
            std::vector<Collected> streams;
            bool beginStream(const model::Labels& labels) override {
                if (labels.get("host") == "b")
                    return false;
                streams.push_back({labels, {}});
                return true;
            }
            bool entry(TimestampNs ts, std::string_view line) override {
                streams.back().entries.emplace_back(ts, std::string(line));
                return streams.back().labels.get("host") != "c" ||
                       streams.back().entries.size() < 377;
            }
        };
        LogStoreOptions o = options(ChunkEncoding::kZstd);
        o.chunkTargetBytes = 8192;  // dozens of chunks per stream
        o.segmentBytes = 64 * 1024;
        {
            auto store = openStore(o);
            QVERIFY(store);
            for (const char* host : {"a", "b", "c", "d"})
                QCOMPARE(store->push({makeStream(host, kBase, 2000)}).accepted, std::size_t(2000));
            // Late entries: chunks overlapping the earlier ones.
            QCOMPARE(store->push({makeStream("a", kBase + kSec / 20, 400, true)}).accepted,
                     std::size_t(400));
            QVERIFY(store->close().isOk());
        }
        const QStringList segments = QDir(logsDir() + "/chunks").entryList(QDir::Files, QDir::Name);
        QVERIFY2(segments.size() >= 3, qPrintable(segments.join(' ')));

        auto scan = [&](bool prefetch, Direction dir, bool picky, Status& status) {
            LogStoreOptions po = o;
            po.scanPrefetch = prefetch;
            auto store = openStore(po);
            std::vector<Collected> out;
            if (!store) {
                status = Status::error("cannot open");
                return out;
            }
            LogSelectParams p;
            p.matchers = {eq("job", "app")};
            p.startNs = kBase + 3 * kSec;
            p.endNs = kBase + 170 * kSec;
            p.direction = dir;
            if (picky) {
                Picky v;
                status = store->select(p, v);
                out = std::move(v.streams);
            } else {
                Collector v;
                status = store->select(p, v);
                out = std::move(v.streams);
            }
            return out;
        };
        auto same = [](const std::vector<Collected>& x, const std::vector<Collected>& y) {
            if (x.size() != y.size())
                return false;
            for (std::size_t i = 0; i < x.size(); ++i)
                if (!(x[i].labels == y[i].labels) || x[i].entries != y[i].entries)
                    return false;
            return true;
        };
        for (Direction dir : {Direction::kForward, Direction::kBackward}) {
            for (bool picky : {false, true}) {
                Status on, off;
                const auto withPrefetch = scan(true, dir, picky, on);
                const auto serial = scan(false, dir, picky, off);
                QVERIFY2(on.isOk(), on.message().c_str());
                QVERIFY2(off.isOk(), off.message().c_str());
                QVERIFY(same(withPrefetch, serial));
                QCOMPARE(withPrefetch.size(), std::size_t(picky ? 3 : 4));
                // host a: 1670 entries of the first push in range, plus late ones.
                QVERIFY(withPrefetch[0].entries.size() > 1670);
                if (picky)
                    QCOMPARE(withPrefetch[1].entries.size(), std::size_t(377));
            }
        }

        // Damage the first block of the second segment: both scans report it.
        const QString segPath = logsDir() + "/chunks/" + segments[1];
        QByteArray seg = readFile(segPath);
        const qsizetype magic = seg.indexOf(QByteArray("\x28\xb5\x2f\xfd", 4));
        QVERIFY(magic > 0);
        seg[magic] = static_cast<char>(seg[magic] ^ 0x01);
        QVERIFY(writeFile(segPath, seg));
        Status on, off;
        scan(true, Direction::kForward, false, on);
        scan(false, Direction::kForward, false, off);
        QVERIFY(!on.isOk());
        QCOMPARE(on.message(), off.message());
        QVERIFY2(
            on.message().find(segPath.toStdString() + ": chunk at offset ") != std::string::npos,
            on.message().c_str());
    }

    void decompressorRejectsDamage_data() {
        QTest::addColumn<ChunkEncoding>("encoding");
        QTest::newRow("snappy") << ChunkEncoding::kSnappy;
        QTest::newRow("zstd") << ChunkEncoding::kZstd;
    }
    void decompressorRejectsDamage() {
        QFETCH(ChunkEncoding, encoding);
        std::string raw;
        for (int i = 0; i < 2000; ++i)
            raw += "line " + std::to_string(i * 7919 % 1000) + " of the block\n";
        BlockCompressor c;
        std::string packed = "prefix";
        QVERIFY(c.compress(encoding, 1, raw, packed).isOk());
        const std::string_view block = std::string_view(packed).substr(6);
        BlockDecompressor d;
        std::string out;
        QCOMPARE(d.decompress(encoding, block, raw.size(), out), std::string());
        QVERIFY(out == raw);
        // The header's rawLen disagrees with the block.
        QVERIFY(!d.decompress(encoding, block, raw.size() + 1, out).empty());
        QVERIFY(!d.decompress(encoding, block, raw.size() - 1, out).empty());
        QVERIFY(!d.decompress(encoding, block, std::uint64_t(1) << 40, out).empty());
        // Truncated anywhere.
        for (std::size_t n = 0; n < block.size(); n += 1 + n / 8)
            QVERIFY2(!d.decompress(encoding, block.substr(0, n), raw.size(), out).empty(),
                     qPrintable(QString::number(n)));
        // Garbage.
        QVERIFY(!d.decompress(encoding, std::string(64, '\xff'), raw.size(), out).empty());
        // The context is still good after errors.
        QCOMPARE(d.decompress(encoding, block, raw.size(), out), std::string());
        QVERIFY(out == raw);
    }
};

QTEST_GUILESS_MAIN(TestLogChunkEncoding)
#include "tst_log_chunk_encoding.moc"
