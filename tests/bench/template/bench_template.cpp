// Measures the Go template engine on the work Vigil does per alert and per
// notification: one alerting-rule annotation (parse + execute, as Prometheus
// does on every evaluation), Alertmanager's Slack title and e-mail body from
// the loaded default templates, and loading those templates.
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "core/template/alertmanager_functions.h"
#include "core/template/prometheus_functions.h"

using namespace vigil;
using namespace vigil::gotmpl;

namespace {

double nsPerOp(int iterations, const std::function<void()>& op) {
    op();  // warm up
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i)
        op();
    auto elapsed = std::chrono::steady_clock::now() - start;
    return std::chrono::duration<double, std::nano>(elapsed).count() / iterations;
}

AmData sampleData(int alerts) {
    AmData d;
    d.receiver = "team-ops";
    d.status = "firing";
    d.externalUrl = "http://am.example:9093";
    d.groupLabels =
        model::LabelsBuilder().set("alertname", "DiskFull").set("cluster", "prod-eu").labels();
    d.commonLabels = model::LabelsBuilder()
                         .set("alertname", "DiskFull")
                         .set("cluster", "prod-eu")
                         .set("job", "node")
                         .set("severity", "warning")
                         .labels();
    d.commonAnnotations =
        model::LabelsBuilder().set("runbook_url", "https://runbooks.example/disk").labels();
    for (int i = 0; i < alerts; ++i) {
        AmAlert a;
        a.status = "firing";
        a.labels = model::LabelsBuilder()
                       .set("alertname", "DiskFull")
                       .set("cluster", "prod-eu")
                       .set("instance", "db-" + std::to_string(i) + ":9100")
                       .set("job", "node")
                       .set("severity", "warning")
                       .labels();
        a.annotations = model::LabelsBuilder().set("summary", "Disk almost full").labels();
        a.startsAtMs = 1714557600000;
        a.generatorUrl = "http://prometheus.example:9090/graph?g0.expr=disk_free%3C0.1";
        a.fingerprint = "8b5ea9c924fa92af";
        d.alerts.push_back(std::move(a));
    }
    return d;
}

}  // namespace

int main() {
    model::Labels labels = model::LabelsBuilder()
                               .set("instance", "db-1.example.com:9100")
                               .set("job", "node")
                               .set("mountpoint", "/data")
                               .labels();
    Value alertData =
        prometheusAlertData(labels, model::Labels(), "http://prom.example:9090", 0.9312);
    PrometheusContext ctx;
    const std::string annotation =
        "Disk {{ $labels.mountpoint }} on {{ $labels.instance | stripPort }} is {{ $value | "
        "humanizePercentage }} full";
    std::size_t sink = 0;
    double annotationNs = nsPerOp(20000, [&] {
        auto r = expandAlertTemplate("DiskFull", annotation, alertData, ctx);
        sink += r.value().size();
    });
    std::printf("prometheus annotation (parse+execute): %8.0f ns/op\n", annotationNs);

    double loadNs = nsPerOp(200, [&] {
        auto t = loadAlertmanagerTemplates({});
        sink += t.value().has("slack.default.title");
    });
    std::printf("load Alertmanager default templates:  %8.0f ns/op\n", loadNs);

    auto text = loadAlertmanagerTemplates({});
    auto html = loadAlertmanagerTemplates({}, true);
    for (int alerts : {1, 10, 100}) {
        Value data = toValue(sampleData(alerts));
        double titleNs = nsPerOp(20000 / alerts + 100, [&] {
            sink += text.value().executeTemplate("slack.default.title", data).value().size();
        });
        double emailNs = nsPerOp(2000 / alerts + 20, [&] {
            sink += html.value().executeTemplate("email.default.html", data).value().size();
        });
        double dataNs = nsPerOp(20000 / alerts + 100,
                                [&] { sink += toValue(sampleData(alerts)).isNil() ? 0 : 1; });
        std::printf("%3d alerts: slack title %8.0f ns, email html %9.0f ns, build data %8.0f ns\n",
                    alerts, titleNs, emailNs, dataNs);
    }
    return sink == 0 ? 1 : 0;
}
