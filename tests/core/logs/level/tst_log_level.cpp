#include <QtTest>

#include "core/logs/level/log_level.h"

using namespace vigil;
using logs::LogLevel;

Q_DECLARE_METATYPE(vigil::logs::LogLevel)

class TestLogLevel : public QObject {
    Q_OBJECT
private slots:
    void fromLine_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<LogLevel>("level");
        QTest::newRow("empty") << "" << LogLevel::kUnknown;
        QTest::newRow("no keyword") << "GET /index.html 200" << LogLevel::kUnknown;
        QTest::newRow("emerg") << "kernel: EMERG disk on fire" << LogLevel::kCritical;
        QTest::newRow("fatal") << "FATAL: cannot start" << LogLevel::kCritical;
        QTest::newRow("alert") << "[alert] x" << LogLevel::kCritical;
        QTest::newRow("crit") << "crit: x" << LogLevel::kCritical;
        QTest::newRow("critical") << "Critical failure" << LogLevel::kCritical;
        QTest::newRow("err") << "[err] x" << LogLevel::kError;
        QTest::newRow("eror") << "EROR x" << LogLevel::kError;
        QTest::newRow("error") << "2024-01-01 ERROR something" << LogLevel::kError;
        QTest::newRow("warn") << "W warn: x" << LogLevel::kWarning;
        QTest::newRow("warning") << "Warning: deprecated" << LogLevel::kWarning;
        QTest::newRow("info") << "INFO started" << LogLevel::kInfo;
        QTest::newRow("inf") << "[INF] started" << LogLevel::kInfo;
        QTest::newRow("notice") << "notice: x" << LogLevel::kInfo;
        QTest::newRow("debug") << "DEBUG x" << LogLevel::kDebug;
        QTest::newRow("dbug") << "DBUG x" << LogLevel::kDebug;
        QTest::newRow("trace") << "TRACE x" << LogLevel::kTrace;
        // Whole words only, as Grafana's \b...\b.
        QTest::newRow("errors is not a keyword") << "no errors found" << LogLevel::kUnknown;
        QTest::newRow("information_schema")
            << "select from information_schema" << LogLevel::kUnknown;
        QTest::newRow("debugger") << "attach debugger" << LogLevel::kUnknown;
        // The earliest keyword wins.
        QTest::newRow("earliest") << "warn: retrying after error" << LogLevel::kWarning;
        QTest::newRow("earliest 2") << "an error, then a warning" << LogLevel::kError;
        // A level field beats keywords anywhere in the line.
        QTest::newRow("json") << "{\"msg\":\"debug dump\",\"level\":\"error\"}" << LogLevel::kError;
        QTest::newRow("json spaces")
            << "{\"msg\":\"x\", \"level\" : \"WARN\"}" << LogLevel::kWarning;
        QTest::newRow("json severity")
            << "{\"severity\":\"CRITICAL\",\"m\":\"info\"}" << LogLevel::kCritical;
        QTest::newRow("json syslog number")
            << "{\"m\":\"info x\",\"severity\":3}" << LogLevel::kError;
        QTest::newRow("logfmt") << "ts=1 msg=\"trace me\" level=info" << LogLevel::kInfo;
        QTest::newRow("logfmt quoted") << "msg=\"debug\" lvl=\"warn\"" << LogLevel::kWarning;
        QTest::newRow("logfmt at start") << "level=debug msg=\"error later\"" << LogLevel::kDebug;
        QTest::newRow("detected_level") << "detected_level=trace error" << LogLevel::kTrace;
        QTest::newRow("unknown field value falls back")
            << "level=chatty and an ERROR" << LogLevel::kError;
        QTest::newRow("key inside word is not a field")
            << "msg=\"error\" xlevel=debug" << LogLevel::kError;
    }
    void fromLine() {
        QFETCH(QString, line);
        QFETCH(LogLevel, level);
        const std::string text = line.toStdString();
        QCOMPARE(logs::logLevelName(logs::detectLogLevelInLine(text)), logs::logLevelName(level));
        QCOMPARE(logs::detectLogLevel(model::Labels{{"job", "x"}}, text), level);
    }

    void fromLabels_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::addColumn<LogLevel>("level");
        QTest::newRow("level") << "level"
                               << "error" << LogLevel::kError;
        QTest::newRow("severity") << "severity"
                                  << "Warning" << LogLevel::kWarning;
        QTest::newRow("lvl") << "lvl"
                             << "DBUG" << LogLevel::kDebug;
        QTest::newRow("loglevel") << "loglevel"
                                  << "notice" << LogLevel::kInfo;
        QTest::newRow("detected_level") << "detected_level"
                                        << "trace" << LogLevel::kTrace;
        QTest::newRow("syslog 2") << "severity"
                                  << "2" << LogLevel::kCritical;
        QTest::newRow("syslog 7") << "severity"
                                  << "7" << LogLevel::kDebug;
        QTest::newRow("unrecognised value: line decides") << "level"
                                                          << "loud" << LogLevel::kInfo;
        QTest::newRow("other label: line decides") << "app"
                                                   << "error" << LogLevel::kInfo;
    }
    void fromLabels() {
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(LogLevel, level);
        const model::Labels labels{{"job", "x"}, {name.toStdString(), value.toStdString()}};
        // The line says info; the label wins when it names a level.
        QCOMPARE(logs::detectLogLevel(labels, "INFO hello"), level);
        // Structured metadata works the same way.
        QCOMPARE(logs::detectLogLevel(model::Labels{{"job", "x"}}, labels, "INFO hello"), level);
    }

    void names() {
        QCOMPARE(logs::logLevelName(LogLevel::kCritical), std::string_view("critical"));
        QCOMPARE(logs::logLevelName(LogLevel::kWarning), std::string_view("warning"));
        QCOMPARE(logs::logLevelName(LogLevel::kUnknown), std::string_view("unknown"));
        QCOMPARE(logs::logLevelFromValue("WARNING"), LogLevel::kWarning);
        QCOMPARE(logs::logLevelFromValue("8"), LogLevel::kUnknown);
        QCOMPARE(logs::logLevelFromValue(""), LogLevel::kUnknown);
    }
};

QTEST_GUILESS_MAIN(TestLogLevel)
#include "tst_log_level.moc"
