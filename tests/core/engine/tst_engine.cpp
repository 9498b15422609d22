#include <QtTest>

#include "core/engine/engine.h"
#include "tests/support/http_client.h"

using vigil::Status;
using vigil::engine::Engine;
using vigil::engine::EngineOptions;
using vigil::engine::Service;

namespace {

// Records its transitions in a shared journal; can be told to fail.
class JournalService : public Service {
public:
    JournalService(QString name, QStringList& journal, bool failStart = false)
        : Service(std::move(name)), m_journal(journal), m_failStart(failStart) {}
    ~JournalService() override { stop(); }

protected:
    Status doStart() override {
        if (m_failStart)
            return Status::error("refusing to start (test)");
        m_journal << "start " + name();
        return Status::ok();
    }
    void doStop() override { m_journal << "stop " + name(); }

private:
    QStringList& m_journal;
    bool m_failStart;
};

EngineOptions testOptions(const QString& dataDir) {
    EngineOptions options;
    options.dataDir = dataDir;
    options.config.server.listen = {"127.0.0.1", 0};
    return options;
}

long residentKiB() {
    QFile status("/proc/self/status");
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLong();
    }
    return 0;
}

}  // namespace

class TestEngine : public QObject {
    Q_OBJECT
private slots:
    void startStopFiftyTimes() {
        QTemporaryDir dir;
        Engine engine(testOptions(dir.path()));
        long rssAfterWarmup = 0;
        for (int i = 0; i < 50; ++i) {
            const Status started = engine.start();
            QVERIFY2(started.isOk(), started.message().c_str());
            QVERIFY(engine.isRunning());
            const QString address = engine.httpAddress();
            QVERIFY(!address.isEmpty());
            const auto reply = vigil::test::httpGet(address, "/-/ready");
            QCOMPARE(reply.status, 200);
            engine.stop();
            QVERIFY(!engine.isRunning());
            QVERIFY(engine.httpAddress().isEmpty());
            // The port is really closed after stop().
            QCOMPARE(vigil::test::httpGet(address, "/-/healthy").status, 0);
            if (i == 4)
                rssAfterWarmup = residentKiB();
        }
#if defined(__SANITIZE_ADDRESS__)
        // Under ASan the quarantine holds freed memory, so RSS says nothing;
        // LeakSanitizer checks for leaks when the process exits instead.
        (void)rssAfterWarmup;
#else
        // No growth beyond noise across 45 more cycles.
        const long growth = residentKiB() - rssAfterWarmup;
        QVERIFY2(growth < 4096, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(growth)));
#endif
    }

    void freshEnginesFiftyTimes() {
        QTemporaryDir dir;
        for (int i = 0; i < 50; ++i) {
            Engine engine(testOptions(dir.path()));
            QVERIFY(engine.start().isOk());
            // Destroying a running engine stops it.
        }
    }

    void servicesStopInReverseOrder() {
        QTemporaryDir dir;
        QStringList journal;
        Engine engine(testOptions(dir.path()));
        engine.addService(std::make_unique<JournalService>("a", journal));
        engine.addService(std::make_unique<JournalService>("b", journal));
        QVERIFY(engine.start().isOk());
        engine.stop();
        QCOMPARE(journal, QStringList({"start a", "start b", "stop b", "stop a"}));
        const auto statuses = engine.serviceStatuses();
        // Built-in services first, in start order: storage, log store, listener, collector.
        QStringList names;
        for (const auto& status : statuses)
            names << status.name;
        QCOMPARE(names, QStringList({"tsdb", "logs", "http", "host-collector", "a", "b"}));
    }

    void failedStartRollsBack() {
        QTemporaryDir dir;
        QStringList journal;
        Engine engine(testOptions(dir.path()));
        engine.addService(std::make_unique<JournalService>("a", journal));
        engine.addService(std::make_unique<JournalService>("broken", journal, /*failStart=*/true));
        const Status started = engine.start();
        QVERIFY(!started.isOk());
        QVERIFY2(started.message().find("starting broken: refusing to start") != std::string::npos,
                 started.message().c_str());
        QCOMPARE(journal, QStringList({"start a", "stop a"}));
        QVERIFY(!engine.isRunning());
        // The lock was released: another engine may take the directory.
        Engine other(testOptions(dir.path()));
        QVERIFY(other.start().isOk());
    }

    void secondEngineOnSameDataDirRefuses() {
        QTemporaryDir dir;
        Engine first(testOptions(dir.path()));
        QVERIFY(first.start().isOk());
        Engine second(testOptions(dir.path()));
        const Status refused = second.start();
        QVERIFY(!refused.isOk());
        QVERIFY2(refused.message().find("is in use by another Vigil process (pid " +
                                        std::to_string(QCoreApplication::applicationPid())) !=
                     std::string::npos,
                 refused.message().c_str());
        first.stop();
        QVERIFY(second.start().isOk());
    }

    void takenPortIsReported() {
        QTemporaryDir dirA, dirB;
        Engine first(testOptions(dirA.path()));
        QVERIFY(first.start().isOk());
        const QString address = first.httpAddress();
        EngineOptions options = testOptions(dirB.path());
        options.config.server.listen.port = address.mid(address.lastIndexOf(':') + 1).toInt();
        Engine second(options);
        const Status refused = second.start();
        QVERIFY(!refused.isOk());
        QVERIFY2(refused.message().find("cannot listen on " + address.toStdString()) !=
                     std::string::npos,
                 refused.message().c_str());
    }

    void stateChangesArriveAsSignals() {
        QTemporaryDir dir;
        Engine engine(testOptions(dir.path()));
        QSignalSpy spy(&engine, &Engine::serviceStateChanged);
        QVERIFY(engine.start().isOk());
        engine.stop();
        QVERIFY(spy.count() >= 4);  // starting, running, stopping, stopped
        QCOMPARE(spy.last().at(1).value<Service::State>(), Service::State::kStopped);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
