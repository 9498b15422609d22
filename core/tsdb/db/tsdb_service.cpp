#include "core/tsdb/db/tsdb_service.h"

#include <QLoggingCategory>

namespace vigil::tsdb {

Q_LOGGING_CATEGORY(lcTsdbService, "vigil.tsdb")

namespace {

constexpr const char* kNotRunning = "the TSDB is not running";

class RefusingAppender final : public model::Appender {
public:
    model::AppendError append(const model::Labels&, model::Timestamp, double) override {
        return model::AppendError::kNone;
    }
    Status commit() override { return Status::error(Status::Code::kUnavailable, kNotRunning); }
    void rollback() override {}
};

class RefusingQuerier final : public model::Querier {
public:
    Result<std::unique_ptr<model::SeriesSet>> select(const std::vector<model::Matcher>&,
                                                     const model::SelectHints&) override {
        return Status::error(Status::Code::kUnavailable, kNotRunning);
    }
    Result<std::vector<std::string>> labelNames(const std::vector<model::Matcher>&) override {
        return Status::error(Status::Code::kUnavailable, kNotRunning);
    }
    Result<std::vector<std::string>> labelValues(const std::string&,
                                                 const std::vector<model::Matcher>&) override {
        return Status::error(Status::Code::kUnavailable, kNotRunning);
    }
};

}  // namespace

TsdbService::TsdbService(std::string dir, DbOptions options, instrument::MetricRegistry& metrics,
                         std::chrono::milliseconds maintenanceInterval)
    : Service(QStringLiteral("tsdb")),
      m_dir(std::move(dir)),
      m_options(options),
      m_metrics(metrics),
      m_interval(maintenanceInterval) {}

TsdbService::~TsdbService() {
    stop();
}

std::unique_ptr<model::Appender> TsdbService::appender() {
    if (state() != State::kRunning || !m_db)
        return std::make_unique<RefusingAppender>();
    return m_db->appender();
}

std::unique_ptr<model::Querier> TsdbService::querier(model::Timestamp mint, model::Timestamp maxt) {
    if (state() != State::kRunning || !m_db)
        return std::make_unique<RefusingQuerier>();
    return m_db->querier(mint, maxt);
}

Status TsdbService::doStart() {
    auto db = Db::open(Env::posix(), m_dir, m_options, &m_metrics);
    if (!db)
        return db.status();
    m_db = std::move(*db);
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
    }
    m_thread = std::thread([this] { maintenanceLoop(); });
    return Status::ok();
}

void TsdbService::doStop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    if (m_db) {
        if (Status closed = m_db->close(); !closed.isOk()) {
            qCWarning(lcTsdbService).noquote() << QString::fromStdString(closed.message());
        }
        m_db.reset();
    }
}

void TsdbService::maintenanceLoop() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, m_interval, [this] { return m_stopping; });
        if (m_stopping)
            break;
        lock.unlock();
        if (Status s = m_db->maintain(); !s.isOk()) {
            // The data stays where it was; the next pass tries again.
            qCWarning(lcTsdbService).noquote()
                << "TSDB maintenance failed:" << QString::fromStdString(s.message());
        }
        lock.lock();
    }
}

}  // namespace vigil::tsdb
