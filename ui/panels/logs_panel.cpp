#include "ui/panels/logs_panel.h"

#include <QJsonObject>

#include "ui/logs/log_list_model.h"
#include "ui/logs/log_list_widget.h"

namespace vigil::panels {

QString logDedupKey(const QString& line, const QString& strategy) {
    if (strategy == QLatin1String("exact"))
        return line.trimmed();
    QString key;
    key.reserve(line.size());
    if (strategy == QLatin1String("numbers")) {
        for (QChar c : line)
            if (!c.isDigit())
                key.append(c);
        return key.trimmed();
    }
    if (strategy == QLatin1String("signature")) {
        for (QChar c : line)
            if (!c.isLetterOrNumber())
                key.append(c);
        return key.trimmed();
    }
    return {};
}

LogsPanel::LogsPanel(QWidget* parent) : PanelWidget(parent) {}

QWidget* LogsPanel::createContent() {
    m_list = new logsui::LogListWidget(this);
    m_list->setObjectName(QStringLiteral("logsPanelList"));
    return m_list;
}

void LogsPanel::configure(const dashboard::Panel& panel, const dashboard::InterpolationContext&) {
    const QJsonObject options = panel.raw.value(QStringLiteral("options")).toObject();
    m_list->setShowTime(options.value(QStringLiteral("showTime")).toBool(false));
    m_list->setShowLabels(options.value(QStringLiteral("showLabels")).toBool(false));
    m_list->setWrapLines(options.value(QStringLiteral("wrapLogMessage")).toBool(false));
    m_list->setDetailsEnabled(options.value(QStringLiteral("enableLogDetails")).toBool(true));
    m_newestFirst =
        options.value(QStringLiteral("sortOrder")).toString(QStringLiteral("Descending")) !=
        QLatin1String("Ascending");
    m_dedup = options.value(QStringLiteral("dedupStrategy")).toString(QStringLiteral("none"));
}

void LogsPanel::render(const PanelData& data) {
    std::vector<logs::LogStream> streams;
    for (const QueryFrame& frame : data.frames)
        streams.insert(streams.end(), frame.streams.begin(), frame.streams.end());
    std::vector<logsui::LogRow> rows = logsui::rowsFromStreams(streams, m_newestFirst);
    if (!m_dedup.isEmpty() && m_dedup != QLatin1String("none")) {
        std::vector<logsui::LogRow> kept;
        kept.reserve(rows.size());
        QString previous;
        for (auto& r : rows) {
            QString key = logDedupKey(r.line, m_dedup);
            if (!kept.empty() && key == previous)
                continue;
            previous = std::move(key);
            kept.push_back(std::move(r));
        }
        rows = std::move(kept);
    }
    m_list->model()->setRows(std::move(rows));
}

}  // namespace vigil::panels
