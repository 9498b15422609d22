// Vigil's host collector against the real node_exporter (Debian
// prometheus-node-exporter 1.5.0) on this machine, reading the live /proc and
// /sys at the same moment: the covered families must have exactly the same
// series (metric names and label sets), and the same values within a
// tolerance. Vigil collects once before and once after node_exporter's
// scrape, so a counter read by node_exporter must lie between Vigil's two
// readings; gauges get the same bracket widened by a per-family margin, and
// the facts that cannot move (MemTotal, boot time, filesystem sizes) must be
// equal.

#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QtTest>
#include <cmath>
#include <map>
#include <set>
#include <thread>

#include "core/collect/host_collector.h"
#include "core/scrape/prom_text_parser.h"
#include "tests/support/http_client.h"

using namespace vigil;
using namespace vigil::collect;

namespace {

// node_exporter's collectors that Vigil implements; all others are disabled.
const QStringList kCollectors = {"cpu",    "diskstats", "filesystem", "hwmon", "loadavg", "meminfo",
                                 "netdev", "pressure",  "stat",       "time",  "uname"};

// Series only node_exporter has, deliberately: metrics about the exporter
// process itself (Go runtime, process, HTTP handler, build info). Vigil's own
// process metrics are at Vigil's /metrics under vigil_/process_ names.
bool isExporterSelfMetric(std::string_view name) {
    for (std::string_view prefix : {"go_", "process_", "promhttp_", "node_exporter_build_info"})
        if (name.substr(0, prefix.size()) == prefix)
            return true;
    return false;
}

struct Series {
    std::string name;
    double value = 0;
};

std::map<std::string, Series> parse(const std::string& text, QString& error) {
    std::map<std::string, Series> out;
    scrape::PromTextParser parser(text);
    for (;;) {
        const scrape::Entry e = parser.next();
        if (e == scrape::Entry::kEnd)
            break;
        if (e == scrape::Entry::kInvalid) {
            error = QString::fromStdString(parser.status().message());
            return {};
        }
        if (e != scrape::Entry::kSeries || isExporterSelfMetric(parser.metricName()))
            continue;
        out[parser.labels().toString()] = Series{std::string(parser.metricName()), parser.value()};
    }
    return out;
}

int freePort() {
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

enum class Check { kExact, kBracket, kLabelsOnly, kAbsolute };
struct Tolerance {
    Check check;
    double margin;  // absolute, added to 5% of the value (kBracket) or alone (kAbsolute)
};

Tolerance toleranceFor(const std::string& name) {
    static const std::set<std::string> exact = {"node_memory_MemTotal_bytes",
                                                "node_memory_SwapTotal_bytes",
                                                "node_memory_Hugepagesize_bytes",
                                                "node_memory_VmallocTotal_bytes",
                                                "node_memory_CommitLimit_bytes",
                                                "node_boot_time_seconds",
                                                "node_filesystem_size_bytes",
                                                "node_filesystem_files",
                                                "node_filesystem_readonly",
                                                "node_filesystem_device_error",
                                                "node_disk_info",
                                                "node_uname_info",
                                                "node_time_zone_offset_seconds",
                                                "node_time_clocksource_available_info",
                                                "node_time_clocksource_current_info",
                                                "node_scrape_collector_success",
                                                "node_cpu_isolated",
                                                "node_hwmon_chip_names",
                                                "node_disk_device_mapper_info"};
    if (exact.count(name))
        return {Check::kExact, 0};
    if (name == "node_scrape_collector_duration_seconds")
        return {Check::kLabelsOnly, 0};  // each measures its own code
    if (name == "node_time_seconds")
        return {Check::kAbsolute, 10};
    if (name.rfind("node_memory_", 0) == 0 || name.rfind("node_filesystem_", 0) == 0)
        return {Check::kBracket,
                name.find("bytes") != std::string::npos ? 256.0 * 1024 * 1024 : 10000};
    if (name == "node_procs_running" || name == "node_procs_blocked")
        return {Check::kBracket, 32};
    if (name.rfind("node_load", 0) == 0)
        return {Check::kBracket, 2};
    if (name == "node_disk_io_now")
        return {Check::kBracket, 64};
    return {Check::kBracket, 1};
}

}  // namespace

class TestHostCollectorVsNodeExporter : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void sameSeriesAndValues();
    void cleanupTestCase();

private:
    QProcess m_exporter;
    QString m_address;
};

