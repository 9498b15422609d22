// The receivers end to end: notifiers built from alertmanager.yml deliver
// over real sockets to local sinks (HTTP: cpp-httplib on 127.0.0.1:0; SMTP:
// the real aiosmtpd from Debian's python3-aiosmtpd), and what arrives is
// compared field by field with what the real Alertmanager 0.25 sent
// (shared/conformance/alertmanager/payloads/).
//
// Normalised (legitimately different): the User-Agent (Vigil names itself);
// in e-mail the Message-Id, Date and MIME boundary (time, random, hostname)
// and the envelope lines the capture's recorder added (Go's SMTP client adds
// BODY=8BITMIME to MAIL FROM, libcurl does not).

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/notify/dispatcher.h"
#include "core/notify/notify_service.h"
#include "core/notify/receivers/go_templates.h"
#include "core/notify/receivers/receiver_notifiers.h"
#include "core/notify/receivers/receiver_setup.h"
#include "core/state/database.h"
#include "tests/core/notify/receivers/captured_payloads.h"
#include "tests/core/notify/receivers/http_sink.h"
#include "tests/support/prometheus_process.h"  // freeLoopbackPort

using namespace vigil;
using namespace vigil::notify;
using namespace vigil::notify::receivers;

namespace {

// The dispatcher's context for the alerts of a captured webhook payload.
NotificationContext contextFromCapture(const QString& webhookCapture, const std::string& type,
                                       std::size_t index) {
    const QJsonObject body = vigil::test::capturedRequest(webhookCapture).value("body").toObject();
    NotificationContext ctx;
    ctx.receiver = body.value("receiver").toString().toStdString();
    ctx.groupKey = body.value("groupKey").toString().toStdString();
    ctx.groupLabels = vigil::test::labelsFromJson(body.value("groupLabels").toObject());
    ctx.integrationType = type;
    ctx.integrationIndex = index;
    for (const QJsonValue& v : body.value("alerts").toArray()) {
        const QJsonObject a = v.toObject();
        NotificationAlert na;
        na.alert.labels = vigil::test::labelsFromJson(a.value("labels").toObject());
        na.alert.annotations = vigil::test::labelsFromJson(a.value("annotations").toObject());
        na.alert.startsAtMs = vigil::test::goTimeToMs(a.value("startsAt").toString());
        na.alert.endsAtMs = vigil::test::goTimeToMs(a.value("endsAt").toString());
        na.alert.generatorUrl = a.value("generatorURL").toString().toStdString();
        na.resolved = a.value("status").toString() == "resolved";
        na.fingerprint = 0;
        (na.resolved ? ctx.numResolved : ctx.numFiring)++;
        ctx.alerts.push_back(std::move(na));
    }
    ctx.nowMs = 1'795'219'159'000;
    ctx.deadlineMs = ctx.nowMs + 4000;
    return ctx;
}

const Integration* findIntegration(const NotifierRegistry& registry, const std::string& receiver,
                                   const std::string& type) {
    const auto* list = registry.integrations(receiver);
    if (!list)
        return nullptr;
    for (const auto& i : *list)
        if (i.type == type)
            return &i;
    return nullptr;
}

// An e-mail as the capture's recorder wrote it: header lines (unfolded) and
// the decoded parts.
struct ParsedEmail {
    QMap<QString, QString> headers;
    QStringList headerOrder;
    QList<QPair<QString, QByteArray>> parts;  // content type, decoded body
};

QByteArray decodeQp(const QByteArray& in) {
    QByteArray out;
    for (qsizetype i = 0; i < in.size(); ++i) {
        if (in[i] == '=' && i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
            i += 2;
        } else if (in[i] == '=' && i + 2 < in.size()) {
            out.append(static_cast<char>(QByteArray::fromHex(in.mid(i + 1, 2)).at(0)));
            i += 2;
        } else {
            out.append(in[i]);
        }
    }
    return out;
}

ParsedEmail parseEmail(QByteArray raw) {
    raw.replace("\r\n", "\n");
    raw.replace("\n", "\r\n");
    ParsedEmail mail;
    const qsizetype headerEnd = raw.indexOf("\r\n\r\n");
    for (const QByteArray& line : raw.left(headerEnd).split('\n')) {
        const QByteArray l = line.trimmed();
        const qsizetype colon = l.indexOf(':');
        if (colon <= 0)
            continue;
        const QString name = QString::fromUtf8(l.left(colon));
        mail.headers[name] = QString::fromUtf8(l.mid(colon + 1).trimmed());
        mail.headerOrder << name;
    }
    const QString ct = mail.headers.value("Content-Type");
    const QByteArray boundary = ct.mid(ct.indexOf("boundary=") + 9).toUtf8();
    const QByteArray body = raw.mid(headerEnd + 4);
    qsizetype at = body.indexOf("--" + boundary + "\r\n");
    while (at >= 0) {
        const qsizetype partStart = at + boundary.size() + 4;
        qsizetype next = body.indexOf("\r\n--" + boundary, partStart);
        if (next < 0)
            break;
        const QByteArray part = body.mid(partStart, next - partStart);
        const qsizetype sep = part.indexOf("\r\n\r\n");
        QString type;
        for (const QByteArray& h : part.left(sep).split('\n'))
            if (h.trimmed().startsWith("Content-Type:"))
                type = QString::fromUtf8(h.trimmed().mid(13).trimmed());
        mail.parts.append({type, decodeQp(part.mid(sep + 4))});
        at = body.indexOf("--" + boundary + "\r\n", next + 2);
    }
    return mail;
}

QStringList compareEmails(const ParsedEmail& got, const ParsedEmail& want) {
    QStringList diffs;
    for (const char* h : {"Subject", "To", "From", "MIME-Version"}) {
        if (got.headers.value(h) != want.headers.value(h))
            diffs << QString("%1: got \"%2\", want \"%3\"")
                         .arg(h, got.headers.value(h), want.headers.value(h));
    }
    for (const char* h : {"Message-Id", "Date", "Content-Type"})
        if (!got.headers.contains(h))
            diffs << QString("%1: missing").arg(h);
    const QRegularExpression messageId("^<\\d+\\.\\d+@[^>]+>$");
    if (!messageId.match(got.headers.value("Message-Id")).hasMatch())
        diffs << "Message-Id: " + got.headers.value("Message-Id");
    const QRegularExpression contentType("^multipart/alternative;  boundary=[0-9a-f]{60}$");
    if (!contentType.match(got.headers.value("Content-Type")).hasMatch())
        diffs << "Content-Type: " + got.headers.value("Content-Type");
    if (got.parts.size() != want.parts.size()) {
        diffs << QString("%1 parts, want %2").arg(got.parts.size()).arg(want.parts.size());
        return diffs;
    }
    for (qsizetype i = 0; i < got.parts.size(); ++i) {
        if (got.parts[i].first != want.parts[i].first)
            diffs << "part type " + got.parts[i].first + " want " + want.parts[i].first;
        if (got.parts[i].second != want.parts[i].second) {
            const QList<QByteArray> g = got.parts[i].second.split('\n');
            const QList<QByteArray> w = want.parts[i].second.split('\n');
            for (qsizetype l = 0; l < std::max(g.size(), w.size()); ++l) {
                const QByteArray gl = l < g.size() ? g[l] : "<none>";
                const QByteArray wl = l < w.size() ? w[l] : "<none>";
                if (gl != wl) {
                    diffs << QString("part %1 line %2: got \"%3\", want \"%4\"")
                                 .arg(i)
                                 .arg(l + 1)
                                 .arg(QString::fromUtf8(gl), QString::fromUtf8(wl));
                    break;
                }
            }
        }
    }
    return diffs;
}

// Runs shared/.. smtp_sink.py (aiosmtpd) on a free port.
class SmtpSink {
public:
    QString start(const QStringList& extra = {}, int port = 0) {
        if (!QFile::exists("/usr/bin/python3"))
            return "python3 is not installed";
        QProcess probe;
        probe.start("/usr/bin/python3", {"-c", "import aiosmtpd"});
        probe.waitForFinished();
        if (probe.exitCode() != 0)
            return "python3-aiosmtpd is not installed";
        m_port = port ? port : vigil::test::freeLoopbackPort();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start("/usr/bin/python3",
                        QStringList{QString(VIGIL_TEST_DATA_DIR) + "/smtp_sink.py",
                                    QString::number(m_port), m_dir.path()} +
                            extra);
        QByteArray out;
        QElapsedTimer timer;
        timer.start();
        while (!out.contains("READY") && timer.elapsed() < 10000) {
            if (m_process.state() == QProcess::NotRunning)
                return "smtp sink exited: " + QString::fromUtf8(out + m_process.readAll());
            m_process.waitForReadyRead(200);
            out += m_process.readAll();
        }
        if (!out.contains("READY"))
            return "smtp sink did not start: " + QString::fromUtf8(out);
        return {};
    }
    ~SmtpSink() {
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    int port() const { return m_port; }
    // The n-th (1-based) message, waiting up to 10 s.
    QByteArray message(int n) {
        QFile f(m_dir.filePath(QString("%1.eml").arg(n)));
        for (int i = 0; i < 100 && !f.exists(); ++i)
            QThread::msleep(100);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return f.readAll();
    }
    QString dir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    int m_port = 0;
};

}  // namespace

class TestReceiverDelivery : public QObject {
    Q_OBJECT

