#include "core/notify/silences.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "core/state/database.h"

namespace vigil::notify {

namespace {

// Schema "silences": one row per silence, its matchers in a child table in
// the order they were given.
const std::vector<std::string> kSchema = {
    "CREATE TABLE silences ("
    " id TEXT PRIMARY KEY, starts_at_ms INTEGER NOT NULL, ends_at_ms INTEGER NOT NULL,"
    " updated_at_ms INTEGER NOT NULL, created_by TEXT NOT NULL, comment TEXT NOT NULL);"
    "CREATE TABLE silence_matchers ("
    " silence_id TEXT NOT NULL REFERENCES silences(id) ON DELETE CASCADE,"
    " position INTEGER NOT NULL, type INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (silence_id, position));",
};

std::string newUuid() {
    static std::mutex mutex;
    static std::mt19937_64 rng{std::random_device{}()};
    std::uint64_t hi = 0, lo = 0;
    {
        std::lock_guard lock(mutex);
        hi = rng();
        lo = rng();
    }
    hi = (hi & ~0xf000ULL) | 0x4000ULL;                  // version 4
    lo = (lo & ~(0xc000ULL << 48)) | (0x8000ULL << 48);  // variant 10
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return buf;
}

bool sameMatchers(const std::vector<model::Matcher>& a, const std::vector<model::Matcher>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].type() != b[i].type() || a[i].name() != b[i].name() ||
            a[i].value() != b[i].value())
            return false;
    }
    return true;
}

}  // namespace

Silence::State Silence::state(model::Timestamp nowMs) const {
    if (nowMs < startsAtMs)
        return State::kPending;
    if (nowMs > endsAtMs)
        return State::kExpired;
    return State::kActive;
}

const char* silenceStateName(Silence::State state) {
    switch (state) {
        case Silence::State::kPending:
            return "pending";
        case Silence::State::kActive:
            return "active";
        case Silence::State::kExpired:
            return "expired";
    }
    return "?";
}

Result<std::unique_ptr<Silences>> Silences::open(state::Database* db) {
    std::unique_ptr<Silences> silences(new Silences(db));
    if (db) {
        if (Status s = db->migrate("silences", kSchema); !s)
            return s.withContext("silences");
        if (Status s = silences->load(); !s)
            return s.withContext("loading silences");
    }
    return silences;
}

Status Silences::load() {
    auto rows = m_db->prepare(
        "SELECT id, starts_at_ms, ends_at_ms, updated_at_ms, created_by, comment FROM silences");
    if (!rows.isOk())
        return rows.status();
    while (rows->step()) {
        Silence s;
        s.id = rows->columnText(0);
        s.startsAtMs = rows->columnInt(1);
        s.endsAtMs = rows->columnInt(2);
        s.updatedAtMs = rows->columnInt(3);
        s.createdBy = rows->columnText(4);
        s.comment = rows->columnText(5);
        m_silences.emplace(s.id, std::move(s));
    }
    if (!rows->status())
        return rows->status();
    auto matchers = m_db->prepare(
        "SELECT silence_id, type, name, value FROM silence_matchers ORDER BY silence_id, position");
    if (!matchers.isOk())
        return matchers.status();
    while (matchers->step()) {
        const std::string id = matchers->columnText(0);
        const auto type = static_cast<int>(matchers->columnInt(1));
        if (type < 0 || type > 3)
            return Status::corruption("silence " + id + ": matcher type " + std::to_string(type));
        auto m = model::Matcher::make(static_cast<model::MatchType>(type), matchers->columnText(2),
                                      matchers->columnText(3));
        if (!m.isOk())
            return Status::corruption("silence " + id + ": " + m.status().message());
        auto it = m_silences.find(id);
        if (it != m_silences.end())
            it->second.matchers.push_back(std::move(m.value()));
    }
    return matchers->status();
}

Status Silences::persist(const Silence& silence) {
    if (!m_db)
        return Status::ok();
    return m_db->transaction([&]() -> Status {
        auto up = m_db->prepare(
            "INSERT OR REPLACE INTO silences (id, starts_at_ms, ends_at_ms, updated_at_ms,"
            " created_by, comment) VALUES (?, ?, ?, ?, ?, ?)");
        if (!up.isOk())
            return up.status();
        up->bind(1, std::string_view(silence.id))
            .bind(2, std::int64_t{silence.startsAtMs})
            .bind(3, std::int64_t{silence.endsAtMs})
            .bind(4, std::int64_t{silence.updatedAtMs})
            .bind(5, std::string_view(silence.createdBy))
            .bind(6, std::string_view(silence.comment));
        if (Status s = up->run(); !s)
            return s;
        auto del = m_db->prepare("DELETE FROM silence_matchers WHERE silence_id = ?");
        if (!del.isOk())
            return del.status();
        del->bind(1, std::string_view(silence.id));
        if (Status s = del->run(); !s)
            return s;
        auto ins = m_db->prepare(
            "INSERT INTO silence_matchers (silence_id, position, type, name, value)"
            " VALUES (?, ?, ?, ?, ?)");
        if (!ins.isOk())
            return ins.status();
        for (std::size_t i = 0; i < silence.matchers.size(); ++i) {
            const model::Matcher& m = silence.matchers[i];
            ins->reset();
            ins->bind(1, std::string_view(silence.id))
                .bind(2, static_cast<std::int64_t>(i))
                .bind(3, static_cast<std::int64_t>(m.type()))
                .bind(4, std::string_view(m.name()))
                .bind(5, std::string_view(m.value()));
            if (Status s = ins->run(); !s)
                return s;
        }
        return Status::ok();
    });
}

