#include "core/logs/store/logs_service.h"

#include "core/logs/live/live_tail_hub.h"

#include <QLoggingCategory>

namespace vigil::logs::store {

Q_LOGGING_CATEGORY(lcLogsService, "vigil.logs")

namespace {
const char* const kStopped = "the log store is not running";
}

LogStoreOptions logStoreOptions(const LogsSettings& settings) {
    LogStoreOptions o;
    o.retentionNs = settings.retentionMs * 1000000;
    o.maxBytes = settings.maxBytes;
    o.maxStreams = static_cast<std::size_t>(std::max<std::int64_t>(0, settings.maxStreams));
    if (settings.maxLabelValueLength > 0)
        o.maxLabelValueLength = static_cast<std::size_t>(settings.maxLabelValueLength);
    if (settings.maxLineLength > 0)
        o.maxLineLength = static_cast<std::size_t>(settings.maxLineLength);
    o.chunkEncoding = settings.chunkEncoding;
    return o;
}

LogsService::LogsService(std::string dir, LogStoreOptions options,
                         instrument::MetricRegistry& registry, std::chrono::milliseconds interval)
    : engine::Service(QStringLiteral("logs")),
      m_dir(std::move(dir)),
      m_options(std::move(options)),
      m_registry(registry),
      m_interval(interval) {}

LogsService::~LogsService() {
    stop();
}

std::shared_ptr<LogStore> LogsService::store() const {
    std::lock_guard lock(m_storeMutex);
    return m_store;
}

Status LogsService::doStart() {
    auto opened = LogStore::open(Env::posix(), m_dir, m_options, &m_registry);
    if (!opened)
        return opened.status();
    {
        std::lock_guard lock(m_storeMutex);
        m_store = std::move(*opened);
    }
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
    }
    m_thread = std::thread([this] { maintenanceLoop(); });
    return Status::ok();
}

void LogsService::doStop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    std::shared_ptr<LogStore> store;
    {
        std::lock_guard lock(m_storeMutex);
        store = std::move(m_store);
    }
    if (store) {
        // In-flight calls hold their own reference; close() waits for the
        // store's lock, and later pushes are refused by the closed store.
        if (Status closed = store->close(); !closed.isOk())
            qCWarning(lcLogsService).noquote() << QString::fromStdString(closed.message());
    }
}

void LogsService::maintenanceLoop() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(lock, m_interval, [this] { return m_stopping; });
        if (m_stopping)
            break;
        lock.unlock();
        if (auto s = store()) {
            if (Status st = s->maintain(); !st.isOk()) {
                // The heads stay in memory and in the WAL; the next pass retries.
                qCWarning(lcLogsService).noquote()
                    << "log store maintenance:" << QString::fromStdString(st.message());
            }
        }
        lock.lock();
    }
}

LogWriter::PushResult LogsService::push(const std::vector<LogStream>& streams) {
    if (auto s = store()) {
        if (!m_liveTail || !m_liveTail->hasSubscribers())
            return s->push(streams);
        std::vector<std::uint8_t> accepted;
        PushResult r = s->push(streams, &accepted);
        if (r.accepted > 0)
            m_liveTail->offer(streams, r.rejected == 0 ? nullptr : &accepted);
        return r;
    }
    PushResult r;
    for (const auto& s : streams)
        r.rejected += s.entries.size();
    r.firstError = kStopped;
    return r;
}

Status LogsService::select(const LogSelectParams& params, StreamVisitor& visitor) const {
    if (auto s = store())
        return s->select(params, visitor);
    return Status::error(kStopped);
}

Result<std::vector<std::string>> LogsService::labelNames(TimestampNs startNs,
                                                         TimestampNs endNs) const {
    if (auto s = store())
        return s->labelNames(startNs, endNs);
    return Status::error(kStopped);
}

Result<std::vector<std::string>> LogsService::labelValues(
    const std::string& name, const std::vector<model::Matcher>& matchers, TimestampNs startNs,
    TimestampNs endNs) const {
    if (auto s = store())
        return s->labelValues(name, matchers, startNs, endNs);
    return Status::error(kStopped);
}

Result<std::vector<model::Labels>> LogsService::series(const std::vector<model::Matcher>& matchers,
                                                       TimestampNs startNs,
                                                       TimestampNs endNs) const {
    if (auto s = store())
        return s->series(matchers, startNs, endNs);
    return Status::error(kStopped);
}

}  // namespace vigil::logs::store
