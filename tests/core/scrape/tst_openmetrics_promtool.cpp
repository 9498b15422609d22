// Conformance with the real thing: every input is fed both to Vigil's
// OpenMetrics parser and to `promtool tsdb create-blocks-from openmetrics`
// (Prometheus 2.42, Debian 12), which is what `vigilctl tsdb import
// openmetrics` replaces. Both must accept or reject the same inputs; accepted
// inputs must give the same samples (labels, value, millisecond timestamp, as
// `promtool tsdb dump` prints them) and rejected ones the same kind of error.
// promtool's backfill needs a timestamp on every sample, so all inputs have one.

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>

#include "core/scrape/openmetrics_parser.h"

using namespace vigil;
using namespace vigil::scrape;

namespace {

template <std::size_t N>
QByteArray bytes(const char (&s)[N]) {
    return QByteArray(s, static_cast<qsizetype>(N - 1));
}

struct Outcome {
    bool accepted = false;
    QString error;        // the parser's message, without "line N: " / promtool's prefixes
    QStringList samples;  // `{labels} value ts`, sorted
};

QString formatValue(double v) {
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    return QString::number(v, 'g', 17);
}

// Canonical text of one dump line or one parsed sample.
QString sampleLine(const QString& labels, double value, qint64 ts) {
    return labels + " " + formatValue(value) + " " + QString::number(ts);
}

// Error kind: the message up to the quoted excerpt (", got ..." / " while
// parsing: ..."), which the two implementations render differently.
QString errorHead(QString message) {
    static const QRegularExpression kTokenKind(" \\(\"[A-Z]+\"\\)");
    message.remove(kTokenKind);
    for (const char* cut : {", got ", " while parsing: "}) {
        const qsizetype i = message.indexOf(QLatin1String(cut));
        if (i >= 0)
            message.truncate(i);
    }
    return message.trimmed();
}

QByteArray fixture(const QString& name) {
    QFile f(QFINDTESTDATA("testdata/" + name));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

Outcome parseWithVigil(const QByteArray& input) {
    Outcome out;
    OpenMetricsParser parser(
        std::string_view(input.constData(), static_cast<std::size_t>(input.size())));
    for (;;) {
        Entry e = parser.next();
        if (e == Entry::kEnd)
            break;
        if (e == Entry::kInvalid) {
            QString message = QString::fromStdString(parser.status().message());
            message.remove(QRegularExpression("^line [0-9]+: "));
            out.error = errorHead(message);
            return out;
        }
        if (e != Entry::kSeries)
            continue;
        QStringList labels;
        parser.forEachLabel([&](std::string_view name, std::string_view value) {
            if (!value.empty())
                labels << QString::fromStdString(std::string(name)) + "=" +
                              QString::fromStdString(goQuote(value));
        });
        std::sort(labels.begin(), labels.end());
        out.samples << sampleLine("{" + labels.join(", ") + "}", parser.value(),
                                  parser.timestamp().value_or(-1));
    }
    out.accepted = true;
    std::sort(out.samples.begin(), out.samples.end());
    return out;
}

Outcome parseWithPromtool(const QString& promtool, const QByteArray& input, QTemporaryDir& dir) {
    Outcome out;
    const QString file = dir.filePath("in.om");
    const QString blocks = dir.filePath("blocks");
    QFile f(file);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(input);
    f.close();
    QDir(blocks).removeRecursively();
    QProcess create;
    create.start(promtool, {"tsdb", "create-blocks-from", "openmetrics", file, blocks});
    create.waitForFinished(60000);
    if (create.exitCode() != 0) {
        QString message = QString::fromUtf8(create.readAllStandardError()).trimmed();
        message.remove("getting min and max timestamp: ");
        message.remove("block creation: process blocks: add sample: ");
        message.remove(": invalid sample");
        message.remove(QRegularExpression("^next: "));
        out.error = errorHead(message);
        return out;
    }
    out.accepted = true;
    QDir().mkpath(blocks + "/wal");
    QProcess dump;
    dump.start(promtool, {"tsdb", "dump", blocks});
    dump.waitForFinished(60000);
    const QStringList lines =
        QString::fromUtf8(dump.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
    for (const QString& line : lines) {
        // {__name__="m", k="a"} 1 1000
        const qsizetype close = line.lastIndexOf('}');
        const QStringList rest = line.mid(close + 1).trimmed().split(' ');
        if (rest.size() != 2)
            continue;
        out.samples << sampleLine(line.left(close + 1), rest[0].toDouble(), rest[1].toLongLong());
    }
    std::sort(out.samples.begin(), out.samples.end());
    return out;
}

}  // namespace

class TestOpenMetricsPromtool : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void sameAsPromtool_data();
    void sameAsPromtool();

private:
    QString m_promtool;
};

void TestOpenMetricsPromtool::initTestCase() {
    m_promtool = QStandardPaths::findExecutable("promtool");
    if (m_promtool.isEmpty())
        QSKIP("promtool (Debian package prometheus) is not installed");
}

void TestOpenMetricsPromtool::sameAsPromtool_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("deviation");
    // Accepted.
    QTest::newRow("counter")
        << bytes("# HELP a A counter.\n# TYPE a counter\na_total 1 1\na_created 1 1\n# EOF\n")
        << QString();
    QTest::newRow("escapes")
        << bytes("m{a=\"x\\\\y\",b=\"q\\\"t\",c=\"l\\nn\",d=\"\\t\"} 1 1\n# EOF\n") << QString();
    QTest::newRow("special values")
        << bytes("a NaN 1\nb +Inf 1\nc -Inf 1\nd -0 1\n# EOF") << QString();
    QTest::newRow("number syntax")
        << bytes(
               "a 1e3 1\nb .5 1\nc 5. 1\nd +1 1\ne 1.7976931348623157e308 1\nf "
               "0.1000000000000000055511151231257827 1\n# EOF\n")
        << QString();
    QTest::newRow("float timestamps")
        << bytes(
               "m{k=\"a\"} 1 1.001\nm{k=\"b\"} 1 1e3\nm{k=\"c\"} 1 0.0009\nm{k=\"d\"} 1 "
               "1600000000.0019\nm{k=\"e\"} 1 1.6000000451e9\n# EOF\n")
        << QString();
    QTest::newRow("exemplars")
        << bytes(
               "# TYPE a counter\na_total 1 1 # {x=\"y\"} 1 1\n# TYPE h "
               "histogram\nh_bucket{le=\"+Inf\"} 2 1 # {} 0.5\nh_count 2 1\n# EOF\n")
        << QString();
    QTest::newRow("empty braces, empty value")
        << bytes("d{} 1 1\ne{f=\"\"} 1 1\n# EOF\n") << QString();
    QTest::newRow("fixture histogram_timeseries.om.txt")
        << fixture("histogram_timeseries.om.txt") << QString();
    // Known, deliberate differences: the test pins them so that they stay
    // deliberate.
    QTest::newRow("trailing comma in labels")
        << bytes("a{b=\"c\",} 1 1\n# EOF\n")
        << QString("accepted like newer Prometheus (and the 0.0.4 parser); 2.42 rejects it");

