#include "core/tsdb/block/meta.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <chrono>
#include <cmath>
#include <random>

namespace vigil::tsdb {

namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

QJsonArray toArray(const std::vector<std::string>& v) {
    QJsonArray a;
    for (const auto& s : v)
        a.append(QString::fromStdString(s));
    return a;
}

// JSON numbers are doubles; timestamps and counts stay below 2^53.
bool getInt(const QJsonObject& o, const char* key, std::int64_t* out) {
    QJsonValue v = o.value(QLatin1String(key));
    if (!v.isDouble())
        return false;
    double d = v.toDouble();
    if (d != std::floor(d) || std::fabs(d) > 9007199254740992.0)
        return false;
    *out = static_cast<std::int64_t>(d);
    return true;
}

bool getStrings(const QJsonObject& o, const char* key, std::vector<std::string>* out) {
    QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isArray())
        return false;
    for (const auto& e : v.toArray()) {
        if (!e.isString())
            return false;
        out->push_back(e.toString().toStdString());
    }
    return true;
}

}  // namespace

std::string BlockMeta::toJson() const {
    QJsonObject stats;
    stats.insert("numSamples", static_cast<double>(numSamples));
    stats.insert("numSeries", static_cast<double>(numSeries));
    stats.insert("numChunks", static_cast<double>(numChunks));
    stats.insert("numTombstones", static_cast<double>(numTombstones));
    QJsonObject compaction;
    compaction.insert("level", level);
    compaction.insert("sources", toArray(sources));
    compaction.insert("parents", toArray(parents));
    QJsonObject o;
    o.insert("ulid", QString::fromStdString(ulid));
    o.insert("minTime", static_cast<double>(minTime));
    o.insert("maxTime", static_cast<double>(maxTime));
    o.insert("stats", stats);
    o.insert("compaction", compaction);
    o.insert("version", version);
    return QJsonDocument(o).toJson(QJsonDocument::Indented).toStdString();
}

Result<BlockMeta> BlockMeta::fromJson(std::string_view json, const std::string& path) {
    QJsonParseError err{};
    QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray(json.data(), static_cast<qsizetype>(json.size())), &err);
    if (err.error != QJsonParseError::NoError)
        return Status::corruption(path + ": offset " + std::to_string(err.offset) + ": " +
                                  err.errorString().toStdString());
    if (!doc.isObject())
        return Status::corruption(path + ": not a JSON object");
    auto bad = [&](const std::string& key) {
        return Status::corruption(path + ": missing or invalid \"" + key + "\"");
    };
    QJsonObject o = doc.object();
    BlockMeta m;
    QJsonValue ulid = o.value("ulid");
    if (!ulid.isString() || !isUlid(ulid.toString().toStdString()))
        return bad("ulid");
    m.ulid = ulid.toString().toStdString();
    std::int64_t v = 0;
    if (!getInt(o, "minTime", &m.minTime))
        return bad("minTime");
    if (!getInt(o, "maxTime", &m.maxTime))
        return bad("maxTime");
    if (m.minTime >= m.maxTime)
        return Status::corruption(path + ": minTime " + std::to_string(m.minTime) +
                                  " is not before maxTime " + std::to_string(m.maxTime));
    if (!getInt(o, "version", &v))
        return bad("version");
    if (v != 1)
        return Status::corruption(path + ": unsupported version " + std::to_string(v));
    QJsonValue statsV = o.value("stats");
    if (!statsV.isObject())
        return bad("stats");
    QJsonObject stats = statsV.toObject();
    struct {
        const char* key;
        std::uint64_t* out;
        bool required;
    } fields[] = {{"numSamples", &m.numSamples, true},
                  {"numSeries", &m.numSeries, true},
                  {"numChunks", &m.numChunks, true},
                  {"numTombstones", &m.numTombstones, false}};
    for (auto& f : fields) {
        if (!stats.contains(QLatin1String(f.key)) && !f.required)
            continue;
        if (!getInt(stats, f.key, &v) || v < 0)
            return bad(std::string("stats.") + f.key);
        *f.out = static_cast<std::uint64_t>(v);
    }
    QJsonValue compV = o.value("compaction");
    if (!compV.isObject())
        return bad("compaction");
    QJsonObject comp = compV.toObject();
    if (!getInt(comp, "level", &v) || v < 1)
        return bad("compaction.level");
    m.level = static_cast<int>(v);
    if (!getStrings(comp, "sources", &m.sources))
        return bad("compaction.sources");
    if (!getStrings(comp, "parents", &m.parents))
        return bad("compaction.parents");
    return m;
}

Result<BlockMeta> readBlockMeta(Env* env, const std::string& blockDir) {
    std::string path = joinPath(blockDir, "meta.json");
    auto data = readFile(env, path);
    if (!data)
        return data.status();
    return BlockMeta::fromJson(*data, path);
}

Status writeBlockMeta(Env* env, const std::string& blockDir, const BlockMeta& meta) {
    return writeFileAtomically(env, joinPath(blockDir, "meta.json"), meta.toJson());
}

std::string newUlid(std::uint64_t ms) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uint64_t hi = rng();
    std::uint64_t lo = rng();
    // 128 bits: ms (48) | random (80), written as 26 base32 digits (130 bits,
    // the top 2 zero).
    const std::uint64_t words[2] = {((ms & 0xffffffffffffULL) << 16) | (hi & 0xffff), lo};
    auto bit = [&](int pos) -> unsigned {  // pos 0 = least significant
        if (pos >= 128)
            return 0;
        return static_cast<unsigned>((words[pos >= 64 ? 0 : 1] >> (pos % 64)) & 1);
    };
    std::string s(26, '0');
    for (int i = 0; i < 26; ++i) {
        unsigned d = 0;
        for (int b = 0; b < 5; ++b)
            d = (d << 1) | bit(129 - (5 * i + b));
        s[static_cast<std::size_t>(i)] = kCrockford[d];
    }
    return s;
}

std::string newUlid() {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return newUlid(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
}

bool isUlid(std::string_view s) {
    if (s.size() != 26 || s[0] > '7')
        return false;
    for (char c : s)
        if (std::string_view(kCrockford).find(c) == std::string_view::npos)
            return false;
    return true;
}

}  // namespace vigil::tsdb
