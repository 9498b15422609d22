#include "core/state/database.h"

#include <sqlite3.h>

#include <utility>

namespace vigil::state {

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        return Status::ioError(path + ": cannot open state database: " + message);
    }
    std::unique_ptr<Database> database(new Database(db, path));
    sqlite3_busy_timeout(db, 5000);
    if (path != ":memory:") {
        if (Status s = database->exec("PRAGMA journal_mode=WAL"); !s)
            return s;
    }
    if (Status s = database->exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON"); !s)
        return s;
    if (Status s = database->exec(
            "CREATE TABLE IF NOT EXISTS schema_versions (name TEXT PRIMARY KEY, version INTEGER "
            "NOT NULL)");
        !s)
        return s;
    return database;
}

Database::~Database() {
    sqlite3_close_v2(m_db);
}

Status Database::errorStatus(std::string_view what) const {
    return Status::ioError(m_path + ": " + std::string(what) + ": " + sqlite3_errmsg(m_db));
}

Status Database::exec(std::string_view sql) {
    char* message = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string error = message ? message : "unknown error";
        sqlite3_free(message);
        return Status::ioError(m_path + ": " + error + " (in: " + text.substr(0, 80) + ")");
    }
    return Status::ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK)
        return errorStatus("preparing \"" + std::string(sql.substr(0, 80)) + "\"");
    return Statement(stmt, m_db);
}

Result<int> Database::schemaVersion(const std::string& name) {
    auto stmt = prepare("SELECT version FROM schema_versions WHERE name = ?");
    if (!stmt.isOk())
        return stmt.status();
    stmt->bind(1, name);
    if (stmt->step())
        return static_cast<int>(stmt->columnInt(0));
    if (!stmt->status())
        return stmt->status();
    return 0;
}

Status Database::migrate(const std::string& name, const std::vector<std::string>& steps) {
    auto current = schemaVersion(name);
    if (!current.isOk())
        return current.status();
    const int from = *current;
    if (from > static_cast<int>(steps.size()))
        return Status::error(m_path + ": schema '" + name + "' is at version " +
                             std::to_string(from) + ", newer than this Vigil knows (" +
                             std::to_string(steps.size()) + ")");
    if (from == static_cast<int>(steps.size()))
        return Status::ok();
    return transaction([&]() -> Status {
        for (std::size_t i = static_cast<std::size_t>(from); i < steps.size(); ++i) {
            if (Status s = exec(steps[i]); !s)
                return s.withContext("migrating schema '" + name + "' to version " +
                                     std::to_string(i + 1));
        }
        auto stmt = prepare(
            "INSERT INTO schema_versions(name, version) VALUES(?, ?) ON CONFLICT(name) "
            "DO UPDATE SET version = excluded.version");
        if (!stmt.isOk())
            return stmt.status();
        stmt->bind(1, name).bind(2, static_cast<std::int64_t>(steps.size()));
        return stmt->run();
    });
}

Status Database::transaction(const std::function<Status()>& body) {
    if (Status s = exec("BEGIN IMMEDIATE"); !s)
        return s;
    Status result = body();
    if (!result) {
        (void)exec("ROLLBACK");
        return result;
    }
    if (Status s = exec("COMMIT"); !s) {
        (void)exec("ROLLBACK");
        return s;
    }
    return Status::ok();
}

std::int64_t Database::lastInsertRowId() const {
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const {
    return sqlite3_changes(m_db);
}

Statement::Statement(Statement&& other) noexcept
    : m_stmt(std::exchange(other.m_stmt, nullptr)),
      m_db(other.m_db),
      m_status(std::move(other.m_status)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_db = other.m_db;
        m_status = std::move(other.m_status);
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

Statement& Statement::bind(int index, double value) {
    sqlite3_bind_double(m_stmt, index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
    sqlite3_bind_blob(m_stmt, index, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bindNull(int index) {
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        m_status = Status::ioError(std::string("sqlite: ") + sqlite3_errmsg(m_db));
    return false;
}

Status Statement::run() {
    while (step()) {
    }
    Status result = m_status;
    reset();
    return result;
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_status = Status::ok();
}

std::int64_t Statement::columnInt(int column) const {
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::columnDouble(int column) const {
    return sqlite3_column_double(m_stmt, column);
}

std::string Statement::columnText(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)))
                : std::string();
}

bool Statement::columnIsNull(int column) const {
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

}  // namespace vigil::state
