#include "core/notify/notification_log.h"

#include <algorithm>
#include <charconv>

#include "core/state/database.h"

namespace vigil::notify {

namespace {

const std::vector<std::string> kSchema = {
    "CREATE TABLE nflog ("
    " group_key TEXT NOT NULL, receiver TEXT NOT NULL, integration INTEGER NOT NULL,"
    " firing TEXT NOT NULL, resolved TEXT NOT NULL, timestamp_ms INTEGER NOT NULL,"
    " expires_at_ms INTEGER NOT NULL, PRIMARY KEY (group_key, receiver, integration));",
};

// Fingerprints as space-separated 16-digit hex (readable with sqlite3).
std::string encodeFingerprints(const std::vector<std::uint64_t>& fps) {
    std::string out;
    out.reserve(fps.size() * 17);
    char buf[17];
    for (std::uint64_t fp : fps) {
        if (!out.empty())
            out += ' ';
        auto [end, ec] = std::to_chars(buf, buf + 16, fp, 16);
        out.append(16 - static_cast<std::size_t>(end - buf), '0');
        out.append(buf, end);
    }
    return out;
}

bool decodeFingerprints(std::string_view text, std::vector<std::uint64_t>& out) {
    while (!text.empty()) {
        std::size_t space = text.find(' ');
        std::string_view word = text.substr(0, space);
        std::uint64_t fp = 0;
        auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), fp, 16);
        if (ec != std::errc() || ptr != word.data() + word.size())
            return false;
        out.push_back(fp);
        text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    }
    std::sort(out.begin(), out.end());
    return true;
}

bool isSubset(const std::vector<std::uint64_t>& sub, const std::vector<std::uint64_t>& super) {
    return std::includes(super.begin(), super.end(), sub.begin(), sub.end());
}

}  // namespace

bool NflogEntry::isFiringSubset(const std::vector<std::uint64_t>& firingNow) const {
    return isSubset(firingNow, firing);
}

bool NflogEntry::isResolvedSubset(const std::vector<std::uint64_t>& resolvedNow) const {
    return isSubset(resolvedNow, resolved);
}

Result<std::unique_ptr<NotificationLog>> NotificationLog::open(state::Database* db) {
    std::unique_ptr<NotificationLog> log(new NotificationLog(db));
    if (db) {
        if (Status s = db->migrate("nflog", kSchema); !s)
            return s.withContext("nflog");
        if (Status s = log->load(); !s)
            return s.withContext("loading the notification log");
    }
    return log;
}

Status NotificationLog::load() {
    auto rows = m_db->prepare(
        "SELECT group_key, receiver, integration, firing, resolved, timestamp_ms, expires_at_ms"
        " FROM nflog");
    if (!rows.isOk())
        return rows.status();
    while (rows->step()) {
        NflogKey key{rows->columnText(0), rows->columnText(1),
                     static_cast<std::size_t>(rows->columnInt(2))};
        NflogEntry entry;
        if (!decodeFingerprints(rows->columnText(3), entry.firing) ||
            !decodeFingerprints(rows->columnText(4), entry.resolved))
            return Status::corruption("nflog entry for group " + key.groupKey +
                                      ": bad fingerprint list");
        entry.timestampMs = rows->columnInt(5);
        entry.expiresAtMs = rows->columnInt(6);
        m_entries.emplace(std::move(key), std::move(entry));
    }
    return rows->status();
}

std::optional<NflogEntry> NotificationLog::query(const NflogKey& key) const {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    if (it == m_entries.end())
        return std::nullopt;
    return it->second;
}

void NotificationLog::log(const NflogKey& key, NflogEntry entry) {
    std::sort(entry.firing.begin(), entry.firing.end());
    std::sort(entry.resolved.begin(), entry.resolved.end());
    std::lock_guard lock(m_mutex);
    m_entries[key] = std::move(entry);
    m_dirty.push_back(key);
}

void NotificationLog::gc(model::Timestamp nowMs) {
    std::lock_guard lock(m_mutex);
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (it->second.expiresAtMs != 0 && it->second.expiresAtMs < nowMs) {
            m_deleted.push_back(it->first);
            it = m_entries.erase(it);
        } else {
            ++it;
        }
    }
}

std::size_t NotificationLog::size() const {
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

Status NotificationLog::flush() {
    std::lock_guard lock(m_mutex);
    if (!m_db || (m_dirty.empty() && m_deleted.empty())) {
        m_dirty.clear();
        m_deleted.clear();
        return Status::ok();
    }
    Status status = m_db->transaction([&]() -> Status {
        auto up = m_db->prepare(
            "INSERT OR REPLACE INTO nflog (group_key, receiver, integration, firing, resolved,"
            " timestamp_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
        if (!up.isOk())
            return up.status();
        std::sort(m_dirty.begin(), m_dirty.end());
        m_dirty.erase(std::unique(m_dirty.begin(), m_dirty.end()), m_dirty.end());
        for (const NflogKey& key : m_dirty) {
            auto it = m_entries.find(key);
            if (it == m_entries.end())
                continue;
            up->reset();
            up->bind(1, std::string_view(key.groupKey))
                .bind(2, std::string_view(key.receiver))
                .bind(3, static_cast<std::int64_t>(key.integration))
                .bind(4, std::string_view(encodeFingerprints(it->second.firing)))
                .bind(5, std::string_view(encodeFingerprints(it->second.resolved)))
                .bind(6, std::int64_t{it->second.timestampMs})
                .bind(7, std::int64_t{it->second.expiresAtMs});
            if (Status s = up->run(); !s)
                return s;
        }
        auto del = m_db->prepare(
            "DELETE FROM nflog WHERE group_key = ? AND receiver = ? AND integration = ?");
        if (!del.isOk())
            return del.status();
        for (const NflogKey& key : m_deleted) {
            del->reset();
            del->bind(1, std::string_view(key.groupKey))
                .bind(2, std::string_view(key.receiver))
                .bind(3, static_cast<std::int64_t>(key.integration));
            if (Status s = del->run(); !s)
                return s;
        }
        return Status::ok();
    });
    if (status) {
        m_dirty.clear();
        m_deleted.clear();
    }
    return status.withContext("writing the notification log");
}

}  // namespace vigil::notify
