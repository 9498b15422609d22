#include "core/notify/alertmanager_api.h"

#include <httplib.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>
#include <algorithm>

#include "core/notify/am_matchers.h"
#include "core/notify/notify_service.h"

namespace vigil::notify {

namespace {

QString q(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QJsonObject labelsJson(const model::Labels& labels) {
    QJsonObject o;
    for (const auto& l : labels)
        o.insert(q(l.name), q(l.value));
    return o;
}

Result<model::Labels> labelsFrom(const QJsonValue& v, const std::string& where) {
    if (!v.isUndefined() && !v.isObject())
        return Status::error(where + ": expected an object of label names to values");
    std::vector<model::Label> labels;
    const QJsonObject o = v.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString())
            return Status::error(where + "." + it.key().toStdString() + ": expected a string");
        labels.push_back(model::Label{it.key().toStdString(), it.value().toString().toStdString()});
    }
    return model::Labels::fromUnsorted(std::move(labels));
}

void reply(httplib::Response& res, int status, const QJsonDocument& doc) {
    res.status = status;
    res.set_content(doc.toJson(QJsonDocument::Compact).toStdString(), "application/json");
}

// Alertmanager answers errors as a JSON string.
void replyError(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    std::string body =
        QJsonDocument(QJsonArray{q(message)}).toJson(QJsonDocument::Compact).toStdString();
    res.set_content(body.substr(1, body.size() - 2), "application/json");  // strip [ ]
}

QJsonObject silenceJson(const Silence& s, model::Timestamp nowMs) {
    QJsonArray matchers;
    for (const model::Matcher& m : s.matchers) {
        matchers.append(QJsonObject{{"name", q(m.name())},
                                    {"value", q(m.value())},
                                    {"isRegex", m.type() == model::MatchType::kRegexp ||
                                                    m.type() == model::MatchType::kNotRegexp},
                                    {"isEqual", m.type() == model::MatchType::kEqual ||
                                                    m.type() == model::MatchType::kRegexp}});
    }
    return QJsonObject{{"id", q(s.id)},
                       {"status", QJsonObject{{"state", silenceStateName(s.state(nowMs))}}},
                       {"updatedAt", q(formatRfc3339(s.updatedAtMs))},
                       {"comment", q(s.comment)},
                       {"createdBy", q(s.createdBy)},
                       {"endsAt", q(formatRfc3339(s.endsAtMs))},
                       {"startsAt", q(formatRfc3339(s.startsAtMs))},
                       {"matchers", matchers}};
}

QJsonObject alertJson(const AlertStatus& a) {
    QJsonArray receivers, silencedBy, inhibitedBy;
    for (const std::string& r : a.receivers)
        receivers.append(QJsonObject{{"name", q(r)}});
    for (const std::string& s : a.silencedBy)
        silencedBy.append(q(s));
    if (a.inhibited)
        inhibitedBy.append(QStringLiteral("inhibited"));
    return QJsonObject{{"annotations", labelsJson(a.alert.annotations)},
                       {"endsAt", q(formatRfc3339(a.alert.endsAtMs))},
                       {"fingerprint", q(amFingerprintHex(a.alert.labels))},
                       {"receivers", receivers},
                       {"startsAt", q(formatRfc3339(a.alert.startsAtMs))},
                       {"status", QJsonObject{{"inhibitedBy", inhibitedBy},
                                              {"silencedBy", silencedBy},
                                              {"state", a.state()}}},
                       {"updatedAt", q(formatRfc3339(a.alert.startsAtMs))},
                       {"generatorURL", q(a.alert.generatorUrl)},
                       {"labels", labelsJson(a.alert.labels)}};
}

Result<Silence> silenceFrom(const QJsonObject& o) {
    Silence s;
    s.id = o.value("id").toString().toStdString();
    s.createdBy = o.value("createdBy").toString().toStdString();
    s.comment = o.value("comment").toString().toStdString();
    if (s.createdBy.empty())
        return Status::error("silence: createdBy is required");
    if (s.comment.empty())
        return Status::error("silence: comment is required");
    const QJsonArray matchers = o.value("matchers").toArray();
    for (qsizetype i = 0; i < matchers.size(); ++i) {
        const QJsonObject m = matchers[i].toObject();
        const bool isRegex = m.value("isRegex").toBool();
        const bool isEqual = m.value("isEqual").toBool(true);
        const auto type = isRegex
                              ? (isEqual ? model::MatchType::kRegexp : model::MatchType::kNotRegexp)
                              : (isEqual ? model::MatchType::kEqual : model::MatchType::kNotEqual);
        const std::string name = m.value("name").toString().toStdString();
        if (!isValidAmLabelName(name))
            return Status::error("silence: matchers[" + std::to_string(i) +
                                 "]: invalid label name \"" + name + "\"");
        auto matcher = model::Matcher::make(type, name, m.value("value").toString().toStdString());
        if (!matcher.isOk())
            return Status::error("silence: matchers[" + std::to_string(i) +
                                 "]: " + matcher.status().message());
        s.matchers.push_back(std::move(matcher.value()));
    }
    auto starts = parseRfc3339(o.value("startsAt").toString().toStdString());
    if (!starts.isOk())
        return Status::error("silence: startsAt: " + starts.status().message());
    auto ends = parseRfc3339(o.value("endsAt").toString().toStdString());
    if (!ends.isOk())
        return Status::error("silence: endsAt: " + ends.status().message());
    s.startsAtMs = starts.value();
    s.endsAtMs = ends.value();
    return s;
}

}  // namespace

