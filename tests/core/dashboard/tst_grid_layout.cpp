#include <QtTest>

#include "core/dashboard/grid_layout.h"

using vigil::dashboard::GridItem;
using vigil::dashboard::GridLayout;

Q_DECLARE_METATYPE(std::vector<GridItem>)

namespace {

// "id:x,y,w,h[,s]" items separated by spaces; s marks a static item.
std::vector<GridItem> items(const char* spec) {
    std::vector<GridItem> out;
    for (const QString& part :
         QString::fromLatin1(spec).split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const QStringList idAndPos = part.split(QLatin1Char(':'));
        const QStringList pos = idAndPos[1].split(QLatin1Char(','));
        GridItem item;
        item.id = idAndPos[0].toInt();
        item.x = pos[0].toInt();
        item.y = pos[1].toInt();
        item.w = pos[2].toInt();
        item.h = pos[3].toInt();
        item.isStatic = pos.size() > 4 && pos[4] == QLatin1String("s");
        out.push_back(item);
    }
    return out;
}

QString render(const std::vector<GridItem>& layout) {
    QStringList parts;
    for (const GridItem& item : layout)
        parts << QStringLiteral("%1:%2,%3,%4,%5%6")
                     .arg(item.id)
                     .arg(item.x)
                     .arg(item.y)
                     .arg(item.w)
                     .arg(item.h)
                     .arg(item.isStatic ? QStringLiteral(",s") : QString());
    return parts.join(QLatin1Char(' '));
}

}  // namespace

// Expected layouts follow react-grid-layout's algorithm as Grafana uses it
// (vertical compaction, moveElement with the "swap above" rule).
class TestGridLayout : public QObject {
    Q_OBJECT
private slots:
    void compaction_data() {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        QTest::newRow("gap-closes") << "1:0,0,12,8 2:0,10,12,8"
                                    << "1:0,0,12,8 2:0,8,12,8";
        QTest::newRow("floats-beside") << "1:0,0,12,8 2:12,5,12,4"
                                       << "1:0,0,12,8 2:12,0,12,4";
        QTest::newRow("overlap-pushed-down") << "1:0,0,12,8 2:6,4,12,8"
                                             << "1:0,0,12,8 2:6,8,12,8";
        QTest::newRow("reading-order-decides") << "1:0,3,24,2 2:0,1,12,4"
                                               << "1:0,4,24,2 2:0,0,12,4";
        QTest::newRow("static-stays-others-flow") << "1:0,0,24,2,s 2:0,0,12,4 3:12,9,12,4"
                                                  << "1:0,0,24,2,s 2:0,2,12,4 3:12,2,12,4";
        QTest::newRow("out-of-bounds-clamped") << "1:20,0,8,3 2:-2,0,4,3"
                                               << "1:16,3,8,3 2:0,0,24,3";
    }
    void compaction() {
        QFETCH(QString, before);
        QFETCH(QString, after);
        GridLayout layout(items(before.toLatin1().constData()));
        layout.normalize();
        QCOMPARE(render(layout.items()), after);
    }

    void move_data() {
        QTest::addColumn<QString>("before");
        QTest::addColumn<int>("id");
        QTest::addColumn<int>("x");
        QTest::addColumn<int>("y");
        QTest::addColumn<QString>("after");
        // A small drag down snaps back: the panel below is not swapped yet.
        QTest::newRow("small-drag-down-snaps-back")
            << "1:0,0,12,8 2:0,8,12,8" << 1 << 0 << 9 << "1:0,0,12,8 2:0,8,12,8";
        QTest::newRow("drag-down-past-middle-swaps")
            << "1:0,0,12,8 2:0,8,12,8" << 1 << 0 << 12 << "1:0,8,12,8 2:0,0,12,8";
        QTest::newRow("drag-up-swaps")
            << "1:0,0,12,8 2:0,8,12,8" << 2 << 0 << 0 << "1:0,8,12,8 2:0,0,12,8";
        QTest::newRow("drag-into-free-column")
            << "1:0,0,12,8 2:0,8,12,8" << 2 << 12 << 0 << "1:0,0,12,8 2:12,0,12,8";
        QTest::newRow("x-clamped-to-grid") << "1:0,0,12,8" << 1 << 20 << 0 << "1:12,0,12,8";
        QTest::newRow("cascade-pushes-chain")
            << "1:0,0,24,4 2:0,4,24,4 3:0,8,24,4 4:12,12,12,4" << 1 << 0 << 6
            << "1:0,4,24,4 2:0,0,24,4 3:0,8,24,4 4:12,12,12,4";
        QTest::newRow("static-never-moves")
            << "1:0,0,24,2,s 2:0,2,12,4" << 1 << 0 << 5 << "1:0,0,24,2,s 2:0,2,12,4";
    }
    void move() {
        QFETCH(QString, before);
        QFETCH(int, id);
        QFETCH(int, x);
        QFETCH(int, y);
        QFETCH(QString, after);
        GridLayout layout(items(before.toLatin1().constData()));
        layout.normalize();
        layout.move(id, x, y);
        QCOMPARE(render(layout.items()), after);
    }

    void resize_data() {
        QTest::addColumn<QString>("before");
        QTest::addColumn<int>("id");
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::addColumn<QString>("after");
        QTest::newRow("taller-pushes-below") << "1:0,0,12,8 2:12,0,12,8 3:0,8,24,4" << 1 << 12 << 10
                                             << "1:0,0,12,10 2:12,0,12,8 3:0,10,24,4";
        QTest::newRow("wider-pushes-neighbour-down")
            << "1:0,0,12,8 2:12,0,12,8" << 1 << 18 << 8 << "1:0,0,18,8 2:12,8,12,8";
        QTest::newRow("shorter-lets-below-float")
            << "1:0,0,24,8 2:0,8,24,4" << 1 << 24 << 5 << "1:0,0,24,5 2:0,5,24,4";
        QTest::newRow("min-height-3") << "1:0,0,24,8" << 1 << 24 << 1 << "1:0,0,24,3";
        QTest::newRow("width-clamped-to-grid") << "1:12,0,12,8" << 1 << 20 << 8 << "1:12,0,12,8";
    }
    void resize() {
        QFETCH(QString, before);
        QFETCH(int, id);
        QFETCH(int, w);
        QFETCH(int, h);
        QFETCH(QString, after);
        GridLayout layout(items(before.toLatin1().constData()));
        layout.normalize();
        QVERIFY(layout.resize(id, w, h));
        QCOMPARE(render(layout.items()), after);
    }

    void dropFromPaletteTakesItsPlace() {
        GridLayout layout(items("1:0,0,12,8 2:12,0,12,8"));
        layout.insert(GridItem{3, 0, 0, 12, 8, false});
        QCOMPARE(render(layout.items()), QStringLiteral("1:0,8,12,8 2:12,0,12,8 3:0,0,12,8"));
        layout.remove(3);
        QCOMPARE(render(layout.items()), QStringLiteral("1:0,0,12,8 2:12,0,12,8"));
    }

    void unknownAndStaticItemsRefuseToMove() {
        GridLayout layout(items("1:0,0,24,2,s"));
        QVERIFY(!layout.move(1, 0, 4));
        QVERIFY(!layout.move(42, 0, 0));
        QVERIFY(!layout.resize(42, 4, 4));
    }

    void pixelHeights() {
        QCOMPARE(vigil::dashboard::gridHeightPx(1), 30);
        QCOMPARE(vigil::dashboard::gridHeightPx(8), 8 * 30 + 7 * 8);
    }
};

QTEST_GUILESS_MAIN(TestGridLayout)
#include "tst_grid_layout.moc"
