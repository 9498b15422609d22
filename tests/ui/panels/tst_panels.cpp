#include <QAbstractItemModelTester>
#include <QApplication>
#include <QChartView>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTableWidget>
#include <QToolTip>
#include <QTreeWidget>
#include <QtTest>

#include <cmath>
#include <limits>

#include "ui/panels/alert_list_panel.h"
#include "ui/panels/heatmap_panel.h"
#include "ui/panels/panel_factory.h"
#include "ui/panels/series_plot_item.h"
#include "ui/panels/stat_panels.h"
#include "ui/panels/table_panel.h"
#include "ui/panels/text_panel.h"
#include "ui/panels/timeseries_panel.h"

using namespace vigil::panels;
using vigil::dashboard::Panel;
using vigil::dashboard::SeriesData;
using vigil::model::Labels;

namespace {

constexpr qint64 kFrom = 1'700'000'000'000;
constexpr qint64 kTo = kFrom + 3'600'000;

Panel panelFrom(const char* json) {
    Panel panel;
    panel.raw = QJsonDocument::fromJson(QByteArray(json)).object();
    panel.type = panel.raw.value(QStringLiteral("type")).toString();
    panel.title = panel.raw.value(QStringLiteral("title")).toString();
    panel.id = 1;
    return panel;
}

SeriesData series(Labels labels, int points, double scale, double offset = 0) {
    SeriesData s;
    s.labels = std::move(labels);
    for (int i = 0; i < points; ++i) {
        s.timestamps.push_back(kFrom + qint64(i) * (kTo - kFrom) / points);
        s.values.push_back(offset + scale * (1 + std::sin(i / 50.0)));
    }
    return s;
}

PanelData frame(std::vector<SeriesData> data, const char* legend = "", bool instant = false,
                const char* refId = "A") {
    PanelData d;
    d.fromMs = kFrom;
    d.toMs = kTo;
    QueryFrame f;
    f.refId = QString::fromLatin1(refId);
    f.legendFormat = QString::fromLatin1(legend);
    f.instant = instant;
    f.series = std::move(data);
    d.frames.push_back(std::move(f));
    return d;
}

// A series with a constant value, `points` points from kFrom to kTo; the
// points in the share [gapFrom, gapTo) of the range are NaN (a gap).
SeriesData constant(const char* name, double value, int points, double gapFrom = 2,
                    double gapTo = 2) {
    SeriesData s;
    s.labels = Labels{{"name", name}};
    for (int i = 0; i < points; ++i) {
        const double share = double(i) / points;
        s.timestamps.push_back(kFrom + qint64(i) * (kTo - kFrom) / (points - 1));
        s.values.push_back(
            share >= gapFrom && share < gapTo ? std::numeric_limits<double>::quiet_NaN() : value);
    }
    return s;
}

// The chart view's pixels, after pending layouts and paints.
QImage grabChart(TimeSeriesPanel& panel) {
    QApplication::processEvents();
    return panel.chartView()->grab().toImage();
}

// Where a (time, value) point is drawn, in the chart view's pixels.
QPoint pixelOf(TimeSeriesPanel& panel, double timeMs, double value) {
    return panel.chartView()->mapFromScene(panel.plotItem()->toPosition(timeMs, value));
}

int colorDistance(QColor a, QColor b) {
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) +
           std::abs(a.blue() - b.blue());
}

// Pixels within `tolerance` of `color` on row y +- `rows`, columns [x0, x1).
int pixelsNear(const QImage& image, int x0, int x1, int y, const QColor& color, int tolerance = 24,
               int rows = 1) {
    int n = 0;
    for (int yy = std::max(0, y - rows); yy <= std::min(image.height() - 1, y + rows); ++yy)
        for (int x = std::max(0, x0); x < std::min(image.width(), x1); ++x)
            n += colorDistance(image.pixelColor(x, yy), color) <= tolerance ? 1 : 0;
    return n;
}

}  // namespace

