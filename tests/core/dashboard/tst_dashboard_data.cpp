#include <QtTest>

#include <cmath>

#include "core/dashboard/http_metrics_source.h"
#include "core/dashboard/local_metrics_source.h"
#include "core/dashboard/panel_queries.h"
#include "core/dashboard/variable_resolver.h"
#include "core/model/in_memory_storage.h"
#include "core/promql/engine.h"
#include "core/promql/parser.h"
#include "tests/support/prometheus_process.h"

using namespace vigil::dashboard;
using vigil::Result;
using vigil::Status;
using vigil::model::Labels;
using vigil::test::PrometheusProcess;

namespace {

constexpr std::int64_t kEnd = 1'700'000'000'000;

void fill(vigil::model::InMemoryStorage& storage) {
    for (std::int64_t t = kEnd - 3'600'000; t <= kEnd; t += 15'000) {
        const double n = static_cast<double>(t - (kEnd - 3'600'000)) / 15'000;
        storage.put(Labels{{"__name__", "up"}, {"job", "node"}, {"instance", "a:9100"}}, t, 1);
        storage.put(Labels{{"__name__", "up"}, {"job", "node"}, {"instance", "b:9100"}}, t, 1);
        storage.put(Labels{{"__name__", "up"}, {"job", "api"}, {"instance", "c:8080"}}, t, 0);
        storage.put(
            Labels{{"__name__", "http_requests_total"}, {"job", "api"}, {"instance", "c:8080"}}, t,
            n * 10);
        storage.put(Labels{{"__name__", "node_load1"}, {"job", "node"}, {"instance", "a:9100"}}, t,
                    0.5);
    }
}

Variable variable(const char* name, const char* type, const char* query, QJsonObject extra = {}) {
    Variable v;
    v.name = QString::fromLatin1(name);
    v.type = QString::fromLatin1(type);
    v.query = QString::fromLatin1(query);
    extra.insert(QStringLiteral("name"), v.name);
    v.raw = extra;
    return v;
}

QStringList values(const std::vector<VariableOption>& options) {
    QStringList out;
    for (const auto& o : options)
        out << o.value;
    return out;
}

}  // namespace

