#include <QtTest>

#include <thread>

#include "core/instrument/metric_registry.h"
#include "core/instrument/process_metrics.h"

using vigil::instrument::MetricRegistry;
using vigil::model::Labels;

class TestMetricRegistry : public QObject {
    Q_OBJECT
private slots:
    void rendersCountersAndGauges() {
        MetricRegistry registry;
        registry
            .counter("vigil_things_total", "Things.\nSecond line \\ backslash",
                     Labels{{"kind", "a\"b"}})
            .inc(3);
        registry.gauge("vigil_level", "Level.").set(-1.5);
        const std::string text = registry.render();
        QCOMPARE(QString::fromStdString(text),
                 QStringLiteral("# HELP vigil_level Level.\n"
                                "# TYPE vigil_level gauge\n"
                                "vigil_level -1.5\n"
                                "# HELP vigil_things_total Things.\\nSecond line \\\\ backslash\n"
                                "# TYPE vigil_things_total counter\n"
                                "vigil_things_total{kind=\"a\\\"b\"} 3\n"));
    }

    void sameLabelsSameSeries() {
        MetricRegistry registry;
        auto& a = registry.counter("c_total", "c", Labels{{"x", "1"}});
        auto& b = registry.counter("c_total", "c", Labels{{"x", "1"}});
        QCOMPARE(&a, &b);
        auto& other = registry.counter("c_total", "c", Labels{{"x", "2"}});
        QVERIFY(&a != &other);
    }

    void histogramIsCumulative() {
        MetricRegistry registry;
        auto& h = registry.histogram("lag_seconds", "Lag.", {0.01, 0.1, 1});
        h.observe(0.005);
        h.observe(0.05);
        h.observe(0.05);
        h.observe(5);
        const QString text = QString::fromStdString(registry.render());
        QVERIFY2(text.contains("lag_seconds_bucket{le=\"0.01\"} 1\n"), qPrintable(text));
        QVERIFY(text.contains("lag_seconds_bucket{le=\"0.1\"} 3\n"));
        QVERIFY(text.contains("lag_seconds_bucket{le=\"1\"} 3\n"));
        QVERIFY(text.contains("lag_seconds_bucket{le=\"+Inf\"} 4\n"));
        QVERIFY(text.contains("lag_seconds_sum 5.105\n"));
        QVERIFY(text.contains("lag_seconds_count 4\n"));
    }

    void concurrentIncrementsAreNotLost() {
        MetricRegistry registry;
        auto& c = registry.counter("c_total", "c");
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 100000; ++i)
                    c.inc();
            });
        }
        for (auto& t : threads)
            t.join();
        QCOMPARE(c.value(), 400000.0);
    }

    void processMetricsArePlausible() {
        const auto stats = vigil::instrument::readProcessStats();
        QVERIFY(stats.residentBytes > 1024 * 1024);
        QVERIFY(stats.virtualBytes >= stats.residentBytes);
        QVERIFY(stats.openFds >= 3);
        QVERIFY(stats.maxFds >= stats.openFds);
        const double now = QDateTime::currentSecsSinceEpoch();
        QVERIFY2(stats.startTimeSeconds > now - 600 && stats.startTimeSeconds <= now + 1,
                 qPrintable(QString::number(stats.startTimeSeconds, 'f', 2)));
        QVERIFY(stats.cpuSeconds >= 0);

        MetricRegistry registry;
        vigil::instrument::registerProcessMetrics(registry);
        const QString text = QString::fromStdString(registry.render());
        for (const char* name :
             {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
              "process_max_fds", "process_start_time_seconds", "process_virtual_memory_bytes"}) {
            QVERIFY2(text.contains(QStringLiteral("\n%1 ").arg(name)), name);
        }
        QVERIFY(text.contains("vigil_build_info{build_type="));
    }
};

QTEST_GUILESS_MAIN(TestMetricRegistry)
#include "tst_metric_registry.moc"
