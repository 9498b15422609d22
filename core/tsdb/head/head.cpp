#include "core/tsdb/head/head.h"

#include <QDebug>
#include <algorithm>
#include <mutex>

#include "core/tsdb/head/head_appender.h"
#include "core/tsdb/head/head_querier.h"
#include "core/tsdb/record/record.h"
#include "core/tsdb/wal/checkpoint.h"
#include "core/tsdb/wal/wal_reader.h"

namespace vigil::tsdb {

using head::MemSeries;
using model::AppendError;
using model::Sample;
using model::Timestamp;

namespace {

constexpr const char* kRejectedReasons[5] = {nullptr, "out_of_order", "duplicate", "out_of_bounds",
                                             "too_old"};

void atomicMin(std::atomic<Timestamp>& a, Timestamp v) {
    Timestamp cur = a.load(std::memory_order_relaxed);
    while (v < cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}
void atomicMax(std::atomic<Timestamp>& a, Timestamp v) {
    Timestamp cur = a.load(std::memory_order_relaxed);
    while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}

}  // namespace

Head::Head(Env* env, std::string walDir, HeadOptions options, instrument::MetricRegistry* metrics)
    : m_env(env),
      m_walDir(std::move(walDir)),
      m_options(options),
      m_chunking{options.chunkRange, options.samplesPerChunk},
      m_minValid(options.minValidTime) {
    if (metrics != nullptr) {
        m_appendedCounter = &metrics->counter("vigil_tsdb_head_samples_appended_total",
                                              "Samples appended to the TSDB head.");
        for (int i = 1; i < 5; ++i) {
            m_rejectedCounters[i] = &metrics->counter(
                "vigil_tsdb_samples_rejected_total", "Samples refused by the TSDB head, by reason.",
                model::Labels{{"reason", kRejectedReasons[i]}});
        }
        m_seriesGauge = &metrics->gauge("vigil_tsdb_head_series", "Series in the TSDB head.");
    }
}

Head::~Head() {
    if (m_wal)
        (void)m_wal->close();
}

Result<std::unique_ptr<Head>> Head::open(Env* env, std::string walDir, HeadOptions options,
                                         instrument::MetricRegistry* metrics) {
    if (options.samplesPerChunk < 1 || options.samplesPerChunk > kXorMaxSamples)
        return Status::error("head: samplesPerChunk must be within 1.." +
                             std::to_string(kXorMaxSamples) + ", got " +
                             std::to_string(options.samplesPerChunk));
    if (options.chunkRange <= 0)
        return Status::error("head: chunkRange must be positive, got " +
                             std::to_string(options.chunkRange));
    if (options.outOfOrderWindow < 0)
        return Status::error("head: outOfOrderWindow must not be negative, got " +
                             std::to_string(options.outOfOrderWindow));
    std::unique_ptr<Head> head(new Head(env, std::move(walDir), options, metrics));
    if (!head->m_walDir.empty()) {
        if (Status s = head->replay(); !s)
            return s.withContext("opening the head");
        auto wal = wal::Wal::open(env, head->m_walDir, options.wal);
        if (!wal)
            return wal.status().withContext("opening the head");
        head->m_wal = std::move(*wal);
    }
    for (const auto& w : head->m_warnings)
        qWarning().noquote() << "tsdb head:" << w.c_str();
    if (head->m_seriesGauge != nullptr)
        head->m_seriesGauge->set(static_cast<double>(head->m_series.size()));
    return head;
}

MemSeries* Head::resolveReplayRef(std::uint64_t ref) {
    auto alias = m_refAliases.find(ref);
    if (alias != m_refAliases.end())
        ref = alias->second;
    MemSeries* found = nullptr;
    // open() runs alone: the pointer stays valid after the callback.
    m_series.forRef(ref, [&](MemSeries& s) { found = &s; });
    return found;
}

Status Head::replay() {
    if (!m_env->isDirectory(m_walDir))
        return Status::ok();
    std::vector<record::RefSeries> series;
    std::vector<record::RefSample> samples;
    std::uint64_t unknownRefs = 0, dropped = 0, stored = 0, badRecords = 0;
    Timestamp mint = model::kMaxTimestamp, maxt = model::kMinTimestamp;
    std::vector<std::string> warnings;
    auto onRecord = [&](std::string_view rec) -> Status {
        switch (record::recordType(rec)) {
            case record::RecordType::kSeries: {
                series.clear();
                if (Status s = record::decodeSeries(rec, series); !s) {
                    if (badRecords++ == 0)
                        warnings.push_back("skipped an undecodable WAL record: " + s.message());
                    return Status::ok();
                }
                for (auto& rs : series) {
                    if (rs.labels.empty() || rs.ref == 0)
                        continue;
                    MemSeries* existing = resolveReplayRef(rs.ref);
                    if (existing != nullptr) {
                        if (!existing->labelsEqual(rs.labels, m_symbols) && badRecords++ == 0)
                            warnings.push_back("WAL reuses series ref " + std::to_string(rs.ref) +
                                               " for " + rs.labels.toString() + "; ignored");
                        continue;
                    }
                    auto got =
                        m_series.getOrCreate(rs.labels, head::seriesHash(rs.labels), rs.ref, false);
                    if (got.created)
                        seriesCreated(*got.series);
                    else
                        m_refAliases[rs.ref] = got.series->ref();
                    got.series->walLogged.store(true, std::memory_order_relaxed);
                }
                return Status::ok();
            }
            case record::RecordType::kSamples: {
                samples.clear();
                if (Status s = record::decodeSamples(rec, samples); !s) {
                    if (badRecords++ == 0)
                        warnings.push_back("skipped an undecodable WAL record: " + s.message());
                    return Status::ok();
                }
                MemSeries* last = nullptr;
                std::uint64_t lastRef = 0;
                for (const auto& rs : samples) {
                    if (last == nullptr || rs.ref != lastRef) {
                        last = resolveReplayRef(rs.ref);
                        lastRef = rs.ref;
                    }
                    if (last == nullptr) {
                        ++unknownRefs;
                        continue;
                    }
                    head::AppendLimits lim = limits();
                    lim.headMaxt = std::max(lim.headMaxt, maxt);
                    const auto verdict = last->check(rs.t, rs.v, lim, 0);
                    last->store(verdict.admission, rs.t, rs.v, m_chunking);
                    if (verdict.admission == head::Admission::kRejected) {
                        ++dropped;
                    } else if (verdict.admission != head::Admission::kDuplicateSame) {
                        ++stored;
                        mint = std::min(mint, rs.t);
                        maxt = std::max(maxt, rs.t);
                    }
                }
                if (maxt != model::kMinTimestamp)
                    atomicMax(m_maxt, maxt);
                return Status::ok();
            }
            case record::RecordType::kTombstones:
                return applyTombstones(rec, warnings);
            case record::RecordType::kUnknown:
                if (badRecords++ == 0)
                    warnings.push_back("skipped a WAL record of unknown type");
                return Status::ok();
        }
        return Status::ok();
    };
    auto report = wal::replayWal(m_env, m_walDir, onRecord);
    if (!report)
        return report.status();
    for (auto& w : report->warnings)
        m_warnings.push_back(std::move(w));
    for (auto& w : warnings)
        m_warnings.push_back(std::move(w));
    if (badRecords > 1)
        m_warnings.push_back(std::to_string(badRecords) + " WAL records could not be used");
    if (unknownRefs > 0)
        m_warnings.push_back(std::to_string(unknownRefs) +
                             " WAL samples refer to series the WAL does not define; dropped");
    (void)dropped;  // refused at replay exactly as at commit: not an anomaly
    noteTimes(mint, maxt);
    m_samples.fetch_add(stored, std::memory_order_relaxed);
    return Status::ok();
}

Status Head::applyTombstones(std::string_view rec, std::vector<std::string>& warnings) {
    std::vector<record::Tombstone> stones;
    if (Status s = record::decodeTombstones(rec, stones); !s) {
        warnings.push_back("skipped an undecodable WAL record: " + s.message());
        return Status::ok();
    }
    std::uint64_t removed = 0;
    for (const auto& t : stones) {
        MemSeries* s = resolveReplayRef(t.ref);
        if (s == nullptr)
            continue;
        std::lock_guard guard(s->lock());
        removed += s->deleteRange(t.mint, t.maxt, m_chunking);
    }
    m_samples.fetch_sub(std::min(removed, m_samples.load()), std::memory_order_relaxed);
    return Status::ok();
}

head::AppendLimits Head::limits() const {
    head::AppendLimits l;
    l.minValidTime = m_minValid.load(std::memory_order_acquire);
    l.headMaxt = m_maxt.load(std::memory_order_relaxed);
    l.outOfOrderWindow = m_options.outOfOrderWindow;
    return l;
}

void Head::noteTimes(Timestamp mint, Timestamp maxt) {
    if (mint != model::kMaxTimestamp)
        atomicMin(m_mint, mint);
    if (maxt != model::kMinTimestamp)
        atomicMax(m_maxt, maxt);
}

void Head::countRejected(AppendError error, std::uint64_t n) {
    const auto i = static_cast<std::size_t>(error);
    if (i == 0 || i >= 5)
        return;
    m_rejected[i].fetch_add(n, std::memory_order_relaxed);
    if (m_rejectedCounters[i] != nullptr)
        m_rejectedCounters[i]->inc(static_cast<double>(n));
}

void Head::seriesCreated(MemSeries& s) {
    m_postings.add(s.ref(), s.labelIds());
    if (m_seriesGauge != nullptr)
        m_seriesGauge->add(1);
}

std::unique_ptr<model::Appender> Head::appender() {
    return std::make_unique<HeadAppender>(*this);
}

std::unique_ptr<model::Querier> Head::querier(Timestamp mint, Timestamp maxt) {
    return std::make_unique<HeadQuerier>(*this, mint, maxt);
}

Status Head::forEachSeriesChunks(Timestamp mint, Timestamp maxt,
                                 const ChunkSeriesVisitor& visitor) {
    if (mint >= maxt)
        return Status::ok();
    const Timestamp last = maxt - 1;  // [mint, maxt) as an inclusive range
    std::vector<std::pair<model::Labels, std::uint64_t>> all;
    m_series.forEach([&](MemSeries& s) {
        bool overlaps;
        {
            std::lock_guard guard(s.lock());
            overlaps = s.overlaps(mint, last);
        }
        if (overlaps)
            all.emplace_back(s.labels(m_symbols), s.ref());
    });
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });

