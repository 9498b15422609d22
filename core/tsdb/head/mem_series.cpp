#include "core/tsdb/head/mem_series.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace vigil::tsdb::head {

using model::Sample;
using model::Timestamp;

namespace {

bool sameBits(double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// Scratch for decoding a chunk while sealing; one per thread, so sealing
// allocates only the sealed chunk itself.
std::vector<Sample>& sealScratch() {
    thread_local std::vector<Sample> scratch;
    scratch.clear();
    return scratch;
}

SealedChunk makeSealed(std::span<const Sample> samples) {
    auto encoded = encodeSealed(samples);
    // REQUIRES of encodeSealed (1..65535 samples) hold: chunks hold at most
    // samplesPerChunk (<= kXorMaxSamples) samples and are never empty.
    std::shared_ptr<std::uint8_t[]> data = std::make_shared<std::uint8_t[]>(encoded->size());
    std::memcpy(data.get(), encoded->data(), encoded->size());
    SealedChunk c;
    c.mint = samples.front().t;
    c.maxt = samples.back().t;
    c.data = std::move(data);
    c.size = static_cast<std::uint32_t>(encoded->size());
    c.samples = static_cast<std::uint32_t>(samples.size());
    return c;
}

}  // namespace

Timestamp nextBoundary(Timestamp t, std::int64_t range) {
    if (range <= 0)
        return model::kMaxTimestamp;
    Timestamp q = t / range;
    if (t % range != 0 && t < 0)
        --q;
    if (q >= model::kMaxTimestamp / range - 1)
        return model::kMaxTimestamp;
    return (q + 1) * range;
}

void mergeSamples(std::span<const Sample> inOrder, std::span<const Sample> ooo,
                  std::vector<Sample>& out) {
    std::size_t i = 0, j = 0;
    while (i < inOrder.size() || j < ooo.size()) {
        if (j == ooo.size() || (i < inOrder.size() && inOrder[i].t <= ooo[j].t)) {
            if (j < ooo.size() && inOrder[i].t == ooo[j].t)
                ++j;
            out.push_back(inOrder[i++]);
        } else {
            out.push_back(ooo[j++]);
        }
    }
}

MemSeries::MemSeries(std::uint64_t ref, std::uint64_t hash, std::vector<std::uint32_t> labelIds)
    : m_ref(ref),
      m_hash(hash),
      m_labelIds(new std::uint32_t[labelIds.size()]),
      m_labelCount(static_cast<std::uint32_t>(labelIds.size())) {
    std::copy(labelIds.begin(), labelIds.end(), m_labelIds.get());
}

model::Labels MemSeries::labels(const SymbolTable& symbols) const {
    std::vector<model::Label> out;
    out.reserve(m_labelCount / 2);
    for (std::uint32_t i = 0; i + 1 < m_labelCount; i += 2)
        out.push_back(model::Label{std::string(symbols.symbol(m_labelIds[i])),
                                   std::string(symbols.symbol(m_labelIds[i + 1]))});
    return model::Labels::fromSorted(std::move(out));
}

bool MemSeries::labelsEqual(const model::Labels& labels, const SymbolTable& symbols) const {
    if (labels.size() * 2 != m_labelCount)
        return false;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (symbols.symbol(m_labelIds[2 * i]) != labels[i].name ||
            symbols.symbol(m_labelIds[2 * i + 1]) != labels[i].value)
            return false;
    }
    return true;
}

Verdict MemSeries::check(Timestamp t, double v, const AppendLimits& limits,
                         std::uint64_t batch) const {
    using model::AppendError;
    if (t < limits.minValidTime)
        return {Admission::kRejected, AppendError::kOutOfBounds};
    bool has = m_hasLast;
    Timestamp lastT = m_lastT;
    double lastV = m_lastV;
    if (batch != 0 && m_pendingBatch == batch) {
        has = true;
        lastT = m_pendingT;
        lastV = m_pendingV;
    }
    if (!has || t > lastT)
        return {Admission::kInOrder, AppendError::kNone};
    if (t == lastT) {
        if (sameBits(v, lastV))
            return {Admission::kDuplicateSame, AppendError::kNone};
        return {Admission::kRejected, AppendError::kDuplicate};
    }
    if (limits.outOfOrderWindow <= 0)
        return {Admission::kRejected, AppendError::kOutOfOrder};
    if (limits.headMaxt > model::kMinTimestamp + limits.outOfOrderWindow &&
        t < limits.headMaxt - limits.outOfOrderWindow)
        return {Admission::kRejected, AppendError::kTooOld};
    if (m_ooo) {
        auto it = std::lower_bound(m_ooo->begin(), m_ooo->end(), t,
                                   [](const Sample& s, Timestamp ts) { return s.t < ts; });
        if (it != m_ooo->end() && it->t == t) {
            if (sameBits(it->v, v))
                return {Admission::kDuplicateSame, AppendError::kNone};
            return {Admission::kRejected, AppendError::kDuplicate};
        }
    }
    return {Admission::kOutOfOrder, AppendError::kNone};
}

