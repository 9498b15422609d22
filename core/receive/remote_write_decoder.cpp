#include "core/receive/remote_write_decoder.h"

#include <snappy.h>

#include <algorithm>
#include <cstring>

#include "core/scrape/relabel.h"

namespace vigil::receive {

// The WriteRequest is decoded straight from the decompressed bytes (the
// protobuf wire format of remote.proto) rather than through libprotobuf's
// generated classes: label names and values stay views into the buffer
// until the label set is built, so a series costs one allocation (its
// Labels) instead of one per string, and nothing is copied twice. The
// accepted input is the same as libprotobuf's: unknown fields (and known
// ones with another wire type) are skipped, strings must be valid UTF-8, and
// truncated fields are errors.

namespace {

enum WireType : std::uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

class WireReader {
public:
    explicit WireReader(std::string_view bytes)
        : m_p(reinterpret_cast<const std::uint8_t*>(bytes.data())), m_end(m_p + bytes.size()) {}

    bool done() const { return m_p == m_end; }

    bool varint(std::uint64_t& out) {
        std::uint64_t result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_p == m_end)
                return false;
            const std::uint8_t byte = *m_p++;
            result |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if (byte < 0x80) {
                out = result;
                return true;
            }
        }
        return false;
    }

    bool tag(std::uint32_t& field, std::uint32_t& wire) {
        std::uint64_t key = 0;
        if (!varint(key) || (key >> 3) == 0 || (key >> 3) > 0x1fffffff)
            return false;
        field = static_cast<std::uint32_t>(key >> 3);
        wire = static_cast<std::uint32_t>(key & 7);
        return true;
    }

    bool bytes(std::string_view& out) {
        std::uint64_t length = 0;
        if (!varint(length) || length > static_cast<std::uint64_t>(m_end - m_p))
            return false;
        out = std::string_view(reinterpret_cast<const char*>(m_p), length);
        m_p += length;
        return true;
    }

    bool fixed64(std::uint64_t& out) {
        if (m_end - m_p < 8)
            return false;
        std::memcpy(&out, m_p, 8);  // little endian on every platform Vigil builds for
        m_p += 8;
        return true;
    }

    bool skip(std::uint32_t wire) {
        std::uint64_t ignored = 0;
        std::string_view view;
        switch (wire) {
            case kVarint:
                return varint(ignored);
            case kFixed64:
                return fixed64(ignored);
            case kLengthDelimited:
                return bytes(view);
            case kFixed32:
                if (m_end - m_p < 4)
                    return false;
                m_p += 4;
                return true;
            default:
                return false;  // groups are not part of proto3
        }
    }

private:
    const std::uint8_t* m_p;
    const std::uint8_t* m_end;
};

bool validUtf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        // Label names and values are nearly always ASCII: 8 bytes at a time.
        while (end - p >= 8) {
            std::uint64_t word;
            std::memcpy(&word, p, 8);
            if (word & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p == end)
            break;
        if (*p < 0x80) {
            ++p;
            continue;
        }
        int n = 0;
        std::uint32_t cp = 0;
        if ((*p & 0xe0) == 0xc0) {
            n = 1;
            cp = *p & 0x1f;
        } else if ((*p & 0xf0) == 0xe0) {
            n = 2;
            cp = *p & 0x0f;
        } else if ((*p & 0xf8) == 0xf0) {
            n = 3;
            cp = *p & 0x07;
        } else {
            return false;
        }
        if (end - p <= n)
            return false;
        for (int i = 1; i <= n; ++i) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}

struct LabelView {
    std::string_view name;
    std::string_view value;
};

// prometheus.Label {name = 1, value = 2}.
bool decodeLabel(std::string_view bytes, LabelView& out) {
    WireReader r(bytes);
    out = {};
    while (!r.done()) {
        std::uint32_t field = 0, wire = 0;
        if (!r.tag(field, wire))
            return false;
        if ((field == 1 || field == 2) && wire == kLengthDelimited) {
            if (!r.bytes(field == 1 ? out.name : out.value))
                return false;
        } else if (!r.skip(wire)) {
            return false;
        }
    }
    return validUtf8(out.name) && validUtf8(out.value);
}

