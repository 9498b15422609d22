#include "core/rules/rule_manager.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/rules/log_rule_query.h"

namespace vigil::rules {

namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

}  // namespace

RuleManager::RuleManager(RuleManagerOptions options) : m_options(std::move(options)) {
    if (instrument::MetricRegistry* r = m_options.metrics) {
        m_evaluations = &r->counter("vigil_rule_evaluations_total",
                                    "Rule evaluations (recording and alerting rules).");
        m_failures = &r->counter("vigil_rule_evaluation_failures_total",
                                 "Rule evaluations that failed (query error, limit, write error).");
        m_iterations = &r->counter("vigil_rule_group_iterations_total", "Rule group evaluations.");
        m_missed = &r->counter("vigil_rule_group_iterations_missed_total",
                               "Rule group evaluations skipped because the previous one was late.");
        m_alertsSent = &r->counter("vigil_rule_alerts_sent_total",
                                   "Alerts handed to the notification pipeline.");
        m_reloadSuccess = &r->gauge("vigil_rule_config_last_reload_successful",
                                    "Whether the last rule file load succeeded.");
    }
}

RuleManager::~RuleManager() {
    stop();
}

model::Timestamp RuleManager::now() const {
    if (m_options.clock)
        return m_options.clock();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Status RuleManager::openStore() {
    if (m_options.stateDbPath.empty() || m_store)
        return Status::ok();
    auto store = AlertStateStore::open(m_options.stateDbPath);
    if (!store)
        return Status::ioError("rules: cannot open the alert state database " +
                               m_options.stateDbPath + ": " + store.status().message());
    m_store = std::move(store.value());
    return Status::ok();
}

Status RuleManager::start() {
    if (Status st = openStore(); !st.isOk())
        return st;
    (void)reload();  // a bad file is reported by snapshot(); Vigil runs without those rules
    std::lock_guard lock(m_mutex);
    m_stopping = false;
    m_scheduler = std::thread([this] { schedulerLoop(); });
    const unsigned n = std::max(1u, m_options.workerThreads);
    for (unsigned i = 0; i < n; ++i)
        m_workers.emplace_back([this] { workerLoop(); });
    return Status::ok();
}

void RuleManager::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_scheduler.joinable())
        m_scheduler.join();
    for (auto& w : m_workers) {
        if (w.joinable())
            w.join();
    }
    m_workers.clear();
    std::lock_guard lock(m_mutex);
    m_queue.clear();
    for (auto& s : m_groups)
        s->running = false;
}

void RuleManager::setAlertSink(model::AlertSink* sink) {
    std::lock_guard lock(m_sinkMutex);
    m_sink = sink;
}

void RuleManager::notify(std::vector<model::Alert> alerts) {
    if (m_alertsSent)
        m_alertsSent->inc(static_cast<double>(alerts.size()));
    std::lock_guard lock(m_sinkMutex);
    if (m_sink)
        m_sink->send(std::move(alerts));
}

GroupOptions RuleManager::groupOptions(RuleLanguage language) {
    GroupOptions o;
    if (language == RuleLanguage::kLogQL)
        o.env.query = makeLogQueryFunc(*m_options.logReader);
    else
        o.env.query = makeEngineQueryFunc(*m_options.engine, *m_options.storage);
    o.env.externalLabels = m_options.externalLabels;
    o.env.externalUrl = m_options.externalUrl;
    o.storage = m_options.storage;
    o.defaultIntervalMs = m_options.evaluationIntervalMs;
    o.resendDelayMs = m_options.resendDelayMs;
    o.outageToleranceMs = m_options.outageToleranceMs;
    o.forGracePeriodMs = m_options.forGracePeriodMs;
    o.notify = [this](std::vector<model::Alert> alerts) { notify(std::move(alerts)); };
    return o;
}

std::string RuleManager::filesFingerprint(const std::vector<std::string>& globs,
                                          const std::vector<std::string>& logGlobs) const {
    std::string fp;
    auto add = [&fp](const std::vector<std::string>& patterns) {
        for (const auto& file : expandRuleFileGlobs(patterns)) {
            std::error_code ec;
            auto mtime = std::filesystem::last_write_time(file, ec);
            auto size = std::filesystem::file_size(file, ec);
            fp += file + '\0' + std::to_string(mtime.time_since_epoch().count()) + '\0' +
                  std::to_string(size) + '\n';
        }
    };
    add(globs);
    fp += "logql\n";  // a file moved from one list to the other changes language
    add(logGlobs);
    return fp;
}

