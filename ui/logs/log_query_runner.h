#pragma once

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <memory>
#include <vector>

#include "core/logs/level/log_volume.h"
#include "core/logs/log_store_api.h"
#include "ui/logs/log_list_model.h"

namespace vigil::logsui {

struct LogQueryRequest {
    QString query;
    logs::TimestampNs startNs = 0;
    logs::TimestampNs endNs = 0;  // exclusive
    std::size_t limit = 1000;
    bool newestFirst = true;
    int volumeBuckets = 0;  // 0: no volume histogram
};

// The plain answer a worker hands back.
struct LogQueryAnswer {
    std::vector<LogRow> rows;  // in display order
    QString error;             // empty on success
    int errorOffset = -1;      // byte offset in the query of a parse error; -1 otherwise
    double seconds = 0;
    std::uint64_t linesProcessed = 0;
    bool limitReached = false;
};

// Runs LogQL log queries and log volume counts on worker threads over a
// LogReader and hands plain answers back by queued signal. A newer run()
// supersedes the older one: its stale answers are dropped and its volume
// scan is cancelled. The GUI thread never waits on the store (except in the
// destructor, which waits for running workers). GUI thread only.
class LogQueryRunner : public QObject {
    Q_OBJECT
public:
    // `reader` must outlive the runner; null answers every query with an error.
    explicit LogQueryRunner(const logs::LogReader* reader, QObject* parent = nullptr);
    ~LogQueryRunner() override;

    quint64 run(const LogQueryRequest& request);
    void waitForIdle();
    bool busy() const { return m_pending > 0; }

signals:
    void resultReady(quint64 request, const vigil::logsui::LogQueryAnswer& answer);
    void volumeReady(quint64 request, const vigil::logs::LogVolume& volume);
    void volumeFailed(quint64 request, const QString& error);

private:
    const logs::LogReader* m_reader;
    QThreadPool m_pool;
    quint64 m_latest = 0;
    int m_pending = 0;
    std::shared_ptr<std::atomic<bool>> m_cancelVolume;
};

// Runs one request on the calling thread (the workers, tests, the panel).
LogQueryAnswer runLogQuery(const logs::LogReader* reader, const LogQueryRequest& request);

}  // namespace vigil::logsui

Q_DECLARE_METATYPE(vigil::logsui::LogQueryAnswer)
Q_DECLARE_METATYPE(vigil::logs::LogVolume)
