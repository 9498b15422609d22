#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/model/sample.h"
#include "core/util/status.h"

namespace vigil::state {
class Database;
}

namespace vigil::notify::receivers {

// One delivery attempt of one notification to one integration, for the
// notification history view.
struct DeliveryAttempt {
    model::Timestamp timeMs = 0;  // when the attempt started (wall clock)
    std::string receiver;
    std::string integration;  // "webhook", "slack", "email", "pagerduty", "discord", "desktop"
    std::int64_t integrationIndex = 0;
    std::string groupKey;
    std::int64_t attempt = 1;
    std::int64_t numFiring = 0;
    std::int64_t numResolved = 0;
    std::string outcome;      // "delivered", "retry", "failed"
    std::int64_t status = 0;  // HTTP status or SMTP reply code; 0 when none
    std::string error;        // empty when delivered
    std::int64_t durationMs = 0;
};

// The record of every attempt: an in-memory ring of the latest `capacity`
// attempts (what the UI shows live) and, when a database is attached, the
// SQLite table `notify_history` (schema "notify_history") holding the last
// `retainRows` attempts across restarts.
//
// Thread-safe: record() is called from the notification threads, the
// readers from the UI's engine requests.
class NotifyHistory {
public:
    explicit NotifyHistory(std::size_t capacity = 1000, std::int64_t retainRows = 100000);
    ~NotifyHistory();

    // Creates/migrates the table. The history owns the connection and is its
    // only user (open a separate connection to state.db for it).
    Status attachDatabase(std::unique_ptr<state::Database> db);

    // Appends to the ring and the table; a database error is counted, never
    // thrown back at the notification path.
    void record(const DeliveryAttempt& attempt);

    // The ring, oldest first, at most `limit` newest entries.
    std::vector<DeliveryAttempt> recent(std::size_t limit = SIZE_MAX) const;
    // From the table, newest first, optionally only one receiver.
    Result<std::vector<DeliveryAttempt>> query(std::size_t limit,
                                               const std::string& receiver = {}) const;

    std::uint64_t recorded() const;
    std::uint64_t databaseErrors() const;

    // Called after each record() (on the recording thread); must not block.
    using Listener = std::function<void(const DeliveryAttempt&)>;
    void setListener(Listener listener);

private:
    const std::size_t m_capacity;
    const std::int64_t m_retainRows;
    mutable std::mutex m_mutex;
    std::deque<DeliveryAttempt> m_ring;     // GUARDED_BY(m_mutex)
    std::unique_ptr<state::Database> m_db;  // GUARDED_BY(m_mutex)
    std::uint64_t m_recorded = 0;           // GUARDED_BY(m_mutex)
    std::uint64_t m_dbErrors = 0;           // GUARDED_BY(m_mutex)
    Listener m_listener;                    // GUARDED_BY(m_mutex)
};

}  // namespace vigil::notify::receivers