    std::shared_ptr<const TemplateRenderer> m_templates;

    void requireCaptures() {
        if (vigil::test::readPayloadFile("config.yml").isEmpty())
            QSKIP("shared/conformance/alertmanager/payloads is absent (VIGIL_SHARED_DIR)");
    }

    ReceiverEnvironment environment(std::shared_ptr<NotifyHistory> history = nullptr) {
        ReceiverEnvironment env;
        env.externalUrl = "http://am.vigil.example:9093";
        env.templates = m_templates;
        env.transport = std::make_shared<Transport>();
        env.history = history ? history : std::make_shared<NotifyHistory>();
        return env;
    }

    Result<NotifierRegistry> registryFor(const QByteArray& yaml, ReceiverEnvironment env) {
        auto loaded = parseAlertmanagerConfig(yaml.toStdString(), "alertmanager.yml");
        if (!loaded.isOk())
            return loaded.status();
        return buildNotifierRegistry(loaded->config,
                                     makeNotifierFactory(loaded->config, "alertmanager.yml", env));
    }

private slots:
    void initTestCase() {
        auto go = GoTemplates::load();
        QVERIFY2(go.isOk(), go.status().message().c_str());
        m_templates = go.value();
    }

    void capturedOverHttp_data() { vigil::test::addCapturedPayloadRows("type"); }

