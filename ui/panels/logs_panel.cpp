#include "ui/panels/logs_panel.h"

#include <QDateTime>
#include <QJsonObject>

#include "core/dashboard/interpolation.h"
#include "ui/logs/live_tail_adapter.h"
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

LogsPanel::~LogsPanel() {
    for (auto* live : m_live)
        live->stop();
}

QWidget* LogsPanel::createContent() {
    m_list = new logsui::LogListWidget(this);
    m_list->setObjectName(QStringLiteral("logsPanelList"));
    return m_list;
}

void LogsPanel::configure(const dashboard::Panel& panel,
                          const dashboard::InterpolationContext& context) {
    const QJsonObject options = panel.raw.value(QStringLiteral("options")).toObject();
    m_list->setShowTime(options.value(QStringLiteral("showTime")).toBool(false));
    m_list->setShowLabels(options.value(QStringLiteral("showLabels")).toBool(false));
    m_list->setWrapLines(options.value(QStringLiteral("wrapLogMessage")).toBool(false));
    m_list->setDetailsEnabled(options.value(QStringLiteral("enableLogDetails")).toBool(true));
    m_newestFirst =
        options.value(QStringLiteral("sortOrder")).toString(QStringLiteral("Descending")) !=
        QLatin1String("Ascending");
    m_dedup = options.value(QStringLiteral("dedupStrategy")).toString(QStringLiteral("none"));
    m_list->model()->setMaxRows(kMaxRows);

    // Live when the range ends now (a relative range: its end is the
    // refresh time, within a minute); a range in the past stays as queried.
    QStringList queries;
    const bool endsNow = context.toMs >= QDateTime::currentMSecsSinceEpoch() - 60'000;
    if (m_hub && endsNow) {
        for (const dashboard::Target& target : panel.targets)
            if (!target.hidden && !target.expr.trimmed().isEmpty())
                queries << dashboard::interpolate(target.expr, context,
                                                  dashboard::InterpolationTarget::kLogQL);
    }
    if (queries == m_liveQueries)
        return;
    for (auto* live : m_live) {
        live->stop();
        live->deleteLater();
    }
    m_live.clear();
    m_liveQueries.clear();
    for (const QString& query : queries) {
        auto* live = new logsui::LiveTailAdapter(*m_hub, this);
        // A metric query or a parse error: the refresh shows the error.
        if (!live->start(query).isOk()) {
            delete live;
            continue;
        }
        connect(live, &logsui::LiveTailAdapter::received, this, &LogsPanel::onLiveBatch);
        m_live.push_back(live);
        m_liveQueries << query;
    }
}

void LogsPanel::onLiveBatch(const logs::live::LiveBatch& batch) {
    std::vector<logsui::LogRow> rows;
    rows.reserve(batch.entries.size());
    for (const auto& e : batch.entries)
        rows.push_back(logsui::rowFromLiveEntry(e));
    if (bodyState() == QLatin1String("error") || rows.empty())
        return;  // the query's error stays until a refresh answers
    logsui::LogListModel* model = m_list->model();
    if (bodyState() == QLatin1String("no-data"))
        model->clear();  // rows of an earlier answer are not shown now
    if (!m_dedup.isEmpty() && m_dedup != QLatin1String("none")) {
        // As for query results: a line equal to the one shown before it (in
        // time order, the newest shown line first) is left out.
        const int count = model->rowCount();
        QString previous =
            count > 0 ? logDedupKey(model->row(m_newestFirst ? 0 : count - 1).line, m_dedup)
                      : QString();
        bool havePrevious = count > 0;
        std::vector<logsui::LogRow> kept;
        kept.reserve(rows.size());
        for (auto& r : rows) {
            QString key = logDedupKey(r.line, m_dedup);
            if (havePrevious && key == previous)
                continue;
            previous = std::move(key);
            havePrevious = true;
            kept.push_back(std::move(r));
        }
        rows = std::move(kept);
    }
    if (m_newestFirst)

        m_list->model()->prepend(std::move(rows));
    else
        m_list->model()->append(std::move(rows));
    m_list->model()->addDropped(batch.dropped);
    showLiveContent();
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
