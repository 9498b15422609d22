// Conformance and unit tests for the Go text/template engine.
//
// Expected outputs come from the real implementations, not from reading the
// code: testdata/am_text_cases.json and am_default_rendered.json were
// rendered by `amtool template render` (Alertmanager 0.25.0, Go 1.19
// text/template + Alertmanager's functions, missingkey=zero);
// testdata/prometheus_cases.json by `promtool test rules` (Prometheus 2.42.0)
// with the cases as annotations of one alerting rule; and the notification
// bodies in $VIGIL_SHARED_DIR/conformance/alertmanager/payloads were captured
// from a live Alertmanager 0.25.0.
#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QtTest>

#include <atomic>
#include <thread>

#include "core/template/alertmanager_functions.h"
#include "core/template/go_time.h"
#include "core/template/prometheus_functions.h"
#include "core/template/template.h"

using namespace vigil;
using namespace vigil::gotmpl;

namespace {

QByteArray readFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QString testData(const char* name) {
    return QStringLiteral(VIGIL_TEST_DATA_DIR "/testdata/") + name;
}

QString payloadsDir() {
    QString shared = qEnvironmentVariable("VIGIL_SHARED_DIR", QStringLiteral("/work/shared"));
    return shared + QStringLiteral("/conformance/alertmanager/payloads/");
}

model::Labels labelsFrom(const QJsonObject& o) {
    model::LabelsBuilder b;
    for (auto it = o.begin(); it != o.end(); ++it)
        b.set(it.key().toStdString(), it.value().toString().toStdString());
    return b.labels();
}

model::Timestamp parseTime(const QString& s) {
    if (s.startsWith(QLatin1String("0001-01-01")))
        return 0;  // Go's zero time
    return QDateTime::fromString(s, Qt::ISODate).toMSecsSinceEpoch();
}

// Alertmanager's template.Data from its JSON form (the webhook body).
AmData amDataFrom(const QJsonObject& o) {
    AmData d;
    d.receiver = o.value("receiver").toString().toStdString();
    d.status = o.value("status").toString().toStdString();
    d.externalUrl = o.value("externalURL").toString().toStdString();
    d.groupLabels = labelsFrom(o.value("groupLabels").toObject());
    d.commonLabels = labelsFrom(o.value("commonLabels").toObject());
    d.commonAnnotations = labelsFrom(o.value("commonAnnotations").toObject());
    for (const QJsonValue& v : o.value("alerts").toArray()) {
        QJsonObject a = v.toObject();
        AmAlert alert;
        alert.status = a.value("status").toString().toStdString();
        alert.labels = labelsFrom(a.value("labels").toObject());
        alert.annotations = labelsFrom(a.value("annotations").toObject());
        alert.startsAtMs = parseTime(a.value("startsAt").toString());
        alert.endsAtMs = parseTime(a.value("endsAt").toString());
        alert.generatorUrl = a.value("generatorURL").toString().toStdString();
        alert.fingerprint = a.value("fingerprint").toString().toStdString();
        d.alerts.push_back(std::move(alert));
    }
    return d;
}

Value amData(const char* file) {
    return toValue(amDataFrom(QJsonDocument::fromJson(readFile(testData(file))).object()));
}

// The text/html part of a captured e-mail, quoted-printable decoded.
std::string emailHtml(const QByteArray& eml) {
    std::string text = eml.toStdString();
    std::string lf;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n'))
            lf += text[i];
    std::size_t boundaryAt = lf.find("boundary=");
    std::string boundary = lf.substr(boundaryAt + 9, lf.find('\n', boundaryAt) - boundaryAt - 9);
    std::size_t part = lf.find("Content-Type: text/html");
    std::size_t body = lf.find("\n\n", part) + 2;
    std::size_t end = lf.find("\n--" + boundary, body);
    std::string qp = lf.substr(body, end - body);
    std::string out;
    for (std::size_t i = 0; i < qp.size(); ++i) {
        if (qp[i] != '=') {
            out += qp[i];
        } else if (i + 1 < qp.size() && qp[i + 1] == '\n') {
            ++i;  // soft line break
        } else {
            out += static_cast<char>(std::stoi(qp.substr(i + 1, 2), nullptr, 16));
            i += 2;
        }
    }
    return out;
}

std::string emailSubject(const QByteArray& eml) {
    for (const QByteArray& line : eml.split('\n'))
        if (line.startsWith("Subject: "))
            return line.mid(9).trimmed().toStdString();
    return {};
}

std::string render(const Template& t, const std::string& name, const Value& data) {
    auto r = t.executeTemplate(name, data);
    return r.isOk() ? r.value() : "ERROR: " + r.status().message();
}

}  // namespace