    void capturedOverHttp() {
        requireCaptures();
        QFETCH(QString, type);
        QFETCH(QString, webhookCapture);
        QFETCH(QString, capture);
        vigil::test::HttpSink sink;
        auto history = std::make_shared<NotifyHistory>();
        auto registry =
            registryFor(vigil::test::capturedConfig(sink.port(), 1), environment(history));
        QVERIFY2(registry.isOk(), registry.status().message().c_str());
        const Integration* integration = findIntegration(*registry, "team-ops", type.toStdString());
        QVERIFY(integration);
        const NotifyResult result = integration->notifier->notify(
            contextFromCapture(webhookCapture, type.toStdString(), integration->index));
        QVERIFY2(result.ok(), result.message.c_str());

        const auto requests = sink.requests();
        QCOMPARE(requests.size(), std::size_t(1));
        const auto& got = requests[0];
        const QJsonObject want = vigil::test::capturedRequest(capture);
        const QJsonObject wantRequest = want.value("request").toObject();
        QCOMPARE(QString::fromStdString(got.method), wantRequest.value("method").toString());
        QCOMPARE(QString::fromStdString(got.path), wantRequest.value("path").toString());
        QCOMPARE(QString::fromStdString(got.contentType),
                 wantRequest.value("content_type").toString());
        QVERIFY(!got.userAgent.empty());  // normalised: Vigil's own
        const QStringList diffs =
            vigil::test::jsonDiff(QByteArray::fromStdString(got.body), want.value("body"));
        QVERIFY2(diffs.isEmpty(), qPrintable(diffs.join('\n')));

        const auto attempts = history->recent();
        QCOMPARE(attempts.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(attempts[0].outcome), QString("delivered"));
        QCOMPARE(attempts[0].status, std::int64_t(200));
        QCOMPARE(QString::fromStdString(attempts[0].integration), type);
        QCOMPARE(attempts[0].receiver, std::string("team-ops"));
    }

