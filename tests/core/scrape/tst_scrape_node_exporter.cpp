// The scrape manager against the real node_exporter (Debian
// prometheus-node-exporter) on 127.0.0.1, side by side with the real
// Prometheus scraping the same exporter: both store the same series (metric
// names and label sets) and report the same metadata.

#include <httplib.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>
#include <set>
#include <thread>

#include "core/config/prometheus_config.h"
#include "core/instrument/metric_registry.h"
#include "core/model/in_memory_storage.h"
#include "core/scrape/scrape_api.h"
#include "core/scrape/scrape_manager.h"
#include "scrape_test_support.h"
#include "tests/support/http_client.h"
#include "tests/support/prometheus_process.h"

using namespace vigil;
using namespace vigil::scrape;

namespace {

// Collectors whose series set does not depend on timing (no per-request
// Go runtime churn beyond what both see alike).
const QStringList kCollectors = {"cpu", "loadavg", "meminfo", "netdev", "stat", "time", "uname"};

QJsonDocument json(const std::string& body) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(body));
}

std::string labelsKey(const QJsonObject& metric) {
    model::LabelsBuilder builder{model::Labels()};
    for (auto it = metric.begin(); it != metric.end(); ++it)
        builder.set(it.key().toStdString(), it.value().toString().toStdString());
    return builder.labels().toString();
}

}  // namespace

class TestScrapeNodeExporter : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void sameSeriesAndMetadataAsPrometheus();

private:
    QProcess m_exporter;
    QString m_address;
};

void TestScrapeNodeExporter::initTestCase() {
    const QString binary = QStandardPaths::findExecutable("prometheus-node-exporter");
    if (binary.isEmpty())
        QSKIP(
            "prometheus-node-exporter is not installed (Debian package prometheus-node-exporter)");
    if (test::PrometheusProcess::binary().isEmpty())
        QSKIP("prometheus (Debian package prometheus) is not installed");
    m_address = QStringLiteral("127.0.0.1:%1").arg(test::freeLoopbackPort());
    QStringList args = {"--web.listen-address=" + m_address, "--collector.disable-defaults"};
    for (const QString& c : kCollectors)
        args << "--collector." + c;
    m_exporter.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_exporter.setStandardOutputFile(QProcess::nullDevice());
    m_exporter.start(binary, args);
    QVERIFY2(m_exporter.waitForStarted(5000), qPrintable(m_exporter.errorString()));
    QElapsedTimer timer;
    timer.start();
    while (test::httpGet(m_address, "/metrics").status != 200) {
        QVERIFY2(timer.elapsed() < 10000, "node_exporter did not answer within 10 s");
        QVERIFY2(m_exporter.state() == QProcess::Running, "node_exporter exited");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void TestScrapeNodeExporter::cleanupTestCase() {
    if (m_exporter.state() != QProcess::NotRunning) {
        m_exporter.terminate();
        if (!m_exporter.waitForFinished(5000))
            m_exporter.kill();
    }
}

void TestScrapeNodeExporter::sameSeriesAndMetadataAsPrometheus() {
    const std::string yaml =
        "scrape_configs:\n"
        "  - job_name: node\n"
        "    scrape_interval: 1s\n    scrape_timeout: 1s\n"
        "    static_configs:\n      - targets: ['" +
        m_address.toStdString() + "']\n";
    test::PrometheusProcess prometheus;
    const QString started = prometheus.start(QByteArray::fromStdString(yaml));
    QVERIFY2(started.isEmpty(), qPrintable(started));

    auto loaded = config::parsePrometheusConfig(yaml, "test.yml", "/");
    QVERIFY(loaded.isOk());
    model::InMemoryStorage storage;
    instrument::MetricRegistry registry;
    ScrapeManager manager(storage, registry);
    QVERIFY(manager.applyConfig(loaded->config.scrapeConfigs).isOk());
    QVERIFY(manager.start().isOk());
    auto stop = qScopeGuard([&] { manager.stop(); });

    // Three scrapes each.
    QElapsedTimer timer;
    timer.start();
    auto prometheusScrapes = [&] {
        const auto doc = json(
            test::httpGet(prometheus.address(), "/api/v1/query?query=count_over_time(up%5B1m%5D)")
                .body);
        const QJsonArray result = doc["data"]["result"].toArray();
        return result.isEmpty() ? 0 : result[0]["value"][1].toString().toInt();
    };
    while ((test::seriesSamples(storage, "up").size() < 3 || prometheusScrapes() < 3) &&
           timer.elapsed() < 30000)
        QTest::qWait(250);
    QVERIFY2(prometheusScrapes() >= 3, qPrintable(prometheus.log()));
    const auto up = test::seriesSamples(storage, "up");
    QVERIFY(up.size() >= 3);
    for (const auto& s : up)
        QCOMPARE(s.v, 1.0);
    const std::vector<TargetSnapshot> targets = manager.targetSnapshots();
    QCOMPARE(targets.size(), std::size_t(1));
    QCOMPARE(targets[0].health, TargetHealth::kUp);
    QVERIFY2(targets[0].lastError.empty(), targets[0].lastError.c_str());
    QVERIFY(targets[0].lastSamplesScraped > 100);

    // The series: Prometheus's /api/v1/series against Vigil's storage.
    std::set<std::string> expected, actual;
    const auto series = json(
        test::httpGet(prometheus.address(), "/api/v1/series?match%5B%5D=%7Bjob%3D%22node%22%7D")
            .body);
    for (const QJsonValue& v : series["data"].toArray())
        expected.insert(labelsKey(v.toObject()));
    for (const auto& [labels, samples] : test::selectSeries(storage, {{"job", "node"}}))
        actual.insert(labels.toString());
    QVERIFY(expected.size() > 100);
    std::vector<std::string> onlyPrometheus, onlyVigil;
    std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                        std::back_inserter(onlyPrometheus));
    std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                        std::back_inserter(onlyVigil));
    for (const auto& s : onlyPrometheus)
        qWarning("only in Prometheus: %s", s.c_str());
    for (const auto& s : onlyVigil)
        qWarning("only in Vigil: %s", s.c_str());
    QVERIFY(onlyPrometheus.empty());
    QVERIFY(onlyVigil.empty());

    // The metadata of every family, as /api/v1/metadata renders it.
    std::vector<TargetMetadata> metadata = manager.targetMetadata();
    const QJsonObject vigil = json(renderMetadataJson(metadata, "", -1)).object();
    const QJsonObject theirs =
        json(test::httpGet(prometheus.address(), "/api/v1/metadata").body)["data"].toObject();
    QVERIFY(theirs.size() > 20);
    QCOMPARE(QStringList(vigil.keys()), QStringList(theirs.keys()));
    for (const QString& family : theirs.keys())
        QCOMPARE(vigil[family].toArray(), theirs[family].toArray());
}

QTEST_GUILESS_MAIN(TestScrapeNodeExporter)
#include "tst_scrape_node_exporter.moc"
