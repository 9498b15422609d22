#pragma once

#include <QtTest>

// Test support: the payloads the real Alertmanager 0.25 sent
// (shared/conformance/alertmanager/payloads/, captured by
// shared/tools/am_capture_payloads.py with payloads/config.yml), the
// notification data that reproduces them, and a field-by-field JSON diff.

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include "core/notify/receivers/notification_data.h"

namespace vigil::test {

inline QString payloadsDir() {
    QString shared = qEnvironmentVariable("VIGIL_SHARED_DIR");
    if (shared.isEmpty())
        shared = "/work/shared";
    return shared + "/conformance/alertmanager/payloads";
}

inline QByteArray readPayloadFile(const QString& name) {
    QFile f(payloadsDir() + "/" + name);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// The captured request: {"request": {...}, "body": {...}}.
inline QJsonObject capturedRequest(const QString& name) {
    return QJsonDocument::fromJson(readPayloadFile(name)).object();
}

inline model::Labels labelsFromJson(const QJsonObject& o) {
    std::vector<model::Label> labels;
    for (auto it = o.begin(); it != o.end(); ++it)
        labels.push_back({it.key().toStdString(), it.value().toString().toStdString()});
    return model::Labels::fromUnsorted(std::move(labels));
}

inline model::Timestamp goTimeToMs(const QString& s) {
    if (s.startsWith("0001-01-01"))
        return 0;
    return QDateTime::fromString(s, Qt::ISODateWithMs).toMSecsSinceEpoch();
}

// The notification Alertmanager rendered into the captured webhook payload
// `name` (02_webhook_firing.json or 05_webhook_resolved.json): the same
// alerts, group labels, group key, receiver and external URL.
inline notify::receivers::NotificationData notificationFromWebhookCapture(const QString& name) {
    const QJsonObject body = capturedRequest(name).value("body").toObject();
    std::vector<notify::receivers::NotificationInput> inputs;
    for (const QJsonValue& v : body.value("alerts").toArray()) {
        const QJsonObject a = v.toObject();
        notify::receivers::NotificationInput in;
        in.alert.labels = labelsFromJson(a.value("labels").toObject());
        in.alert.annotations = labelsFromJson(a.value("annotations").toObject());
        in.alert.startsAtMs = goTimeToMs(a.value("startsAt").toString());
        in.alert.endsAtMs = goTimeToMs(a.value("endsAt").toString());
        in.alert.generatorUrl = a.value("generatorURL").toString().toStdString();
        in.resolved = a.value("status").toString() == "resolved";
        inputs.push_back(std::move(in));
    }
    return notify::receivers::makeNotificationData(
        body.value("receiver").toString().toStdString(),
        body.value("groupKey").toString().toStdString(),
        labelsFromJson(body.value("groupLabels").toObject()), inputs,
        body.value("externalURL").toString().toStdString());
}

// Every difference between two JSON values, each naming its path
// ("attachments[0].color: got "good", want "danger"").
inline void jsonDiff(const QJsonValue& got, const QJsonValue& want, const QString& path,
                     QStringList& out) {
    if (got.type() != want.type()) {
        out << path + ": got " +
                   QString::fromUtf8(
                       QJsonDocument(QJsonArray{got}).toJson(QJsonDocument::Compact)) +
                   ", want " +
                   QString::fromUtf8(
                       QJsonDocument(QJsonArray{want}).toJson(QJsonDocument::Compact));
        return;
    }
    if (want.isObject()) {
        const QJsonObject g = got.toObject(), w = want.toObject();
        for (auto it = w.begin(); it != w.end(); ++it) {
            if (!g.contains(it.key()))
                out << path + "." + it.key() + ": missing";
            else
                jsonDiff(g.value(it.key()), it.value(), path + "." + it.key(), out);
        }
        for (auto it = g.begin(); it != g.end(); ++it)
            if (!w.contains(it.key()))
                out << path + "." + it.key() + ": unexpected field";
        return;
    }
    if (want.isArray()) {
        const QJsonArray g = got.toArray(), w = want.toArray();
        if (g.size() != w.size())
            out << path + QString(": %1 elements, want %2").arg(g.size()).arg(w.size());
        for (qsizetype i = 0; i < std::min(g.size(), w.size()); ++i)
            jsonDiff(g.at(i), w.at(i), path + QString("[%1]").arg(i), out);
        return;
    }
    if (got != want) {
        out << path + ": got " +
                   QString::fromUtf8(
                       QJsonDocument(QJsonArray{got}).toJson(QJsonDocument::Compact)) +
                   ", want " +
                   QString::fromUtf8(
                       QJsonDocument(QJsonArray{want}).toJson(QJsonDocument::Compact));
    }
}

inline QStringList jsonDiff(const QByteArray& gotJson, const QJsonValue& want) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(gotJson, &error);
    if (error.error != QJsonParseError::NoError)
        return {"not JSON: " + error.errorString() + ": " + QString::fromUtf8(gotJson)};
    QStringList out;
    jsonDiff(doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array()), want, "body",
             out);
    return out;
}

// payloads/config.yml with its placeholders filled in.
inline QByteArray capturedConfig(int httpPort, int smtpPort) {
    QByteArray yaml = readPayloadFile("config.yml");
    yaml.replace("HTTP_PORT", QByteArray::number(httpPort));
    yaml.replace("SMTP_PORT", QByteArray::number(smtpPort));
    return yaml;
}

// The captured HTTP payloads, as QtTest rows: the integration type, the
// webhook capture that holds the notification data, and the capture the
// integration's request must equal.
inline void addCapturedPayloadRows(const char* integrationColumn = "integration") {
    QTest::addColumn<QString>(integrationColumn);
    QTest::addColumn<QString>("webhookCapture");
    QTest::addColumn<QString>("capture");
    const char* rows[][4] = {
        {"webhook-firing", "webhook", "02_webhook_firing.json", "02_webhook_firing.json"},
        {"webhook-resolved", "webhook", "05_webhook_resolved.json", "05_webhook_resolved.json"},
        {"slack-firing", "slack", "02_webhook_firing.json", "01_slack_firing.json"},
        {"slack-resolved", "slack", "05_webhook_resolved.json", "07_slack_resolved.json"},
        {"pagerduty-trigger", "pagerduty", "02_webhook_firing.json", "03_pagerduty_trigger.json"},
        {"pagerduty-resolve", "pagerduty", "05_webhook_resolved.json", "06_pagerduty_resolve.json"},
    };
    for (const auto& row : rows)
        QTest::newRow(row[0]) << QString::fromLatin1(row[1]) << QString::fromLatin1(row[2])
                              << QString::fromLatin1(row[3]);
}

}  // namespace vigil::test
