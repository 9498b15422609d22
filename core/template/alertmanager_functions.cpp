// Alertmanager's template functions and data (alertmanager/template/template.go,
// v0.25).
#include "core/template/alertmanager_functions.h"

#include <QtCore/QDateTime>
#include <QtCore/QTimeZone>

#include <algorithm>
#include <chrono>

#include "core/template/function_helpers.h"
#include "core/template/go_time.h"

namespace vigil::gotmpl {
namespace {

using K = Value::Kind;

// Generated from resources/alertmanager/*.tmpl by core/template/CMakeLists.txt.
constexpr std::string_view kDefaultTmpl =
#include "alertmanager_default_tmpl.inc"
    ;
constexpr std::string_view kEmailTmpl =
#include "alertmanager_email_tmpl.inc"
    ;

Value kvFromMap(Map entries) {
    return Value::stringMap(std::move(entries), kvMethods());
}

// KV.SortedPairs: "alertname" first, then the other names sorted.
List sortedPairs(const Value& kv) {
    std::vector<const std::pair<const std::string, Value>*> entries;
    for (const auto& entry : kv.asMap())
        entries.push_back(&entry);
    std::stable_partition(entries.begin(), entries.end(),
                          [](const auto* e) { return e->first == "alertname"; });
    List pairs;
    pairs.reserve(entries.size());
    for (const auto* e : entries) {
        StructData pair;
        pair.typeName = "template.Pair";
        pair.fields.emplace_back("Name", Value(e->first));
        pair.fields.emplace_back("Value", e->second);
        pairs.push_back(Value::object(std::move(pair)));
    }
    return pairs;
}

Value pairsField(const Value& pairs, const char* field) {
    List out;
    for (const Value& p : pairs.asList())
        out.push_back(*p.asStruct().field(field));
    return Value::list(std::move(out));
}

Result<List> stringList(const Value& v, std::string_view what) {
    if (v.kind() != K::kList)
        return wrongType(what, v);
    for (const Value& item : v.asList())
        if (item.kind() != K::kString)
            return wrongType(what, v);
    return v.asList();
}

// Alerts.Firing/Resolved return []Alert, which has no methods.
std::shared_ptr<const MethodTable> plainAlertsType() {
    static const auto table =
        std::make_shared<const MethodTable>(MethodTable{"[]template.Alert", {}});
    return table;
}

Value alertsWithStatus(const Value& alerts, std::string_view status) {
    List out;
    for (const Value& a : alerts.asList()) {
        if (a.kind() != K::kStruct)
            continue;
        const Value* s = a.asStruct().field("Status");
        if (s && s->kind() == K::kString && s->asString() == status)
            out.push_back(a);
    }
    return Value::list(std::move(out), plainAlertsType());
}

Result<TimeValue> timeArg(std::span<const Value> args, std::size_t i) {
    if (i >= args.size() || args[i].kind() != K::kTime)
        return wrongType("time.Time", i < args.size() ? args[i] : Value());
    return args[i].asTime();
}

Value timeFromMs(model::Timestamp ms, bool zeroIsGoZero) {
    if (ms == 0 && zeroIsGoZero) {
        TimeValue t;
        t.unixSeconds = kGoZeroTimeUnixSeconds;
        return Value(std::move(t));
    }
    return Value(timeFromUnixMillis(ms));
}

std::int64_t nowNanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::shared_ptr<const MethodTable> kvMethods() {
    static const std::shared_ptr<const MethodTable> table = [] {
        auto t = std::make_shared<MethodTable>();
        t->typeName = "template.KV";
        t->methods["SortedPairs"] = Method(
            [](const Value& self, std::span<const Value>) -> Result<Value> {
                return Value::list(sortedPairs(self), pairsMethods());
            },
            0, 0);
        t->methods["Names"] = Method(
            [](const Value& self, std::span<const Value>) -> Result<Value> {
                return pairsField(Value::list(sortedPairs(self)), "Name");
            },
            0, 0);
        t->methods["Values"] = Method(
            [](const Value& self, std::span<const Value>) -> Result<Value> {
                return pairsField(Value::list(sortedPairs(self)), "Value");
            },
            0, 0);
        t->methods["Remove"] = Method(
            [](const Value& self, std::span<const Value> args) -> Result<Value> {
                auto keys = stringList(args[0], "[]string");
                if (!keys.isOk())
                    return keys.status();
                Map out = self.asMap();
                for (const Value& key : keys.value())
                    out.erase(key.asString());
                return kvFromMap(std::move(out));
            },
            1, 1);
        return std::shared_ptr<const MethodTable>(std::move(t));
    }();
    return table;
}

std::shared_ptr<const MethodTable> pairsMethods() {
    static const std::shared_ptr<const MethodTable> table = [] {
        auto t = std::make_shared<MethodTable>();
        t->typeName = "template.Pairs";
        t->methods["Names"] =
            Method([](const Value& self,
                      std::span<const Value>) -> Result<Value> { return pairsField(self, "Name"); },
                   0, 0);
        t->methods["Values"] = Method(
            [](const Value& self, std::span<const Value>) -> Result<Value> {
                return pairsField(self, "Value");
            },
            0, 0);
        return std::shared_ptr<const MethodTable>(std::move(t));
    }();
    return table;
}

std::shared_ptr<const MethodTable> alertsMethods() {
    static const std::shared_ptr<const MethodTable> table = [] {
        auto t = std::make_shared<MethodTable>();
        t->typeName = "template.Alerts";
        t->methods["Firing"] = Method(
            [](const Value& self, std::span<const Value>) -> Result<Value> {
                return alertsWithStatus(self, "firing");
            },
            0, 0);
        t->methods["Resolved"] = Method(
            [](const Value& self, std::span<const Value>) -> Result<Value> {
                return alertsWithStatus(self, "resolved");
            },
            0, 0);
        return std::shared_ptr<const MethodTable>(std::move(t));
    }();
    return table;
}

FuncMap alertmanagerFunctions() {
    FuncMap f;
    addSharedStringFunctions(f);
    f["title"] = stringFunction([](std::string_view s) { return titleCase(s, true); });
    f["trimSpace"] = stringFunction([](std::string_view s) {
        // strings.TrimSpace: ASCII and Unicode white space (the common ones).
        auto isWs = [](unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
        while (!s.empty() && isWs(static_cast<unsigned char>(s.front())))
            s.remove_prefix(1);
        while (!s.empty() && isWs(static_cast<unsigned char>(s.back())))
            s.remove_suffix(1);
        return std::string(s);
    });
    f["join"] = {[](std::span<const Value> args) -> Result<Value> {
                     auto sep = stringArg(args, 0);
                     if (!sep.isOk())
                         return sep.status();
                     auto items = stringList(args[1], "[]string");
                     if (!items.isOk())
                         return items.status();
                     std::string out;
                     for (std::size_t i = 0; i < items.value().size(); ++i) {
                         if (i > 0)
                             out += sep.value();
                         out += items.value()[i].asString();
                     }
                     return Value(std::move(out));
                 },
                 2, 2};
    f["stringSlice"] = {[](std::span<const Value> args) -> Result<Value> {
                            List out;
                            for (std::size_t i = 0; i < args.size(); ++i) {
                                auto s = stringArg(args, i);
                                if (!s.isOk())
                                    return s.status();
                                out.emplace_back(s.value());
                            }
                            return Value::list(std::move(out));
                        },
                        0, -1};
    f["date"] = {[](std::span<const Value> args) -> Result<Value> {
                     auto layout = stringArg(args, 0);
                     if (!layout.isOk())
                         return layout.status();
                     auto t = timeArg(args, 1);
                     if (!t.isOk())
                         return t.status();
                     return Value(formatGoTime(t.value(), layout.value()));
                 },
                 2, 2};
    f["tz"] = {[](std::span<const Value> args) -> Result<Value> {
                   auto name = stringArg(args, 0);
                   if (!name.isOk())
                       return name.status();
                   auto t = timeArg(args, 1);
                   if (!t.isOk())
                       return t.status();
                   TimeValue out = t.value();
                   // time.LoadLocation: "" and "UTC" are UTC, "Local" the system zone.
                   if (name.value().empty() || name.value() == "UTC") {
                       out.offsetSeconds = 0;
                       out.zone = "UTC";
                       return Value(std::move(out));
                   }
                   QTimeZone zone = name.value() == "Local"
                                        ? QTimeZone::systemTimeZone()
                                        : QTimeZone(QByteArray::fromStdString(name.value()));
                   if (!zone.isValid())
                       return Status::error("unknown time zone " + name.value());
                   QDateTime at = QDateTime::fromSecsSinceEpoch(out.unixSeconds, QTimeZone::utc());
                   out.offsetSeconds = zone.offsetFromUtc(at);
                   out.zone = zone.abbreviation(at).toStdString();
                   return Value(std::move(out));
               },
               2, 2};
    f["since"] = {[](std::span<const Value> args) -> Result<Value> {
                      auto t = timeArg(args, 0);
                      if (!t.isOk())
                          return t.status();
                      std::int64_t now = nowNanos();
                      // Saturate like Go's time.Sub for far-apart instants.
                      double seconds =
                          static_cast<double>(now / 1000000000 - t.value().unixSeconds);
                      if (seconds > 9.2e9)
                          return Value(DurationValue{INT64_MAX});
                      if (seconds < -9.2e9)
                          return Value(DurationValue{INT64_MIN});
                      std::int64_t then = t.value().unixSeconds * 1000000000 + t.value().nanos;
                      return Value(DurationValue{now - then});
                  },
                  1, 1};
    f["humanizeDuration"] = {[](std::span<const Value> args) { return humanizeDuration(args[0]); },
                             1, 1};
    return f;
}

Value toValue(const AmAlert& alert) {
    StructData data;
    data.typeName = "template.Alert";
    data.fields.emplace_back("Status", Value(alert.status));
    data.fields.emplace_back("Labels", Value::fromLabels(alert.labels, kvMethods()));
    data.fields.emplace_back("Annotations", Value::fromLabels(alert.annotations, kvMethods()));
    data.fields.emplace_back("StartsAt", timeFromMs(alert.startsAtMs, true));
    data.fields.emplace_back("EndsAt", timeFromMs(alert.endsAtMs, true));
    data.fields.emplace_back("GeneratorURL", Value(alert.generatorUrl));
    data.fields.emplace_back("Fingerprint", Value(alert.fingerprint));
    return Value::object(std::move(data));
}

Value toValue(const AmData& data) {
    List alerts;
    alerts.reserve(data.alerts.size());
    for (const AmAlert& a : data.alerts)
        alerts.push_back(toValue(a));
    StructData s;
    s.typeName = "template.Data";
    s.fields.emplace_back("Receiver", Value(data.receiver));
    s.fields.emplace_back("Status", Value(data.status));
    s.fields.emplace_back("Alerts", Value::list(std::move(alerts), alertsMethods()));
    s.fields.emplace_back("GroupLabels", Value::fromLabels(data.groupLabels, kvMethods()));
    s.fields.emplace_back("CommonLabels", Value::fromLabels(data.commonLabels, kvMethods()));
    s.fields.emplace_back("CommonAnnotations",
                          Value::fromLabels(data.commonAnnotations, kvMethods()));
    s.fields.emplace_back("ExternalURL", Value(data.externalUrl));
    return Value::object(std::move(s));
}

std::string_view alertmanagerDefaultTemplate() {
    return kDefaultTmpl;
}
std::string_view alertmanagerEmailTemplate() {
    return kEmailTmpl;
}

Result<Template> loadAlertmanagerTemplates(
    const std::vector<std::pair<std::string, std::string>>& files, bool htmlEscape) {
    Options options;
    options.missingKey = MissingKey::kZero;
    options.htmlEscape = htmlEscape;
    Template tmpl("", options, alertmanagerFunctions());
    if (Status st = tmpl.parseNamed("default.tmpl", kDefaultTmpl); !st.isOk())
        return st;
    if (Status st = tmpl.parseNamed("email.tmpl", kEmailTmpl); !st.isOk())
        return st;
    for (const auto& [name, text] : files)
        if (Status st = tmpl.parseNamed(name, text); !st.isOk())
            return st;
    return tmpl;
}

Result<std::string> executeAlertmanagerString(const Template& templates, std::string_view text,
                                              const Value& data) {
    if (text.empty())
        return std::string();
    Template adhoc = templates.clone();
    if (Status st = adhoc.parseNamed("", text); !st.isOk())
        return st;
    return adhoc.executeTemplate("", data);
}

}  // namespace vigil::gotmpl
