// Index: postings for matchers with Prometheus's semantics (checked against
// a brute-force evaluation of model::Matcher over every series), label
// names/values, and that every flipped byte or truncation is detected.

#include <QTemporaryDir>
#include <QtTest>

#include "core/model/matcher.h"
#include "core/tsdb/index/index_reader.h"
#include "core/tsdb/index/index_writer.h"
#include "tests/core/tsdb/block/block_test_util.h"

using namespace vigil;
using namespace vigil::tsdb;
using model::MatchType;

Q_DECLARE_METATYPE(model::MatchType)

namespace {

std::vector<model::Labels> fixtureSeries() {
    std::vector<model::Labels> s = {
        {{"__name__", "up"}, {"job", "node"}, {"instance", "a"}},
        {{"__name__", "up"}, {"job", "node"}, {"instance", "b"}, {"env", "prod"}},
        {{"__name__", "up"}, {"job", "api"}, {"instance", "a"}, {"env", ""}},
        {{"__name__", "http_requests_total"}, {"job", "api"}, {"path", "/x"}},
        {{"__name__", "http_requests_total"}, {"job", "api"}, {"path", "/y"}, {"env", "dev"}},
        {{"__name__", "load"}, {"instance", "c"}},
        {{"__name__", "load"}, {"instance", "1"}, {"env", "prod"}},
    };
    std::sort(s.begin(), s.end());
    return s;
}

Result<std::unique_ptr<IndexReader>> writeAndOpen(Env* env, const std::string& path,
                                                  const std::vector<model::Labels>& series) {
    IndexWriter w;
    std::int64_t t = 0;
    for (const auto& l : series) {
        Status st = w.addSeries(l, {ChunkMeta{t, t + 10, 8}, ChunkMeta{t + 11, t + 20, 40}});
        if (!st.isOk())
            return st;
        t += 1000;
    }
    Status st = w.finish(env, path);
    if (!st.isOk())
        return st;
    auto file = MappedFile::open(env, path);
    if (!file)
        return file.status();
    return IndexReader::open(*file);
}

}  // namespace

class TestIndex : public QObject {
    Q_OBJECT

private slots:
    void postingsForMatchers_data();
    void postingsForMatchers();
    void seriesRoundTrip();
    void labelNamesAndValues();
    void everyFlippedByteIsDetected();
    void everyTruncationIsDetected();
};

void TestIndex::postingsForMatchers_data() {
    QTest::addColumn<QStringList>("matchers");  // "name<op>value", op one of = != =~ !~
    QTest::newRow("eq") << QStringList{"job=node"};
    QTest::newRow("eq absent value") << QStringList{"job=nope"};
    QTest::newRow("eq empty selects missing") << QStringList{"__name__=~.+", "env="};
    QTest::newRow("neq empty") << QStringList{"env!="};
    QTest::newRow("neq value keeps missing") << QStringList{"env!=prod"};
    QTest::newRow("re") << QStringList{"job=~n.*"};
    QTest::newRow("re anchored") << QStringList{"job=~od"};
    QTest::newRow("re matching empty") << QStringList{"env=~prod|"};
    QTest::newRow("re any") << QStringList{"env=~.*"};
    QTest::newRow("nre") << QStringList{"instance!~a|b"};
    QTest::newRow("nre all") << QStringList{"instance!~.*"};
    QTest::newRow("nre nonempty") << QStringList{"env!~.+"};
    QTest::newRow("combined") << QStringList{"__name__=up", "env!=prod", "instance=~a|b"};
    QTest::newRow("only negatives") << QStringList{"job!=api", "env!~dev"};
    QTest::newRow("missing name") << QStringList{"nolabel=", "job=api"};
    QTest::newRow("missing name nonempty") << QStringList{"nolabel=~.+"};
    QTest::newRow("empty list") << QStringList{};
}

void TestIndex::postingsForMatchers() {
    QFETCH(QStringList, matchers);
    QTemporaryDir tmp;
    auto series = fixtureSeries();
    auto reader = writeAndOpen(Env::posix(), tmp.filePath("index").toStdString(), series);
    QVERIFY2(reader.isOk(), reader.status().message().c_str());
    std::vector<model::Matcher> ms;
    for (const QString& m : matchers) {
        static const std::pair<const char*, MatchType> ops[] = {{"!~", MatchType::kNotRegexp},
                                                                {"=~", MatchType::kRegexp},
                                                                {"!=", MatchType::kNotEqual},
                                                                {"=", MatchType::kEqual}};
        for (const auto& [op, type] : ops) {
            int at = m.indexOf(op);
            if (at < 0)
                continue;
            auto made =
                model::Matcher::make(type, m.left(at).toStdString(),
                                     m.mid(at + static_cast<int>(std::strlen(op))).toStdString());
            QVERIFY(made.isOk());
            ms.push_back(made.value());
            break;
        }
    }
    QCOMPARE(ms.size(), static_cast<std::size_t>(matchers.size()));
    auto got = (*reader)->postingsForMatchers(ms);
    QVERIFY(got.isOk());
    Postings want;
    for (std::uint32_t i = 0; i < series.size(); ++i)
        if (model::matchesAll(ms, series[i]))
            want.push_back(i);
    QCOMPARE(*got, want);
}

