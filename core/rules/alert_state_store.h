#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/rules/rule.h"
#include "core/state/database.h"
#include "core/util/status.h"

// The alerts of every alerting rule, kept in Vigil's state database
// (<data dir>/state.db, schema "rules") so that a restart restores them
// exactly: a firing alert keeps its firedAt (its startsAt for the
// dispatcher) and its resend schedule, a pending one its activeAt, and an
// alert that resolved while Vigil was down is still notified as resolved.
//
// Table rule_alerts, one row per alert:
//   group_key TEXT   "file;group name" (Prometheus's group key)
//   rule_index INT, rule_name TEXT   which rule of the group
//   labels TEXT      the alert's labels, length-prefixed "N:nameN:value..."
//   annotations TEXT same encoding
//   state INT        0 inactive (resolved), 1 pending, 2 firing
//   active_at, fired_at, resolved_at, last_sent_at, valid_until,
//   keep_firing_since INT   milliseconds; NULL for "never"
//   value REAL, saved_at INT (when the row was written)
//
// Thread-safe (one mutex around the connection).
namespace vigil::rules {

struct StoredAlert {
    int ruleIndex = 0;
    std::string ruleName;
    ActiveAlert alert;
    model::Timestamp savedAt = 0;
};

class AlertStateStore {
public:
    // Opens (creating) the database at `path` (":memory:" for tests).
    static Result<std::unique_ptr<AlertStateStore>> open(const std::string& path);

    // Replaces the stored alerts of group `groupKey`.
    Status saveGroup(const std::string& groupKey, const std::vector<StoredAlert>& alerts);
    Result<std::vector<StoredAlert>> loadGroup(const std::string& groupKey);
    // Deletes the rows of groups not in `keep` (groups removed from the files).
    Status retainGroups(const std::set<std::string>& keep);

    // The label encoding used in the table (exposed for tests).
    static std::string encodeLabels(const model::Labels& labels);
    static model::Labels decodeLabels(std::string_view text);

private:
    explicit AlertStateStore(std::unique_ptr<state::Database> db) : m_db(std::move(db)) {}
    std::mutex m_mutex;
    std::unique_ptr<state::Database> m_db;  // GUARDED_BY(m_mutex)
};

}  // namespace vigil::rules
