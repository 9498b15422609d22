// Payload shapes against the bodies the real Alertmanager 0.25 sent
// (shared/conformance/alertmanager/payloads/), field by field. Nothing is
// normalised at this level: the notification data is rebuilt from the
// captured webhook (same alerts, times, group key, external URL), so every
// field must match exactly. The HTTP-level test (tst_receiver_delivery)
// covers what differs on the wire (User-Agent).

#include <QtTest>

#include "core/config/config_errors.h"
#include "core/notify/alertmanager_config.h"
#include "core/notify/receivers/integration_configs.h"
#include "core/notify/receivers/payloads.h"
#include "core/notify/receivers/templates.h"
#include "tests/core/notify/receivers/captured_payloads.h"

using namespace vigil::notify;
using namespace vigil::notify::receivers;
using vigil::model::Labels;

namespace {

const IntegrationConfig* findIntegration(const AlertmanagerConfig& cfg, const std::string& type) {
    for (const auto& r : cfg.receivers)
        for (const auto& i : r.integrations)
            if (i.type == type)
                return &i;
    return nullptr;
}

// Decodes quoted-printable (soft breaks removed, =XX decoded, CRLF kept).
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

}  // namespace

class TestReceiverPayloads : public QObject {
    Q_OBJECT

    AlertmanagerConfig m_config;
    bool m_haveCaptures = false;