Status Silences::validate(const Silence& silence) {
    if (silence.matchers.empty())
        return Status::error("silence: at least one matcher is required");
    bool allMatchEmpty = true;
    for (const model::Matcher& m : silence.matchers)
        allMatchEmpty = allMatchEmpty && m.matchesEmpty();
    if (allMatchEmpty)
        return Status::error("silence: at least one matcher must not match the empty string");
    if (silence.startsAtMs == 0)
        return Status::error("silence: startsAt is missing");
    if (silence.endsAtMs == 0)
        return Status::error("silence: endsAt is missing");
    if (silence.endsAtMs < silence.startsAtMs)
        return Status::error("silence: endsAt is before startsAt");
    return Status::ok();
}

Result<std::string> Silences::create(Silence silence, model::Timestamp nowMs) {
    if (silence.endsAtMs < nowMs)
        return Status::error("silence: endsAt is in the past");
    silence.id = newUuid();
    silence.startsAtMs = std::max(silence.startsAtMs, nowMs);
    silence.updatedAtMs = nowMs;
    if (Status s = persist(silence); !s)
        return s;
    std::string id = silence.id;
    m_silences.emplace(id, std::move(silence));
    return id;
}

Result<std::string> Silences::set(Silence silence, model::Timestamp nowMs) {
    if (Status s = validate(silence); !s)
        return s;
    std::lock_guard lock(m_mutex);
    auto it = silence.id.empty() ? m_silences.end() : m_silences.find(silence.id);
    if (it == m_silences.end()) {
        if (!silence.id.empty())
            return Status::error(Status::Code::kNotFound, "silence " + silence.id + " not found");
        return create(std::move(silence), nowMs);
    }
    Silence& old = it->second;
    bool inPlace = sameMatchers(old.matchers, silence.matchers);
    switch (old.state(nowMs)) {
        case Silence::State::kActive:
            inPlace = inPlace && silence.startsAtMs == old.startsAtMs && silence.endsAtMs >= nowMs;
            break;
        case Silence::State::kPending:
            inPlace = inPlace && silence.startsAtMs >= nowMs;
            break;
        case Silence::State::kExpired:
            inPlace = false;
            break;
    }
    if (inPlace) {
        Silence updated = old;
        updated.startsAtMs = silence.startsAtMs;
        updated.endsAtMs = silence.endsAtMs;
        updated.createdBy = silence.createdBy;
        updated.comment = silence.comment;
        updated.updatedAtMs = nowMs;
        if (Status s = persist(updated); !s)
            return s;
        old = std::move(updated);
        return old.id;
    }
    // Expire the old definition (if still in effect) and create a new one.
    if (old.state(nowMs) != Silence::State::kExpired) {
        Silence expired = old;
        if (expired.state(nowMs) == Silence::State::kPending)
            expired.startsAtMs = nowMs;
        expired.endsAtMs = nowMs;
        expired.updatedAtMs = nowMs;
        if (Status s = persist(expired); !s)
            return s;
        old = std::move(expired);
    }
    return create(std::move(silence), nowMs);
}

Status Silences::expire(const std::string& id, model::Timestamp nowMs) {
    std::lock_guard lock(m_mutex);
    auto it = m_silences.find(id);
    if (it == m_silences.end())
        return Status::error(Status::Code::kNotFound, "silence " + id + " not found");
    Silence updated = it->second;
    switch (updated.state(nowMs)) {
        case Silence::State::kExpired:
            return Status::ok();
        case Silence::State::kPending:
            updated.startsAtMs = nowMs;
            updated.endsAtMs = nowMs;
            break;
        case Silence::State::kActive:
            updated.endsAtMs = nowMs;
            break;
    }
    updated.updatedAtMs = nowMs;
    if (Status s = persist(updated); !s)
        return s;
    it->second = std::move(updated);
    return Status::ok();
}

std::vector<std::string> Silences::mutedBy(const model::Labels& labels,
                                           model::Timestamp nowMs) const {
    std::vector<std::string> ids;
    std::lock_guard lock(m_mutex);
    for (const auto& [id, silence] : m_silences) {
        if (silence.state(nowMs) == Silence::State::kActive && silence.matches(labels))
            ids.push_back(id);
    }
    return ids;  // std::map order: sorted by id
}

std::optional<Silence> Silences::get(const std::string& id) const {
    std::lock_guard lock(m_mutex);
    auto it = m_silences.find(id);
    if (it == m_silences.end())
        return std::nullopt;
    return it->second;
}

std::vector<Silence> Silences::list() const {
    std::lock_guard lock(m_mutex);
    std::vector<Silence> out;
    out.reserve(m_silences.size());
    for (const auto& [id, silence] : m_silences)
        out.push_back(silence);
    return out;
}

Status Silences::gc(model::Timestamp nowMs, std::int64_t retentionMs) {
    std::lock_guard lock(m_mutex);
    for (auto it = m_silences.begin(); it != m_silences.end();) {
        if (it->second.endsAtMs + retentionMs < nowMs) {
            if (m_db) {
                auto del = m_db->prepare("DELETE FROM silences WHERE id = ?");
                if (!del.isOk())
                    return del.status();
                del->bind(1, std::string_view(it->first));
                if (Status s = del->run(); !s)
                    return s;
            }
            it = m_silences.erase(it);
        } else {
            ++it;
        }
    }
    return Status::ok();
}

}  // namespace vigil::notify