    void statusClassification_data() {
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("outcome");
        QTest::newRow("webhook-500") << "webhook" << 500 << "retry";
        QTest::newRow("webhook-503") << "webhook" << 503 << "retry";
        QTest::newRow("webhook-400") << "webhook" << 400 << "failed";
        QTest::newRow("webhook-429") << "webhook" << 429 << "failed";  // Alertmanager: 5xx only
        QTest::newRow("webhook-204") << "webhook" << 204 << "delivered";
        QTest::newRow("slack-404") << "slack" << 404 << "failed";
        QTest::newRow("slack-502") << "slack" << 502 << "retry";
        QTest::newRow("pagerduty-429") << "pagerduty" << 429 << "retry";
        QTest::newRow("pagerduty-400") << "pagerduty" << 400 << "failed";
        QTest::newRow("pagerduty-202") << "pagerduty" << 202 << "delivered";
    }

    void statusClassification() {
        requireCaptures();
        QFETCH(QString, type);
        QFETCH(int, status);
        QFETCH(QString, outcome);
        vigil::test::HttpSink sink([status](const std::string&, int) { return status; });
        auto history = std::make_shared<NotifyHistory>();
        auto registry =
            registryFor(vigil::test::capturedConfig(sink.port(), 1), environment(history));
        QVERIFY2(registry.isOk(), registry.status().message().c_str());
        const Integration* integration = findIntegration(*registry, "team-ops", type.toStdString());
        QVERIFY(integration);
        const NotifyResult result = integration->notifier->notify(
            contextFromCapture("02_webhook_firing.json", type.toStdString(), integration->index));
        const char* names[] = {"delivered", "retry", "failed"};
        QCOMPARE(QString(names[static_cast<int>(result.outcome)]), outcome);
        if (!result.ok())
            QVERIFY2(result.message.find(std::to_string(status)) != std::string::npos,
                     result.message.c_str());
        const auto attempts = history->recent();
        QCOMPARE(attempts.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(attempts[0].outcome), outcome);
        QCOMPARE(attempts[0].status, std::int64_t(status));
    }

    void transportErrorsRetry() {
        requireCaptures();
        // A port nobody listens on, then a sink slower than the attempt timeout.
        const int closed = vigil::test::freeLoopbackPort();
        auto env = environment();
        auto registry = registryFor(vigil::test::capturedConfig(closed, 1), env);
        QVERIFY2(registry.isOk(), registry.status().message().c_str());
        const Integration* webhook = findIntegration(*registry, "team-ops", "webhook");
        NotifyResult r = webhook->notifier->notify(
            contextFromCapture("02_webhook_firing.json", "webhook", webhook->index));
        QCOMPARE(int(r.outcome), int(NotifyResult::Outcome::kRetry));
        QVERIFY2(r.message.find("onnect") != std::string::npos, r.message.c_str());

        vigil::test::HttpSink slow;
        slow.setDelayMs(2500);
        env.attemptTimeout = std::chrono::milliseconds(1000);
        auto slowRegistry = registryFor(vigil::test::capturedConfig(slow.port(), 1), env);
        QVERIFY(slowRegistry.isOk());
        const Integration* slowHook = findIntegration(*slowRegistry, "team-ops", "webhook");
        QElapsedTimer timer;
        timer.start();
        r = slowHook->notifier->notify(
            contextFromCapture("02_webhook_firing.json", "webhook", slowHook->index));
        QVERIFY(timer.elapsed() < 2400);
        QCOMPARE(int(r.outcome), int(NotifyResult::Outcome::kRetry));
        QVERIFY2(r.message.find("imeout") != std::string::npos ||
                     r.message.find("timed out") != std::string::npos,
                 r.message.c_str());
    }

