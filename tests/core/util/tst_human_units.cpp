#include <QtTest>

#include "core/util/human_units.h"

class TestHumanUnits : public QObject {
    Q_OBJECT
private slots:
    void durations_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("millis");  // -1: error expected
        QTest::newRow("zero") << "0" << qint64(0);
        QTest::newRow("seconds") << "15s" << qint64(15000);
        QTest::newRow("compound") << "1h30m" << qint64(5400000);
        QTest::newRow("ms") << "500ms" << qint64(500);
        QTest::newRow("days") << "15d" << qint64(15LL * 86400000);
        QTest::newRow("week-year") << "1y1w" << qint64(372LL * 86400000);
        QTest::newRow("wrong-order") << "30m1h" << qint64(-1);
        QTest::newRow("no-unit") << "15" << qint64(-1);
        QTest::newRow("unknown-unit") << "3x" << qint64(-1);
        QTest::newRow("empty") << "" << qint64(-1);
        QTest::newRow("negative") << "-1s" << qint64(-1);
    }
    void durations() {
        QFETCH(QString, text);
        QFETCH(qint64, millis);
        auto r = vigil::parseDuration(text.toStdString());
        if (millis < 0) {
            QVERIFY(!r.isOk());
            QVERIFY(!r.status().message().empty());
        } else {
            QVERIFY2(r.isOk(), r.status().message().c_str());
            QCOMPARE(qint64(r->count()), millis);
        }
    }
    void formatDuration() {
        using std::chrono::milliseconds;
        QCOMPARE(vigil::formatDuration(milliseconds(5400000)), std::string("1h30m"));
        QCOMPARE(vigil::formatDuration(milliseconds(0)), std::string("0s"));
        QCOMPARE(vigil::formatDuration(milliseconds(1500)), std::string("1s500ms"));
        QCOMPARE(vigil::formatDuration(milliseconds(14LL * 86400000)), std::string("2w"));
    }
    void byteSizes_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("bytes");
        QTest::newRow("plain") << "512" << qint64(512);
        QTest::newRow("KB") << "64KB" << qint64(65536);
        QTest::newRow("GiB") << "10GiB" << qint64(10LL << 30);
        QTest::newRow("lower") << "1mb" << qint64(1 << 20);
        QTest::newRow("fraction") << "1.5MB" << qint64(3 << 19);
        QTest::newRow("bad-unit") << "10 apples" << qint64(-1);
        QTest::newRow("empty") << "" << qint64(-1);
    }
    void byteSizes() {
        QFETCH(QString, text);
        QFETCH(qint64, bytes);
        auto r = vigil::parseByteSize(text.toStdString());
        if (bytes < 0) {
            QVERIFY(!r.isOk());
        } else {
            QVERIFY2(r.isOk(), r.status().message().c_str());
            QCOMPARE(qint64(*r), bytes);
        }
        QCOMPARE(vigil::formatByteSize(10ULL << 30), std::string("10GiB"));
    }
};

QTEST_GUILESS_MAIN(TestHumanUnits)
#include "tst_human_units.moc"
