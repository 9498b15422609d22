#include <QDateTime>
#include <QTimeZone>
#include <QtTest>

#include "core/dashboard/time_range.h"

using namespace vigil::dashboard;

namespace {

std::int64_t at(const char* iso) {
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs).toMSecsSinceEpoch();
}

// Saturday 2026-11-21 10:30:00 UTC.
const std::int64_t kNow = at("2026-11-21T10:30:00.000Z");

}  // namespace

class TestDashboardTimeRange : public QObject {
    Q_OBJECT
private slots:
    void expressions_data() {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<bool>("roundUp");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("now") << "now" << false << qint64(kNow);
        QTest::newRow("now-6h") << "now-6h" << false << qint64(kNow - 6 * 3600 * 1000LL);
        QTest::newRow("now-5m") << "now-5m" << false << qint64(kNow - 5 * 60 * 1000LL);
        QTest::newRow("start-of-day") << "now/d" << false << qint64(at("2026-11-21T00:00:00.000Z"));
        QTest::newRow("end-of-day") << "now/d" << true << qint64(at("2026-11-21T23:59:59.999Z"));
        QTest::newRow("yesterday") << "now-1d/d" << false << qint64(at("2026-11-20T00:00:00.000Z"));
        QTest::newRow("week-starts-monday")
            << "now/w" << false << qint64(at("2026-11-16T00:00:00.000Z"));
        QTest::newRow("month-ago") << "now-1M" << false << qint64(at("2026-10-21T10:30:00.000Z"));
        QTest::newRow("plus") << "now+1h" << false << qint64(kNow + 3600 * 1000LL);
        QTest::newRow("epoch-ms") << "1700000000000" << false << qint64(1700000000000LL);
        QTest::newRow("iso") << "2026-11-20T08:00:00Z" << false
                             << qint64(at("2026-11-20T08:00:00.000Z"));
    }
    void expressions() {
        QFETCH(QString, expression);
        QFETCH(bool, roundUp);
        QFETCH(qint64, expected);
        auto parsed = parseTimeExpression(expression, kNow, roundUp, /*utc=*/true);
        QVERIFY2(parsed.isOk(), parsed.status().message().c_str());
        QCOMPARE(qint64(*parsed), expected);
    }

    void errorsNameTheEnd_data() {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing-unit") << "now-6"
                                      << "now"
                                      << "time.from: 'now-6': missing unit";
        QTest::newRow("garbage") << "now-6h"
                                 << "tomorrow"
                                 << "time.to: 'tomorrow' is neither";
        QTest::newRow("reversed") << "now"
                                  << "now-1h"
                                  << "time: from (now) is not before to";
        QTest::newRow("bad-round") << "now/q"
                                   << "now"
                                   << "time.from: 'now/q': '/' must be followed";
    }
    void errorsNameTheEnd() {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, message);
        auto range = resolveTimeRange(from, to, kNow, true);
        QVERIFY(!range.isOk());
        QVERIFY2(QString::fromStdString(range.status().message()).startsWith(message),
                 range.status().message().c_str());
    }

    void intervals() {
        // Grafana: (to - from) / maxDataPoints rounded to a nice step.
        QCOMPARE(calculateIntervalMs(3600000, 1600, 0), std::int64_t(2000));
        QCOMPARE(calculateIntervalMs(3600000, 1600, 15000), std::int64_t(15000));
        QCOMPARE(calculateIntervalMs(6 * 3600000, 1000, 0), std::int64_t(20000));
        QCOMPARE(calculateIntervalMs(24 * 3600000, 1000, 0), std::int64_t(60000));
        QCOMPARE(calculateIntervalMs(30LL * 86400000, 1000, 0), std::int64_t(1800000));
        QCOMPARE(rateIntervalMs(20000, 15000), std::int64_t(60000));
        QCOMPARE(rateIntervalMs(60000, 15000), std::int64_t(75000));
        QCOMPARE(prometheusStepMs(2000, 0, 3600000), std::int64_t(2000));
        QCOMPARE(prometheusStepMs(60000, 0, 30LL * 86400000), std::int64_t(235637));
        QCOMPARE(prometheusStepMs(100, 0, 60000), std::int64_t(1000));
    }

    void intervalText() {
        QCOMPARE(formatGrafanaInterval(30000), QStringLiteral("30s"));
        QCOMPARE(formatGrafanaInterval(90000), QStringLiteral("1m"));
        QCOMPARE(formatGrafanaInterval(604800000), QStringLiteral("7d"));
        QCOMPARE(formatGrafanaInterval(31536000000), QStringLiteral("1y"));
        QCOMPARE(formatGrafanaInterval(100), QStringLiteral("100ms"));
        QCOMPARE(parseGrafanaInterval(QStringLiteral("1m30s")), std::optional<std::int64_t>(90000));
        QVERIFY(!parseGrafanaInterval(QStringLiteral("soon")).has_value());
    }
};

QTEST_GUILESS_MAIN(TestDashboardTimeRange)
#include "tst_dashboard_time_range.moc"