    // A sink that fails twice then succeeds, driven by the real dispatcher's
    // retry stage (exponential backoff on its clock).
    void retriesThroughDispatcher() {
        vigil::test::HttpSink sink([](const std::string&, int n) { return n < 2 ? 503 : 200; });
        auto history = std::make_shared<NotifyHistory>();
        const QByteArray yaml = QString(
                                    "route:\n  receiver: flaky\n  group_by: [alertname]\n"
                                    "  group_wait: 1s\n  group_interval: 5m\n"
                                    "receivers:\n- name: flaky\n  webhook_configs:\n"
                                    "  - url: '%1'\n")
                                    .arg(QString::fromStdString(sink.url("/hook")))
                                    .toUtf8();
        auto loaded = parseAlertmanagerConfig(yaml.toStdString(), "alertmanager.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        auto registry = buildNotifierRegistry(
            loaded->config,
            makeNotifierFactory(loaded->config, "alertmanager.yml", environment(history)));
        QVERIFY2(registry.isOk(), registry.status().message().c_str());
        const model::Timestamp now = 1'700'000'000'000;
        ManualClock clock(now);
        DispatcherOptions options;
        options.config = loaded->config;
        options.notifiers = std::move(registry.value());
        options.clock = &clock;
        options.senderThreads = 1;
        auto created = Dispatcher::create(std::move(options));
        QVERIFY2(created.isOk(), created.status().message().c_str());
        Dispatcher& d = *created.value();
        model::Alert alert;
        alert.labels = model::Labels{{"alertname", "Flaky"}, {"instance", "a"}};
        alert.startsAtMs = now;
        d.ingest({alert});
        for (int i = 0; i < 20 && sink.requests().size() < 3; ++i) {
            clock.set(std::max(d.process(), clock.nowMs()));
        }
        const auto requests = sink.requests();
        QCOMPARE(requests.size(), std::size_t(3));
        QCOMPARE(d.stats().notificationsSent, std::uint64_t(1));
        QCOMPARE(d.stats().notificationAttempts, std::uint64_t(3));
        const auto attempts = history->recent();
        QCOMPARE(attempts.size(), std::size_t(3));
        QCOMPARE(attempts[0].outcome, std::string("retry"));
        QCOMPARE(attempts[0].status, std::int64_t(503));
        QCOMPARE(attempts[0].attempt, std::int64_t(1));
        QCOMPARE(attempts[1].outcome, std::string("retry"));
        QCOMPARE(attempts[1].attempt, std::int64_t(2));
        QCOMPARE(attempts[2].outcome, std::string("delivered"));
        QCOMPARE(attempts[2].attempt, std::int64_t(3));
        QCOMPARE(attempts[2].groupKey, std::string("{}:{alertname=\"Flaky\"}"));
        // The three bodies are the same notification.
        QCOMPARE(requests[0].body, requests[2].body);
    }

