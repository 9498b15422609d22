// Differential test against the real Prometheus 2.42 binary: for every
// expression of the v2.42 conformance scripts and of data/oracle_queries.txt,
// Vigil's toString() (or parse error) must equal what Prometheus's
// /api/v1/format_query returns. Skipped when no prometheus 2.42 binary is
// installed (set VIGIL_PROMETHEUS_BIN to use another path).

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "core/promql/parser.h"

using namespace vigil;

namespace {

QString sharedDir() {
    const QByteArray env = qgetenv("VIGIL_SHARED_DIR");
    return env.isEmpty() ? QStringLiteral("/work/shared") : QString::fromLocal8Bit(env);
}

struct Answer {
    bool ok = false;
    QString text;  // printed form, or the error without Prometheus's prefix
};

}  // namespace

class TestPromqlParserOracle : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QString bin = qEnvironmentVariable("VIGIL_PROMETHEUS_BIN");
        if (bin.isEmpty())
            bin = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
        if (bin.isEmpty())
            QSKIP("no prometheus binary in PATH (set VIGIL_PROMETHEUS_BIN)");
        QProcess version;
        version.start(bin, {QStringLiteral("--version")});
        QVERIFY(version.waitForFinished(10000));
        const QString banner =
            QString::fromUtf8(version.readAllStandardOutput() + version.readAllStandardError());
        if (!banner.contains(QLatin1String("version 2.42.")))
            QSKIP(qPrintable("the oracle must be Prometheus 2.42, found: " + banner.left(60)));

        QVERIFY(m_dir.isValid());
        QFile config(m_dir.filePath(QStringLiteral("prometheus.yml")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("global:\n  scrape_interval: 1h\n");
        config.close();

        QTcpServer probe;  // a free port on loopback
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        m_port = probe.serverPort();
        probe.close();

        m_prometheus.setProcessChannelMode(QProcess::MergedChannels);
        m_prometheus.start(bin, {"--config.file=" + config.fileName(),
                                 "--storage.tsdb.path=" + m_dir.filePath(QStringLiteral("data")),
                                 QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(m_port),
                                 QStringLiteral("--enable-feature=promql-at-modifier,"
                                                "promql-negative-offset")});
        QVERIFY2(m_prometheus.waitForStarted(10000), qPrintable(m_prometheus.errorString()));
        bool ready = false;
        for (int i = 0; i < 100 && !ready; ++i) {
            QTest::qWait(100);
            ready = get(QStringLiteral("/-/ready")) == 200;
        }
        QVERIFY2(ready, qPrintable("prometheus did not become ready: " +
                                   QString::fromUtf8(m_prometheus.readAll())));
    }

    void cleanupTestCase() {
        if (m_prometheus.state() != QProcess::NotRunning) {
            m_prometheus.terminate();
            if (!m_prometheus.waitForFinished(10000))
                m_prometheus.kill();
        }
    }

    void sameAsPrometheus() {
        QStringList queries;
        // The v2.42 conformance expressions (the newer folder uses syntax 2.42 lacks).
        const QString root = sharedDir() + "/conformance/promql";
        static const QRegularExpression evalRe(
            QStringLiteral("^eval(?:_(?:fail|ordered))?\\s+instant\\s+at\\s+\\S+\\s+(.+)$"));
        for (const QString& name : QDir(root).entryList({"*.test"}, QDir::Files, QDir::Name)) {
            QFile f(root + "/" + name);
            QVERIFY(f.open(QIODevice::ReadOnly));
            for (const QByteArray& line : f.readAll().split('\n')) {
                const auto m = evalRe.match(QString::fromUtf8(line).trimmed());
                if (m.hasMatch())
                    queries << m.captured(1);
            }
        }
        const int fromScripts = queries.size();
        QFile extra(QStringLiteral(VIGIL_TEST_DATA_DIR "/data/oracle_queries.txt"));
        QVERIFY(extra.open(QIODevice::ReadOnly));
        for (const QByteArray& line : extra.readAll().split('\n')) {
            if (!line.isEmpty() && !line.startsWith('#'))
                queries << QString::fromUtf8(line);
        }

        int compared = 0;
        int skipped = 0;
        QStringList mismatches;
        for (const QString& q : queries) {
            const Answer ref = formatQuery(q);
            if (ref.text.contains('\n')) {
                // Long expressions come back re-indented rather than as
                // String(); several errors come back one per line.
                ++skipped;
                continue;
            }
            Answer mine;
            auto r = promql::parse(q.toStdString());
            mine.ok = r.isOk();
            mine.text =
                QString::fromStdString(r.isOk() ? promql::toString(**r) : r.status().message());
            ++compared;
            if (mine.ok != ref.ok || mine.text != ref.text) {
                mismatches << QStringLiteral("%1\n    vigil:      %2 %3\n    prometheus: %4 %5")
                                  .arg(q, mine.ok ? "OK" : "ERR", mine.text, ref.ok ? "OK" : "ERR",
                                       ref.text);
            }
        }
        qInfo(
            "oracle: %d queries (%d from the v2.42 scripts), %d compared, %d skipped as "
            "multi-line answers, %d mismatches",
            int(queries.size()), fromScripts, compared, skipped, int(mismatches.size()));
        QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.mid(0, 20).join('\n')));
        QVERIFY(compared > 500);
    }

private:
    int get(const QString& path) {
        QNetworkRequest req(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path)));
        QNetworkReply* reply = m_net.get(req);
        waitFor(reply);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->deleteLater();
        return status;
    }

    Answer formatQuery(const QString& query) {
        QNetworkRequest req(
            QUrl(QStringLiteral("http://127.0.0.1:%1/api/v1/format_query").arg(m_port)));
        req.setHeader(QNetworkRequest::ContentTypeHeader,
                      QStringLiteral("application/x-www-form-urlencoded"));
        QNetworkReply* reply = m_net.post(req, "query=" + QUrl::toPercentEncoding(query.toUtf8()));
        waitFor(reply);
        const QJsonObject obj = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        Answer a;
        a.ok = obj.value(QStringLiteral("status")).toString() == QLatin1String("success");
        if (a.ok) {
            a.text = obj.value(QStringLiteral("data")).toString();
        } else {
            a.text = obj.value(QStringLiteral("error")).toString();
            a.text.remove(QStringLiteral("invalid parameter \"query\": "));
        }
        return a;
    }

    static void waitFor(QNetworkReply* reply) {
        if (reply->isFinished())
            return;
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        loop.exec();
    }

    QTemporaryDir m_dir;
    QProcess m_prometheus;
    QNetworkAccessManager m_net;
    quint16 m_port = 0;
};

QTEST_GUILESS_MAIN(TestPromqlParserOracle)
#include "tst_promql_parser_oracle.moc"
