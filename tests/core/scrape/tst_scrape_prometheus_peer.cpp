// Conformance of the scrape-side parsing with the real Prometheus 2.42
// (Debian 12): a QTcpServer in this test serves every case as a scrape target,
// a real `prometheus` scrapes them all, and for each target we compare
//   - accept/reject: Prometheus's target health and lastError against
//     Vigil's parser (chosen by parserFor() from the same Content-Type);
//   - the samples Prometheus stored (via /api/v1/query) against ours;
//   - the Accept header Prometheus sent against kScrapeAcceptHeader.
// Skipped when the prometheus binary is not installed.

#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>

#include "core/scrape/content_type.h"

using namespace vigil;
using namespace vigil::scrape;

namespace {

template <std::size_t N>
QByteArray bytes(const char (&s)[N]) {
    return QByteArray(s, static_cast<qsizetype>(N - 1));
}

const QByteArray kText = "text/plain; version=0.0.4; charset=utf-8";
const QByteArray kOpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";

struct Case {
    QString name;
    QByteArray contentType;
    QByteArray body;
};

QList<Case> cases() {
    QList<Case> c;
    auto text = [&](const char* name, QByteArray body) { c.append({name, kText, body}); };
    auto om = [&](const char* name, QByteArray body) { c.append({name, kOpenMetrics, body}); };
    // 0.0.4, accepted.
    text("summary",
         bytes("# HELP s A summary.\n# \tTYPE s summary\ns{quantile=\"0.5\"} 4.9351e-05\n"
               "s{ quantile=\"0.9\" , a=\"b\" } 8.3835e-05\ns_sum 1\ns_count 99\n"));
    text("spacing", bytes("a { b = \"1\" c = \"2\" , } 1\n  \t\nb\t2\t\n# comment\n#\n\n"));
    text("escapes", bytes("m{a=\"x\\\\y\",b=\"q\\\"t\",c=\"l\\nn\",d=\"\\t\"} 1\n"));
    text("raw newline in value", bytes("m{a=\"x\ny\"} 1\n"));
    text("values", bytes("a NaN\nb +Inf\nc -Inf\nd -0\ne 1e3\nf .5\ng 5.\nh +1\ni 1E-400\n"
                         "j 0.1000000000000000055511151231257827\nk Infinity\n"));
    text("empty value and braces", bytes("a{b=\"\",c=\"d\"} 1\ne{} 2\n"));
    text("untyped and help escapes", bytes("# HELP u a\\\\b\\nc\n# TYPE u untyped\nu 1\n"));
    text("no final newline", bytes("a 1"));
    text("utf8", bytes("m{a=\"\xc3\xbc\xe2\x82\xac\"} 1\n"));
    // 0.0.4, rejected.
    text("brace first", bytes("{a=\"b\"} 1\n"));
    text("digit first", bytes("9 1\n"));
    text("single quotes", bytes("a{b='c'} 1\n"));
    text("double comma", bytes("a{b=\"c\",,d=\"e\"} 1\n"));
    text("empty label name", bytes("a{=\"c\"} 1\n"));
    text("colon in label name", bytes("a{b:c=\"d\"} 1\n"));
    text("bad value", bytes("a one\n"));
    text("underscore value", bytes("a 1_0\n"));
    text("hex value", bytes("a 0x1p3\n"));
    text("negative timestamp", bytes("a 1 -5\n"));
    text("float timestamp", bytes("a 1 1.5\n"));
    text("extra field", bytes("a 1 2 3\n"));
    text("unterminated value", bytes("a{b=\"c} 1\n"));
    text("invalid utf8", bytes("a{b=\"\xff\"} 1\n"));
    text("OpenMetrics type", bytes("# TYPE a gaugehistogram\na 1\n"));
    text("repeated label", bytes("a{b=\"c\",b=\"d\"} 1\n"));
    // OpenMetrics, negotiated by Content-Type.
    om("om all types",
       bytes("# TYPE c counter\nc_total 1 # {x=\"y\"} 1\nc_created 1\n# TYPE h histogram\n"
             "h_bucket{le=\"+Inf\"} 2 # {} 0.5\nh_count 2\nh_sum 1\n# TYPE s stateset\n"
             "s{s=\"a\"} 1\n# TYPE i info\ni_info{v=\"1\"} 1\n# TYPE t_seconds gauge\n"
             "# UNIT t_seconds seconds\nt_seconds 1.5\n# EOF\n"));
    om("om no eof", bytes("a 1\n"));
    om("om blank line", bytes("a 1\n\nb 1\n# EOF\n"));
    om("om untyped", bytes("# TYPE a untyped\na 1\n# EOF\n"));
    om("om space after comma", bytes("a{b=\"c\", d=\"e\"} 1\n# EOF\n"));
    om("om exemplar on gauge name", bytes("a 1 # {x=\"y\"} 1\n# EOF\n"));
    om("om comment", bytes("# hello\na 1\n# EOF\n"));
    // A 0.0.4 body sent as OpenMetrics fails like in Prometheus.
    c.append({"0.0.4 body labelled OpenMetrics", kOpenMetrics, bytes("a 1\n")});
    // Unknown Content-Type falls back to the 0.0.4 parser.
    c.append({"unknown content type", "application/json", bytes("a 1\n")});
    return c;
}

// The error text before the quoted excerpt, which implementations render
// differently (Prometheus 2.42 names token kinds, Vigil quotes the input).
QString errorHead(QString message) {
    static const QRegularExpression kTokenKind(" \\(\"[A-Z]+\"\\)");
    message.remove(kTokenKind);
    message.remove(QRegularExpression("^line [0-9]+: "));
    message.remove(": invalid sample");
    for (const char* cut : {", got ", " while parsing: "}) {
        const qsizetype i = message.indexOf(QLatin1String(cut));
        if (i >= 0)
            message.truncate(i);
    }
    return message.trimmed();
}

struct Parsed {
    bool ok = false;
    QString error;
    QStringList samples;  // sorted `labels value`, without instance/job
};

QString canonical(QStringList labels, double value) {
    std::sort(labels.begin(), labels.end());
    const QString v = std::isnan(value) ? "NaN" : QString::number(value, 'g', 17);
    return "{" + labels.join(",") + "} " + v;
}

Parsed parseWithVigil(const Case& c) {
    Parsed out;
    FormatChoice choice = parserFor(c.contentType.toStdString());
    auto parser =
        makeParser(choice.format,
                   std::string_view(c.body.constData(), static_cast<std::size_t>(c.body.size())));
    for (;;) {
        Entry e = parser->next();
        if (e == Entry::kEnd)
            break;
        if (e == Entry::kInvalid) {
            out.error = errorHead(QString::fromStdString(parser->status().message()));
            return out;
        }
        if (e != Entry::kSeries)
            continue;
        QStringList labels;
        parser->forEachLabel([&](std::string_view name, std::string_view value) {
            if (!value.empty())
                labels << QString::fromStdString(std::string(name)) + "=" +
                              QString::fromStdString(std::string(value));
        });
        out.samples << canonical(labels, parser->value());
    }
    out.ok = true;
    std::sort(out.samples.begin(), out.samples.end());
    return out;
}

int freePort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

}  // namespace