Result<std::vector<std::shared_ptr<Group>>> RuleManager::loadGroups(std::vector<std::string>* files,
                                                                    Status* status) {
    std::vector<std::string> globs;
    std::vector<std::string> logGlobs;
    {
        std::lock_guard lock(m_mutex);
        globs = m_options.ruleFiles;
        logGlobs = m_options.logRuleFiles;
    }
    *files = expandRuleFileGlobs(globs);
    const std::vector<std::string> logFiles = expandRuleFileGlobs(logGlobs);
    std::vector<std::shared_ptr<Group>> groups;
    std::string errors;
    auto addError = [&errors](const std::string& message) {
        errors += (errors.empty() ? "" : "\n") + message;
    };
    const std::set<std::string> promqlFiles(files->begin(), files->end());
    auto loadAll = [&](const std::vector<std::string>& paths, RuleLanguage language) {
        for (const auto& path : paths) {
            if (language == RuleLanguage::kLogQL && promqlFiles.count(path) != 0) {
                // One file cannot hold both PromQL and LogQL expressions.
                addError(path + ": listed both in rule_files and in logs.rule_files");
                continue;
            }
            if (language == RuleLanguage::kLogQL && !m_options.logReader) {
                addError(path + ": log rules need the log store (logs.enabled is false)");
                continue;
            }
            auto file = loadRuleFile(path, nullptr, language);
            if (!file) {
                addError(file.status().message());
                continue;
            }
            for (auto& spec : file->groups)
                groups.push_back(std::make_shared<Group>(std::move(spec), groupOptions(language)));
        }
    };
    loadAll(*files, RuleLanguage::kPromQL);
    loadAll(logFiles, RuleLanguage::kLogQL);
    files->insert(files->end(), logFiles.begin(), logFiles.end());
    *status = errors.empty() ? Status::ok() : Status::error(errors);
    if (!errors.empty())
        return *status;
    return groups;
}

Status RuleManager::reload() {
    std::lock_guard reloadLock(m_reloadMutex);
    if (Status st = openStore(); !st.isOk())
        return st;
    std::vector<std::string> files;
    Status status;
    std::string fingerprint;
    {
        std::lock_guard lock(m_mutex);
        fingerprint = filesFingerprint(m_options.ruleFiles, m_options.logRuleFiles);
    }
    auto loaded = loadGroups(&files, &status);
    const model::Timestamp t = now();
    {
        std::lock_guard lock(m_mutex);
        m_lastReload = status;
        m_lastReloadTime = t;
        if (m_reloadSuccess)
            m_reloadSuccess->set(status.isOk() ? 1 : 0);
        m_fingerprint = fingerprint;
    }
    if (!loaded)
        return status;

    std::map<std::string, std::shared_ptr<Scheduled>> old;
    bool initial = false;
    {
        std::lock_guard lock(m_mutex);
        for (auto& s : m_groups)
            old[s->group->key()] = s;
        initial = !m_initialLoadDone;
    }
    std::vector<std::shared_ptr<Scheduled>> next;
    std::set<std::string> keys;
    for (auto& g : *loaded) {
        auto s = std::make_shared<Scheduled>();
        s->group = g;
        keys.insert(g->key());
        auto it = old.find(g->key());
        if (it != old.end()) {
            std::lock_guard evalLock(it->second->evalMutex);
            g->copyState(*it->second->group);
            s->needsRestore = it->second->needsRestore;
            s->savedDigest = 0;
            {
                std::lock_guard lock(m_mutex);
                s->next = it->second->next;
                it->second->removed = true;
            }
            old.erase(it);
        } else {
            s->next = g->evalTimestamp(t) + g->intervalMs();
            if (initial) {
                s->needsRestore = true;
            } else {
                for (const auto& rule : g->rules()) {
                    if (rule->alerting())
                        static_cast<AlertingRule&>(*rule).setRestored(true);
                }
            }
        }
        next.push_back(std::move(s));
    }
    for (auto& [key, s] : old) {
        (void)key;
        {
            std::lock_guard lock(m_mutex);
            s->removed = true;
        }
        std::lock_guard evalLock(s->evalMutex);
        s->group->markStale(t);
    }
    {
        std::lock_guard lock(m_mutex);
        m_groups = std::move(next);
        m_files = std::move(files);
        m_initialLoadDone = true;
    }
    m_cv.notify_all();
    if (m_store)
        (void)m_store->retainGroups(keys);
    return Status::ok();
}

Status RuleManager::setRuleFiles(std::vector<std::string> globs) {
    {
        std::lock_guard lock(m_mutex);
        m_options.ruleFiles = std::move(globs);
    }
    return reload();
}

