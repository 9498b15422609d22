#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/model/sample.h"
#include "core/util/status.h"

namespace vigil::state {
class Database;
}

namespace vigil::notify {

// What was last notified for one aggregation group to one integration of a
// receiver (Alertmanager's nflogpb.Entry): the fingerprints of the firing and
// resolved alerts of that notification and when it completed.
struct NflogEntry {
    std::vector<std::uint64_t> firing;    // sorted
    std::vector<std::uint64_t> resolved;  // sorted
    model::Timestamp timestampMs = 0;
    model::Timestamp expiresAtMs = 0;

    // True when every fingerprint in `firingNow` was in the last notification.
    bool isFiringSubset(const std::vector<std::uint64_t>& firingNow) const;
    bool isResolvedSubset(const std::vector<std::uint64_t>& resolvedNow) const;
};

struct NflogKey {
    std::string groupKey;
    std::string receiver;
    std::size_t integration = 0;
    auto operator<=>(const NflogKey&) const = default;
};

// The notification log (schema "nflog"). Entries are kept in memory and
// written to the database by flush() in one transaction, so that a burst of
// notifications costs one commit; the dispatcher calls flush() after every
// round, so a restart re-sends at most the notifications of the round that
// was in flight (at least once, like Alertmanager, which snapshots every 15
// minutes). Thread-safe.
class NotificationLog {
public:
    // `db` may be null (memory only); it must outlive this object.
    static Result<std::unique_ptr<NotificationLog>> open(state::Database* db);

    std::optional<NflogEntry> query(const NflogKey& key) const;
    void log(const NflogKey& key, NflogEntry entry);
    Status flush();
    // Drops entries past their expiry (Alertmanager: --data.retention).
    void gc(model::Timestamp nowMs);
    std::size_t size() const;

private:
    explicit NotificationLog(state::Database* db) : m_db(db) {}
    Status load();

    state::Database* m_db;
    mutable std::mutex m_mutex;
    std::map<NflogKey, NflogEntry> m_entries;  // GUARDED_BY(m_mutex)
    std::vector<NflogKey> m_dirty;             // GUARDED_BY(m_mutex)
    std::vector<NflogKey> m_deleted;           // GUARDED_BY(m_mutex)
};

}  // namespace vigil::notify
