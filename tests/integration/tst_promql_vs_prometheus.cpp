// Agreement with the real Prometheus on the same data: a generated dataset is
// imported into both (promtool tsdb create-blocks-from openmetrics, and
// vigilctl tsdb import openmetrics), both servers are started on loopback, and
// a list of queries goes through both HTTP APIs. Result types, label sets and
// timestamps must be identical and values equal within a relative 1e-9.
// Skipped, with the reason, when prometheus/promtool or the generator are absent.

#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>
#include <cmath>

#include "tests/support/prometheus_process.h"
#include "tests/support/vigil_process.h"

namespace {

constexpr qint64 kStart = 1735689600;  // the generator's default start (2025-01-01T00:00:00Z)
constexpr qint64 kHours = 2;

int runTool(const QString& program, const QStringList& args, QString* output = nullptr,
            int timeoutMs = 600000) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        return -1;
    }
    if (output)
        *output = QString::fromUtf8(p.readAll());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

QJsonObject apiGet(const QString& address, const QString& path, const QUrlQuery& query) {
    const auto reply = vigil::test::httpGet(
        address, (path + "?" + query.toString(QUrl::FullyEncoded)).toStdString());
    QJsonObject object = QJsonDocument::fromJson(QByteArray::fromStdString(reply.body)).object();
    object["_http_status"] = reply.status;
    return object;
}

bool sameValue(const QString& a, const QString& b) {
    if (a == b)
        return true;
    bool okA = false, okB = false;
    const double x = a.toDouble(&okA), y = b.toDouble(&okB);
    if (!okA || !okB)
        return false;
    if (std::isnan(x) && std::isnan(y))
        return true;
    return std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y));
}

QString labelsKey(const QJsonObject& metric) {
    QStringList parts;
    for (auto it = metric.begin(); it != metric.end(); ++it)
        parts << it.key() + "=" + it.value().toString();
    parts.sort();
    return "{" + parts.join(",") + "}";
}

// Compares two API "data" objects; returns an empty string when they agree.
QString compareData(const QJsonObject& ours, const QJsonObject& theirs, bool ordered) {
    if (ours["resultType"] != theirs["resultType"]) {
        return "resultType " + ours["resultType"].toString() + " vs " +
               theirs["resultType"].toString();
    }
    const QString type = theirs["resultType"].toString();
    if (type == "scalar" || type == "string") {
        const QJsonArray a = ours["result"].toArray(), b = theirs["result"].toArray();
        if (a[0].toDouble() != b[0].toDouble() || !sameValue(a[1].toString(), b[1].toString())) {
            return "scalar " + QJsonDocument(a).toJson(QJsonDocument::Compact) + " vs " +
                   QJsonDocument(b).toJson(QJsonDocument::Compact);
        }
        return {};
    }
    const QJsonArray a = ours["result"].toArray(), b = theirs["result"].toArray();
    if (a.size() != b.size())
        return QStringLiteral("%1 series vs %2").arg(a.size()).arg(b.size());
    QMap<QString, QJsonObject> mine;
    for (int i = 0; i < a.size(); ++i)
        mine[labelsKey(a[i].toObject()["metric"].toObject())] = a[i].toObject();
    for (int i = 0; i < b.size(); ++i) {
        const QJsonObject expected = b[i].toObject();
        const QString key = labelsKey(expected["metric"].toObject());
        if (ordered && labelsKey(a[i].toObject()["metric"].toObject()) != key)
            return "order differs at " + key;
        if (!mine.contains(key))
            return "missing series " + key;
        const QJsonObject got = mine[key];
        QJsonArray gotPoints, expectedPoints;
        if (type == "vector") {
            gotPoints.append(got["value"]);
            expectedPoints.append(expected["value"]);
        } else {
            gotPoints = got["values"].toArray();
            expectedPoints = expected["values"].toArray();
        }
        if (gotPoints.size() != expectedPoints.size()) {
            return QStringLiteral("%1: %2 points vs %3")
                .arg(key)
                .arg(gotPoints.size())
                .arg(expectedPoints.size());
        }
        for (int p = 0; p < gotPoints.size(); ++p) {
            const QJsonArray g = gotPoints[p].toArray(), e = expectedPoints[p].toArray();
            if (std::llround(g[0].toDouble() * 1000) != std::llround(e[0].toDouble() * 1000) ||
                !sameValue(g[1].toString(), e[1].toString())) {
                return QStringLiteral("%1 point %2: [%3, %4] vs [%5, %6]")
                    .arg(key)
                    .arg(p)
                    .arg(g[0].toDouble(), 0, 'f', 3)
                    .arg(g[1].toString())
                    .arg(e[0].toDouble(), 0, 'f', 3)
                    .arg(e[1].toString());
            }
        }
    }
    return {};
}

