#pragma once

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QThreadPool>

#include <memory>
#include <vector>

#include "core/dashboard/metrics_source.h"
#include "core/dashboard/panel_queries.h"
#include "ui/panels/panel_data.h"

namespace vigil::dashboards {

// Runs planned queries on the calling thread (the service's workers, or a
// command-line tool) and gathers their answers; a failing query becomes
// its frame's error.
panels::PanelData fetchPanelData(dashboard::MetricsSource* source,
                                 const std::vector<dashboard::PlannedQuery>& queries, qint64 fromMs,
                                 qint64 toMs);

// The source's metrics of the last hour before `toMs` (metrics browser,
// query completion), fetched on a worker thread.
QFuture<Result<std::vector<dashboard::MetricInfo>>> fetchMetricsAsync(
    std::shared_ptr<dashboard::MetricsSource> source, qint64 toMs);

// Runs panel queries off the GUI thread and hands back plain PanelData by
// queued signal. A newer refresh of a panel supersedes the older one: its
// stale answer is dropped (and the engine cancels the older query through
// the per-target slot). The GUI thread never waits on a query.
class PanelQueryService : public QObject {
    Q_OBJECT
public:
    explicit PanelQueryService(std::shared_ptr<dashboard::MetricsSource> source,
                               QObject* parent = nullptr);
    ~PanelQueryService() override;

    void setSource(std::shared_ptr<dashboard::MetricsSource> source);
    dashboard::MetricsSource* source() const { return m_source.get(); }

    // Starts the queries of one panel; returns the request id.
    quint64 refresh(int panelId, std::vector<dashboard::PlannedQuery> queries, qint64 fromMs,
                    qint64 toMs);
    // Blocks until every running query has finished (tests, shutdown).
    void waitForIdle();
    int pending() const { return m_pending; }

signals:
    void panelDataReady(int panelId, const vigil::panels::PanelData& data);
    void idle();

private:
    void deliver(int panelId, quint64 request, const vigil::panels::PanelData& data);

    std::shared_ptr<dashboard::MetricsSource> m_source;
    QThreadPool m_pool;
    QHash<int, quint64> m_latest;  // panel id -> newest request id (GUI thread only)
    quint64 m_nextRequest = 1;
    int m_pending = 0;
};

}  // namespace vigil::dashboards

Q_DECLARE_METATYPE(vigil::panels::PanelData)
