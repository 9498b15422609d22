// Prometheus's template functions (prometheus/template/template.go).
#include "core/template/prometheus_functions.h"

#include <algorithm>
#include <cmath>

#include "core/template/function_helpers.h"
#include "core/template/go_time.h"
#include "core/util/human_units.h"

namespace vigil::gotmpl {
namespace {

using K = Value::Kind;

Value sampleValue(const QuerySample& s) {
    StructData data;
    data.typeName = "*template.sample";
    data.fields.emplace_back("Labels", Value::fromLabels(s.labels));
    data.fields.emplace_back("Value", Value(s.value));
    return Value::object(std::move(data));
}

Result<const StructData*> sampleArg(const Value& v) {
    if (v.kind() != K::kStruct || v.asStruct().typeName != "*template.sample")
        return wrongType("*template.sample", v);
    return &v.asStruct();
}

Result<const List*> queryResultArg(const Value& v) {
    if (v.kind() != K::kList)
        return wrongType("template.queryResult", v);
    return &v.asList();
}

std::string labelOf(const StructData& sample, const std::string& name) {
    const Value* labels = sample.field("Labels");
    if (!labels || labels->kind() != K::kMap)
        return {};
    auto label = labels->asMap().find(name);
    return label != labels->asMap().end() && label->second.kind() == K::kString
               ? label->second.asString()
               : std::string();
}

// net.SplitHostPort, enough for host:port, [v6]:port.
bool splitHostPort(std::string_view hostPort, std::string& host, std::string& port) {
    if (!hostPort.empty() && hostPort[0] == '[') {
        std::size_t end = hostPort.find(']');
        if (end == std::string_view::npos || end + 1 >= hostPort.size() || hostPort[end + 1] != ':')
            return false;
        host = std::string(hostPort.substr(1, end - 1));
        port = std::string(hostPort.substr(end + 2));
        return port.find(':') == std::string::npos;
    }
    std::size_t colon = hostPort.rfind(':');
    if (colon == std::string_view::npos)
        return false;
    host = std::string(hostPort.substr(0, colon));
    if (host.find(':') != std::string::npos)
        return false;  // "too many colons"
    port = std::string(hostPort.substr(colon + 1));
    return true;
}

// net.ParseIP: dotted IPv4 or any IPv6 text.
bool isIp(std::string_view host) {
    if (host.find(':') != std::string_view::npos)
        return host.find_first_not_of("0123456789abcdefABCDEF:.") == std::string_view::npos;
    int parts = 0;
    std::size_t i = 0;
    while (true) {
        std::size_t start = i;
        int value = 0;
        while (i < host.size() && host[i] >= '0' && host[i] <= '9' && i - start < 3)
            value = value * 10 + (host[i++] - '0');
        if (i == start || value > 255)
            return false;
        ++parts;
        if (i == host.size())
            return parts == 4;
        if (host[i] != '.')
            return false;
        ++i;
    }
}

std::string joinHostPort(const std::string& host, const std::string& port) {
    if (host.find(':') != std::string::npos)
        return "[" + host + "]:" + port;
    return host + ":" + port;
}

Result<Value> floatToTime(double v) {
    if (std::isnan(v) || std::isinf(v))
        return Status::error("value is NaN or Inf");
    double ns = v * 1e9;
    if (ns >= 9.2233720368547758e18 || ns < -9.2233720368547758e18)
        return Status::error(Value(v).toString() +
                             " cannot be represented as a nanoseconds timestamp since it "
                             "overflows int64");
    // model.TimeFromUnixNano(...).Time(): millisecond precision.
    std::int64_t ms = static_cast<std::int64_t>(ns) / 1000000;
    return Value(timeFromUnixMillis(ms));
}

std::string urlPath(std::string_view url) {
    std::size_t scheme = url.find("://");
    std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
    std::size_t slash = url.find('/', start);
    if (slash == std::string_view::npos)
        return {};
    std::size_t end = url.find_first_of("?#", slash);
    return std::string(
        url.substr(slash, end == std::string_view::npos ? std::string_view::npos : end - slash));
}

// The functions that do not depend on the evaluation context, built once.
const FuncMap& contextFreeFunctions() {
    static const FuncMap kFunctions = [] {
        FuncMap f;
        addSharedStringFunctions(f);
        f["first"] = {[](std::span<const Value> args) -> Result<Value> {
                          auto list = queryResultArg(args[0]);
                          if (!list.isOk())
                              return list.status();
                          if (list.value()->empty())
                              return Status::error("first() called on vector with no elements");
                          return list.value()->front();
                      },
                      1, 1};
        f["label"] = {[](std::span<const Value> args) -> Result<Value> {
                          auto name = stringArg(args, 0);
                          if (!name.isOk())
                              return name.status();
                          auto sample = sampleArg(args[1]);
                          if (!sample.isOk())
                              return sample.status();
                          return Value(labelOf(*sample.value(), name.value()));
                      },
                      2, 2};
        f["value"] = {[](std::span<const Value> args) -> Result<Value> {
                          auto sample = sampleArg(args[0]);
                          if (!sample.isOk())
                              return sample.status();
                          return *sample.value()->field("Value");
                      },
                      1, 1};
        f["strvalue"] = {[](std::span<const Value> args) -> Result<Value> {
                             auto sample = sampleArg(args[0]);
                             if (!sample.isOk())
                                 return sample.status();
                             return Value(labelOf(*sample.value(), "__value__"));
                         },
                         1, 1};
        f["args"] = {[](std::span<const Value> args) -> Result<Value> {
                         Map m;
                         for (std::size_t i = 0; i < args.size(); ++i)
                             m.emplace("arg" + std::to_string(i), args[i]);
                         return Value::map(std::move(m));
                     },
                     0, -1};
        f["title"] = stringFunction([](std::string_view s) { return goStringsTitle(s); });
        f["graphLink"] = stringFunction(
            [](std::string_view s) { return "/graph?g0.expr=" + urlQueryEscape(s) + "&g0.tab=0"; });
        f["tableLink"] = stringFunction(
            [](std::string_view s) { return "/graph?g0.expr=" + urlQueryEscape(s) + "&g0.tab=1"; });
        f["sortByLabel"] = {[](std::span<const Value> args) -> Result<Value> {
                                auto label = stringArg(args, 0);
                                if (!label.isOk())
                                    return label.status();
                                auto list = queryResultArg(args[1]);
                                if (!list.isOk())
                                    return list.status();
                                List sorted = *list.value();
                                for (const Value& v : sorted) {
                                    auto s = sampleArg(v);
                                    if (!s.isOk())
                                        return s.status();
                                }
                                std::stable_sort(sorted.begin(), sorted.end(),
                                                 [&](const Value& a, const Value& b) {
                                                     return labelOf(a.asStruct(), label.value()) <
                                                            labelOf(b.asStruct(), label.value());
                                                 });
                                return Value::list(std::move(sorted));
                            },
                            2, 2};
        f["stripPort"] = stringFunction([](std::string_view hostPort) {
            std::string host, port;
            if (!splitHostPort(hostPort, host, port))
                return std::string(hostPort);
            return host;
        });
        f["stripDomain"] = stringFunction([](std::string_view hostPort) {
            std::string host, port;
            if (!splitHostPort(hostPort, host, port)) {
                host = std::string(hostPort);
                port.clear();
            }
            if (isIp(host))
                return std::string(hostPort);
            host = host.substr(0, host.find('.'));
            if (!port.empty())
                return joinHostPort(host, port);
            return host;
        });
        f["humanize"] = {[](std::span<const Value> args) -> Result<Value> {
                             auto converted = convertToFloat(args[0]);
                             if (!converted.isOk())
                                 return converted.status();
                             double v = converted.value();
                             if (v == 0 || std::isnan(v) || std::isinf(v))
                                 return Value(format4g(v));
                             std::string prefix;
                             if (std::fabs(v) >= 1) {
                                 for (const char* p : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
                                     if (std::fabs(v) < 1000)
                                         break;
                                     prefix = p;
                                     v /= 1000;
                                 }
                                 return Value(format4g(v) + prefix);
                             }
                             for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
                                 if (std::fabs(v) >= 1)
                                     break;
                                 prefix = p;
                                 v *= 1000;
                             }
                             return Value(format4g(v) + prefix);
                         },
                         1, 1};
        f["humanize1024"] = {
            [](std::span<const Value> args) -> Result<Value> {
                auto converted = convertToFloat(args[0]);
                if (!converted.isOk())
                    return converted.status();
                double v = converted.value();
                if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v))
                    return Value(format4g(v));
                std::string prefix;
                for (const char* p : {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
                    if (std::fabs(v) < 1024)
                        break;
                    prefix = p;
                    v /= 1024;
                }
                return Value(format4g(v) + prefix);
            },
            1, 1};
        f["humanizeDuration"] = {
            [](std::span<const Value> args) { return humanizeDuration(args[0]); }, 1, 1};
        f["humanizePercentage"] = {[](std::span<const Value> args) -> Result<Value> {
                                       auto converted = convertToFloat(args[0]);
                                       if (!converted.isOk())
                                           return converted.status();
                                       return Value(format4g(converted.value() * 100) + "%");
                                   },
                                   1, 1};
        f["humanizeTimestamp"] = {[](std::span<const Value> args) -> Result<Value> {
                                      auto converted = convertToFloat(args[0]);
                                      if (!converted.isOk())
                                          return converted.status();
                                      double v = converted.value();
                                      if (std::isnan(v) || std::isinf(v))
                                          return Value(format4g(v));
                                      auto t = floatToTime(v);
                                      if (!t.isOk())
                                          return t.status();
                                      return Value(t.value().toString());
                                  },
                                  1, 1};
        f["toTime"] = {[](std::span<const Value> args) -> Result<Value> {
                           auto converted = convertToFloat(args[0]);
                           if (!converted.isOk())
                               return converted.status();
                           return floatToTime(converted.value());
                       },
                       1, 1};
        f["toDuration"] = {
            [](std::span<const Value> args) -> Result<Value> {
                auto converted = convertToFloat(args[0]);
                if (!converted.isOk())
                    return converted.status();
                double ns = converted.value() * 1e9;
                if (std::isnan(ns) || ns >= 9.2233720368547758e18 || ns < -9.2233720368547758e18)
                    return Status::error("value cannot be represented as a duration");
                return Value(DurationValue{static_cast<std::int64_t>(ns)});
            },
            1, 1};
        f["parseDuration"] = {[](std::span<const Value> args) -> Result<Value> {
                                  auto s = stringArg(args, 0);
                                  if (!s.isOk())
                                      return s.status();
                                  auto d = parseDuration(s.value());
                                  if (!d.isOk())
                                      return d.status();
                                  return Value(static_cast<double>(d.value().count()) / 1000.0);
                              },
                              1, 1};
        f["urlQueryEscape"] = stringFunction([](std::string_view s) { return urlQueryEscape(s); });
        return f;
    }();
    return kFunctions;
}