void MemSeries::notePending(std::uint64_t batch, Timestamp t, double v, Admission admission) {
    if (admission == Admission::kInOrder) {
        m_pendingBatch = batch;
        m_pendingT = t;
        m_pendingV = v;
    } else if (m_pendingBatch != batch) {
        // An out-of-order sample leaves the newest sample as it was.
        m_pendingBatch = batch;
        m_pendingT = m_lastT;
        m_pendingV = m_lastV;
    }
}

void MemSeries::store(Admission admission, Timestamp t, double v, const ChunkingOptions& options) {
    if (admission == Admission::kInOrder) {
        appendInOrder(t, v, options);
        m_hasLast = true;
        m_lastT = t;
        m_lastV = v;
        ++m_numSamples;
    } else if (admission == Admission::kOutOfOrder) {
        if (!m_ooo)
            m_ooo = std::make_unique<std::vector<Sample>>();
        auto it = std::lower_bound(m_ooo->begin(), m_ooo->end(), t,
                                   [](const Sample& s, Timestamp ts) { return s.t < ts; });
        m_ooo->insert(it, Sample{t, v});
        ++m_numSamples;
    }
}

void MemSeries::appendInOrder(Timestamp t, double v, const ChunkingOptions& options) {
    if (!m_open || m_open->numSamples() >= options.samplesPerChunk || t >= m_openBoundary) {
        seal();
        m_open = std::make_unique<XorChunk>();
        m_openMint = t;
        m_openBoundary = nextBoundary(t, options.chunkRange);
    }
    m_open->append(t, v);
    m_openMaxt = t;
}

void MemSeries::seal() {
    if (!m_open)
        return;
    if (m_open->numSamples() > 0) {
        auto& samples = sealScratch();
        // The head wrote these bytes itself; decoding cannot fail.
        (void)decodeSamples(Encoding::kXor, m_open->bytes(), samples);
        m_sealed.push_back(makeSealed(samples));
    }
    m_open.reset();
}

bool MemSeries::overlaps(Timestamp mint, Timestamp maxt) const {
    for (const auto& c : m_sealed) {
        if (c.mint <= maxt && c.maxt >= mint)
            return true;
    }
    if (m_open && m_openMint <= maxt && m_openMaxt >= mint)
        return true;
    if (m_ooo) {
        auto it = std::lower_bound(m_ooo->begin(), m_ooo->end(), mint,
                                   [](const Sample& s, Timestamp ts) { return s.t < ts; });
        if (it != m_ooo->end() && it->t <= maxt)
            return true;
    }
    return false;
}

void MemSeries::snapshot(Timestamp mint, Timestamp maxt, SeriesSnapshot& out) const {
    out.clear();
    for (const auto& c : m_sealed) {
        if (c.mint <= maxt && c.maxt >= mint)
            out.sealed.push_back(c);
    }
    if (m_open && m_openMint <= maxt && m_openMaxt >= mint) {
        auto bytes = m_open->bytes();
        out.open.assign(bytes.begin(), bytes.end());
    }
    if (m_ooo) {
        for (const auto& s : *m_ooo) {
            if (s.t >= mint && s.t <= maxt)
                out.ooo.push_back(s);
        }
    }
}

void MemSeries::inOrderSamples(std::vector<Sample>& out) const {
    for (const auto& c : m_sealed)
        (void)decodeSamples(Encoding::kPacked, c.bytes(), out);
    if (m_open)
        (void)decodeSamples(Encoding::kXor, m_open->bytes(), out);
}

void MemSeries::rebuild(std::span<const Sample> samples, const ChunkingOptions& options) {
    m_sealed.clear();
    m_open.reset();
    for (const auto& s : samples)
        appendInOrder(s.t, s.v, options);
    m_sealed.shrink_to_fit();
}

