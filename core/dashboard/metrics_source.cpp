#include "core/dashboard/metrics_source.h"

#include <QHash>

namespace vigil::dashboard {

QString inferMetricType(const QString& name) {
    if (name.endsWith(QLatin1String("_total")))
        return QStringLiteral("counter");
    if (name.endsWith(QLatin1String("_bucket")))
        return QStringLiteral("histogram");
    return {};
}

std::vector<MetricInfo> joinMetricMetadata(const QStringList& names,
                                           const std::vector<MetricInfo>& metadata) {
    QHash<QString, const MetricInfo*> byFamily;
    for (const MetricInfo& info : metadata)
        byFamily.insert(info.name, &info);
    std::vector<MetricInfo> out;
    out.reserve(std::size_t(names.size()));
    for (const QString& name : names) {
        MetricInfo info{name, QString(), QString()};
        const MetricInfo* found = byFamily.value(name);
        if (!found)
            for (const char* suffix : {"_bucket", "_count", "_sum", "_total"})
                if (name.endsWith(QLatin1String(suffix)))
                    if ((found = byFamily.value(name.chopped(int(qstrlen(suffix))))))
                        break;
        if (found) {
            info.type = found->type;
            info.help = found->help;
        }
        if (info.type.isEmpty() || info.type == QLatin1String("unknown"))
            info.type = inferMetricType(name);
        out.push_back(std::move(info));
    }
    return out;
}

Result<std::vector<MetricInfo>> MetricsSource::metrics(model::Timestamp startMs,
                                                       model::Timestamp endMs) {
    auto names = labelValues(QStringLiteral("__name__"), QString(), startMs, endMs);
    if (!names.isOk())
        return names.status();
    return joinMetricMetadata(*names, {});
}

Result<std::vector<logs::LogStream>> MetricsSource::queryLogs(const LogsQuery&) {
    return Status::error("the data source '" + name().toStdString() +
                         "' has no logs; logs panels read Vigil's log store");
}

}  // namespace vigil::dashboard
