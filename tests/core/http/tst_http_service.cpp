#include <QtTest>

#include <atomic>

#include "core/http/http_service.h"
#include "core/instrument/metric_registry.h"
#include "core/instrument/process_metrics.h"
#include "tests/support/http_client.h"

using vigil::http::HttpService;
using vigil::instrument::MetricRegistry;

class TestHttpService : public QObject {
    Q_OBJECT
private:
    MetricRegistry m_registry;
    std::atomic<bool> m_ready{false};
    std::unique_ptr<HttpService> m_service;
    QString m_address;

private slots:
    void initTestCase() {
        vigil::instrument::registerProcessMetrics(m_registry);
        m_registry.histogram("vigil_ui_event_loop_lag_seconds", "Lag.", {0.01, 0.1}).observe(0.002);
        vigil::config::VigilConfig::Server settings;
        settings.listen = {"127.0.0.1", 0};
        settings.maxRequestBytes = 1 << 20;
        m_service =
            std::make_unique<HttpService>(settings, m_registry, [this] { return m_ready.load(); });
        const vigil::Status started = m_service->start();
        QVERIFY2(started.isOk(), started.message().c_str());
        m_address = QString::fromStdString(m_service->boundAddress());
        QVERIFY(m_address.startsWith("127.0.0.1:"));
        QVERIFY(!m_address.endsWith(":0"));
    }
    void cleanupTestCase() { m_service->stop(); }

    void healthy() {
        const auto reply = vigil::test::httpGet(m_address, "/-/healthy");
        QCOMPARE(reply.status, 200);
        QCOMPARE(QString::fromStdString(reply.body), QStringLiteral("Vigil is Healthy.\n"));
    }

    void readyFollowsTheEngine() {
        m_ready = false;
        QCOMPARE(vigil::test::httpGet(m_address, "/-/ready").status, 503);
        m_ready = true;
        const auto reply = vigil::test::httpGet(m_address, "/-/ready");
        QCOMPARE(reply.status, 200);
        QCOMPARE(QString::fromStdString(reply.body), QStringLiteral("Vigil is Ready.\n"));
    }

    void unknownPathIs404() {
        const auto reply = vigil::test::httpGet(m_address, "/no/such/thing");
        QCOMPARE(reply.status, 404);
        QCOMPARE(QString::fromStdString(reply.body), QStringLiteral("404 page not found\n"));
    }

    void oversizedRequestIsRefused() {
        const std::string body(2 << 20, 'x');
        const auto reply = vigil::test::httpRequest(m_address, "POST", "/metrics", body);
        QCOMPARE(reply.status, 413);
        // The listener still serves afterwards.
        QCOMPARE(vigil::test::httpGet(m_address, "/-/healthy").status, 200);
    }

    void metricsIsPrometheusText() {
        // One request first so that vigil_http_requests_total has a series.
        QCOMPARE(vigil::test::httpGet(m_address, "/-/healthy").status, 200);
        const auto reply = vigil::test::httpGet(m_address, "/metrics");
        QCOMPARE(reply.status, 200);
        QCOMPARE(QString::fromStdString(reply.contentType),
                 QStringLiteral("text/plain; version=0.0.4; charset=utf-8"));
        const QString text = QString::fromStdString(reply.body);
        for (const char* name :
             {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
              "process_start_time_seconds ", "vigil_build_info{",
              "vigil_ui_event_loop_lag_seconds_bucket{le=\"+Inf\"} 1",
              "vigil_http_requests_total{code=\"200\",handler=\"/-/healthy\"}"}) {
            QVERIFY2(text.contains(QLatin1String(name)), name);
        }

        // The real Prometheus tooling is the judge of the format.
        const QString promtool = QStandardPaths::findExecutable("promtool");
        if (promtool.isEmpty())
            QSKIP("promtool not installed (Debian package 'prometheus'; make deps installs it)");
        QProcess check;
        check.start(promtool, {"check", "metrics"});
        QVERIFY(check.waitForStarted());
        check.write(reply.body.data(), static_cast<qint64>(reply.body.size()));
        check.closeWriteChannel();
        QVERIFY(check.waitForFinished(30000));
        const QByteArray output = check.readAllStandardOutput() + check.readAllStandardError();
        QVERIFY2(check.exitCode() == 0 && output.trimmed().isEmpty(), output.constData());
    }
};

QTEST_GUILESS_MAIN(TestHttpService)
#include "tst_http_service.moc"
