// Templates in receivers: the native default templates agree with
// default.tmpl executed by the Go template engine, user template files
// (`templates:` globs) drive titles, fields, actions, links and details, and
// template failures are reported (and recorded) instead of sending garbage.

#include <QTemporaryDir>
#include <QtTest>

#include "core/notify/receivers/go_templates.h"
#include "core/notify/receivers/receiver_notifiers.h"
#include "tests/core/notify/receivers/captured_payloads.h"
#include "tests/core/notify/receivers/http_sink.h"

using namespace vigil;
using namespace vigil::notify;
using namespace vigil::notify::receivers;

namespace {

NotificationContext contextFor(const NotificationData& data, const std::string& receiver,
                               const std::string& type, std::size_t index) {
    NotificationContext ctx;
    ctx.receiver = receiver;
    ctx.groupKey = data.groupKey;
    ctx.groupLabels = data.groupLabels;
    ctx.integrationType = type;
    ctx.integrationIndex = index;
    for (const auto& a : data.alerts) {
        NotificationAlert na;
        na.alert.labels = a.labels;
        na.alert.annotations = a.annotations;
        na.alert.startsAtMs = a.startsAtMs;
        na.alert.endsAtMs = a.endsAtMs;
        na.alert.generatorUrl = a.generatorUrl;
        na.resolved = !a.firing;
        (na.resolved ? ctx.numResolved : ctx.numFiring)++;
        ctx.alerts.push_back(std::move(na));
    }
    ctx.nowMs = 1'795'219'159'000;
    ctx.deadlineMs = ctx.nowMs + 10000;
    return ctx;
}

QJsonObject bodyOf(const test::HttpSink& sink, const std::string& path) {
    for (const auto& r : sink.requests())
        if (r.path == path)
            return QJsonDocument::fromJson(QByteArray::fromStdString(r.body)).object();
    return {};
}

}  // namespace

class TestReceiverTemplates : public QObject {
    Q_OBJECT

    void requireCaptures() {
        if (test::readPayloadFile("config.yml").isEmpty())
            QSKIP("shared/conformance/alertmanager/payloads is absent (VIGIL_SHARED_DIR)");
    }

private slots:
    void builtinMatchesDefaultTmpl_data() {
        QTest::addColumn<QString>("capture");
        QTest::addColumn<QString>("receiver");
        QTest::newRow("firing") << "02_webhook_firing.json"
                                << "team-ops";
        QTest::newRow("resolved") << "05_webhook_resolved.json"
                                  << "team-ops";
        QTest::newRow("regex-receiver") << "02_webhook_firing.json"
                                        << "team.ops-(eu) & co";
    }

    void builtinMatchesDefaultTmpl() {
        requireCaptures();
        QFETCH(QString, capture);
        QFETCH(QString, receiver);
        NotificationData data = test::notificationFromWebhookCapture(capture);
        data.receiver = goQuoteMeta(receiver.toStdString());
        auto go = GoTemplates::load();
        QVERIFY2(go.isOk(), go.status().message().c_str());
        BuiltinTemplates builtin;
        auto goScope = go.value()->scope(data);
        auto builtinScope = builtin.scope(data);
        using namespace default_tmpl;
        for (std::string_view t :
             {kSlackColor,         kSlackUsername,        kSlackTitle,      kSlackTitleLink,
              kSlackIconEmoji,     kSlackIconUrl,         kSlackPretext,    kSlackText,
              kSlackFallback,      kSlackCallbackId,      kSlackFooter,     kPagerdutyDescription,
              kPagerdutyClient,    kPagerdutyClientUrl,   kPagerdutyFiring, kPagerdutyResolved,
              kPagerdutyNumFiring, kPagerdutyNumResolved, kEmailSubject,    kDiscordTitle,
              kDiscordMessage}) {
            auto want = goScope->text(t);
            auto got = builtinScope->text(t);
            QVERIFY2(want.isOk(), want.status().message().c_str());
            QVERIFY2(got.isOk(), got.status().message().c_str());
            QVERIFY2(*got == *want, qPrintable(QString::fromUtf8(t.data(), t.size()) +
                                               "\ngot:  " + QString::fromStdString(*got) +
                                               "\nwant: " + QString::fromStdString(*want)));
        }
        // The receiver link carries the regex-quoted, query-escaped name.
        if (receiver.contains('('))
            QCOMPARE(QString::fromStdString(*builtinScope->text(kSlackTitleLink)),
                     QString("http://am.vigil.example:9093/#/"
                             "alerts?receiver=team%5C.ops-%5C%28eu%5C%29+%26+co"));
    }

