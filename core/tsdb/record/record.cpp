#include "core/tsdb/record/record.h"

#include <bit>

namespace vigil::tsdb::record {
namespace {

void putBigEndian64(std::string& out, std::uint64_t v) {
    char buf[8];
    for (int i = 7; i >= 0; --i) {
        buf[i] = static_cast<char>(v & 0xFF);
        v >>= 8;
    }
    out.append(buf, 8);
}

void putUvarint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

// Zig-zag, as Go's binary.PutVarint.
void putVarint(std::string& out, std::int64_t v) {
    putUvarint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

void putString(std::string& out, std::string_view s) {
    putUvarint(out, s.size());
    out.append(s);
}

// Reads a record front to back; the first failure sticks and names the
// offset where it happened.
class Decoder {
public:
    Decoder(std::string_view data, const char* kind) : m_data(data), m_kind(kind) {}

    bool ok() const { return m_error.empty(); }
    bool atEnd() const { return m_pos >= m_data.size(); }
    std::size_t pos() const { return m_pos; }

    std::uint8_t byte() {
        if (!need(1, "type byte"))
            return 0;
        return static_cast<std::uint8_t>(m_data[m_pos++]);
    }

    std::uint64_t bigEndian64(const char* what) {
        if (!need(8, what))
            return 0;
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v = v << 8 | static_cast<std::uint8_t>(m_data[m_pos + i]);
        m_pos += 8;
        return v;
    }

    std::uint64_t uvarint(const char* what) {
        if (!ok())
            return 0;
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_data.size()) {
                fail(std::string("truncated varint (") + what + ")");
                return 0;
            }
            auto b = static_cast<std::uint8_t>(m_data[m_pos++]);
            if (shift == 63 && b > 1) {
                fail(std::string("varint overflows 64 bits (") + what + ")");
                return 0;
            }
            v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if (b < 0x80)
                return v;
        }
        fail(std::string("varint overflows 64 bits (") + what + ")");
        return 0;
    }

    std::int64_t varint(const char* what) {
        std::uint64_t u = uvarint(what);
        return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
    }

    std::string_view string(const char* what) {
        std::uint64_t n = uvarint(what);
        if (!ok())
            return {};
        if (n > m_data.size() - m_pos) {
            fail(std::string(what) + " of " + std::to_string(n) + " bytes runs past the end");
            return {};
        }
        std::string_view s = m_data.substr(m_pos, static_cast<std::size_t>(n));
        m_pos += static_cast<std::size_t>(n);
        return s;
    }

    void fail(const std::string& message) {
        if (ok())
            m_error = message;
    }
    void setContext(std::string context) { m_context = std::move(context); }
    // Remembers where the entry being decoded starts: errors are reported there
    // unless a read runs out of bytes (reported where it ran out).
    void markEntry() { m_errorPos = m_pos; }

    Status status() const {
        if (ok())
            return Status::ok();
        return Status::corruption(
            std::string(m_kind) + " record of " + std::to_string(m_data.size()) + " bytes: byte " +
            std::to_string(m_errorPos) + (m_context.empty() ? "" : " (" + m_context + ")") + ": " +
            m_error);
    }

private:
    bool need(std::size_t n, const char* what) {
        if (!ok())
            return false;
        if (m_data.size() - m_pos < n) {
            m_errorPos = m_pos;
            m_error = std::string("truncated ") + what;
            return false;
        }
        return true;
    }

    std::string_view m_data;
    const char* m_kind;
    std::size_t m_pos = 0;
    std::size_t m_errorPos = 0;
    std::string m_error;
    std::string m_context;
};

Status checkType(Decoder& d, RecordType want) {
    auto type = static_cast<RecordType>(d.byte());
    if (!d.ok())
        return d.status();
    if (type != want)
        return Status::corruption(
            std::string(recordTypeName(want)) + " record: byte 0: type byte is " +
            std::to_string(static_cast<int>(type)) + " (" + recordTypeName(type) + "), want " +
            std::to_string(static_cast<int>(want)));
    return Status::ok();
}

}  // namespace

RecordType recordType(std::string_view record) {
    if (record.empty())
        return RecordType::kUnknown;
    auto type = static_cast<RecordType>(static_cast<std::uint8_t>(record[0]));
    switch (type) {
        case RecordType::kSeries:
        case RecordType::kSamples:
        case RecordType::kTombstones:
            return type;
        case RecordType::kUnknown:
            break;
    }
    return RecordType::kUnknown;
}

const char* recordTypeName(RecordType type) {
    switch (type) {
        case RecordType::kSeries:
            return "series";
        case RecordType::kSamples:
            return "samples";
        case RecordType::kTombstones:
            return "tombstones";
        case RecordType::kUnknown:
            break;
    }
    return "unknown";
}

