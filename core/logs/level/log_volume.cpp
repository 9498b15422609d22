#include "core/logs/level/log_volume.h"

#include <algorithm>
#include <optional>

#include "core/logs/logql/parser.h"
#include "core/logs/logql/pipeline.h"

namespace vigil::logs {
namespace {

constexpr std::array<std::string_view, 5> kLevelLabels = {"level", "severity", "lvl", "loglevel",
                                                          "detected_level"};

class VolumeVisitor final : public StreamVisitor {
public:
    VolumeVisitor(LogVolume& volume, const logql::Pipeline& pipeline, std::uint64_t maxLines,
                  const std::atomic<bool>* cancel)
        : m_volume(volume), m_pipeline(pipeline), m_maxLines(maxLines), m_cancel(cancel) {}

    bool beginStream(const model::Labels& labels) override {
        if (stopped())
            return false;
        m_labels = &labels;
        m_streamLevel.reset();
        if (m_pipeline.empty()) {
            // Without a pipeline the labels are the stream's: a level label
            // decides every line at once.
            LogLevel l = detectLogLevel(labels, std::string_view());
            if (l != LogLevel::kUnknown)
                m_streamLevel = l;
        }
        return true;
    }

    bool entry(TimestampNs tsNs, std::string_view line) override {
        if (stopped())
            return false;
        LogLevel level;
        if (m_streamLevel) {
            level = *m_streamLevel;
        } else if (m_pipeline.empty()) {
            level = detectLogLevelInLine(line);
        } else {
            m_lineLabels.reset(*m_labels, m_noMetadata);
            m_scratch.assign(line);
            if (!m_pipeline.process(tsNs, m_scratch, m_lineLabels))
                return true;
            level = LogLevel::kUnknown;
            for (std::string_view key : kLevelLabels) {
                if (auto v = m_lineLabels.get(key); v && !v->empty()) {
                    level = logLevelFromValue(*v);
                    if (level != LogLevel::kUnknown)
                        break;
                }
            }
            if (level == LogLevel::kUnknown)
                level = detectLogLevelInLine(m_scratch);
        }
        const auto index = static_cast<std::size_t>((tsNs - m_volume.startNs) / m_volume.stepNs);
        if (index < m_volume.buckets.size())
            ++m_volume.buckets[index][static_cast<std::size_t>(level)];
        if (++m_volume.lines >= m_maxLines)
            m_volume.truncated = true;
        return !stopped();
    }

private:
    bool stopped() const {
        return m_volume.truncated || (m_cancel && m_cancel->load(std::memory_order_relaxed));
    }

    LogVolume& m_volume;
    const logql::Pipeline& m_pipeline;
    const std::uint64_t m_maxLines;
    const std::atomic<bool>* m_cancel;
    const model::Labels* m_labels = nullptr;
    const model::Labels m_noMetadata;
    std::optional<LogLevel> m_streamLevel;
    logql::LineLabels m_lineLabels;
    std::string m_scratch;
};

}  // namespace

Result<LogVolume> computeLogVolume(const LogReader& reader, std::string_view query,
                                   TimestampNs startNs, TimestampNs endNs, int buckets,
                                   std::uint64_t maxLines, const std::atomic<bool>* cancel) {
    if (endNs <= startNs)
        return Status::error("log volume: the range is empty (end must be after start)");
    if (buckets < 1)
        return Status::error("log volume: need at least one bucket");
    auto parsed = logql::parse(query);
    if (!parsed.isOk())
        return parsed.status();
    const auto* logQuery = dynamic_cast<const logql::LogQueryExpr*>(parsed.value().get());
    if (!logQuery)
        return Status::error("log volume needs a log query, not a metric query");
    auto pipeline = logql::Pipeline::compile(logQuery->selector.stages);
    if (!pipeline.isOk())
        return pipeline.status();

    LogVolume volume;
    volume.startNs = startNs;
    volume.stepNs = std::max<std::int64_t>(1, (endNs - startNs + buckets - 1) / buckets);
    volume.buckets.resize(static_cast<std::size_t>(buckets));
    LogSelectParams params;
    params.matchers = logQuery->selector.matchers;
    params.startNs = startNs;
    params.endNs = endNs;
    params.direction = Direction::kForward;
    VolumeVisitor visitor(volume, pipeline.value(), std::max<std::uint64_t>(1, maxLines), cancel);
    if (Status s = reader.select(params, visitor); !s.isOk())
        return s;
    return volume;
}

}  // namespace vigil::logs