Status RuleManager::setLogRuleFiles(std::vector<std::string> globs) {
    {
        std::lock_guard lock(m_mutex);
        m_options.logRuleFiles = std::move(globs);
    }
    return reload();
}

void RuleManager::restoreFromStore(
    Scheduled& s, model::Timestamp ts,
    std::map<std::pair<std::size_t, std::uint64_t>, bool>& restored) {
    if (!m_store)
        return;
    auto rows = m_store->loadGroup(s.group->key());
    if (!rows)
        return;
    const auto& rules = s.group->rules();
    for (auto& row : *rows) {
        if (ts - row.savedAt > m_options.outageToleranceMs)
            continue;  // too old to trust, as ALERTS_FOR_STATE beyond the tolerance
        if (row.ruleIndex < 0 || static_cast<std::size_t>(row.ruleIndex) >= rules.size())
            continue;
        Rule& r = *rules[row.ruleIndex];
        if (!r.alerting() || r.name() != row.ruleName)
            continue;
        auto& rule = static_cast<AlertingRule&>(r);
        ActiveAlert alert = row.alert;
        const std::uint64_t h = alert.labels.hash();
        if (alert.state == AlertState::kPending) {
            const std::int64_t hold = rule.spec().holdDuration.count();
            if (hold >= m_options.forGracePeriodMs) {
                alert.activeAt = restoredActiveAt(alert.activeAt, row.savedAt, ts, hold,
                                                  m_options.forGracePeriodMs);
            }
        } else if (alert.state == AlertState::kInactive) {
            if (alert.resolvedAt == kNever ||
                ts - alert.resolvedAt > AlertingRule::kResolvedRetentionMs)
                continue;
        }
        rule.withAlerts([&](auto& alerts) { alerts[h] = alert; });
        restored[{static_cast<std::size_t>(row.ruleIndex), h}] = true;
    }
}

void RuleManager::persist(Scheduled& s, model::Timestamp ts) {
    if (!m_store)
        return;
    std::vector<StoredAlert> rows;
    std::uint64_t digest = 0;
    const auto& rules = s.group->rules();
    for (std::size_t i = 0; i < rules.size(); ++i) {
        if (!rules[i]->alerting())
            continue;
        for (auto& a : static_cast<AlertingRule&>(*rules[i]).allAlerts()) {
            std::uint64_t h = mix(a.labels.hash(), i);
            h = mix(h, static_cast<std::uint64_t>(a.state));
            h = mix(h, static_cast<std::uint64_t>(a.activeAt));
            h = mix(h, static_cast<std::uint64_t>(a.firedAt));
            h = mix(h, static_cast<std::uint64_t>(a.resolvedAt));
            h = mix(h, static_cast<std::uint64_t>(a.lastSentAt));
            h = mix(h, static_cast<std::uint64_t>(a.keepFiringSince));
            digest += h;  // order-independent
            rows.push_back({static_cast<int>(i), rules[i]->name(), std::move(a), ts});
        }
    }
    // Unchanged state is not rewritten, except to refresh saved_at (which
    // tells a restart how long the outage was) every tenth of the outage
    // tolerance while there are alerts.
    const bool refresh = !rows.empty() && (s.lastSavedAt == kNever ||
                                           ts - s.lastSavedAt >= m_options.outageToleranceMs / 10);
    if (digest == s.savedDigest && !refresh)
        return;
    if (m_store->saveGroup(s.group->key(), rows).isOk()) {
        s.savedDigest = digest;
        s.lastSavedAt = ts;
    }
}

void RuleManager::evaluate(Scheduled& s, model::Timestamp ts) {
    std::lock_guard evalLock(s.evalMutex);
    std::map<std::pair<std::size_t, std::uint64_t>, bool> restored;
    const bool restoring = s.needsRestore;
    if (restoring)
        restoreFromStore(s, ts, restored);
    s.group->eval(ts);
    if (m_evaluations) {
        m_iterations->inc();
        m_evaluations->inc(static_cast<double>(s.group->rules().size()));
        for (const auto& rule : s.group->rules()) {
            if (rule->lastEvaluation() == ts && rule->health() == RuleHealth::kBad)
                m_failures->inc();
        }
    }
    if (restoring) {
        s.group->restoreForState(ts, [&](std::size_t rule, std::uint64_t hash) {
            return restored.count({rule, hash}) != 0;
        });
        s.needsRestore = false;
    }
    persist(s, ts);
}

