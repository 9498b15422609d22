#pragma once

// Starts the real `vigil` executable (from VIGIL_BIN_DIR) for tests, waits
// until it logs its listen address, and stops it on destruction.

#include <signal.h>

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QString>

namespace vigil::test {

inline QString vigilBinary(const char* name) {
    return qEnvironmentVariable("VIGIL_BIN_DIR") + "/" + name;
}

class VigilProcess {
public:
    VigilProcess(const QStringList& args,
                 const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
        m_process.setProcessEnvironment(env);
        m_process.start(vigilBinary("vigil"), args);
    }
    ~VigilProcess() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    // The bound address, or empty when vigil exited or never listened.
    QString waitForAddress(int timeoutMs = 20000) {
        static const QRegularExpression listening("listening on ([0-9.]+:[0-9]+)");
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            const auto match = listening.match(log());
            if (match.hasMatch())
                return match.captured(1);
            if (m_process.state() == QProcess::NotRunning)
                return {};
            m_process.waitForReadyRead(100);
        }
        return {};
    }
    // Sends `signal`; returns the exit code (-1 on a crash or a hang).
    int terminate(int signal = SIGTERM) {
        ::kill(static_cast<pid_t>(m_process.processId()), signal);
        if (!m_process.waitForFinished(20000))
            return -1;
        log();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    // Everything vigil wrote to standard error so far.
    QString log() {
        m_stderr += m_process.readAllStandardError();
        return QString::fromUtf8(m_stderr);
    }
    QProcess& process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_stderr;
};

}  // namespace vigil::test
