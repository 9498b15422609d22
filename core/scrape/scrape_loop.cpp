#include "core/scrape/scrape_loop.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <unordered_set>

#include "core/scrape/content_type.h"
#include "core/scrape/exposition_parser.h"
#include "core/util/human_units.h"

namespace vigil::scrape {

namespace {

constexpr std::string_view kExportedPrefix = "exported_";
constexpr std::string_view kParamPrefix = "__param_";

// The names of the synthetic series, in the order of m_reportLabels.
constexpr std::string_view kReportNames[] = {
    "up", "scrape_duration_seconds", "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling", "scrape_series_added"};

// Go's %.50s: at most 50 characters (bytes here; label names are ASCII).
std::string cut50(std::string_view s) {
    return std::string(s.substr(0, 50));
}

bool hasLabel(const std::vector<model::Label>& labels, std::size_t count, std::string_view name) {
    for (std::size_t i = 0; i < count; ++i) {
        if (labels[i].name == name)
            return true;
    }
    return false;
}

}  // namespace

const char* targetHealthName(TargetHealth health) {
    switch (health) {
        case TargetHealth::kUp:
            return "up";
        case TargetHealth::kDown:
            return "down";
        case TargetHealth::kUnknown:
            break;
    }
    return "unknown";
}

std::shared_ptr<const LoopOptions> LoopOptions::fromConfig(const config::ScrapeConfig& config) {
    auto options = std::make_shared<LoopOptions>();
    options->jobName = config.jobName;
    options->honorLabels = config.honorLabels;
    options->honorTimestamps = config.honorTimestamps;
    options->sampleLimit = config.sampleLimit;
    options->labelLimit = config.labelLimit;
    options->labelNameLengthLimit = config.labelNameLengthLimit;
    options->labelValueLengthLimit = config.labelValueLengthLimit;
    options->bodySizeLimit = config.bodySizeLimit;
    options->metricRelabelConfigs = config.metricRelabelConfigs;
    options->params = config.params;
    options->http = std::make_shared<const config::HttpClientConfig>(config.http);
    return options;
}

std::string encodeQuery(const std::map<std::string, std::vector<std::string>>& params) {
    auto escape = [](std::string_view s, std::string& out) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        for (const char c : s) {
            const auto u = static_cast<unsigned char>(c);
            if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
                out += c;
            } else if (c == ' ') {
                out += '+';
            } else {
                out += '%';
                out += kHex[u >> 4];
                out += kHex[u & 15];
            }
        }
    };
    std::string out;
    for (const auto& [key, values] : params) {
        for (const std::string& value : values) {
            if (!out.empty())
                out += '&';
            escape(key, out);
            out += '=';
            escape(value, out);
        }
    }
    return out;
}

std::string targetUrl(const model::Labels& finalLabels,
                      const std::map<std::string, std::vector<std::string>>& params) {
    std::map<std::string, std::vector<std::string>> query = params;
    for (const auto& label : finalLabels) {
        if (label.name.compare(0, kParamPrefix.size(), kParamPrefix) != 0)
            continue;
        auto& values = query[label.name.substr(kParamPrefix.size())];
        if (values.empty())
            values.push_back(label.value);
        else
            values.front() = label.value;
    }
    std::string url(finalLabels.get("__scheme__"));
    url += "://";
    url += finalLabels.get("__address__");
    const std::string_view path = finalLabels.get("__metrics_path__");
    if (!path.empty() && path.front() != '/')
        url += '/';
    url += path;
    const std::string encoded = encodeQuery(query);
    if (!encoded.empty()) {
        url += '?';
        url += encoded;
    }
    return url;
}

model::Labels mergeTargetLabels(const model::Labels& scraped, const model::Labels& target,
                                bool honorLabels) {
    model::LabelsBuilder builder(scraped);
    if (honorLabels) {
        for (const auto& label : target) {
            if (!scraped.has(label.name))
                builder.set(label.name, label.value);
        }
        return builder.labels();
    }
    std::vector<model::Label> conflicts;
    for (const auto& label : target) {
        const std::string_view existing = scraped.get(label.name);
        if (!existing.empty())
            conflicts.push_back({label.name, std::string(existing)});
        builder.set(label.name, label.value);
    }
    if (!conflicts.empty()) {
        // Prometheus's resolveConflictingExposedLabels: shortest names first,
        // each prefixed until it names no scraped, target or earlier label.
        std::stable_sort(conflicts.begin(), conflicts.end(),
                         [](const model::Label& a, const model::Label& b) {
                             return a.name.size() < b.name.size();
                         });
        for (std::size_t i = 0; i < conflicts.size(); ++i) {
            std::string name = conflicts[i].name;
            for (;;) {
                name = std::string(kExportedPrefix) + name;
                if (!scraped.has(name) && !target.has(name) && !hasLabel(conflicts, i, name)) {
                    conflicts[i].name = name;
                    break;
                }
            }
        }
        for (const auto& label : conflicts)
            builder.set(label.name, label.value);
    }
    return builder.labels();
}