const QStringList kQueries = {
    "node_load1",
    "node_cpu_seconds_total{mode=\"idle\"}",
    "rate(node_cpu_seconds_total[5m])",
    "irate(node_cpu_seconds_total{mode=\"user\"}[5m])",
    "increase(node_network_receive_bytes_total[10m])",
    "sum by (mode)(rate(node_cpu_seconds_total[5m]))",
    "sum without (cpu)(rate(node_cpu_seconds_total[5m]))",
    "avg by (instance)(node_load1)",
    "max_over_time(node_load1[15m])",
    "min_over_time(node_load1[15m])",
    "avg_over_time(node_memory_MemAvailable_bytes[10m])",
    "sum_over_time(node_load1[10m])",
    "count_over_time(node_load1[10m])",
    "stddev_over_time(node_load1[30m])",
    "quantile_over_time(0.9, node_load1[30m])",
    "last_over_time(node_load1[10m])",
    "present_over_time(node_load1[10m])",
    "histogram_quantile(0.99, sum by (le)(rate(http_request_duration_seconds_bucket[5m])))",
    "histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[5m]))",
    "rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])",
    "topk(3, node_load1)",
    "bottomk(2, rate(node_cpu_seconds_total[5m]))",
    "count by (mode)(node_cpu_seconds_total)",
    "count_values(\"value\", floor(node_load1))",
    "quantile(0.9, node_load1)",
    "stddev(node_load1)",
    "stdvar(rate(node_cpu_seconds_total[5m]))",
    "node_memory_MemAvailable_bytes / 1024 / 1024",
    "node_load1 > 1",
    "node_load1 > bool 1",
    "node_load1 and on(instance) node_memory_MemAvailable_bytes > 0",
    "rate(node_cpu_seconds_total[5m]) * on(instance) group_left node_load1",
    "delta(node_load1[10m])",
    "deriv(node_load1[10m])",
    "predict_linear(node_load1[30m], 3600)",
    "changes(node_load1[30m])",
    "resets(node_cpu_seconds_total[30m])",
    "label_replace(node_load1, \"host\", \"$1\", \"instance\", \"(.*):.*\")",
    "label_join(node_load1, \"both\", \"/\", \"instance\", \"job\")",
    "absent(nonexistent_metric)",
    "absent_over_time(nonexistent_metric[5m])",
    "node_load1 offset 10m",
    "node_load1 @ 1735693200",
    "max_over_time(rate(node_cpu_seconds_total{mode=\"idle\"}[5m])[30m:1m])",
    "clamp(node_load1, 0.5, 1.5)",
    "round(node_load1, 0.1)",
    "abs(-node_load1)",
    "sqrt(node_load1)",
    "ln(node_memory_MemAvailable_bytes)",
    "timestamp(node_load1)",
    "time()",
    "vector(1)",
    "scalar(sum(node_load1))",
    "holt_winters(node_load1[30m], 0.5, 0.5)",
    "hour(timestamp(node_load1))",
    "sgn(node_load1 - 1)",
    "group by (job)(node_load1)",
    "sum(rate(node_network_receive_bytes_total[5m])) by (device)",
    "-node_load1 ^ 2",
    "node_load1 % 0.3",
    "node_load1 unless node_load1 > 1",
    "node_load1 or vector(0)",
};

}  // namespace

class TestPromqlVsPrometheus : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<vigil::test::PrometheusProcess> m_prometheus;
    std::unique_ptr<vigil::test::VigilProcess> m_vigil;
    QString m_vigilAddress;