void encodeSeries(std::span<const RefSeries> series, std::string& out) {
    out.clear();
    out.push_back(static_cast<char>(RecordType::kSeries));
    for (const RefSeries& s : series) {
        putBigEndian64(out, s.ref);
        putUvarint(out, s.labels.size());
        for (const model::Label& l : s.labels) {
            putString(out, l.name);
            putString(out, l.value);
        }
    }
}

void encodeSamples(std::span<const RefSample> samples, std::string& out) {
    out.clear();
    out.push_back(static_cast<char>(RecordType::kSamples));
    if (samples.empty())
        return;
    const RefSample& first = samples.front();
    putBigEndian64(out, first.ref);
    putBigEndian64(out, static_cast<std::uint64_t>(first.t));
    for (const RefSample& s : samples) {
        putVarint(out, static_cast<std::int64_t>(s.ref - first.ref));
        putVarint(out, static_cast<std::int64_t>(static_cast<std::uint64_t>(s.t) -
                                                 static_cast<std::uint64_t>(first.t)));
        putBigEndian64(out, std::bit_cast<std::uint64_t>(s.v));
    }
}

void encodeTombstones(std::span<const Tombstone> tombstones, std::string& out) {
    out.clear();
    out.push_back(static_cast<char>(RecordType::kTombstones));
    for (const Tombstone& t : tombstones) {
        putUvarint(out, t.ref);
        putVarint(out, t.mint);
        putVarint(out, t.maxt);
    }
}

Status decodeSeries(std::string_view record, std::vector<RefSeries>& out) {
    Decoder d(record, "series");
    if (Status s = checkType(d, RecordType::kSeries); !s)
        return s;
    std::vector<model::Label> labels;
    for (std::size_t i = 0; !d.atEnd(); ++i) {
        d.markEntry();
        d.setContext("series " + std::to_string(i));
        std::uint64_t ref = d.bigEndian64("series ref");
        std::uint64_t count = d.uvarint("label count");
        if (!d.ok())
            return d.status();
        d.setContext("series " + std::to_string(i) + ", ref " + std::to_string(ref));
        // Each label takes at least two bytes: a bound that stops a corrupt
        // count from reserving absurd memory.
        if (count > (record.size() - d.pos()) / 2) {
            d.fail("label count " + std::to_string(count) + " exceeds the record");
            return d.status();
        }
        labels.clear();
        labels.reserve(static_cast<std::size_t>(count));
        for (std::uint64_t j = 0; j < count; ++j) {
            std::string_view name = d.string("label name");
            std::string_view value = d.string("label value");
            if (!d.ok())
                return d.status();
            if (name.empty())
                d.fail("label " + std::to_string(j) + " has an empty name");
            else if (value.empty())
                d.fail("label '" + std::string(name) + "' has an empty value");
            else if (!labels.empty() && !(labels.back().name < name))
                d.fail("label '" + std::string(name) + "' is out of order or repeated");
            if (!d.ok())
                return d.status();
            labels.push_back(model::Label{std::string(name), std::string(value)});
        }
        out.push_back(RefSeries{ref, model::Labels::fromSorted(std::move(labels))});
        labels = {};
    }
    return Status::ok();
}

Status decodeSamples(std::string_view record, std::vector<RefSample>& out) {
    Decoder d(record, "samples");
    if (Status s = checkType(d, RecordType::kSamples); !s)
        return s;
    if (d.atEnd())
        return Status::ok();
    d.markEntry();
    d.setContext("base");
    std::uint64_t baseRef = d.bigEndian64("base ref");
    auto baseT = d.bigEndian64("base timestamp");
    if (!d.ok())
        return d.status();
    // Every sample takes at least 10 bytes (two 1-byte varints and the value).
    out.reserve(out.size() + (record.size() - d.pos()) / 10);
    for (std::size_t i = 0; !d.atEnd(); ++i) {
        d.markEntry();
        std::int64_t dref = d.varint("ref delta");
        std::int64_t dt = d.varint("timestamp delta");
        std::uint64_t bits = d.bigEndian64("value");
        if (!d.ok()) {
            d.setContext("sample " + std::to_string(i));
            return d.status();
        }
        out.push_back(
            RefSample{baseRef + static_cast<std::uint64_t>(dref),
                      static_cast<model::Timestamp>(baseT + static_cast<std::uint64_t>(dt)),
                      std::bit_cast<double>(bits)});
    }
    return Status::ok();
}

Status decodeTombstones(std::string_view record, std::vector<Tombstone>& out) {
    Decoder d(record, "tombstones");
    if (Status s = checkType(d, RecordType::kTombstones); !s)
        return s;
    for (std::size_t i = 0; !d.atEnd(); ++i) {
        d.markEntry();
        std::uint64_t ref = d.uvarint("series ref");
        std::int64_t mint = d.varint("mint");
        std::int64_t maxt = d.varint("maxt");
        if (!d.ok()) {
            d.setContext("tombstone " + std::to_string(i));
            return d.status();
        }
        out.push_back(Tombstone{ref, mint, maxt});
    }
    return Status::ok();
}

}  // namespace vigil::tsdb::record
