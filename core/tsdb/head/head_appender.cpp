#include "core/tsdb/head/head_appender.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>

#include "core/tsdb/record/record.h"

namespace vigil::tsdb {

using head::Admission;
using head::MemSeries;
using model::AppendError;

namespace {

// Scratch for the WAL records, one per thread: an appender per scrape does
// not allocate record buffers each time.
struct RecordScratch {
    std::vector<record::RefSeries> series;
    std::vector<record::RefSample> samples;
};
RecordScratch& recordScratch() {
    thread_local RecordScratch scratch;
    return scratch;
}

}  // namespace

HeadAppender::HeadAppender(Head& head) : m_head(head), m_batch(head.nextBatchId()) {}

HeadAppender::~HeadAppender() {
    if (!m_pending.empty())
        rollback();
}

AppendError HeadAppender::append(const model::Labels& labels, model::Timestamp t, double v) {
    const head::AppendLimits limits = m_head.limits();
    if (labels.empty() || t < limits.minValidTime) {
        m_head.countRejected(AppendError::kOutOfBounds);
        return AppendError::kOutOfBounds;
    }
    auto got = m_head.m_series.getOrCreate(labels, head::seriesHash(labels), 0, /*pin=*/true);
    MemSeries* s = got.series;
    if (got.created)
        m_head.seriesCreated(*s);
    head::Verdict verdict;
    {
        std::lock_guard guard(s->lock());
        verdict = s->check(t, v, limits, m_batch);
        if (verdict.admission == Admission::kInOrder ||
            verdict.admission == Admission::kOutOfOrder) {
            s->notePending(m_batch, t, v, verdict.admission);
        } else {
            --s->pendingAppends;
        }
    }
    if (verdict.admission == Admission::kRejected) {
        m_head.countRejected(verdict.error);
        return verdict.error;
    }
    if (verdict.admission == Admission::kDuplicateSame)
        return AppendError::kNone;
    m_pending.push_back(Pending{s, t, v});
    return AppendError::kNone;
}

Status HeadAppender::commit() {
    if (m_pending.empty()) {
        m_batch = m_head.nextBatchId();
        return Status::ok();
    }
    std::shared_lock commitLock(m_head.m_commitMutex);
    if (m_head.m_wal) {
        // Series records first, for every series of the batch not yet in the
        // WAL (normally only those this appender created).
        m_newSeries.clear();
        for (const auto& p : m_pending) {
            if (!p.series->walLogged.load(std::memory_order_acquire))
                m_newSeries.push_back(p.series);
        }
        std::sort(m_newSeries.begin(), m_newSeries.end());
        m_newSeries.erase(std::unique(m_newSeries.begin(), m_newSeries.end()), m_newSeries.end());
        auto& scratch = recordScratch();
        std::string_view records[2];
        std::size_t n = 0;
        if (!m_newSeries.empty()) {
            scratch.series.clear();
            for (MemSeries* s : m_newSeries)
                scratch.series.push_back(record::RefSeries{s->ref(), s->labels(m_head.m_symbols)});
            record::encodeSeries(scratch.series, m_seriesRecord);
            records[n++] = m_seriesRecord;
        }
        scratch.samples.clear();
        for (const auto& p : m_pending)
            scratch.samples.push_back(record::RefSample{p.series->ref(), p.t, p.v});
        record::encodeSamples(scratch.samples, m_samplesRecord);
        records[n++] = m_samplesRecord;
        Status s = m_head.m_wal->log(std::span<const std::string_view>(records, n));
        if (s && m_head.m_options.syncOnCommit)
            s = m_head.m_wal->sync();
        if (!s) {
            commitLock.unlock();
            rollback();
            return s.withContext("committing to the head");
        }
        for (MemSeries* series : m_newSeries)
            series->walLogged.store(true, std::memory_order_release);
    }

    // Apply. Checked again: another appender may have committed newer
    // samples of the same series since append().
    const head::AppendLimits limits = m_head.limits();
    std::uint64_t stored = 0;
    std::uint64_t rejected[5] = {};
    model::Timestamp mint = model::kMaxTimestamp, maxt = model::kMinTimestamp;
    for (const auto& p : m_pending) {
        head::Verdict verdict;
        {
            std::lock_guard guard(p.series->lock());
            --p.series->pendingAppends;
            verdict = p.series->check(p.t, p.v, limits, 0);
            p.series->store(verdict.admission, p.t, p.v, m_head.m_chunking);
        }
        if (verdict.admission == Admission::kRejected) {
            ++rejected[static_cast<int>(verdict.error)];
        } else if (verdict.admission != Admission::kDuplicateSame) {
            ++stored;
            mint = std::min(mint, p.t);
            maxt = std::max(maxt, p.t);
        }
    }
    commitLock.unlock();
    m_head.noteTimes(mint, maxt);
    m_head.m_samples.fetch_add(stored, std::memory_order_relaxed);
    m_head.m_appended.fetch_add(stored, std::memory_order_relaxed);
    if (m_head.m_appendedCounter != nullptr)
        m_head.m_appendedCounter->inc(static_cast<double>(stored));
    for (int i = 1; i < 5; ++i) {
        if (rejected[i] != 0)
            m_head.countRejected(static_cast<AppendError>(i), rejected[i]);
    }
    m_pending.clear();
    m_batch = m_head.nextBatchId();
    return Status::ok();
}

void HeadAppender::rollback() {
    release();
}

void HeadAppender::release() {
    for (const auto& p : m_pending) {
        std::lock_guard guard(p.series->lock());
        --p.series->pendingAppends;
    }
    m_pending.clear();
    m_batch = m_head.nextBatchId();
}

}  // namespace vigil::tsdb