void RuleManager::evaluateAllAt(model::Timestamp ts) {
    std::vector<std::shared_ptr<Scheduled>> groups;
    {
        std::lock_guard lock(m_mutex);
        groups = m_groups;
    }
    for (auto& s : groups)
        evaluate(*s, ts);
}

void RuleManager::schedulerLoop() {
    std::unique_lock lock(m_mutex);
    auto nextWatch = std::chrono::steady_clock::now() + m_options.watchInterval;
    while (!m_stopping) {
        const model::Timestamp t = now();
        model::Timestamp earliest = std::numeric_limits<model::Timestamp>::max();
        bool queued = false;
        for (auto& s : m_groups) {
            if (s->running || s->removed)
                continue;
            if (s->next <= t) {
                s->running = true;
                m_queue.push_back(s);
                queued = true;
            } else {
                earliest = std::min(earliest, s->next);
            }
        }
        if (queued)
            m_cv.notify_all();
        auto wait = std::chrono::milliseconds(1000);
        if (earliest != std::numeric_limits<model::Timestamp>::max())
            wait =
                std::min(wait, std::chrono::milliseconds(std::max<std::int64_t>(1, earliest - t)));
        m_cv.wait_for(lock, wait);
        if (m_options.watchInterval.count() > 0 && std::chrono::steady_clock::now() >= nextWatch) {
            nextWatch = std::chrono::steady_clock::now() + m_options.watchInterval;
            const std::string known = m_fingerprint;
            const auto globs = m_options.ruleFiles;
            const auto logGlobs = m_options.logRuleFiles;
            lock.unlock();
            if (filesFingerprint(globs, logGlobs) != known)
                (void)reload();
            lock.lock();
        }
    }
}

void RuleManager::workerLoop() {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_cv.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
        if (m_stopping)
            return;
        auto s = m_queue.front();
        m_queue.pop_front();
        if (s->removed) {
            s->running = false;
            continue;
        }
        const model::Timestamp ts = s->next;
        lock.unlock();
        evaluate(*s, ts);
        const model::Timestamp after = now();
        lock.lock();
        const std::int64_t interval = s->group->intervalMs();
        std::int64_t missed = (after - ts) / interval - 1;
        if (missed > 0) {
            s->group->addMissed(static_cast<std::uint64_t>(missed));
            if (m_missed)
                m_missed->inc(static_cast<double>(missed));
        } else
            missed = 0;
        s->next = ts + (missed + 1) * interval;
        s->running = false;
        m_cv.notify_all();
    }
}

RulesSnapshot RuleManager::snapshot() const {
    RulesSnapshot out;
    std::vector<std::shared_ptr<Scheduled>> groups;
    {
        std::lock_guard lock(m_mutex);
        groups = m_groups;
        out.files = m_files;
        out.lastReload = m_lastReload;
        out.lastReloadTime = m_lastReloadTime;
    }
    for (const auto& s : groups) {
        const Group& g = *s->group;
        GroupSnapshot gs;
        gs.name = g.name();
        gs.file = g.file();
        gs.language = g.spec().language;
        gs.intervalMs = g.intervalMs();
        gs.limit = g.spec().limit;
        gs.lastEvaluation = g.lastEvaluation();
        gs.evaluationSeconds = std::chrono::duration<double>(g.lastDuration()).count();
        gs.iterations = g.iterations();
        gs.missedIterations = g.missedIterations();
        for (const auto& rule : g.rules()) {
            RuleSnapshot rs;
            rs.alerting = rule->alerting();
            rs.name = rule->name();
            rs.expr = rule->spec().expr;
            rs.holdMs = rule->spec().holdDuration.count();
            rs.keepFiringForMs = rule->spec().keepFiringFor.count();
            rs.labels = rule->spec().labels;
            rs.annotations = rule->spec().annotations;
            rs.health = rule->health();
            rs.lastError = rule->lastError();
            rs.lastEvaluation = rule->lastEvaluation();
            rs.evaluationSeconds =
                std::chrono::duration<double>(rule->evaluationDuration()).count();
            if (rule->alerting()) {
                for (const auto& a : static_cast<const AlertingRule&>(*rule).activeAlerts()) {
                    rs.state = std::max(rs.state, a.state);
                    rs.alerts.push_back({a.labels, a.annotations, a.state, a.value, a.activeAt,
                                         a.firedAt, a.resolvedAt, a.keepFiringSince});
                }
            }
            gs.rules.push_back(std::move(rs));
        }
        out.groups.push_back(std::move(gs));
    }
    return out;
}

}  // namespace vigil::rules
