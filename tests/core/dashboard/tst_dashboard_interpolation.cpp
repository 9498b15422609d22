#include <QtTest>

#include "core/dashboard/interpolation.h"

using namespace vigil::dashboard;

namespace {

InterpolationContext context() {
    InterpolationContext c;
    VariableValue job;
    job.values = {QStringLiteral("a.b"), QStringLiteral("c")};
    job.multi = true;
    c.variables[QStringLiteral("job")] = job;
    VariableValue one;
    one.values = {QStringLiteral("a.b")};
    one.multi = true;
    c.variables[QStringLiteral("one")] = one;
    VariableValue node;
    node.values = {QStringLiteral("host:9100")};
    c.variables[QStringLiteral("node")] = node;
    VariableValue quote;
    quote.values = {QStringLiteral("it's")};
    c.variables[QStringLiteral("quote")] = quote;
    VariableValue all;
    all.values = {QStringLiteral("x"), QStringLiteral("y")};
    all.multi = true;
    all.isAll = true;
    all.allValue = QStringLiteral(".*");
    c.variables[QStringLiteral("all")] = all;
    c.fromMs = 1'700'000'000'000;
    c.toMs = c.fromMs + 3'600'000;
    c.intervalMs = 30'000;
    c.rateIntervalMs = 60'000;
    c.dashboardTitle = QStringLiteral("Hosts");
    return c;
}

}  // namespace

// Expected strings are what Grafana's template service and its Prometheus
// data source produce (interpolateQueryExpr, formatters in MODEL.md §6).
class TestDashboardInterpolation : public QObject {
    Q_OBJECT
private slots:
    void promql_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("single") << "up{instance=\"$node\"}"
                                << "up{instance=\"host:9100\"}";
        QTest::newRow("braces-mid-word") << "x_${node}_y"
                                         << "x_host:9100_y";
        QTest::newRow("old-syntax") << "up{instance=\"[[node]]\"}"
                                    << "up{instance=\"host:9100\"}";
        QTest::newRow("multi-regex-escaped") << "up{job=~\"$job\"}"
                                             << "up{job=~\"(a\\\\.b|c)\"}";
        QTest::newRow("multi-one-value") << "up{job=~\"$one\"}"
                                         << "up{job=~\"a\\\\.b\"}";
        QTest::newRow("all-value") << "up{job=~\"$all\"}"
                                   << "up{job=~\".*\"}";
        QTest::newRow("quote-escaped") << "x{a=\"$quote\"}"
                                       << "x{a=\"it\\\\'s\"}";
        QTest::newRow("csv") << "${job:csv}"
                             << "a.b,c";
        QTest::newRow("pipe") << "${job:pipe}"
                              << "a.b|c";
        QTest::newRow("regex") << "${job:regex}"
                               << "(a\\.b|c)";
        QTest::newRow("glob") << "${job:glob}"
                              << "{a.b,c}";
        QTest::newRow("json") << "${job:json}"
                              << "[\"a.b\",\"c\"]";
        QTest::newRow("doublequote") << "${job:doublequote}"
                                     << "\"a.b\",\"c\"";
        QTest::newRow("singlequote") << "${job:singlequote}"
                                     << "'a.b','c'";
        QTest::newRow("sqlstring") << "${quote:sqlstring}"
                                   << "'it''s'";
        QTest::newRow("queryparam") << "${job:queryparam}"
                                    << "var-job=a.b&var-job=c";
        QTest::newRow("percentencode") << "${job:percentencode}"
                                       << "%7Ba.b%2Cc%7D";
        QTest::newRow("old-syntax-format") << "[[job:csv]]"
                                           << "a.b,c";
        QTest::newRow("interval") << "rate(x[$__interval])"
                                  << "rate(x[30s])";
        QTest::newRow("rate-interval") << "rate(x[$__rate_interval])"
                                       << "rate(x[1m])";
        QTest::newRow("range") << "increase(x[$__range])"
                               << "increase(x[3600s])";
        QTest::newRow("range-s-ms") << "$__range_s $__range_ms"
                                    << "3600 3600000";
        QTest::newRow("interval-ms") << "$__interval_ms"
                                     << "30000";
        QTest::newRow("from-to") << "$__from-$__to"
                                 << "1700000000000-1700003600000";
        QTest::newRow("from-seconds") << "${__from:date:seconds}"
                                      << "1700000000";
        QTest::newRow("from-iso") << "${__from:date:iso}"
                                  << "2023-11-14T22:13:20.000Z";
        QTest::newRow("dashboard") << "$__dashboard"
                                   << "Hosts";
        QTest::newRow("unknown-kept") << "up{x=\"$nope\"} ${nope2}"
                                      << "up{x=\"$nope\"} ${nope2}";
        QTest::newRow("word-boundary") << "$nodes"
                                       << "$nodes";
        QTest::newRow("no-variables") << "sum(rate(x[5m]))"
                                      << "sum(rate(x[5m]))";
    }
    void promql() {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(interpolate(input, context()), expected);
    }

    void textTargetJoinsWithCommas() {
        QCOMPARE(interpolate(QStringLiteral("Jobs: $job"), context(), InterpolationTarget::kText),
                 QStringLiteral("Jobs: a.b, c"));
    }

    void referencedNamesInOrder() {
        QCOMPARE(referencedVariables(
                     QStringLiteral("x{a=\"$job\", b=\"${node:csv}\", c=\"[[job]]\"} $__interval")),
                 (QStringList{QStringLiteral("job"), QStringLiteral("node")}));
    }

    void legend_data() {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("expected");
        QTest::newRow("labels") << "{{instance}} - {{ mode }}"
                                << "host:9100 - idle";
        QTest::newRow("missing-label-empty") << "{{device}}/{{mode}}"
                                             << "/idle";
        QTest::newRow("literal") << "CPU"
                                 << "CPU";
        QTest::newRow("empty-is-series-name")
            << ""
            << "node_cpu_seconds_total{instance=\"host:9100\", mode=\"idle\"}";
        QTest::newRow("auto") << "__auto"
                              << "node_cpu_seconds_total{instance=\"host:9100\", mode=\"idle\"}";
    }
    void legend() {
        QFETCH(QString, format);
        QFETCH(QString, expected);
        const vigil::model::Labels labels{
            {"__name__", "node_cpu_seconds_total"}, {"instance", "host:9100"}, {"mode", "idle"}};
        QCOMPARE(renderLegend(format, labels), expected);
    }
};

QTEST_GUILESS_MAIN(TestDashboardInterpolation)
#include "tst_dashboard_interpolation.moc"