    // The whole pipeline: NotifyService (dispatcher, nflog in state.db) with
    // the receivers from makeReceivers(), user templates from `templates:`,
    // the history in the same state.db.
    void notifyServiceEndToEnd() {
        vigil::test::HttpSink sink;
        QTemporaryDir dir;
        QFile tmpl(dir.filePath("vigil.tmpl"));
        QVERIFY(tmpl.open(QIODevice::WriteOnly));
        tmpl.write(
            "{{ define \"my.title\" }}{{ .Status }}: {{ .CommonLabels.alertname }}{{ end }}");
        tmpl.close();
        const std::string yaml =
            "templates: ['*.tmpl']\nroute:\n  receiver: team\n  group_by: [alertname]\n"
            "  group_wait: 0s\nreceivers:\n- name: team\n  webhook_configs:\n  - url: '" +
            sink.url("/hook") + "'\n  slack_configs:\n  - api_url: '" + sink.url("/slack") +
            "'\n    title: '{{ template \"my.title\" . }}'\n";
        auto loaded = parseAlertmanagerConfig(yaml, "alertmanager.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        const std::string db = dir.filePath("state.db").toStdString();
        auto receivers =
            makeReceivers(loaded->config, dir.filePath("alertmanager.yml").toStdString(), db,
                          "http://vigil.example:9090");
        QVERIFY2(receivers.isOk(), receivers.status().message().c_str());
        NotifyServiceOptions options;
        options.config = loaded->config;
        options.stateDbPath = db;
        options.notifierFactory = receivers->factory;
        NotifyService service(std::move(options));
        QVERIFY(service.start().isOk());
        model::Alert a;
        a.labels = model::Labels{{"alertname", "HostDown"}, {"instance", "h1"}};
        a.startsAtMs = QDateTime::currentMSecsSinceEpoch();
        a.endsAtMs = a.startsAtMs + 3'600'000;
        service.alertSink().send({a});
        QElapsedTimer timer;
        timer.start();
        // Both delivered and recorded (the record follows the response).
        while (receivers->history->recent().size() < 2 && timer.elapsed() < 10000)
            QThread::msleep(20);
        service.stop();
        const auto requests = sink.requests();
        QCOMPARE(requests.size(), std::size_t(2));
        for (const auto& r : requests) {
            const QJsonObject o =
                QJsonDocument::fromJson(QByteArray::fromStdString(r.body)).object();
            if (r.path == "/hook") {
                QCOMPARE(o.value("groupKey").toString(), QString("{}:{alertname=\"HostDown\"}"));
                QCOMPARE(o.value("alerts").toArray().at(0).toObject().value("endsAt").toString(),
                         QString("0001-01-01T00:00:00Z"));
            } else {
                QCOMPARE(
                    o.value("attachments").toArray().at(0).toObject().value("title").toString(),
                    QString("firing: HostDown"));
            }
        }
        auto history = receivers->history->query(10);
        QVERIFY2(history.isOk(), history.status().message().c_str());
        QCOMPARE(history->size(), std::size_t(2));
        QCOMPARE(history->at(0).outcome, std::string("delivered"));
    }

    void historyPersists() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("state.db").toStdString();
        {
            NotifyHistory history(2);
            auto db = state::Database::open(path);
            QVERIFY(db.isOk());
            QVERIFY(history.attachDatabase(std::move(db.value())).isOk());
            for (int i = 1; i <= 3; ++i) {
                DeliveryAttempt a;
                a.timeMs = 1000 * i;
                a.receiver = i == 2 ? "other" : "team-ops";
                a.integration = "webhook";
                a.groupKey = "{}:{}";
                a.attempt = i;
                a.outcome = i == 3 ? "delivered" : "retry";
                a.status = i == 3 ? 200 : 500;
                a.error = i == 3 ? "" : "unexpected status code 500";
                a.durationMs = 7;
                history.record(a);
            }
            const auto ring = history.recent();
            QCOMPARE(ring.size(), std::size_t(2));  // bounded
            QCOMPARE(ring[0].attempt, std::int64_t(2));
            QCOMPARE(ring[1].attempt, std::int64_t(3));
        }
        NotifyHistory reopened;
        auto db = state::Database::open(path);
        QVERIFY(db.isOk());
        QVERIFY(reopened.attachDatabase(std::move(db.value())).isOk());
        auto all = reopened.query(10);
        QVERIFY2(all.isOk(), all.status().message().c_str());
        QCOMPARE(all->size(), std::size_t(3));
        QCOMPARE(all->at(0).attempt, std::int64_t(3));  // newest first
        QCOMPARE(all->at(0).status, std::int64_t(200));
        QCOMPARE(all->at(2).error, std::string("unexpected status code 500"));
        auto mine = reopened.query(10, "team-ops");
        QVERIFY(mine.isOk());
        QCOMPARE(mine->size(), std::size_t(2));
    }

    void email_data() {
        QTest::addColumn<bool>("tls");
        QTest::addColumn<QString>("webhookCapture");
        QTest::addColumn<QString>("capture");
        QTest::newRow("plain-firing") << false << "02_webhook_firing.json"
                                      << "04_email_firing.eml";
        QTest::newRow("plain-resolved") << false << "05_webhook_resolved.json"
                                        << "08_email_resolved.eml";
        QTest::newRow("starttls-auth-firing") << true << "02_webhook_firing.json"
                                              << "04_email_firing.eml";
    }