void TestIndex::seriesRoundTrip() {
    QTemporaryDir tmp;
    auto series = fixtureSeries();
    auto reader = writeAndOpen(Env::posix(), tmp.filePath("index").toStdString(), series);
    QVERIFY(reader.isOk());
    QCOMPARE((*reader)->numSeries(), std::uint32_t(series.size()));
    for (std::uint32_t i = 0; i < series.size(); ++i) {
        model::Labels l;
        std::vector<ChunkMeta> chunks;
        QVERIFY((*reader)->series(i, &l, &chunks).isOk());
        QCOMPARE(l, series[i]);
        QCOMPARE(chunks.size(), std::size_t(2));
        QCOMPARE(chunks[0].mint, std::int64_t(i) * 1000);
        QCOMPARE(chunks[1].maxt, std::int64_t(i) * 1000 + 20);
        QCOMPARE(chunks[1].ref, std::uint64_t(40));
    }
    QVERIFY(!(*reader)->series(static_cast<std::uint32_t>(series.size()), nullptr, nullptr).isOk());
    // Writer contract: strictly increasing labels.
    IndexWriter w;
    QVERIFY(w.addSeries(series[1], {}).isOk());
    QVERIFY(!w.addSeries(series[0], {}).isOk());
    QVERIFY(!w.addSeries(series[1], {}).isOk());
}

void TestIndex::labelNamesAndValues() {
    QTemporaryDir tmp;
    auto reader = writeAndOpen(Env::posix(), tmp.filePath("index").toStdString(), fixtureSeries());
    QVERIFY(reader.isOk());
    auto names = (*reader)->labelNames();
    std::vector<std::string> n(names.begin(), names.end());
    QCOMPARE(n, (std::vector<std::string>{"__name__", "env", "instance", "job", "path"}));
    auto values = (*reader)->labelValues("env");
    std::vector<std::string> v(values.begin(), values.end());
    QCOMPARE(v, (std::vector<std::string>{"dev", "prod"}));
    QVERIFY((*reader)->labelValues("nope").empty());
    auto c = (*reader)->postingsCount("__name__", "up");
    QVERIFY(c.isOk());
    QCOMPARE(*c, std::uint64_t(3));
}

void TestIndex::everyFlippedByteIsDetected() {
    // Every byte is under the header magic, a section CRC or the TOC CRC.
    QTemporaryDir tmp;
    Env* env = Env::posix();
    const std::string path = tmp.filePath("index").toStdString();
    QVERIFY(writeAndOpen(env, path, fixtureSeries()).isOk());
    const std::string original = readFile(env, path).value();
    for (std::size_t i = 0; i < original.size(); ++i) {
        if (i == 4)
            continue;  // the version byte: checked separately below
        std::string bad = original;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        QVERIFY(writeFileAtomically(env, path, bad).isOk());
        auto file = MappedFile::open(env, path);
        QVERIFY(file.isOk());
        auto r = IndexReader::open(*file);
        QVERIFY2(!r.isOk(), ("flip at " + std::to_string(i) + " not detected").c_str());
        QCOMPARE(r.status().code(), Status::Code::kCorruption);
        QVERIFY2(r.status().message().find(path) != std::string::npos,
                 r.status().message().c_str());
    }
    std::string bad = original;
    bad[4] = 2;
    QVERIFY(writeFileAtomically(env, path, bad).isOk());
    auto r = IndexReader::open(MappedFile::open(env, path).value());
    QVERIFY(!r.isOk());
    QVERIFY2(r.status().message().find("version") != std::string::npos,
             r.status().message().c_str());
}

void TestIndex::everyTruncationIsDetected() {
    QTemporaryDir tmp;
    Env* env = Env::posix();
    const std::string path = tmp.filePath("index").toStdString();
    QVERIFY(writeAndOpen(env, path, fixtureSeries()).isOk());
    const std::string original = readFile(env, path).value();
    for (std::size_t n = 0; n < original.size(); ++n) {
        QVERIFY(writeFileAtomically(env, path, original.substr(0, n)).isOk());
        auto file = MappedFile::open(env, path);
        QVERIFY(file.isOk());
        auto r = IndexReader::open(*file);
        QVERIFY2(!r.isOk(), ("truncation to " + std::to_string(n) + " not detected").c_str());
    }
}

QTEST_GUILESS_MAIN(TestIndex)
#include "tst_index.moc"
