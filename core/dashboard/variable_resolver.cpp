#include "core/dashboard/variable_resolver.h"

#include <QCollator>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

#include "core/dashboard/time_range.h"
#include "core/util/go_float.h"

namespace vigil::dashboard {
namespace {

Status variableError(const Variable& variable, const std::string& message) {
    return Status::error("variable '" + variable.name.toStdString() + "': " + message);
}

// "name(args)" -> args, when `query` is that call.
std::optional<QString> callArguments(const QString& query, const QString& name) {
    const QString trimmed = query.trimmed();
    if (!trimmed.startsWith(name + QLatin1Char('(')) || !trimmed.endsWith(QLatin1Char(')')))
        return std::nullopt;
    return trimmed.mid(name.size() + 1, trimmed.size() - name.size() - 2).trimmed();
}

// Splits label_values' "metric{sel="a,b"}, label" at the last top-level comma.
std::pair<QString, QString> splitLastArgument(const QString& args) {
    int depth = 0;
    bool quoted = false;
    qsizetype split = -1;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QChar c = args[i];
        if (c == QLatin1Char('"') && (i == 0 || args[i - 1] != QLatin1Char('\\')))
            quoted = !quoted;
        else if (!quoted && (c == QLatin1Char('{') || c == QLatin1Char('(')))
            ++depth;
        else if (!quoted && (c == QLatin1Char('}') || c == QLatin1Char(')')))
            --depth;
        else if (!quoted && depth == 0 && c == QLatin1Char(','))
            split = i;
    }
    if (split < 0)
        return {QString(), args.trimmed()};
    return {args.left(split).trimmed(), args.mid(split + 1).trimmed()};
}

std::vector<VariableOption> fromValues(const QStringList& values) {
    std::vector<VariableOption> options;
    options.reserve(static_cast<std::size_t>(values.size()));
    for (const QString& v : values)
        options.push_back({v, v});
    return options;
}

Result<std::vector<VariableOption>> queryOptions(const Variable& variable, const QString& query,
                                                 const VariableResolveContext& resolve) {
    if (!resolve.source)
        return std::vector<VariableOption>{};
    MetricsSource& source = *resolve.source;
    if (auto args = callArguments(query, QStringLiteral("label_names"))) {
        auto names = source.labelNames(*args, resolve.fromMs, resolve.toMs);
        if (!names.isOk())
            return variableError(variable, names.status().message());
        names->removeAll(QStringLiteral("__name__"));
        return fromValues(*names);
    }
    if (auto args = callArguments(query, QStringLiteral("label_values"))) {
        const auto [selector, label] = splitLastArgument(*args);
        if (label.isEmpty())
            return variableError(variable, "label_values() needs a label name");
        auto values = source.labelValues(label, selector, resolve.fromMs, resolve.toMs);
        if (!values.isOk())
            return variableError(variable, values.status().message());
        return fromValues(*values);
    }
    if (auto args = callArguments(query, QStringLiteral("metrics"))) {
        auto names =
            source.labelValues(QStringLiteral("__name__"), QString(), resolve.fromMs, resolve.toMs);
        if (!names.isOk())
            return variableError(variable, names.status().message());
        const QRegularExpression filter(*args);
        if (!filter.isValid())
            return variableError(variable,
                                 "metrics(): invalid regex: " + filter.errorString().toStdString());
        QStringList matching;
        for (const QString& name : *names)
            if (filter.match(name).hasMatch())
                matching << name;
        return fromValues(matching);
    }
    if (auto args = callArguments(query, QStringLiteral("query_result"))) {
        MetricsQuery instant;
        instant.expr = *args;
        instant.instant = true;
        instant.endMs = resolve.toMs;
        auto result = source.query(instant);
        if (!result.isOk())
            return variableError(variable, result.status().message());
        std::vector<VariableOption> options;
        for (const SeriesData& series : result->series) {
            // Grafana's text: name{a="b",c="d"} value timestamp_ms
            QString text = QString::fromStdString(std::string(series.labels.metricName()));
            QStringList pairs;
            for (const auto& label : series.labels)
                if (label.name != model::kMetricName)
                    pairs << QString::fromStdString(label.name) + QStringLiteral("=\"") +
                                 QString::fromStdString(label.value) + QLatin1Char('"');
            if (result->resultType == QLatin1String("vector"))
                text += QLatin1Char('{') + pairs.join(QLatin1Char(',')) + QLatin1Char('}');
            if (!series.values.empty()) {
                const QString value = QString::fromStdString(formatFloatF(series.values.front()));
                text = result->resultType == QLatin1String("vector")
                           ? text + QLatin1Char(' ') + value + QLatin1Char(' ') +
                                 QString::number(series.timestamps.front())
                           : value;
            }
            options.push_back({text, text});
        }
        return options;
    }
    // Anything else is a plain PromQL expression: Grafana treats it as
    // query_result.
    return queryOptions(variable, QStringLiteral("query_result(") + query + QLatin1Char(')'),
                        resolve);
}

std::vector<VariableOption> customOptions(const QString& query) {
    std::vector<VariableOption> options;
    // Commas separate options unless escaped; "text : value" pairs.
    static const QRegularExpression kSplit(QStringLiteral("(?<!\\\\),"));
    for (QString part : query.split(kSplit, Qt::SkipEmptyParts)) {
        part.replace(QStringLiteral("\\,"), QStringLiteral(","));
        const qsizetype colon = part.indexOf(QStringLiteral(" : "));
        if (colon >= 0)
            options.push_back({part.left(colon).trimmed(), part.mid(colon + 3).trimmed()});
        else
            options.push_back({part.trimmed(), part.trimmed()});
    }
    return options;
}

// Grafana's variable regex: filter, and take the first capture group (or
// the named groups `text` and `value`).
Result<std::vector<VariableOption>> applyRegex(const Variable& variable,
                                               std::vector<VariableOption> options) {
    QString pattern = variable.raw.value(QStringLiteral("regex")).toString();
    if (pattern.isEmpty())
        return options;
    QRegularExpression::PatternOptions flags;
    if (pattern.size() > 1 && pattern.startsWith(QLatin1Char('/'))) {
        const qsizetype end = pattern.lastIndexOf(QLatin1Char('/'));
        if (end > 0) {
            if (pattern.mid(end + 1).contains(QLatin1Char('i')))
                flags |= QRegularExpression::CaseInsensitiveOption;
            pattern = pattern.mid(1, end - 1);
        }
    }
    const QRegularExpression regex(pattern, flags);
    if (!regex.isValid())
        return variableError(variable, "regex: " + regex.errorString().toStdString());
    std::vector<VariableOption> out;
    for (const VariableOption& option : options) {
        const QRegularExpressionMatch match = regex.match(option.value);
        if (!match.hasMatch())
            continue;
        VariableOption kept = option;
        const QString text = match.captured(QStringLiteral("text"));
        const QString value = match.captured(QStringLiteral("value"));
        if (!text.isEmpty() || !value.isEmpty()) {
            kept.text = text.isEmpty() ? value : text;
            kept.value = value.isEmpty() ? text : value;
        } else if (match.lastCapturedIndex() >= 1) {
            kept.text = kept.value = match.captured(1);
        }
        out.push_back(kept);
    }
    return out;
}

void sortOptions(int sort, std::vector<VariableOption>& options) {
    if (sort <= 0)
        return;
    auto number = [](const QString& s) {
        static const QRegularExpression kDigits(QStringLiteral("\\d+"));
        const auto m = kDigits.match(s);
        return m.hasMatch() ? m.captured(0).toDouble() : -1.0;
    };
    switch (sort) {
        case 1:
        case 2:
            std::stable_sort(options.begin(), options.end(),
                             [](const auto& a, const auto& b) { return a.text < b.text; });
            break;
        case 3:
        case 4:
            std::stable_sort(options.begin(), options.end(), [&](const auto& a, const auto& b) {
                return number(a.text) < number(b.text);
            });
            break;
        default: {
            std::stable_sort(options.begin(), options.end(), [](const auto& a, const auto& b) {
                return a.text.compare(b.text, Qt::CaseInsensitive) < 0;
            });
            break;
        }
    }
    if (sort % 2 == 0)
        std::reverse(options.begin(), options.end());
}

void dedupe(std::vector<VariableOption>& options) {
    QSet<QString> seen;
    std::vector<VariableOption> out;
    for (auto& option : options)
        if (!seen.contains(option.value)) {
            seen.insert(option.value);
            out.push_back(std::move(option));
        }
    options = std::move(out);
}

}  // namespace

