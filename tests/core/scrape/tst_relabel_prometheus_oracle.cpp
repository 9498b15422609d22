// The real Prometheus decides: targets with relabel rules of every action go
// through Prometheus 2.42 and through Vigil's populateTargetLabels, and the
// resulting target labels (and which targets are dropped) must be identical.
// All target addresses are on 127.0.0.0/8. Skipped when prometheus is absent.

#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/config/prometheus_config.h"
#include "core/scrape/target_labels.h"
#include "tests/support/prometheus_process.h"

using vigil::model::Label;
using vigil::model::Labels;

namespace {

const char* const kConfig = R"YAML(
global:
  scrape_interval: 1h
  scrape_timeout: 10s
scrape_configs:
  - job_name: replace
    static_configs:
      - targets: ['127.0.0.2:9100', '127.0.0.3']
        labels: {env: Prod, team: Infra_Ops}
    relabel_configs:
      - {source_labels: [__address__], regex: '([^:]+):.*', target_label: host}
      - {source_labels: [env, team], separator: '/', regex: '(.*)/(.*)', target_label: 'combo_${2}', replacement: '$1-$2'}
      - {source_labels: [__address__], regex: '(?P<ip>[0-9.]+):(?P<port>[0-9]+)', target_label: hp, replacement: '${ip}_$port'}
      - {source_labels: [team], target_label: team_lc, action: lowercase}
      - {source_labels: [env], target_label: env_uc, action: uppercase}
      - {source_labels: [__address__], target_label: shard, modulus: 7, action: hashmod}
      - {regex: '(env|team)', replacement: 'orig_$1', action: labelmap}
      - {source_labels: [nothing], target_label: empty_replacement, replacement: ''}
      - {source_labels: [env], regex: 'x$1', target_label: '$1x', replacement: 'never'}
  - job_name: dropping
    static_configs:
      - targets: ['127.0.0.4:1', '127.0.0.5:1', '127.0.0.6:1']
    relabel_configs:
      - {source_labels: [__address__], regex: '127\.0\.0\.5:.*', action: drop}
      - {source_labels: [__address__], regex: '127\.0\.0\.[45]:1', action: keep}
  - job_name: equality
    static_configs:
      - targets: ['127.0.0.7:1']
        labels: {a: same, b: same, c: other}
      - targets: ['127.0.0.8:1']
        labels: {a: same, b: different, c: same}
    relabel_configs:
      - {source_labels: [a], target_label: c, action: dropequal}
      - {source_labels: [a], target_label: b, action: keepequal}
  - job_name: labels
    scheme: https
    params: {module: [http_2xx]}
    static_configs:
      - targets: ['127.0.0.9']
        labels: {keepme: '1', dropme: '2', alsodrop: '3'}
    relabel_configs:
      - {regex: 'dropme|alsodrop', action: labeldrop}
      - {source_labels: [__param_module], target_label: module}
      - {target_label: __scrape_timeout__, replacement: 5s}
      - {target_label: instance, replacement: custom-instance}
  - job_name: keepers
    static_configs:
      - targets: ['127.0.0.10:1']
        labels: {x_one: '1', y_two: '2'}
    relabel_configs:
      - {regex: '__.*|job|instance|x_.*', action: labelkeep}
)YAML";

Labels labelsFromJson(const QJsonObject& object) {
    std::vector<Label> labels;
    for (auto it = object.begin(); it != object.end(); ++it) {
        labels.push_back({it.key().toStdString(), it.value().toString().toStdString()});
    }
    return Labels::fromUnsorted(std::move(labels));
}

}  // namespace

class TestRelabelPrometheusOracle : public QObject {
    Q_OBJECT
private slots:
    void sameTargetLabelsAsPrometheus() {
        if (vigil::test::PrometheusProcess::binary().isEmpty()) {
            QSKIP(
                "prometheus (Debian package 'prometheus') is not installed; make deps installs it");
        }
        auto parsed = vigil::config::parsePrometheusConfig(kConfig, "oracle.yml", "");
        QVERIFY2(parsed.isOk(), parsed.status().message().c_str());
        std::map<std::string, const vigil::config::ScrapeConfig*> jobs;
        for (const auto& job : parsed->config.scrapeConfigs)
            jobs[job.jobName] = &job;

        vigil::test::PrometheusProcess prometheus;
        const QString error = prometheus.start(kConfig);
        QVERIFY2(error.isEmpty(), qPrintable(error));

        // Prometheus syncs scrape pools every 5 s; wait until all nine targets show.
        QJsonObject data;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000) {
            const auto reply =
                vigil::test::httpGet(prometheus.address(), "/api/v1/targets?state=any");
            data = QJsonDocument::fromJson(QByteArray::fromStdString(reply.body))
                       .object()["data"]
                       .toObject();
            if (data["activeTargets"].toArray().size() + data["droppedTargets"].toArray().size() ==
                9)
                break;
            QThread::msleep(250);
        }
        const QJsonArray active = data["activeTargets"].toArray();
        const QJsonArray dropped = data["droppedTargets"].toArray();
        if (active.size() + dropped.size() != 9)
            qWarning().noquote() << QJsonDocument(data).toJson();
        QCOMPARE(active.size() + dropped.size(), 9);

        auto vigilFor = [&](const QJsonObject& target) {
            const Labels discovered = labelsFromJson(target["discoveredLabels"].toObject());
            const auto* job = jobs.at(std::string(discovered.get("job")));
            vigil::scrape::TargetDefaults defaults;
            defaults.jobName = job->jobName;
            defaults.scheme = job->scheme;
            defaults.metricsPath = job->metricsPath;
            defaults.scrapeInterval = job->scrapeInterval;
            defaults.scrapeTimeout = job->scrapeTimeout;
            defaults.params = job->params;
            return vigil::scrape::populateTargetLabels(discovered, defaults, job->relabelConfigs);
        };
        for (const auto& value : active) {
            const QJsonObject target = value.toObject();
            auto ours = vigilFor(target);
            QVERIFY2(ours.isOk(), ours.status().message().c_str());
            QVERIFY(!ours->dropped);
            const Labels expected = labelsFromJson(target["labels"].toObject());
            QVERIFY2(ours->publicLabels() == expected,
                     qPrintable(QStringLiteral("prometheus: %1\nvigil:      %2")
                                    .arg(QString::fromStdString(expected.toString()),
                                         QString::fromStdString(ours->publicLabels().toString()))));
        }
        for (const auto& value : dropped) {
            auto ours = vigilFor(value.toObject());
            QVERIFY(ours.isOk());
            QVERIFY2(ours->dropped, qPrintable(QJsonDocument(value.toObject()).toJson()));
        }
        QCOMPARE(active.size(), 6);  // replace ×2, dropping ×1, equality ×1, labels, keepers
    }
};

QTEST_GUILESS_MAIN(TestRelabelPrometheusOracle)
#include "tst_relabel_prometheus_oracle.moc"