class TestScrapePrometheusPeer : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void acceptHeader();
    void sameAsPrometheus_data();
    void sameAsPrometheus();

private:
    QJsonDocument apiGet(const QString& pathAndQuery);

    QList<Case> m_cases;
    QTcpServer m_server;
    QByteArray m_acceptSeen;
    QProcess m_prometheus;
    QTemporaryDir m_dir;
    int m_webPort = 0;
    QNetworkAccessManager m_net;
    QHash<QString, QJsonObject> m_targets;  // by job
};

QJsonDocument TestScrapePrometheusPeer::apiGet(const QString& pathAndQuery) {
    QNetworkReply* reply = m_net.get(
        QNetworkRequest(QUrl(QString("http://127.0.0.1:%1%2").arg(m_webPort).arg(pathAndQuery))));
    QSignalSpy done(reply, &QNetworkReply::finished);
    done.wait(10000);
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return QJsonDocument::fromJson(body);
}

void TestScrapePrometheusPeer::initTestCase() {
    const QString prometheus = QStandardPaths::findExecutable("prometheus");
    if (prometheus.isEmpty())
        QSKIP("prometheus (Debian package prometheus) is not installed");
    QVERIFY(m_dir.isValid());
    m_cases = cases();

    QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                QByteArray request = socket->property("buf").toByteArray() + socket->readAll();
                socket->setProperty("buf", request);
                if (!request.contains("\r\n\r\n"))
                    return;
                const QList<QByteArray> lines = request.split('\n');
                const QByteArray path = lines.value(0).split(' ').value(1);
                for (const QByteArray& line : lines) {
                    if (line.toLower().startsWith("accept:"))
                        m_acceptSeen = line.mid(7).trimmed();
                }
                const int index = path.mid(path.lastIndexOf('/') + 1).toInt();
                const Case& c = m_cases.value(index);
                QByteArray response = "HTTP/1.1 200 OK\r\nContent-Type: " + c.contentType +
                                      "\r\nContent-Length: " + QByteArray::number(c.body.size()) +
                                      "\r\nConnection: close\r\n\r\n" + c.body;
                socket->write(response);
                socket->disconnectFromHost();
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });

    QString config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n";
    for (int i = 0; i < m_cases.size(); ++i)
        config += QString(
                      "  - job_name: case%1\n    metrics_path: /case/%1\n    static_configs:\n"
                      "      - targets: ['127.0.0.1:%2']\n")
                      .arg(i)
                      .arg(m_server.serverPort());
    QFile file(m_dir.filePath("prometheus.yml"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(config.toUtf8());
    file.close();

    m_webPort = freePort();
    m_prometheus.setProcessChannelMode(QProcess::MergedChannels);
    m_prometheus.start(prometheus, {"--config.file=" + file.fileName(),
                                    "--storage.tsdb.path=" + m_dir.filePath("data"),
                                    QString("--web.listen-address=127.0.0.1:%1").arg(m_webPort)});
    QVERIFY(m_prometheus.waitForStarted());

    // Wait until every target has been scraped at least twice (the first
    // scrape of a target may race the server's start).
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 60000) {
        QTest::qWait(500);
        if (m_prometheus.state() != QProcess::Running)
            QFAIL(qPrintable("prometheus exited: " + m_prometheus.readAll()));
        QJsonDocument doc = apiGet("/api/v1/targets?state=active");
        const QJsonArray targets = doc["data"]["activeTargets"].toArray();
        int ready = 0;
        m_targets.clear();
        for (const QJsonValue& t : targets) {
            const QJsonObject o = t.toObject();
            if (o["health"].toString() != "unknown" &&
                !o["lastScrape"].toString().startsWith("0001"))
                ++ready;
            m_targets.insert(o["labels"].toObject()["job"].toString(), o);
        }
        if (ready == m_cases.size() && timer.elapsed() > 3000)
            return;
    }
    QFAIL("prometheus did not scrape every target within 60 s");
}

