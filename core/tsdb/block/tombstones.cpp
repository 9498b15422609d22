#include "core/tsdb/block/tombstones.h"

#include <algorithm>

#include "core/tsdb/index/encoding.h"
#include "core/tsdb/wal/crc32c.h"

namespace vigil::tsdb {

namespace {
constexpr std::uint32_t kTombstonesMagic = 0x0130BA30;
constexpr std::uint8_t kTombstonesVersion = 0x40;
}  // namespace

void addInterval(Intervals& ivs, Interval iv) {
    Intervals out;
    out.reserve(ivs.size() + 1);
    bool placed = false;
    for (const Interval& cur : ivs) {
        // Adjacent integer ranges merge too ([1,2] + [3,4] = [1,4]).
        bool touches = cur.mint <= iv.maxt + (iv.maxt < INT64_MAX ? 1 : 0) &&
                       iv.mint <= cur.maxt + (cur.maxt < INT64_MAX ? 1 : 0);
        if (touches) {
            iv.mint = std::min(iv.mint, cur.mint);
            iv.maxt = std::max(iv.maxt, cur.maxt);
        } else if (cur.maxt < iv.mint) {
            out.push_back(cur);
        } else {
            if (!placed) {
                out.push_back(iv);
                placed = true;
            }
            out.push_back(cur);
        }
    }
    if (!placed)
        out.push_back(iv);
    ivs = std::move(out);
}

bool isDeleted(const Intervals& ivs, model::Timestamp t) {
    for (const Interval& iv : ivs)
        if (iv.contains(t))
            return true;
    return false;
}

bool coversRange(const Intervals& ivs, model::Timestamp mint, model::Timestamp maxt) {
    for (const Interval& iv : ivs)
        if (iv.mint <= mint && maxt <= iv.maxt)
            return true;
    return false;
}

std::uint64_t Tombstones::numIntervals() const {
    std::uint64_t n = 0;
    for (const auto& [id, ivs] : m_map)
        n += ivs.size();
    return n;
}

std::string Tombstones::encode() const {
    Encbuf payload;
    payload.putUvarint(numIntervals());
    for (const auto& [id, ivs] : m_map)
        for (const Interval& iv : ivs) {
            payload.putUvarint(id);
            payload.putVarint(iv.mint);
            payload.putUvarint(static_cast<std::uint64_t>(iv.maxt) -
                               static_cast<std::uint64_t>(iv.mint));
        }
    Encbuf file;
    file.putBe32(kTombstonesMagic);
    file.putU8(kTombstonesVersion);
    file.putBytes(payload.str());
    file.putBe32(crc32c(payload.str()));
    return std::move(file.str());
}

Result<Tombstones> Tombstones::decode(std::string_view data, const std::string& path) {
    auto bad = [&](std::uint64_t off, const std::string& what) {
        return Status::corruption(path + ": offset " + std::to_string(off) + ": " + what);
    };
    if (data.size() < 9)
        return bad(0, "tombstones file too short (" + std::to_string(data.size()) + " bytes)");
    Decbuf head(data);
    if (head.be32() != kTombstonesMagic)
        return bad(0, "bad tombstones magic");
    std::uint8_t version = head.u8();
    if (version != kTombstonesVersion)
        return bad(4, "unsupported tombstones version " + std::to_string(version));
    std::string_view payload = data.substr(5, data.size() - 9);
    Decbuf crc(data.substr(data.size() - 4));
    if (crc32c(payload) != crc.be32())
        return bad(data.size() - 4, "tombstones checksum mismatch");
    Decbuf d(payload);
    std::uint64_t n = d.uvarint();
    if (!d.ok() || n > payload.size())
        return bad(5, "bad tombstone count");
    Tombstones t;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t id = d.uvarint();
        Interval iv;
        iv.mint = d.varint();
        iv.maxt = wrapAdd(iv.mint, d.uvarint());
        if (!d.ok() || id > UINT32_MAX || iv.maxt < iv.mint)
            return bad(5, "tombstone " + std::to_string(i) + " truncated or invalid");
        t.add(static_cast<std::uint32_t>(id), iv);
    }
    if (d.remaining() != 0)
        return bad(data.size() - 4 - d.remaining(), "trailing bytes after tombstones");
    return t;
}

Result<Tombstones> readTombstones(Env* env, const std::string& blockDir) {
    std::string path = joinPath(blockDir, "tombstones");
    auto data = readFile(env, path);
    if (!data)
        return data.status();
    return Tombstones::decode(*data, path);
}

Status writeTombstones(Env* env, const std::string& blockDir, const Tombstones& t) {
    return writeFileAtomically(env, joinPath(blockDir, "tombstones"), t.encode());
}

}  // namespace vigil::tsdb
