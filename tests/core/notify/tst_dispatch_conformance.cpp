// For every fixture in shared/conformance/alertmanager with a
// *.live.expected file, the dispatcher must reproduce what the real
// Alertmanager 0.25 reported through its API (am_live_oracle.py): each
// alert's fingerprint, state, receivers, inhibition and silences, and the
// aggregation groups with their members. The oracle's procedure is replayed:
// silences from *.silences (startsAt now-1m, endsAt now+1h), then every label
// set of *.labels as a firing alert (no endsAt) with startsAt now.

#include <QtTest>
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "core/notify/am_matchers.h"
#include "core/notify/dispatcher.h"
#include "notify_test_support.h"

using namespace vigil;
using namespace vigil::notify;

namespace {

QString sharedDir() {
    const QString dir = qEnvironmentVariable("VIGIL_SHARED_DIR");
    return dir.isEmpty() ? QStringLiteral("/work/shared") : dir;
}

// Non-empty, non-comment lines, as the oracle's read_lines.
std::vector<std::string> readLines(const std::string& path) {
    std::vector<std::string> rows;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        std::string_view s = line;
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
            s.remove_prefix(1);
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
            s.remove_suffix(1);
        if (s.empty() || s.front() == '#')
            continue;
        rows.push_back(line);
    }
    return rows;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
    return s.substr(i);
}

}  // namespace

class TestDispatchConformance : public QObject {
    Q_OBJECT
private slots:
    void liveOutcomesMatch_data() {
        QTest::addColumn<QString>("fixture");
        const QDir dir(sharedDir() + "/conformance/alertmanager");
        const QStringList files = dir.entryList({"*.live.expected"}, QDir::Files, QDir::Name);
        if (files.isEmpty())
            QSKIP("no *.live.expected fixtures under VIGIL_SHARED_DIR/conformance/alertmanager");
        for (const QString& f : files) {
            const QString base = dir.filePath(f.left(f.size() - int(strlen(".live.expected"))));
            QTest::newRow(qPrintable(f)) << base;
        }
    }

