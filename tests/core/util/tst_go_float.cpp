#include <QtTest>

#include <cmath>
#include <limits>

#include "core/util/go_float.h"

class TestGoFloat : public QObject {
    Q_OBJECT
private slots:
    // Expected strings are what Go's strconv.FormatFloat(v, 'g'/'f', -1, 64) prints.
    void formats_data() {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("g");
        QTest::addColumn<QString>("f");
        QTest::newRow("zero") << 0.0 << "0"
                              << "0";
        QTest::newRow("neg-zero") << -0.0 << "-0"
                                  << "-0";
        QTest::newRow("one") << 1.0 << "1"
                             << "1";
        QTest::newRow("fraction") << 0.005 << "0.005"
                                  << "0.005";
        QTest::newRow("small") << 0.0001 << "0.0001"
                               << "0.0001";
        QTest::newRow("smaller") << 0.00001 << "1e-05"
                                 << "0.00001";
        QTest::newRow("six-digits") << 123456.0 << "123456"
                                    << "123456";
        QTest::newRow("million") << 1e6 << "1e+06"
                                 << "1000000";
        QTest::newRow("mem") << 16584208384.0 << "1.6584208384e+10"
                             << "16584208384";
        QTest::newRow("third") << 1.0 / 3 << "0.3333333333333333"
                               << "0.3333333333333333";
        QTest::newRow("negative") << -2.5 << "-2.5"
                                  << "-2.5";
        QTest::newRow("big-exp") << 1e100 << "1e+100" << ("1" + QString(100, '0'));
        QTest::newRow("tiny") << 5e-324 << "5e-324" << ("0." + QString(323, '0') + "5");
        QTest::newRow("inf") << std::numeric_limits<double>::infinity() << "+Inf"
                             << "+Inf";
        QTest::newRow("-inf") << -std::numeric_limits<double>::infinity() << "-Inf"
                              << "-Inf";
        QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << "NaN"
                             << "NaN";
    }
    void formats() {
        QFETCH(double, value);
        QFETCH(QString, g);
        QFETCH(QString, f);
        QCOMPARE(QString::fromStdString(vigil::formatFloatG(value)), g);
        QCOMPARE(QString::fromStdString(vigil::formatFloatF(value)), f);
    }
};

QTEST_GUILESS_MAIN(TestGoFloat)
#include "tst_go_float.moc"
