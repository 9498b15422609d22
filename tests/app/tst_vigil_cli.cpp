#include <QtTest>

#include <csignal>

#include "tests/support/http_client.h"

namespace {

QString binary(const char* name) {
    return qEnvironmentVariable("VIGIL_BIN_DIR") + "/" + name;
}

// An environment with no display at all and XDG dirs inside `home`.
QProcessEnvironment cleanEnvironment(const QString& home) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    env.remove("QT_QPA_PLATFORM");
    env.insert("HOME", home);
    env.insert("XDG_CONFIG_HOME", home + "/config");
    env.insert("XDG_DATA_HOME", home + "/data");
    env.insert("XDG_RUNTIME_DIR", home);
    return env;
}

struct Finished {
    int exitCode = -1;
    QString out;
    QString err;
};

Finished run(const QString& program, const QStringList& args, const QProcessEnvironment& env) {
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(program, args);
    Finished result;
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out";
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

// Starts vigil and waits until it logs its listen address.
class RunningVigil {
public:
    RunningVigil(const QStringList& args, const QProcessEnvironment& env) {
        m_process.setProcessEnvironment(env);
        m_process.start(binary("vigil"), args);
    }
    ~RunningVigil() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    // The bound address, or empty when vigil exited or never listened.
    QString waitForAddress() {
        static const QRegularExpression listening("listening on ([0-9.]+:[0-9]+)");
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 20000) {
            m_stderr += m_process.readAllStandardError();
            const auto match = listening.match(QString::fromUtf8(m_stderr));
            if (match.hasMatch())
                return match.captured(1);
            if (m_process.state() == QProcess::NotRunning)
                return {};
            m_process.waitForReadyRead(100);
        }
        return {};
    }
    // Sends `signal` and returns the exit code (-1 on a crash or a hang).
    int terminate(int signal) {
        ::kill(static_cast<pid_t>(m_process.processId()), signal);
        if (!m_process.waitForFinished(20000))
            return -1;
        m_stderr += m_process.readAllStandardError();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    // Everything vigil wrote to standard error so far.
    QString log() {
        m_stderr += m_process.readAllStandardError();
        return QString::fromUtf8(m_stderr);
    }

private:
    QProcess m_process;
    QByteArray m_stderr;
};

}  // namespace

class TestVigilCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_home;