    void liveOutcomesMatch() {
        QFETCH(QString, fixture);
        const std::string base = fixture.toStdString();
        auto loaded = loadAlertmanagerConfig(base + ".alertmanager.yml");
        QVERIFY2(loaded.isOk(), loaded.status().message().c_str());

        auto recorder = std::make_shared<testing::RecordingNotifier>();
        auto registry = buildNotifierRegistry(loaded->config, testing::recordingFactory(recorder));
        QVERIFY2(registry.isOk(), registry.status().message().c_str());

        const model::Timestamp now = 1'700'000'000'000;
        ManualClock clock(now);
        DispatcherOptions options;
        options.config = loaded->config;
        options.notifiers = std::move(registry.value());
        options.clock = &clock;
        auto created = Dispatcher::create(std::move(options));
        QVERIFY2(created.isOk(), created.status().message().c_str());
        Dispatcher& d = *created.value();

        // Silences, numbered s1.. in file order.
        std::map<std::string, int> silenceIndex;
        const std::string silencesPath = base + ".silences";
        if (QFile::exists(QString::fromStdString(silencesPath))) {
            int i = 0;
            for (const std::string& line : readLines(silencesPath)) {
                ++i;
                auto matchers = parseAmMatchers(line);
                QVERIFY2(matchers.isOk(),
                         (silencesPath + ": " + matchers.status().message()).c_str());
                Silence s;
                s.matchers = matchers.value();
                s.startsAtMs = now - 60'000;
                s.endsAtMs = now + 3'600'000;
                s.createdBy = "tst_dispatch_conformance";
                s.comment = "silence #" + std::to_string(i);
                auto id = d.silences().set(s, now);
                QVERIFY2(id.isOk(), id.status().message().c_str());
                silenceIndex[id.value()] = i;
            }
        }

        // Alerts.
        const std::vector<std::string> labelLines = readLines(base + ".labels");
        std::map<std::uint64_t, int> indexOfFingerprint;
        std::vector<model::Alert> alerts;
        for (std::size_t i = 0; i < labelLines.size(); ++i) {
            if (trim(labelLines[i]) == "{}")
                continue;
            auto matchers = parseAmMatchers(labelLines[i]);
            QVERIFY2(matchers.isOk(), (base + ".labels: " + matchers.status().message()).c_str());
            std::vector<model::Label> labels;
            for (const model::Matcher& m : matchers.value()) {
                QCOMPARE(int(m.type()), int(model::MatchType::kEqual));
                labels.push_back(model::Label{m.name(), m.value()});
            }
            model::Alert a;
            a.labels = model::Labels::fromUnsorted(std::move(labels));
            a.annotations = model::Labels({{"summary", "oracle alert #" + std::to_string(i + 1)}});
            a.startsAtMs = now;
            a.generatorUrl = "http://127.0.0.1/oracle";
            indexOfFingerprint.emplace(amFingerprint(a.labels), int(i + 1));  // first wins
            alerts.push_back(std::move(a));
        }
        d.ingest(std::move(alerts));
        testing::advanceTo(clock, d, now + 2000);  // the oracle's settle time

        std::vector<std::pair<int, std::string>> rows;
        for (const AlertStatus& st : d.alerts()) {
            const int idx = indexOfFingerprint.at(st.fingerprint);
            std::string receivers;
            for (const std::string& r : st.receivers)
                receivers += (receivers.empty() ? "" : ",") + r;
            std::vector<int> sil;
            for (const std::string& id : st.silencedBy)
                sil.push_back(silenceIndex.at(id));
            std::sort(sil.begin(), sil.end());
            std::string silenced;
            for (int s : sil)
                silenced += (silenced.empty() ? "s" : ",s") + std::to_string(s);
            rows.emplace_back(idx, "A\t" + std::to_string(idx) + "\t" +
                                       amFingerprintHex(st.alert.labels) + "\t" + st.state() +
                                       "\treceivers=" + receivers +
                                       "\tinhibited=" + (st.inhibited ? "true" : "false") +
                                       "\tsilenced_by=" + silenced + "\t" + labelLines[idx - 1]);
        }
        std::sort(rows.begin(), rows.end());
        std::vector<std::string> groupRows;
        for (const GroupStatus& g : d.groups()) {
            std::string gl = "{";
            for (const auto& l : g.labels) {
                if (gl.size() > 1)
                    gl += ", ";
                gl += std::string(l.name) + "=\"" + std::string(l.value) + "\"";
            }
            gl += "}";
            std::vector<int> members;
            for (std::uint64_t fp : g.alerts)
                members.push_back(indexOfFingerprint.at(fp));
            std::sort(members.begin(), members.end());
            std::string m;
            for (int x : members)
                m += (m.empty() ? "" : ",") + std::to_string(x);
            groupRows.push_back("G\t" + g.receiver + "\t" + gl + "\talerts=" + m);
        }
        std::sort(groupRows.begin(), groupRows.end());
        std::string actual;
        for (const auto& [idx, row] : rows)
            actual += row + "\n";
        for (const std::string& row : groupRows)
            actual += row + "\n";

        const std::string expected = readFile(base + ".live.expected");
        if (actual != expected) {
            // Name the first differing line.
            std::istringstream a(actual), e(expected);
            std::string al, el;
            int line = 0;
            while (true) {
                ++line;
                const bool ha = bool(std::getline(a, al)), he = bool(std::getline(e, el));
                if (!ha && !he)
                    break;
                if (al != el || ha != he) {
                    QFAIL(qPrintable(
                        QString("%1.live.expected line %2:\n  expected: %3\n  actual:   %4")
                            .arg(fixture)
                            .arg(line)
                            .arg(he ? QString::fromStdString(el) : "<end>")
                            .arg(ha ? QString::fromStdString(al) : "<end>")));
                }
            }
        }
        QCOMPARE(QString::fromStdString(actual), QString::fromStdString(expected));
    }
};

QTEST_GUILESS_MAIN(TestDispatchConformance)
#include "tst_dispatch_conformance.moc"