    head::SeriesSnapshot snap;
    std::vector<Sample> pending, decoded, merged;
    std::vector<std::vector<std::uint8_t>> owned;
    std::vector<ChunkView> views;
    const auto perChunk = static_cast<std::size_t>(m_options.samplesPerChunk);
    auto inRange = [&](const Sample& s) { return s.t >= mint && s.t < maxt; };
    // Encodes the collected samples (sorted) as packed chunks.
    auto flush = [&](std::vector<Sample>& samples) -> Status {
        for (std::size_t i = 0; i < samples.size(); i += perChunk) {
            const std::size_t n = std::min(perChunk, samples.size() - i);
            auto encoded = encodeSealed(std::span<const Sample>(samples).subspan(i, n));
            if (!encoded)
                return encoded.status();
            owned.push_back(std::move(*encoded));
            views.push_back(
                ChunkView{samples[i].t, samples[i + n - 1].t, Encoding::kPacked, owned.back()});
        }
        samples.clear();
        return Status::ok();
    };
    auto decodeInto = [&](Encoding e, std::span<const std::uint8_t> bytes,
                          std::vector<Sample>& out) -> Status {
        decoded.clear();
        if (Status s = decodeSamples(e, bytes, decoded); !s)
            return s;
        for (const auto& smp : decoded) {
            if (inRange(smp))
                out.push_back(smp);
        }
        return Status::ok();
    };
    for (const auto& [labels, ref] : all) {
        snap.clear();
        m_series.forRef(ref, [&](MemSeries& s) {
            std::lock_guard guard(s.lock());
            s.snapshot(mint, last, snap);
        });
        owned.clear();
        views.clear();
        pending.clear();
        // `owned` must not reallocate while views point into it.
        owned.reserve(snap.sealed.size() + 2 + (snap.sealed.size() + 1) * 65535 / perChunk +
                      snap.ooo.size() / perChunk);
        Status s;
        if (!snap.ooo.empty()) {
            // Out-of-order samples: merge everything in range and re-encode.
            for (const auto& c : snap.sealed) {
                if (s)
                    s = decodeInto(Encoding::kPacked, c.bytes(), pending);
            }
            if (s && !snap.open.empty())
                s = decodeInto(Encoding::kXor, snap.open, pending);
            merged.clear();
            head::mergeSamples(pending, snap.ooo, merged);
            if (s)
                s = flush(merged);
        } else {
            for (const auto& c : snap.sealed) {
                if (!s)
                    break;
                if (c.mint >= mint && c.maxt < maxt) {
                    s = flush(pending);
                    views.push_back(ChunkView{c.mint, c.maxt, Encoding::kPacked, c.bytes()});
                } else {
                    s = decodeInto(Encoding::kPacked, c.bytes(), pending);
                }
            }
            if (s && !snap.open.empty())
                s = decodeInto(Encoding::kXor, snap.open, pending);
            if (s)
                s = flush(pending);
        }
        if (!s)
            return s.withContext("cutting head chunks of " + labels.toString());
        if (views.empty())
            continue;
        if (Status vs = visitor(labels, views); !vs)
            return vs;
    }
    return Status::ok();
}

