#include "core/notify/receivers/payloads.h"

#include <unistd.h>

#include <QCryptographicHash>
#include <chrono>
#include <clocale>
#include <cstdio>
#include <ctime>
#include <random>

namespace vigil::notify::receivers {

namespace {

void field(std::string& out, const char* name, std::string_view value, bool& first) {
    if (!first)
        out.push_back(',');
    first = false;
    appendGoJsonString(out, name);
    out.push_back(':');
    appendGoJsonString(out, value);
}

// `json:"name,omitempty"` on a string.
void optionalField(std::string& out, const char* name, std::string_view value, bool& first) {
    if (!value.empty())
        field(out, name, value, first);
}

void rawField(std::string& out, const char* name, std::string_view raw, bool& first) {
    if (!first)
        out.push_back(',');
    first = false;
    appendGoJsonString(out, name);
    out.push_back(':');
    out.append(raw);
}

// Executes templates, remembering the first error (Alertmanager's
// notify.TmplText pattern) so that one check follows a batch of fields.
class Expander {
public:
    Expander(const TemplateRenderer& templates, const NotificationData& data)
        : m_scope(templates.scope(data)) {}
    TemplateScope& scope() { return *m_scope; }
    std::string operator()(std::string_view tmpl) {
        if (!m_status.isOk())
            return {};
        auto r = m_scope->text(tmpl);
        if (!r.isOk()) {
            m_status = r.status();
            return {};
        }
        return std::move(r.value());
    }
    Status status() const { return m_status; }

private:
    std::unique_ptr<TemplateScope> m_scope;
    Status m_status;
};

}  // namespace

std::string sha256Hex(std::string_view bytes) {
    const QByteArray digest = QCryptographicHash::hash(
        QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size())), QCryptographicHash::Sha256);
    return digest.toHex().toStdString();
}

std::string webhookPayload(const NotificationData& data, std::uint64_t maxAlerts) {
    std::string out;
    out.reserve(1024 + data.alerts.size() * 512);
    bool first = true;
    out.push_back('{');
    field(out, "receiver", data.receiver, first);
    field(out, "status", data.status(), first);
    std::size_t count = data.alerts.size();
    std::uint64_t truncated = 0;
    if (maxAlerts != 0 && count > maxAlerts) {
        truncated = count - maxAlerts;
        count = static_cast<std::size_t>(maxAlerts);
    }
    out += ",\"alerts\":[";
    for (std::size_t i = 0; i < count; ++i) {
        const TemplateAlert& a = data.alerts[i];
        if (i)
            out.push_back(',');
        bool f = true;
        out.push_back('{');
        field(out, "status", a.status(), f);
        out += ",\"labels\":";
        appendGoJsonLabels(out, a.labels);
        out += ",\"annotations\":";
        appendGoJsonLabels(out, a.annotations);
        field(out, "startsAt", formatGoTime(a.startsAtMs), f);
        field(out, "endsAt", formatGoTime(a.endsAtMs), f);
        field(out, "generatorURL", a.generatorUrl, f);
        field(out, "fingerprint", a.fingerprint, f);
        out.push_back('}');
    }
    out += "],\"groupLabels\":";
    appendGoJsonLabels(out, data.groupLabels);
    out += ",\"commonLabels\":";
    appendGoJsonLabels(out, data.commonLabels);
    out += ",\"commonAnnotations\":";
    appendGoJsonLabels(out, data.commonAnnotations);
    field(out, "externalURL", data.externalUrl, first);
    field(out, "version", "4", first);
    field(out, "groupKey", data.groupKey, first);
    rawField(out, "truncatedAlerts", std::to_string(truncated), first);
    out += "}\n";
    return out;
}