class TestPanels : public QObject {
    Q_OBJECT
private slots:
    void timeseriesDrawsReducedSeriesWithUnitsAndLegend() {
        TimeSeriesPanel panel;
        panel.resize(600, 300);
        panel.setPanel(
            panelFrom("{\"type\":\"timeseries\",\"title\":\"Memory\",\"fieldConfig\":{\"defaults\":"
                      "{\"unit\":\"bytes\","
                      "\"custom\":{\"fillOpacity\":10,\"thresholdsStyle\":{\"mode\":\"line\"}},"
                      "\"thresholds\":{\"steps\":["
                      "{\"color\":\"green\",\"value\":null},{\"color\":\"red\",\"value\":3000000}]}"
                      "}},\"options\":{\"legend\":"
                      "{\"displayMode\":\"table\",\"calcs\":[\"max\",\"lastNotNull\"]}}}"));
        panel.show();
        const PanelData data =
            frame({series(Labels{{"__name__", "mem"}, {"host", "a"}}, 20'000, 1 << 20),
                   series(Labels{{"__name__", "mem"}, {"host", "b"}}, 20'000, 1 << 20, 1 << 20)},
                  "{{host}} used");
        panel.setData(data);
        QCOMPARE(panel.bodyState(), QStringLiteral("content"));
        QCOMPARE(panel.seriesNames(), (QStringList{"a used", "b used"}));
        // At most two points per pixel column reach the chart.
        QVERIFY2(panel.pointCount(QStringLiteral("a used")) <= 2 * 800 + 2,
                 qPrintable(QString::number(panel.pointCount(QStringLiteral("a used")))));
        QVERIFY(panel.pointCount(QStringLiteral("a used")) > 100);
        const QStringList labels = panel.valueAxisLabels();
        QVERIFY2(labels.join(QLatin1Char(' ')).contains(QStringLiteral("MiB")),
                 qPrintable(labels.join(", ")));
        QCOMPARE(panel.legend()->rowCount(), 2);
        QCOMPARE(panel.legend()->columnCount(), 3);
        QCOMPARE(panel.legend()->item(1, 1)->text(), QStringLiteral("3.00 MiB"));
        // Clicking an entry isolates that series; clicking again shows all.
        panel.toggleIsolation(QStringLiteral("b used"));
        QCOMPARE(panel.visibleSeriesCount(), 1);
        panel.toggleIsolation(QStringLiteral("b used"));
        QCOMPARE(panel.visibleSeriesCount(), 2);
        // The tooltip lists every series at that time, largest first.
        const QStringList tip = panel.tooltipAt(kFrom).split(QLatin1Char('\n'));
        QCOMPARE(tip.size(), 3);
        QVERIFY(tip[1].startsWith(QStringLiteral("b used: ")));
        QVERIFY(tip[2].startsWith(QStringLiteral("a used: ")));
        // A refresh with one series fewer drops it; the other keeps its objects.
        panel.setData(frame({series(Labels{{"host", "a"}}, 100, 1)}, "{{host}} used"));
        QCOMPARE(panel.seriesNames(), QStringList{"a used"});
        QCOMPARE(panel.pointCount(QStringLiteral("a used")), std::size_t(100));
        const QImage image = panel.grab().toImage();
        QVERIFY(!image.isNull());
        if (!qEnvironmentVariableIsEmpty("VIGIL_SCREENSHOT_DIR"))
            image.save(qEnvironmentVariable("VIGIL_SCREENSHOT_DIR") +
                       QStringLiteral("/timeseries.png"));
    }

    // Dense panels draw without antialiasing, so the line colours are
    // exact: each series is where its value is, the gap stays empty, the
    // threshold line is drawn, and isolating a series hides the others.
    void timeseriesDrawsLinesGapsAndThresholdsWhereTheValuesAre() {
        TimeSeriesPanel panel;
        panel.resize(700, 320);
        panel.setPanel(
            panelFrom("{\"type\":\"timeseries\",\"fieldConfig\":{\"defaults\":{\"custom\":"
                      "{\"thresholdsStyle\":{\"mode\":\"dashed\"}},\"thresholds\":{\"steps\":["
                      "{\"color\":\"green\",\"value\":null},{\"color\":\"red\",\"value\":10.5}]}}},"
                      "\"options\":{\"legend\":{\"showLegend\":false}}}"));
        panel.show();
        QApplication::processEvents();  // laid out: no reduction of 300 points
        std::vector<SeriesData> data;
        data.push_back(constant("s0", 1, 300, 1.0 / 3, 2.0 / 3));  // a gap in the middle third
        for (int i = 1; i < 20; ++i)
            data.push_back(constant(qPrintable(QStringLiteral("s%1").arg(i)), i + 1, 300));
        panel.setData(frame(std::move(data), "{{name}}"));
        QCOMPARE(panel.pointCount(QStringLiteral("s0")), std::size_t(200));
        QCOMPARE(panel.pointCount(QStringLiteral("s1")), std::size_t(300));
        QImage image = grabChart(panel);
        const QRectF plot = panel.plotItem()->plotArea();
        QVERIFY2(plot.width() > 400 && plot.height() > 150,
                 qPrintable(QStringLiteral("%1x%2").arg(plot.width()).arg(plot.height())));
        const double third = (kTo - kFrom) / 3.0;
        const QPoint a0 = pixelOf(panel, kFrom, 1);
        const QPoint a1 = pixelOf(panel, kFrom + third, 1);
        const QPoint a2 = pixelOf(panel, kFrom + 2 * third, 1);
        const QPoint a3 = pixelOf(panel, kTo, 1);
        const QColor c0 = paletteColor(0);
        QVERIFY2(pixelsNear(image, a0.x() + 2, a1.x() - 2, a0.y(), c0) > (a1.x() - a0.x()) / 2,
                 "s0 is drawn before its gap");
        QCOMPARE(pixelsNear(image, a1.x() + 3, a2.x() - 3, a0.y(), c0, 24, 2), 0);
        QVERIFY2(pixelsNear(image, a2.x() + 2, a3.x() - 2, a0.y(), c0) > (a3.x() - a2.x()) / 2,
                 "s0 is drawn after its gap");
        const QPoint b = pixelOf(panel, kFrom, 2);
        QVERIFY(pixelsNear(image, a0.x() + 2, a3.x() - 2, b.y(), paletteColor(1)) >
                (a3.x() - a0.x()) / 2);
        // The dashed threshold: red on part of its row, not on all of it.
        const QPoint red = pixelOf(panel, kFrom, 10.5);
        const int redPixels = pixelsNear(image, a0.x() + 2, a3.x() - 2, red.y(),
                                         grafanaColor(QStringLiteral("red")), 24, 1);
        QVERIFY2(redPixels > (a3.x() - a0.x()) / 4 && redPixels < a3.x() - a0.x() - 4,
                 qPrintable(QString::number(redPixels)));
        // A repaint without a change draws the cached plot; an isolation redraws it.
        const int renders = panel.plotItem()->cacheRenders();
        panel.chartView()->viewport()->repaint();
        image = grabChart(panel);
        QCOMPARE(panel.plotItem()->cacheRenders(), renders);
        panel.toggleIsolation(QStringLiteral("s1"));
        QCOMPARE(panel.visibleSeriesCount(), 1);
        image = grabChart(panel);
        QCOMPARE(panel.plotItem()->cacheRenders(), renders + 1);
        QCOMPARE(pixelsNear(image, a0.x(), a3.x(), a0.y(), c0), 0);
        // One series alone is antialiased: its colour is blended over two
        // rows, one of them at least half covered.
        QVERIFY(pixelsNear(image, a0.x() + 2, a3.x() - 2, b.y(), paletteColor(1), 130) >
                (a3.x() - a0.x()) / 2);
        panel.toggleIsolation(QStringLiteral("s1"));
        image = grabChart(panel);
        QVERIFY(pixelsNear(image, a0.x() + 2, a1.x() - 2, a0.y(), c0) > 0);
        if (!qEnvironmentVariableIsEmpty("VIGIL_SCREENSHOT_DIR"))
            image.save(qEnvironmentVariable("VIGIL_SCREENSHOT_DIR") +
                       QStringLiteral("/timeseries-dense.png"));
    }

    // Stacked series are drawn at their cumulative values.
    void timeseriesStacksSeries() {
        TimeSeriesPanel panel;
        panel.resize(700, 320);
        panel.setPanel(
            panelFrom("{\"type\":\"timeseries\",\"fieldConfig\":{\"defaults\":{\"custom\":"
                      "{\"fillOpacity\":30,\"stacking\":{\"mode\":\"normal\"}}}},"
                      "\"options\":{\"legend\":{\"showLegend\":false}}}"));
        panel.show();
        std::vector<SeriesData> data;
        for (int i = 0; i < 6; ++i)
            data.push_back(constant(qPrintable(QStringLiteral("s%1").arg(i)), 1, 1000));
        panel.setData(frame(std::move(data), "{{name}}"));
        const QImage image = grabChart(panel);
        if (!qEnvironmentVariableIsEmpty("VIGIL_SCREENSHOT_DIR"))
            image.save(qEnvironmentVariable("VIGIL_SCREENSHOT_DIR") +
                       QStringLiteral("/timeseries-stacked.png"));
        const QPoint left = pixelOf(panel, kFrom, 0);
        const QPoint right = pixelOf(panel, kTo, 0);
        for (int i = 0; i < 6; ++i) {
            const QPoint at = pixelOf(panel, kFrom, i + 1);
            QVERIFY2(pixelsNear(image, left.x() + 2, right.x() - 2, at.y(), paletteColor(i)) >
                         (right.x() - left.x()) / 2,
                     qPrintable(QStringLiteral("series %1 at %2").arg(i).arg(i + 1)));
        }
        // The fill of the lowest series lies between 0 and 1.
        const QPoint fill = pixelOf(panel, (kFrom + kTo) / 2.0, 0.5);
        QColor expected = paletteColor(0);
        QVERIFY2(colorDistance(image.pixelColor(fill), expected) <
                     colorDistance(image.pixelColor(fill), paletteColor(3)),
                 qPrintable(image.pixelColor(fill).name()));
    }

    // thresholdsStyle "area": each step's band is shaded in its colour.
    void timeseriesShadesThresholdAreas() {
        TimeSeriesPanel panel;
        panel.resize(700, 320);
        panel.setPanel(
            panelFrom("{\"type\":\"timeseries\",\"fieldConfig\":{\"defaults\":{\"custom\":"
                      "{\"thresholdsStyle\":{\"mode\":\"area\"}},\"thresholds\":{\"steps\":["
                      "{\"color\":\"green\",\"value\":null},{\"color\":\"red\",\"value\":5}]}}},"
                      "\"options\":{\"legend\":{\"showLegend\":false}}}"));
        panel.show();
        panel.setData(frame({constant("low", 2, 50), constant("high", 8, 50)}, "{{name}}"));
        const QImage image = grabChart(panel);
        const QColor upper = image.pixelColor(pixelOf(panel, (kFrom + kTo) / 2.0, 6.5));
        const QColor lower = image.pixelColor(pixelOf(panel, (kFrom + kTo) / 2.0, 3.5));
        QVERIFY2(upper.red() > upper.green() + 10, qPrintable(upper.name()));
        QVERIFY2(lower.green() > lower.red() + 5, qPrintable(lower.name()));
    }

    void timeseriesDrawsBarsAndPoints_data() {
        QTest::addColumn<QString>("drawStyle");
        QTest::newRow("bars") << "bars";
        QTest::newRow("points") << "points";
    }
    void timeseriesDrawsBarsAndPoints() {
        QFETCH(QString, drawStyle);
        TimeSeriesPanel panel;
        panel.resize(700, 320);
        panel.setPanel(panelFrom(
            qPrintable(QStringLiteral("{\"type\":\"timeseries\",\"fieldConfig\":{\"defaults\":"
                                      "{\"custom\":{\"drawStyle\":\"%1\",\"pointSize\":6}}},"
                                      "\"options\":{\"legend\":{\"showLegend\":false}}}")
                           .arg(drawStyle))));
        panel.show();
        panel.setData(frame({constant("low", 1, 31), constant("high", 3, 31)}, "{{name}}"));
        QCOMPARE(panel.pointCount(QStringLiteral("high")), std::size_t(31));
        const QImage image = grabChart(panel);
        const double step = (kTo - kFrom) / 30.0;
        const QColor high = paletteColor(1);
        // Drawn at the points, not between them.
        for (int i : {5, 15, 25}) {
            const QPoint at = pixelOf(panel, kFrom + i * step, drawStyle == "bars" ? 2.5 : 3);
            QVERIFY2(
                colorDistance(image.pixelColor(at), high) < 90,
                qPrintable(QStringLiteral("point %1: %2").arg(i).arg(image.pixelColor(at).name())));
            const QPoint between = pixelOf(panel, kFrom + (i + 0.5) * step, 3);
            QVERIFY2(
                colorDistance(image.pixelColor(between), high) > 90,
                qPrintable(
                    QStringLiteral("between %1: %2").arg(i).arg(image.pixelColor(between).name())));
        }
        if (drawStyle == "bars") {
            // Bars start at 0.
            const QPoint base = pixelOf(panel, kFrom + 15 * step, 0.5);
            QVERIFY(colorDistance(image.pixelColor(base),
                                  image.pixelColor(pixelOf(panel, kFrom + 15.5 * step, 0.5))) > 30);
        }
    }

    // Dragging across the plot asks for that time range; hovering shows
    // every series at that time.
    void timeseriesZoomsByDragAndShowsTooltip() {
        TimeSeriesPanel panel;
        panel.resize(700, 320);
        panel.setPanel(panelFrom("{\"type\":\"timeseries\"}"));
        panel.show();
        panel.setData(frame({constant("a", 1, 100), constant("b", 2, 100)}, "{{name}}"));
        QApplication::processEvents();
        QSignalSpy zoom(&panel, &PanelWidget::timeRangeSelected);
        QWidget* viewport = panel.chartView()->viewport();
        const QPoint from = pixelOf(panel, kFrom + 600'000, 1.5);
        const QPoint to = pixelOf(panel, kFrom + 1'800'000, 1.5);
        QTest::mousePress(viewport, Qt::LeftButton, {}, from);
        QTest::mouseMove(viewport, to);
        QTest::mouseRelease(viewport, Qt::LeftButton, {}, to);
        QCOMPARE(zoom.count(), 1);
        const qint64 pixelMs = qint64((kTo - kFrom) / panel.plotItem()->plotArea().width()) + 1;
        QVERIFY2(std::abs(zoom[0][0].toLongLong() - (kFrom + 600'000)) <= pixelMs,
                 qPrintable(QString::number(zoom[0][0].toLongLong() - kFrom)));
        QVERIFY2(std::abs(zoom[0][1].toLongLong() - (kFrom + 1'800'000)) <= pixelMs,
                 qPrintable(QString::number(zoom[0][1].toLongLong() - kFrom)));
        QTest::mouseMove(viewport, pixelOf(panel, kFrom + 900'000, 1.5));
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY2(QToolTip::text().contains(QStringLiteral("b: 2")), qPrintable(QToolTip::text()));
    }

    // Time labels carry seconds when ticks are less than a minute apart, so
    // that neighbouring labels never read alike; dates past two hours.
    void timeAxisFormatFollowsTheTickSpacing_data() {
        QTest::addColumn<qint64>("spanMs");
        QTest::addColumn<QString>("format");
        QTest::newRow("2m") << qint64(120'000) << "HH:mm:ss";
        QTest::newRow("5m") << qint64(300'000) << "HH:mm";
        QTest::newRow("1h") << qint64(3'600'000) << "HH:mm";
        QTest::newRow("1d") << qint64(86'400'000) << "MM/dd HH:mm";
        QTest::newRow("7d") << qint64(7 * 86'400'000LL) << "MM/dd";
    }
    void timeAxisFormatFollowsTheTickSpacing() {
        QFETCH(qint64, spanMs);
        QFETCH(QString, format);
        TimeSeriesPanel panel;
        panel.resize(700, 320);
        panel.setPanel(panelFrom("{\"type\":\"timeseries\"}"));
        PanelData data = frame({constant("a", 1, 100)});
        data.toMs = data.fromMs + spanMs;
        panel.setData(data);
        QCOMPARE(panel.timeAxisFormat(), format);
    }

    void errorsAndEmptyResultsAreSaidInsideThePanel() {
        std::unique_ptr<PanelWidget> panel(createPanelWidget(QStringLiteral("timeseries")));
        panel->setPanel(panelFrom("{\"type\":\"timeseries\",\"title\":\"X\"}"));
        PanelData failed = frame({});
        failed.frames[0].error = QStringLiteral("1:6: parse error: unexpected end of input");
        panel->setData(failed);
        QCOMPARE(panel->bodyState(), QStringLiteral("error"));
        QCOMPARE(panel->messageText(),
                 QStringLiteral("A: 1:6: parse error: unexpected end of input"));
        panel->setData(frame({}));
        QCOMPARE(panel->bodyState(), QStringLiteral("no-data"));
        QCOMPARE(panel->messageText(), QStringLiteral("No data"));
        panel->setData(frame({series(Labels{{"a", "b"}}, 3, 1)}));
        QCOMPARE(panel->bodyState(), QStringLiteral("content"));
    }

    void statColoursByThreshold() {
        ValuePanel panel(ValuePanel::Kind::kStat);
        panel.resize(300, 150);
        panel.setPanel(panelFrom(
            "{\"type\":\"stat\",\"fieldConfig\":{\"defaults\":{\"unit\":\"percent\",\"thresholds\":"
            "{\"steps\":["
            "{\"color\":\"green\",\"value\":null},{\"color\":\"red\",\"value\":80}]}}},\"options\":"
            "{"
            "\"reduceOptions\":{\"calcs\":[\"lastNotNull\"]},\"colorMode\":\"background\"}}"));
        SeriesData s;
        s.timestamps = {kFrom, kFrom + 1000, kFrom + 2000};
        s.values = {10, 50, 45.234};
        panel.setData(frame({s}));
        QCOMPARE(panel.valueText(0), QStringLiteral("45.2%"));
        QCOMPARE(panel.valueColor(0), grafanaColor(QStringLiteral("green")));
        s.values.back() = 91;
        panel.setData(frame({s}));
        QCOMPARE(panel.valueText(0), QStringLiteral("91%"));
        QCOMPARE(panel.valueColor(0), grafanaColor(QStringLiteral("red")));
        QVERIFY(!panel.grab().isNull());
    }

    void gaugeAndBarGaugeShowOneValuePerSeries() {
        for (auto kind : {ValuePanel::Kind::kGauge, ValuePanel::Kind::kBarGauge}) {
            ValuePanel panel(kind);
            panel.resize(400, 200);
            panel.setPanel(panelFrom(
                "{\"type\":\"gauge\",\"fieldConfig\":{\"defaults\":{\"unit\":\"percent\","
                "\"min\":0,\"max\":100}},\"options\":{\"reduceOptions\":{\"calcs\":[\"mean\"]}}}"));
            SeriesData a;
            a.labels = Labels{{"mountpoint", "/"}};
            a.timestamps = {kFrom, kFrom + 1000};
            a.values = {20, 40};
            SeriesData b = a;
            b.labels = Labels{{"mountpoint", "/home"}};
            b.values = {80, 100};
            panel.setData(frame({a, b}, "{{mountpoint}}"));
            QCOMPARE(panel.values().size(), std::size_t(2));
            QCOMPARE(panel.values()[1].name, QStringLiteral("/home"));
            QCOMPARE(panel.valueText(0), QStringLiteral("30%"));
            QCOMPARE(panel.valueText(1), QStringLiteral("90%"));
            QVERIFY(!panel.grab().isNull());
        }
    }

    void tableJoinsInstantQueriesAndSortsNumerically() {
        TablePanel panel;
        panel.setPanel(
            panelFrom("{\"type\":\"table\",\"fieldConfig\":{\"defaults\":{\"unit\":\"short\"}}}"));
        PanelData data = frame({}, "", true, "A");
        auto one = [](const char* instance, double v) {
            SeriesData s;
            s.labels = Labels{{"__name__", "m"}, {"instance", instance}, {"job", "node"}};
            s.timestamps = {kTo};
            s.values = {v};
            return s;
        };
        data.frames[0].series = {one("a", 5), one("b", 100), one("c", 20)};
        QueryFrame second;
        second.refId = QStringLiteral("B");
        second.instant = true;
        second.series = {one("a", 1), one("c", 3)};
        data.frames.push_back(second);
        panel.setData(data);
        QAbstractItemModel* model = panel.viewModel();
        QAbstractItemModelTester tester(model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->columnCount(), 4);
        QCOMPARE(model->headerData(0, Qt::Horizontal).toString(), QStringLiteral("instance"));
        QCOMPARE(model->headerData(2, Qt::Horizontal).toString(), QStringLiteral("Value #A"));
        QCOMPARE(model->headerData(3, Qt::Horizontal).toString(), QStringLiteral("Value #B"));
        QCOMPARE(model->rowCount(), 3);
        model->sort(2, Qt::DescendingOrder);
        QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("b"));
        QCOMPARE(model->index(1, 0).data().toString(), QStringLiteral("c"));  // 20 > 5 numerically
        QCOMPARE(model->index(0, 3).data().toString(), QString());            // b has no B value
        QCOMPARE(model->index(1, 3).data().toString(), QStringLiteral("3"));
    }

    void textRendersMarkdownWithVariables() {
        TextPanel panel;
        vigil::dashboard::InterpolationContext context;
        vigil::dashboard::VariableValue host;
        host.values = {QStringLiteral("db1")};
        context.variables[QStringLiteral("host")] = host;
        panel.setPanel(
            panelFrom(
                "{\"type\":\"text\",\"title\":\"About $host\",\"options\":{\"mode\":\"markdown\","
                "\"content\":\"# Host $host\\n\\n**bold** text\"}}"),
            context);
        QCOMPARE(panel.bodyState(), QStringLiteral("content"));
        QVERIFY2(panel.plainText().contains(QStringLiteral("Host db1")),
                 qPrintable(panel.plainText()));
        QVERIFY(!panel.plainText().contains(QStringLiteral("**")));
    }

    void heatmapTurnsCumulativeBucketsIntoCounts() {
        PanelData data = frame({});
        auto bucket = [](const char* le, std::vector<double> values) {
            SeriesData s;
            s.labels = Labels{{"le", le}};
            s.timestamps = {kFrom, kFrom + 60'000};
            s.values = std::move(values);
            return s;
        };
        data.frames[0].series = {bucket("+Inf", {10, 20}), bucket("0.1", {2, 5}),
                                 bucket("1", {7, 15})};
        const auto grid = HeatmapPanel::bucketsFrom(data);
        QCOMPARE(grid.buckets, (QStringList{"0.1", "1", "+Inf"}));
        QCOMPARE(grid.counts[0], (std::vector<double>{2, 5}));
        QCOMPARE(grid.counts[1], (std::vector<double>{5, 10}));
        QCOMPARE(grid.counts[2], (std::vector<double>{3, 5}));
        QCOMPARE(grid.maxCount, 10.0);
    }

    void alertListShowsFiringAndPendingAlerts() {
        std::unique_ptr<PanelWidget> widget(createPanelWidget(QStringLiteral("alertlist")));
        auto* panel = dynamic_cast<vigil::panels::AlertListPanel*>(widget.get());
        QVERIFY(panel);
        panel->setPanel(
            panelFrom("{\"type\":\"alertlist\",\"title\":\"Alerts\",\"options\":{\"sortOrder\":3,"
                      "\"maxItems\":10}}"));
        QCOMPARE(panel->bodyState(), QStringLiteral("content"));  // "No alerts" before any data
        PanelData data = frame({}, "", true, "ALERTS");
        auto alert = [](const char* name, const char* state, const char* severity) {
            SeriesData s;
            s.labels = Labels{{"__name__", "ALERTS"},
                              {"alertname", name},
                              {"alertstate", state},
                              {"severity", severity},
                              {"instance", "a"}};
            s.timestamps = {kTo};
            s.values = {1};
            return s;
        };
        data.frames[0].series = {alert("DiskFull", "pending", "warning"),
                                 alert("HostDown", "firing", "critical")};
        QueryFrame forState;
        forState.refId = QStringLiteral("ALERTS_FOR_STATE");
        SeriesData activeAt;
        activeAt.labels = Labels{{"__name__", "ALERTS_FOR_STATE"},
                                 {"alertname", "HostDown"},
                                 {"severity", "critical"},
                                 {"instance", "a"}};
        activeAt.timestamps = {kTo};
        activeAt.values = {double(kTo - 5 * 60'000) / 1000.0};
        forState.series = {activeAt};
        data.frames.push_back(forState);
        panel->setData(data);
        QCOMPARE(panel->rows().size(), std::size_t(2));
        QCOMPARE(panel->rows()[0].name, QStringLiteral("HostDown"));  // critical first
        QCOMPARE(panel->rows()[0].state, QStringLiteral("firing"));
        QCOMPARE(panel->rows()[0].activeAtMs, kTo - 5 * 60'000);
        QCOMPARE(panel->tree()->topLevelItem(0)->text(3), QStringLiteral("5m"));
        QCOMPARE(panel->rows()[1].labels, QStringLiteral("instance=a, severity=warning"));
        PanelData failed = frame({}, "", true, "ALERTS");
        failed.frames[0].error = QStringLiteral("unavailable");
        panel->setData(failed);
        QCOMPARE(panel->bodyState(), QStringLiteral("error"));
    }

    void unknownTypesSayWhatTheyAre() {
        std::unique_ptr<PanelWidget> panel(createPanelWidget(QStringLiteral("piechart")));
        panel->setPanel(panelFrom("{\"type\":\"piechart\",\"title\":\"Pie\"}"));
        QVERIFY(dynamic_cast<UnsupportedPanel*>(panel.get()));
        QCOMPARE(panel->bodyState(), QStringLiteral("content"));
        QVERIFY(panel->grab().toImage().width() > 0);
    }
};

QTEST_MAIN(TestPanels)
#include "tst_panels.moc"