Status Head::truncate(Timestamp mint) {
    std::lock_guard truncateLock(m_truncateMutex);
    atomicMax(m_minValid, mint);
    std::uint64_t removed = 0;
    {
        // Wait for running commits; new ones wait while chunks are rewritten.
        std::unique_lock commitLock(m_commitMutex);
        m_series.forEach([&](MemSeries& s) {
            std::lock_guard guard(s.lock());
            removed += s.truncateBefore(mint, m_chunking);
        });
    }
    m_samples.fetch_sub(std::min(removed, m_samples.load()), std::memory_order_relaxed);
    std::vector<head::MemPostings::Removed> gone;
    m_series.removeIf(
        [](const MemSeries& s) { return s.empty() && s.pendingAppends == 0; },
        [&](const MemSeries& s) {
            auto ids = s.labelIds();
            gone.push_back({s.ref(), std::vector<std::uint32_t>(ids.begin(), ids.end())});
        });
    m_postings.remove(gone);
    if (m_seriesGauge != nullptr)
        m_seriesGauge->set(static_cast<double>(m_series.size()));
    atomicMax(m_mint, mint);
    if (m_series.size() == 0)
        m_mint.store(model::kMaxTimestamp);

    if (!m_wal)
        return Status::ok();
    auto next = m_wal->nextSegment();
    if (!next)
        return next.status().withContext("truncating the head");
    auto keep = [this](std::uint64_t ref) {
        if (m_series.contains(ref))
            return true;
        auto alias = m_refAliases.find(ref);
        return alias != m_refAliases.end() && m_series.contains(alias->second);
    };
    auto stats = wal::checkpoint(m_env, m_walDir, *next - 1, keep, mint, m_options.wal);
    if (!stats)
        return stats.status().withContext("truncating the head");
    return Status::ok();
}