private slots:
    void initTestCase() {
        QVERIFY(QFile::exists(binary("vigil")));
        QVERIFY(QFile::exists(binary("vigilctl")));
    }

    void versionAndHelp_data() {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QString>("arg");
        QTest::addColumn<QString>("expected");
        QTest::newRow("vigil --version") << "vigil"
                                         << "--version"
                                         << "vigil 0.";
        QTest::newRow("vigil --help") << "vigil"
                                      << "--help"
                                      << "--headless";
        QTest::newRow("vigilctl --version") << "vigilctl"
                                            << "--version"
                                            << "vigilctl 0.";
        QTest::newRow("vigilctl --help") << "vigilctl"
                                         << "--help"
                                         << "check config FILE";
    }
    void versionAndHelp() {
        QFETCH(QString, program);
        QFETCH(QString, arg);
        QFETCH(QString, expected);
        const Finished f =
            run(binary(program.toUtf8().constData()), {arg}, cleanEnvironment(m_home.path()));
        QCOMPARE(f.exitCode, 0);
        QVERIFY2(f.out.contains(expected), qPrintable(f.out + f.err));
    }

    void noDisplaySaysWhatToDo() {
        const Finished f = run(binary("vigil"), {}, cleanEnvironment(m_home.path()));
        QCOMPARE(f.exitCode, 2);
        QVERIFY2(f.err.contains("no display") && f.err.contains("vigil --headless") &&
                     f.err.contains("xvfb-run"),
                 qPrintable(f.err));
    }

    void headlessRunsUntilSignalled_data() {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }
    void headlessRunsUntilSignalled() {
        QFETCH(int, signal);
        QTemporaryDir home;
        RunningVigil vigil({"--headless", "--listen", "127.0.0.1:0"},
                           cleanEnvironment(home.path()));
        const QString address = vigil.waitForAddress();
        QVERIFY2(!address.isEmpty(), qPrintable(vigil.log()));
        QCOMPARE(vigil::test::httpGet(address, "/-/healthy").status, 200);
        // Ready once every service has started, which may follow the
        // listener's address by a moment on a loaded machine.
        QTRY_COMPARE_WITH_TIMEOUT(vigil::test::httpGet(address, "/-/ready").status, 200, 10000);
        const auto metrics = vigil::test::httpGet(address, "/metrics");
        QVERIFY(metrics.body.find("process_resident_memory_bytes") != std::string::npos);
        // Headless: no GUI lag histogram.
        QVERIFY(metrics.body.find("vigil_ui_event_loop_lag_seconds") == std::string::npos);
        QCOMPARE(vigil.terminate(signal), 0);
        QVERIFY2(vigil.log().contains("engine stopped"), qPrintable(vigil.log()));
        // First run: the default config went to the XDG location, data too.
        QVERIFY(QFile::exists(home.path() + "/config/vigil/vigil.yml"));
        QVERIFY(QFileInfo(home.path() + "/data/vigil").isDir());
        QVERIFY2(vigil.log().contains("first run: wrote the default configuration"),
                 qPrintable(vigil.log()));
    }

    void secondInstanceOnSameDataDirRefuses() {
        QTemporaryDir home;
        const QProcessEnvironment env = cleanEnvironment(home.path());
        const QString dataDir = home.path() + "/shared-data";
        RunningVigil first({"--headless", "--listen", "127.0.0.1:0", "--data-dir", dataDir}, env);
        QVERIFY2(!first.waitForAddress().isEmpty(), qPrintable(first.log()));

        const Finished headless = run(
            binary("vigil"), {"--headless", "--listen", "127.0.0.1:0", "--data-dir", dataDir}, env);
        QCOMPARE(headless.exitCode, 1);
        QVERIFY2(headless.err.contains("is in use by another Vigil process"),
                 qPrintable(headless.err));

        QProcessEnvironment guiEnv = env;
        guiEnv.insert("QT_QPA_PLATFORM", "offscreen");
        const Finished gui =
            run(binary("vigil"), {"--listen", "127.0.0.1:0", "--data-dir", dataDir}, guiEnv);
        QCOMPARE(gui.exitCode, 1);
        QVERIFY2(gui.err.contains("is in use by another Vigil process"), qPrintable(gui.err));
        QCOMPARE(first.terminate(SIGTERM), 0);
    }

    void guiRunsAndMeasuresItsEventLoop() {
        QTemporaryDir home;
        QProcessEnvironment env = cleanEnvironment(home.path());
        env.insert("QT_QPA_PLATFORM", "offscreen");
        RunningVigil vigil({"--listen", "127.0.0.1:0"}, env);
        const QString address = vigil.waitForAddress();
        QVERIFY2(!address.isEmpty(), qPrintable(vigil.log()));
        QTRY_VERIFY_WITH_TIMEOUT(
            vigil::test::httpGet(address, "/metrics")
                    .body.find("vigil_ui_event_loop_lag_seconds_count") != std::string::npos,
            10000);
        QTRY_VERIFY2_WITH_TIMEOUT(vigil.log().contains("no system tray is available"),
                                  qPrintable(vigil.log()), 10000);
        QCOMPARE(vigil.terminate(SIGTERM), 0);
        QVERIFY(QFile::exists(home.path() + "/data/vigil/ui.ini"));  // geometry saved
    }

    void invalidConfigStopsStartup() {
        QTemporaryDir home;
        const QString config = home.path() + "/vigil.yml";
        QFile file(config);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("server:\n  listen: 127.0.0.1:0\n  colour: blue\n");
        file.close();
        const Finished f =
            run(binary("vigil"), {"--headless", "--config", config}, cleanEnvironment(home.path()));
        QCOMPARE(f.exitCode, 1);
        QVERIFY2(f.err.contains(config + ":3:3: unknown key 'colour' in server"),
                 qPrintable(f.err));
    }

    void vigilctlChecksConfig() {
        QTemporaryDir home;
        const QString good = home.path() + "/good.yml";
        const QString bad = home.path() + "/bad.yml";
        QFile g(good), b(bad);
        QVERIFY(g.open(QIODevice::WriteOnly) && b.open(QIODevice::WriteOnly));
        g.write("server:\n  listen: 127.0.0.1:9595\n");
        b.write("server:\n  listen: [1]\n");
        g.close();
        b.close();
        const QProcessEnvironment env = cleanEnvironment(home.path());
        const Finished ok = run(binary("vigilctl"), {"check", "config", good}, env);
        QCOMPARE(ok.exitCode, 0);
        QVERIFY(ok.out.contains("SUCCESS"));
        const Finished fail = run(binary("vigilctl"), {"check", "config", bad}, env);
        QCOMPARE(fail.exitCode, 1);
        QVERIFY2(fail.out.contains(bad + ":2:11: server.listen: expected a string, got a list"),
                 qPrintable(fail.out));
        QCOMPARE(run(binary("vigilctl"), {"frobnicate"}, env).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestVigilCli)
#include "tst_vigil_cli.moc"
