#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/engine/service.h"
#include "core/model/storage.h"
#include "core/tsdb/db/db.h"

namespace vigil::tsdb {

// The TSDB as an engine service: opens the Db in start() (replaying the WAL)
// and runs compaction and retention on its own thread every
// `maintenanceInterval`. It is also the Storage every other service writes
// to and reads from: it forwards to the Db while running, and refuses (an
// error, never a crash) before start() and after stop(). The engine starts
// it before the services that use it and stops it after them.
class TsdbService final : public engine::Service, public model::Storage {
    Q_OBJECT
public:
    // `metrics` must outlive the service.
    TsdbService(std::string dir, DbOptions options, instrument::MetricRegistry& metrics,
                std::chrono::milliseconds maintenanceInterval = std::chrono::minutes(1));
    ~TsdbService() override;

    std::unique_ptr<model::Appender> appender() override;
    std::unique_ptr<model::Querier> querier(model::Timestamp mint, model::Timestamp maxt) override;

    // The open Db, or null when not running. Valid until stop().
    Db* db() { return m_db.get(); }

protected:
    Status doStart() override;
    void doStop() override;

private:
    void maintenanceLoop();

    std::string m_dir;
    DbOptions m_options;
    instrument::MetricRegistry& m_metrics;
    std::chrono::milliseconds m_interval;
    std::unique_ptr<Db> m_db;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;  // GUARDED_BY(m_mutex)
};

}  // namespace vigil::tsdb