std::uint64_t Head::deleteFromSeries(const std::vector<std::uint64_t>& refs, Timestamp mint,
                                     Timestamp maxt) {
    std::uint64_t removed = 0;
    for (std::uint64_t ref : refs) {
        m_series.forRef(ref, [&](MemSeries& s) {
            std::lock_guard guard(s.lock());
            removed += s.deleteRange(mint, maxt, m_chunking);
        });
    }
    return removed;
}

Result<std::uint64_t> Head::deleteRange(const std::vector<model::Matcher>& matchers, Timestamp mint,
                                        Timestamp maxt) {
    if (mint > maxt)
        return Status::error("head: delete range has mint " + std::to_string(mint) +
                             " after maxt " + std::to_string(maxt));
    std::unique_lock commitLock(m_commitMutex);
    std::vector<std::uint64_t> refs;
    for (std::uint64_t ref : m_postings.select(matchers, m_symbols)) {
        m_series.forRef(ref, [&](MemSeries& s) {
            std::lock_guard guard(s.lock());
            if (s.overlaps(mint, maxt))
                refs.push_back(ref);
        });
    }
    if (refs.empty())
        return std::uint64_t{0};
    if (m_wal) {
        std::vector<record::Tombstone> stones;
        stones.reserve(refs.size());
        for (std::uint64_t ref : refs)
            stones.push_back(record::Tombstone{ref, mint, maxt});
        std::string rec;
        record::encodeTombstones(stones, rec);
        Status s = m_wal->log(rec);
        if (s && m_options.syncOnCommit)
            s = m_wal->sync();
        if (!s)
            return s.withContext("deleting from the head");
    }
    const std::uint64_t removed = deleteFromSeries(refs, mint, maxt);
    m_samples.fetch_sub(std::min(removed, m_samples.load()), std::memory_order_relaxed);
    return removed;
}

Status Head::sync() {
    return m_wal ? m_wal->sync() : Status::ok();
}

Status Head::close() {
    return m_wal ? m_wal->close() : Status::ok();
}

HeadStats Head::stats() const {
    HeadStats st;
    std::uint64_t memory = 0;
    m_series.forEach([&](MemSeries& s) {
        std::lock_guard guard(s.lock());
        ++st.series;
        st.samples += s.numSamples();
        st.chunks += s.numChunks();
        memory += s.memoryBytes();
        if (!s.empty()) {
            st.mint = std::min(st.mint, s.minTime());
            st.maxt = std::max(st.maxt, s.maxTime());
        }
    });
    memory += m_symbols.memoryBytes() + m_postings.memoryBytes() + m_series.memoryBytes();
    st.memoryBytes = memory;
    st.samplesAppended = m_appended.load(std::memory_order_relaxed);
    st.rejectedOutOfOrder = m_rejected[static_cast<int>(AppendError::kOutOfOrder)].load();
    st.rejectedDuplicate = m_rejected[static_cast<int>(AppendError::kDuplicate)].load();
    st.rejectedOutOfBounds = m_rejected[static_cast<int>(AppendError::kOutOfBounds)].load();
    st.rejectedTooOld = m_rejected[static_cast<int>(AppendError::kTooOld)].load();
    return st;
}

}  // namespace vigil::tsdb
