#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <thread>

#include "core/logs/memory_log_store.h"
#include "core/logs/tail/glob.h"
#include "core/logs/tail/journal_source.h"
#include "core/logs/tail/positions.h"
#include "core/logs/tail/tailer.h"
#include "core/logs/tail/tailer_service.h"

using namespace vigil;
using namespace vigil::logs;
using namespace vigil::logs::tail;

namespace {

// Forwards to a MemoryLogStore and records what was pushed, in order; can
// refuse everything as a stopped store does.
class RecordingWriter final : public LogWriter {
public:
    PushResult push(const std::vector<LogStream>& streams) override {
        std::lock_guard lock(m_mutex);
        if (refuse) {
            PushResult r;
            for (const auto& s : streams)
                r.rejected += s.entries.size();
            r.firstError = "stopped";
            return r;
        }
        for (const auto& s : streams) {
            for (const auto& e : s.entries) {
                lines.push_back(e.line);
                labels.push_back(s.labels);
                times.push_back(e.tsNs);
            }
        }
        return store.push(streams);
    }
    std::vector<std::string> snapshot() {
        std::lock_guard lock(m_mutex);
        return lines;
    }

    MemoryLogStore store;
    std::vector<std::string> lines;
    std::vector<model::Labels> labels;
    std::vector<TimestampNs> times;
    bool refuse = false;

private:
    std::mutex m_mutex;
};

void append(const QString& path, const std::string& text) {
    std::ofstream out(path.toStdString(), std::ios::app | std::ios::binary);
    out << text;
}

std::string readAll(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

TailerOptions fileOptions(const QString& dir, const std::string& glob,
                          const std::string& exclude = {}) {
    TailerOptions options;
    options.positionsFile = (dir + "/state/positions.yaml").toStdString();
    config::LogScrapeConfig job;
    job.jobName = "test";
    config::LogStaticConfig target;
    target.labels["job"] = "test";
    target.labels["__path__"] = glob;
    if (!exclude.empty())
        target.labels["__path_exclude__"] = exclude;
    job.staticConfigs.push_back(target);
    options.config.scrapeConfigs.push_back(job);
    return options;
}

// A stand-in for Promtail stages with state: joins indented lines to the
// line before (as multiline does), holds the block until the next one starts
// or until it is 50 ms old, and sets `level` from the first word.
class JoiningPipeline final : public pipeline::Pipeline {
public:
    void process(pipeline::Entry entry, std::vector<pipeline::Entry>& out) override {
        if (!entry.line.empty() && entry.line[0] == ' ' && m_held) {
            m_held->line += "\n" + entry.line;
            return;
        }
        release(out);
        entry.labels["level"] = entry.line.substr(0, entry.line.find(' '));
        m_held = std::move(entry);
    }
    void flush(TimestampNs nowNs, bool all, std::vector<pipeline::Entry>& out) override {
        if (m_held && (all || nowNs - m_held->tsNs > 50'000'000))
            release(out);
    }

private:
    void release(std::vector<pipeline::Entry>& out) {
        if (m_held)
            out.push_back(std::move(*m_held));
        m_held.reset();
    }
    std::optional<pipeline::Entry> m_held;
};

std::vector<std::string> strings(std::initializer_list<const char*> list) {
    return std::vector<std::string>(list.begin(), list.end());
}

}  // namespace

namespace QTest {
template <>
char* toString(const std::vector<std::string>& lines) {
    std::string out = "[";
    for (const auto& line : lines)
        out += "\"" + line + "\" ";
    return qstrdup((out + "]").c_str());
}
}  // namespace QTest

namespace {}  // namespace

class TestTailer : public QObject {
    Q_OBJECT

private slots:
    void positionsRoundTripAndAtomicWrite() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/sub/positions.yaml").toStdString();
        Positions positions(Env::posix(), path);
        positions.setOffset("/var/log/a b.log", 1234);
        positions.set(journalPositionKey("journal"), "s=1;i=2");
        QVERIFY(positions.dirty());
        QVERIFY2(positions.save().isOk(), "save");
        QVERIFY(!positions.dirty());
        QVERIFY(!QFile::exists(QString::fromStdString(path + ".tmp")));
        const std::string text = readAll(QString::fromStdString(path));
        QVERIFY2(text.rfind("positions:\n", 0) == 0, text.c_str());
        QVERIFY2(text.find("\"1234\"") != std::string::npos, text.c_str());