Result<std::string> slackPayload(const SlackConfig& cfg, const NotificationData& data,
                                 const TemplateRenderer& templates) {
    Expander tmpl(templates, data);
    const std::string title = truncateInRunes(tmpl(cfg.title), 1024);
    std::string att = "{";
    bool f = true;
    optionalField(att, "title", title, f);
    optionalField(att, "title_link", tmpl(cfg.titleLink), f);
    optionalField(att, "pretext", tmpl(cfg.pretext), f);
    field(att, "text", tmpl(cfg.text), f);
    field(att, "fallback", tmpl(cfg.fallback), f);
    field(att, "callback_id", tmpl(cfg.callbackId), f);
    if (!cfg.fields.empty()) {
        std::string list = "[";
        for (std::size_t i = 0; i < cfg.fields.size(); ++i) {
            const SlackField& sf = cfg.fields[i];
            if (i)
                list.push_back(',');
            bool g = true;
            list.push_back('{');
            field(list, "title", tmpl(sf.title), g);
            field(list, "value", tmpl(sf.value), g);
            rawField(list, "short", sf.isShort.value_or(cfg.shortFields) ? "true" : "false", g);
            list.push_back('}');
        }
        list.push_back(']');
        rawField(att, "fields", list, f);
    }
    if (!cfg.actions.empty()) {
        std::string list = "[";
        for (std::size_t i = 0; i < cfg.actions.size(); ++i) {
            const SlackAction& a = cfg.actions[i];
            if (i)
                list.push_back(',');
            bool g = true;
            list.push_back('{');
            optionalField(list, "type", tmpl(a.type), g);
            optionalField(list, "text", tmpl(a.text), g);
            optionalField(list, "url", tmpl(a.url), g);
            optionalField(list, "style", tmpl(a.style), g);
            optionalField(list, "name", tmpl(a.name), g);
            optionalField(list, "value", tmpl(a.value), g);
            if (a.confirm) {
                std::string c = "{";
                bool h = true;
                field(c, "text", tmpl(a.confirm->text), h);
                optionalField(c, "title", tmpl(a.confirm->title), h);
                optionalField(c, "ok_text", tmpl(a.confirm->okText), h);
                optionalField(c, "dismiss_text", tmpl(a.confirm->dismissText), h);
                c.push_back('}');
                rawField(list, "confirm", c, g);
            }
            list.push_back('}');
        }
        list.push_back(']');
        rawField(att, "actions", list, f);
    }
    optionalField(att, "image_url", tmpl(cfg.imageUrl), f);
    optionalField(att, "thumb_url", tmpl(cfg.thumbUrl), f);
    field(att, "footer", tmpl(cfg.footer), f);
    optionalField(att, "color", tmpl(cfg.color), f);
    {
        static const std::vector<std::string> kDefaultMrkdwnIn = {"fallback", "pretext", "text"};
        const auto& in = cfg.mrkdwnIn.empty() ? kDefaultMrkdwnIn : cfg.mrkdwnIn;
        std::string list = "[";
        for (std::size_t i = 0; i < in.size(); ++i) {
            if (i)
                list.push_back(',');
            appendGoJsonString(list, in[i]);
        }
        list.push_back(']');
        rawField(att, "mrkdwn_in", list, f);
    }
    att.push_back('}');

    std::string out = "{";
    bool first = true;
    optionalField(out, "channel", tmpl(cfg.channel), first);
    optionalField(out, "username", tmpl(cfg.username), first);
    optionalField(out, "icon_emoji", tmpl(cfg.iconEmoji), first);
    optionalField(out, "icon_url", tmpl(cfg.iconUrl), first);
    if (cfg.linkNames)
        rawField(out, "link_names", "true", first);
    rawField(out, "attachments", "[" + att + "]", first);
    out += "}\n";
    if (!tmpl.status().isOk())
        return tmpl.status();
    return out;
}