Result<std::vector<VariableOption>> resolveVariableOptions(const Variable& variable,
                                                           const VariableResolveContext& resolve,
                                                           const InterpolationContext& context) {
    const QString query = interpolate(variable.query, context, InterpolationTarget::kPromQL);
    std::vector<VariableOption> options;
    if (variable.type == QLatin1String("query")) {
        auto fetched = queryOptions(variable, query, resolve);
        if (!fetched.isOk())
            return fetched.status();
        options = std::move(*fetched);
    } else if (variable.type == QLatin1String("custom")) {
        options = customOptions(query);
    } else if (variable.type == QLatin1String("interval")) {
        options = customOptions(query);
        if (variable.raw.value(QStringLiteral("auto")).toBool()) {
            const int count = variable.raw.value(QStringLiteral("auto_count")).toInt(30);
            const auto minimum = parseGrafanaInterval(
                variable.raw.value(QStringLiteral("auto_min")).toString(QStringLiteral("10s")));
            const std::int64_t autoMs =
                calculateIntervalMs(resolve.toMs - resolve.fromMs, count, minimum.value_or(10000));
            options.insert(options.begin(),
                           {QStringLiteral("auto"), formatGrafanaInterval(autoMs)});
        }
    } else if (variable.type == QLatin1String("constant") ||
               variable.type == QLatin1String("textbox")) {
        options.push_back({query, query});
    } else if (variable.type == QLatin1String("datasource")) {
        options.push_back({resolve.dataSourceName, resolve.dataSourceName});
    } else {
        return variableError(
            variable, "variable type '" + variable.type.toStdString() + "' is not supported");
    }
    auto filtered = applyRegex(variable, std::move(options));
    if (!filtered.isOk())
        return filtered.status();
    options = std::move(*filtered);
    dedupe(options);
    sortOptions(variable.raw.value(QStringLiteral("sort")).toInt(), options);
    return options;
}