        auto loaded = Positions::load(Env::posix(), path);
        QVERIFY(loaded.isOk());
        QCOMPARE(loaded->offset("/var/log/a b.log").value_or(0), std::uint64_t(1234));
        QCOMPARE(loaded->get("journal-journal").value_or(""), std::string("s=1;i=2"));
        QCOMPARE(loaded->entries().size(), std::size_t(2));

        // Promtail's own file reads the same.
        const std::string promtail = (dir.path() + "/promtail.yaml").toStdString();
        append(QString::fromStdString(promtail),
               "positions:\n  /var/log/syslog: \"98765\"\n  journal-j: s=abc\n");
        auto fromPromtail = Positions::load(Env::posix(), promtail);
        QVERIFY(fromPromtail.isOk());
        QCOMPARE(fromPromtail->offset("/var/log/syslog").value_or(0), std::uint64_t(98765));

        // A corrupt file is an error naming it, unless told to ignore it.
        const QString bad = dir.path() + "/bad.yaml";
        append(bad, "positions: [\n");
        auto corrupt = Positions::load(Env::posix(), bad.toStdString());
        QVERIFY(!corrupt.isOk());
        QVERIFY2(corrupt.status().message().find(bad.toStdString()) != std::string::npos,
                 corrupt.status().message().c_str());
        auto ignored = Positions::load(Env::posix(), bad.toStdString(), true);
        QVERIFY(ignored.isOk());
        QVERIFY(ignored->entries().empty());
        // A missing file is an empty set.
        auto missing = Positions::load(Env::posix(), (dir.path() + "/none.yaml").toStdString());
        QVERIFY(missing.isOk());
        QVERIFY(missing->entries().empty());
    }