Result<std::string> pagerdutyV1Payload(const PagerdutyConfig& cfg, const NotificationData& data,
                                       const TemplateRenderer& templates) {
    // Alertmanager's notifyV1: the same pagerDutyMessage struct, so the
    // fields without omitempty (event_action, payload) appear empty/null.
    Expander tmpl(templates, data);
    std::map<std::string, std::string> details;
    for (const auto& [name, t] : cfg.details)
        details[name] = tmpl(t);
    const std::string description = truncateInRunes(tmpl(cfg.description), 1024);
    std::string out = "{";
    bool first = true;
    optionalField(out, "service_key", tmpl(cfg.serviceKey), first);
    optionalField(out, "incident_key", sha256Hex(data.groupKey), first);
    optionalField(out, "event_type", data.firing ? "trigger" : "resolve", first);
    optionalField(out, "description", description, first);
    field(out, "event_action", "", first);
    rawField(out, "payload", "null", first);
    if (data.firing) {
        optionalField(out, "client", tmpl(cfg.client), first);
        optionalField(out, "client_url", tmpl(cfg.clientUrl), first);
    }
    if (!details.empty()) {
        std::string d = "{";
        bool q = true;
        for (const auto& [k, v] : details)
            field(d, k.c_str(), v, q);
        d.push_back('}');
        rawField(out, "details", d, first);
    }
    out += "}\n";
    if (!tmpl.status().isOk())
        return tmpl.status();
    return out;
}

Result<std::string> pagerdutyPayload(const PagerdutyConfig& cfg, const NotificationData& data,
                                     const TemplateRenderer& templates) {
    if (cfg.routingKey.empty())
        return pagerdutyV1Payload(cfg, data, templates);
    Expander tmpl(templates, data);
    std::map<std::string, std::string> details;
    for (const auto& [name, t] : cfg.details)
        details[name] = tmpl(t);
    const std::string summary = truncateInRunes(tmpl(cfg.description), 1024);

    auto encode = [&](const std::map<std::string, std::string>& customDetails) {
        std::string payload = "{";
        bool p = true;
        field(payload, "summary", summary, p);
        field(payload, "source", tmpl(cfg.source), p);
        field(payload, "severity", tmpl(cfg.severity), p);
        optionalField(payload, "class", tmpl(cfg.className), p);
        optionalField(payload, "component", tmpl(cfg.component), p);
        optionalField(payload, "group", tmpl(cfg.group), p);
        if (!customDetails.empty()) {
            std::string d = "{";
            bool q = true;
            for (const auto& [k, v] : customDetails)
                field(d, k.c_str(), v, q);
            d.push_back('}');
            rawField(payload, "custom_details", d, p);
        }
        payload.push_back('}');

        std::string out = "{";
        bool first = true;
        optionalField(out, "routing_key", tmpl(cfg.routingKey), first);
        optionalField(out, "dedup_key", sha256Hex(data.groupKey), first);
        field(out, "event_action", data.firing ? "trigger" : "resolve", first);
        rawField(out, "payload", payload, first);
        optionalField(out, "client", tmpl(cfg.client), first);
        optionalField(out, "client_url", tmpl(cfg.clientUrl), first);
        std::string images, links;
        for (const auto& image : cfg.images) {
            const std::string src = tmpl(image.src);
            if (src.empty())
                continue;
            images += images.empty() ? "[" : ",";
            bool g = true;
            images.push_back('{');
            field(images, "src", src, g);
            field(images, "alt", tmpl(image.alt), g);
            field(images, "href", tmpl(image.href), g);
            images.push_back('}');
        }
        for (const auto& link : cfg.links) {
            const std::string href = tmpl(link.href);
            if (href.empty())
                continue;
            links += links.empty() ? "[" : ",";
            bool g = true;
            links.push_back('{');
            field(links, "href", href, g);
            field(links, "text", tmpl(link.text), g);
            links.push_back('}');
        }
        if (!images.empty())
            rawField(out, "images", images + "]", first);
        if (!links.empty())
            rawField(out, "links", links + "]", first);
        out += "}\n";
        return out;
    };
    std::string out = encode(details);
    constexpr std::size_t kMaxEventSize = 512000;
    if (out.size() > kMaxEventSize) {
        out = encode({{"error",
                       "Custom details have been removed because the original event "
                       "exceeds the maximum size of 512KB"}});
    }
    if (!tmpl.status().isOk())
        return tmpl.status();
    return out;
}