    void userTemplatesEverywhere() {
        requireCaptures();
        QTemporaryDir dir;
        QFile tmpl(dir.filePath("mine.tmpl"));
        QVERIFY(tmpl.open(QIODevice::WriteOnly));
        tmpl.write(
            "{{ define \"my.title\" }}{{ .CommonLabels.alertname }} on "
            "{{ .GroupLabels.cluster }} ({{ len .Alerts.Firing }}){{ end }}\n"
            "{{ define \"my.instances\" }}{{ range .Alerts }}{{ .Labels.instance }} "
            "{{ end }}{{ end }}\n");
        tmpl.close();
        auto go = GoTemplates::loadGlobs({"*.tmpl", "none/*.tmpl"}, dir.path().toStdString());
        QVERIFY2(go.isOk(), go.status().message().c_str());

        test::HttpSink sink;
        const QString base = QString::fromStdString(sink.url(""));
        const QString yaml =
            "route: {receiver: r}\nreceivers:\n- name: r\n"
            "  slack_configs:\n  - api_url: '" +
            base +
            "/slack'\n"
            "    channel: '#{{ .CommonLabels.cluster }}'\n"
            "    title: '{{ template \"my.title\" . }}'\n"
            "    text: '{{ template \"my.instances\" . }}'\n"
            "    icon_emoji: ':fire:'\n    link_names: true\n    short_fields: true\n"
            "    fields:\n    - {title: Severity, value: '{{ .CommonLabels.severity }}'}\n"
            "    - {title: Job, value: '{{ .CommonLabels.job }}', short: false}\n"
            "    actions:\n    - type: button\n      text: Runbook\n"
            "      url: '{{ .CommonAnnotations.runbook_url }}'\n      style: danger\n"
            "      confirm: {text: 'Sure?', ok_text: Yes}\n"
            "    http_config: {authorization: {credentials: tok3n}}\n"
            "  pagerduty_configs:\n  - routing_key: rk\n    url: '" +
            base +
            "/pd'\n"
            "    severity: '{{ .CommonLabels.severity }}'\n    class: disk\n"
            "    details: {firing: 'custom {{ .Alerts.Firing | len }}', team: ops}\n"
            "    links: [{href: '{{ .CommonAnnotations.runbook_url }}', text: Runbook}, {href: "
            "''}]\n"
            "    images: [{src: 'http://img/x.png', alt: graph, href: 'http://g'}]\n"
            "  webhook_configs:\n  - url: '" +
            base +
            "/hook'\n    max_alerts: 1\n"
            "    http_config: {basic_auth: {username: u, password: p}}\n"
            "  discord_configs:\n  - webhook_url: '" +
            base +
            "/discord'\n"
            "    title: '{{ template \"my.title\" . }}'\n";
        auto loaded = parseAlertmanagerConfig(yaml.toStdString(), "am.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        ReceiverEnvironment env;
        env.externalUrl = "http://vigil.example:9093";
        env.templates = go.value();
        env.history = std::make_shared<NotifyHistory>();
        auto registry = buildNotifierRegistry(loaded->config,
                                              makeNotifierFactory(loaded->config, "am.yml", env));
        QVERIFY2(registry.isOk(), registry.status().message().c_str());
        const NotificationData data =
            test::notificationFromWebhookCapture("02_webhook_firing.json");
        for (const auto& integration : *registry->integrations("r")) {
            const NotifyResult r = integration.notifier->notify(
                contextFor(data, "r", integration.type, integration.index));
            QVERIFY2(r.ok(), (integration.type + ": " + r.message).c_str());
        }
        QCOMPARE(sink.requests().size(), std::size_t(4));
        QCOMPARE(env.history->recent().size(), std::size_t(4));

        const QJsonObject slack = bodyOf(sink, "/slack");
        QCOMPARE(slack.value("channel").toString(), QString("#prod-eu"));
        QCOMPARE(slack.value("icon_emoji").toString(), QString(":fire:"));
        QCOMPARE(slack.value("link_names").toBool(), true);
        const QJsonObject att = slack.value("attachments").toArray().at(0).toObject();
        QCOMPARE(att.value("title").toString(), QString("DiskFull on prod-eu (2)"));
        QCOMPARE(att.value("text").toString(), QString("db-1:9100 db-2:9100 "));
        // slack.default.fallback uses slack.default.title, not the configured title.
        QCOMPARE(att.value("fallback").toString(),
                 QString("[FIRING:2] DiskFull prod-eu (node /data warning) | "
                         "http://vigil.example:9093/#/alerts?receiver=r"));
        const QJsonArray fields = att.value("fields").toArray();
        QCOMPARE(fields.size(), 2);
        QCOMPARE(fields[0].toObject().value("value").toString(), QString("warning"));
        QCOMPARE(fields[0].toObject().value("short").toBool(), true);  // short_fields
        QCOMPARE(fields[1].toObject().value("short").toBool(), false);
        const QJsonObject action = att.value("actions").toArray().at(0).toObject();
        QCOMPARE(action.value("url").toString(), QString("https://runbooks.vigil.example/disk"));
        QCOMPARE(action.value("style").toString(), QString("danger"));
        QCOMPARE(action.value("confirm").toObject().value("ok_text").toString(), QString("Yes"));
        QVERIFY(!action.contains("name"));

        const QJsonObject pd = bodyOf(sink, "/pd");
        QCOMPARE(pd.value("payload").toObject().value("severity").toString(), QString("warning"));
        QCOMPARE(pd.value("payload").toObject().value("class").toString(), QString("disk"));
        const QJsonObject details =
            pd.value("payload").toObject().value("custom_details").toObject();
        QCOMPARE(details.value("firing").toString(), QString("custom 2"));  // user's wins
        QCOMPARE(details.value("team").toString(), QString("ops"));
        QCOMPARE(details.value("num_firing").toString(), QString("2"));
        QCOMPARE(pd.value("links").toArray().size(), 1);  // empty href dropped
        QCOMPARE(pd.value("links").toArray().at(0).toObject().value("href").toString(),
                 QString("https://runbooks.vigil.example/disk"));
        QCOMPARE(pd.value("images").toArray().at(0).toObject().value("alt").toString(),
                 QString("graph"));

        const QJsonObject hook = bodyOf(sink, "/hook");
        QCOMPARE(hook.value("alerts").toArray().size(), 1);
        QCOMPARE(hook.value("truncatedAlerts").toInt(), 1);
        const QJsonObject discord = bodyOf(sink, "/discord");
        QCOMPARE(discord.value("embeds").toArray().at(0).toObject().value("title").toString(),
                 QString("DiskFull on prod-eu (2)"));

        for (const auto& r : sink.requests()) {
            if (r.path == "/slack")
                QCOMPARE(r.authorization, std::string("Bearer tok3n"));
            if (r.path == "/hook")
                QCOMPARE(r.authorization, std::string("Basic dTpw"));
        }
    }

    void templateParseErrorNamesFile() {
        QTemporaryDir dir;
        QFile tmpl(dir.filePath("broken.tmpl"));
        QVERIFY(tmpl.open(QIODevice::WriteOnly));
        tmpl.write("{{ define \"x\" }}\n{{ if }}\n{{ end }}");
        tmpl.close();
        auto go = GoTemplates::loadGlobs({dir.filePath("*.tmpl").toStdString()}, "");
        QVERIFY(!go.isOk());
        QVERIFY2(go.status().message().find("broken.tmpl:2") != std::string::npos,
                 go.status().message().c_str());
    }

    void executionErrorFailsTheAttempt() {
        requireCaptures();
        auto go = GoTemplates::load();
        QVERIFY(go.isOk());
        test::HttpSink sink;
        const std::string yaml =
            "route: {receiver: r}\nreceivers:\n- name: r\n"
            "  slack_configs:\n  - api_url: '" +
            sink.url("/slack") + "'\n    title: '{{ template \"does.not.exist\" . }}'\n";
        auto loaded = parseAlertmanagerConfig(yaml, "am.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());
        ReceiverEnvironment env;
        env.templates = go.value();
        env.history = std::make_shared<NotifyHistory>();
        auto registry = buildNotifierRegistry(loaded->config,
                                              makeNotifierFactory(loaded->config, "am.yml", env));
        QVERIFY(registry.isOk());
        const auto& integration = registry->integrations("r")->at(0);
        const NotificationData data =
            test::notificationFromWebhookCapture("02_webhook_firing.json");
        const NotifyResult r = integration.notifier->notify(contextFor(data, "r", "slack", 0));
        QCOMPARE(int(r.outcome), int(NotifyResult::Outcome::kFailed));
        QVERIFY2(r.message.find("does.not.exist") != std::string::npos, r.message.c_str());
        QVERIFY(sink.requests().empty());
        QCOMPARE(env.history->recent().at(0).outcome, std::string("failed"));
    }
};

QTEST_GUILESS_MAIN(TestReceiverTemplates)
#include "tst_receiver_templates.moc"
