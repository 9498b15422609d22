#include "core/notify/acks.h"

#include <algorithm>

#include "core/state/database.h"

namespace vigil::notify {

namespace {

const std::vector<std::string> kSchema = {
    "CREATE TABLE acks ("
    " id INTEGER PRIMARY KEY, scope INTEGER NOT NULL, target TEXT NOT NULL,"
    " created_by TEXT NOT NULL, comment TEXT NOT NULL, created_at_ms INTEGER NOT NULL,"
    " expires_at_ms INTEGER NOT NULL, ended_at_ms INTEGER NOT NULL, ended_by TEXT NOT NULL);"
    "CREATE INDEX acks_target ON acks (scope, target);",
};

}  // namespace

Result<std::unique_ptr<AckStore>> AckStore::open(state::Database* db) {
    std::unique_ptr<AckStore> store(new AckStore(db));
    if (db) {
        if (Status s = db->migrate("acks", kSchema); !s)
            return s.withContext("acks");
        if (Status s = store->load(); !s)
            return s.withContext("loading acknowledgements");
    }
    return store;
}

Status AckStore::load() {
    auto rows = m_db->prepare(
        "SELECT id, scope, target, created_by, comment, created_at_ms, expires_at_ms,"
        " ended_at_ms, ended_by FROM acks ORDER BY id");
    if (!rows.isOk())
        return rows.status();
    while (rows->step()) {
        Ack a;
        a.id = rows->columnInt(0);
        a.scope = rows->columnInt(1) == 1 ? Ack::Scope::kAlert : Ack::Scope::kGroup;
        a.target = rows->columnText(2);
        a.createdBy = rows->columnText(3);
        a.comment = rows->columnText(4);
        a.createdAtMs = rows->columnInt(5);
        a.expiresAtMs = rows->columnInt(6);
        a.endedAtMs = rows->columnInt(7);
        a.endedBy = rows->columnText(8);
        m_nextId = std::max(m_nextId, a.id + 1);
        if (a.endedAtMs == 0)
            m_open[{a.scope, a.target}] = m_acks.size();
        m_acks.push_back(std::move(a));
    }
    return rows->status();
}

Status AckStore::insert(Ack& ack) {
    ack.id = m_nextId++;
    if (!m_db)
        return Status::ok();
    auto st = m_db->prepare(
        "INSERT INTO acks (id, scope, target, created_by, comment, created_at_ms,"
        " expires_at_ms, ended_at_ms, ended_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st.isOk())
        return st.status();
    st->bind(1, std::int64_t{ack.id})
        .bind(2, std::int64_t{ack.scope == Ack::Scope::kAlert ? 1 : 0})
        .bind(3, std::string_view(ack.target))
        .bind(4, std::string_view(ack.createdBy))
        .bind(5, std::string_view(ack.comment))
        .bind(6, std::int64_t{ack.createdAtMs})
        .bind(7, std::int64_t{ack.expiresAtMs})
        .bind(8, std::int64_t{ack.endedAtMs})
        .bind(9, std::string_view(ack.endedBy));
    return st->run();
}

Status AckStore::end(Ack& ack, const std::string& by, model::Timestamp nowMs) {
    // An expired ack ended when it expired, whoever notices it.
    const bool expired = ack.expiresAtMs != 0 && ack.expiresAtMs <= nowMs;
    const model::Timestamp endedAt = expired ? ack.expiresAtMs : nowMs;
    const std::string endedBy = expired ? "expired" : by;
    if (m_db) {
        auto st = m_db->prepare("UPDATE acks SET ended_at_ms = ?, ended_by = ? WHERE id = ?");
        if (!st.isOk())
            return st.status();
        st->bind(1, std::int64_t{endedAt})
            .bind(2, std::string_view(endedBy))
            .bind(3, std::int64_t{ack.id});
        if (Status s = st->run(); !s)
            return s;
    }
    ack.endedAtMs = endedAt;
    ack.endedBy = endedBy;
    m_open.erase({ack.scope, ack.target});
    return Status::ok();
}

Result<std::int64_t> AckStore::ack(Ack::Scope scope, const std::string& target,
                                   const std::string& by, const std::string& comment,
                                   model::Timestamp expiresAtMs, model::Timestamp nowMs) {
    if (target.empty())
        return Status::error("ack: no group key or fingerprint given");
    if (expiresAtMs != 0 && expiresAtMs <= nowMs)
        return Status::error("ack: the expiry is in the past");
    std::lock_guard lock(m_mutex);
    if (auto it = m_open.find({scope, target}); it != m_open.end()) {
        if (Status s = end(m_acks[it->second], by, nowMs); !s)
            return s;
    }
    Ack a;
    a.scope = scope;
    a.target = target;
    a.createdBy = by;
    a.comment = comment;
    a.createdAtMs = nowMs;
    a.expiresAtMs = expiresAtMs;
    if (Status s = insert(a); !s)
        return s;
    m_open[{scope, target}] = m_acks.size();
    m_acks.push_back(a);
    return a.id;
}

Status AckStore::unack(Ack::Scope scope, const std::string& target, const std::string& by,
                       model::Timestamp nowMs) {
    std::lock_guard lock(m_mutex);
    auto it = m_open.find({scope, target});
    if (it == m_open.end() || !m_acks[it->second].activeAt(nowMs))
        return Status::error(Status::Code::kNotFound, "unack: " + target + " is not acknowledged");
    return end(m_acks[it->second], by, nowMs);
}

Status AckStore::resolved(Ack::Scope scope, const std::string& target, model::Timestamp nowMs) {
    std::lock_guard lock(m_mutex);
    auto it = m_open.find({scope, target});
    if (it == m_open.end())
        return Status::ok();
    Ack& a = m_acks[it->second];
    if (a.expiresAtMs != 0 && a.expiresAtMs > nowMs)
        return Status::ok();  // a timed ack runs to its expiry
    return end(a, "resolved", nowMs);
}

std::optional<Ack> AckStore::active(Ack::Scope scope, const std::string& target,
                                    model::Timestamp nowMs) const {
    std::lock_guard lock(m_mutex);
    auto it = m_open.find({scope, target});
    if (it == m_open.end() || !m_acks[it->second].activeAt(nowMs))
        return std::nullopt;
    return m_acks[it->second];
}

bool AckStore::hasActive(Ack::Scope scope, const std::string& target,
                         model::Timestamp nowMs) const {
    std::lock_guard lock(m_mutex);
    if (m_open.empty())
        return false;
    auto it = m_open.find({scope, target});
    return it != m_open.end() && m_acks[it->second].activeAt(nowMs);
}

std::vector<Ack> AckStore::history() const {
    std::lock_guard lock(m_mutex);
    return {m_acks.rbegin(), m_acks.rend()};
}

}  // namespace vigil::notify
