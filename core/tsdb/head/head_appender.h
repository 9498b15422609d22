#pragma once

// The head's Appender (Prometheus tsdb/head_append.go): samples are checked
// against their series as they are appended, kept in a batch, and on
// commit() written to the WAL (Series records for new series, one Samples
// record) and then applied to the series under their own locks.

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/storage.h"
#include "core/tsdb/head/head.h"

namespace vigil::tsdb {

// Thread-safety: one HeadAppender is used by one thread; any number may run
// at once. REQUIRES: the Head outlives the appender.
class HeadAppender final : public model::Appender {
public:
    explicit HeadAppender(Head& head);
    ~HeadAppender() override;  // rolls back an uncommitted batch

    // Refuses (and counts) a sample older than the head's lower bound, out
    // of order, or a duplicate of a stored or batched sample; a sample with
    // the timestamp and value bits of the series' last one is accepted and
    // ignored, as Prometheus does. An empty label set is refused as out of
    // bounds (it cannot name a series).
    model::AppendError append(const model::Labels& labels, model::Timestamp t, double v) override;
    // Writes the batch to the WAL (and fsyncs it when the head syncs on
    // commit), then makes it visible. Returns only after the WAL write reached
    // the operating system. A sample that a concurrent appender made invalid
    // in the meantime is dropped and counted. On a WAL error nothing of the
    // batch is applied and the error is returned.
    Status commit() override;
    void rollback() override;

private:
    struct Pending {
        head::MemSeries* series;
        model::Timestamp t;
        double v;
    };
    void release();  // unpins the batch's series and clears it

    Head& m_head;
    std::uint64_t m_batch;
    std::vector<Pending> m_pending;
    std::vector<head::MemSeries*> m_newSeries;  // scratch: series to log
    std::string m_seriesRecord, m_samplesRecord;
};

}  // namespace vigil::tsdb
