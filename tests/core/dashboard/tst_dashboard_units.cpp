#include <QtTest>

#include "core/dashboard/units.h"

using vigil::dashboard::formatValue;

// Expected texts are Grafana's valueFormats output for the same input.
class TestDashboardUnits : public QObject {
    Q_OBJECT
private slots:
    void formats_data() {
        QTest::addColumn<QString>("unit");
        QTest::addColumn<double>("value");
        QTest::addColumn<int>("decimals");  // -1 = automatic
        QTest::addColumn<QString>("expected");
        QTest::newRow("bytes") << "bytes" << 1572864.0 << -1 << "1.50 MiB";
        QTest::newRow("bytes-small") << "bytes" << 512.0 << -1 << "512 B";
        QTest::newRow("decbytes") << "decbytes" << 1500000.0 << -1 << "1.50 MB";
        QTest::newRow("bits") << "bits" << 2048.0 << -1 << "2 Kib";
        QTest::newRow("Bps") << "Bps" << 2500.0 << -1 << "2.50 kB/s";
        QTest::newRow("percent") << "percent" << 45.234 << -1 << "45.2%";
        QTest::newRow("percent-decimals") << "percent" << 45.0 << 2 << "45.00%";
        QTest::newRow("percentunit") << "percentunit" << 0.5 << -1 << "50%";
        QTest::newRow("short") << "short" << 1200.0 << -1 << "1.20 K";
        QTest::newRow("short-mil") << "short" << 3000000.0 << -1 << "3 Mil";
        QTest::newRow("short-zero") << "short" << 0.0 << -1 << "0";
        QTest::newRow("zero-decimals") << "short" << 0.0 << 2 << "0.00";
        QTest::newRow("s-to-ms") << "s" << 0.35 << -1 << "350 ms";
        QTest::newRow("s-to-min") << "s" << 90.0 << -1 << "1.50 min";
        QTest::newRow("s-zero") << "s" << 0.0 << -1 << "0 s";
        QTest::newRow("ms-to-s") << "ms" << 1500.0 << -1 << "1.50 s";
        QTest::newRow("reqps") << "reqps" << 12.0 << -1 << "12 req/s";
        QTest::newRow("reqps-k") << "reqps" << 1200.0 << -1 << "1.20K req/s";
        QTest::newRow("celsius") << "celsius" << 21.5 << -1 << "21.5°C";
        QTest::newRow("none") << "none" << 3.0 << -1 << "3";
        QTest::newRow("suffix") << "suffix: rpm" << 5.0 << -1 << "5 rpm";
        QTest::newRow("prefix") << "prefix:~" << 5.0 << -1 << "~5";
        QTest::newRow("currency") << "currencyUSD" << 1500.0 << -1 << "$1.50K";
        QTest::newRow("negative") << "percent" << -45.234 << -1 << "-45.2%";
        QTest::newRow("unknown-is-short") << "florps" << 1200.0 << -1 << "1.20 K";
        QTest::newRow("nan") << "short" << std::nan("") << -1 << "NaN";
        QTest::newRow("duration") << "dtdurations" << 3725.0 << -1 << "1 hour, 2 minutes";
    }
    void formats() {
        QFETCH(QString, unit);
        QFETCH(double, value);
        QFETCH(int, decimals);
        QFETCH(QString, expected);
        const auto formatted =
            formatValue(unit, value, decimals < 0 ? std::nullopt : std::optional<int>(decimals));
        QCOMPARE(formatted.toString(), expected);
    }

    void knownUnits() {
        QVERIFY(vigil::dashboard::isKnownUnit(QStringLiteral("bytes")));
        QVERIFY(vigil::dashboard::isKnownUnit(QStringLiteral("suffix:x")));
        QVERIFY(!vigil::dashboard::isKnownUnit(QStringLiteral("florps")));
    }
};

QTEST_GUILESS_MAIN(TestDashboardUnits)
#include "tst_dashboard_units.moc"