// prometheus.Sample {double value = 1; int64 timestamp = 2}.
bool decodeSample(std::string_view bytes, double& value, std::int64_t& timestamp) {
    WireReader r(bytes);
    value = 0;
    timestamp = 0;
    while (!r.done()) {
        std::uint32_t field = 0, wire = 0;
        if (!r.tag(field, wire))
            return false;
        if (field == 1 && wire == kFixed64) {
            std::uint64_t bits = 0;
            if (!r.fixed64(bits))
                return false;
            std::memcpy(&value, &bits, sizeof(value));
        } else if (field == 2 && wire == kVarint) {
            std::uint64_t raw = 0;
            if (!r.varint(raw))
                return false;
            timestamp = static_cast<std::int64_t>(raw);
        } else if (!r.skip(wire)) {
            return false;
        }
    }
    return true;
}

const Status& malformed() {
    static const Status status =
        Status::error("the body is not a valid remote write WriteRequest protobuf");
    return status;
}

constexpr std::size_t kMaxKeptScratchBytes = 8u << 20;

__extension__ typedef unsigned __int128 Uint128;

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
    const Uint128 r = static_cast<Uint128>(a) * b;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

// Folds `bytes` into both halves of a series fingerprint in one pass
// (multiply-mix, 8 bytes at a time; the halves use different constants).
void fingerprintBytes(std::string_view bytes, SeriesCache::Fingerprint& fp) {
    const char* p = bytes.data();
    std::size_t n = bytes.size();
    std::uint64_t h1 = fp.h1 ^ mix(n + 0x51, 0x9E3779B97F4A7C15ULL);
    std::uint64_t h2 = fp.h2 ^ mix(n + 0xa3, 0xD6E8FEB86659FD93ULL);
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h1 = mix(h1 ^ w, 0xa0761d6478bd642fULL);
        h2 = mix(h2 ^ w, 0x8ebc6af09c88c6e3ULL);
        p += 8;
        n -= 8;
    }
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    w ^= static_cast<std::uint64_t>(n) << 56;
    fp.h1 = mix(h1 ^ w, 0xe7037ed1a0b428dbULL);
    fp.h2 = mix(h2 ^ w, 0x589965cc75374cc3ULL);
}

struct SeriesSpan {
    std::uint32_t labelsBegin, labelsEnd, samplesBegin, samplesEnd;
    SeriesCache::Fingerprint fingerprint;  // of the encoded label fields, in order
};

struct DecodedSample {
    std::int64_t t;
    double v;
};

}  // namespace

struct SeriesCache::Scratch {
    std::string decoded;
    std::vector<SeriesSpan> spans;
    std::vector<LabelView> views;
    std::vector<DecodedSample> samples;
};

SeriesCache::SeriesCache(std::size_t maxEntries)
    : m_maxEntries(std::max<std::size_t>(maxEntries, 16)), m_scratch(std::make_unique<Scratch>()) {
    m_current.clear(m_maxEntries);
    m_previous.clear(0);
}

SeriesCache::~SeriesCache() = default;

void SeriesCache::Generation::clear(std::size_t maxEntries) {
    std::size_t size = 16;
    while (size < 2 * maxEntries)
        size *= 2;
    table.assign(maxEntries == 0 ? 0 : size, Slot{});
    entries.clear();
    entries.reserve(maxEntries);
}

const model::Labels* SeriesCache::Generation::find(const Fingerprint& fp) const {
    if (table.empty())
        return nullptr;
    const std::size_t mask = table.size() - 1;
    for (std::size_t i = fp.h1 & mask;; i = (i + 1) & mask) {
        const Slot& slot = table[i];
        if (slot.entry == 0)
            return nullptr;
        if (slot.h1 == fp.h1 && slot.h2 == fp.h2)
            return &entries[slot.entry - 1];
    }
}

void SeriesCache::prefetch(const Fingerprint& fp) const {
    __builtin_prefetch(&m_current.table[fp.h1 & (m_current.table.size() - 1)]);
}

