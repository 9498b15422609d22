// Table-driven tests of the LogQL lexer, parser, validation and rendering.

#include <QtTest>

#include "core/logs/logql/lexer.h"
#include "core/logs/logql/parser.h"

using namespace vigil::logql;

namespace {

struct ValidCase {
    const char* query;
    const char* rendered;  // canonical form from toString()
};

// Valid queries and their canonical rendering (reviewed by hand: `,` between
// label filters renders as `and`, raw strings as Go-quoted strings, the range
// moves after the pipeline, a trailing `by` moves before the aggregation).
const ValidCase kValid[] = {
    {"{app=\"shop\"}", "{app=\"shop\"}"},
    {"{app = \"shop\" , env != \"dev\"}", "{app=\"shop\", env!=\"dev\"}"},
    {"{path=~`/var/log/[a-z]+\\.log`}", "{path=~\"/var/log/[a-z]+\\\\.log\"}"},
    {"{app=\"a\\\"b\\\\c\\n\"}", "{app=\"a\\\"b\\\\c\\n\"}"},
    {"{app=\"shop\"} |= \"timeout\"", "{app=\"shop\"} |= \"timeout\""},
    {"{app=\"shop\"} != \"healthz\" != \"readyz\"", "{app=\"shop\"} != \"healthz\" != \"readyz\""},
    {"{app=\"shop\"} |~ \"status=(4|5)\\\\d\\\\d\"",
     "{app=\"shop\"} |~ \"status=(4|5)\\\\d\\\\d\""},
    {"{app=\"shop\"} !~ `(?i)debug`", "{app=\"shop\"} !~ \"(?i)debug\""},
    {"{app=\"shop\"} |= \"panic\" or \"fatal\" or \"oops\"",
     "{app=\"shop\"} |= \"panic\" or \"fatal\" or \"oops\""},
    {"{app=\"shop\"} != \"a\" or \"b\"", "{app=\"shop\"} != \"a\" or \"b\""},
    {"{app=\"shop\"} |> \"<_> method=POST <_>\"", "{app=\"shop\"} |> \"<_> method=POST <_>\""},
    {"{app=\"shop\"} !> \"<_> GET <_>\"", "{app=\"shop\"} !> \"<_> GET <_>\""},
    {"{app=\"shop\"} |= ip(\"10.0.0.0/8\")", "{app=\"shop\"} |= ip(\"10.0.0.0/8\")"},
    {"{app=\"shop\"} != ip(\"192.168.0.1-192.168.0.9\")",
     "{app=\"shop\"} != ip(\"192.168.0.1-192.168.0.9\")"},
    {"{app=\"shop\"} |= ip(\"::1\")", "{app=\"shop\"} |= ip(\"::1\")"},
    {"{app=\"shop\"} | decolorize", "{app=\"shop\"} | decolorize"},
    {"{app=\"shop\"} | json", "{app=\"shop\"} | json"},
    {"{app=\"shop\"} | json code=\"response.status\", agent=`request.headers[\"User-Agent\"]`",
     "{app=\"shop\"} | json code=\"response.status\", "
     "agent=\"request.headers[\\\"User-Agent\\\"]\""},
    {"{app=\"shop\"} | json servers, first=\"servers[0]\"",
     "{app=\"shop\"} | json servers, first=\"servers[0]\""},
    {"{app=\"shop\"} | logfmt", "{app=\"shop\"} | logfmt"},
    {"{app=\"shop\"} | logfmt --strict", "{app=\"shop\"} | logfmt --strict"},
    {"{app=\"shop\"} | logfmt --keep-empty level, ip=\"remote_addr\"",
     "{app=\"shop\"} | logfmt --keep-empty level, ip=\"remote_addr\""},
    {"{app=\"shop\"} | regexp \"(?P<verb>[A-Z]+) (?P<uri>\\\\S+)\"",
     "{app=\"shop\"} | regexp \"(?P<verb>[A-Z]+) (?P<uri>\\\\S+)\""},
    {"{app=\"shop\"} | pattern \"<ip> - <_> \\\"<method> <path>\\\"\"",
     "{app=\"shop\"} | pattern \"<ip> - <_> \\\"<method> <path>\\\"\""},
    {"{app=\"shop\"} | unpack", "{app=\"shop\"} | unpack"},
    {"{app=\"shop\"} | logfmt | status >= 500", "{app=\"shop\"} | logfmt | status>=500"},
    {"{app=\"shop\"} | logfmt | status == 200", "{app=\"shop\"} | logfmt | status==200"},
    {"{app=\"shop\"} | logfmt | latency > 250ms", "{app=\"shop\"} | logfmt | latency>250ms"},
    {"{app=\"shop\"} | logfmt | latency <= 1h30m", "{app=\"shop\"} | logfmt | latency<=1h30m"},
    {"{app=\"shop\"} | logfmt | size > 1.5MiB", "{app=\"shop\"} | logfmt | size>1.5MiB"},
    {"{app=\"shop\"} | logfmt | size < 20B", "{app=\"shop\"} | logfmt | size<20B"},
    {"{app=\"shop\"} | logfmt | level=\"error\" or level=\"warn\"",
     "{app=\"shop\"} | logfmt | level=\"error\" or level=\"warn\""},
    {"{app=\"shop\"} | logfmt | (latency > 1s or status >= 500) and method!~\"GET|HEAD\"",
     "{app=\"shop\"} | logfmt | (latency>1s or status>=500) and method!~\"GET|HEAD\""},
    {"{app=\"shop\"} | logfmt | level=\"error\", user!=\"\"",
     "{app=\"shop\"} | logfmt | level=\"error\" and user!=\"\""},
    {"{app=\"shop\"} | logfmt | level=\"error\" user!=\"\"",
     "{app=\"shop\"} | logfmt | level=\"error\" and user!=\"\""},
    {"{app=\"shop\"} | logfmt | a=\"1\" or b=\"2\" and c=\"3\"",
     "{app=\"shop\"} | logfmt | a=\"1\" or b=\"2\" and c=\"3\""},
    {"{app=\"shop\"} | logfmt | (a=\"1\" or b=\"2\") and c=\"3\"",
     "{app=\"shop\"} | logfmt | (a=\"1\" or b=\"2\") and c=\"3\""},
    {"{app=\"shop\"} | logfmt | a=\"1\" and (b=\"2\" or c=\"3\")",
     "{app=\"shop\"} | logfmt | a=\"1\" and (b=\"2\" or c=\"3\")"},
    {"{app=\"shop\"} | logfmt | remote = ip(\"192.168.0.0/16\")",
     "{app=\"shop\"} | logfmt | remote=ip(\"192.168.0.0/16\")"},
    {"{app=\"shop\"} | logfmt | temp > -5", "{app=\"shop\"} | logfmt | temp>-5"},
    {"{app=\"shop\"} | logfmt | ratio > 1e3", "{app=\"shop\"} | logfmt | ratio>1e3"},
    {"{app=\"shop\"} | json | __error__=\"\"", "{app=\"shop\"} | json | __error__=\"\""},
    {"{app=\"shop\"} | logfmt | line_format \"{{.method}} {{.path}}\"",
     "{app=\"shop\"} | logfmt | line_format \"{{.method}} {{.path}}\""},
    {"{app=\"shop\"} | line_format `{{ __line__ | trunc 80 }}`",
     "{app=\"shop\"} | line_format \"{{ __line__ | trunc 80 }}\""},
    {"{app=\"shop\"} | line_format \"{{- if .a -}}x{{- else if .b }}y{{ end }}\"",
     "{app=\"shop\"} | line_format \"{{- if .a -}}x{{- else if .b }}y{{ end }}\""},
    {"{app=\"shop\"} | line_format \"{{ range $k, $v := .items }}{{ $k }}={{ $v }}{{ end }}\"",
     "{app=\"shop\"} | line_format \"{{ range $k, $v := .items }}{{ $k }}={{ $v }}{{ end }}\""},
    {"{app=\"shop\"} | line_format \"{{/* note */}}{{ printf \\\"%s\\\" (upper .msg) }}\"",
     "{app=\"shop\"} | line_format \"{{/* note */}}{{ printf \\\"%s\\\" (upper .msg) }}\""},
    {"{app=\"shop\"} | logfmt | label_format route=path, tier=\"{{ if eq .status \\\"500\\\" "
     "}}bad{{ else }}ok{{ end }}\"",
     "{app=\"shop\"} | logfmt | label_format route=path, tier=\"{{ if eq .status \\\"500\\\" "
     "}}bad{{ else }}ok{{ end }}\""},
    {"{app=\"shop\"} | json | drop password, token, level=\"debug\"",
     "{app=\"shop\"} | json | drop password, token, level=\"debug\""},
    {"{app=\"shop\"} | json | keep level, route=~\"api.*\"",
     "{app=\"shop\"} | json | keep level, route=~\"api.*\""},
    {"{app=\"shop\"} |= \"x\" # a comment", "{app=\"shop\"} |= \"x\""},
    {"count_over_time({app=\"shop\"}[5m])", "count_over_time({app=\"shop\"}[5m])"},
    {"rate({app=\"shop\"} |= \"error\" [1m])", "rate({app=\"shop\"} |= \"error\" [1m])"},
    {"rate({app=\"shop\"}[1m] |= \"error\")", "rate({app=\"shop\"} |= \"error\" [1m])"},
    {"count_over_time(({app=\"shop\"} |= \"x\")[1m])",
     "count_over_time({app=\"shop\"} |= \"x\" [1m])"},
    {"bytes_over_time({app=\"shop\"}[1h])", "bytes_over_time({app=\"shop\"}[1h])"},
    {"bytes_rate({app=\"shop\"}[5m])", "bytes_rate({app=\"shop\"}[5m])"},
    {"absent_over_time({app=\"shop\", env=\"prod\"}[10m])",
     "absent_over_time({app=\"shop\", env=\"prod\"}[10m])"},
    {"count_over_time({app=\"shop\"}[5m] offset 1h)",
     "count_over_time({app=\"shop\"}[5m] offset 1h)"},
    {"quantile_over_time(0.99, {app=\"shop\"} | logfmt | unwrap duration(latency) | __error__=\"\" "
     "[5m]) by (route)",
     "quantile_over_time(0.99, {app=\"shop\"} | logfmt | unwrap duration(latency) | __error__=\"\" "
     "[5m]) by (route)"},
    {"avg_over_time({app=\"shop\"} | json | unwrap bytes(resp_size) [5m]) without (pod)",
     "avg_over_time({app=\"shop\"} | json | unwrap bytes(resp_size) [5m]) without (pod)"},
    {"sum_over_time({app=\"shop\"} | logfmt | unwrap duration_seconds(took) [1m])",
     "sum_over_time({app=\"shop\"} | logfmt | unwrap duration_seconds(took) [1m])"},
    {"rate_counter({app=\"shop\"} | logfmt | unwrap requests_total [5m])",
     "rate_counter({app=\"shop\"} | logfmt | unwrap requests_total [5m])"},
    {"stddev_over_time({app=\"shop\"} | logfmt | unwrap v | v > 0 | __error__=\"\" [1m])",
     "stddev_over_time({app=\"shop\"} | logfmt | unwrap v | v>0 | __error__=\"\" [1m])"},
    {"sum by (level) (count_over_time({app=\"shop\"} | logfmt [5m]))",
     "sum by (level) (count_over_time({app=\"shop\"} | logfmt [5m]))"},
    {"sum(rate({app=\"shop\"}[1m])) by (pod)", "sum by (pod) (rate({app=\"shop\"}[1m]))"},
    {"count without () (rate({app=\"shop\"}[1m]))", "count without () (rate({app=\"shop\"}[1m]))"},
    {"topk(5, sum by (route) (rate({app=\"shop\"} | logfmt [5m])))",
     "topk(5, sum by (route) (rate({app=\"shop\"} | logfmt [5m])))"},
    {"topk by (app) (2, rate({app=\"shop\"}[5m]))", "topk by (app) (2, rate({app=\"shop\"}[5m]))"},
    {"sort(sum by (pod) (count_over_time({app=\"shop\"}[5m])))",
     "sort(sum by (pod) (count_over_time({app=\"shop\"}[5m])))"},
    {"sum by (app) (count_over_time({app=~\"shop|cart\"} |= \"error\" [1m])) / sum by (app) "
     "(count_over_time({app=~\"shop|cart\"}[1m]))",
     "sum by (app) (count_over_time({app=~\"shop|cart\"} |= \"error\" [1m])) / sum by (app) "
     "(count_over_time({app=~\"shop|cart\"}[1m]))"},
    {"count_over_time({app=\"shop\"}[5m]) > bool 100",
     "count_over_time({app=\"shop\"}[5m]) > bool 100"},
    {"sum(count_over_time({app=\"shop\"}[5m])) or vector(0)",
     "sum(count_over_time({app=\"shop\"}[5m])) or vector(0)"},
    {"1 + 2 * 3", "1 + 2 * 3"},
    {"(1 + 2) * 3", "(1 + 2) * 3"},
    {"2 ^ 3 ^ 2", "2 ^ 3 ^ 2"},
    {"-2 ^ 2", "-2 ^ 2"},
    {"1 + 1 - -1", "1 + 1 - -1"},
    {"0x1p3", "0x1p3"},
    {"10 / (5 / 2)", "10 / (5 / 2)"},
    {"rate({a=\"b\"}[1m]) / on (a) group_left (c) rate({a=\"c\"}[1m])",
     "rate({a=\"b\"}[1m]) / on (a) group_left (c) rate({a=\"c\"}[1m])"},
    {"rate({a=\"b\"}[1m]) * ignoring (x) group_right rate({a=\"c\"}[1m])",
     "rate({a=\"b\"}[1m]) * ignoring (x) group_right rate({a=\"c\"}[1m])"},
    {"rate({a=\"b\"}[1m]) unless rate({a=\"c\"}[1m]) and rate({a=\"d\"}[1m])",
     "rate({a=\"b\"}[1m]) unless rate({a=\"c\"}[1m]) and rate({a=\"d\"}[1m])"},
    {"label_replace(rate({app=\"shop\"}[5m]), \"svc\", \"$1\", \"app\", \"(.*)\")",
     "label_replace(rate({app=\"shop\"}[5m]), \"svc\", \"$1\", \"app\", \"(.*)\")"},
    {"vector(-1)", "vector(-1)"},
};

struct ErrorCase {
    const char* query;
    int line;
    int column;
    const char* message;
};

// Invalid queries with the exact position and message of the error.
const ErrorCase kErrors[] = {
    {"{}", 1, 2, "syntax error: unexpected }, expecting IDENTIFIER"},
    {"{app=~\".*\"}", 1, 1,
     "queries require at least one regexp or equality matcher that does not have an "
     "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
     "app=~\".+\" will"},
    {"{app!=\"shop\"}", 1, 1,
     "queries require at least one regexp or equality matcher that does not have an "
     "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
     "app=~\".+\" will"},
    {"{app=\"shop\"", 1, 12, "syntax error: unexpected $end, expecting \",\" or \"}\""},
    {"app=\"shop\"", 1, 1, "syntax error: unexpected IDENTIFIER \"app\""},
    {"{app=shop}", 1, 6, "syntax error: unexpected IDENTIFIER \"shop\", expecting STRING"},
    {"{app=\"shop\", 1=\"x\"}", 1, 14, "syntax error: unexpected NUMBER 1, expecting IDENTIFIER"},
    {"{app=\"sh\\qop\"}", 1, 9, "syntax error: invalid escape sequence in string"},
    {"{app=\"shop", 1, 6, "syntax error: unterminated quoted string"},
    {"{app=~\"(\"}", 1, 7, "invalid regular expression in matcher app=~\"(\": missing ): ^(?:()$"},
    {"{app=\"shop\"} |= timeout", 1, 17,
     "syntax error: unexpected IDENTIFIER \"timeout\", expecting STRING"},
    {"{app=\"shop\"} |~ \"[a-\"", 1, 17,
     "invalid regex \"[a-\": error parsing regexp: missing ]: [a-"},
    {"{app=\"shop\"} |~ ip(\"10.0.0.0/8\")", 1, 17,
     "ip: invalid operation: ip() line filter is only supported with |= and !=, not |~"},
    {"{app=\"shop\"} |= ip(\"bogus\")", 1, 17,
     "ip: invalid pattern: ip(\"bogus\"): not an IP address, CIDR or address range"},
    {"{app=\"shop\"} |> \"<verb> /checkout\"", 1, 17,
     "pattern line filter \"<verb> /checkout\": named captures are not allowed, use <_> (capture "
     "<verb>)"},
    {"{app=\"shop\"} | json first=\"items[\"", 1, 27,
     "cannot parse expression: JSON path \"items[\": subscript at offset 5 must be an integer or a "
     "quoted string"},
    {"{app=\"shop\"} | logfmt level --strict", 1, 29, "syntax error: unexpected FLAG --strict"},
    {"{app=\"shop\"} | logfmt --fast", 1, 23,
     "syntax error: unknown logfmt flag --fast, expecting --strict or --keep-empty"},
    {"{app=\"shop\"} | regexp \"[A-Z]+\"", 1, 23,
     "invalid regexp \"[A-Z]+\": at least one named capture must be supplied (?P<name>...)"},
    {"{app=\"shop\"} | regexp \"(?P<a>x)(?P<a>y)\"", 1, 23,
     "invalid regexp \"(?P<a>x)(?P<a>y)\": duplicate extracted label name a"},
    {"{app=\"shop\"} | pattern \"<a><b>\"", 1, 24,
     "pattern \"<a><b>\": captures <a> and <b> are consecutive; a literal must separate them"},
    {"{app=\"shop\"} | pattern \"no captures here\"", 1, 24,
     "pattern \"no captures here\": at least one capture is required"},
    {"{app=\"shop\"} | logfmt | status == \"500\"", 1, 35,
     "syntax error: unexpected STRING \"500\", expecting NUMBER, DURATION or BYTES"},
    {"{app=\"shop\"} | logfmt | size > 10mb", 1, 35, "syntax error: unexpected IDENTIFIER \"b\""},
    {"{app=\"shop\"} | logfmt | status > 0x1F", 1, 34,
     "unable to parse literal as a float: 0x1F (hexadecimal, octal and binary integers are not "
     "supported)"},
    {"{app=\"shop\"} | logfmt | remote =~ ip(\"192.168.0.0/16\")", 1, 35,
     "syntax error: unexpected ip, expecting STRING, NUMBER, DURATION or BYTES "
     "(ip() takes = or !=)"},
    {"{app=\"shop\"} | logfmt | status >= 500 |", 1, 40, "syntax error: unexpected $end"},
    {"{app=\"shop\"} | logfmt | a=\"1\" and", 1, 34,
     "syntax error: unexpected $end, expecting IDENTIFIER"},
    {"{app=\"shop\"} | logfmt | (a=\"1\"", 1, 31, "syntax error: unexpected $end, expecting \")\""},
    {"{app=\"shop\"} | logfmt | label_format a=b, a=\"x\"", 1, 43,
     "label_format: label a may only be set once per stage"},
    {"{app=\"shop\"} | line_format \"{{ .msg \"", 1, 28, "template: unclosed action at offset 0"},
    {"{app=\"shop\"} | line_format \"{{ nosuchfunc .msg }}\"", 1, 28,
     "template: function \"nosuchfunc\" not defined at offset 3"},
    {"{app=\"shop\"} | line_format \"{{ if .a }}x\"", 1, 28,
     "template: unexpected EOF: {{if}} not closed at offset 12"},
    {"{app=\"shop\"} | line_format \"{{ end }}\"", 1, 28,
     "template: unexpected {{end}} at offset 0"},
    {"{app=\"shop\"} | keep", 1, 20, "syntax error: unexpected $end, expecting IDENTIFIER"},
    {"{app=\"shop\"} | drop a,", 1, 23, "syntax error: unexpected $end, expecting IDENTIFIER"},
    {"{app=\"shop\"} | unwrap latency", 1, 16, "syntax error: unexpected IDENTIFIER \"unwrap\""},
    {"{app=\"shop\"} & \"x\"", 1, 14, "syntax error: unexpected character '&'"},
    {"count_over_time({app=\"shop\"}[5m]) offset 1h", 1, 35,
     "syntax error: unexpected IDENTIFIER \"offset\""},
    {"count_over_time({app=\"shop\"})", 1, 29, "syntax error: unexpected ), expecting \"[\""},
    {"{app=\"shop\"}[5m]", 1, 13,
     "syntax error: unexpected [: a log range must be wrapped in a range aggregation such as "
     "count_over_time"},
    {"count_over_time({app=\"shop\"}[5x])", 1, 30,
     "syntax error: unexpected NUMBER 5, expecting DURATION"},
    {"rate({app=\"shop\"}[1m]) by (pod)", 1, 1, "grouping not allowed for rate aggregation"},
    {"avg_over_time({app=\"shop\"}[5m])", 1, 1, "invalid aggregation avg_over_time without unwrap"},
    {"count_over_time({app=\"shop\"} | logfmt | unwrap n [5m])", 1, 1,
     "invalid aggregation count_over_time with unwrap"},
    {"sum_over_time({app=\"shop\"} | logfmt | unwrap n [5m]) by (pod)", 1, 1,
     "grouping not allowed for sum_over_time aggregation"},
    {"quantile_over_time({app=\"shop\"} | logfmt | unwrap d [5m])", 1, 1,
     "parameter required for operation quantile_over_time"},
    {"quantile_over_time(-0.5, {app=\"shop\"} | logfmt | unwrap d [5m])", 1, 20,
     "syntax error: unexpected -, expecting \"{\""},
    {"count_over_time(0.5, {app=\"shop\"}[5m])", 1, 1,
     "parameter not allowed for operation count_over_time"},
    {"max_over_time({app=\"shop\"} | logfmt | unwrap foo(d) [5m])", 1, 46,
     "invalid unwrap conversion foo: expecting duration, duration_seconds or bytes"},
    {"max_over_time({app=\"shop\"} | logfmt | unwrap d | json [5m])", 1, 50,
     "syntax error: unexpected IDENTIFIER \"json\", expecting a label filter (only label filters "
     "may follow unwrap)"},
    {"topk(sum by (route) (rate({app=\"shop\"}[5m])))", 1, 1,
     "parameter required for operation topk"},
    {"topk(2.5, rate({app=\"shop\"}[5m]))", 1, 6,
     "invalid parameter for operation topk: 2.5 (k must be a positive integer)"},
    {"topk(0, rate({app=\"shop\"}[5m]))", 1, 6,
     "invalid parameter for operation topk: 0 (k must be a positive integer)"},
    {"sum(2, rate({app=\"shop\"}[5m]))", 1, 5, "parameter not allowed for operation sum"},
    {"sort by (pod) (count_over_time({app=\"shop\"}[5m]))", 1, 1,
     "grouping not allowed for sort aggregation"},
    {"sum by (pod) count_over_time({app=\"shop\"}[5m])", 1, 14,
     "syntax error: unexpected IDENTIFIER \"count_over_time\", expecting \"(\""},
    {"-count_over_time({app=\"shop\"}[5m])", 1, 2,
     "syntax error: unexpected IDENTIFIER \"count_over_time\", expecting NUMBER"},
    {"0x1A", 1, 1,
     "unable to parse literal as a float: 0x1A (hexadecimal, octal and binary integers are not "
     "supported)"},
    {"0b1010", 1, 1,
     "unable to parse literal as a float: 0b1010 (hexadecimal, octal and binary integers are not "
     "supported)"},
    {"1 and 2", 1, 3, "unexpected literal for left leg of logical/set binary operation (and)"},
    {"1 + bool 2", 1, 5, "bool modifier can only be used on comparison operators"},
    {"vector(count_over_time({app=\"shop\"}[5m]))", 1, 8,
     "syntax error: unexpected IDENTIFIER \"count_over_time\", expecting NUMBER"},
    {"label_replace(rate({app=\"shop\"}[5m]), \"svc\", \"$1\", \"app\", \"(\")", 1, 59,
     "label_replace(): invalid regex \"(\": error parsing regexp: missing ): ("},
    {"sum(rate({app=\"shop\"}[5m])", 1, 27, "syntax error: unexpected $end, expecting \")\""},
    {"rate({app=\"shop\"}[5m]) +", 1, 25, "syntax error: unexpected $end"},
    {"{app=\"shop\"}\n| logfmt\n| status > 0x1F", 3, 12,
     "unable to parse literal as a float: 0x1F (hexadecimal, octal and binary integers are not "
     "supported)"},
    {"sum(\n  rate({app=\"shop\"}[5m]))\n  by (pod) offset", 3, 12,
     "syntax error: unexpected IDENTIFIER \"offset\""},
};

const BinaryExpr& asBinary(const Expr& e) {
    return dynamic_cast<const BinaryExpr&>(e);
}

}  // namespace

