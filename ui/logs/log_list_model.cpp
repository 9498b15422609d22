#include "ui/logs/log_list_model.h"

#include <algorithm>

#include "core/logs/live/live_tail_hub.h"

namespace vigil::logsui {

std::vector<LogRow> rowsFromStreams(const std::vector<logs::LogStream>& streams, bool newestFirst) {
    std::size_t n = 0;
    for (const auto& s : streams)
        n += s.entries.size();
    std::vector<LogRow> rows;
    rows.reserve(n);
    for (const auto& s : streams) {
        auto labels = std::make_shared<const model::Labels>(s.labels);
        for (const auto& e : s.entries) {
            LogRow row;
            row.tsNs = e.tsNs;
            row.labels = labels;
            row.line = QString::fromUtf8(e.line.data(), static_cast<qsizetype>(e.line.size()));
            row.level = logs::detectLogLevel(s.labels, e.structuredMetadata, e.line);
            rows.push_back(std::move(row));
        }
    }
    // Stable: lines of one stream with equal times keep their order.
    if (newestFirst)
        std::stable_sort(rows.begin(), rows.end(),
                         [](const LogRow& a, const LogRow& b) { return a.tsNs > b.tsNs; });
    else
        std::stable_sort(rows.begin(), rows.end(),
                         [](const LogRow& a, const LogRow& b) { return a.tsNs < b.tsNs; });
    return rows;
}

LogRow rowFromLiveEntry(const logs::live::LiveEntry& entry) {
    LogRow row;
    row.tsNs = entry.tsNs;
    row.labels = entry.labels;
    row.line = QString::fromUtf8(entry.line.data(), static_cast<qsizetype>(entry.line.size()));
    row.level = logs::detectLogLevel(entry.labels ? *entry.labels : model::Labels(), entry.line);
    return row;
}

QColor logLevelColor(logs::LogLevel level) {
    // Grafana's LogLevelColor (public/app/core/logsModel.ts).
    switch (level) {
        case logs::LogLevel::kCritical:
            return QColor(0x70, 0x5d, 0xa0);  // purple
        case logs::LogLevel::kError:
            return QColor(0xe2, 0x4d, 0x42);  // red
        case logs::LogLevel::kWarning:
            return QColor(0xea, 0xb8, 0x39);  // yellow
        case logs::LogLevel::kInfo:
            return QColor(0x7e, 0xb2, 0x6d);  // green
        case logs::LogLevel::kDebug:
            return QColor(0x1f, 0x78, 0xc1);  // blue
        case logs::LogLevel::kTrace:
            return QColor(0x6e, 0xd0, 0xe0);  // light blue
        case logs::LogLevel::kUnknown:
            break;
    }
    return QColor(0x8e, 0x8e, 0x8e);  // grey
}

LogListModel::LogListModel(QObject* parent) : QAbstractListModel(parent) {}

int LogListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant LogListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() < 0 || index.row() >= rowCount())
        return {};
    const LogRow& r = row(index.row());
    switch (role) {
        case Qt::DisplayRole:
        case kLineRole:
            return r.line;
        case kTimeNsRole:
            return QVariant::fromValue<qint64>(r.tsNs);
        case kLevelRole:
            return static_cast<int>(r.level);
        case kLevelNameRole:
            return QString::fromLatin1(logs::logLevelName(r.level).data());
        case kLevelColorRole:
            return logLevelColor(r.level);
        case kLabelsRole:
            return r.labels ? QString::fromStdString(r.labels->toString()) : QString();
        default:
            return {};
    }
}

QHash<int, QByteArray> LogListModel::roleNames() const {
    auto names = QAbstractListModel::roleNames();
    names[kTimeNsRole] = "timeNs";
    names[kLevelRole] = "level";
    names[kLevelNameRole] = "levelName";
    names[kLevelColorRole] = "levelColor";
    names[kLabelsRole] = "labels";
    names[kLineRole] = "line";
    return names;
}

void LogListModel::setRows(std::vector<LogRow> rows) {
    beginResetModel();
    m_rows.assign(std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
    endResetModel();
}

void LogListModel::clear() {
    beginResetModel();
    m_rows.clear();
    endResetModel();
    if (m_dropped != 0) {
        m_dropped = 0;
        emit droppedChanged(0);
    }
}

void LogListModel::reverse() {
    if (m_rows.size() < 2)
        return;
    emit layoutAboutToBeChanged();
    const QModelIndexList before = persistentIndexList();
    std::reverse(m_rows.begin(), m_rows.end());
    const int last = rowCount() - 1;
    for (const QModelIndex& i : before)
        changePersistentIndex(i, index(last - i.row(), i.column()));
    emit layoutChanged();
}

void LogListModel::append(std::vector<LogRow> rows) {
    if (rows.empty())
        return;
    if (rows.size() > m_maxRows) {
        const std::size_t skip = rows.size() - m_maxRows;
        rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(skip));
    }
    const std::size_t total = m_rows.size() + rows.size();
    if (total > m_maxRows) {
        const std::size_t remove = std::min(m_rows.size(), total - m_maxRows);
        beginRemoveRows(QModelIndex(), 0, static_cast<int>(remove) - 1);
        m_rows.erase(m_rows.begin(), m_rows.begin() + static_cast<std::ptrdiff_t>(remove));
        endRemoveRows();
    }
    const int first = rowCount();
    beginInsertRows(QModelIndex(), first, first + static_cast<int>(rows.size()) - 1);
    for (auto& r : rows)
        m_rows.push_back(std::move(r));
    endInsertRows();
}

void LogListModel::prepend(std::vector<LogRow> rows) {
    if (rows.empty())
        return;
    if (rows.size() > m_maxRows) {
        const std::size_t skip = rows.size() - m_maxRows;
        rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(skip));
    }
    const std::size_t total = m_rows.size() + rows.size();
    if (total > m_maxRows) {
        const std::size_t remove = std::min(m_rows.size(), total - m_maxRows);
        const int count = rowCount();
        beginRemoveRows(QModelIndex(), count - static_cast<int>(remove), count - 1);
        m_rows.erase(m_rows.end() - static_cast<std::ptrdiff_t>(remove), m_rows.end());
        endRemoveRows();
    }
    beginInsertRows(QModelIndex(), 0, static_cast<int>(rows.size()) - 1);
    for (auto& r : rows)  // oldest first: the newest ends up on top
        m_rows.push_front(std::move(r));
    endInsertRows();
}

void LogListModel::setMaxRows(std::size_t maxRows) {
    m_maxRows = std::max<std::size_t>(1, maxRows);
    if (m_rows.size() > m_maxRows) {
        const std::size_t remove = m_rows.size() - m_maxRows;
        beginRemoveRows(QModelIndex(), 0, static_cast<int>(remove) - 1);
        m_rows.erase(m_rows.begin(), m_rows.begin() + static_cast<std::ptrdiff_t>(remove));
        endRemoveRows();
    }
}

void LogListModel::addDropped(std::uint64_t count) {
    if (count == 0)
        return;
    m_dropped += count;
    emit droppedChanged(m_dropped);
}

}  // namespace vigil::logsui