ScrapeLoop::ScrapeLoop(model::Storage& storage, TargetLabels target,
                       std::shared_ptr<const LoopOptions> options)
    : m_storage(storage),
      m_target(std::move(target)),
      m_publicLabels(m_target.publicLabels()),
      m_url(targetUrl(m_target.final, options->params)),
      m_hash(model::hashBytes(m_url, m_target.final.hash())),
      m_interval(parseDuration(m_target.final.get("__scrape_interval__")).value()),
      m_timeout(parseDuration(m_target.final.get("__scrape_timeout__")).value()),
      m_options(std::move(options)) {
    for (const std::string_view name : kReportNames) {
        model::LabelsBuilder builder(m_publicLabels);
        builder.set(model::kMetricName, name);
        m_reportLabels.push_back(builder.labels());
    }
    m_snapshot.job = m_options->jobName;
    m_snapshot.scrapeUrl = m_url;
    m_snapshot.discoveredLabels = m_target.discovered;
    m_snapshot.labels = m_publicLabels;
    m_snapshot.interval = m_interval;
    m_snapshot.timeout = m_timeout;
    m_metadata = std::make_shared<const std::vector<MetricMetadata>>();
}

ScrapeRequest ScrapeLoop::request() const {
    std::lock_guard lock(m_mutex);
    ScrapeRequest request;
    request.url = m_url;
    request.timeout = m_timeout;
    request.bodySizeLimit = m_options->bodySizeLimit;
    request.http = m_options->http;
    request.bodySizeHint = m_lastBodySize.load(std::memory_order_relaxed);
    return request;
}

void ScrapeLoop::setOptions(std::shared_ptr<const LoopOptions> options) {
    std::lock_guard lock(m_mutex);
    m_options = std::move(options);
    m_snapshot.job = m_options->jobName;
    ++m_epoch;
}

void ScrapeLoop::setForcedError(Status error) {
    std::lock_guard lock(m_mutex);
    m_forcedError = std::move(error);
}

Status ScrapeLoop::forcedError() const {
    std::lock_guard lock(m_mutex);
    return m_forcedError;
}

TargetSnapshot ScrapeLoop::snapshot() const {
    std::lock_guard lock(m_mutex);
    return m_snapshot;
}

std::shared_ptr<const std::vector<MetricMetadata>> ScrapeLoop::metadata() const {
    std::lock_guard lock(m_mutex);
    return m_metadata;
}

void ScrapeLoop::noteMetadata(Entry entry, const ExpositionParser& parser) {
    const std::string_view name = parser.metadataName();
    auto it = m_meta.find(name);
    if (it == m_meta.end()) {
        if (m_meta.size() >= kMaxMetadataFamiliesPerTarget ||
            m_metaBytes + name.size() > kMaxMetadataBytesPerTarget)
            return;
        it = m_meta.emplace(std::string(name), MetadataEntry{}).first;
        m_metaBytes += name.size() + it->second.type.size();
        m_metaChanged = true;
    }
    MetadataEntry& meta = it->second;
    meta.lastAttempt = m_attempt;
    auto update = [this](std::string& field, std::string_view text) {
        if (field == text)
            return;
        if (text.size() > field.size() &&
            m_metaBytes + (text.size() - field.size()) > kMaxMetadataBytesPerTarget)
            return;  // over budget: keep what is known
        m_metaBytes = m_metaBytes - field.size() + text.size();
        field.assign(text);
        m_metaChanged = true;
    };
    switch (entry) {
        case Entry::kType:
            update(meta.type, metricTypeName(parser.type()));
            break;
        case Entry::kHelp:
            update(meta.help, parser.help());
            break;
        case Entry::kUnit:
            update(meta.unit, parser.unit());
            break;
        default:
            break;
    }
}

void ScrapeLoop::finishMetadata() {
    for (auto it = m_meta.begin(); it != m_meta.end();) {
        if (it->second.lastAttempt + kMetadataRetentionScrapes < m_attempt) {
            m_metaBytes -= it->first.size() + it->second.type.size() + it->second.help.size() +
                           it->second.unit.size();
            it = m_meta.erase(it);
            m_metaChanged = true;
        } else {
            ++it;
        }
    }
    if (!m_metaChanged)
        return;
    m_metaChanged = false;
    auto published = std::make_shared<std::vector<MetricMetadata>>();
    published->reserve(m_meta.size());
    for (const auto& [name, meta] : m_meta)
        published->push_back({name, meta.type, meta.help, meta.unit});
    std::sort(published->begin(), published->end(),
              [](const MetricMetadata& a, const MetricMetadata& b) { return a.metric < b.metric; });
    std::lock_guard lock(m_mutex);
    m_metadata = std::move(published);
}