Result<model::Timestamp> parseRfc3339(const std::string& text) {
    if (text.empty() || text.rfind("0001-01-01T00:00:00", 0) == 0)
        return model::Timestamp{0};
    const QDateTime t = QDateTime::fromString(QString::fromStdString(text), Qt::ISODateWithMs);
    if (!t.isValid())
        return Status::error("\"" + text + "\" is not an RFC 3339 time");
    return t.toMSecsSinceEpoch();
}

std::string formatRfc3339(model::Timestamp ms) {
    if (ms == 0)
        return "0001-01-01T00:00:00.000Z";
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
        .toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"))
        .toStdString();
}

void installAlertmanagerApi(httplib::Server& server, NotifyService& service) {
    auto dispatcher = [&service](httplib::Response& res) -> Dispatcher* {
        Dispatcher* d = service.dispatcher();
        if (!d)
            replyError(res, 503, "the notification service is not running");
        return d;
    };

    server.Post("/api/v2/alerts", [&service, dispatcher](const httplib::Request& req,
                                                         httplib::Response& res) {
        if (!dispatcher(res))
            return;
        QJsonParseError error;
        const QJsonDocument doc =
            QJsonDocument::fromJson(QByteArray::fromStdString(req.body), &error);
        if (error.error != QJsonParseError::NoError || !doc.isArray()) {
            replyError(res, 400,
                       "body: expected a JSON array of alerts" +
                           (error.error != QJsonParseError::NoError
                                ? " (" + error.errorString().toStdString() + " at offset " +
                                      std::to_string(error.offset) + ")"
                                : std::string()));
            return;
        }
        const QJsonArray array = doc.array();
        std::vector<model::Alert> alerts;
        alerts.reserve(static_cast<std::size_t>(array.size()));
        for (qsizetype i = 0; i < array.size(); ++i) {
            const std::string where = "alerts[" + std::to_string(i) + "]";
            const QJsonObject o = array[i].toObject();
            model::Alert a;
            auto labels = labelsFrom(o.value("labels"), where + ".labels");
            auto annotations = labelsFrom(o.value("annotations"), where + ".annotations");
            auto starts = parseRfc3339(o.value("startsAt").toString().toStdString());
            auto ends = parseRfc3339(o.value("endsAt").toString().toStdString());
            for (const Status* s :
                 {&labels.status(), &annotations.status(), &starts.status(), &ends.status()}) {
                if (!s->isOk()) {
                    replyError(res, 400,
                               s->message().rfind("alerts[", 0) == 0 ? s->message()
                                                                     : where + ": " + s->message());
                    return;
                }
            }
            a.labels = std::move(labels.value());
            if (a.labels.empty()) {
                replyError(res, 400, where + ": at least one label pair required");
                return;
            }
            a.annotations = std::move(annotations.value());
            a.startsAtMs = starts.value();
            a.endsAtMs = ends.value();
            if (a.endsAtMs != 0 && a.startsAtMs != 0 && a.endsAtMs < a.startsAtMs) {
                replyError(res, 400, where + ": start time must be before end time");
                return;
            }
            a.generatorUrl = o.value("generatorURL").toString().toStdString();
            alerts.push_back(std::move(a));
        }
        service.alertSink().send(std::move(alerts));
        res.status = 200;
    });

    server.Get("/api/v2/alerts", [dispatcher](const httplib::Request& req, httplib::Response& res) {
        Dispatcher* d = dispatcher(res);
        if (!d)
            return;
        std::vector<model::Matcher> filter;
        for (auto [it, end] = req.params.equal_range("filter"); it != end; ++it) {
            auto m = parseAmMatchers(it->second);
            if (!m.isOk()) {
                replyError(res, 400, "filter: " + m.status().message());
                return;
            }
            filter.insert(filter.end(), m->begin(), m->end());
        }
        QJsonArray out;
        for (const AlertStatus& a : d->alerts()) {
            if (a.resolved || !model::matchesAll(filter, a.alert.labels))
                continue;
            out.append(alertJson(a));
        }
        reply(res, 200, QJsonDocument(out));
    });

    server.Get("/api/v2/alerts/groups",
               [dispatcher](const httplib::Request&, httplib::Response& res) {
                   Dispatcher* d = dispatcher(res);
                   if (!d)
                       return;
                   std::unordered_map<std::uint64_t, const AlertStatus*> byFp;
                   const std::vector<AlertStatus> alerts = d->alerts();
                   for (const AlertStatus& a : alerts)
                       byFp.emplace(a.fingerprint, &a);
                   QJsonArray out;
                   for (const GroupStatus& g : d->groups()) {
                       QJsonArray members;
                       for (std::uint64_t fp : g.alerts) {
                           auto it = byFp.find(fp);
                           if (it != byFp.end() && !it->second->resolved)
                               members.append(alertJson(*it->second));
                       }
                       if (members.isEmpty())
                           continue;
                       out.append(QJsonObject{{"alerts", members},
                                              {"labels", labelsJson(g.labels)},
                                              {"receiver", QJsonObject{{"name", q(g.receiver)}}}});
                   }
                   reply(res, 200, QJsonDocument(out));
               });

    server.Get("/api/v2/silences", [dispatcher](const httplib::Request&, httplib::Response& res) {
        Dispatcher* d = dispatcher(res);
        if (!d)
            return;
        const model::Timestamp now = d->clock().nowMs();
        QJsonArray out;
        for (const Silence& s : d->silences().list())
            out.append(silenceJson(s, now));
        reply(res, 200, QJsonDocument(out));
    });

    server.Post("/api/v2/silences",
                [dispatcher](const httplib::Request& req, httplib::Response& res) {
                    Dispatcher* d = dispatcher(res);
                    if (!d)
                        return;
                    QJsonParseError error;
                    const QJsonDocument doc =
                        QJsonDocument::fromJson(QByteArray::fromStdString(req.body), &error);
                    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
                        replyError(res, 400, "body: expected a JSON silence object");
                        return;
                    }
                    auto silence = silenceFrom(doc.object());
                    if (!silence.isOk()) {
                        replyError(res, 400, silence.status().message());
                        return;
                    }
                    auto id = d->silences().set(std::move(silence.value()), d->clock().nowMs());
                    if (!id.isOk()) {
                        replyError(res, id.status().code() == Status::Code::kNotFound ? 404 : 400,
                                   id.status().message());
                        return;
                    }
                    reply(res, 200, QJsonDocument(QJsonObject{{"silenceID", q(id.value())}}));
                });

    server.Get(R"(/api/v2/silence/([0-9a-fA-F-]+))",
               [dispatcher](const httplib::Request& req, httplib::Response& res) {
                   Dispatcher* d = dispatcher(res);
                   if (!d)
                       return;
                   auto s = d->silences().get(req.matches[1].str());
                   if (!s) {
                       replyError(res, 404, "silence " + req.matches[1].str() + " not found");
                       return;
                   }
                   reply(res, 200, QJsonDocument(silenceJson(*s, d->clock().nowMs())));
               });

    server.Delete(R"(/api/v2/silence/([0-9a-fA-F-]+))", [dispatcher](const httplib::Request& req,
                                                                     httplib::Response& res) {
        Dispatcher* d = dispatcher(res);
        if (!d)
            return;
        Status s = d->silences().expire(req.matches[1].str(), d->clock().nowMs());
        if (!s) {
            replyError(res, s.code() == Status::Code::kNotFound ? 404 : 500, s.message());
            return;
        }
        res.status = 200;
    });

    // Vigil's acknowledgements (Alertmanager has none): a group by its key
    // or one alert by its fingerprint; repeats stop until the ack ends, a
    // resolve always notifies.
    server.Get("/api/vigil/v1/acks", [dispatcher](const httplib::Request&, httplib::Response& res) {
        Dispatcher* d = dispatcher(res);
        if (!d)
            return;
        const model::Timestamp now = d->clock().nowMs();
        QJsonArray out;
        for (const Ack& ack : d->acks().history()) {
            QJsonObject o{{"id", double(ack.id)},
                          {"scope", ack.scope == Ack::Scope::kGroup ? "group" : "alert"},
                          {"target", q(ack.target)},
                          {"createdBy", q(ack.createdBy)},
                          {"comment", q(ack.comment)},
                          {"createdAt", q(formatRfc3339(ack.createdAtMs))},
                          {"active", ack.activeAt(now)}};
            if (ack.expiresAtMs)
                o.insert("expiresAt", q(formatRfc3339(ack.expiresAtMs)));
            if (ack.endedAtMs) {
                o.insert("endedAt", q(formatRfc3339(ack.endedAtMs)));
                o.insert("endedBy", q(ack.endedBy));
            }
            out.append(o);
        }
        reply(res, 200, QJsonDocument(out));
    });
    auto ackRequest = [dispatcher](const httplib::Request& req, httplib::Response& res, bool ack) {
        Dispatcher* d = dispatcher(res);
        if (!d)
            return;
        QJsonObject body;
        if (ack) {
            QJsonParseError error;
            const QJsonDocument doc =
                QJsonDocument::fromJson(QByteArray::fromStdString(req.body), &error);
            if (error.error != QJsonParseError::NoError || !doc.isObject()) {
                replyError(res, 400,
                           "body: expected {\"groupKey\" or \"fingerprint\", \"by\", \"comment\", "
                           "\"expiresAt\"}");
                return;
            }
            body = doc.object();
        } else {
            for (const char* key : {"groupKey", "fingerprint", "by"})
                if (req.has_param(key))
                    body.insert(key, q(req.get_param_value(key)));
        }
        const std::string by = body.value("by").toString().toStdString();
        if (by.empty()) {
            replyError(res, 400, "by: who acknowledges is required");
            return;
        }
        model::Timestamp expiresAt = 0;
        if (body.contains("expiresAt")) {
            auto t = parseRfc3339(body.value("expiresAt").toString().toStdString());
            if (!t.isOk()) {
                replyError(res, 400, "expiresAt: " + t.status().message());
                return;
            }
            expiresAt = t.value();
        }
        const std::string comment = body.value("comment").toString().toStdString();
        Status status;
        if (body.contains("groupKey")) {
            const std::string key = body.value("groupKey").toString().toStdString();
            status = ack ? d->ackGroup(key, by, comment, expiresAt) : d->unackGroup(key, by);
        } else if (body.contains("fingerprint")) {
            bool ok = false;
            const std::uint64_t fp = body.value("fingerprint").toString().toULongLong(&ok, 16);
            if (!ok) {
                replyError(res, 400, "fingerprint: expected 16 hex digits");
                return;
            }
            status = ack ? d->ackAlert(fp, by, comment, expiresAt) : d->unackAlert(fp, by);
        } else {
            replyError(res, 400, "groupKey or fingerprint: say what to acknowledge");
            return;
        }
        if (!status) {
            replyError(res, status.code() == Status::Code::kNotFound ? 404 : 400, status.message());
            return;
        }
        res.status = 200;
    };
    server.Post("/api/vigil/v1/acks",
                [ackRequest](const httplib::Request& req, httplib::Response& res) {
                    ackRequest(req, res, true);
                });
    server.Delete("/api/vigil/v1/acks",
                  [ackRequest](const httplib::Request& req, httplib::Response& res) {
                      ackRequest(req, res, false);
                  });
}

}  // namespace vigil::notify
