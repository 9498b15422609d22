// Every pipeline stage, table-driven from fixtures/stages.yml, plus the
// configuration errors of fixtures/errors.yml with their positions.

#include <yaml-cpp/yaml.h>

#include <QtTest>

#include "core/config/config_errors.h"
#include "core/logs/pipeline/go_time_layout.h"
#include "core/logs/pipeline/pipeline.h"
#include "core/logs/pipeline/presets.h"
#include "tests/core/logs/pipeline/pipeline_test_util.h"

using namespace vigil;
using namespace vigil::logs::pipeline;

namespace {

std::map<std::string, std::string> stringMap(const YAML::Node& n) {
    std::map<std::string, std::string> m;
    if (n && n.IsMap())
        for (const auto& kv : n)
            m[kv.first.as<std::string>()] = kv.second.IsNull() ? "" : kv.second.as<std::string>();
    return m;
}

logs::TimestampNs timeOf(const YAML::Node& n) {
    const std::string s = n.as<std::string>();
    if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) != 0) &&
        s.find('-') == std::string::npos)
        return std::stoll(s);
    auto ts = parseGoTime(kRfc3339Nano, s, nullptr);
    if (!ts.isOk())
        qFatal("bad time in fixture: %s", s.c_str());
    return ts.value();
}

std::string describe(const Entry& e) {
    std::string s = "line=\"" + e.line + "\" ts=" + std::to_string(e.tsNs) + " labels={";
    for (const auto& [k, v] : e.labels)
        s += k + "=" + v + ",";
    s += "} extracted={";
    for (const auto& [k, v] : e.extracted)
        s += k + "=" + v + ",";
    return s + "}";
}

}  // namespace

Q_DECLARE_METATYPE(std::string)

class TestPipelineStages : public QObject {
    Q_OBJECT
private slots:
    void stages_data() {
        QTest::addColumn<int>("index");
        const YAML::Node cases = YAML::LoadFile(pipelineFixture("stages.yml").toStdString());
        for (std::size_t i = 0; i < cases.size(); ++i)
            QTest::newRow(cases[i]["name"].as<std::string>().c_str()) << static_cast<int>(i);
    }
    void stages() {
        QFETCH(int, index);
        const YAML::Node cases = YAML::LoadFile(pipelineFixture("stages.yml").toStdString());
        const YAML::Node c = cases[static_cast<std::size_t>(index)];
        config::ConfigErrors errors("stages.yml");
        auto pipeline = parsePipeline(c["pipeline"], "pipeline_stages", errors);
        QVERIFY2(pipeline, errors.toStatus().message().c_str());

        std::vector<Entry> out;
        for (const auto& in : c["input"]) {
            Entry e;
            e.labels = {{"job", "test"}};
            e.tsNs = 1000;
            if (in.IsScalar()) {
                e.line = in.as<std::string>();
            } else {
                e.line = in["line"].as<std::string>();
                if (in["labels"])
                    e.labels = stringMap(in["labels"]);
                if (in["ts"])
                    e.tsNs = timeOf(in["ts"]);
            }
            pipeline->process(std::move(e), out);
        }
        pipeline->flush(0, true, out);

        const YAML::Node expected = c["output"];
        std::string all;
        for (const Entry& e : out)
            all += describe(e) + "\n";
        QVERIFY2(out.size() == expected.size(),
                 ("got " + std::to_string(out.size()) + " entries:\n" + all).c_str());
        for (std::size_t i = 0; i < out.size(); ++i) {
            const Entry& got = out[i];
            const YAML::Node want = expected[i];
            const std::string where = "entry " + std::to_string(i) + ": " + describe(got);
            QVERIFY2(got.line == want["line"].as<std::string>(), where.c_str());
            if (want["labels"])
                QVERIFY2(got.labels == stringMap(want["labels"]), where.c_str());
            if (want["ts"])
                QVERIFY2(got.tsNs == timeOf(want["ts"]),
                         (where + " want ts " + std::to_string(timeOf(want["ts"]))).c_str());
            for (const auto& [k, v] : stringMap(want["extracted"])) {
                const auto it = got.extracted.find(k);
                QVERIFY2(it != got.extracted.end() && it->second == v,
                         (where + " want extracted " + k + "=" + v).c_str());
            }
            if (want["absent"])
                for (const auto& k : want["absent"])
                    QVERIFY2(!got.extracted.count(k.as<std::string>()),
                             (where + " has " + k.as<std::string>()).c_str());
            if (want["metadata"])
                QVERIFY2(got.structuredMetadata == stringMap(want["metadata"]), where.c_str());
        }
        const std::uint64_t dropped = c["dropped"] ? c["dropped"].as<std::uint64_t>() : 0;
        QCOMPARE(pipeline->dropped(), dropped);
    }

    void configErrors_data() {
        QTest::addColumn<int>("index");
        const YAML::Node cases = YAML::LoadFile(pipelineFixture("errors.yml").toStdString());
        for (std::size_t i = 0; i < cases.size(); ++i)
            QTest::newRow(cases[i]["name"].as<std::string>().c_str()) << static_cast<int>(i);
    }
    void configErrors() {
        QFETCH(int, index);
        const YAML::Node cases = YAML::LoadFile(pipelineFixture("errors.yml").toStdString());
        const YAML::Node c = cases[static_cast<std::size_t>(index)];
        config::ConfigErrors errors("p.yml");
        auto pipeline = parsePipelineDocument(c["pipeline"].as<std::string>(), errors);
        QVERIFY(!pipeline);
        std::vector<std::string> want;
        for (const auto& e : c["errors"])
            want.push_back(e.as<std::string>());
        std::vector<std::string> got = errors.errors();
        std::string all;
        for (const auto& e : got)
            all += e + "\n";
        // errors_contain: messages that must start a reported error (their
        // tail comes from a library, e.g. the duration parser).
        for (const auto& e : c["errors_contain"]) {
            const std::string prefix = e.as<std::string>();
            auto it = std::find_if(got.begin(), got.end(),
                                   [&](const std::string& g) { return g.rfind(prefix, 0) == 0; });
            QVERIFY2(it != got.end(), ("missing " + prefix + " in:\n" + all).c_str());
            got.erase(it);
        }
        QVERIFY2(got == want, ("got:\n" + all).c_str());
    }

    // An absent or empty list is the pass-through pipeline.
    void emptyPipelines() {
        config::ConfigErrors errors("p.yml");
        for (const char* text : {"[]", "pipeline_stages: []", "pipeline_stages:"}) {
            auto p = parsePipelineDocument(text, errors);
            QVERIFY2(p, text);
            std::vector<Entry> out;
            p->process(Entry{{{"a", "b"}}, {}, 5, "x", {}}, out);
            QCOMPARE(out.size(), std::size_t(1));
            QCOMPARE(out[0].line, std::string("x"));
        }
        QVERIFY(errors.empty());
    }

    // streamLabels drops "__" names and empty values.
    void streamLabelsDropsInternal() {
        Entry e;
        e.labels = {{"__path__", "/x"}, {"job", "a"}, {"empty", ""}, {"level", "info"}};
        QCOMPARE(streamLabels(e).toString(), std::string("{job=\"a\", level=\"info\"}"));
    }
};

QTEST_GUILESS_MAIN(TestPipelineStages)
#include "tst_pipeline_stages.moc"