    void requireCaptures() {
        if (!m_haveCaptures)
            QSKIP("shared/conformance/alertmanager/payloads is absent (VIGIL_SHARED_DIR)");
    }

private slots:
    void initTestCase() {
        m_haveCaptures = !vigil::test::readPayloadFile("config.yml").isEmpty();
        if (!m_haveCaptures)
            return;
        auto loaded = parseAlertmanagerConfig(vigil::test::capturedConfig(8080, 2525).toStdString(),
                                              "config.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        m_config = loaded->config;
    }

    void goEncodings() {
        QCOMPARE(formatGoTime(0), std::string("0001-01-01T00:00:00Z"));
        QCOMPARE(formatGoTime(1714557600000), std::string("2024-05-01T10:00:00Z"));
        QCOMPARE(formatGoTime(1714557600120), std::string("2024-05-01T10:00:00.12Z"));
        QCOMPARE(formatGoTime(1714557600007), std::string("2024-05-01T10:00:00.007Z"));
        std::string json;
        appendGoJsonString(json, "a<b>&\"c\"\n\x01\xe2\x80\xa8\xff");
        QCOMPARE(json, std::string("\"a\\u003cb\\u003e\\u0026\\\"c\\\"\\n\\u0001\\u2028\\ufffd\""));
        QCOMPARE(goQuoteMeta("team.ops-(eu)"), std::string("team\\.ops-\\(eu\\)"));
        QCOMPARE(goQueryEscape("team\\.ops-\\(eu\\) x"),
                 std::string("team%5C.ops-%5C%28eu%5C%29+x"));
        QCOMPARE(truncateInRunes("abcdef", 4), std::string("abc\xE2\x80\xA6"));
        QCOMPARE(truncateInRunes("abc", 3), std::string("abc"));
        QCOMPARE(truncateInRunes("\xc3\xa9\xc3\xa9\xc3\xa9", 2), std::string("\xc3\xa9\xc3\xa9"));
        QCOMPARE(sha256Hex("{}:{alertname=\"DiskFull\", cluster=\"prod-eu\"}"),
                 std::string("21193582d6e8d5a5197f854bbb797dbb43e2c6635de381d012103b72982e0ca5"));
    }

    void subject_data() {
        QTest::addColumn<bool>("resolved");
        QTest::addColumn<QString>("groupBy");
        QTest::addColumn<QString>("expected");
        QTest::newRow("firing-common-extra") << false << "alertname,cluster"
                                             << "[FIRING:2] DiskFull prod-eu (node /data warning)";
        QTest::newRow("resolved") << true << "alertname,cluster"
                                  << "[RESOLVED] DiskFull prod-eu (node /data warning)";
        // No parenthesised part: the trailing space stays (SEMANTICS.md §8).
        QTest::newRow("trailing-space") << false << "alertname,cluster,job,mountpoint,severity"
                                        << "[FIRING:2] DiskFull prod-eu node /data warning ";
    }

    void subject() {
        requireCaptures();
        QFETCH(bool, resolved);
        QFETCH(QString, groupBy);
        QFETCH(QString, expected);
        auto data = vigil::test::notificationFromWebhookCapture(
            resolved ? "05_webhook_resolved.json" : "02_webhook_firing.json");
        std::vector<std::string> names;
        for (const QString& n : groupBy.split(','))
            names.push_back(n.toStdString());
        data.groupLabels = data.commonLabels.keepOnly(names);
        QCOMPARE(QString::fromStdString(defaultSubject(data)), expected);
    }

    void fingerprints() {
        requireCaptures();
        const auto data = vigil::test::notificationFromWebhookCapture("02_webhook_firing.json");
        const QJsonArray alerts = vigil::test::capturedRequest("02_webhook_firing.json")
                                      .value("body")
                                      .toObject()
                                      .value("alerts")
                                      .toArray();
        QCOMPARE(data.alerts.size(), std::size_t(2));
        for (qsizetype i = 0; i < alerts.size(); ++i)
            QCOMPARE(QString::fromStdString(data.alerts[static_cast<std::size_t>(i)].fingerprint),
                     alerts[i].toObject().value("fingerprint").toString());
    }

    void captured_data() { vigil::test::addCapturedPayloadRows(); }

    void captured() {
        requireCaptures();
        QFETCH(QString, integration);
        QFETCH(QString, webhookCapture);
        QFETCH(QString, capture);
        const auto data = vigil::test::notificationFromWebhookCapture(webhookCapture);
        const IntegrationConfig* ic = findIntegration(m_config, integration.toStdString());
        QVERIFY(ic);
        vigil::config::ConfigErrors errors("config.yml");
        BuiltinTemplates templates;
        std::string body;
        if (integration == "webhook") {
            const WebhookConfig cfg = parseWebhookConfig(*ic, m_config.global, "w", errors);
            body = webhookPayload(data, cfg.maxAlerts);
        } else if (integration == "slack") {
            const SlackConfig cfg = parseSlackConfig(*ic, m_config.global, "s", errors);
            QCOMPARE(cfg.apiUrl, std::string("http://127.0.0.1:8080/slack"));
            auto r = slackPayload(cfg, data, templates);
            QVERIFY2(r.isOk(), r.status().message().c_str());
            body = *r;
        } else {
            const PagerdutyConfig cfg = parsePagerdutyConfig(*ic, m_config.global, "p", errors);
            QCOMPARE(cfg.url, std::string("http://127.0.0.1:8080/pagerduty"));
            auto r = pagerdutyPayload(cfg, data, templates);
            QVERIFY2(r.isOk(), r.status().message().c_str());
            body = *r;
        }
        QVERIFY2(errors.empty(), errors.toStatus().message().c_str());
        QVERIFY(body.ends_with("}\n"));  // Go's json.Encoder adds a newline
        const QJsonValue want = vigil::test::capturedRequest(capture).value("body");
        const QStringList diffs = vigil::test::jsonDiff(QByteArray::fromStdString(body), want);
        QVERIFY2(diffs.isEmpty(), qPrintable(diffs.join('\n')));
    }

    void pagerdutyV1() {
        requireCaptures();
        auto loaded = parseAlertmanagerConfig(
            "route: {receiver: p}\nreceivers:\n- name: p\n  pagerduty_configs:\n"
            "  - service_key: sk1\n",
            "p.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        vigil::config::ConfigErrors errors("p.yml");
        const PagerdutyConfig cfg = parsePagerdutyConfig(
            loaded->config.receivers[0].integrations[0], loaded->config.global, "p", errors);
        QVERIFY(errors.empty());
        BuiltinTemplates templates;
        for (const char* capture : {"02_webhook_firing.json", "05_webhook_resolved.json"}) {
            const auto data = vigil::test::notificationFromWebhookCapture(capture);
            auto body = pagerdutyPayload(cfg, data, templates);
            QVERIFY2(body.isOk(), body.status().message().c_str());
            const QJsonObject o =
                QJsonDocument::fromJson(QByteArray::fromStdString(*body)).object();
            QCOMPARE(o.value("service_key").toString(), QString("sk1"));
            QCOMPARE(o.value("incident_key").toString(),
                     QString("21193582d6e8d5a5197f854bbb797dbb43e2c6635de381d012103b72982e0ca5"));
            QCOMPARE(o.value("event_type").toString(),
                     QString(data.firing ? "trigger" : "resolve"));
            QCOMPARE(o.value("description").toString(),
                     QString::fromStdString(defaultSubject(data)));
            QVERIFY(o.value("payload").isNull());
            QCOMPARE(o.contains("client"), data.firing);
            QCOMPARE(o.value("details").toObject().value("num_firing").toString(),
                     QString::number(data.numFiring()));
            QVERIFY(!o.contains("routing_key"));
        }
    }

    void webhookKeyOrderAndTruncation() {
        requireCaptures();
        const auto data = vigil::test::notificationFromWebhookCapture("02_webhook_firing.json");
        const std::string body = webhookPayload(data, 1);
        // Go marshals struct fields in declaration order.
        std::size_t last = 0;
        for (const char* key : {"\"receiver\"", "\"status\"", "\"alerts\"", "\"groupLabels\"",
                                "\"commonLabels\"", "\"commonAnnotations\"", "\"externalURL\"",
                                "\"version\"", "\"groupKey\"", "\"truncatedAlerts\""}) {
            const std::size_t at = body.find(std::string(key) + ":", last);
            QVERIFY2(at != std::string::npos, key);
            last = at;
        }
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(body)).object();
        QCOMPARE(o.value("alerts").toArray().size(), 1);
        QCOMPARE(o.value("truncatedAlerts").toInt(), 1);
        // Go escapes & in strings.
        QVERIFY(body.find("disk_free%3C0.1\\u0026g0.tab=1") != std::string::npos);
    }

    void discord() {
        requireCaptures();
        const auto firing = vigil::test::notificationFromWebhookCapture("02_webhook_firing.json");
        const auto resolved =
            vigil::test::notificationFromWebhookCapture("05_webhook_resolved.json");
        auto loaded = parseAlertmanagerConfig(
            "route: {receiver: d}\nreceivers:\n- name: d\n  discord_configs:\n  - webhook_url: "
            "'http://127.0.0.1:1/discord'\n",
            "d.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        vigil::config::ConfigErrors errors("d.yml");
        const DiscordConfig cfg = parseDiscordConfig(loaded->config.receivers[0].integrations[0],
                                                     loaded->config.global, "d", errors);
        QVERIFY(errors.empty());
        BuiltinTemplates templates;
        auto body = discordPayload(cfg, firing, templates);
        QVERIFY2(body.isOk(), body.status().message().c_str());
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(*body)).object();
        QCOMPARE(o.value("content").toString(), QString(""));
        const QJsonObject embed = o.value("embeds").toArray().at(0).toObject();
        QCOMPARE(embed.value("title").toString(),
                 QString("[FIRING:2] DiskFull prod-eu (node /data warning)"));
        QCOMPARE(embed.value("color").toInt(), 0x992D22);
        const std::string list = defaultTextAlertList(firing.firingAlerts());
        QCOMPARE(embed.value("description").toString().toStdString(),
                 "\n\nAlerts Firing:\n" + list + "\n\n\n");
        auto resolvedBody = discordPayload(cfg, resolved, templates);
        QVERIFY(resolvedBody.isOk());
        const QJsonObject r =
            QJsonDocument::fromJson(QByteArray::fromStdString(*resolvedBody)).object();
        QCOMPARE(r.value("embeds").toArray().at(0).toObject().value("color").toInt(), 0x2ECC71);
    }

    void quotedPrintableMatchesGo() {
        requireCaptures();
        // The captured HTML part, as Go's quotedprintable.Writer encoded it.
        QByteArray eml = vigil::test::readPayloadFile("04_email_firing.eml");
        QVERIFY(!eml.isEmpty());
        eml.replace("\r\n", "\n");
        const qsizetype start = eml.indexOf("charset=UTF-8\n\n");
        QVERIFY(start > 0);
        const qsizetype bodyStart = start + qsizetype(strlen("charset=UTF-8\n\n"));
        const qsizetype end = eml.indexOf("\n--", bodyStart);
        QVERIFY(end > bodyStart);
        QByteArray encoded = eml.mid(bodyStart, end - bodyStart);
        encoded.replace("\n", "\r\n");
        const QByteArray decoded = decodeQp(encoded);
        const std::string reencoded = quotedPrintable(decoded.toStdString());
        QCOMPARE(QByteArray::fromStdString(reencoded), encoded);
    }

    void mimeHeaders() {
        QCOMPARE(mimeQEncode("plain ascii"), std::string("plain ascii"));
        QCOMPARE(mimeQEncode("caf\xc3\xa9 ok?"), std::string("=?utf-8?q?caf=C3=A9_ok=3F?="));
        auto list = parseAddressList("Ops <ops@vigil.example>, dev@vigil.example");
        QVERIFY(list.isOk());
        QCOMPARE(list->size(), std::size_t(2));
        QCOMPARE(list->at(0), std::string("ops@vigil.example"));
        QCOMPARE(list->at(1), std::string("dev@vigil.example"));
        QVERIFY(!parseAddressList("nobody").isOk());
        QCOMPARE(canonicalMimeHeaderKey("message-id"), std::string("Message-Id"));
        QCOMPARE(canonicalMimeHeaderKey("X-PRIORITY"), std::string("X-Priority"));
    }

    void emailStructure() {
        requireCaptures();
        const auto data = vigil::test::notificationFromWebhookCapture("02_webhook_firing.json");
        auto loaded = parseAlertmanagerConfig(
            "global: {smtp_smarthost: 'localhost:25', smtp_from: 'am@x.example'}\n"
            "route: {receiver: e}\nreceivers:\n- name: e\n  email_configs:\n"
            "  - to: 'a@x.example, B <b@x.example>'\n    text: 'plain {{ template "
            "\"email.default.subject\" . }}'\n    html: '<p>static</p>'\n"
            "    headers: {x-team: ops}\n",
            "e.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        vigil::config::ConfigErrors errors("e.yml");
        EmailConfig cfg = parseEmailConfig(loaded->config.receivers[0].integrations[0],
                                           loaded->config.global, "e", errors);
        QVERIFY(errors.empty());
        QCOMPARE(cfg.smarthostHost, std::string("localhost"));
        QCOMPARE(cfg.smarthostPort, 25);
        QVERIFY(cfg.requireTls);
        // The builtin renderer does not run user templates.
        BuiltinTemplates templates;
        EmailEnvironment env;
        env.nowMs = 1795219159816;
        env.nowNanos = 1795219159816563774;
        env.random = 42;
        env.hostname = "vm";
        env.boundary = std::string(60, 'b');
        auto bad = emailMessage(cfg, data, templates, env);
        QVERIFY(!bad.isOk());
        QVERIFY(bad.status().message().find("template") != std::string::npos);
        cfg.text = "plain text";
        auto msg = emailMessage(cfg, data, templates, env);
        QVERIFY2(msg.isOk(), msg.status().message().c_str());
        QCOMPARE(msg->envelopeFrom, std::string("am@x.example"));
        QCOMPARE(msg->envelopeTo, (std::vector<std::string>{"a@x.example", "b@x.example"}));
        const std::string b(60, 'b');
        qputenv("TZ", "UTC");
        const std::string expected =
            "Subject: [FIRING:2] DiskFull prod-eu (node /data warning)\r\n"
            "To: a@x.example, B <b@x.example>\r\n"
            "From: am@x.example\r\n"
            "X-Team: ops\r\n"
            "Message-Id: <1795219159816563774.42@vm>\r\n";
        QCOMPARE(QString::fromStdString(msg->data.substr(0, expected.size())),
                 QString::fromStdString(expected));
        const std::string tail =
            "Content-Type: multipart/alternative;  boundary=" + b +
            "\r\nMIME-Version: 1.0\r\n\r\n--" + b +
            "\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n\r\nplain text\r\n--" +
            b +
            "\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            "Content-Type: text/html; charset=UTF-8\r\n\r\n<p>static</p>\r\n--" +
            b + "--\r\n";
        QVERIFY2(msg->data.ends_with(tail), msg->data.c_str());
        QVERIFY(msg->data.find("\r\nDate: ") != std::string::npos);
    }

    void configErrors_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("error");
        QTest::newRow("slack-no-url")
            << "route: {receiver: r}\nreceivers:\n- name: r\n  slack_configs:\n  - channel: x\n"
            << "c.yml:5:5: receivers[0].slack_configs[0]: no global Slack API URL set";
        QTest::newRow("email-port")
            << "route: {receiver: r}\nreceivers:\n- name: r\n  email_configs:\n  - to: a@b\n"
               "    from: c@d\n    smarthost: mail.example\n"
            << "c.yml:7:16: receivers[0].email_configs[0]: smarthost \"mail.example\": address "
               "must be host:port";
        QTest::newRow("pagerduty-key")
            << "route: {receiver: r}\nreceivers:\n- name: r\n  pagerduty_configs:\n  - severity: "
               "x\n"
            << "c.yml:5:5: receivers[0].pagerduty_configs[0]: missing service or routing key";
        QTest::newRow("webhook-scheme")
            << "route: {receiver: r}\nreceivers:\n- name: r\n  webhook_configs:\n  - url: ftp://x\n"
            << "c.yml:5:10: receivers[0].webhook_configs[0].url: unsupported scheme";
        QTest::newRow("slack-field")
            << "route: {receiver: r}\nreceivers:\n- name: r\n  slack_configs:\n  - api_url: "
               "http://x\n    fields:\n    - title: t\n"
            << "c.yml:7:7: receivers[0].slack_configs[0].fields[0]: missing value";
    }

    void configErrors() {
        QFETCH(QString, yaml);
        QFETCH(QString, error);
        auto loaded = parseAlertmanagerConfig(yaml.toStdString(), "c.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        const auto& receiver = loaded->config.receivers.at(0);
        vigil::config::ConfigErrors errors("c.yml");
        const IntegrationConfig& ic = receiver.integrations.at(0);
        const std::string path = "receivers[0]." + ic.type + "_configs[0]";
        if (ic.type == "slack")
            parseSlackConfig(ic, loaded->config.global, path, errors);
        else if (ic.type == "email")
            parseEmailConfig(ic, loaded->config.global, path, errors);
        else if (ic.type == "pagerduty")
            parsePagerdutyConfig(ic, loaded->config.global, path, errors);
        else
            parseWebhookConfig(ic, loaded->config.global, path, errors);
        const QString message = QString::fromStdString(errors.toStatus().message());
        QVERIFY2(message.contains(error), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestReceiverPayloads)
#include "tst_receiver_payloads.moc"