Status ScrapeLoop::checkLabelLimits(const model::Labels& labels, const LoopOptions& options) const {
    const std::string_view metric = labels.metricName();
    if (options.labelLimit > 0 && labels.size() > options.labelLimit) {
        return Status::error("label_limit exceeded (metric: " + cut50(metric) +
                             ", number of labels: " + std::to_string(labels.size()) +
                             ", limit: " + std::to_string(options.labelLimit) + ")");
    }
    if (options.labelNameLengthLimit == 0 && options.labelValueLengthLimit == 0)
        return Status::ok();
    for (const auto& label : labels) {
        if (options.labelNameLengthLimit > 0 && label.name.size() > options.labelNameLengthLimit) {
            return Status::error("label_name_length_limit exceeded (metric: " + cut50(metric) +
                                 ", label name: " + cut50(label.name) +
                                 ", length: " + std::to_string(label.name.size()) +
                                 ", limit: " + std::to_string(options.labelNameLengthLimit) + ")");
        }
        if (options.labelValueLengthLimit > 0 &&
            label.value.size() > options.labelValueLengthLimit) {
            return Status::error("label_value_length_limit exceeded (metric: " + cut50(metric) +
                                 ", label name: " + cut50(label.name) +
                                 ", value: " + goQuote(cut50(label.value)) +
                                 ", length: " + std::to_string(label.value.size()) +
                                 ", limit: " + std::to_string(options.labelValueLengthLimit) + ")");
        }
    }
    return Status::ok();
}

Status ScrapeLoop::appendPage(model::Appender& app, const LoopOptions& options,
                              std::string_view body, std::string_view contentType,
                              model::Timestamp t, ScrapeReport& report) {
    const FormatChoice choice = parserFor(contentType);
    std::unique_ptr<ExpositionParser> parser = makeParser(choice.format, body);
    std::uint64_t epoch;
    {
        std::lock_guard lock(m_mutex);
        epoch = m_epoch;
    }
    bool sampleLimitExceeded = false;
    std::uint64_t appended = 0;
    for (;;) {
        const Entry entry = parser->next();
        if (entry == Entry::kEnd)
            break;
        if (entry == Entry::kInvalid)
            return parser->status();
        if (entry != Entry::kSeries) {
            if (entry == Entry::kType || entry == Entry::kHelp || entry == Entry::kUnit)
                noteMetadata(entry, *parser);
            continue;
        }
        ++report.samplesScraped;
        const std::string_view series = parser->series();
        const std::optional<model::Timestamp> own = parser->timestamp();
        const bool explicitTime = options.honorTimestamps && own.has_value();
        const model::Timestamp sampleTime = explicitTime ? *own : t;

        auto it = m_cache.find(series);
        bool fresh = false;
        CacheEntry* ce = nullptr;
        if (it != m_cache.end() && it->second.epoch == epoch) {
            ce = &it->second;
            fresh = ce->lastScrape == 0;
        } else {
            m_builder.reset(model::Labels());
            parser->labels(m_builder);
            model::Labels merged =
                mergeTargetLabels(m_builder.labels(), m_publicLabels, options.honorLabels);
            if (!options.metricRelabelConfigs.empty()) {
                std::optional<model::Labels> relabeled =
                    relabel(merged, options.metricRelabelConfigs);
                merged = relabeled ? std::move(*relabeled) : model::Labels();
            }
            if (!merged.empty()) {
                if (!merged.has(model::kMetricName))
                    return Status::error("missing metric name (__name__ label)");
                Status limits = checkLabelLimits(merged, options);
                if (!limits.isOk())
                    return limits;
            }
            if (it == m_cache.end())
                it = m_cache.emplace(std::string(series), CacheEntry{}).first;
            ce = &it->second;
            fresh = ce->labels != merged || ce->lastScrape == 0;
            ce->labelsHash = merged.hash();
            ce->labels = std::move(merged);
            ce->epoch = epoch;
        }
        ce->lastTouched = m_attempt;
        if (ce->labels.empty())
            continue;  // dropped by metric_relabel_configs
        ++report.samplesPostRelabeling;
        if (options.sampleLimit > 0 && appended >= options.sampleLimit) {
            // Keep counting, as Prometheus does, so that the report says how
            // many samples the page had after relabeling.
            sampleLimitExceeded = true;
            continue;
        }
        const model::AppendError error = app.append(ce->labels, sampleTime, parser->value());
        if (error != model::AppendError::kNone) {
            ++report.appendErrors;
            continue;
        }
        ++appended;
        if (fresh)
            ++report.seriesAdded;
        ce->tracked = !explicitTime;
        m_seen.push_back(ce);
    }
    report.samplesAppended = appended;
    if (sampleLimitExceeded)
        return Status::error("sample limit exceeded");
    return Status::ok();
}

