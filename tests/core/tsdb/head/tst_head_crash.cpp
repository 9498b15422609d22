#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <random>
#include <set>

#include "core/tsdb/head/head.h"
#include "head_test_util.h"

using namespace vigil;
using namespace vigil::tsdb;
using namespace vigil::tsdb::testing;

// Crash test: head_crash_child appends and commits in a loop, printing each
// acknowledged round; it is killed with SIGKILL at a random point, 50 times.
// After each kill the head opens (repairing a torn WAL tail) and every
// acknowledged sample is there (except those a truncate the child announced
// may have dropped on purpose).
class TestHeadCrash : public QObject {
    Q_OBJECT
private slots:
    void killedAppenderLosesNothingAcknowledged() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString dir = tmp.path() + "/wal";
        std::mt19937_64 rng(20261121);
        std::set<model::Timestamp> acked;
        model::Timestamp bound = model::kMinTimestamp;  // the highest announced truncation
        int repaired = 0;
        for (int run = 0; run < 50; ++run) {
            QProcess child;
            child.setProgram(QStringLiteral(HEAD_CRASH_CHILD));
            child.setArguments({dir});
            child.start();
            QVERIFY2(child.waitForStarted(5000), "the child did not start");
            // Let it get going (open and replay), then kill it at a random moment.
            QVERIFY2(child.waitForReadyRead(10000), child.readAllStandardError().constData());
            QTest::qWait(static_cast<int>(5 + rng() % 120));
            child.kill();  // SIGKILL
            QVERIFY(child.waitForFinished(5000));
            QCOMPARE(child.exitStatus(), QProcess::CrashExit);
            const QString err = QString::fromUtf8(child.readAllStandardError());
            QVERIFY2(!err.contains("refused") && !err.contains("commit:"), qPrintable(err));
            const QList<QByteArray> lines = child.readAllStandardOutput().split('\n');
            int acks = 0;
            for (int i = 0; i + 1 < lines.size(); ++i) {  // the last piece may be cut
                const QList<QByteArray> f = lines[i].split(' ');
                if (f.size() != 2)
                    continue;
                if (f[0] == "ack") {
                    acked.insert(static_cast<model::Timestamp>(f[1].toLongLong()));
                    ++acks;
                } else if (f[0] == "trunc") {
                    bound = std::max<model::Timestamp>(bound, f[1].toLongLong());
                }
            }

            auto head = Head::open(Env::posix(), dir.toStdString(), {});
            QVERIFY2(head.isOk(), head.status().message().c_str());
            repaired += (*head)->warnings().empty() ? 0 : 1;
            SeriesSamples all;
            auto q = (*head)->querier(model::kMinTimestamp, model::kMaxTimestamp);
            QVERIFY(queryAll(*q, anySeries(), all));
            QCOMPARE(all.size(), std::size_t(acked.empty() ? 0 : 20));
            for (const auto& [labels, samples] : all) {
                std::set<model::Timestamp> present;
                for (const auto& s : samples) {
                    QCOMPARE(s.v, static_cast<double>(s.t));
                    present.insert(s.t);
                }
                for (auto it = acked.lower_bound(bound); it != acked.end(); ++it) {
                    if (!present.count(*it))
                        QFAIL(qPrintable(
                            QStringLiteral("run %1: acknowledged sample at %2 of %3 is missing")
                                .arg(run)
                                .arg(*it)
                                .arg(QString::fromStdString(labels.toString()))));
                }
            }
        }
        QVERIFY(acked.size() > 50);
        qInfo("%zu rounds acknowledged over 50 kills; %d opens repaired a torn tail", acked.size(),
              repaired);
    }
};

QTEST_GUILESS_MAIN(TestHeadCrash)
#include "tst_head_crash.moc"