    void readsLinesWithLabelsAndPositions() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        append(log, "one\ntwo\r\nthree\n");
        RecordingWriter writer;
        Tailer tailer(fileOptions(dir.path(), (dir.path() + "/*.log").toStdString()), writer);
        QVERIFY(tailer.open().isOk());
        QCOMPARE(tailer.poll(), std::size_t(3));
        QCOMPARE(writer.lines, strings({"one", "two", "three"}));
        QCOMPARE(writer.labels[0].get("job"), std::string_view("test"));
        QCOMPARE(writer.labels[0].get("filename"), std::string_view(log.toStdString()));
        QVERIFY(!writer.labels[0].has("__path__"));
        QVERIFY(writer.times[0] <= writer.times[2]);
        QVERIFY(writer.times[0] > 1600000000LL * 1000000000);
        auto targets = tailer.targets();
        QCOMPARE(targets.size(), std::size_t(1));
        QCOMPARE(targets[0].position, std::uint64_t(15));
        QVERIFY(tailer.close().isOk());
        auto saved =
            Positions::load(Env::posix(), dir.path().toStdString() + "/state/positions.yaml");
        QVERIFY(saved.isOk());
        QCOMPARE(saved->offset(log.toStdString()).value_or(0), std::uint64_t(15));
    }

    void restartResumesExactly() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        append(log, "a1\na2\n");
        RecordingWriter writer;
        const auto options = fileOptions(dir.path(), log.toStdString());
        {
            Tailer tailer(options, writer);
            QVERIFY(tailer.open().isOk());
            tailer.poll();
            append(log, "a3\npart");
            tailer.poll();
            QVERIFY(tailer.close().isOk());
        }
        QCOMPARE(writer.lines, strings({"a1", "a2", "a3"}));
        append(log, "ial\na4\na5\n");  // while stopped
        {
            Tailer tailer(options, writer);
            QVERIFY(tailer.open().isOk());
            tailer.poll();
            tailer.poll();
            QVERIFY(tailer.close().isOk());
        }
        QCOMPARE(writer.lines, strings({"a1", "a2", "a3", "partial", "a4", "a5"}));
        {  // nothing appended: nothing read again
            Tailer tailer(options, writer);
            QVERIFY(tailer.open().isOk());
            QCOMPARE(tailer.poll(), std::size_t(0));
            QVERIFY(tailer.close().isOk());
        }
        QCOMPARE(writer.lines.size(), std::size_t(6));
    }

    void savedOffsetBeyondSizeMeansTruncated() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        append(log, "new1\nnew2\n");
        QDir().mkpath(dir.path() + "/state");
        append(dir.path() + "/state/positions.yaml",
               "positions:\n  " + log.toStdString() + ": \"5000\"\n  " +
                   (dir.path() + "/gone.log").toStdString() + ": \"12\"\n");
        RecordingWriter writer;
        Tailer tailer(fileOptions(dir.path(), (dir.path() + "/*.log").toStdString()), writer);
        QVERIFY(tailer.open().isOk());
        tailer.poll();
        QCOMPARE(writer.lines, strings({"new1", "new2"}));
        QVERIFY(tailer.close().isOk());
        auto saved =
            Positions::load(Env::posix(), dir.path().toStdString() + "/state/positions.yaml");
        QVERIFY(saved.isOk());
        QVERIFY(!saved->get((dir.path() + "/gone.log").toStdString()));  // vanished: removed
        QCOMPARE(saved->offset(log.toStdString()).value_or(0), std::uint64_t(10));
    }

    void positionsAdvanceOnlyForStoredLines() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        append(log, "x1\nx2\n");
        RecordingWriter writer;
        writer.refuse = true;
        const auto options = fileOptions(dir.path(), log.toStdString());
        Tailer tailer(options, writer);
        QVERIFY(tailer.open().isOk());
        QCOMPARE(tailer.poll(), std::size_t(0));
        QVERIFY(tailer.savePositions().isOk());
        auto saved = Positions::load(Env::posix(), options.positionsFile);
        QCOMPARE(saved->offset(log.toStdString()).value_or(99), std::uint64_t(0));
        writer.refuse = false;  // the store is back: the same lines, once
        append(log, "x3\n");
        tailer.poll();
        QCOMPARE(writer.lines, strings({"x1", "x2", "x3"}));
        QVERIFY(tailer.close().isOk());
        saved = Positions::load(Env::posix(), options.positionsFile);
        QCOMPARE(saved->offset(log.toStdString()).value_or(0), std::uint64_t(9));
    }

    void pipelineStagesRunPerEntry() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        append(log, "ERROR boom\n  at f()\n  at g()\nINFO ok\n");
        RecordingWriter writer;
        auto options = fileOptions(dir.path(), log.toStdString());
        options.pipelineFactory = [](const config::LogScrapeConfig&) {
            return std::make_unique<JoiningPipeline>();
        };
        Tailer tailer(options, writer);
        QVERIFY(tailer.open().isOk());
        tailer.poll();
        QCOMPARE(writer.lines, strings({"ERROR boom\n  at f()\n  at g()"}));
        QCOMPARE(writer.labels[0].get("level"), std::string_view("ERROR"));
        QCOMPARE(writer.labels[0].get("filename"), std::string_view(log.toStdString()));
        QVERIFY(!writer.labels[0].has("__path__"));
        QTest::qWait(80);
        tailer.poll();  // the held block is old enough: flush(now, false) releases it
        QCOMPARE(writer.lines, strings({"ERROR boom\n  at f()\n  at g()", "INFO ok"}));
        QCOMPARE(writer.labels[1].get("level"), std::string_view("INFO"));
        append(log, "WARN last\n");
        tailer.poll();
        QCOMPARE(writer.lines.size(), std::size_t(2));  // held
        QVERIFY(tailer.close().isOk());                 // close releases everything
        QCOMPARE(writer.lines.back(), std::string("WARN last"));
    }

    void renameAndCreateRotation() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        append(log, "r1\nr2\n");
        RecordingWriter writer;
        Tailer tailer(fileOptions(dir.path(), (dir.path() + "/*.log").toStdString()), writer);
        QVERIFY(tailer.open().isOk());
        tailer.poll();
        // Written, then rotated before the tailer looked again, with a
        // partial last line in the old file.
        append(log, "r3\nr4\nr5-partial");
        QVERIFY(QFile::rename(log, log + ".1"));
        append(log, "n1\nn2\n");
        tailer.poll();
        append(log, "n3\n");
        tailer.poll();
        QCOMPARE(writer.lines, strings({"r1", "r2", "r3", "r4", "r5-partial", "n1", "n2", "n3"}));
        QVERIFY(tailer.close().isOk());
    }

    void rotatedNameAlsoMatchedIsNotReadTwice() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        append(log, "r1\n");
        RecordingWriter writer;
        Tailer tailer(fileOptions(dir.path(), (dir.path() + "/app.log*").toStdString()), writer);
        QVERIFY(tailer.open().isOk());
        tailer.poll();
        append(log, "r2\n");
        QVERIFY(QFile::rename(log, log + ".1"));
        append(log, "n1\n");
        tailer.poll();
        tailer.poll();
        append(log + ".1", "late\n");  // a writer still holding the old file
        tailer.poll();
        QCOMPARE(writer.lines, strings({"r1", "r2", "n1", "late"}));
        QVERIFY(tailer.close().isOk());
    }

    void copyTruncate() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        append(log, "long line one\nlong line two\n");
        RecordingWriter writer;
        Tailer tailer(fileOptions(dir.path(), log.toStdString()), writer);
        QVERIFY(tailer.open().isOk());
        tailer.poll();
        QVERIFY(QFile::resize(log, 0));  // copytruncate
        append(log, "after\n");
        tailer.poll();
        append(log, "after2\n");
        tailer.poll();
        QCOMPARE(writer.lines, strings({"long line one", "long line two", "after", "after2"}));
        QVERIFY(tailer.close().isOk());
    }

    void newFileAndDeletedFile() {
        QTemporaryDir dir;
        QDir().mkpath(dir.path() + "/a/b");
        const QString first = dir.path() + "/first.log";
        append(first, "f1\n");
        RecordingWriter writer;
        const auto options = fileOptions(dir.path(), (dir.path() + "/**/*.log").toStdString());
        Tailer tailer(options, writer);
        QVERIFY(tailer.open().isOk());
        tailer.poll();
        const QString second = dir.path() + "/a/b/second.log";
        append(second, "s1\n");
        tailer.poll();
        QCOMPARE(writer.lines, strings({"f1", "s1"}));
        QCOMPARE(tailer.targets().size(), std::size_t(2));
        // Deleted with unread lines: they are read, then the file is closed.
        append(first, "f2\nf3");
        QVERIFY(QFile::remove(first));
        tailer.poll();
        QCOMPARE(writer.lines, strings({"f1", "s1", "f2", "f3"}));
        QCOMPARE(tailer.targets().size(), std::size_t(1));
        QVERIFY(tailer.close().isOk());
        auto saved = Positions::load(Env::posix(), options.positionsFile);
        QVERIFY(!saved->get(first.toStdString()));
        QVERIFY(saved->get(second.toStdString()));
    }

    void largeBacklogIsReadOverSeveralPolls() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/big.log";
        const std::string line(99, 'b');
        std::string text;
        for (int i = 0; i < 400000; ++i)  // 40 MB
            text += line + "\n";
        append(log, text);
        RecordingWriter writer;
        Tailer tailer(fileOptions(dir.path(), log.toStdString()), writer);
        QVERIFY(tailer.open().isOk());
        const std::size_t first = tailer.poll();
        QVERIFY2(first > 0 && first < 400000, std::to_string(first).c_str());
        std::size_t total = first;
        int polls = 1;
        while (std::size_t n = tailer.poll()) {
            total += n;
            ++polls;
        }
        QCOMPARE(total, std::size_t(400000));
        QCOMPARE(polls, 3);  // 16 MiB, 16 MiB, the rest
        QVERIFY(tailer.close().isOk());
    }

    void globs_data() {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("matches");
        QTest::newRow("star") << "/v/*.log"
                              << "/v/a.log" << true;
        QTest::newRow("star-no-slash") << "/v/*.log"
                                       << "/v/x/a.log" << false;
        QTest::newRow("dot-file") << "/v/*.log"
                                  << "/v/.a.log" << true;
        QTest::newRow("doublestar-zero") << "/v/**/*.log"
                                         << "/v/a.log" << true;
        QTest::newRow("doublestar-deep") << "/v/**/*.log"
                                         << "/v/x/y/z/a.log" << true;
        QTest::newRow("doublestar-middle") << "/v/**/app/*.log"
                                           << "/v/x/app/a.log" << true;
        QTest::newRow("doublestar-wrong") << "/v/**/app/*.log"
                                          << "/v/x/other/a.log" << false;
        QTest::newRow("question") << "/v/a?.log"
                                  << "/v/ab.log" << true;
        QTest::newRow("class") << "/v/[ab].log"
                               << "/v/c.log" << false;
        QTest::newRow("literal") << "/var/log/syslog"
                                 << "/var/log/syslog" << true;
    }
    void globs() {
        QFETCH(QString, pattern);
        QFETCH(QString, path);
        QFETCH(bool, matches);
        QCOMPARE(globMatch(pattern.toStdString(), path.toStdString()), matches);
    }

    void globExpansionWithExclude() {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        QDir().mkpath(dir.path() + "/x/y");
        QDir().mkpath(dir.path() + "/private");
        for (const char* name : {"/a.log", "/x/b.log", "/x/y/c.log", "/x/y/c.txt",
                                 "/private/secret.log", "/old.log.gz"})
            append(dir.path() + name, "line " + std::string(name) + "\n");
        const auto all = expandGlob(root + "/**/*.log");
        QCOMPARE(all.size(), std::size_t(4));
        QCOMPARE(globBaseDir(root + "/**/*.log"), root);
        RecordingWriter writer;
        Tailer tailer(fileOptions(dir.path(), root + "/**/*.log*", root + "/private/*"), writer);
        QVERIFY(tailer.open().isOk());
        tailer.poll();
        std::vector<std::string> lines = writer.lines;
        std::sort(lines.begin(), lines.end());
        QCOMPARE(lines, strings({"line /a.log", "line /x/b.log", "line /x/y/c.log"}));
        QVERIFY(tailer.close().isOk());
    }

    void partialAndLongLines() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        RecordingWriter writer;
        auto options = fileOptions(dir.path(), log.toStdString());
        options.maxLineLength = 10;
        append(log, "");
        Tailer tailer(options, writer);
        QVERIFY(tailer.open().isOk());
        append(log, "abc");
        QCOMPARE(tailer.poll(), std::size_t(0));  // waits for the newline
        append(log, "def\n");
        tailer.poll();
        append(log, "0123456789ABCDEF\nshort\n");
        tailer.poll();
        // Longer than one read chunk, without a newline for a while.
        append(log, std::string(600000, 'x'));
        tailer.poll();
        append(log, "yz\nend\n");
        tailer.poll();
        QCOMPARE(writer.lines, strings({"abcdef", "0123456789", "short", "xxxxxxxxxx", "end"}));
        QCOMPARE(tailer.truncatedLines(), std::uint64_t(2));
        QVERIFY(tailer.close().isOk());
    }

    void journalParser() {
        auto record = parseJournalJson(
            "{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1700000000123456\",\"PRIORITY\":"
            "\"3\",\"_SYSTEMD_UNIT\":\"a.service\",\"MESSAGE\":\"hello\"}",
            false);
        QVERIFY2(record.isOk(), record.status().message().c_str());
        QCOMPARE(record->tsNs, TimestampNs(1700000000123456000));
        QCOMPARE(record->line, std::string("hello"));
        QCOMPARE(record->cursor, std::string("s=1"));
        QCOMPARE(record->labels.get("__journal__systemd_unit"), std::string_view("a.service"));
        QCOMPARE(record->labels.get("__journal_priority_keyword"), std::string_view("error"));
        auto bytes =
            parseJournalJson("{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":[104,105,255]}", false);
        QVERIFY(bytes.isOk());
        QCOMPARE(bytes->line, std::string("hi\xff"));
        const std::string json = "{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"m\"}";
        auto whole = parseJournalJson(json, true);
        QCOMPARE(whole->line, json);
        QVERIFY(!parseJournalJson("{\"MESSAGE\":\"m\"}", false).isOk());
        QVERIFY(!parseJournalJson("not json", false).isOk());
    }

    void journalSourceThroughJournalctl() {
        // journald does not run here (see fake_journalctl.sh for why): a
        // script replays recorded `journalctl -o json` output.
        QTemporaryDir dir;
        const QString fixtures = QStringLiteral(VIGIL_TEST_DATA_DIR);
        const QString argsFile = dir.path() + "/args.txt";
        qputenv("FAKE_JOURNALCTL_ARGS", argsFile.toUtf8());
        qputenv("FAKE_JOURNALCTL_FIXTURE", (fixtures + "/journal.jsonl").toUtf8());
        TailerOptions options;
        options.positionsFile = (dir.path() + "/positions.yaml").toStdString();
        options.journalctl = (fixtures + "/fake_journalctl.sh").toStdString();
        config::LogScrapeConfig job;
        job.jobName = "journal";
        job.journal.emplace();
        job.journal->path = dir.path().toStdString();  // --directory
        job.journal->matches = "_SYSTEMD_UNIT=ssh.service _SYSTEMD_UNIT=cron.service";
        job.journal->labels["job"] = "systemd-journal";
        scrape::RelabelConfig unit;
        unit.sourceLabels = {"__journal__systemd_unit"};
        unit.targetLabel = "unit";
        job.relabelConfigs.push_back(unit);
        options.config.scrapeConfigs.push_back(job);

        RecordingWriter writer;
        {
            Tailer tailer(options, writer);
            QVERIFY(tailer.open().isOk());
            QTRY_VERIFY_WITH_TIMEOUT((tailer.poll(), writer.lines.size() == 3), 5000);
            QVERIFY(tailer.close().isOk());
        }
        // One push, grouped by stream: ssh.service's two entries, then cron's.
        QCOMPARE(writer.lines,
                 strings({"Accepted publickey for alice from 10.0.0.2 port 52144 ssh2",
                          "Connection closed by 10.0.0.3 port 40022", "hi\xff!"}));
        QCOMPARE(writer.times[0], TimestampNs(1700000000123456000));
        QCOMPARE(writer.labels[0].toString(),
                 std::string("{job=\"systemd-journal\", unit=\"ssh.service\"}"));
        QCOMPARE(writer.labels[2].get("unit"), std::string_view("cron.service"));
        QCOMPARE(writer.times[2], TimestampNs(1700000001000000000));
        const std::string args = readAll(argsFile);
        QVERIFY2(args.find("--output=json\n--follow\n") != std::string::npos, args.c_str());
        QVERIFY2(args.find("--since=-25200s\n") != std::string::npos, args.c_str());
        QVERIFY2(args.find("--directory=" + dir.path().toStdString() + "\n") != std::string::npos,
                 args.c_str());
        QVERIFY2(args.find("_SYSTEMD_UNIT=ssh.service\n_SYSTEMD_UNIT=cron.service\n") !=
                     std::string::npos,
                 args.c_str());
        auto saved = Positions::load(Env::posix(), options.positionsFile);
        QCOMPARE(saved->get("journal-journal").value_or(""),
                 std::string("s=6e1c;i=103;b=a1;m=3f;t=5f0c;x=3"));

        // A restart continues after the saved cursor: nothing is read twice.
        Tailer again(options, writer);
        QVERIFY(again.open().isOk());
        QTRY_VERIFY_WITH_TIMEOUT(
            readAll(argsFile).find("--after-cursor=s=6e1c;i=103") != std::string::npos, 5000);
        for (int i = 0; i < 5; ++i) {
            again.poll();
            QTest::qWait(20);
        }
        QVERIFY(again.close().isOk());
        QCOMPARE(writer.lines.size(), std::size_t(3));
    }

    void journalctlExitIsReported() {
        QTemporaryDir dir;
        const QString fixtures = QStringLiteral(VIGIL_TEST_DATA_DIR);
        qputenv("FAKE_JOURNALCTL_ARGS", (dir.path() + "/args.txt").toUtf8());
        qputenv("FAKE_JOURNALCTL_FIXTURE", (fixtures + "/journal.jsonl").toUtf8());
        qputenv("FAKE_JOURNALCTL_FAIL", "Failed to seek to cursor: Invalid argument");
        TailerOptions options;
        options.positionsFile = (dir.path() + "/positions.yaml").toStdString();
        options.journalctl = (fixtures + "/fake_journalctl.sh").toStdString();
        config::LogScrapeConfig job;
        job.jobName = "journal";
        job.journal.emplace();
        job.journal->path = dir.path().toStdString();
        options.config.scrapeConfigs.push_back(job);
        RecordingWriter writer;
        Tailer tailer(options, writer);
        QVERIFY(tailer.open().isOk());
        // What it printed before exiting is stored; the exit is the target's error.
        QTRY_VERIFY_WITH_TIMEOUT((tailer.poll(), !tailer.targets().at(0).error.empty()), 5000);
        qunsetenv("FAKE_JOURNALCTL_FAIL");
        QCOMPARE(writer.lines.size(), std::size_t(3));
        QCOMPARE(tailer.targets().at(0).error,
                 std::string("journalctl exited with status 1: Failed to seek to cursor: Invalid "
                             "argument"));
        QCOMPARE(tailer.targets().at(0).cursor, std::string("s=6e1c;i=103;b=a1;m=3f;t=5f0c;x=3"));
        QVERIFY(tailer.close().isOk());

        // A program that does not exist.
        options.journalctl = (dir.path() + "/no-such-journalctl").toStdString();
        Tailer missing(options, writer);
        QVERIFY(missing.open().isOk());
        missing.poll();
        QVERIFY2(missing.targets().at(0).error.find("cannot run") == 0,
                 missing.targets().at(0).error.c_str());
        QVERIFY(missing.close().isOk());
    }

    void journalWithoutJournald() {
        QTemporaryDir dir;
        if (QFileInfo::exists("/run/systemd/journal"))
            QSKIP("this machine runs journald; the test is for machines without it");
        TailerOptions options;
        options.positionsFile = (dir.path() + "/positions.yaml").toStdString();
        config::LogScrapeConfig job;
        job.jobName = "journal";
        job.journal.emplace();
        options.config.scrapeConfigs.push_back(job);
        RecordingWriter writer;
        Tailer tailer(options, writer);
        QVERIFY(tailer.open().isOk());  // not fatal: the target shows why
        tailer.poll();
        auto targets = tailer.targets();
        QCOMPARE(targets.size(), std::size_t(1));
        QVERIFY2(targets[0].error.find("/run/systemd/journal") != std::string::npos,
                 targets[0].error.c_str());
        QVERIFY(tailer.close().isOk());
    }

    void serviceSyncsPositionsPeriodically() {
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        append(log, "p1\np2\n");
        RecordingWriter writer;
        auto options = fileOptions(dir.path(), log.toStdString());
        options.config.positions.syncPeriod = std::chrono::milliseconds(100);
        TailerService service(options, writer);
        QVERIFY(service.start().isOk());
        // Written while running, without a stop.
        QTRY_VERIFY_WITH_TIMEOUT(
            readAll(QString::fromStdString(options.positionsFile)).find("\"6\"") !=
                std::string::npos,
            5000);
        append(log, "p3\n");
        QTRY_COMPARE_WITH_TIMEOUT(writer.snapshot().size(), std::size_t(3), 5000);
        service.stop();
        auto saved = Positions::load(Env::posix(), options.positionsFile);
        QCOMPARE(saved->offset(log.toStdString()).value_or(0), std::uint64_t(9));
        QVERIFY(service.targets().empty());  // stopped
    }

    void serviceStoresAppendedLineFast() {
        // inotify wakes the tailer: with a 10 s poll period, a line still
        // arrives at once.
        QTemporaryDir dir;
        const QString log = dir.path() + "/app.log";
        append(log, "");
        RecordingWriter writer;
        auto options = fileOptions(dir.path(), log.toStdString());
        options.config.fileWatch.minPollFrequency = std::chrono::seconds(10);
        options.config.fileWatch.maxPollFrequency = std::chrono::seconds(10);
        TailerService service(options, writer);
        QVERIFY(service.start().isOk());
        QTest::qWait(100);  // the first discovery
        std::vector<double> latencies;
        for (int i = 0; i < 20; ++i) {
            const auto start = std::chrono::steady_clock::now();
            append(log, "line " + std::to_string(i) + "\n");
            while (writer.snapshot().size() < std::size_t(i + 1) &&
                   std::chrono::steady_clock::now() - start < std::chrono::seconds(5))
                std::this_thread::sleep_for(std::chrono::microseconds(200));
            latencies.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count());
        }
        service.stop();
        QCOMPARE(writer.snapshot().size(), std::size_t(20));
        std::sort(latencies.begin(), latencies.end());
        qInfo("append-to-store latency: median %.2f ms, max %.2f ms", latencies[10],
              latencies.back());
        QVERIFY2(latencies[10] < 250, "median latency is not below the poll period");
    }
};

QTEST_GUILESS_MAIN(TestTailer)
#include "tst_tailer.moc"