    void email() {
        requireCaptures();
        QFETCH(bool, tls);
        QFETCH(QString, webhookCapture);
        QFETCH(QString, capture);
        QTemporaryDir certDir;
        QStringList extra;
        if (tls) {
            QProcess openssl;
            openssl.start("openssl",
                          {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                           certDir.filePath("key.pem"), "-out", certDir.filePath("cert.pem"),
                           "-days", "1", "-subj", "/CN=127.0.0.1"});
            if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
                QSKIP("openssl cannot make a test certificate");
            extra << "--starttls" << certDir.filePath("cert.pem") << certDir.filePath("key.pem")
                  << "--auth"
                  << "vigil"
                  << "s3cret";
        }
        SmtpSink smtp;
        const QString error = smtp.start(extra);
        if (error.contains("not installed"))
            QSKIP(qPrintable(error));
        QVERIFY2(error.isEmpty(), qPrintable(error));

        QByteArray yaml = vigil::test::capturedConfig(1, smtp.port());
        if (tls) {
            yaml.replace("smtp_require_tls: false",
                         "smtp_require_tls: true\n  smtp_auth_username: vigil\n"
                         "  smtp_auth_password: s3cret");
            yaml.replace("- to: 'ops@vigil.example'\n",
                         "- to: 'ops@vigil.example'\n        tls_config: {insecure_skip_verify: "
                         "true}\n");
        }
        auto history = std::make_shared<NotifyHistory>();
        auto registry = registryFor(yaml, environment(history));
        QVERIFY2(registry.isOk(), registry.status().message().c_str());
        const Integration* integration = findIntegration(*registry, "team-ops", "email");
        QVERIFY(integration);
        QVERIFY(integration->sendResolved);
        const NotifyResult result = integration->notifier->notify(
            contextFromCapture(webhookCapture, "email", integration->index));
        QVERIFY2(result.ok(), result.message.c_str());
        const QByteArray raw = smtp.message(1);
        QVERIFY2(!raw.isEmpty(), "no message arrived");
        const ParsedEmail got = parseEmail(raw);
        QCOMPARE(got.headers.value("X-Envelope-From"), QString("<alertmanager@vigil.example>"));
        QCOMPARE(got.headers.value("X-Envelope-To"), QString("<ops@vigil.example>"));
        QCOMPARE(got.headers.value("X-TLS"), QString(tls ? "yes" : "no"));
        if (tls)
            QCOMPARE(got.headers.value("X-Auth-Login"), QString("vigil"));
        const ParsedEmail want = parseEmail(vigil::test::readPayloadFile(capture));
        const QStringList diffs = compareEmails(got, want);
        QVERIFY2(diffs.isEmpty(), qPrintable(diffs.join('\n')));
        const auto attempts = history->recent();
        QCOMPARE(attempts.size(), std::size_t(1));
        QCOMPARE(attempts[0].status, std::int64_t(250));
    }