class TestDashboardData : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { fill(m_storage); }

    void localSourceAnswersQueriesAndLabels() {
        LocalMetricsSource source(m_engine, m_storage);
        MetricsQuery range;
        range.expr = QStringLiteral("sum by (job) (rate(http_requests_total[5m]))");
        range.startMs = kEnd - 600'000;
        range.endMs = kEnd;
        range.stepMs = 60'000;
        auto result = source.query(range);
        QVERIFY2(result.isOk(), result.status().message().c_str());
        QCOMPARE(result->resultType, QStringLiteral("matrix"));
        QCOMPARE(result->series.size(), std::size_t(1));
        QCOMPARE(result->series[0].timestamps.size(), std::size_t(11));
        QCOMPARE(result->series[0].values.back(), 10.0 / 15.0);

        MetricsQuery instant;
        instant.expr = QStringLiteral("up == 0");
        instant.instant = true;
        instant.endMs = kEnd;
        auto down = source.query(instant);
        QVERIFY(down.isOk());
        QCOMPARE(down->resultType, QStringLiteral("vector"));
        QCOMPARE(down->series.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(std::string(down->series[0].labels.get("instance"))),
                 QStringLiteral("c:8080"));

        auto names = source.labelNames(QStringLiteral("node_load1"), kEnd - 3'600'000, kEnd);
        QVERIFY(names.isOk());
        QCOMPARE(*names, (QStringList{"__name__", "instance", "job"}));
        auto jobs = source.labelValues(QStringLiteral("job"), QString(), kEnd - 3'600'000, kEnd);
        QCOMPARE(*jobs, (QStringList{"api", "node"}));
        auto bad = source.labelValues(QStringLiteral("job"), QStringLiteral("up{"), 0, kEnd);
        QVERIFY(!bad.isOk());
        QVERIFY2(bad.status().message().find("selector 'up{'") != std::string::npos,
                 bad.status().message().c_str());
        MetricsQuery broken;
        broken.expr = QStringLiteral("rate(up)");
        broken.instant = true;
        broken.endMs = kEnd;
        QVERIFY(!source.query(broken).isOk());
    }

    void variablesResolveInDependencyOrder() {
        LocalMetricsSource source(m_engine, m_storage);
        Dashboard dashboard;
        dashboard.title = QStringLiteral("Test");
        // Declared before the variable it depends on: order follows references.
        Variable instance =
            variable("instance", "query", "label_values(up{job=\"$job\"}, instance)");
        instance.multi = true;
        instance.includeAll = true;
        instance.current = {QStringLiteral("$__all")};
        dashboard.variables.push_back(instance);
        Variable job = variable("job", "query", "label_values(up, job)");
        job.current = {QStringLiteral("node")};
        dashboard.variables.push_back(job);
        dashboard.variables.push_back(
            variable("env", "custom", "Production : prod,Staging : stage"));
        dashboard.variables.push_back(variable("k", "constant", "fixed"));
        dashboard.variables.push_back(
            variable("iv", "interval", "1m,10m", {{"auto", true}, {"auto_count", 30}}));
        dashboard.variables.push_back(variable("port", "query", "label_values(instance)",
                                               {{"regex", "/.*:(\\d+)/"}, {"sort", 4}}));
        dashboard.variables.push_back(variable("metric", "query", "metrics(^node_)"));
        dashboard.variables.push_back(
            variable("qr", "query", "query_result(up{instance=\"c:8080\"})"));
        dashboard.variables.push_back(variable("names", "query", "label_names()"));
        dashboard.variables.push_back(variable("broken", "query", "label_values(up{job=}, job)"));

        VariableResolveContext resolve;
        resolve.source = &source;
        resolve.fromMs = kEnd - 3'600'000;
        resolve.toMs = kEnd;
        std::vector<ResolvedVariable> resolved;
        const InterpolationContext context =
            resolveDashboardVariables(dashboard, resolve, &resolved);
        auto find = [&](const char* name) {
            for (const auto& r : resolved)
                if (r.name == QLatin1String(name))
                    return r;
            return ResolvedVariable{};
        };
        QCOMPARE(resolved[0].name, QStringLiteral("job"));  // resolved before instance
        QCOMPARE(values(find("job").options), (QStringList{"api", "node"}));
        QCOMPARE(find("job").value.values, QStringList{"node"});
        QCOMPARE(values(find("instance").options), (QStringList{"a:9100", "b:9100"}));
        QVERIFY(find("instance").value.isAll);
        QCOMPARE(interpolate(QStringLiteral("up{instance=~\"$instance\"}"), context),
                 QStringLiteral("up{instance=~\"(a:9100|b:9100)\"}"));
        QCOMPARE(find("env").options[0], (VariableOption{"Production", "prod"}));
        QCOMPARE(find("env").value.values, QStringList{"prod"});
        QCOMPARE(find("k").value.values, QStringList{"fixed"});
        QCOMPARE(values(find("iv").options),
                 (QStringList{"2m", "1m", "10m"}));  // auto: 1h/30 -> 2m
        QCOMPARE(values(find("port").options),
                 (QStringList{"9100", "8080"}));  // captured, numeric desc
        QCOMPARE(values(find("metric").options), QStringList{"node_load1"});
        QCOMPARE(values(find("qr").options),
                 QStringList{"up{instance=\"c:8080\",job=\"api\"} 0 1700000000000"});
        QCOMPARE(values(find("names").options), (QStringList{"instance", "job"}));
        QVERIFY(find("broken").error.startsWith(QStringLiteral("variable 'broken': ")));
    }

    void panelQueriesFollowGrafanasIntervals() {
        Panel panel;
        panel.id = 7;
        Target a;
        a.refId = QStringLiteral("A");
        a.expr = QStringLiteral("rate(x{job=\"$job\"}[$__rate_interval]) # $__interval");
        panel.targets.push_back(a);
        Target b = a;
        b.refId = QStringLiteral("B");
        b.interval = QStringLiteral("30s");
        panel.targets.push_back(b);
        Target hidden = a;
        hidden.refId = QStringLiteral("C");
        hidden.hidden = true;
        panel.targets.push_back(hidden);
        InterpolationContext variables;
        VariableValue job;
        job.values = {QStringLiteral("node")};
        variables.variables[QStringLiteral("job")] = job;
        const ResolvedRange range{kEnd - 3'600'000 + 1234, kEnd + 1234};
        const auto planned =
            planPanelQueries(panel, range, variables, PanelQueryOptions{1000, 15000});
        QCOMPARE(planned.size(), std::size_t(2));
        // 1h over 1000 px: 3.6s rounds to 5s; rate interval max(5s+15s, 60s).
        QCOMPARE(planned[0].query.expr, QStringLiteral("rate(x{job=\"node\"}[1m]) # 5s"));
        QCOMPARE(planned[0].query.stepMs, std::int64_t(5000));
        QCOMPARE(planned[0].query.startMs % 5000, std::int64_t(0));
        QCOMPARE(planned[0].query.endMs, kEnd);
        // A 30s min interval: $__interval 30s, rate interval max(60s, 4*30s).
        QCOMPARE(planned[1].query.expr, QStringLiteral("rate(x{job=\"node\"}[2m]) # 30s"));
        QCOMPARE(planned[1].query.stepMs, std::int64_t(30000));
        QCOMPARE(planned[0].query.slot, QStringLiteral("panel-7-A"));

        panel.raw.insert(QStringLiteral("timeShift"), QStringLiteral("1h"));
        const auto shifted =
            planPanelQueries(panel, range, variables, PanelQueryOptions{1000, 15000});
        QCOMPARE(shifted[0].query.endMs, kEnd - 3'600'000);
    }

    void metricsCarryTheirTypeAndHelp() {
        const auto joined =
            joinMetricMetadata({"http_request_duration_seconds_bucket", "http_requests_total",
                                "node_load1", "mystery"},
                               {{"http_request_duration_seconds", "histogram", "Latency."},
                                {"http_requests_total", "counter", "Requests."},
                                {"node_load1", "gauge", "1m load average."}});
        QCOMPARE(joined.size(), std::size_t(4));
        QCOMPARE(joined[0].type, QStringLiteral("histogram"));
        QCOMPARE(joined[0].help, QStringLiteral("Latency."));
        QCOMPARE(joined[1].type, QStringLiteral("counter"));
        QCOMPARE(joined[2].type, QStringLiteral("gauge"));
        QCOMPARE(joined[3].type, QString());
        LocalMetricsSource source(m_engine, m_storage);
        source.setMetadataProvider([] {
            return std::vector<MetricInfo>{{"node_load1", "gauge", "load"}};
        });
        auto metrics = source.metrics(kEnd - 3'600'000, kEnd);
        QVERIFY(metrics.isOk());
        QCOMPARE(metrics->size(), std::size_t(3));  // http_requests_total, node_load1, up
        QCOMPARE((*metrics)[0].type, QStringLiteral("counter"));  // inferred from _total
        QCOMPARE((*metrics)[1].help, QStringLiteral("load"));
    }

    void alertListPanelsQueryTheAlertsSeries() {
        Panel panel;
        panel.id = 9;
        panel.type = QStringLiteral("alertlist");
        panel.raw = QJsonObject{
            {"options",
             QJsonObject{{"stateFilter", QJsonObject{{"firing", true}, {"pending", false}}},
                         {"alertName", "disk.full"}}}};
        const auto planned = planPanelQueries(panel, {kEnd - 3'600'000, kEnd}, {});
        QCOMPARE(planned.size(), std::size_t(2));
        QVERIFY(planned[0].query.instant);
        QCOMPARE(planned[0].query.endMs, kEnd);
        QCOMPARE(
            planned[0].query.expr,
            QStringLiteral("ALERTS{alertstate=~\"firing\",alertname=~\"(?i).*disk\\\\.full.*\"}"));
        QCOMPARE(planned[1].query.expr, QStringLiteral("ALERTS_FOR_STATE"));
        auto parsed = vigil::promql::parse(planned[0].query.expr.toStdString());
        QVERIFY2(parsed.isOk(), parsed.status().message().c_str());
    }

    void minMaxKeepsSpikesWithinThePixelBudget() {
        std::vector<std::int64_t> t;
        std::vector<double> v;
        for (int i = 0; i < 100'000; ++i) {
            t.push_back(i * 10);
            v.push_back(std::sin(i / 100.0));
        }
        v[54'321] = 42;   // a spike
        v[77'777] = -42;  // a dip
        v[90'000] = std::nan("");
        const auto points = minMaxPerColumn(t, v, 0, 1'000'000, 500);
        QVERIFY(points.size() <= 1000 + 1);
        QVERIFY(points.size() >= 500);
        bool spike = false, dip = false, gap = false;
        for (std::size_t i = 0; i < points.size(); ++i) {
            spike = spike || points[i].v == 42;
            dip = dip || points[i].v == -42;
            gap = gap || std::isnan(points[i].v);
            if (i > 0)
                QVERIFY(points[i].t > points[i - 1].t);
        }
        QVERIFY(spike && dip && gap);
        // Few points pass through untouched.
        QCOMPARE(minMaxPerColumn({1, 2, 3}, {1, 2, 3}, 0, 10, 500).size(), std::size_t(3));
    }

    void httpSourceTalksToTheRealPrometheus() {
        if (PrometheusProcess::binary().isEmpty())
            QSKIP("the Debian package prometheus is not installed (make deps)");
        PrometheusProcess prometheus;
        const QString error = prometheus.start(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    "
            "static_configs:\n"
            "      - targets: ['$PROMETHEUS_ADDRESS']\n");
        QVERIFY2(error.isEmpty(), qPrintable(error));
        HttpMetricsSource source(QStringLiteral("http://") + prometheus.address() +
                                 QStringLiteral("/"));
        const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
        Result<MetricsResult> up = Status::error("not run");
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     MetricsQuery q;
                                     q.expr = QStringLiteral("up");
                                     q.instant = true;
                                     q.endMs = QDateTime::currentMSecsSinceEpoch();
                                     up = source.query(q);
                                     return up.isOk() && !up->series.empty();
                                 }()),
                                 20000);
        QCOMPARE(QString::fromStdString(std::string(up->series[0].labels.get("job"))),
                 QStringLiteral("self"));
        QCOMPARE(up->series[0].values[0], 1.0);
        // A range query sees the samples of the scrapes so far (one a second).
        Result<MetricsResult> matrix = Status::error("not run");
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     MetricsQuery range;
                                     range.expr = QStringLiteral("up");
                                     range.startMs = now - 60'000;
                                     range.endMs = QDateTime::currentMSecsSinceEpoch();
                                     range.stepMs = 1000;
                                     matrix = source.query(range);
                                     return matrix.isOk() && !matrix->series.empty() &&
                                            matrix->series[0].values.size() >= 2;
                                 }()),
                                 20000);
        QCOMPARE(matrix->resultType, QStringLiteral("matrix"));
        QCOMPARE(matrix->series[0].values.back(), 1.0);
        auto jobs = source.labelValues(QStringLiteral("job"), QStringLiteral("up"), now - 3'600'000,
                                       QDateTime::currentMSecsSinceEpoch());
        QVERIFY2(jobs.isOk(), jobs.status().message().c_str());
        QCOMPARE(*jobs, QStringList{"self"});
        auto names = source.labelNames(QStringLiteral("up"), now - 3'600'000,
                                       QDateTime::currentMSecsSinceEpoch());
        QVERIFY(names.isOk() && names->contains(QStringLiteral("instance")));
        MetricsQuery bad;
        bad.expr = QStringLiteral("rate(up");
        bad.instant = true;
        bad.endMs = now;
        auto failed = source.query(bad);
        QVERIFY(!failed.isOk());
        QVERIFY2(failed.status().message().find("bad_data") != std::string::npos,
                 failed.status().message().c_str());
        prometheus.stop();
        auto unreachable = source.labelNames(QString(), 0, now);
        QVERIFY(!unreachable.isOk());
    }

private:
    vigil::model::InMemoryStorage m_storage;
    vigil::promql::Engine m_engine{vigil::promql::EngineOptions{}};
};

QTEST_GUILESS_MAIN(TestDashboardData)
#include "tst_dashboard_data.moc"