std::size_t SeriesCache::size() const {
    return m_current.entries.size() + m_previous.entries.size();
}

const model::Labels* SeriesCache::find(const Fingerprint& fp) {
    if (const model::Labels* labels = m_current.find(fp))
        return labels;
    const model::Labels* old = m_previous.find(fp);
    if (!old)
        return nullptr;
    // The previous generation is only read and then dropped whole, so the
    // set is copied rather than moved out of it.
    return &insert(fp, *old);
}

const model::Labels& SeriesCache::insert(const Fingerprint& fp, model::Labels labels) {
    if (m_current.entries.size() >= m_maxEntries) {
        std::swap(m_current, m_previous);
        m_current.clear(m_maxEntries);
    }
    const std::size_t mask = m_current.table.size() - 1;
    std::size_t i = fp.h1 & mask;
    while (m_current.table[i].entry != 0) {
        Generation::Slot& slot = m_current.table[i];
        if (slot.h1 == fp.h1 && slot.h2 == fp.h2) {
            m_current.entries[slot.entry - 1] = std::move(labels);
            return m_current.entries[slot.entry - 1];
        }
        i = (i + 1) & mask;
    }
    m_current.entries.push_back(std::move(labels));
    m_current.table[i] = {fp.h1, fp.h2, static_cast<std::uint32_t>(m_current.entries.size())};
    return m_current.entries.back();
}

