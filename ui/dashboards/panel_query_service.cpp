#include "ui/dashboards/panel_query_service.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace vigil::dashboards {

panels::PanelData fetchPanelData(dashboard::MetricsSource* source,
                                 const std::vector<dashboard::PlannedQuery>& queries, qint64 fromMs,
                                 qint64 toMs) {
    panels::PanelData data;
    data.fromMs = fromMs;
    data.toMs = toMs;
    for (const dashboard::PlannedQuery& planned : queries) {
        panels::QueryFrame frame;
        frame.refId = planned.refId;
        frame.legendFormat = planned.legendFormat;
        frame.instant = planned.query.instant;
        if (!source) {
            frame.error = QObject::tr("no data source");
        } else if (planned.logs) {
            auto result = source->queryLogs(*planned.logs);
            if (result.isOk())
                frame.streams = std::move(result.value());
            else
                frame.error = QString::fromStdString(result.status().message());
        } else {
            auto result = source->query(planned.query);
            if (result.isOk())
                frame.series = std::move(result->series);
            else
                frame.error = QString::fromStdString(result.status().message());
        }
        data.frames.push_back(std::move(frame));
    }
    return data;
}

QFuture<Result<std::vector<dashboard::MetricInfo>>> fetchMetricsAsync(
    std::shared_ptr<dashboard::MetricsSource> source, qint64 toMs) {
    return QtConcurrent::run([source, toMs]() -> Result<std::vector<dashboard::MetricInfo>> {
        if (!source)
            return Status::error("no data source");
        return source->metrics(toMs - 3'600'000, toMs);
    });
}

PanelQueryService::PanelQueryService(std::shared_ptr<dashboard::MetricsSource> source,
                                     QObject* parent)
    : QObject(parent), m_source(std::move(source)) {
    qRegisterMetaType<vigil::panels::PanelData>();
    m_pool.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
}

PanelQueryService::~PanelQueryService() {
    m_pool.waitForDone();
}

void PanelQueryService::setSource(std::shared_ptr<dashboard::MetricsSource> source) {
    m_source = std::move(source);
}

quint64 PanelQueryService::refresh(int panelId, std::vector<dashboard::PlannedQuery> queries,
                                   qint64 fromMs, qint64 toMs) {
    const quint64 request = m_nextRequest++;
    m_latest.insert(panelId, request);
    ++m_pending;
    std::shared_ptr<dashboard::MetricsSource> source = m_source;
    QPointer<PanelQueryService> self(this);
    m_pool.start([self, source, panelId, request, queries = std::move(queries), fromMs, toMs] {
        panels::PanelData data = fetchPanelData(source.get(), queries, fromMs, toMs);
        if (self)
            QMetaObject::invokeMethod(
                self,
                [self, panelId, request, data = std::move(data)] {
                    if (self)
                        self->deliver(panelId, request, data);
                },
                Qt::QueuedConnection);
    });
    return request;
}

void PanelQueryService::deliver(int panelId, quint64 request, const panels::PanelData& data) {
    --m_pending;
    if (m_latest.value(panelId) == request)
        emit panelDataReady(panelId, data);
    if (m_pending == 0)
        emit idle();
}

void PanelQueryService::waitForIdle() {
    m_pool.waitForDone();
    QCoreApplication::sendPostedEvents(this);
    QCoreApplication::processEvents();
}

}  // namespace vigil::dashboards
