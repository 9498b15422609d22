#include "core/notify/receivers/notification_data.h"

#include <cstdio>
#include <ctime>

#include "core/notify/am_matchers.h"
#include "core/util/utf8.h"

namespace vigil::notify::receivers {

std::size_t NotificationData::numFiring() const {
    std::size_t n = 0;
    for (const auto& a : alerts)
        n += a.firing ? 1 : 0;
    return n;
}

std::size_t NotificationData::numResolved() const {
    return alerts.size() - numFiring();
}

std::vector<const TemplateAlert*> NotificationData::firingAlerts() const {
    std::vector<const TemplateAlert*> out;
    for (const auto& a : alerts)
        if (a.firing)
            out.push_back(&a);
    return out;
}

std::vector<const TemplateAlert*> NotificationData::resolvedAlerts() const {
    std::vector<const TemplateAlert*> out;
    for (const auto& a : alerts)
        if (!a.firing)
            out.push_back(&a);
    return out;
}

namespace {

// Labels present with the same value in every set (template.Data's
// CommonLabels / CommonAnnotations).
model::Labels intersect(const std::vector<const model::Labels*>& sets) {
    if (sets.empty())
        return {};
    std::vector<model::Label> common(sets[0]->begin(), sets[0]->end());
    for (std::size_t i = 1; i < sets.size() && !common.empty(); ++i) {
        std::vector<model::Label> kept;
        for (const auto& label : common) {
            if (sets[i]->has(label.name) && sets[i]->get(label.name) == label.value)
                kept.push_back(label);
        }
        common = std::move(kept);
    }
    return model::Labels::fromSorted(std::move(common));
}

}  // namespace

NotificationData makeNotificationData(std::string_view receiverName, std::string_view groupKey,
                                      const model::Labels& groupLabels,
                                      const std::vector<NotificationInput>& alerts,
                                      std::string_view externalUrl) {
    NotificationData data;
    data.receiver = goQuoteMeta(receiverName);
    data.groupKey = std::string(groupKey);
    data.groupLabels = groupLabels;
    data.externalUrl = std::string(externalUrl);
    while (!data.externalUrl.empty() && data.externalUrl.back() == '/')
        data.externalUrl.pop_back();
    std::vector<const model::Labels*> labelSets, annotationSets;
    for (const auto& in : alerts) {
        TemplateAlert a;
        a.firing = !in.resolved;
        a.labels = in.alert.labels;
        a.annotations = in.alert.annotations;
        a.startsAtMs = in.alert.startsAtMs;
        a.endsAtMs = in.resolved ? in.alert.endsAtMs : 0;
        a.generatorUrl = in.alert.generatorUrl;
        a.fingerprint = amFingerprintHex(in.alert.labels);
        data.firing = data.firing || a.firing;
        data.alerts.push_back(std::move(a));
    }
    for (const auto& a : data.alerts) {
        labelSets.push_back(&a.labels);
        annotationSets.push_back(&a.annotations);
    }
    data.commonLabels = intersect(labelSets);
    data.commonAnnotations = intersect(annotationSets);
    return data;
}

std::string goQuoteMeta(std::string_view s) {
    static constexpr std::string_view kSpecial = "\\.+*?()|[]{}^$";
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (kSpecial.find(c) != std::string_view::npos)
            out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

std::string goQueryEscape(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else if (c == ' ') {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

std::string formatGoTime(model::Timestamp ms) {
    if (ms == 0)
        return "0001-01-01T00:00:00Z";
    std::int64_t secs = ms / 1000;
    int frac = static_cast<int>(ms % 1000);
    if (frac < 0) {
        frac += 1000;
        --secs;
    }
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::string out = buf;
    if (frac != 0) {
        std::snprintf(buf, sizeof buf, ".%03d", frac);
        std::string f = buf;
        while (f.back() == '0')
            f.pop_back();
        out += f;
    }
    out += 'Z';
    return out;
}

namespace {}  // namespace

void appendGoJsonString(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                default:
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        out += "\\u00";
                        out.push_back(kHex[c >> 4]);
                        out.push_back(kHex[c & 15]);
                    } else {
                        out.push_back(static_cast<char>(c));
                    }
            }
            ++i;
            continue;
        }
        std::uint32_t cp = 0;
        const std::size_t len = decodeUtf8(s, i, &cp);
        if (len == 0) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        if (cp == 0x2028 || cp == 0x2029) {
            out += cp == 0x2028 ? "\\u2028" : "\\u2029";
        } else {
            out.append(s.substr(i, len));
        }
        i += len;
    }
    out.push_back('"');
}

void appendGoJsonLabels(std::string& out, const model::Labels& labels) {
    out.push_back('{');
    bool first = true;
    for (const auto& label : labels) {
        if (!first)
            out.push_back(',');
        first = false;
        appendGoJsonString(out, label.name);
        out.push_back(':');
        appendGoJsonString(out, label.value);
    }
    out.push_back('}');
}

std::string truncateInRunes(std::string_view s, std::size_t maxRunes, bool* truncated) {
    // Rune boundaries (Go's []rune conversion turns invalid bytes into one
    // rune each).
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < s.size();) {
        starts.push_back(i);
        std::uint32_t cp = 0;
        const std::size_t len = decodeUtf8(s, i, &cp);
        i += len == 0 ? 1 : len;
    }
    if (truncated)
        *truncated = starts.size() > maxRunes;
    if (starts.size() <= maxRunes)
        return std::string(s);
    if (maxRunes <= 3)
        return std::string(s.substr(0, starts[maxRunes]));
    return std::string(s.substr(0, starts[maxRunes - 1])) + "\xE2\x80\xA6";
}

}  // namespace vigil::notify::receivers
