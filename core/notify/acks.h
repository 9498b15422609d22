#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/model/sample.h"
#include "core/util/status.h"

namespace vigil::state {
class Database;
}

namespace vigil::notify {

// Vigil's acknowledgement (Alertmanager has none). An ack covers an
// aggregation group (by group key) or a single alert (by fingerprint). While
// an ack is in effect the dispatcher stops repeat notifications; resolves are
// always sent. An ack ends when it is removed (unack), when its expiry
// passes, or - for the default "until resolved" (expiresAtMs == 0) - when the
// alert, or every alert of the group, has resolved.
struct Ack {
    enum class Scope { kGroup, kAlert };

    std::int64_t id = 0;
    Scope scope = Scope::kGroup;
    std::string target;  // group key, or the alert fingerprint as 16 hex digits
    std::string createdBy;
    std::string comment;
    model::Timestamp createdAtMs = 0;
    model::Timestamp expiresAtMs = 0;  // 0: until resolved
    model::Timestamp endedAtMs = 0;    // 0: not ended
    std::string endedBy;               // user, "expired" or "resolved"

    bool activeAt(model::Timestamp nowMs) const {
        return endedAtMs == 0 && (expiresAtMs == 0 || nowMs < expiresAtMs);
    }
};

// Acks and their history (schema "acks"), written through to the database.
// Thread-safe.
class AckStore {
public:
    // `db` may be null (memory only); it must outlive this object.
    static Result<std::unique_ptr<AckStore>> open(state::Database* db);

    // Records a new ack; an ack already in effect on the same target is ended
    // first (replaced). Returns the new ack's id.
    Result<std::int64_t> ack(Ack::Scope scope, const std::string& target, const std::string& by,
                             const std::string& comment, model::Timestamp expiresAtMs,
                             model::Timestamp nowMs);
    // Ends the ack in effect on `target`; an error if there is none.
    Status unack(Ack::Scope scope, const std::string& target, const std::string& by,
                 model::Timestamp nowMs);
    // Ends an "until resolved" ack because its target resolved; no-op when
    // there is none.
    Status resolved(Ack::Scope scope, const std::string& target, model::Timestamp nowMs);

    // The ack in effect on `target` at `nowMs`.
    std::optional<Ack> active(Ack::Scope scope, const std::string& target,
                              model::Timestamp nowMs) const;
    bool hasActive(Ack::Scope scope, const std::string& target, model::Timestamp nowMs) const;
    // Every ack ever recorded, newest first.
    std::vector<Ack> history() const;

private:
    explicit AckStore(state::Database* db) : m_db(db) {}
    Status load();
    Status insert(Ack& ack);
    Status end(Ack& ack, const std::string& by, model::Timestamp nowMs);

    state::Database* m_db;
    mutable std::mutex m_mutex;
    std::vector<Ack> m_acks;  // GUARDED_BY(m_mutex); in id order
    std::map<std::pair<Ack::Scope, std::string>, std::size_t> m_open;  // target -> m_acks index
    std::int64_t m_nextId = 1;
};

}  // namespace vigil::notify