Result<std::string> discordPayload(const DiscordConfig& cfg, const NotificationData& data,
                                   const TemplateRenderer& templates) {
    Expander tmpl(templates, data);
    const std::string title = truncateInRunes(tmpl(cfg.title), 256);
    const std::string description = truncateInRunes(tmpl(cfg.message), 4096);
    constexpr int kColorRed = 0x992D22, kColorGreen = 0x2ECC71;
    std::string out = "{\"content\":\"\",\"embeds\":[{";
    bool f = true;
    field(out, "title", title, f);
    field(out, "description", description, f);
    rawField(out, "color", std::to_string(data.firing ? kColorRed : kColorGreen), f);
    out += "}]}\n";
    if (!tmpl.status().isOk())
        return tmpl.status();
    return out;
}

std::string quotedPrintable(std::string_view text) {
    constexpr std::size_t kLineMaxLen = 76;
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    std::string line;
    bool cr = false;
    auto isWhitespace = [](char b) { return b == ' ' || b == '\t'; };
    auto flush = [&] {
        out += line;
        line.clear();
    };
    auto insertCrlf = [&] {
        line += "\r\n";
        flush();
    };
    auto softBreak = [&] {
        line += '=';
        insertCrlf();
    };
    auto encode = [&](unsigned char b) {
        if (kLineMaxLen - 1 - line.size() < 3)
            softBreak();
        line += '=';
        line += kHex[b >> 4];
        line += kHex[b & 15];
    };
    auto checkLastByte = [&] {
        if (line.empty())
            return;
        const char b = line.back();
        if (isWhitespace(b)) {
            line.pop_back();
            encode(static_cast<unsigned char>(b));
        }
    };
    for (char ch : text) {
        const auto b = static_cast<unsigned char>(ch);
        const bool plain =
            (b >= '!' && b <= '~' && b != '=') || isWhitespace(ch) || b == '\n' || b == '\r';
        if (!plain) {
            encode(b);
            continue;
        }
        if (b == '\n' || b == '\r') {
            if (cr && b == '\n') {
                cr = false;
                continue;
            }
            cr = b == '\r';
            checkLastByte();
            insertCrlf();
            continue;
        }
        if (line.size() == kLineMaxLen - 1)
            softBreak();
        line += ch;
        cr = false;
    }
    checkLastByte();
    flush();
    return out;
}

std::string mimeQEncode(std::string_view s) {
    bool needs = false;
    for (char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if ((b < ' ' || b > '~') && b != '\t')
            needs = true;
    }
    if (!needs)
        return std::string(s);
    static constexpr char kHex[] = "0123456789ABCDEF";
    // Encoded words of at most 75 bytes, never splitting a UTF-8 sequence.
    constexpr std::size_t kMaxWord = 75;
    const std::string prefix = "=?utf-8?q?";
    std::string out, word;
    auto closeWord = [&] {
        if (!out.empty())
            out += ' ';
        out += prefix + word + "?=";
        word.clear();
    };
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 1;
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 >= 0xC0)
            len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
        len = std::min(len, s.size() - i);
        std::string enc;
        for (std::size_t k = 0; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (b == ' ')
                enc += '_';
            else if (b >= '!' && b <= '~' && b != '=' && b != '?' && b != '_')
                enc += static_cast<char>(b);
            else {
                enc += '=';
                enc += kHex[b >> 4];
                enc += kHex[b & 15];
            }
        }
        if (prefix.size() + word.size() + enc.size() + 2 > kMaxWord && !word.empty())
            closeWord();
        word += enc;
        i += len;
    }
    closeWord();
    return out;
}

Result<std::vector<std::string>> parseAddressList(std::string_view list) {
    std::vector<std::string> out;
    std::string current;
    bool quoted = false;
    int angle = 0;
    auto finish = [&]() -> Status {
        std::string s = current;
        current.clear();
        const auto lt = s.find('<');
        if (lt != std::string::npos) {
            const auto gt = s.find('>', lt);
            if (gt == std::string::npos)
                return Status::error("mail: unclosed angle-addr in \"" + s + "\"");
            s = s.substr(lt + 1, gt - lt - 1);
        }
        const auto b = s.find_first_not_of(" \t");
        const auto e = s.find_last_not_of(" \t");
        s = b == std::string::npos ? "" : s.substr(b, e - b + 1);
        if (s.empty())
            return Status::error("mail: no address");
        const auto at = s.find('@');
        if (at == std::string::npos || at == 0 || at + 1 == s.size())
            return Status::error("mail: missing @ in addr-spec \"" + s + "\"");
        out.push_back(s);
        return Status::ok();
    };
    for (char c : list) {
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && c == '<')
            ++angle;
        else if (!quoted && c == '>')
            --angle;
        if (c == ',' && !quoted && angle == 0) {
            if (Status st = finish(); !st.isOk())
                return st;
            continue;
        }
        current.push_back(c);
    }
    if (Status st = finish(); !st.isOk())
        return st;
    return out;
}