private slots:
    void initTestCase() {
        const QString promtool = QStandardPaths::findExecutable("promtool");
        if (promtool.isEmpty() || vigil::test::PrometheusProcess::binary().isEmpty()) {
            QSKIP(
                "prometheus and promtool (Debian package 'prometheus') are needed; make deps "
                "installs them");
        }
        const QString generator =
            qEnvironmentVariable("VIGIL_SHARED_DIR") + "/tools/gen_openmetrics.py";
        if (!QFile::exists(generator))
            QSKIP("shared/tools/gen_openmetrics.py is absent (VIGIL_SHARED_DIR)");

        const QString data = m_dir.filePath("data.om");
        QString out;
        QCOMPARE(
            runTool("python3",
                    {generator, "--hosts", "3", "--hours", QString::number(kHours), "-o", data},
                    &out),
            0);
        const QString promData = m_dir.filePath("prometheus-data");
        QVERIFY2(runTool(promtool, {"tsdb", "create-blocks-from", "openmetrics", data, promData},
                         &out) == 0,
                 qPrintable(out));
        const QString vigilData = m_dir.filePath("vigil-data");
        QVERIFY2(runTool(vigil::test::vigilBinary("vigilctl"),
                         {"tsdb", "import", "openmetrics", data, vigilData}, &out) == 0,
                 qPrintable(out));

        m_prometheus = std::make_unique<vigil::test::PrometheusProcess>();
        // The blocks are in the past: keep them, and answer old timestamps.
        const QString error = m_prometheus->start("global: {scrape_interval: 1h}\n",
                                                  {"--storage.tsdb.retention.time=100y"}, promData);
        QVERIFY2(error.isEmpty(), qPrintable(error));

        QFile config(m_dir.filePath("vigil.yml"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(
            "host_collector:\n  enabled: false\nself_monitoring:\n  enabled: false\nstorage:\n  "
            "retention_time: 0s\n  retention_size: "
            "0\n");
        config.close();
        m_vigil = std::make_unique<vigil::test::VigilProcess>(
            QStringList{"--headless", "--config", config.fileName(), "--data-dir", vigilData,
                        "--listen", "127.0.0.1:0"});
        m_vigilAddress = m_vigil->waitForAddress();
        QVERIFY2(!m_vigilAddress.isEmpty(), qPrintable(m_vigil->log()));
    }

    void instantQueries_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<qint64>("time");
        for (const QString& q : kQueries) {
            for (qint64 offset :
                 {qint64(1800), qint64(3600), kHours * 3600 - 60, kHours * 3600 + 600}) {
                QTest::newRow(qPrintable(QStringLiteral("%1 @+%2s").arg(q).arg(offset)))
                    << q << (kStart + offset);
            }
        }
    }
    void instantQueries() {
        QFETCH(QString, query);
        QFETCH(qint64, time);
        QUrlQuery params;
        params.addQueryItem("query", query);
        params.addQueryItem("time", QString::number(time));
        const QJsonObject theirs = apiGet(m_prometheus->address(), "/api/v1/query", params);
        const QJsonObject ours = apiGet(m_vigilAddress, "/api/v1/query", params);
        QCOMPARE(ours["status"].toString(), theirs["status"].toString());
        QCOMPARE(ours["_http_status"].toInt(), theirs["_http_status"].toInt());
        if (theirs["status"] == "error") {
            QCOMPARE(ours["errorType"].toString(), theirs["errorType"].toString());
            return;
        }
        const QString diff = compareData(ours["data"].toObject(), theirs["data"].toObject(),
                                         query.startsWith("sort"));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void rangeQueries_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<qint64>("step");
        for (const QString& q : kQueries) {
            QTest::newRow(qPrintable(q + " step 60s")) << q << qint64(60);
            QTest::newRow(qPrintable(q + " step 37s")) << q << qint64(37);
        }
    }
    void rangeQueries() {
        QFETCH(QString, query);
        QFETCH(qint64, step);
        QUrlQuery params;
        params.addQueryItem("query", query);
        params.addQueryItem("start", QString::number(kStart));
        params.addQueryItem("end", QString::number(kStart + kHours * 3600 + 300));
        params.addQueryItem("step", QString::number(step));
        const QJsonObject theirs = apiGet(m_prometheus->address(), "/api/v1/query_range", params);
        const QJsonObject ours = apiGet(m_vigilAddress, "/api/v1/query_range", params);
        QCOMPARE(ours["status"].toString(), theirs["status"].toString());
        if (theirs["status"] == "error") {
            QCOMPARE(ours["errorType"].toString(), theirs["errorType"].toString());
            return;
        }
        const QString diff = compareData(ours["data"].toObject(), theirs["data"].toObject(), false);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void metadataEndpoints_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("match");
        QTest::newRow("labels") << "/api/v1/labels"
                                << "";
        QTest::newRow("labels-match") << "/api/v1/labels"
                                      << "node_load1";
        QTest::newRow("values-instance") << "/api/v1/label/instance/values"
                                         << "";
        QTest::newRow("values-name") << "/api/v1/label/__name__/values"
                                     << "";
        QTest::newRow("values-mode-match") << "/api/v1/label/mode/values"
                                           << "node_cpu_seconds_total{cpu=\"0\"}";
        QTest::newRow("series") << "/api/v1/series"
                                << "{__name__=~\"node_load1|node_memory.*\"}";
    }
    void metadataEndpoints() {
        QFETCH(QString, path);
        QFETCH(QString, match);
        QUrlQuery params;
        if (!match.isEmpty())
            params.addQueryItem("match[]", match);
        params.addQueryItem("start", QString::number(kStart));
        params.addQueryItem("end", QString::number(kStart + kHours * 3600));
        const QJsonObject theirs = apiGet(m_prometheus->address(), path, params);
        const QJsonObject ours = apiGet(m_vigilAddress, path, params);
        QCOMPARE(ours["status"].toString(), QStringLiteral("success"));
        QCOMPARE(QJsonDocument(ours["data"].toArray()).toJson(QJsonDocument::Compact),
                 QJsonDocument(theirs["data"].toArray()).toJson(QJsonDocument::Compact));
    }

    void errorShapes_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("queryString");
        QTest::newRow("parse-error") << "/api/v1/query"
                                     << "query=sum(";
        QTest::newRow("bad-time") << "/api/v1/query"
                                  << "query=up&time=yesterday";
        QTest::newRow("bad-step") << "/api/v1/query_range"
                                  << "query=up&start=1&end=2&step=0";
        QTest::newRow("end-before-start") << "/api/v1/query_range"
                                          << "query=up&start=10&end=2&step=1";
        QTest::newRow("too-many-points") << "/api/v1/query_range"
                                         << "query=up&start=0&end=100000&step=1";
        QTest::newRow("series-no-match") << "/api/v1/series"
                                         << "";
        QTest::newRow("unknown-function") << "/api/v1/query"
                                          << "query=rat(up[5m])";
        QTest::newRow("series-bad-start") << "/api/v1/series"
                                          << "match[]=up&start=soon";
        QTest::newRow("labels-bad-match") << "/api/v1/labels"
                                          << "match[]=up{";
        QTest::newRow("values-bad-match") << "/api/v1/label/job/values"
                                          << "match[]=up{";
        QTest::newRow("series-bad-match") << "/api/v1/series"
                                          << "match[]=up{";

        QTest::newRow("range-bad-start") << "/api/v1/query_range"
                                         << "query=up&start=x&end=2&step=1";
        QTest::newRow("eval-error") << "/api/v1/query"
                                    << "query=node_load1 + on(job) node_load1&time=1735693200";
    }
    void errorShapes() {
        QFETCH(QString, path);
        QFETCH(QString, queryString);
        const QUrlQuery params(queryString);
        const QJsonObject theirs = apiGet(m_prometheus->address(), path, params);
        const QJsonObject ours = apiGet(m_vigilAddress, path, params);
        QCOMPARE(ours["_http_status"].toInt(), theirs["_http_status"].toInt());
        QCOMPARE(ours["status"].toString(), theirs["status"].toString());
        QCOMPARE(ours["errorType"].toString(), theirs["errorType"].toString());
        QCOMPARE(ours["error"].toString(), theirs["error"].toString());
    }

    void cleanupTestCase() {
        if (m_vigil)
            QCOMPARE(m_vigil->terminate(), 0);
    }
};

QTEST_GUILESS_MAIN(TestPromqlVsPrometheus)
#include "tst_promql_vs_prometheus.moc"
