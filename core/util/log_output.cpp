#include "core/util/log_output.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <cstdio>

namespace vigil {
namespace {

const char* levelName(QtMsgType type) {
    switch (type) {
        case QtDebugMsg:
            return "debug";
        case QtInfoMsg:
            return "info";
        case QtWarningMsg:
            return "warn";
        case QtCriticalMsg:
            return "error";
        case QtFatalMsg:
            return "fatal";
    }
    return "info";
}

void writeLogLine(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    QString escaped = message;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('"'), QLatin1String("\\\""));
    escaped.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    const QByteArray line =
        QStringLiteral("ts=%1 level=%2 component=%3 msg=\"%4\"\n")
            .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs),
                 QLatin1String(levelName(type)),
                 QLatin1String(context.category ? context.category : "default"), escaped)
            .toUtf8();
    std::fwrite(line.constData(), 1, static_cast<std::size_t>(line.size()), stderr);
    std::fflush(stderr);
}

}  // namespace

void installLogOutput(const std::string& level) {
    qInstallMessageHandler(writeLogLine);
    QString rules;
    if (level == "debug") {
        rules = QStringLiteral("vigil.*.debug=true");
    } else if (level == "warning") {
        rules = QStringLiteral("vigil.*.debug=false\nvigil.*.info=false");
    } else if (level == "error") {
        rules = QStringLiteral("vigil.*.debug=false\nvigil.*.info=false\nvigil.*.warning=false");
    } else {
        rules = QStringLiteral("vigil.*.debug=false\nvigil.*.info=true");
    }
    QLoggingCategory::setFilterRules(rules);
}

}  // namespace vigil
