#include "core/dashboard/http_metrics_source.h"

#include <curl/curl.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <memory>

namespace vigil::dashboard {
namespace {

size_t appendBody(char* data, size_t size, size_t count, void* user) {
    static_cast<QByteArray*>(user)->append(data, static_cast<qsizetype>(size * count));
    return size * count;
}

QString seconds(model::Timestamp ms) {
    return QString::number(static_cast<double>(ms) / 1000.0, 'f', 3);
}

// application/x-www-form-urlencoded; empty values are left out.
QByteArray form(std::initializer_list<std::pair<QString, QString>> fields) {
    QByteArray out;
    for (const auto& [key, value] : fields) {
        if (value.isEmpty())
            continue;
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

model::Labels labelsFrom(const QJsonObject& metric) {
    std::vector<model::Label> labels;
    labels.reserve(static_cast<std::size_t>(metric.size()));
    for (auto it = metric.begin(); it != metric.end(); ++it)
        labels.push_back({it.key().toStdString(), it.value().toString().toStdString()});
    return model::Labels::fromUnsorted(std::move(labels));
}

bool samplePair(const QJsonValue& pair, model::Timestamp& t, double& v) {
    const QJsonArray array = pair.toArray();
    if (array.size() != 2)
        return false;
    t = static_cast<model::Timestamp>(std::llround(array[0].toDouble() * 1000.0));
    const QString text = array[1].toString();
    if (text == QLatin1String("NaN"))
        v = std::numeric_limits<double>::quiet_NaN();
    else if (text == QLatin1String("+Inf"))
        v = std::numeric_limits<double>::infinity();
    else if (text == QLatin1String("-Inf"))
        v = -std::numeric_limits<double>::infinity();
    else
        v = text.toDouble();
    return true;
}

}  // namespace

HttpMetricsSource::HttpMetricsSource(QString baseUrl, std::chrono::milliseconds timeout)
    : m_baseUrl(std::move(baseUrl)), m_timeout(timeout) {
    while (m_baseUrl.endsWith(QLatin1Char('/')))
        m_baseUrl.chop(1);
}

Result<QByteArray> HttpMetricsSource::call(const QString& path, const QByteArray& body, bool post) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        return Status::error("curl_easy_init failed");
    QByteArray url = (m_baseUrl + path).toUtf8();
    if (!post && !body.isEmpty())
        url += '?' + body;
    QByteArray response;
    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.constData());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(m_timeout.count()));
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_ACCEPT_ENCODING, "");
    if (post) {
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.constData());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    const CURLcode code = curl_easy_perform(curl.get());
    const std::string where = (m_baseUrl + path).toStdString();
    if (code != CURLE_OK)
        return Status::error(
            Status::Code::kUnavailable,
            where + ": " + (errorBuffer[0] ? errorBuffer : curl_easy_strerror(code)));
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    QJsonParseError parseError;
    const QJsonObject document = QJsonDocument::fromJson(response, &parseError).object();
    if (parseError.error != QJsonParseError::NoError)
        return Status::error(
            where + ": HTTP " + std::to_string(status) +
            ", not a Prometheus API response: " + response.left(200).toStdString());
    if (document.value(QStringLiteral("status")).toString() != QLatin1String("success"))
        return Status::error(
            where + ": " + document.value(QStringLiteral("errorType")).toString().toStdString() +
            ": " + document.value(QStringLiteral("error")).toString().toStdString());
    return QJsonDocument(document.value(QStringLiteral("data")).isArray()
                             ? QJsonDocument(document.value(QStringLiteral("data")).toArray())
                             : QJsonDocument(document.value(QStringLiteral("data")).toObject()))
        .toJson(QJsonDocument::Compact);
}

Result<MetricsResult> HttpMetricsSource::query(const MetricsQuery& query) {
    const QByteArray body =
        query.instant
            ? form({{QStringLiteral("query"), query.expr},
                    {QStringLiteral("time"), seconds(query.endMs)}})
            : form({{QStringLiteral("query"), query.expr},
                    {QStringLiteral("start"), seconds(query.startMs)},
                    {QStringLiteral("end"), seconds(query.endMs)},
                    {QStringLiteral("step"), seconds(std::max<std::int64_t>(query.stepMs, 1))}});
    auto data = call(
        query.instant ? QStringLiteral("/api/v1/query") : QStringLiteral("/api/v1/query_range"),
        body, true);
    if (!data.isOk())
        return data.status();
    const QJsonObject object = QJsonDocument::fromJson(*data).object();
    MetricsResult out;
    out.resultType = object.value(QStringLiteral("resultType")).toString();
    const QJsonValue result = object.value(QStringLiteral("result"));
    if (out.resultType == QLatin1String("matrix")) {
        for (const QJsonValue& s : result.toArray()) {
            const QJsonObject series = s.toObject();
            SeriesData data;
            data.labels = labelsFrom(series.value(QStringLiteral("metric")).toObject());
            for (const QJsonValue& pair : series.value(QStringLiteral("values")).toArray()) {
                model::Timestamp t = 0;
                double v = 0;
                if (samplePair(pair, t, v)) {
                    data.timestamps.push_back(t);
                    data.values.push_back(v);
                }
            }
            out.series.push_back(std::move(data));
        }
    } else if (out.resultType == QLatin1String("vector")) {
        for (const QJsonValue& s : result.toArray()) {
            const QJsonObject sample = s.toObject();
            model::Timestamp t = 0;
            double v = 0;
            if (samplePair(sample.value(QStringLiteral("value")), t, v))
                out.series.push_back(SeriesData{
                    labelsFrom(sample.value(QStringLiteral("metric")).toObject()), {t}, {v}});
        }
    } else if (out.resultType == QLatin1String("scalar")) {
        model::Timestamp t = 0;
        double v = 0;
        if (samplePair(result, t, v))
            out.series.push_back(SeriesData{{}, {t}, {v}});
    }
    return out;
}