class TstGoTemplate : public QObject {
    Q_OBJECT

private slots:
    // ---- Go text/template semantics, checked against amtool ----
    void alertmanagerTextCases_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("isError");
        QJsonArray cases =
            QJsonDocument::fromJson(readFile(testData("am_text_cases.json"))).array();
        QVERIFY2(cases.size() > 100, "testdata/am_text_cases.json is missing");
        for (const QJsonValue& v : cases) {
            QJsonObject c = v.toObject();
            bool isError = c.contains("error");
            QString text = c.value("template").toString();
            // A documented difference from Go (see its "why").
            QString expected = c.contains("vigil_error")
                                   ? c.value("vigil_error").toString()
                                   : c.value(isError ? "error" : "output").toString();
            QTest::newRow(text.left(70).toUtf8().constData()) << text << expected << isError;
        }
    }
    void alertmanagerTextCases() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QFETCH(bool, isError);
        static const Value data = amData("firing.json");
        auto templates = loadAlertmanagerTemplates({});
        QVERIFY2(templates.isOk(), templates.status().message().c_str());
        auto out = executeAlertmanagerString(templates.value(), text.toStdString(), data);
        if (isError) {
            QVERIFY2(!out.isOk(),
                     ("expected an error, got: " + (out.isOk() ? out.value() : "")).c_str());
            QCOMPARE(QString::fromStdString(out.status().message()), expected);
        } else {
            QVERIFY2(out.isOk(), out.status().message().c_str());
            QCOMPARE(QString::fromStdString(out.value()), expected);
        }
    }

    // ---- Prometheus functions and alert data, checked against promtool ----
    void prometheusCases_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("isError");
        QJsonArray cases =
            QJsonDocument::fromJson(readFile(testData("prometheus_cases.json"))).array();
        QVERIFY2(cases.size() > 50, "testdata/prometheus_cases.json is missing");
        for (const QJsonValue& v : cases) {
            QJsonObject c = v.toObject();
            bool isError = c.contains("error");
            QString text = c.value("template").toString();
            QTest::newRow(text.left(70).toUtf8().constData())
                << text << c.value(isError ? "error" : "output").toString() << isError;
        }
    }
    void prometheusCases() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QFETCH(bool, isError);
        // The alert of the promtool test: disk_usage{instance,job} = 1234.5678
        // and two `up` series; promtool has no external URL.
        model::Labels labels = model::LabelsBuilder()
                                   .set("__name__", "disk_usage")
                                   .set("instance", "db-1.example.com:9100")
                                   .set("job", "node")
                                   .labels();
        Value data = prometheusAlertData(labels, model::Labels(), "", 1234.5678);
        PrometheusContext ctx;
        ctx.evalTimeMs = 120000;
        ctx.query = [](std::string_view q, model::Timestamp t) -> Result<std::vector<QuerySample>> {
            if (t != 120000)
                return Status::error("wrong evaluation time");
            auto up = [](const char* instance, double v) {
                return QuerySample{model::LabelsBuilder()
                                       .set("__name__", "up")
                                       .set("instance", instance)
                                       .set("job", "api")
                                       .labels(),
                                   v};
            };
            if (q == "up")
                return std::vector<QuerySample>{up("b", 1), up("a", 0)};
            if (q == "up{instance=\"b\"}")
                return std::vector<QuerySample>{up("b", 1)};
            if (q == "up{")
                return Status::error("1:4: parse error: unexpected end of input inside braces");
            return std::vector<QuerySample>{};
        };
        auto out = expandAlertTemplate("T", text.toStdString(), data, ctx);
        if (text.contains("pathPrefix")) {
            // promtool runs without an external URL and Prometheus then
            // dereferences a nil URL; Vigil always has one (here "").
            QVERIFY2(out.isOk(), out.status().message().c_str());
            QCOMPARE(QString::fromStdString(out.value()), QStringLiteral("|"));
            return;
        }
        if (isError) {
            QVERIFY(!out.isOk());
            QCOMPARE(QString::fromStdString(out.status().message()), expected);
        } else {
            QVERIFY2(out.isOk(), out.status().message().c_str());
            QCOMPARE(QString::fromStdString(out.value()), expected);
        }
    }

    void checkAlertTemplateReportsParseErrors() {
        QVERIFY(checkAlertTemplate("HighLoad", "{{ $value | humanize }} on {{ $labels.instance }}")
                    .isOk());
        Status st = checkAlertTemplate("HighLoad", "{{ $value | humanise }}");
        QCOMPARE(st.message(),
                 std::string("template: __alert_HighLoad:1: function \"humanise\" not defined"));
        QVERIFY(!checkAlertTemplate("X", "{{ if $value }}").isOk());
    }

    // ---- Alertmanager 0.25's default templates ----
    void defaultTemplatesParse() {
        auto text = loadAlertmanagerTemplates({});
        QVERIFY2(text.isOk(), text.status().message().c_str());
        auto html = loadAlertmanagerTemplates({}, true);
        QVERIFY2(html.isOk(), html.status().message().c_str());
        for (const char* name :
             {"__subject", "slack.default.title", "email.default.html", "email.default.subject",
              "pagerduty.default.description", "discord.default.title", "webex.default.message"})
            QVERIFY2(text.value().has(name), name);
        QVERIFY(alertmanagerDefaultTemplate().find("Apache License") != std::string_view::npos);
    }

    void defaultTemplatesRender_data() {
        QTest::addColumn<QString>("dataFile");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QJsonObject all =
            QJsonDocument::fromJson(readFile(testData("am_default_rendered.json"))).object();
        QVERIFY(!all.isEmpty());
        for (const QString& status : all.keys()) {
            QJsonObject byName = all.value(status).toObject();
            for (const QString& name : byName.keys())
                QTest::newRow(qPrintable(status + " " + name))
                    << status + ".json" << name << byName.value(name).toString();
        }
    }
    void defaultTemplatesRender() {
        QFETCH(QString, dataFile);
        QFETCH(QString, name);
        QFETCH(QString, expected);
        auto templates = loadAlertmanagerTemplates({});
        QVERIFY(templates.isOk());
        Value data = amData(dataFile.toUtf8().constData());
        std::string text = name == "__text_alert_list"
                               ? "{{ template \"__text_alert_list\" .Alerts }}"
                               : "{{ template \"" + name.toStdString() + "\" . }}";
        auto out = executeAlertmanagerString(templates.value(), text, data);
        QVERIFY2(out.isOk(), out.status().message().c_str());
        QCOMPARE(QString::fromStdString(out.value()), expected);
    }

    // The bodies a live Alertmanager 0.25 sent for the same alerts.
    void capturedPayloads_data() {
        QTest::addColumn<QString>("status");
        QTest::newRow("firing") << "firing";
        QTest::newRow("resolved") << "resolved";
    }
    void capturedPayloads() {
        QFETCH(QString, status);
        const bool firing = status == "firing";
        QString dir = payloadsDir();
        if (!QFile::exists(dir + "config.yml"))
            QSKIP(qPrintable("shared conformance payloads not found in " + dir));
        QJsonObject webhook =
            QJsonDocument::fromJson(
                readFile(dir + (firing ? "02_webhook_firing.json" : "05_webhook_resolved.json")))
                .object()
                .value("body")
                .toObject();
        Value data = toValue(amDataFrom(webhook));
        auto text = loadAlertmanagerTemplates({});
        auto html = loadAlertmanagerTemplates({}, true);
        QVERIFY(text.isOk() && html.isOk());
        auto exec = [&](const Template& t, const char* s) {
            auto r = executeAlertmanagerString(t, s, data);
            return r.isOk() ? r.value() : "ERROR: " + r.status().message();
        };

        QJsonObject slack =
            QJsonDocument::fromJson(
                readFile(dir + (firing ? "01_slack_firing.json" : "07_slack_resolved.json")))
                .object()
                .value("body")
                .toObject();
        QJsonObject attachment = slack.value("attachments").toArray().at(0).toObject();
        QCOMPARE(exec(text.value(), "{{ template \"slack.default.title\" . }}"),
                 attachment.value("title").toString().toStdString());
        QCOMPARE(exec(text.value(), "{{ template \"slack.default.titlelink\" . }}"),
                 attachment.value("title_link").toString().toStdString());
        QCOMPARE(exec(text.value(), "{{ template \"slack.default.fallback\" . }}"),
                 attachment.value("fallback").toString().toStdString());
        QCOMPARE(exec(text.value(), "{{ template \"slack.default.text\" . }}"),
                 attachment.value("text").toString().toStdString());
        QCOMPARE(exec(text.value(), "{{ template \"slack.default.username\" . }}"),
                 slack.value("username").toString().toStdString());
        // discord.default.title is __subject too (no Discord receiver in the capture).
        QCOMPARE(exec(text.value(), "{{ template \"discord.default.title\" . }}"),
                 attachment.value("title").toString().toStdString());

        QJsonObject pd =
            QJsonDocument::fromJson(readFile(dir + (firing ? "03_pagerduty_trigger.json"
                                                           : "06_pagerduty_resolve.json")))
                .object()
                .value("body")
                .toObject();
        QJsonObject payload = pd.value("payload").toObject();
        QCOMPARE(exec(text.value(), "{{ template \"pagerduty.default.description\" . }}"),
                 payload.value("summary").toString().toStdString());
        QCOMPARE(exec(text.value(), "{{ template \"pagerduty.default.client\" . }}"),
                 pd.value("client").toString().toStdString());
        QCOMPARE(exec(text.value(), "{{ template \"pagerduty.default.clientURL\" . }}"),
                 pd.value("client_url").toString().toStdString());
        // Alertmanager's PagerDuty defaults: details.firing/resolved.
        QJsonObject details = payload.value("custom_details").toObject();
        QCOMPARE(
            exec(text.value(), "{{ template \"pagerduty.default.instances\" .Alerts.Firing }}"),
            details.value("firing").toString().toStdString());
        QCOMPARE(
            exec(text.value(), "{{ template \"pagerduty.default.instances\" .Alerts.Resolved }}"),
            details.value("resolved").toString().toStdString());
        QCOMPARE(exec(text.value(), "{{ .Alerts.Firing | len }}"),
                 details.value("num_firing").toString().toStdString());

        QByteArray eml = readFile(dir + (firing ? "04_email_firing.eml" : "08_email_resolved.eml"));
        QCOMPARE(exec(text.value(), "{{ template \"email.default.subject\" . }}"),
                 emailSubject(eml));
        std::string body = exec(html.value(), "{{ template \"email.default.html\" . }}");
        std::string expected = emailHtml(eml);
        QVERIFY(expected.size() > 5000);
        QCOMPARE(body, expected);
    }

    // ---- API and contracts ----
    void parseErrorsNameTemplateAndLine_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown function") << "a\nb {{ humanise 1 }}"
                                          << "template: t:2: function \"humanise\" not defined";
        QTest::newRow("unclosed") << "{{ if .X }}\n\n"
                                  << "template: t:3: unexpected EOF";
        QTest::newRow("bad escape") << "{{ \"\\z\" }}"
                                    << "template: t:1: invalid syntax";
        QTest::newRow("in define") << "{{ define \"x\" }}\n{{ .A | 1 }}{{ end }}"
                                   << "template: t:2: non executable command in pipeline stage 2";
    }
    void parseErrorsNameTemplateAndLine() {
        QFETCH(QString, text);
        QFETCH(QString, error);
        Template t("t");
        Status st = t.parse(text.toStdString());
        QVERIFY(!st.isOk());
        QCOMPARE(QString::fromStdString(st.message()), error);
    }

    void missingKeyOptions() {
        Value data =
            Value::map({{"m", Value::fromLabels(model::LabelsBuilder().set("a", "1").labels())},
                        {"any", Value::map({{"x", Value(1)}})}});
        auto run = [&](MissingKey mode, const char* text) {
            Options o;
            o.missingKey = mode;
            Template t("t", o);
            if (Status st = t.parse(text); !st.isOk())
                return "PARSE: " + st.message();
            return render(t, "t", data);
        };
        QCOMPARE(run(MissingKey::kDefault, "{{ .m.a }}|{{ .m.b }}|{{ .any.y }}"),
                 std::string("1|<no value>|<no value>"));
        QCOMPARE(run(MissingKey::kZero, "{{ .m.a }}|{{ .m.b }}|{{ .any.y }}"),
                 std::string("1||<no value>"));
        QCOMPARE(run(MissingKey::kError, "{{ .m.b }}"),
                 std::string("ERROR: template: t:1:5: executing \"t\" at <.m.b>: map has no entry "
                             "for key \"b\""));
        QCOMPARE(run(MissingKey::kDefault, "{{ .nope.deeper }}"), std::string("<no value>"));
    }

    void customFunctionsAndStructs() {
        FuncMap fns;
        fns["double"] = {[](std::span<const Value> args) -> Result<Value> {
                             if (args[0].kind() != Value::Kind::kInt)
                                 return Status::error("want an int");
                             return Value(args[0].asInt() * 2);
                         },
                         1, 1};
        Template t("t", {}, fns);
        QVERIFY(t.parse("{{ double 21 }} {{ 4 | double }} {{ double \"x\" }}").isOk());
        auto out = t.execute(Value());
        QVERIFY(!out.isOk());
        QCOMPARE(out.status().message(), std::string("template: t:1:36: executing \"t\" at <double "
                                                     "\"x\">: error calling double: want an int"));

        Template unknown("u");
        Status st = unknown.parse("{{ double 1 }}");
        QCOMPARE(st.message(), std::string("template: u:1: function \"double\" not defined"));

        // A struct with a lazily resolved field and a method taking arguments.
        auto methods = std::make_shared<MethodTable>();
        methods->typeName = "test.Obj";
        methods->methods["Greet"] = [](const Value& self,
                                       std::span<const Value> args) -> Result<Value> {
            return Value(self.asStruct().field("Name")->asString() + " greets " +
                         args[0].asString());
        };
        int resolved = 0;
        StructData s;
        s.typeName = "test.Obj";
        s.fields.emplace_back("Name", Value("ann"));
        s.resolve = [&resolved](std::string_view name) -> std::optional<Value> {
            if (name != "Lazy")
                return std::nullopt;
            ++resolved;
            return Value("computed");
        };
        s.methods = methods;
        Value obj = Value::object(std::move(s));
        Template m("m");
        QVERIFY(
            m.parse("{{ .Name }} {{ .Greet \"bob\" }} {{ \"eve\" | .Greet }} {{ .Lazy }}").isOk());
        QCOMPARE(render(m, "m", obj), std::string("ann ann greets bob ann greets eve computed"));
        QCOMPARE(resolved, 1);
        Template bad("b");
        QVERIFY(bad.parse("{{ .Other }}").isOk());
        QCOMPARE(render(bad, "b", obj),
                 std::string("ERROR: template: b:1:3: executing \"b\" at <.Other>: can't evaluate "
                             "field Other in type test.Obj"));
    }

    void htmlEscapeOption() {
        Options o;
        o.htmlEscape = true;
        Template t("t", o, alertmanagerFunctions());
        QVERIFY(t.parse("<!-- dropped -->{{ define \"x\" }}<i>{{ . }}</i>{{ end }}<p>{{ .a }} {{ "
                        "safeHtml .a }} {{ template \"x\" .b }}</p>")
                    .isOk());
        Value data = Value::map({{"a", Value("<b>&'\"+")}, {"b", Value("1<2")}});
        QCOMPARE(render(t, "t", data),
                 std::string("<p>&lt;b&gt;&amp;&#39;&#34;&#43; <b>&'\"+ <i>1&lt;2</i></p>"));
    }

    void redefinitionAndClone() {
        Template t("root");
        QVERIFY(t.parseNamed("a.tmpl", "{{ define \"x\" }}one{{ end }}").isOk());
        QVERIFY(t.parseNamed("b.tmpl", "{{ define \"x\" }}two{{ end }}").isOk());
        QCOMPARE(render(t, "x", Value()), std::string("two"));
        // An empty redefinition does not replace a non-empty one.
        QVERIFY(t.parseNamed("c.tmpl", "{{ define \"x\" }}{{ end }}").isOk());
        QCOMPARE(render(t, "x", Value()), std::string("two"));
        Template copy = t.clone();
        QVERIFY(copy.parseNamed("d.tmpl", "{{ define \"x\" }}three{{ end }}").isOk());
        QCOMPARE(render(copy, "x", Value()), std::string("three"));
        QCOMPARE(render(t, "x", Value()), std::string("two"));
        QVERIFY(!t.has("nope"));
        QCOMPARE(
            render(t, "nope", Value()),
            std::string("ERROR: template: no template \"nope\" associated with template \"root\""));
    }

    void recursionIsBounded() {
        Template t("t");
        QVERIFY(t.parse("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}")
                    .isOk());
        std::string out = render(t, "t", Value());
        QVERIFY2(out.find("exceeded maximum template depth") != std::string::npos, out.c_str());
    }

    void concurrentExecution() {
        auto templates = loadAlertmanagerTemplates({});
        QVERIFY(templates.isOk());
        Value data = amData("firing.json");
        std::atomic<int> mismatches{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([&] {
                for (int k = 0; k < 200; ++k)
                    if (render(templates.value(), "slack.default.title", data) !=
                        "[FIRING:2] DiskFull prod-eu (node /data warning)")
                        ++mismatches;
            });
        for (auto& th : threads)
            th.join();
        QCOMPARE(mismatches.load(), 0);
    }

    // Functions newer than Alertmanager 0.25 (date, tz, since, trimSpace,
    // humanizeDuration come from later releases); expected values from Go's
    // documented behaviour.
    void alertmanagerNewerFunctions() {
        auto templates = loadAlertmanagerTemplates({});
        QVERIFY(templates.isOk());
        Value data = amData("firing.json");
        auto exec = [&](const char* s) {
            auto r = executeAlertmanagerString(templates.value(), s, data);
            return r.isOk() ? r.value() : "ERROR: " + r.status().message();
        };
        QCOMPARE(exec("{{ date \"Jan 2, 2006 at 15:04 (MST)\" (index .Alerts 0).StartsAt }}"),
                 std::string("May 1, 2024 at 10:00 (UTC)"));
        QCOMPARE(exec("{{ (index .Alerts 0).StartsAt | tz \"Europe/Paris\" | date \"15:04 MST "
                      "-07:00\" }}"),
                 std::string("12:00 CEST +02:00"));
        QCOMPARE(exec("{{ tz \"Mars/Olympus\" (index .Alerts 0).StartsAt }}").rfind("ERROR: ", 0),
                 0u);
        QCOMPARE(exec("{{ \"  pad \\n\" | trimSpace | printf \"[%s]\" }}"), std::string("[pad]"));
        QCOMPARE(exec("{{ humanizeDuration 3725 }} {{ humanizeDuration 0.0015 }}"),
                 std::string("1h 2m 5s 1.5ms"));
        // since: the alert started in 2024, so more than a year ago.
        QVERIFY(std::stod(exec("{{ (since (index .Alerts 0).StartsAt).Hours }}")) > 8760);
        QCOMPARE(exec("{{ title \"hello wORLD\" }}"), std::string("Hello World"));
    }

    void goTimeAndDurationFormatting_data() {
        QTest::addColumn<qint64>("nanos");
        QTest::addColumn<QString>("expected");
        QTest::newRow("zero") << qint64(0) << "0s";
        QTest::newRow("ns") << qint64(123) << "123ns";
        QTest::newRow("us") << qint64(1500) << QString::fromUtf8("1.5\u00b5s");
        QTest::newRow("ms") << qint64(1500000) << "1.5ms";
        QTest::newRow("s") << qint64(3500000000) << "3.5s";
        QTest::newRow("hms") << qint64(3723000000000) << "1h2m3s";
        QTest::newRow("neg") << qint64(-90000000000) << "-1m30s";
    }
    void goTimeAndDurationFormatting() {
        QFETCH(qint64, nanos);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(formatGoDuration(nanos)), expected);
    }

    void goTimeLayouts() {
        TimeValue t = timeFromUnixMillis(1435065584128);  // 2015-06-23 13:19:44.128 UTC, a Tuesday
        QCOMPARE(formatGoTime(t, kGoTimeStringLayout),
                 std::string("2015-06-23 13:19:44.128 +0000 UTC"));
        QCOMPARE(formatGoTime(t,
                              "Mon Monday Jan January 1 01 2 02 _2 06 2006 3 03 15 4 04 5 05 PM pm "
                              ".000 .9 ,000 002"),
                 std::string("Tue Tuesday Jun June 6 06 23 23 23 15 2015 1 01 13 19 19 44 44 PM pm "
                             ".128 .1 ,128 174"));
        t.offsetSeconds = -(4 * 3600 + 30 * 60);
        t.zone = "";
        QCOMPARE(formatGoTime(t, "15:04 Z07:00 -0700 -07 MST"),
                 std::string("08:49 -04:30 -0430 -04 -0430"));
        TimeValue zero;
        zero.unixSeconds = kGoZeroTimeUnixSeconds;
        QCOMPARE(formatGoTime(zero, kGoTimeStringLayout),
                 std::string("0001-01-01 00:00:00 +0000 UTC"));
    }
};

QTEST_GUILESS_MAIN(TstGoTemplate)
#include "tst_go_template.moc"