void ScrapeLoop::finishScrape(model::Appender& app, model::Timestamp t, ScrapeReport& report) {
    const std::uint64_t previous = m_scrapeId;
    const std::uint64_t current = ++m_scrapeId;
    for (CacheEntry* entry : m_seen)
        entry->lastScrape = current;

    std::unordered_set<std::uint64_t> seenHashes;
    bool builtSeen = false;
    for (auto it = m_cache.begin(); it != m_cache.end();) {
        CacheEntry& entry = it->second;
        if (previous != 0 && entry.lastScrape == previous && entry.tracked &&
            !entry.labels.empty()) {
            // Two page lines can map to one series (metric relabeling);
            // it is stale only if no line produced it this time.
            if (!builtSeen) {
                for (const CacheEntry* seen : m_seen)
                    seenHashes.insert(seen->labelsHash);
                builtSeen = true;
            }
            if (!seenHashes.contains(entry.labelsHash)) {
                app.append(entry.labels, t, model::staleNaN());
                ++report.staleMarkers;
            }
        }
        // Forget entries unused for a few scrapes (series churn).
        if (entry.lastScrape != current && entry.lastTouched + 2 < m_attempt)
            it = m_cache.erase(it);
        else
            ++it;
    }
    m_seen.clear();
}

void ScrapeLoop::appendReport(model::Appender& app, model::Timestamp t, const ScrapeReport& report,
                              bool up) {
    const double values[] = {
        up ? 1.0 : 0.0, report.durationSeconds, static_cast<double>(report.samplesScraped),
        static_cast<double>(report.samplesPostRelabeling), static_cast<double>(report.seriesAdded)};
    for (std::size_t i = 0; i < m_reportLabels.size(); ++i)
        app.append(m_reportLabels[i], t, values[i]);
    m_reportWritten = true;
}

ScrapeReport ScrapeLoop::process(model::Timestamp scrapeTime, const ScrapeResponse& response) {
    std::shared_ptr<const LoopOptions> options;
    Status error;
    {
        std::lock_guard lock(m_mutex);
        options = m_options;
        error = m_forcedError;
    }
    if (error.isOk())
        error = response.status;

    ScrapeReport report;
    ++m_attempt;
    m_seen.clear();
    std::unique_ptr<model::Appender> app = m_storage.appender();
    if (response.status.isOk())
        m_lastBodySize.store(response.body.size(), std::memory_order_relaxed);
    if (error.isOk()) {
        error = appendPage(*app, *options, response.body, response.contentType, scrapeTime, report);
        if (!error.isOk()) {
            // Nothing of a failed page is kept; the empty page that takes its
            // place ends every series of the last scrape.
            app->rollback();
            app = m_storage.appender();
            m_seen.clear();
            report.samplesAppended = 0;
        }
    }
    report.error = error;
    finishScrape(*app, scrapeTime, report);
    finishMetadata();
    if (response.started != std::chrono::steady_clock::time_point{}) {
        report.durationSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - response.started)
                .count();
    }
    appendReport(*app, scrapeTime, report, error.isOk());
    Status committed = app->commit();
    if (!committed.isOk() && report.error.isOk())
        report.error = Status::ioError("storing the scrape failed: " + committed.message());

    std::lock_guard lock(m_mutex);
    m_snapshot.health = report.error.isOk() ? TargetHealth::kUp : TargetHealth::kDown;
    m_snapshot.lastScrape =
        std::chrono::system_clock::time_point(std::chrono::milliseconds(scrapeTime));
    m_snapshot.lastScrapeDurationSeconds = report.durationSeconds;
    m_snapshot.lastError = report.error.isOk() ? std::string() : report.error.message();
    m_snapshot.lastSamplesScraped = report.samplesScraped;
    return report;
}

void ScrapeLoop::markAllStale(model::Timestamp t) {
    std::unique_ptr<model::Appender> app = m_storage.appender();
    ScrapeReport report;
    ++m_attempt;
    m_seen.clear();
    finishScrape(*app, t, report);
    if (m_reportWritten) {
        for (const model::Labels& labels : m_reportLabels)
            app->append(labels, t, model::staleNaN());
    }
    (void)app->commit();
}

}  // namespace vigil::scrape
