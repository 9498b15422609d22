#pragma once

// Starts the real Prometheus (Debian package `prometheus`) on 127.0.0.1 with
// a given prometheus.yml, for tests that use it as a reference. The process
// is stopped when the object is destroyed.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

#include "tests/support/http_client.h"

namespace vigil::test {

// A port that was free a moment ago on 127.0.0.1.
inline int freeLoopbackPort() {
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

class PrometheusProcess {
public:
    ~PrometheusProcess() { stop(); }

    static QString binary() { return QStandardPaths::findExecutable("prometheus"); }

    // Writes `configYaml`, starts Prometheus and waits for /-/ready. Returns
    // an empty string on success, otherwise what went wrong. The text
    // "$PROMETHEUS_ADDRESS" in the config becomes Prometheus's own address
    // (for a self-scrape).

    // `dataDir` empty: a fresh directory of the test's own.
    QString start(const QByteArray& configYaml, const QStringList& extraArgs = {},
                  const QString& dataDir = {}) {
        if (binary().isEmpty())
            return "prometheus is not installed";
        m_port = freeLoopbackPort();
        QByteArray yaml = configYaml;
        yaml.replace("$PROMETHEUS_ADDRESS", address().toUtf8());
        QFile config(m_dir.filePath("prometheus.yml"));
        if (!config.open(QIODevice::WriteOnly) || config.write(yaml) != yaml.size()) {
            return "cannot write prometheus.yml";
        }
        config.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_dataDir = dataDir.isEmpty() ? m_dir.filePath("data") : dataDir;
        QStringList args{"--config.file=" + config.fileName(), "--storage.tsdb.path=" + m_dataDir,
                         QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(m_port)};
        m_process.start(binary(), args + extraArgs);
        if (!m_process.waitForStarted(10000))
            return "prometheus did not start";
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000) {
            if (m_process.state() != QProcess::Running)
                return "prometheus exited: " + QString::fromUtf8(m_process.readAll());
            if (httpGet(address(), "/-/ready").status == 200)
                return {};
            QThread::msleep(100);
        }
        return "prometheus was not ready within 30 s";
    }

    void stop() {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    QString dataDir() const { return m_dataDir; }
    QString log() { return QString::fromUtf8(m_process.readAll()); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    int m_port = 0;
    QString m_dataDir;
};

}  // namespace vigil::test