Result<QStringList> HttpMetricsSource::labelNames(const QString& selector, model::Timestamp startMs,
                                                  model::Timestamp endMs) {
    auto data = call(QStringLiteral("/api/v1/labels"),
                     form({{QStringLiteral("match[]"), selector},
                           {QStringLiteral("start"), seconds(startMs)},
                           {QStringLiteral("end"), seconds(endMs)}}),
                     false);
    if (!data.isOk())
        return data.status();
    QStringList out;
    for (const QJsonValue& v : QJsonDocument::fromJson(*data).array())
        out << v.toString();
    return out;
}

Result<QStringList> HttpMetricsSource::labelValues(const QString& label, const QString& selector,
                                                   model::Timestamp startMs,
                                                   model::Timestamp endMs) {
    auto data =
        call(QStringLiteral("/api/v1/label/") +
                 QString::fromLatin1(QUrl::toPercentEncoding(label)) + QStringLiteral("/values"),
             form({{QStringLiteral("match[]"), selector},
                   {QStringLiteral("start"), seconds(startMs)},
                   {QStringLiteral("end"), seconds(endMs)}}),
             false);
    if (!data.isOk())
        return data.status();
    QStringList out;
    for (const QJsonValue& v : QJsonDocument::fromJson(*data).array())
        out << v.toString();
    return out;
}

Result<std::vector<MetricInfo>> HttpMetricsSource::metrics(model::Timestamp startMs,
                                                           model::Timestamp endMs) {
    auto names = labelValues(QStringLiteral("__name__"), QString(), startMs, endMs);
    if (!names.isOk())
        return names.status();
    std::vector<MetricInfo> metadata;
    // Metadata is optional (older or partial APIs): names alone still work.
    if (auto data = call(QStringLiteral("/api/v1/metadata"), QByteArray(), false); data.isOk()) {
        const QJsonObject families = QJsonDocument::fromJson(*data).object();
        for (auto it = families.begin(); it != families.end(); ++it) {
            const QJsonObject first = it.value().toArray().first().toObject();
            metadata.push_back({it.key(), first.value(QStringLiteral("type")).toString(),
                                first.value(QStringLiteral("help")).toString()});
        }
    }
    return joinMetricMetadata(*names, metadata);
}

Result<std::vector<logs::LogStream>> HttpMetricsSource::queryLogs(const LogsQuery& query) {
    const QByteArray body =
        form({{QStringLiteral("query"), query.expr},
              {QStringLiteral("start"), QString::number(query.startMs * 1'000'000)},
              {QStringLiteral("end"), QString::number(query.endMs * 1'000'000)},
              {QStringLiteral("limit"), QString::number(query.limit)},
              {QStringLiteral("direction"),
               query.newestFirst ? QStringLiteral("backward") : QStringLiteral("forward")}});
    auto data = call(QStringLiteral("/loki/api/v1/query_range"), body, false);
    if (!data.isOk())
        return data.status();
    const QJsonObject object = QJsonDocument::fromJson(data.value()).object();
    const QString type = object.value(QStringLiteral("resultType")).toString();
    if (type != QLatin1String("streams"))
        return Status::error(
            (m_baseUrl + QStringLiteral("/loki/api/v1/query_range")).toStdString() +
            ": a logs panel needs a log query, the answer is of type '" + type.toStdString() + "'");
    std::vector<logs::LogStream> streams;
    for (const QJsonValue& value : object.value(QStringLiteral("result")).toArray()) {
        const QJsonObject item = value.toObject();
        logs::LogStream stream;
        stream.labels = labelsFrom(item.value(QStringLiteral("stream")).toObject());
        for (const QJsonValue& entry : item.value(QStringLiteral("values")).toArray()) {
            const QJsonArray pair = entry.toArray();
            if (pair.size() < 2)
                continue;
            logs::LogEntry e;
            e.tsNs = pair[0].toString().toLongLong();
            e.line = pair[1].toString().toStdString();
            if (pair.size() > 2)
                e.structuredMetadata = labelsFrom(pair[2].toObject());
            stream.entries.push_back(std::move(e));
        }
        streams.push_back(std::move(stream));
    }
    return streams;
}

}  // namespace vigil::dashboard
