#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace vigil::state {

// Vigil's durable small state (alert `for` state, the notification log,
// silences, acknowledgements) lives in one SQLite file per data directory,
// `<data dir>/state.db`, in WAL mode. Each owner creates its own tables
// through migrate() with a schema name of its own ("rules", "nflog", ...).
//
// A Database is used from one thread at a time; owners that work on several
// threads serialise through their own mutex or open their own connection
// (SQLite allows many connections to one file in WAL mode).

class Statement;

class Database {
public:
    // Opens (creating if needed) the database at `path`; ":memory:" for tests.
    static Result<std::unique_ptr<Database>> open(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    const std::string& path() const { return m_path; }

    // Runs one or more statements without results.
    Status exec(std::string_view sql);
    // Compiles one statement.
    Result<Statement> prepare(std::string_view sql);

    // Brings schema `name` up to `steps.size()`: runs steps[i] for every i at
    // or past the recorded version, in one transaction, and records the new
    // version. Steps are append-only; never edit a released one.
    Status migrate(const std::string& name, const std::vector<std::string>& steps);
    Result<int> schemaVersion(const std::string& name);

    // Runs `body` in a transaction (BEGIN IMMEDIATE); commits when it returns
    // ok, rolls back otherwise.
    Status transaction(const std::function<Status()>& body);

    std::int64_t lastInsertRowId() const;
    int changes() const;
    sqlite3* handle() const { return m_db; }

private:
    Database(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}
    Status errorStatus(std::string_view what) const;

    sqlite3* m_db = nullptr;
    std::string m_path;
};

// A compiled statement. Bind parameters are 1-based as in SQLite; columns are
// 0-based. step() returns true while there is a row.
class Statement {
public:
    Statement() = default;
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    ~Statement();

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bindBlob(int index, std::string_view bytes);
    Statement& bindNull(int index);

    // Advances; true when a row is available. Errors end up in status().
    bool step();
    // Runs to completion (for INSERT/UPDATE/DELETE); the error if any.
    Status run();
    // Resets for re-execution and clears the bindings.
    void reset();

    std::int64_t columnInt(int column) const;
    double columnDouble(int column) const;
    std::string columnText(int column) const;
    bool columnIsNull(int column) const;

    Status status() const { return m_status; }

private:
    friend class Database;
    Statement(sqlite3_stmt* stmt, sqlite3* db) : m_stmt(stmt), m_db(db) {}

    sqlite3_stmt* m_stmt = nullptr;
    sqlite3* m_db = nullptr;
    Status m_status;
};

}  // namespace vigil::state
