#include "core/tsdb/wal/checkpoint.h"

#include <vector>

#include "core/tsdb/record/record.h"
#include "core/tsdb/wal/wal_reader.h"

namespace vigil::tsdb::wal {
namespace {

using record::RecordType;

// Collects re-encoded records and logs them in batches of about 1 MiB.
class BatchWriter {
public:
    explicit BatchWriter(Wal& wal) : m_wal(wal) {}

    Status add(std::string record) {
        m_bytes += record.size();
        m_records.push_back(std::move(record));
        if (m_bytes >= 1024 * 1024)
            return flush();
        return Status::ok();
    }

    Status flush() {
        if (m_records.empty())
            return Status::ok();
        std::vector<std::string_view> views(m_records.begin(), m_records.end());
        Status s = m_wal.log(views);
        m_records.clear();
        m_bytes = 0;
        return s;
    }

private:
    Wal& m_wal;
    std::vector<std::string> m_records;
    std::size_t m_bytes = 0;
};

Status filterInto(std::string_view rec, const std::function<bool(std::uint64_t)>& keep,
                  model::Timestamp mint, CheckpointStats& stats, BatchWriter& out) {
    std::string encoded;
    switch (record::recordType(rec)) {
        case RecordType::kSeries: {
            std::vector<record::RefSeries> series, kept;
            if (Status s = record::decodeSeries(rec, series); !s)
                return s;
            for (auto& s : series) {
                if (keep(s.ref))
                    kept.push_back(std::move(s));
            }
            stats.keptSeries += kept.size();
            stats.droppedSeries += series.size() - kept.size();
            if (kept.empty())
                return Status::ok();
            record::encodeSeries(kept, encoded);
            break;
        }
        case RecordType::kSamples: {
            std::vector<record::RefSample> samples, kept;
            if (Status s = record::decodeSamples(rec, samples); !s)
                return s;
            for (const auto& s : samples) {
                if (s.t >= mint && keep(s.ref))
                    kept.push_back(s);
            }
            stats.keptSamples += kept.size();
            stats.droppedSamples += samples.size() - kept.size();
            if (kept.empty())
                return Status::ok();
            record::encodeSamples(kept, encoded);
            break;
        }
        case RecordType::kTombstones: {
            std::vector<record::Tombstone> stones, kept;
            if (Status s = record::decodeTombstones(rec, stones); !s)
                return s;
            for (const auto& t : stones) {
                if (t.maxt >= mint && keep(t.ref))
                    kept.push_back(t);
            }
            stats.keptTombstones += kept.size();
            stats.droppedTombstones += stones.size() - kept.size();
            if (kept.empty())
                return Status::ok();
            record::encodeTombstones(kept, encoded);
            break;
        }
        case RecordType::kUnknown:
            return Status::corruption("unknown record type byte " +
                                      (rec.empty()
                                           ? std::string("(empty record)")
                                           : std::to_string(static_cast<std::uint8_t>(rec[0]))));
    }
    return out.add(std::move(encoded));
}

}  // namespace

Result<CheckpointStats> checkpoint(Env* env, const std::string& walDir, int last,
                                   const std::function<bool(std::uint64_t ref)>& keep,
                                   model::Timestamp mint, WalOptions options) {
    const std::string context =
        "checkpointing WAL " + walDir + " up to segment " + segmentName(last);
    auto previous = lastCheckpoint(env, walDir);
    if (!previous)
        return previous.status().withContext(context);
    std::vector<SegmentRef> sources;
    int after = -1;
    if (*previous) {
        const CheckpointRef& cp = **previous;
        if (cp.index >= last)
            return Status::error(context + ": " + checkpointName(cp.index) + " already covers it");
        auto segments = listSegments(env, cp.dir);
        if (!segments)
            return segments.status().withContext(context);
        for (int index : *segments)
            sources.push_back(SegmentRef{cp.dir, index});
        after = cp.index;
    }
    auto segments = listSegments(env, walDir);
    if (!segments)
        return segments.status().withContext(context);
    for (int index : *segments) {
        if (index > after && index <= last)
            sources.push_back(SegmentRef{walDir, index});
    }

    const std::string finalDir = joinPath(walDir, checkpointName(last));
    const std::string tmpDir = finalDir + ".tmp";
    if (Status s = removeAll(env, tmpDir); !s)
        return s.withContext(context);

    CheckpointStats stats;
    stats.index = last;
    {
        auto wal = Wal::open(env, tmpDir, options);
        if (!wal) {
            (void)removeAll(env, tmpDir);
            return wal.status().withContext(context);
        }
        BatchWriter out(**wal);
        WalReader reader(env, sources);
        Status s;
        while (s && reader.next()) {
            s = filterInto(reader.record(), keep, mint, stats, out);
            if (!s)
                s = s.withContext("WAL " + reader.segment().dir + " segment " +
                                  segmentName(reader.segment().index) + " offset " +
                                  std::to_string(reader.recordOffset()));
        }
        if (s)
            s = reader.status();
        if (s)
            s = out.flush();
        if (s)
            s = (*wal)->close();
        if (!s) {
            wal->reset();
            (void)removeAll(env, tmpDir);
            return s.withContext(context);
        }
    }
    if (Status s = env->renameFile(tmpDir, finalDir); !s) {
        (void)removeAll(env, tmpDir);
        return s.withContext(context);
    }
    if (Status s = env->syncDir(walDir); !s)
        return s.withContext(context);

    // The checkpoint is complete; what it replaces can go, including leftovers
    // of earlier runs whose deletion failed.
    for (int index : *segments) {
        if (index > last)
            continue;
        if (Status s = env->removeFile(segmentPath(walDir, index)); !s)
            return s.withContext(context + ": deleting checkpointed segments");
    }
    auto names = env->getChildren(walDir);
    if (!names)
        return names.status().withContext(context);
    for (const auto& name : *names) {
        auto index = parseCheckpointName(name);
        if (index && *index < last) {
            if (Status s = removeAll(env, joinPath(walDir, name)); !s)
                return s.withContext(context + ": deleting an older checkpoint");
        }
    }
    return stats;
}

}  // namespace vigil::tsdb::wal