// query, pathPrefix, externalURL and now, bound to `context`.
FuncMap contextFunctions(PrometheusContext context) {
    auto ctx = std::make_shared<const PrometheusContext>(std::move(context));
    FuncMap f;
    f["query"] = {[ctx](std::span<const Value> args) -> Result<Value> {
                      auto q = stringArg(args, 0);
                      if (!q.isOk())
                          return q.status();
                      if (!ctx->query)
                          return Status::error("no query engine is available to this template");
                      auto samples = ctx->query(q.value(), ctx->evalTimeMs);
                      if (!samples.isOk())
                          return samples.status();
                      List out;
                      out.reserve(samples.value().size());
                      for (const QuerySample& s : samples.value())
                          out.push_back(sampleValue(s));
                      return Value::list(std::move(out));
                  },
                  1, 1};
    f["pathPrefix"] = {
        [ctx](std::span<const Value>) -> Result<Value> { return Value(urlPath(ctx->externalUrl)); },
        0, 0};
    f["externalURL"] = {
        [ctx](std::span<const Value>) -> Result<Value> { return Value(ctx->externalUrl); }, 0, 0};
    f["now"] = {[ctx](std::span<const Value>) -> Result<Value> {
                    return Value(static_cast<double>(ctx->evalTimeMs) / 1000.0);
                },
                0, 0};
    return f;
}

}  // namespace