EmailEnvironment EmailEnvironment::current() {
    EmailEnvironment env;
    const auto now = std::chrono::system_clock::now();
    env.nowMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    env.nowNanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    std::random_device rd;
    std::mt19937_64 rng((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
    env.random = rng();
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0)
        std::snprintf(host, sizeof host, "localhost");
    env.hostname = host;
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 30; ++i) {
        const auto b = static_cast<unsigned char>(rng() & 0xff);
        env.boundary += kHex[b >> 4];
        env.boundary += kHex[b & 15];
    }
    return env;
}

Result<EmailMessage> emailMessage(const EmailConfig& cfg, const NotificationData& data,
                                  const TemplateRenderer& templates, const EmailEnvironment& env) {
    EmailMessage msg;
    Expander tmpl(templates, data);
    const std::string to = tmpl(cfg.to);
    const std::string from = tmpl(cfg.from);
    if (!tmpl.status().isOk())
        return tmpl.status();
    auto fromList = parseAddressList(from);
    if (!fromList.isOk())
        return Status::error("parse 'from' addresses: " + fromList.status().message());
    if (fromList->size() != 1)
        return Status::error(
            "must be exactly one 'from' address (got: " + std::to_string(fromList->size()) + ")");
    msg.envelopeFrom = fromList->front();
    auto toList = parseAddressList(to);
    if (!toList.isOk())
        return Status::error("parse 'to' addresses: " + toList.status().message());
    msg.envelopeTo = std::move(toList.value());

    std::string& out = msg.data;
    bool haveMessageId = false;
    for (const auto& [name, t] : cfg.headers) {
        const std::string value = tmpl(t);
        out += name + ": " + mimeQEncode(value) + "\r\n";
        haveMessageId = haveMessageId || name == "Message-Id";
    }
    if (!tmpl.status().isOk())
        return tmpl.status();
    if (!haveMessageId) {
        out += "Message-Id: <" + std::to_string(env.nowNanos) + "." + std::to_string(env.random) +
               "@" + env.hostname + ">\r\n";
    }
    {
        // time.RFC1123Z in the local zone, English names regardless of locale.
        static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        const std::time_t t = static_cast<std::time_t>(env.nowMs / 1000);
        std::tm tm{};
        localtime_r(&t, &tm);
        const long off = tm.tm_gmtoff / 60;
        char buf[64];
        std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
                      kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', std::labs(off) / 60,
                      std::labs(off) % 60);
        out += std::string("Date: ") + buf + "\r\n";
    }
    out += "Content-Type: multipart/alternative;  boundary=" + env.boundary + "\r\n";
    out += "MIME-Version: 1.0\r\n\r\n";

    bool firstPart = true;
    auto part = [&](const char* contentType, const std::string& body) {
        out += firstPart ? "--" : "\r\n--";
        firstPart = false;
        out += env.boundary + "\r\n";
        out += "Content-Transfer-Encoding: quoted-printable\r\n";
        out += std::string("Content-Type: ") + contentType + "\r\n\r\n";
        out += quotedPrintable(body);
    };
    if (!cfg.text.empty()) {
        auto body = tmpl.scope().text(cfg.text);
        if (!body.isOk())
            return body.status();
        part("text/plain; charset=UTF-8", body.value());
    }
    if (!cfg.html.empty()) {
        auto body = tmpl.scope().html(cfg.html);
        if (!body.isOk())
            return body.status();
        part("text/html; charset=UTF-8", body.value());
    }
    out += "\r\n--" + env.boundary + "--\r\n";  // multipart.Writer.Close
    return msg;
}

}  // namespace vigil::notify::receivers
