#pragma once

#include <QAbstractListModel>
#include <QColor>
#include <QString>

#include <deque>
#include <memory>
#include <vector>

#include "core/logs/level/log_level.h"
#include "core/logs/log_store_api.h"
#include "core/model/labels.h"

namespace vigil::logs::live {
struct LiveEntry;
}

namespace vigil::logsui {

// One displayed log line; the level is detected once, when the row is made.
struct LogRow {
    logs::TimestampNs tsNs = 0;
    std::shared_ptr<const model::Labels> labels;
    QString line;
    logs::LogLevel level = logs::LogLevel::kUnknown;
};

// Rows from a query result: streams merged by time (newest first when
// `newestFirst`), levels detected. Runs on any thread.
std::vector<LogRow> rowsFromStreams(const std::vector<logs::LogStream>& streams, bool newestFirst);
LogRow rowFromLiveEntry(const logs::live::LiveEntry& entry);

// Grafana's log level colours (critical purple, error red, warning yellow,
// info green, debug blue, trace light blue, unknown grey).
QColor logLevelColor(logs::LogLevel level);

// The lines of the Logs page and of the dashboards' logs panel: a flat list
// that views show virtualized. Query results replace the rows; live mode
// appends at the bottom and keeps at most maxRows() rows (the oldest go),
// counting lines the live tail dropped. GUI thread only.
class LogListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        kTimeNsRole = Qt::UserRole + 1,  // qint64
        kLevelRole,                      // int (logs::LogLevel)
        kLevelNameRole,                  // QString
        kLevelColorRole,                 // QColor
        kLabelsRole,                     // QString, `{a="b", ...}`
        kLineRole,                       // QString
    };

    explicit LogListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Replaces the rows (already in display order).
    void setRows(std::vector<LogRow> rows);
    void clear();
    // Reverses the display order (newest first <-> oldest first).
    void reverse();

    // Appends at the bottom, then trims the oldest rows beyond maxRows().
    void append(std::vector<LogRow> rows);
    // Newest-first lists: `rows` (oldest first) go on top, the newest first;
    // the oldest rows beyond maxRows() go from the bottom.
    void prepend(std::vector<LogRow> rows);

    void setMaxRows(std::size_t maxRows);
    std::size_t maxRows() const { return m_maxRows; }

    // Lines the live tail dropped (reported by the hub) since clear().
    void addDropped(std::uint64_t count);
    std::uint64_t dropped() const { return m_dropped; }

    const LogRow& row(int index) const { return m_rows[static_cast<std::size_t>(index)]; }

signals:
    void droppedChanged(quint64 dropped);

private:
    std::deque<LogRow> m_rows;
    std::size_t m_maxRows = 100000;
    std::uint64_t m_dropped = 0;
};

}  // namespace vigil::logsui
