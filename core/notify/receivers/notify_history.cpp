#include "core/notify/receivers/notify_history.h"

#include "core/state/database.h"

namespace vigil::notify::receivers {

namespace {

const std::vector<std::string>& schema() {
    // Append-only: never edit a released step.
    static const std::vector<std::string> kSteps = {
        "CREATE TABLE notify_history ("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  time_ms INTEGER NOT NULL,"
        "  receiver TEXT NOT NULL,"
        "  integration TEXT NOT NULL,"
        "  integration_index INTEGER NOT NULL,"
        "  group_key TEXT NOT NULL,"
        "  attempt INTEGER NOT NULL,"
        "  num_firing INTEGER NOT NULL,"
        "  num_resolved INTEGER NOT NULL,"
        "  outcome TEXT NOT NULL,"
        "  status INTEGER NOT NULL,"
        "  error TEXT NOT NULL,"
        "  duration_ms INTEGER NOT NULL);"
        "CREATE INDEX notify_history_receiver ON notify_history(receiver, id);",
    };
    return kSteps;
}

}  // namespace

NotifyHistory::NotifyHistory(std::size_t capacity, std::int64_t retainRows)
    : m_capacity(capacity == 0 ? 1 : capacity), m_retainRows(retainRows) {}

NotifyHistory::~NotifyHistory() = default;

Status NotifyHistory::attachDatabase(std::unique_ptr<state::Database> db) {
    if (Status st = db->migrate("notify_history", schema()); !st.isOk())
        return Status::error("notify_history: " + st.message());
    std::lock_guard lock(m_mutex);
    m_db = std::move(db);
    return Status::ok();
}

void NotifyHistory::record(const DeliveryAttempt& a) {
    Listener listener;
    {
        std::lock_guard lock(m_mutex);
        m_ring.push_back(a);
        while (m_ring.size() > m_capacity)
            m_ring.pop_front();
        ++m_recorded;
        if (m_db) {
            auto stmt = m_db->prepare(
                "INSERT INTO notify_history (time_ms, receiver, integration, integration_index,"
                " group_key, attempt, num_firing, num_resolved, outcome, status, error,"
                " duration_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
            Status st = stmt.status();
            if (st.isOk()) {
                stmt->bind(1, std::int64_t{a.timeMs})
                    .bind(2, std::string_view(a.receiver))
                    .bind(3, std::string_view(a.integration))
                    .bind(4, a.integrationIndex)
                    .bind(5, std::string_view(a.groupKey))
                    .bind(6, a.attempt)
                    .bind(7, a.numFiring)
                    .bind(8, a.numResolved)
                    .bind(9, std::string_view(a.outcome))
                    .bind(10, a.status)
                    .bind(11, std::string_view(a.error))
                    .bind(12, a.durationMs);
                st = stmt->run();
            }
            // Trim now and then rather than on every insert.
            if (st.isOk() && m_recorded % 1000 == 0) {
                st = m_db->exec(
                    "DELETE FROM notify_history WHERE id <= (SELECT MAX(id) FROM "
                    "notify_history) - " +
                    std::to_string(m_retainRows));
            }
            if (!st.isOk())
                ++m_dbErrors;
        }
        listener = m_listener;
    }
    if (listener)
        listener(a);
}

std::vector<DeliveryAttempt> NotifyHistory::recent(std::size_t limit) const {
    std::lock_guard lock(m_mutex);
    const std::size_t n = std::min(limit, m_ring.size());
    return {m_ring.end() - static_cast<std::ptrdiff_t>(n), m_ring.end()};
}

Result<std::vector<DeliveryAttempt>> NotifyHistory::query(std::size_t limit,
                                                          const std::string& receiver) const {
    std::lock_guard lock(m_mutex);
    if (!m_db)
        return Status::error("notify_history: no database attached");
    std::string sql =
        "SELECT time_ms, receiver, integration, integration_index, group_key, attempt,"
        " num_firing, num_resolved, outcome, status, error, duration_ms FROM notify_history";
    if (!receiver.empty())
        sql += " WHERE receiver = ?1";
    sql += " ORDER BY id DESC LIMIT " + std::to_string(limit);
    auto stmt = m_db->prepare(sql);
    if (!stmt.isOk())
        return stmt.status();
    if (!receiver.empty())
        stmt->bind(1, std::string_view(receiver));
    std::vector<DeliveryAttempt> out;
    while (stmt->step()) {
        DeliveryAttempt a;
        a.timeMs = stmt->columnInt(0);
        a.receiver = stmt->columnText(1);
        a.integration = stmt->columnText(2);
        a.integrationIndex = stmt->columnInt(3);
        a.groupKey = stmt->columnText(4);
        a.attempt = stmt->columnInt(5);
        a.numFiring = stmt->columnInt(6);
        a.numResolved = stmt->columnInt(7);
        a.outcome = stmt->columnText(8);
        a.status = stmt->columnInt(9);
        a.error = stmt->columnText(10);
        a.durationMs = stmt->columnInt(11);
        out.push_back(std::move(a));
    }
    if (!stmt->status().isOk())
        return stmt->status();
    return out;
}

std::uint64_t NotifyHistory::recorded() const {
    std::lock_guard lock(m_mutex);
    return m_recorded;
}

std::uint64_t NotifyHistory::databaseErrors() const {
    std::lock_guard lock(m_mutex);
    return m_dbErrors;
}

void NotifyHistory::setListener(Listener listener) {
    std::lock_guard lock(m_mutex);
    m_listener = std::move(listener);
}

}  // namespace vigil::notify::receivers
