// The real Prometheus (Debian `prometheus`) remote-writes to Vigil: it
// scrapes itself every second for a few seconds with remote_write pointed at
// Vigil's listener, is shut down (which flushes its queue), then restarted on
// the same data without scraping. Both query APIs must then hold the same
// series and the same raw samples. Everything runs on 127.0.0.1.

#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include "tests/support/prometheus_process.h"
#include "tests/support/vigil_process.h"

namespace {

QJsonArray rawSamples(const QString& address, qint64 time) {
    QUrlQuery params;
    params.addQueryItem("query", "{__name__=~\".+\"}[1h]");
    params.addQueryItem("time", QString::number(time));
    const auto reply = vigil::test::httpGet(
        address, ("/api/v1/query?" + params.toString(QUrl::FullyEncoded)).toStdString());
    return QJsonDocument::fromJson(QByteArray::fromStdString(reply.body))
        .object()["data"]
        .toObject()["result"]
        .toArray();
}

QMap<QString, QJsonArray> bySeries(const QJsonArray& result) {
    QMap<QString, QJsonArray> out;
    for (const auto& v : result) {
        const QJsonObject series = v.toObject();
        QStringList labels;
        const QJsonObject metric = series["metric"].toObject();
        for (auto it = metric.begin(); it != metric.end(); ++it)
            labels << it.key() + "=" + it.value().toString();
        labels.sort();
        out[labels.join(",")] = series["values"].toArray();
    }
    return out;
}

}  // namespace

class TestRemoteWriteFromPrometheus : public QObject {
    Q_OBJECT
private slots:
    void prometheusRemoteWritesToVigil() {
        if (vigil::test::PrometheusProcess::binary().isEmpty()) {
            QSKIP(
                "prometheus (Debian package 'prometheus') is not installed; make deps installs it");
        }
        QTemporaryDir dir;
        QFile config(dir.filePath("vigil.yml"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("host_collector:\n  enabled: false\nself_monitoring:\n  enabled: false\n");
        config.close();
        vigil::test::VigilProcess vigil({"--headless", "--config", config.fileName(), "--data-dir",
                                         dir.filePath("vigil-data"), "--listen", "127.0.0.1:0"});
        const QString vigilAddress = vigil.waitForAddress();
        QVERIFY2(!vigilAddress.isEmpty(), qPrintable(vigil.log()));

        const QString promData = dir.filePath("prometheus-data");
        {
            vigil::test::PrometheusProcess prometheus;
            const QByteArray yaml =
                QStringLiteral(
                    "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
                    "scrape_configs:\n"
                    "  - job_name: self\n"
                    "    static_configs: [{targets: ['$PROMETHEUS_ADDRESS']}]\n"
                    "remote_write:\n"
                    "  - url: http://%1/api/v1/write\n"
                    "    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms}\n")
                    .arg(vigilAddress)
                    .toUtf8();
            const QString error = prometheus.start(yaml, {}, promData);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            // Prometheus syncs scrape targets every 5 s, then scrapes each second.
            QTest::qWait(12000);
            prometheus.stop();  // graceful: flushes the remote write queue
        }
        vigil::test::PrometheusProcess reader;
        const QString error = reader.start("global: {scrape_interval: 1h}\n", {}, promData);
        QVERIFY2(error.isEmpty(), qPrintable(error));

        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto theirs = bySeries(rawSamples(reader.address(), now));
        const auto ours = bySeries(rawSamples(vigilAddress, now));
        QVERIFY2(theirs.size() > 10, "Prometheus stored too little to compare");
        int samples = 0;
        for (const auto& values : theirs)
            samples += values.size();
        qInfo("comparing %d series, %d samples", int(theirs.size()), samples);
        QVERIFY(samples > 3 * theirs.size());  // several scrapes went through

        QCOMPARE(ours.keys(), theirs.keys());
        for (const QString& series : theirs.keys()) {
            QVERIFY2(ours[series] == theirs[series], qPrintable(series));
        }
        QCOMPARE(vigil.terminate(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRemoteWriteFromPrometheus)
#include "tst_remote_write_from_prometheus.moc"