    QTest::newRow("units and all types")
        << bytes(
               "# TYPE t_seconds gauge\n# UNIT t_seconds seconds\nt_seconds 1 1\n# TYPE s "
               "stateset\ns{s=\"a\"} 1 1\n# TYPE i info\ni_info{v=\"1\"} 1 1\n# TYPE g "
               "gaugehistogram\ng_bucket{le=\"+Inf\"} 1 1\ng_gcount 1 1\ng_gsum 1 1\n# TYPE q "
               "summary\nq{quantile=\"0.5\"} 1 1\nq_sum 1 1\nq_count 1 1\n# TYPE u unknown\nu 1 "
               "1\n# EOF\n")
        << QString();
    QTest::newRow("empty help, colons, unicode")
        << bytes("# HELP m \nm:x{a=\"\xc3\xbc\xe2\x82\xac\"} 1 1\n# EOF\n") << QString();
    QTest::newRow("eof without newline") << bytes("a 1 1\n# EOF") << QString();
    // Rejected.
    QTest::newRow("no eof") << bytes("a 1 1\n") << QString();
    QTest::newRow("blank line") << bytes("a 1 1\n\n# EOF\n") << QString();
    QTest::newRow("comment") << bytes("# hello\na 1 1\n# EOF\n") << QString();
    QTest::newRow("data after eof") << bytes("a 1 1\n# EOF\nb 1 1\n") << QString();
    QTest::newRow("untyped") << bytes("# TYPE a untyped\na 1 1\n# EOF\n") << QString();
    QTest::newRow("type with two spaces") << bytes("# TYPE a  counter\n# EOF\n") << QString();
    QTest::newRow("unit mismatch") << bytes("# UNIT a_bytes seconds\n# EOF\n") << QString();
    QTest::newRow("help without text") << bytes("# HELP a\n# EOF\n") << QString();
    QTest::newRow("space after comma") << bytes("a{b=\"c\", d=\"e\"} 1 1\n# EOF\n") << QString();
    QTest::newRow("missing comma") << bytes("a{b=\"c\"d=\"e\"} 1 1\n# EOF\n") << QString();
    QTest::newRow("double comma") << bytes("a{b=\"c\",,d=\"e\"} 1 1\n# EOF\n") << QString();
    QTest::newRow("single quotes") << bytes("a{b='c'} 1 1\n# EOF\n") << QString();
    QTest::newRow("newline in value") << bytes("a{b=\"c\nd\"} 1 1\n# EOF\n") << QString();
    QTest::newRow("invalid utf8") << bytes("a{b=\"\xff\"} 1 1\n# EOF\n") << QString();
    QTest::newRow("tab separator") << bytes("a\t1 1\n# EOF\n") << QString();
    QTest::newRow("two spaces before value") << bytes("a  1 1\n# EOF\n") << QString();
    QTest::newRow("value underscore") << bytes("a 1_0 1\n# EOF\n") << QString();
    QTest::newRow("hex value") << bytes("a 0x1p3 1\n# EOF\n") << QString();
    QTest::newRow("bad value") << bytes("a one 1\n# EOF\n") << QString();
    QTest::newRow("NaN timestamp") << bytes("a 1 NaN\n# EOF\n") << QString();
    QTest::newRow("Inf timestamp") << bytes("a 1 +Inf\n# EOF\n") << QString();
    QTest::newRow("bad timestamp") << bytes("a 1 1z\n# EOF\n") << QString();
    QTest::newRow("extra field") << bytes("a 1 1 1\n# EOF\n") << QString();
    QTest::newRow("exemplar on plain name") << bytes("a 1 1 # {x=\"y\"} 1\n# EOF\n") << QString();
    QTest::newRow("exemplar without value")
        << bytes("a_total 1 1 # {x=\"y\"}\n# EOF\n") << QString();
    QTest::newRow("exemplar bad timestamp")
        << bytes("a_total 1 1 # {x=\"y\"} 1 NaN\n# EOF\n") << QString();
    QTest::newRow("leading space") << bytes(" a 1 1\n# EOF\n") << QString();
    QTest::newRow("brace first") << bytes("{a=\"b\"} 1 1\n# EOF\n") << QString();
    // promtool rejects this when appending, Vigil's parser already.
    QTest::newRow("repeated label name") << bytes("a{b=\"c\",b=\"d\"} 1 1\n# EOF\n") << QString();
    QTest::newRow("empty label name") << bytes("a{=\"b\"} 1 1\n# EOF\n") << QString();
}

void TestOpenMetricsPromtool::sameAsPromtool() {
    QFETCH(QByteArray, input);
    QFETCH(QString, deviation);
    QVERIFY(!input.isEmpty());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Outcome theirs = parseWithPromtool(m_promtool, input, dir);
    const Outcome ours = parseWithVigil(input);
    if (!deviation.isEmpty()) {
        QVERIFY2(ours.accepted != theirs.accepted, qPrintable(deviation));
        return;
    }
    QCOMPARE(ours.accepted, theirs.accepted);
    if (theirs.accepted)
        QCOMPARE(ours.samples, theirs.samples);
    else
        QCOMPARE(ours.error, theirs.error);
}

QTEST_GUILESS_MAIN(TestOpenMetricsPromtool)
#include "tst_openmetrics_promtool.moc"