std::uint64_t MemSeries::truncateBefore(Timestamp mint, const ChunkingOptions& options) {
    std::uint64_t removed = 0;
    if (m_ooo) {
        auto it = std::lower_bound(m_ooo->begin(), m_ooo->end(), mint,
                                   [](const Sample& s, Timestamp ts) { return s.t < ts; });
        removed += static_cast<std::uint64_t>(it - m_ooo->begin());
        m_ooo->erase(m_ooo->begin(), it);
        if (m_ooo->empty())
            m_ooo.reset();
    }
    // Whole chunks before mint go without decoding; a chunk straddling mint
    // (only when mint is not a chunk-range boundary) is rewritten.
    std::size_t drop = 0;
    while (drop < m_sealed.size() && m_sealed[drop].maxt < mint)
        removed += m_sealed[drop++].samples;
    m_sealed.erase(m_sealed.begin(), m_sealed.begin() + static_cast<std::ptrdiff_t>(drop));
    if (m_sealed.empty() && m_open && m_openMaxt < mint) {
        removed += static_cast<std::uint64_t>(m_open->numSamples());
        m_open.reset();
    }
    const bool straddles = (!m_sealed.empty() && m_sealed.front().mint < mint) ||
                           (m_sealed.empty() && m_open && m_openMint < mint);
    if (straddles) {
        std::vector<Sample> all;
        inOrderSamples(all);
        auto it = std::lower_bound(all.begin(), all.end(), mint,
                                   [](const Sample& s, Timestamp ts) { return s.t < ts; });
        const auto first = static_cast<std::size_t>(it - all.begin());
        removed += first;
        rebuild(std::span<const Sample>(all).subspan(first), options);
    }
    m_numSamples -= removed;
    return removed;
}

std::uint64_t MemSeries::deleteRange(Timestamp mint, Timestamp maxt,
                                     const ChunkingOptions& options) {
    if (mint > maxt)
        return 0;
    std::uint64_t removed = 0;
    if (m_ooo) {
        auto lo = std::lower_bound(m_ooo->begin(), m_ooo->end(), mint,
                                   [](const Sample& s, Timestamp ts) { return s.t < ts; });
        auto hi = std::upper_bound(m_ooo->begin(), m_ooo->end(), maxt,
                                   [](Timestamp ts, const Sample& s) { return ts < s.t; });
        removed += static_cast<std::uint64_t>(hi - lo);
        m_ooo->erase(lo, hi);
        if (m_ooo->empty())
            m_ooo.reset();
    }
    bool touched = false;
    for (const auto& c : m_sealed)
        touched = touched || (c.mint <= maxt && c.maxt >= mint);
    touched = touched || (m_open && m_openMint <= maxt && m_openMaxt >= mint);
    if (touched) {
        std::vector<Sample> all, kept;
        inOrderSamples(all);
        kept.reserve(all.size());
        for (const auto& s : all) {
            if (s.t < mint || s.t > maxt)
                kept.push_back(s);
        }
        removed += all.size() - kept.size();
        rebuild(kept, options);
    }
    m_numSamples -= removed;
    return removed;
}

Timestamp MemSeries::minTime() const {
    Timestamp t = model::kMaxTimestamp;
    if (!m_sealed.empty())
        t = m_sealed.front().mint;
    else if (m_open)
        t = m_openMint;
    if (m_ooo && !m_ooo->empty())
        t = std::min(t, m_ooo->front().t);
    return t;
}

Timestamp MemSeries::maxTime() const {
    Timestamp t = model::kMinTimestamp;
    if (m_open)
        t = m_openMaxt;
    else if (!m_sealed.empty())
        t = m_sealed.back().maxt;
    if (m_ooo && !m_ooo->empty())
        t = std::max(t, m_ooo->back().t);
    return t;
}

std::size_t MemSeries::memoryBytes() const {
    std::size_t bytes = sizeof(MemSeries) + m_labelCount * sizeof(std::uint32_t);
    bytes += m_sealed.capacity() * sizeof(SealedChunk);
    for (const auto& c : m_sealed)
        bytes += c.size + 16;  // + the shared control block
    if (m_open) {
        bytes +=
            sizeof(XorChunk) + std::bit_ceil(std::max<std::size_t>(128, m_open->bytes().size()));
    }
    if (m_ooo)
        bytes += sizeof(std::vector<Sample>) + m_ooo->capacity() * sizeof(Sample);
    return bytes;
}

}  // namespace vigil::tsdb::head
