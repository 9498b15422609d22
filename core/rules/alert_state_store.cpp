#include "core/rules/alert_state_store.h"

#include <cstdlib>

namespace vigil::rules {

namespace {

void bindTime(state::Statement& st, int index, model::Timestamp t) {
    if (t == kNever)
        st.bindNull(index);
    else
        st.bind(index, static_cast<std::int64_t>(t));
}

model::Timestamp columnTime(const state::Statement& st, int column) {
    return st.columnIsNull(column) ? kNever : st.columnInt(column);
}

}  // namespace

Result<std::unique_ptr<AlertStateStore>> AlertStateStore::open(const std::string& path) {
    auto db = state::Database::open(path);
    if (!db)
        return db.status();
    Status migrated = (*db)->migrate(
        "rules", {"CREATE TABLE rule_alerts ("
                  " group_key TEXT NOT NULL, rule_index INTEGER NOT NULL, rule_name TEXT NOT NULL,"
                  " labels TEXT NOT NULL, annotations TEXT NOT NULL, state INTEGER NOT NULL,"
                  " active_at INTEGER, fired_at INTEGER, resolved_at INTEGER,"
                  " last_sent_at INTEGER, valid_until INTEGER, keep_firing_since INTEGER,"
                  " value REAL NOT NULL, saved_at INTEGER NOT NULL,"
                  " PRIMARY KEY (group_key, rule_index, labels))"});
    if (!migrated.isOk())
        return migrated;
    return std::unique_ptr<AlertStateStore>(new AlertStateStore(std::move(db.value())));
}

std::string AlertStateStore::encodeLabels(const model::Labels& labels) {
    std::string out;
    for (const auto& l : labels) {
        out += std::to_string(l.name.size()) + ":" + l.name;
        out += std::to_string(l.value.size()) + ":" + l.value;
    }
    return out;
}

model::Labels AlertStateStore::decodeLabels(std::string_view text) {
    std::vector<model::Label> labels;
    auto next = [&](std::string& out) {
        std::size_t colon = text.find(':');
        if (colon == std::string_view::npos)
            return false;
        std::size_t n = std::strtoull(std::string(text.substr(0, colon)).c_str(), nullptr, 10);
        if (colon + 1 + n > text.size())
            return false;
        out.assign(text.substr(colon + 1, n));
        text.remove_prefix(colon + 1 + n);
        return true;
    };
    std::string name;
    std::string value;
    while (!text.empty() && next(name) && next(value))
        labels.push_back({name, value});
    return model::Labels::fromUnsorted(std::move(labels));
}

Status AlertStateStore::saveGroup(const std::string& groupKey,
                                  const std::vector<StoredAlert>& alerts) {
    std::lock_guard lock(m_mutex);
    return m_db->transaction([&]() -> Status {
        auto del = m_db->prepare("DELETE FROM rule_alerts WHERE group_key = ?");
        if (!del)
            return del.status();
        del->bind(1, groupKey);
        if (Status st = del->run(); !st.isOk())
            return st;
        if (alerts.empty())
            return Status::ok();
        auto ins = m_db->prepare(
            "INSERT OR REPLACE INTO rule_alerts (group_key, rule_index, rule_name, labels,"
            " annotations, state, active_at, fired_at, resolved_at, last_sent_at, valid_until,"
            " keep_firing_since, value, saved_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        if (!ins)
            return ins.status();
        for (const auto& s : alerts) {
            const ActiveAlert& a = s.alert;
            ins->reset();
            ins->bind(1, groupKey)
                .bind(2, static_cast<std::int64_t>(s.ruleIndex))
                .bind(3, s.ruleName)
                .bind(4, encodeLabels(a.labels))
                .bind(5, encodeLabels(a.annotations))
                .bind(6, static_cast<std::int64_t>(a.state));
            bindTime(*ins, 7, a.activeAt);
            bindTime(*ins, 8, a.firedAt);
            bindTime(*ins, 9, a.resolvedAt);
            bindTime(*ins, 10, a.lastSentAt);
            bindTime(*ins, 11, a.validUntil);
            bindTime(*ins, 12, a.keepFiringSince);
            ins->bind(13, a.value).bind(14, static_cast<std::int64_t>(s.savedAt));
            if (Status st = ins->run(); !st.isOk())
                return st;
        }
        return Status::ok();
    });
}

Result<std::vector<StoredAlert>> AlertStateStore::loadGroup(const std::string& groupKey) {
    std::lock_guard lock(m_mutex);
    auto q = m_db->prepare(
        "SELECT rule_index, rule_name, labels, annotations, state, active_at, fired_at,"
        " resolved_at, last_sent_at, valid_until, keep_firing_since, value, saved_at"
        " FROM rule_alerts WHERE group_key = ? ORDER BY rule_index");
    if (!q)
        return q.status();
    q->bind(1, groupKey);
    std::vector<StoredAlert> out;
    while (q->step()) {
        StoredAlert s;
        s.ruleIndex = static_cast<int>(q->columnInt(0));
        s.ruleName = q->columnText(1);
        s.alert.labels = decodeLabels(q->columnText(2));
        s.alert.annotations = decodeLabels(q->columnText(3));
        s.alert.state = static_cast<AlertState>(q->columnInt(4));
        s.alert.activeAt = columnTime(*q, 5);
        s.alert.firedAt = columnTime(*q, 6);
        s.alert.resolvedAt = columnTime(*q, 7);
        s.alert.lastSentAt = columnTime(*q, 8);
        s.alert.validUntil = columnTime(*q, 9);
        s.alert.keepFiringSince = columnTime(*q, 10);
        s.alert.value = q->columnDouble(11);
        s.savedAt = q->columnInt(12);
        out.push_back(std::move(s));
    }
    if (!q->status().isOk())
        return q->status();
    return out;
}

Status AlertStateStore::retainGroups(const std::set<std::string>& keep) {
    std::lock_guard lock(m_mutex);
    auto q = m_db->prepare("SELECT DISTINCT group_key FROM rule_alerts");
    if (!q)
        return q.status();
    std::vector<std::string> gone;
    while (q->step()) {
        std::string key = q->columnText(0);
        if (keep.count(key) == 0)
            gone.push_back(std::move(key));
    }
    for (const auto& key : gone) {
        auto del = m_db->prepare("DELETE FROM rule_alerts WHERE group_key = ?");
        if (!del)
            return del.status();
        del->bind(1, key);
        if (Status st = del->run(); !st.isOk())
            return st;
    }
    return Status::ok();
}

}  // namespace vigil::rules
