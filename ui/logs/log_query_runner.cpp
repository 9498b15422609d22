#include "ui/logs/log_query_runner.h"

#include <QMetaObject>
#include <QPointer>

#include <chrono>

#include "core/logs/logql/engine.h"
#include "core/logs/logql/parser.h"

namespace vigil::logsui {

LogQueryAnswer runLogQuery(const logs::LogReader* reader, const LogQueryRequest& request) {
    LogQueryAnswer answer;
    const auto started = std::chrono::steady_clock::now();
    const std::string text = request.query.toStdString();
    logql::ParseError parseError;
    logql::ExprPtr expr = logql::parse(text, &parseError);
    if (!expr) {
        answer.error = QString::fromStdString(parseError.toString());
        answer.errorOffset = static_cast<int>(parseError.offset);
        return answer;
    }
    if (!expr->isLogQuery()) {
        answer.error = QObject::tr(
            "this is a metric query; the Logs page shows log queries "
            "(a stream selector with an optional pipeline)");
        return answer;
    }
    if (!reader) {
        answer.error = QObject::tr("the log store is not enabled (logs.enabled in vigil.yml)");
        return answer;
    }
    logql::Engine engine(*reader);
    logql::QueryParams params;
    params.startNs = request.startNs;
    params.endNs = request.endNs;
    params.limit = std::max<std::size_t>(1, request.limit);
    params.direction = request.newestFirst ? logs::Direction::kBackward : logs::Direction::kForward;
    auto result = engine.exec(*expr, params);
    if (!result.isOk()) {
        answer.error = QString::fromStdString(result.status().message());
        return answer;
    }
    answer.rows = rowsFromStreams(result->streams, request.newestFirst);
    answer.linesProcessed = result->stats.linesProcessed;
    answer.limitReached = answer.rows.size() >= params.limit;
    answer.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return answer;
}

LogQueryRunner::LogQueryRunner(const logs::LogReader* reader, QObject* parent)
    : QObject(parent), m_reader(reader) {
    qRegisterMetaType<vigil::logsui::LogQueryAnswer>();
    qRegisterMetaType<vigil::logs::LogVolume>();
    m_pool.setMaxThreadCount(2);
}

LogQueryRunner::~LogQueryRunner() {
    if (m_cancelVolume)
        m_cancelVolume->store(true);
    m_pool.waitForDone();
}

void LogQueryRunner::waitForIdle() {
    m_pool.waitForDone();
}

quint64 LogQueryRunner::run(const LogQueryRequest& request) {
    const quint64 id = ++m_latest;
    if (m_cancelVolume)
        m_cancelVolume->store(true);
    m_cancelVolume = std::make_shared<std::atomic<bool>>(false);
    QPointer<LogQueryRunner> self(this);
    const logs::LogReader* reader = m_reader;
    ++m_pending;
    m_pool.start([self, reader, request, id] {
        LogQueryAnswer answer = runLogQuery(reader, request);
        QMetaObject::invokeMethod(
            self.data(),
            [self, id, answer = std::move(answer)] {
                if (!self)
                    return;
                --self->m_pending;
                if (id == self->m_latest)
                    emit self->resultReady(id, answer);
            },
            Qt::QueuedConnection);
    });
    if (request.volumeBuckets > 0 && reader) {
        ++m_pending;
        auto cancel = m_cancelVolume;
        m_pool.start([self, reader, request, id, cancel] {
            auto volume = logs::computeLogVolume(*reader, request.query.toStdString(),
                                                 request.startNs, request.endNs,
                                                 request.volumeBuckets, 20'000'000, cancel.get());
            QMetaObject::invokeMethod(
                self.data(),
                [self, id, volume = std::move(volume)] {
                    if (!self)
                        return;
                    --self->m_pending;
                    if (id != self->m_latest)
                        return;
                    if (volume.isOk())
                        emit self->volumeReady(id, volume.value());
                    else
                        emit self->volumeFailed(id,
                                                QString::fromStdString(volume.status().message()));
                },
                Qt::QueuedConnection);
        });
    }
    return id;
}

}  // namespace vigil::logsui