VariableValue selectVariableValue(const Variable& variable,
                                  const std::vector<VariableOption>& options) {
    VariableValue value;
    value.multi = variable.multi || variable.includeAll;
    value.allValue = variable.allValue;
    auto all = [&] {
        value.isAll = true;
        for (const auto& option : options) {
            value.values << option.value;
            value.texts << option.text;
        }
    };
    const bool allSelected = variable.current.contains(QStringLiteral("$__all")) ||
                             variable.current.contains(QStringLiteral("All"));
    if (variable.includeAll && allSelected) {
        all();
        return value;
    }
    for (const QString& current : variable.current)
        for (const auto& option : options)
            if (option.value == current || option.text == current) {
                value.values << option.value;
                value.texts << option.text;
                break;
            }
    if (!value.values.isEmpty())
        return value;
    if (variable.type == QLatin1String("textbox") || variable.type == QLatin1String("constant")) {
        value.values << (variable.current.isEmpty() ? variable.query : variable.current.front());
        return value;
    }
    if (options.empty()) {
        if (variable.includeAll)
            all();
        return value;
    }
    value.values << options.front().value;
    value.texts << options.front().text;
    return value;
}

InterpolationContext resolveDashboardVariables(const Dashboard& dashboard,
                                               const VariableResolveContext& resolve,
                                               std::vector<ResolvedVariable>* resolved) {
    InterpolationContext context;
    context.fromMs = resolve.fromMs;
    context.toMs = resolve.toMs;
    context.intervalMs = resolve.intervalMs;
    context.dashboardTitle = dashboard.title;
    // Dependency order: a variable waits for the variables its query names.
    std::vector<const Variable*> pending;
    for (const Variable& variable : dashboard.variables)
        pending.push_back(&variable);
    QSet<QString> names;
    for (const Variable& variable : dashboard.variables)
        names.insert(variable.name);
    while (!pending.empty()) {
        auto ready = std::find_if(pending.begin(), pending.end(), [&](const Variable* v) {
            for (const QString& ref : referencedVariables(v->query))
                if (names.contains(ref) && ref != v->name && !context.variables.count(ref))
                    return false;
            return true;
        });
        if (ready == pending.end())
            ready = pending.begin();  // a cycle: resolve in document order
        const Variable& variable = **ready;
        pending.erase(ready);
        ResolvedVariable entry;
        entry.name = variable.name;
        auto options = resolveVariableOptions(variable, resolve, context);
        if (options.isOk())
            entry.options = std::move(*options);
        else
            entry.error = QString::fromStdString(options.status().message());
        entry.value = selectVariableValue(variable, entry.options);
        context.variables[variable.name] = entry.value;
        if (resolved)
            resolved->push_back(std::move(entry));
    }
    return context;
}

}  // namespace vigil::dashboard