class TestLogqlParser : public QObject {
    Q_OBJECT

private slots:
    void valid_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("rendered");
        for (const ValidCase& c : kValid)
            QTest::newRow(c.query) << QString::fromUtf8(c.query) << QString::fromUtf8(c.rendered);
    }

    void valid() {
        QFETCH(QString, query);
        QFETCH(QString, rendered);
        ParseError error;
        ExprPtr expr = parse(query.toStdString(), &error);
        QVERIFY2(expr, error.toString().c_str());
        QCOMPARE(QString::fromStdString(expr->toString()), rendered);
        // Round trip: the rendered form parses to the same rendering.
        ExprPtr again = parse(rendered.toStdString(), &error);
        QVERIFY2(again, error.toString().c_str());
        QCOMPARE(QString::fromStdString(again->toString()), rendered);
        QCOMPARE(again->kind(), expr->kind());
        QCOMPARE(QString::fromStdString(toString(*again)), rendered);
    }

    void errors_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        for (const ErrorCase& c : kErrors)
            QTest::newRow(c.query)
                << QString::fromUtf8(c.query) << c.line << c.column << QString::fromUtf8(c.message);
    }

    void errors() {
        QFETCH(QString, query);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        ParseError error;
        ExprPtr expr = parse(query.toStdString(), &error);
        QVERIFY2(!expr, expr ? expr->toString().c_str() : "");
        QCOMPARE(QString::fromStdString(error.message), message);
        QCOMPARE(error.line, line);
        QCOMPARE(error.column, column);
        // The offset agrees with line/column.
        const std::string q = query.toStdString();
        QVERIFY(error.offset <= q.size());
        int expectedLine = 1;
        std::size_t lineStart = 0;
        for (std::size_t i = 0; i < error.offset; ++i) {
            if (q[i] == '\n') {
                ++expectedLine;
                lineStart = i + 1;
            }
        }
        QCOMPARE(expectedLine, line);
        QCOMPARE(static_cast<int>(error.offset - lineStart) + 1, column);
        // The Result overload carries Loki's full message.
        auto result = parse(q);
        QVERIFY(!result.isOk());
        QCOMPARE(QString::fromStdString(result.status().message()),
                 QString("parse error at line %1, col %2: %3").arg(line).arg(column).arg(message));
    }

    void precedence() {
        auto e = parse("1 + 2 * 3 ^ 2 ^ 2");
        QVERIFY(e.isOk());
        const BinaryExpr& plus = asBinary(**e);
        QCOMPARE(plus.op, std::string("+"));
        const BinaryExpr& times = asBinary(*plus.rhs);
        QCOMPARE(times.op, std::string("*"));
        const BinaryExpr& pow = asBinary(*times.rhs);
        QCOMPARE(pow.lhs->toString(), std::string("3"));
        QCOMPARE(asBinary(*pow.rhs).op, std::string("^"));  // right-associative

        auto sets = parse("rate({a=\"b\"}[1m]) or rate({a=\"c\"}[1m]) and rate({a=\"d\"}[1m])");
        QVERIFY(sets.isOk());
        QCOMPARE(asBinary(**sets).op, std::string("or"));
        QCOMPARE(asBinary(*asBinary(**sets).rhs).op, std::string("and"));

        auto minus = parse("7 - 2 - 1");  // left-associative
        QVERIFY(minus.isOk());
        QCOMPARE(asBinary(*asBinary(**minus).lhs).op, std::string("-"));

        auto neg = parse("-2 ^ 2");  // the sign belongs to the literal
        QVERIFY(neg.isOk());
        QCOMPARE(dynamic_cast<const LiteralExpr&>(*asBinary(**neg).lhs).value.value, -2.0);
    }

    void rangeAggregationParts() {
        auto e = parse(
            "quantile_over_time(0.99, {app=\"shop\"} | logfmt --strict | unwrap "
            "duration_seconds(latency) | __error__=\"\" [1m30s] offset 2h) by (route, pod)");
        QVERIFY2(e.isOk(), e.status().message().c_str());
        const auto& r = dynamic_cast<const RangeAggregationExpr&>(**e);
        QCOMPARE(r.op, std::string("quantile_over_time"));
        QVERIFY(r.param);
        QCOMPARE(r.param->value, 0.99);
        QCOMPARE(r.range.nanos, std::int64_t(90) * 1000000000);
        QVERIFY(r.offset);
        QCOMPARE(r.offset->nanos, std::int64_t(7200) * 1000000000);
        QVERIFY(r.unwrap);
        QCOMPARE(r.unwrap->conversion, Unwrap::Conversion::kDurationSeconds);
        QCOMPARE(r.unwrap->label, std::string("latency"));
        QCOMPARE(r.unwrap->postFilters.size(), std::size_t(1));
        QCOMPARE(r.selector.stages.size(), std::size_t(1));
        QCOMPARE(r.selector.stages[0].kind, Stage::Kind::kLogfmt);
        QVERIFY(r.selector.stages[0].strict);
        QVERIFY(!r.selector.stages[0].keepEmpty);
        QVERIFY(r.grouping);
        QVERIFY(!r.grouping->without);
        QCOMPARE(r.grouping->labels, (std::vector<std::string>{"route", "pod"}));
        QCOMPARE(r.selector.matchers.size(), std::size_t(1));
        QCOMPARE(r.selector.matchers[0].name(), std::string("app"));
    }

    void labelFilterValues() {
        auto e =
            parse("{a=\"b\"} | logfmt | (d > 1h30m or s >= 1.5KiB) and n != 42, ip = ip(\"::1\")");
        QVERIFY2(e.isOk(), e.status().message().c_str());
        const auto& q = dynamic_cast<const LogQueryExpr&>(**e);
        QCOMPARE(q.selector.stages.size(), std::size_t(2));
        const LabelFilter& root = *q.selector.stages[1].labelFilter;
        QCOMPARE(root.kind, LabelFilter::Kind::kAnd);  // ((d or s) and n) and ip
        QCOMPARE(root.right->kind, LabelFilter::Kind::kIp);
        const LabelFilter& inner = *root.left;
        QCOMPARE(inner.kind, LabelFilter::Kind::kAnd);
        QCOMPARE(inner.right->kind, LabelFilter::Kind::kNumber);
        QCOMPARE(inner.right->number, 42.0);
        QCOMPARE(inner.right->op, LabelCmp::kNeq);
        const LabelFilter& orNode = *inner.left;
        QCOMPARE(orNode.kind, LabelFilter::Kind::kOr);
        QCOMPARE(orNode.left->kind, LabelFilter::Kind::kDuration);
        QCOMPARE(orNode.left->nanos, std::int64_t(5400) * 1000000000);
        QCOMPARE(orNode.right->kind, LabelFilter::Kind::kBytes);
        QCOMPARE(orNode.right->number, 1536.0);
    }

    void lineFilterParts() {
        auto e = parse("{a=\"b\"} |= \"x\" or ip(\"10.0.0.1\") !~ `y\\d` |> \"<_> z\"");
        QVERIFY2(e.isOk(), e.status().message().c_str());
        const auto& q = dynamic_cast<const LogQueryExpr&>(**e);
        QCOMPARE(q.selector.stages.size(), std::size_t(3));
        const LineFilter& f0 = q.selector.stages[0].lineFilters.at(0);
        QCOMPARE(f0.op, LineFilterOp::kContains);
        QCOMPARE(f0.alternatives.size(), std::size_t(2));
        QVERIFY(!f0.alternatives[0].ip);
        QVERIFY(f0.alternatives[1].ip);
        QCOMPARE(f0.alternatives[1].value, std::string("10.0.0.1"));
        const LineFilter& f1 = q.selector.stages[1].lineFilters.at(0);
        QCOMPARE(f1.op, LineFilterOp::kNotRegexp);
        QCOMPARE(f1.alternatives[0].value, std::string("y\\d"));  // raw string: no escapes
        QCOMPARE(q.selector.stages[2].lineFilters.at(0).op, LineFilterOp::kPattern);
    }

    void lexer() {
        auto kinds = [](const char* text) {
            std::vector<TokenKind> out;
            for (const Token& t : lex(text))
                out.push_back(t.kind);
            return out;
        };
        QCOMPARE(kinds("10mb"), (std::vector<TokenKind>{TokenKind::kDuration,
                                                        TokenKind::kIdentifier, TokenKind::kEof}));
        QCOMPARE(
            kinds("1.5MiB 20B 2h45m 300ms 7"),
            (std::vector<TokenKind>{TokenKind::kBytes, TokenKind::kBytes, TokenKind::kDuration,
                                    TokenKind::kDuration, TokenKind::kNumber, TokenKind::kEof}));
        QCOMPARE(kinds("1--1 --keep-empty"),
                 (std::vector<TokenKind>{TokenKind::kNumber, TokenKind::kSub, TokenKind::kSub,
                                         TokenKind::kNumber, TokenKind::kFlag, TokenKind::kEof}));
        QCOMPARE(kinds("|= |~ |> != !~ !> == = =~ >= <= | # comment"),
                 (std::vector<TokenKind>{TokenKind::kPipeExact, TokenKind::kPipeMatch,
                                         TokenKind::kPipePattern, TokenKind::kNeq, TokenKind::kNre,
                                         TokenKind::kNotPattern, TokenKind::kCmpEq, TokenKind::kEq,
                                         TokenKind::kRe, TokenKind::kGte, TokenKind::kLte,
                                         TokenKind::kPipe, TokenKind::kEof}));
        auto strings = lex("\"a\\tb\\u00e9\\x41\\101\" `c\\d`");
        QCOMPARE(strings.size(), std::size_t(3));
        QCOMPARE(strings[0].text, std::string("a\tb\xC3\xA9"
                                              "AA"));
        QCOMPARE(strings[1].text, std::string("c\\d"));
        QCOMPARE(strings[1].offset, std::size_t(21));
        auto bad = lex("{a=\"b\\z\"}");
        QCOMPARE(bad.back().kind, TokenKind::kError);
        QCOMPARE(bad.back().offset, std::size_t(5));

        std::int64_t nanos = 0;
        QVERIFY(parseLogqlDuration("1h30m", &nanos));
        QCOMPARE(nanos, std::int64_t(5400) * 1000000000);
        QVERIFY(parseLogqlDuration("1.5s", &nanos));
        QCOMPARE(nanos, std::int64_t(1500000000));
        QVERIFY(!parseLogqlDuration("5x", &nanos));
        QVERIFY(parseLogqlDuration("3\xC2\xB5s", &nanos));  // micro sign
        QCOMPARE(nanos, std::int64_t(3000));
        QVERIFY(parseLogqlDuration("2d", &nanos));
        QCOMPARE(nanos, std::int64_t(2 * 86400) * 1000000000);
        double bytes = 0;
        QVERIFY(parseLogqlBytes("2KiB", &bytes));
        QCOMPARE(bytes, 2048.0);
        QVERIFY(!parseLogqlBytes("2kib", &bytes));
    }
};

QTEST_GUILESS_MAIN(TestLogqlParser)
#include "tst_logql_parser.moc"
