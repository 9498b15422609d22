#include "core/dashboard/interpolation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>

#include "core/dashboard/time_range.h"

namespace vigil::dashboard {
namespace {

// Grafana's variableRegex.
const QRegularExpression& variablePattern() {
    static const QRegularExpression kPattern(QStringLiteral(
        R"(\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\})"));
    return kPattern;
}

// Prefixes every character of `value` found in `specials` with `escape`.
QString escapeChars(const QString& value, QStringView specials, QStringView escape) {
    QString out;
    out.reserve(value.size() + 8);
    for (const QChar c : value) {
        if (specials.contains(c))
            out += escape;
        out += c;
    }
    return out;
}

// Go-regex escaping for the `regex` format (Grafana's kbn.regexEscape).
QString regexEscape(const QString& value) {
    return escapeChars(value, u"\\^$*+?.()|[]{}/", u"\\");
}

// Grafana's prometheusRegularEscape: the value goes into a PromQL string.
QString prometheusRegularEscape(const QString& value) {
    QString out = value;
    out.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    out.replace(QLatin1Char('\''), QStringLiteral("\\\\'"));
    return out;
}

// Grafana's prometheusSpecialRegexEscape: a regex inside a PromQL string, so
// each regex escape is itself escaped.
QString prometheusRegexEscape(const QString& value) {
    QString out = value;
    out.replace(QLatin1Char('\\'), QStringLiteral("\\\\\\\\"));
    return escapeChars(out, u"$^*{}[]'+?.()|", u"\\\\");
}

QString percentEncode(const QString& value) {
    return QString::fromLatin1(QUrl::toPercentEncoding(value, "-_.!~*'()"));
}

QString joinQuoted(const QStringList& values, QChar quote, const QString& escapedQuote) {
    QStringList quoted;
    for (QString v : values)
        quoted << quote + v.replace(quote, escapedQuote) + quote;
    return quoted.join(QLatin1Char(','));
}

QString valueForTarget(const VariableValue& value, InterpolationTarget target) {
    if (value.isAll && !value.allValue.isEmpty())
        return value.allValue;
    if (target == InterpolationTarget::kText)
        return (value.texts.isEmpty() ? value.values : value.texts).join(QStringLiteral(", "));
    if (!value.multi)
        return target == InterpolationTarget::kPromQL
                   ? prometheusRegularEscape(value.values.value(0))
                   : value.values.value(0);
    QStringList escaped;
    for (const QString& v : value.values)
        escaped << prometheusRegexEscape(v);
    if (escaped.size() == 1)
        return escaped.front();
    return QLatin1Char('(') + escaped.join(QLatin1Char('|')) + QLatin1Char(')');
}

std::optional<QString> builtIn(const QString& name, const QString& format,
                               const InterpolationContext& context) {
    const std::int64_t rangeMs = context.toMs - context.fromMs;
    if (name == QLatin1String("__interval"))
        return formatGrafanaInterval(context.intervalMs);
    if (name == QLatin1String("__interval_ms"))
        return QString::number(context.intervalMs);
    if (name == QLatin1String("__rate_interval"))
        return formatGrafanaInterval(context.rateIntervalMs);
    if (name == QLatin1String("__rate_interval_ms"))
        return QString::number(context.rateIntervalMs);
    if (name == QLatin1String("__range"))
        return QString::number(rangeMs / 1000) + QLatin1Char('s');
    if (name == QLatin1String("__range_s"))
        return QString::number(rangeMs / 1000);
    if (name == QLatin1String("__range_ms"))
        return QString::number(rangeMs);
    if (name == QLatin1String("__from") || name == QLatin1String("__to")) {
        const std::int64_t ms = name == QLatin1String("__from") ? context.fromMs : context.toMs;
        if (format.startsWith(QLatin1String("date")))
            return formatDateVariable(ms, format.mid(5));
        return QString::number(ms);
    }
    if (name == QLatin1String("__dashboard"))
        return context.dashboardTitle;
    if (name == QLatin1String("__auto"))
        return formatGrafanaInterval(context.intervalMs);
    return std::nullopt;
}

}  // namespace

QString formatVariable(const QString& name, const VariableValue& value, const QString& format) {
    const QStringList& values =
        value.isAll && !value.allValue.isEmpty() ? QStringList{value.allValue} : value.values;
    const bool many = values.size() > 1;
    if (format == QLatin1String("csv") || format == QLatin1String("raw"))
        return values.join(QLatin1Char(','));
    if (format == QLatin1String("pipe"))
        return values.join(QLatin1Char('|'));
    if (format == QLatin1String("distributed")) {
        QStringList parts;
        for (int i = 0; i < values.size(); ++i)
            parts << (i == 0 ? values[i] : name + QLatin1Char('=') + values[i]);
        return parts.join(QLatin1Char(','));
    }
    if (format == QLatin1String("regex")) {
        if (value.isAll && !value.allValue.isEmpty())
            return value.allValue;
        QStringList escaped;
        for (const QString& v : values)
            escaped << regexEscape(v);
        return many ? QLatin1Char('(') + escaped.join(QLatin1Char('|')) + QLatin1Char(')')
                    : escaped.value(0);
    }
    if (format == QLatin1String("json")) {
        if (!many)
            return QString::fromUtf8(
                       QJsonDocument(QJsonArray{values.value(0)}).toJson(QJsonDocument::Compact))
                .mid(1)
                .chopped(1);
        return QString::fromUtf8(
            QJsonDocument(QJsonArray::fromStringList(values)).toJson(QJsonDocument::Compact));
    }
    if (format == QLatin1String("lucene")) {
        QStringList escaped;
        for (const QString& v : values)
            escaped << QLatin1Char('"') + escapeChars(v, u"+-&|!(){}[]^\"~*?:\\/ ", u"\\") +
                           QLatin1Char('"');
        return many ? QLatin1Char('(') + escaped.join(QStringLiteral(" OR ")) + QLatin1Char(')')
                    : escaped.value(0).mid(1).chopped(1);
    }
    if (format == QLatin1String("doublequote"))
        return joinQuoted(values, QLatin1Char('"'), QStringLiteral("\\\""));
    if (format == QLatin1String("singlequote"))
        return joinQuoted(values, QLatin1Char('\''), QStringLiteral("\\'"));
    if (format == QLatin1String("sqlstring"))
        return joinQuoted(values, QLatin1Char('\''), QStringLiteral("''"));
    if (format == QLatin1String("percentencode")) {
        if (many)
            return percentEncode(QLatin1Char('{') + values.join(QLatin1Char(',')) +
                                 QLatin1Char('}'));
        return percentEncode(values.value(0));
    }
    if (format == QLatin1String("text"))
        return (value.texts.isEmpty() ? values : value.texts).join(QStringLiteral(" + "));
    if (format == QLatin1String("queryparam")) {
        QStringList parts;
        for (const QString& v : values)
            parts << QStringLiteral("var-") + name + QLatin1Char('=') + percentEncode(v);
        return parts.join(QLatin1Char('&'));
    }
    // glob (also the fallback)
    return many ? QLatin1Char('{') + values.join(QLatin1Char(',')) + QLatin1Char('}')
                : values.value(0);
}

QString interpolate(const QString& text, const InterpolationContext& context,
                    InterpolationTarget target) {
    if (!text.contains(QLatin1Char('$')) && !text.contains(QLatin1String("[[")))
        return text;
    QString out;
    out.reserve(text.size());
    qsizetype last = 0;
    auto it = variablePattern().globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        out += QStringView(text).mid(last, match.capturedStart() - last);
        last = match.capturedEnd();
        QString name = match.captured(1);
        if (name.isEmpty())
            name = match.captured(2);
        if (name.isEmpty())
            name = match.captured(4);
        QString format = match.captured(3);
        if (format.isEmpty())
            format = match.captured(6);
        if (auto value = builtIn(name, format, context)) {
            out += *value;
            continue;
        }
        const auto found = context.variables.find(name);
        if (found == context.variables.end()) {
            out += match.captured(0);
            continue;
        }
        out += format.isEmpty() ? valueForTarget(found->second, target)
                                : formatVariable(name, found->second, format);
    }
    out += QStringView(text).mid(last);
    return out;
}

QStringList referencedVariables(const QString& text) {
    QStringList names;
    auto it = variablePattern().globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        for (int group : {1, 2, 4}) {
            const QString name = match.captured(group);
            if (!name.isEmpty() && !name.startsWith(QLatin1String("__")) && !names.contains(name))
                names << name;
        }
    }
    return names;
}

QString renderLegend(const QString& legendFormat, const model::Labels& labels) {
    if (legendFormat.isEmpty() || legendFormat == QLatin1String("__auto"))
        return QString::fromStdString(labels.toString());
    static const QRegularExpression kLabel(QStringLiteral(R"(\{\{\s*(.+?)\s*\}\})"));
    QString out;
    qsizetype last = 0;
    auto it = kLabel.globalMatch(legendFormat);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        out += QStringView(legendFormat).mid(last, match.capturedStart() - last);
        out += QString::fromStdString(std::string(labels.get(match.captured(1).toStdString())));
        last = match.capturedEnd();
    }
    out += QStringView(legendFormat).mid(last);
    return out;
}

}  // namespace vigil::dashboard