void TestHostCollectorVsNodeExporter::initTestCase() {
    const QString binary = QStandardPaths::findExecutable("prometheus-node-exporter");
    if (binary.isEmpty())
        QSKIP(
            "prometheus-node-exporter is not installed (Debian package prometheus-node-exporter)");
    const int port = freePort();
    QVERIFY(port > 0);
    m_address = QStringLiteral("127.0.0.1:%1").arg(port);
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

void TestHostCollectorVsNodeExporter::sameSeriesAndValues() {
    HostCollectorOptions options;  // the real /proc, /sys, statfs and clock
    auto created = HostCollector::create(options);
    QVERIFY(created.isOk());
    HostCollector& host = *created.value();

    QString error;
    const auto before = parse(host.renderText(), error);
    QVERIFY2(error.isEmpty(), qPrintable("vigil: " + error));
    const test::HttpReply reply = test::httpGet(m_address, "/metrics");
    QCOMPARE(reply.status, 200);
    const auto after = parse(host.renderText(), error);
    QVERIFY2(error.isEmpty(), qPrintable("vigil: " + error));
    const auto exporter = parse(reply.body, error);
    QVERIFY2(error.isEmpty(), qPrintable("node_exporter: " + error));
    QVERIFY(exporter.size() > 100);

    // 1. The same series. A series that appears or vanishes between the two
    // Vigil readings (a mount, a NIC) would be a race, not a difference.
    QStringList onlyExporter, onlyVigil;
    for (const auto& [series, s] : exporter)
        if (!before.count(series) && !after.count(series))
            onlyExporter << QString::fromStdString(series);
    for (const auto& [series, s] : before)
        if (!exporter.count(series) && after.count(series))
            onlyVigil << QString::fromStdString(series);
    QVERIFY2(onlyExporter.isEmpty() && onlyVigil.isEmpty(),
             qPrintable("only in node_exporter:\n  " + onlyExporter.join("\n  ") +
                        "\nonly in vigil:\n  " + onlyVigil.join("\n  ")));

    // 2. The same values.
    QStringList mismatches;
    int compared = 0;
    for (const auto& [series, s] : exporter) {
        const auto a = before.find(series);
        const auto b = after.find(series);
        if (a == before.end() || b == after.end())
            continue;
        const Tolerance tol = toleranceFor(s.name);
        const double n = s.value;
        const double lo = std::min(a->second.value, b->second.value);
        const double hi = std::max(a->second.value, b->second.value);
        bool ok = true;
        switch (tol.check) {
            case Check::kExact:
                ok = n == lo && n == hi;
                break;
            case Check::kLabelsOnly:
                break;
            case Check::kAbsolute:
                ok = std::fabs(n - lo) <= tol.margin && std::fabs(n - hi) <= tol.margin;
                break;
            case Check::kBracket: {
                const double margin = 0.05 * std::fabs(n) + tol.margin;
                ok = n >= lo - margin && n <= hi + margin;
                break;
            }
        }
        ++compared;
        if (!ok)
            mismatches << QStringLiteral("%1: node_exporter %2, vigil %3 .. %4")
                              .arg(QString::fromStdString(series))
                              .arg(n, 0, 'g', 17)
                              .arg(a->second.value, 0, 'g', 17)
                              .arg(b->second.value, 0, 'g', 17);
    }
    QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.join("\n")));
    qInfo("compared %d series with node_exporter", compared);

    // node_exporter's own measure of these collectors (for the benchmark's
    // comparison), and Vigil's.
    double exporterSeconds = 0;
    for (const auto& [series, s] : exporter)
        if (s.name == "node_scrape_collector_duration_seconds")
            exporterSeconds += s.value;
    double vigilSeconds = 0;
    for (const CollectorOutcome& o : host.lastOutcomes())
        vigilSeconds += o.durationSeconds;
    qInfo("collector time: node_exporter %.0f us, vigil %.0f us (debug build)",
          exporterSeconds * 1e6, vigilSeconds * 1e6);
}

void TestHostCollectorVsNodeExporter::cleanupTestCase() {
    if (m_exporter.state() != QProcess::NotRunning) {
        m_exporter.kill();
        m_exporter.waitForFinished(5000);
    }
}

QTEST_GUILESS_MAIN(TestHostCollectorVsNodeExporter)
#include "tst_host_collector_vs_node_exporter.moc"
