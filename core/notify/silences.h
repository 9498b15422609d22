#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/model/labels.h"
#include "core/model/matcher.h"
#include "core/model/sample.h"
#include "core/util/status.h"

namespace vigil::state {
class Database;
}

namespace vigil::notify {

// A silence as Alertmanager 0.25 keeps it (silence/silence.go): ANDed
// matchers (missing label == empty), an inclusive [startsAt, endsAt] window,
// who created it and why.
struct Silence {
    enum class State { kPending, kActive, kExpired };

    std::string id;  // server-assigned UUID; empty in a create request
    std::vector<model::Matcher> matchers;
    model::Timestamp startsAtMs = 0;
    model::Timestamp endsAtMs = 0;
    model::Timestamp updatedAtMs = 0;
    std::string createdBy;
    std::string comment;

    // pending before startsAt, expired after endsAt, active in between
    // (both bounds inclusive).
    State state(model::Timestamp nowMs) const;
    bool matches(const model::Labels& labels) const { return model::matchesAll(matchers, labels); }
};

const char* silenceStateName(Silence::State state);

// The silences, persisted write-through in the state database (schema
// "silences"). Thread-safe: every method takes the internal mutex.
class Silences {
public:
    // `db` may be null (memory only, for tests); it must outlive this object.
    static Result<std::unique_ptr<Silences>> open(state::Database* db);

    // Creates or updates a silence with Alertmanager's rules. A silence with
    // an unknown or empty id is created (startsAt in the past is clamped to
    // now). An existing one is updated in place only if its matchers are
    // unchanged and, when active, startsAt is unchanged and the new endsAt
    // is not in the past, or, when pending, the new startsAt is not in the
    // past; otherwise the old one is expired and a new one (new id) created.
    // Returns the id of the silence that now holds the definition.
    Result<std::string> set(Silence silence, model::Timestamp nowMs);

    // Active -> endsAt = now; pending -> startsAt = endsAt = now; expired:
    // nothing to do. Unknown id: an error.
    Status expire(const std::string& id, model::Timestamp nowMs);

    // Ids of the active silences that match `labels`, sorted.
    std::vector<std::string> mutedBy(const model::Labels& labels, model::Timestamp nowMs) const;

    std::optional<Silence> get(const std::string& id) const;
    std::vector<Silence> list() const;

    // Drops silences that expired more than `retentionMs` ago (Alertmanager:
    // --data.retention, 120h).
    Status gc(model::Timestamp nowMs, std::int64_t retentionMs);

    // Checks what Alertmanager checks before storing: at least one matcher,
    // not all matchers match the empty string, both times set, endsAt not
    // before startsAt.
    static Status validate(const Silence& silence);

private:
    explicit Silences(state::Database* db) : m_db(db) {}
    Status load();
    Status persist(const Silence& silence);
    Result<std::string> create(Silence silence, model::Timestamp nowMs);  // REQUIRES: m_mutex held

    state::Database* m_db;
    mutable std::mutex m_mutex;
    std::map<std::string, Silence> m_silences;  // GUARDED_BY(m_mutex)
};

}  // namespace vigil::notify