Result<RemoteWriteStats> decodeRemoteWrite(std::string_view body, std::uint64_t maxDecodedBytes,
                                           model::Appender& appender, SeriesCache* cache) {
    std::size_t decodedLength = 0;
    if (!snappy::GetUncompressedLength(body.data(), body.size(), &decodedLength)) {
        return Status::error(
            "snappy: corrupt input (the body must be a snappy block-compressed WriteRequest)");
    }
    if (decodedLength > maxDecodedBytes) {
        return Status::error(Status::Code::kResourceExhausted,
                             "decompressed request of " + std::to_string(decodedLength) +
                                 " bytes exceeds the limit of " + std::to_string(maxDecodedBytes) +
                                 " bytes");
    }
    std::string localDecoded;
    std::string& decoded = cache ? cache->scratch().decoded : localDecoded;
    // A rare huge request must not pin its buffer in the cache for good.
    struct Trim {
        std::string& decoded;
        ~Trim() {
            if (decoded.capacity() > kMaxKeptScratchBytes) {
                decoded.clear();
                decoded.shrink_to_fit();
            }
        }
    } trim{decoded};
    if (!snappy::Uncompress(body.data(), body.size(), &decoded))
        return Status::error("snappy: corrupt input");

    // Decode the whole message before appending anything, as ParseFromString
    // did: a malformed body stores nothing. Label views and samples of every
    // series go into flat arrays; `SeriesSpan` indexes them.
    SeriesCache::Scratch local;
    SeriesCache::Scratch& scratch = cache ? cache->scratch() : local;
    std::vector<SeriesSpan>& spans = scratch.spans;
    std::vector<LabelView>& views = scratch.views;
    std::vector<DecodedSample>& decodedSamples = scratch.samples;
    spans.clear();
    views.clear();
    decodedSamples.clear();
    RemoteWriteStats stats;
    {
        WireReader request(decoded);
        while (!request.done()) {
            std::uint32_t field = 0, wire = 0;
            if (!request.tag(field, wire))
                return malformed();
            // Another field, or field 1 with another wire type: unknown to
            // this schema, skipped (as libprotobuf does).
            if (field != 1 || wire != kLengthDelimited) {
                if (!request.skip(wire))
                    return malformed();
                continue;
            }
            std::string_view ts;
            if (!request.bytes(ts))
                return malformed();
            // prometheus.TimeSeries {labels = 1, samples = 2, exemplars = 3,
            // histograms = 4}; the fields may come in any order.
            SeriesSpan span{static_cast<std::uint32_t>(views.size()),
                            0,
                            static_cast<std::uint32_t>(decodedSamples.size()),
                            0,
                            {}};
            WireReader r(ts);
            while (!r.done()) {
                if (!r.tag(field, wire))
                    return malformed();
                if (field < 1 || field > 4 || wire != kLengthDelimited) {
                    if (!r.skip(wire))
                        return malformed();
                    continue;
                }
                std::string_view bytes;
                if (!r.bytes(bytes))
                    return malformed();
                if (field == 1) {
                    LabelView label;
                    if (!decodeLabel(bytes, label))
                        return malformed();
                    views.push_back(label);
                    fingerprintBytes(bytes, span.fingerprint);
                } else if (field == 2) {
                    DecodedSample sample{};
                    if (!decodeSample(bytes, sample.v, sample.t))
                        return malformed();
                    decodedSamples.push_back(sample);
                } else if (field == 3) {
                    ++stats.exemplarsDropped;
                } else {
                    ++stats.histogramsDropped;
                }
            }
            span.labelsEnd = static_cast<std::uint32_t>(views.size());
            span.samplesEnd = static_cast<std::uint32_t>(decodedSamples.size());
            spans.push_back(span);
        }
    }

    std::vector<model::Label> labels;
    model::Labels built;
    // Prefetch distance: far enough ahead to hide a miss to memory.
    constexpr std::size_t kAhead = 8;
    if (cache) {
        for (std::size_t i = 0; i < std::min(kAhead, spans.size()); ++i)
            cache->prefetch(spans[i].fingerprint);
    }
    for (std::size_t index = 0; index < spans.size(); ++index) {
        const SeriesSpan& span = spans[index];
        if (cache && index + kAhead < spans.size())
            cache->prefetch(spans[index + kAhead].fingerprint);
        ++stats.series;
        LabelView* const first = views.data() + span.labelsBegin;
        LabelView* const last = views.data() + span.labelsEnd;
        const model::Labels* set = nullptr;
        if (cache) {
            set = cache->find(span.fingerprint);
        }
        if (!set) {
            // Senders sort labels by name (Prometheus does); sort only if not.
            if (!std::is_sorted(first, last, [](const LabelView& a, const LabelView& b) {
                    return a.name < b.name;
                })) {
                std::stable_sort(first, last, [](const LabelView& a, const LabelView& b) {
                    return a.name < b.name;
                });
            }
            bool valid = first != last;
            bool hasName = false;
            for (const LabelView* l = first; l != last; ++l) {
                if (!scrape::isValidLabelName(l->name) || (l != first && l[-1].name == l->name))
                    valid = false;
                if (l->name == model::kMetricName && !l->value.empty())
                    hasName = true;
            }
            labels.clear();
            labels.reserve(static_cast<std::size_t>(last - first));
            for (const LabelView* l = first; l != last; ++l) {
                if (!l->value.empty())  // an empty value is an absent label
                    labels.push_back({std::string(l->name), std::string(l->value)});
            }
            if (!valid || !hasName) {
                ++stats.invalidSeries;
                if (stats.firstProblem.empty()) {
                    stats.firstProblem = "invalid metric name or labels: " +
                                         model::Labels::fromUnsorted(std::move(labels)).toString();
                }
                labels = {};
                continue;
            }
            if (cache) {
                set =
                    &cache->insert(span.fingerprint, model::Labels::fromSorted(std::move(labels)));
            } else {
                built = model::Labels::fromSorted(std::move(labels));
                set = &built;
            }
            labels = {};
        }
        for (std::uint32_t i = span.samplesBegin; i < span.samplesEnd; ++i) {
            const DecodedSample& sample = decodedSamples[i];
            const model::AppendError error = appender.append(*set, sample.t, sample.v);
            if (error == model::AppendError::kNone) {
                ++stats.samples;
                continue;
            }
            ++stats.rejected;
            if (stats.firstProblem.empty()) {
                stats.firstProblem = std::string(model::appendErrorName(error)) +
                                     " sample for series " + set->toString() + " at timestamp " +
                                     std::to_string(sample.t);
            }
        }
    }
    return stats;
}

}  // namespace vigil::receive