void TestScrapePrometheusPeer::cleanupTestCase() {
    if (m_prometheus.state() == QProcess::Running) {
        m_prometheus.terminate();
        if (!m_prometheus.waitForFinished(10000))
            m_prometheus.kill();
    }
}

void TestScrapePrometheusPeer::acceptHeader() {
    QCOMPARE(m_acceptSeen.toStdString(), std::string(kScrapeAcceptHeader));
}

void TestScrapePrometheusPeer::sameAsPrometheus_data() {
    QTest::addColumn<int>("index");
    const QList<Case> all = cases();
    for (int i = 0; i < all.size(); ++i)
        QTest::newRow(qPrintable(all[i].name)) << i;
}

void TestScrapePrometheusPeer::sameAsPrometheus() {
    QFETCH(int, index);
    const Case& c = m_cases[index];
    const QString job = QString("case%1").arg(index);
    const QJsonObject target = m_targets.value(job);
    QVERIFY(!target.isEmpty());
    const bool theirsOk = target["health"].toString() == "up";
    const Parsed ours = parseWithVigil(c);
    QCOMPARE(ours.ok, theirsOk);
    if (!theirsOk) {
        QCOMPARE(ours.error, errorHead(target["lastError"].toString()));
        return;
    }
    // Everything Prometheus stored for this job, minus its own scrape series.
    const QJsonDocument doc = apiGet(
        "/api/v1/query?query=" +
        QUrl::toPercentEncoding(QString("{job=\"%1\",__name__!~\"up|scrape_.*\"}").arg(job)));
    QStringList theirs;
    for (const QJsonValue& r : doc["data"]["result"].toArray()) {
        QStringList labels;
        const QJsonObject metric = r["metric"].toObject();
        for (auto it = metric.begin(); it != metric.end(); ++it) {
            if (it.key() != "instance" && it.key() != "job")
                labels << it.key() + "=" + it.value().toString();
        }
        const QString v = r["value"].toArray()[1].toString();
        theirs << canonical(labels, v == "NaN" ? std::nan("") : v.toDouble());
    }
    std::sort(theirs.begin(), theirs.end());
    QCOMPARE(ours.samples, theirs);
}

QTEST_GUILESS_MAIN(TestScrapePrometheusPeer)
#include "tst_scrape_prometheus_peer.moc"
