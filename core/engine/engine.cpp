#include "core/engine/engine.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QMetaType>
#include <cassert>

#include "core/collect/host_collector_service.h"
#include "core/collect/self_monitor_service.h"
#include "core/engine/alert_fan_out.h"
#include "core/http/http_service.h"
#include "core/http/loki_api.h"
#include "core/http/prometheus_api.h"
#include "core/instrument/process_metrics.h"
#include "core/logs/live/live_tail_hub.h"
#include "core/logs/push/loki_push_receiver.h"
#include "core/logs/store/logs_service.h"
#include "core/logs/tail/tailer_service.h"
#include "core/notify/alertmanager_api.h"
#include "core/notify/notify_service.h"
#include "core/notify/receivers/alertmanager_forwarder.h"
#include "core/notify/receivers/receiver_setup.h"
#include "core/promql/engine.h"
#include "core/receive/remote_write_receiver.h"
#include "core/rules/loki_rules_api.h"
#include "core/rules/rules_api.h"
#include "core/rules/rules_service.h"
#include "core/scrape/scrape_api.h"
#include "core/scrape/scrape_service.h"
#include "core/tsdb/db/tsdb_service.h"

namespace vigil::engine {

Q_LOGGING_CATEGORY(lcEngine, "vigil.engine")

namespace {

// The rule evaluator's settings from vigil.yml (and prometheus.yml's rule_files);
// logs.rule_files evaluate over the log store, which starts before the rules.
rules::RuleManagerOptions rulesOptions(const EngineOptions& engineOptions, model::Storage* storage,
                                       promql::Engine* queryEngine,
                                       const logs::LogReader* logReader,
                                       instrument::MetricRegistry* metrics) {
    const config::VigilConfig& config = engineOptions.config;
    rules::RuleManagerOptions options;
    options.storage = storage;
    options.engine = queryEngine;
    options.ruleFiles = config.ruleFiles;
    options.logRuleFiles = config.logs.ruleFiles;  // Loki ruler files, over the log store
    options.logReader = logReader;
    options.evaluationIntervalMs = config.global.evaluationInterval.count();
    options.externalLabels = config.global.externalLabels;
    options.externalUrl = "http://" + config.server.listen.toString();
    options.stateDbPath = engineOptions.dataDir.toStdString() + "/state.db";
    options.metrics = metrics;
    return options;
}

}  // namespace

Engine::Engine(EngineOptions options, QObject* parent)
    : QObject(parent), m_options(std::move(options)), m_lock(m_options.dataDir) {
    qRegisterMetaType<vigil::engine::Service::State>();
    instrument::registerProcessMetrics(m_metrics);
    const config::VigilConfig& config = m_options.config;

    // Start order: storage first, then the listener, then what writes into
    // storage; stop runs in reverse, so nothing writes to a closed TSDB.
    tsdb::DbOptions db;
    db.retentionMs = config.storage.retentionTime.count();
    db.retentionBytes = config.storage.retentionSize;
    db.outOfOrderWindowMs = config.storage.outOfOrderWindow.count();
    auto tsdb = std::make_unique<tsdb::TsdbService>(
        tsdb::tsdbDirForDataDir(m_options.dataDir.toStdString()), db, m_metrics);
    m_tsdb = tsdb.get();
    addService(std::move(tsdb));

    if (config.logs.enabled) {
        logs::store::LogsSettings settings;
        settings.retentionMs = config.logs.retention.count();
        settings.maxBytes = config.logs.maxSize;
        settings.maxStreams = config.logs.maxStreams;
        settings.maxLabelValueLength = config.logs.maxLabelValueLength;
        settings.maxLineLength = config.logs.maxLineLength;
        // The config reader accepted only names parseChunkEncoding knows.
        settings.chunkEncoding = logs::store::parseChunkEncoding(config.logs.chunkEncoding)
                                     .value_or(logs::store::ChunkEncoding::kZstd);
        auto logsService = std::make_unique<logs::store::LogsService>(
            logs::store::logsDirForDataDir(m_options.dataDir.toStdString()),
            logs::store::logStoreOptions(settings), m_metrics);
        m_logs = logsService.get();
        m_liveTail = std::make_unique<logs::live::LiveTailHub>();
        m_logs->setLiveTail(m_liveTail.get());
        addService(std::move(logsService));
    }

    m_queryEngine = std::make_unique<promql::Engine>();
    auto rules = std::make_unique<rules::RulesService>(
        rulesOptions(m_options, m_tsdb, m_queryEngine.get(), m_logs, &m_metrics));
    m_rules = rules.get();
    auto http = std::make_unique<http::HttpService>(config.server, m_metrics,
                                                    [this] { return m_running.load(); });
    http->addRoutes([this](httplib::Server& server) {
        http::PrometheusApiContext api{m_tsdb, m_queryEngine.get(), {}};
        api.metadata = [this](const httplib::Request& req, httplib::Response& res) {
            scrape::handleMetadata(m_scrape ? &m_scrape->manager() : nullptr, req, res);
        };
        http::installPrometheusApi(server, std::move(api));
        scrape::installScrapeApi(server, [this]() -> const scrape::ScrapeManager* {
            return m_scrape ? &m_scrape->manager() : nullptr;
        });
        rules::installRulesApi(server, [this] { return m_rules; });
    });
    if (config.remoteWriteReceiver.enabled) {
        receive::RemoteWriteReceiverOptions receiver;
        receiver.maxRequestBytes = config.server.maxRequestBytes;
        receiver.basicAuthUsers = config.remoteWriteReceiver.basicAuthUsers;
        m_remoteWrite =
            std::make_unique<receive::RemoteWriteReceiver>(*m_tsdb, receiver, m_metrics);
        http->addRoutes([this](httplib::Server& server) { m_remoteWrite->install(server); });
    }
    if (m_logs) {
        logs::push::LokiPushReceiverOptions push;
        push.maxRequestBytes = config.server.maxRequestBytes;
        push.rateBytesPerSecond = config.logs.ingestionRate;
        push.rateBurstBytes = config.logs.ingestionRate * 3 / 2;  // Loki's 4 MB/s, 6 MB burst
        m_lokiPush = std::make_unique<logs::push::LokiPushReceiver>(*m_logs, push, m_metrics);
        http->addRoutes([this](httplib::Server& server) { m_lokiPush->install(server); });
    }
    std::unique_ptr<notify::NotifyService> notifyService;
    if (config.alertmanager) {
        notify::NotifyServiceOptions notifyOptions;
        notifyOptions.config = *config.alertmanager;
        notifyOptions.stateDbPath = m_options.dataDir.toStdString() + "/state.db";
        notifyOptions.metrics = &m_metrics;
        // The receivers (webhook, Slack, email, PagerDuty, Discord) and their
        // notification history (in state.db, hence the directory now); a
        // template that does not load fails start().
        QDir().mkpath(m_options.dataDir);
        auto receivers = notify::receivers::makeReceivers(
            *config.alertmanager, config.alertmanagerConfigFile, notifyOptions.stateDbPath,
            "http://" + config.server.listen.toString());
        if (receivers.isOk()) {
            notifyOptions.notifierFactory = receivers->factory;
            m_receivers = std::make_unique<notify::receivers::Receivers>(std::move(*receivers));
        } else {
            m_setupError = receivers.status().withContext("alertmanager receivers");
        }
        notifyService = std::make_unique<notify::NotifyService>(std::move(notifyOptions));
        m_notify = notifyService.get();
        http->addRoutes(
            [this](httplib::Server& server) { notify::installAlertmanagerApi(server, *m_notify); });
    }
    if (m_logs) {
        http->addRoutes(http::lokiApiRoutes(*m_logs, m_liveTail.get()));  // the Loki query API
        // Loki's ruler API over the log rule groups (logs.rule_files).
        http->addRoutes([this](httplib::Server& server) {
            rules::installLokiRulesApi(server, [this] { return m_rules; });
        });
    }
    m_http = http.get();
    addService(std::move(http));
    if (notifyService)
        addService(std::move(notifyService));

    // Alerts go to the local pipeline and to the external Alertmanagers of
    // prometheus.yml's alerting.alertmanagers, as Prometheus sends them.
    if (!config.prometheusConfigFile.empty()) {
        QFile file(QString::fromStdString(config.prometheusConfigFile));
        if (file.open(QIODevice::ReadOnly)) {
            const QByteArray text = file.readAll();
            auto alerting = notify::receivers::parseAlertingConfig(
                std::string_view(text.constData(), std::size_t(text.size())),
                config.prometheusConfigFile);
            if (!alerting.isOk()) {
                m_setupError = alerting.status();
            } else {
                for (const auto& warning : alerting->warnings)
                    qCWarning(lcEngine).noquote() << QString::fromStdString(warning);
                if (!alerting->config.alertmanagers.empty())
                    m_forwarder = std::make_unique<notify::receivers::AlertmanagerForwarder>(
                        alerting->config, m_receivers ? m_receivers->transport : nullptr);
            }
        }
    }
    m_alertFanOut = std::make_unique<AlertFanOut>();
    if (m_notify)
        m_alertFanOut->add(&m_notify->alertSink());
    if (m_forwarder)
        m_alertFanOut->add(m_forwarder.get());
    if (!m_alertFanOut->empty())
        rules->setAlertSink(m_alertFanOut.get());

    if (config.hostCollector.enabled) {
        collect::HostCollectorServiceOptions host;
        host.interval = config.hostCollector.scrapeInterval;
        addService(std::make_unique<collect::HostCollectorService>(*m_tsdb, host, m_metrics));
    }
    if (config.selfMonitoring.enabled) {
        collect::SelfMonitorOptions self;
        self.interval = config.selfMonitoring.scrapeInterval;
        self.instance = [http = m_http] { return http->boundAddress(); };
        addService(std::make_unique<collect::SelfMonitorService>(*m_tsdb, m_metrics, self));
    }
    if (!config.scrapeConfigs.empty()) {
        auto scrape =
            std::make_unique<scrape::ScrapeService>(*m_tsdb, config.scrapeConfigs, m_metrics);
        m_scrape = scrape.get();
        addService(std::move(scrape));
    }
    if (m_logs && !config.logs.tail.scrapeConfigs.empty()) {
        logs::tail::TailerOptions tail;
        tail.config = config.logs.tail;
        tail.positionsFile = config.logs.tail.positions.filename.empty()
                                 ? m_options.dataDir.toStdString() + "/positions.yaml"
                                 : config.logs.tail.positions.filename;
        tail.maxLineLength = config.logs.maxLineLength;
        tail.metrics = &m_metrics;
        auto tailer = std::make_unique<logs::tail::TailerService>(std::move(tail), *m_logs);
        m_tailer = tailer.get();
        addService(std::move(tailer));
    }
    // Rules read what the collectors and scrapers write; they start last.
    addService(std::move(rules));
}

scrape::TargetsSnapshot Engine::targets() const {
    return m_scrape ? m_scrape->manager().targets() : scrape::TargetsSnapshot{};
}

std::vector<logs::tail::LogTargetInfo> Engine::logTargets() const {
    return m_tailer ? m_tailer->targets() : std::vector<logs::tail::LogTargetInfo>{};
}

notify::receivers::DesktopNotificationHub* Engine::desktopNotifications() {
    return m_receivers ? m_receivers->desktop.get() : nullptr;
}

model::Storage& Engine::storage() {
    return *m_tsdb;
}

Engine::~Engine() {
    stop();
}

void Engine::addService(std::unique_ptr<Service> service) {
    assert(!m_running && "services are added before start()");
    Service* raw = service.get();
    m_statuses.push_back({raw->name(), raw->state(), {}});
    const std::size_t index = m_statuses.size() - 1;
    connect(raw, &Service::stateChanged, this,
            [this, raw, index](Service::State state, const QString& detail) {
                m_statuses[index].state = state;
                m_statuses[index].detail = detail;
                emit serviceStateChanged(raw->name(), state, detail);
            });
    m_services.push_back(std::move(service));
}

Status Engine::start() {
    if (m_running)
        return Status::ok();
    if (!m_setupError.isOk())
        return m_setupError;
    if (Status locked = m_lock.acquire(); !locked.isOk())
        return locked;

    for (std::size_t i = 0; i < m_services.size(); ++i) {
        Status status = m_services[i]->start();
        if (!status.isOk()) {
            for (std::size_t j = i; j-- > 0;)
                m_services[j]->stop();
            m_lock.release();
            return status.withContext("starting " + m_services[i]->name().toStdString());
        }
    }
    m_running = true;
    qCInfo(lcEngine).noquote() << "engine started; data directory" << m_options.dataDir;
    emit started();
    return Status::ok();
}

void Engine::stop() {
    if (!m_running && !m_lock.held())
        return;
    m_running = false;  // /-/ready turns 503 before anything stops
    for (auto it = m_services.rbegin(); it != m_services.rend(); ++it)
        (*it)->stop();
    m_lock.release();
    qCInfo(lcEngine) << "engine stopped";
    emit stopped();
}

QString Engine::httpAddress() const {
    if (!m_running || !m_http)
        return {};
    return QString::fromStdString(m_http->boundAddress());
}

std::vector<ServiceStatus> Engine::serviceStatuses() const {
    return m_statuses;
}

}  // namespace vigil::engine
