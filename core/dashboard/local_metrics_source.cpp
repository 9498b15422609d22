#include "core/dashboard/local_metrics_source.h"

#include "core/logs/logql/engine.h"
#include "core/logs/logql/parser.h"

#include <set>

#include "core/model/storage.h"
#include "core/promql/engine.h"
#include "core/promql/parser.h"

namespace vigil::dashboard {
namespace {

QStringList toQStringList(const std::vector<std::string>& values) {
    QStringList out;
    out.reserve(static_cast<qsizetype>(values.size()));
    for (const auto& v : values)
        out << QString::fromStdString(v);
    return out;
}

Result<std::vector<model::Matcher>> selectorMatchers(const QString& selector) {
    if (selector.trimmed().isEmpty())
        return std::vector<model::Matcher>{};
    auto matchers = promql::parseSeriesSelector(selector.toStdString());
    if (!matchers.isOk())
        return matchers.status().withContext("selector '" + selector.toStdString() + "'");
    return std::move(*matchers);
}

}  // namespace

Result<std::vector<logs::LogStream>> LocalMetricsSource::queryLogs(const LogsQuery& query) {
    if (!m_logReader)
        return Status::error("the log store is not enabled (logs.enabled in vigil.yml)");
    logql::Engine engine(*m_logReader);
    logql::QueryParams params;
    params.startNs = query.startMs * 1'000'000;
    params.endNs = query.endMs * 1'000'000;
    params.limit = std::max<std::size_t>(1, query.limit);
    params.direction = query.newestFirst ? logs::Direction::kBackward : logs::Direction::kForward;
    const std::string expr = query.expr.toStdString();
    auto parsed = logql::parse(expr);
    if (!parsed.isOk())
        return parsed.status();
    if (!parsed.value()->isLogQuery())
        return Status::error(
            "a logs panel needs a log query (a stream selector with an optional "
            "pipeline), not a metric query");
    auto result = engine.exec(*parsed.value(), params);
    if (!result.isOk())
        return result.status();
    return std::move(result.value().streams);
}

Result<MetricsResult> LocalMetricsSource::query(const MetricsQuery& query) {
    promql::QueryControl control;
    control.slot = query.slot.toStdString();
    const std::string expr = query.expr.toStdString();
    // As the Prometheus API does: offsets, @ and subqueries may reach
    // anywhere, the engine bounds what it reads.
    auto querier = m_storage.querier(model::kMinTimestamp, model::kMaxTimestamp);
    promql::QueryResult result =
        query.instant ? m_engine.instantQuery(*querier, expr, query.endMs, control)
                      : m_engine.rangeQuery(*querier, expr, query.startMs, query.endMs,
                                            std::max<std::int64_t>(query.stepMs, 1), control);
    if (!result.status.isOk())
        return result.status;
    MetricsResult out;
    const promql::Value& value = result.value;
    switch (value.type) {
        case promql::ValueType::kMatrix:
            out.resultType = QStringLiteral("matrix");
            for (const auto& series : value.matrix) {
                SeriesData data;
                data.labels = series.labels;
                data.timestamps.reserve(series.points.size());
                data.values.reserve(series.points.size());
                for (const auto& point : series.points) {
                    data.timestamps.push_back(point.t);
                    data.values.push_back(point.v);
                }
                out.series.push_back(std::move(data));
            }
            break;
        case promql::ValueType::kVector:
            out.resultType = QStringLiteral("vector");
            for (const auto& sample : value.vector)
                out.series.push_back(SeriesData{sample.labels, {sample.t}, {sample.v}});
            break;
        case promql::ValueType::kScalar:
            out.resultType = QStringLiteral("scalar");
            out.series.push_back(SeriesData{{}, {value.scalar.t}, {value.scalar.v}});
            break;
        default:
            out.resultType = QStringLiteral("string");
            break;
    }
    return out;
}

Result<QStringList> LocalMetricsSource::labelNames(const QString& selector,
                                                   model::Timestamp startMs,
                                                   model::Timestamp endMs) {
    auto matchers = selectorMatchers(selector);
    if (!matchers.isOk())
        return matchers.status();
    auto querier = m_storage.querier(startMs, endMs);
    auto names = querier->labelNames(*matchers);
    if (!names.isOk())
        return names.status();
    return toQStringList(*names);
}

Result<QStringList> LocalMetricsSource::labelValues(const QString& label, const QString& selector,
                                                    model::Timestamp startMs,
                                                    model::Timestamp endMs) {
    auto matchers = selectorMatchers(selector);
    if (!matchers.isOk())
        return matchers.status();
    auto querier = m_storage.querier(startMs, endMs);
    auto values = querier->labelValues(label.toStdString(), *matchers);
    if (!values.isOk())
        return values.status();
    return toQStringList(*values);
}

Result<std::vector<MetricInfo>> LocalMetricsSource::metrics(model::Timestamp startMs,
                                                            model::Timestamp endMs) {
    auto names = labelValues(QStringLiteral("__name__"), QString(), startMs, endMs);
    if (!names.isOk())
        return names.status();
    return joinMetricMetadata(*names, m_metadata ? m_metadata() : std::vector<MetricInfo>{});
}

}  // namespace vigil::dashboard