FuncMap prometheusFunctions(PrometheusContext context) {
    FuncMap f = contextFreeFunctions();
    for (auto& [name, fn] : contextFunctions(std::move(context)))
        f[name] = std::move(fn);
    return f;
}

Value prometheusAlertData(const model::Labels& labels, const model::Labels& externalLabels,
                          std::string_view externalUrl, double value) {
    StructData data;
    data.typeName = "struct";
    data.fields.emplace_back("Labels", Value::fromLabels(labels));
    data.fields.emplace_back("ExternalLabels", Value::fromLabels(externalLabels));
    data.fields.emplace_back("ExternalURL", Value(std::string(externalUrl)));
    data.fields.emplace_back("Value", Value(value));
    return Value::object(std::move(data));
}

std::string_view prometheusAlertDefs() {
    return "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := "
           ".ExternalURL}}"
           "{{$value := .Value}}";
}

Status checkAlertTemplate(std::string_view ruleName, std::string_view text) {
    Options options;
    options.missingKey = MissingKey::kZero;
    Template tmpl("__alert_" + std::string(ruleName), options, prometheusFunctions({}));
    std::string full(prometheusAlertDefs());
    full += text;
    return tmpl.parse(full);
}

Result<std::string> expandAlertTemplate(std::string_view ruleName, std::string_view text,
                                        const Value& data, const PrometheusContext& context) {
    // Parsed with the context-free function map shared by all expansions
    // (parsing needs only the names); this context's functions are overlaid
    // for the execution.
    static const Template kBase = [] {
        Options options;
        options.missingKey = MissingKey::kZero;
        return Template("", options, prometheusFunctions({}));
    }();
    std::string name = "__alert_" + std::string(ruleName);
    Template tmpl = kBase.clone();
    std::string full(prometheusAlertDefs());
    full += text;
    if (Status st = tmpl.parseNamed(name, full); !st.isOk())
        return Status::error("error parsing template " + name + ": " + st.message());
    auto out = tmpl.executeTemplate(name, data, contextFunctions(context));
    if (!out.isOk())
        return Status::error("error executing template " + name + ": " + out.status().message());
    return out;
}

}  // namespace vigil::gotmpl
