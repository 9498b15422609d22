// file_sd_configs: target group files in JSON and YAML, live changes, errors.

#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/scrape/file_sd.h"

using namespace vigil;
using namespace vigil::scrape;

namespace {

void writeFile(const std::string& path, const std::string& text) {
    // Written aside and renamed, as tools that generate SD files do.
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
    }
    std::rename(tmp.c_str(), path.c_str());
}

template <typename Fn>
bool waitFor(Fn&& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
}

std::string addresses(const std::vector<TargetGroup>& groups) {
    std::string out;
    for (const auto& g : groups) {
        for (const auto& t : g.targets)
            out += std::string(t.get("__address__")) + " ";
    }
    return out;
}

}  // namespace

class TestFileSd : public QObject {
    Q_OBJECT
private slots:
    void parseFormats_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("text");
        QTest::newRow("json") << "/sd/a.json"
                              << "[{\"targets\": [\"h1:9100\", \"h2:9100\"], \"labels\": "
                                 "{\"env\": \"prod\"}}, {\"targets\": [\"h3:80\"]}]";
        QTest::newRow("yaml") << "/sd/a.yml"
                              << "- targets: ['h1:9100', 'h2:9100']\n  labels:\n    env: prod\n"
                                 "- targets:\n  - h3:80\n";
    }
    void parseFormats() {
        QFETCH(QString, path);
        QFETCH(QString, text);
        auto groups = parseTargetGroupFile(text.toStdString(), path.toStdString());
        QVERIFY2(groups.isOk(), groups.status().message().c_str());
        QCOMPARE(groups->size(), 2u);
        const TargetGroup& g = groups.value()[0];
        QCOMPARE(g.source, path.toStdString() + ":0");
        QCOMPARE(g.targets.size(), 2u);
        QCOMPARE(g.targets[1].get("__address__"), std::string_view("h2:9100"));
        QCOMPARE(g.labels,
                 (model::Labels{{"env", "prod"}, {"__meta_filepath", path.toStdString()}}));
        QCOMPARE(groups.value()[1].source, path.toStdString() + ":1");
        QCOMPARE(groups.value()[1].labels.get("__meta_filepath"), path.toStdString());
    }

    void parseErrors_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("bad label name") << "t.yml"
                                        << "- targets: [a:1]\n  labels:\n    1bad: x\n"
                                        << "t.yml:3: \"1bad\" is not a valid label name";
        QTest::newRow("unknown field")
            << "t.yml"
            << "- targets: [a:1]\n  lables: {}\n"
            << "t.yml:2: field lables not found in type targetgroup.Group";
        QTest::newRow("not a list") << "t.json"
                                    << "{\"targets\": []}"
                                    << "t.json:1: the file must hold a list of target groups";
        QTest::newRow("extension")
            << "t.txt"
            << "[]"
            << "t.txt: unsupported file extension (want .json, .yml or .yaml)";
        QTest::newRow("targets not a list") << "t.yml"
                                            << "- targets: a:1\n"
                                            << "t.yml:1: 'targets' must be a list of strings";
    }
    void parseErrors() {
        QFETCH(QString, path);
        QFETCH(QString, text);
        QFETCH(QString, error);
        auto groups = parseTargetGroupFile(text.toStdString(), path.toStdString());
        QVERIFY(!groups.isOk());
        QCOMPARE(QString::fromStdString(groups.status().message()), error);
    }

    void syntaxErrorNamesLine() {
        auto groups =
            parseTargetGroupFile("[{\"targets\": [\"a:1\"]},\n {\"targets\": [}]", "x.json");
        QVERIFY(!groups.isOk());
        QVERIFY2(groups.status().message().starts_with("x.json:2: "),
                 groups.status().message().c_str());
    }

    void emptyFileHasNoGroups() {
        auto groups = parseTargetGroupFile("", "e.yml");
        QVERIFY(groups.isOk());
        QVERIFY(groups->empty());
    }

    void watchesChangesAndKeepsLastGoodGroups() {
        QTemporaryDir dir;
        const std::string json = dir.filePath("a.json").toStdString();
        const std::string yml = dir.filePath("b.yml").toStdString();
        writeFile(json, "[{\"targets\": [\"h1:1\"]}]");

        config::FileSdConfig cfg;
        cfg.files = {dir.filePath("*.json").toStdString(), dir.filePath("*.yml").toStdString()};
        cfg.refreshInterval = std::chrono::hours(1);  // only change watching can see updates
        std::mutex mutex;
        std::vector<TargetGroup> latest;
        std::atomic<int> updates{0};
        FileSd sd(cfg, [&](const std::vector<TargetGroup>& groups) {
            std::lock_guard lock(mutex);
            latest = groups;
            ++updates;
        });
        sd.start();
        auto current = [&] {
            std::lock_guard lock(mutex);
            return addresses(latest);
        };
        QCOMPARE(updates.load(), 1);
        QCOMPARE(current(), std::string("h1:1 "));

        writeFile(yml, "- targets: [h2:2]\n");
        QVERIFY2(waitFor([&] { return current() == "h1:1 h2:2 "; }, std::chrono::seconds(5)),
                 current().c_str());

        writeFile(json, "[{\"targets\": [\"h1:1\", \"h3:3\"]}]");
        QVERIFY2(waitFor([&] { return current() == "h1:1 h3:3 h2:2 "; }, std::chrono::seconds(5)),
                 current().c_str());

        // A broken file keeps its last groups and reports the error.
        const int before = updates.load();
        writeFile(json, "[{\"targets\": [");
        QVERIFY(waitFor([&] { return !sd.errors().empty(); }, std::chrono::seconds(5)));
        QVERIFY2(sd.errors().front().starts_with(json + ":"), sd.errors().front().c_str());
        QCOMPARE(current(), std::string("h1:1 h3:3 h2:2 "));
        QCOMPARE(updates.load(), before);

        // Fixed again: the error clears.
        writeFile(json, "[{\"targets\": [\"h4:4\"]}]");
        QVERIFY(waitFor([&] { return current() == "h4:4 h2:2 "; }, std::chrono::seconds(5)));
        QVERIFY(sd.errors().empty());

        // A deleted file takes its groups with it.
        std::remove(yml.c_str());
        QVERIFY(waitFor([&] { return current() == "h4:4 "; }, std::chrono::seconds(5)));
        sd.stop();
    }

    void refreshIntervalPolls() {
        QTemporaryDir dir;
        const std::string json = dir.filePath("sub/a.json").toStdString();
        QDir().mkpath(dir.filePath("sub"));
        config::FileSdConfig cfg;
        // A glob in the directory part cannot be watched: polling finds it.
        cfg.files = {dir.filePath("s*/*.json").toStdString()};
        cfg.refreshInterval = std::chrono::milliseconds(200);
        std::atomic<int> targets{0};
        FileSd sd(cfg, [&](const std::vector<TargetGroup>& groups) {
            int n = 0;
            for (const auto& g : groups)
                n += static_cast<int>(g.targets.size());
            targets = n;
        });
        sd.start();
        QCOMPARE(targets.load(), 0);
        writeFile(json, "[{\"targets\": [\"a:1\", \"b:2\"]}]");
        QVERIFY(waitFor([&] { return targets.load() == 2; }, std::chrono::seconds(5)));
    }
};

QTEST_GUILESS_MAIN(TestFileSd)
#include "tst_file_sd.moc"