    // Port 465 means SMTP over TLS from the first byte (Alertmanager's rule).
    void emailImplicitTls() {
        requireCaptures();
        QTemporaryDir certDir;
        QProcess openssl;
        openssl.start("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                  certDir.filePath("key.pem"), "-out", certDir.filePath("cert.pem"),
                                  "-days", "1", "-subj", "/CN=127.0.0.1"});
        if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
            QSKIP("openssl cannot make a test certificate");
        {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 465))
                QSKIP("cannot listen on 127.0.0.1:465 (needs privileges or the port is taken)");
        }
        SmtpSink smtp;
        const QString error = smtp.start({"--implicit-tls", certDir.filePath("cert.pem"),
                                          certDir.filePath("key.pem"), "--auth", "vigil", "s3cret"},
                                         465);
        if (error.contains("not installed"))
            QSKIP(qPrintable(error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QByteArray yaml = vigil::test::capturedConfig(1, 465);
        yaml.replace("smtp_require_tls: false",
                     "smtp_require_tls: true\n  smtp_auth_username: vigil\n"
                     "  smtp_auth_password: s3cret");
        yaml.replace(
            "- to: 'ops@vigil.example'\n",
            "- to: 'ops@vigil.example'\n        tls_config: {insecure_skip_verify: true}\n");
        auto registry = registryFor(yaml, environment());
        QVERIFY2(registry.isOk(), registry.status().message().c_str());
        const Integration* integration = findIntegration(*registry, "team-ops", "email");
        const NotifyResult result = integration->notifier->notify(
            contextFromCapture("02_webhook_firing.json", "email", integration->index));
        QVERIFY2(result.ok(), result.message.c_str());
        const ParsedEmail got = parseEmail(smtp.message(1));
        QCOMPARE(got.headers.value("X-Auth-Login"), QString("vigil"));
        QCOMPARE(got.headers.value("Subject"),
                 QString("[FIRING:2] DiskFull prod-eu (node /data warning)"));
    }

    void emailWrongPasswordRetries() {
        requireCaptures();
        SmtpSink smtp;
        const QString error = smtp.start({"--auth", "vigil", "s3cret"});
        if (error.contains("not installed"))
            QSKIP(qPrintable(error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QByteArray yaml = vigil::test::capturedConfig(1, smtp.port());
        yaml.replace("smtp_require_tls: false",
                     "smtp_require_tls: false\n  smtp_auth_username: vigil\n"
                     "  smtp_auth_password: wrong");
        auto registry = registryFor(yaml, environment());
        QVERIFY2(registry.isOk(), registry.status().message().c_str());
        const Integration* integration = findIntegration(*registry, "team-ops", "email");
        const NotifyResult result = integration->notifier->notify(
            contextFromCapture("02_webhook_firing.json", "email", integration->index));
        QCOMPARE(int(result.outcome), int(NotifyResult::Outcome::kRetry));
        QVERIFY(!QFile::exists(smtp.dir() + "/1.eml"));
    }

    void desktop() {
        requireCaptures();
        auto env = environment();
        env.desktop = std::make_shared<DesktopNotificationHub>();
        auto notifier = makeDesktopNotifier(env);
        NotificationContext ctx = contextFromCapture("02_webhook_firing.json", "desktop", 0);
        // Nobody listening: nothing to show, nothing to retry.
        QCOMPARE(int(notifier->notify(ctx).outcome), int(NotifyResult::Outcome::kFailed));
        std::vector<DesktopNotification> shown;
        std::mutex mutex;
        const auto id = env.desktop->subscribe([&](const DesktopNotification& n) {
            std::lock_guard lock(mutex);
            shown.push_back(n);
        });
        QVERIFY(notifier->notify(ctx).ok());
        QCOMPARE(shown.size(), std::size_t(1));
        QCOMPARE(shown[0].title, std::string("[FIRING:2] DiskFull prod-eu (node /data warning)"));
        QVERIFY(shown[0].firing);
        QVERIFY(shown[0].body.find("summary = Disk almost full on db-2") != std::string::npos);
        QCOMPARE(shown[0].alertmanagerUrl,
                 std::string("http://am.vigil.example:9093/#/alerts?receiver=team-ops"));
        // Acknowledged: a firing re-notification is not shown, a resolve is.
        ctx.acknowledged = true;
        QVERIFY(notifier->notify(ctx).ok());
        QCOMPARE(shown.size(), std::size_t(1));
        NotificationContext resolved = contextFromCapture("05_webhook_resolved.json", "desktop", 0);
        resolved.acknowledged = true;
        QVERIFY(notifier->notify(resolved).ok());
        QCOMPARE(shown.size(), std::size_t(2));
        QVERIFY(!shown[1].firing);
        env.desktop->unsubscribe(id);
        QCOMPARE(env.desktop->listenerCount(), std::size_t(0));
        QCOMPARE(env.history->recent().size(), std::size_t(4));
    }

    void factoryErrorsNamePositions() {
        auto loaded = parseAlertmanagerConfig(
            "route: {receiver: r}\nreceivers:\n- name: r\n  webhook_configs:\n  - url: "
            "http://x\n  slack_configs:\n  - channel: '#a'\n",
            "am.yml");
        QVERIFY(loaded.isOk());
        auto registry = buildNotifierRegistry(
            loaded->config, makeNotifierFactory(loaded->config, "am.yml", environment()));
        QVERIFY(!registry.isOk());
        QVERIFY2(registry.status().message().find(
                     "am.yml:7:5: receivers[0].slack_configs[0]: no global Slack API URL") !=
                     std::string::npos,
                 registry.status().message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestReceiverDelivery)
#include "tst_receiver_delivery.moc"
