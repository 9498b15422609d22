// Parser cases modelled on Prometheus's parse_test.go. Every printed form and
// every error text/position below was checked against the Prometheus 2.42
// binary (its /api/v1/format_query endpoint), except where a row says
// "newer syntax" or "Vigil".

#include <QTest>

#include <cmath>

#include "core/promql/functions.h"
#include "core/promql/parser.h"

using namespace vigil;
using namespace vigil::promql;

namespace {

// Fully parenthesised structure: binary "(l op r)" (vector matching is left
// to the printed column), unary "(-x)", paren "p(x)"; other nodes as
// toString().
std::string shape(const Expr& e) {
    switch (e.kind) {
        case NodeKind::kBinary: {
            const auto& b = static_cast<const BinaryExpr&>(e);
            return "(" + shape(*b.lhs) + " " + binaryOpName(b.op) +
                   (b.returnBool ? " bool " : " ") + shape(*b.rhs) + ")";
        }
        case NodeKind::kUnary: {
            const auto& u = static_cast<const UnaryExpr&>(e);
            return std::string("(") + (u.negate ? "-" : "+") + shape(*u.expr) + ")";
        }
        case NodeKind::kParen:
            return "p(" + shape(*static_cast<const ParenExpr&>(e).expr) + ")";
        default:
            return toString(e);
    }
}

const char* typeName(ValueType t) {
    return documentedTypeName(t);
}

// Evaluates number-only expressions, to pin precedence by value.
double evalScalar(const Expr& e) {
    switch (e.kind) {
        case NodeKind::kNumberLiteral:
            return static_cast<const NumberLiteral&>(e).value;
        case NodeKind::kParen:
            return evalScalar(*static_cast<const ParenExpr&>(e).expr);
        case NodeKind::kUnary: {
            const auto& u = static_cast<const UnaryExpr&>(e);
            return u.negate ? -evalScalar(*u.expr) : evalScalar(*u.expr);
        }
        case NodeKind::kBinary: {
            const auto& b = static_cast<const BinaryExpr&>(e);
            const double l = evalScalar(*b.lhs);
            const double r = evalScalar(*b.rhs);
            switch (b.op) {
                case BinaryOp::kAdd:
                    return l + r;
                case BinaryOp::kSub:
                    return l - r;
                case BinaryOp::kMul:
                    return l * r;
                case BinaryOp::kDiv:
                    return l / r;
                case BinaryOp::kMod:
                    return std::fmod(l, r);
                case BinaryOp::kPow:
                    return std::pow(l, r);
                case BinaryOp::kAtan2:
                    return std::atan2(l, r);
                case BinaryOp::kEqlc:
                    return l == r;
                case BinaryOp::kLss:
                    return l < r;
                case BinaryOp::kGtr:
                    return l > r;
                default:
                    break;
            }
            break;
        }
        default:
            break;
    }
    return std::nan("");
}

}  // namespace

class TestPromqlParser : public QObject {
    Q_OBJECT

private slots:
    void valid_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QString>("printed");
        QTest::addColumn<QString>("type");
        auto row = [](const char* name, const char* q, const char* s, const char* p,
                      const char* t) {
            QTest::newRow(name) << QString::fromUtf8(q) << QString::fromUtf8(s)
                                << QString::fromUtf8(p) << QString::fromUtf8(t);
        };
        // Precedence and associativity.
        row("mul over add", "1 + 2 * 3", "(1 + (2 * 3))", "1 + 2 * 3", "scalar");
        row("add after mul", "1 * 2 + 3", "((1 * 2) + 3)", "1 * 2 + 3", "scalar");
        row("pow right assoc", "2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))", "2 ^ 3 ^ 2", "scalar");
        row("sub left assoc", "1 - 2 - 3", "((1 - 2) - 3)", "1 - 2 - 3", "scalar");
        row("unary minus below pow", "-2 ^ 2", "(-(2 ^ 2))", "-2 ^ 2", "scalar");
        row("unary minus folds into literal", "-2 * 3", "(-2 * 3)", "-2 * 3", "scalar");
        row("double negation folds", "- -1", "1", "1", "scalar");
        row("unary plus folds", "+1", "1", "1", "scalar");
        row("unary on paren kept", "-(1)", "(-p(1))", "-(1)", "scalar");
        row("or below and", "a or b and c", "(a or (b and c))", "a or b and c", "instant vector");
        row("and unless left assoc", "a and b unless c", "((a and b) unless c)", "a and b unless c",
            "instant vector");
        row("comparison below add", "a + b > c", "((a + b) > c)", "a + b > c", "instant vector");
        row("atan2 with mul", "a atan2 b * c", "((a atan2 b) * c)", "a atan2 b * c",
            "instant vector");
        row("unary vector operand", "2 * -a", "(2 * (-a))", "2 * -a", "instant vector");
        row("unary vector pow", "-a ^ 2", "(-(a ^ 2))", "-a ^ 2", "instant vector");
        row("offset binds before operators", "-foo offset 5m", "(-foo offset 5m)", "-foo offset 5m",
            "instant vector");
        row("bool comparison", "foo > bool 1", "(foo > bool 1)", "foo > bool 1", "instant vector");
        row("scalar bool comparison", "1 == bool 1", "(1 == bool 1)", "1 == bool 1", "scalar");
        // Literals.
        row("hex", "0x1F", "31", "31", "scalar");
        row("exponent", "1e6", "1e+06", "1e+06", "scalar");
        row("small number", "0.00001", "1e-05", "1e-05", "scalar");
        row("leading dot", ".5", "0.5", "0.5", "scalar");
        row("big integer", "123456789", "1.23456789e+08", "1.23456789e+08", "scalar");
        row("inf", "Inf", "+Inf", "+Inf", "scalar");
        row("negative inf", "-inf", "-Inf", "-Inf", "scalar");
        row("nan", "NaN", "NaN", "NaN", "scalar");
        row("double quoted string", "\"a\\tb\"", "\"a\\tb\"", "\"a\\tb\"", "string");
        row("single quoted string", "'single'", "\"single\"", "\"single\"", "string");
        row("raw string", "`raw\\n`", "\"raw\\\\n\"", "\"raw\\\\n\"", "string");
        // Selectors.
        row("matchers sorted", "foo{b=\"x\", a=~\"y\"}", "foo{a=~\"y\",b=\"x\"}",
            "foo{a=~\"y\",b=\"x\"}", "instant vector");
        row("name matcher only", "{__name__=\"foo\"}", "{__name__=\"foo\"}", "{__name__=\"foo\"}",
            "instant vector");
        row("metric identifier", "job:rate5m:sum", "job:rate5m:sum", "job:rate5m:sum",
            "instant vector");
        row("keyword as metric name", "by", "by", "by", "instant vector");
        row("aggregator word alone is a metric", "sum", "sum", "sum", "instant vector");
        row("trailing comma in matchers", "foo{a=\"b\",}", "foo{a=\"b\"}", "foo{a=\"b\"}",
            "instant vector");
        row("comment", "foo # comment", "foo", "foo", "instant vector");
        row("offset", "foo offset 5m", "foo offset 5m", "foo offset 5m", "instant vector");
        row("negative offset", "foo offset -5m", "foo offset -5m", "foo offset -5m",
            "instant vector");
        row("at timestamp", "foo @ 100", "foo @ 100.000", "foo @ 100.000", "instant vector");
        row("at and offset order", "foo offset 5m @ 1.5", "foo @ 1.500 offset 5m",
            "foo @ 1.500 offset 5m", "instant vector");
        row("at start", "foo @ start()", "foo @ start()", "foo @ start()", "instant vector");
        row("range at end", "foo[5m] @ end()", "foo[5m] @ end()", "foo[5m] @ end()",
            "range vector");
        row("range normalised", "foo[90s]", "foo[1m30s]", "foo[1m30s]", "range vector");
        row("range in days", "foo[1d]", "foo[1d]", "foo[1d]", "range vector");
        row("range offset", "foo[5m] offset 1w", "foo[5m] offset 1w", "foo[5m] offset 1w",
            "range vector");
        // Functions and aggregations.
        row("rate", "rate(foo[5m])", "rate(foo[5m])", "rate(foo[5m])", "instant vector");
        row("time", "time()", "time()", "time()", "scalar");
        row("optional arg absent", "round(x)", "round(x)", "round(x)", "instant vector");
        row("optional arg present", "round(x, 5)", "round(x, 5)", "round(x, 5)", "instant vector");
        row("variadic", "label_join(x, \"d\", \",\", \"a\", \"b\", \"c\")",
            "label_join(x, \"d\", \",\", \"a\", \"b\", \"c\")",
            "label_join(x, \"d\", \",\", \"a\", \"b\", \"c\")", "instant vector");
        row("sum by", "sum(rate(foo[5m])) by (job, env)", "sum by (job, env) (rate(foo[5m]))",
            "sum by (job, env) (rate(foo[5m]))", "instant vector");
        row("upper case aggregation", "SUM(x) BY (job)", "sum by (job) (x)", "sum by (job) (x)",
            "instant vector");
        row("without", "sum without (a) (x)", "sum without (a) (x)", "sum without (a) (x)",
            "instant vector");
        row("empty by dropped", "sum by () (x)", "sum(x)", "sum(x)", "instant vector");
        row("topk", "topk(3, x)", "topk(3, x)", "topk(3, x)", "instant vector");
        row("count_values", "count_values(\"v\", x)", "count_values(\"v\", x)",
            "count_values(\"v\", x)", "instant vector");
        row("keyword labels in grouping", "sum by (on, by, sum) (x)", "sum by (on, by, sum) (x)",
            "sum by (on, by, sum) (x)", "instant vector");
        // Vector matching.
        row("on group_left", "foo + on(a, b) group_left(c) bar", "(foo + bar)",
            "foo + on (a, b) group_left (c) bar", "instant vector");
        row("group_right no labels", "foo * on(a) group_right bar", "(foo * bar)",
            "foo * on (a) group_right () bar", "instant vector");
        row("empty on kept", "foo + on() bar", "(foo + bar)", "foo + on () bar", "instant vector");
        row("empty ignoring dropped", "foo + ignoring() bar", "(foo + bar)", "foo + bar",
            "instant vector");
        row("set op with on", "foo and on(a) bar", "(foo and bar)", "foo and on (a) bar",
            "instant vector");
        // Subqueries.
        row("subquery", "rate(foo[5m])[30m:1m]", "rate(foo[5m])[30m:1m]", "rate(foo[5m])[30m:1m]",
            "range vector");
        row("subquery default step", "foo[1h:]", "foo[1h:]", "foo[1h:]", "range vector");
        row("subquery modifiers", "foo[5m:] offset 1m @ 10", "foo[5m:] @ 10.000 offset 1m",
            "foo[5m:] @ 10.000 offset 1m", "range vector");
        row("nested subquery", "max_over_time(rate(foo[5m])[30m:1m])[1h:5m]",
            "max_over_time(rate(foo[5m])[30m:1m])[1h:5m]",
            "max_over_time(rate(foo[5m])[30m:1m])[1h:5m]", "range vector");
        // Newer syntax (not in 2.42).
        row("newer: duration expression range", "changes(foo[26m+4m])", "changes(foo[26m + 4m])",
            "changes(foo[26m + 4m])", "instant vector");
        row("newer: numeric range", "foo[1800]", "foo[30m]", "foo[30m]", "range vector");
        row("newer: paren offset", "foo offset (2 * 1m)", "foo offset (2 * 1m)",
            "foo offset (2 * 1m)", "instant vector");
        row("newer: offset literal binds before ^", "foo offset 2 ^ 2", "(foo offset 2s ^ 2)",
            "foo offset 2s ^ 2", "instant vector");
        row("newer: step() offset", "foo offset -step()*2", "(foo offset -step() * 2)",
            "foo offset -step() * 2", "instant vector");
        row("newer: fill", "a + fill(0) b", "(a + b)", "a + fill(0) b", "instant vector");
        row("newer: fill sides", "a + on(x) fill_left(5) fill_right(7) b", "(a + b)",
            "a + on (x) fill_left(5) fill_right(7) b", "instant vector");
        row("newer: anchored", "increase(m[1m] anchored)", "increase(m[1m] anchored)",
            "increase(m[1m] anchored)", "instant vector");
        row("newer: smoothed instant", "m smoothed", "m smoothed", "m smoothed", "instant vector");
        row("newer: info with empty-matching selector", "info(metric, {data=~\".*\"})",
            "info(metric, {data=~\".*\"})", "info(metric, {data=~\".*\"})", "instant vector");
        row("newer: limitk", "limitk(2, x)", "limitk(2, x)", "limitk(2, x)", "instant vector");
        row("newer: quoted names", "{\"metric.name\", \"a.b\"=\"x\"}",
            "{\"metric.name\", \"a.b\"=\"x\"}", "{\"metric.name\", \"a.b\"=\"x\"}",
            "instant vector");
        row("newer: step() scalar", "metric * step()", "(metric * step())", "metric * step()",
            "instant vector");
    }

    void valid() {
        QFETCH(QString, query);
        QFETCH(QString, shape);
        QFETCH(QString, printed);
        QFETCH(QString, type);
        auto r = parse(query.toStdString());
        QVERIFY2(r.isOk(), r.status().message().c_str());
        const Expr& e = **r;
        QCOMPARE(QString::fromStdString(::shape(e)), shape);
        QCOMPARE(QString::fromStdString(toString(e)), printed);
        QCOMPARE(QString::fromUtf8(typeName(e.type())), type);
        // The printed form parses back to the same text.
        auto again = parse(toString(e));
        QVERIFY2(again.isOk(), again.status().message().c_str());
        QCOMPARE(QString::fromStdString(toString(**again)), printed);
        // A clone prints the same.
        QCOMPARE(QString::fromStdString(toString(*clone(e))), printed);
    }

    void errors_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("message");
        auto row = [](const char* q, const char* m) {
            QTest::newRow(q) << QString::fromUtf8(q) << QString::fromUtf8(m);
        };
        row("", "1:1: parse error: no expression found in input");
        row("1 +", "1:4: parse error: unexpected end of input");
        row("*foo", "1:1: parse error: unexpected <op:*>");
        row("foo bar", "1:5: parse error: unexpected identifier \"bar\"");
        row("on", "1:1: parse error: unexpected <on>");
        row("rate(foo)",
            "1:6: parse error: expected type range vector in call to function \"rate\", got "
            "instant vector");
        row("foo[5m] + 1",
            "1:1: parse error: binary expression must contain only scalar and instant vector "
            "types");
        row("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher");
        row("{a=\"\"}",
            "1:1: parse error: vector selector must contain at least one non-empty matcher");
        row("1 and 1",
            "1:1: parse error: set operator \"and\" not allowed in binary scalar expression");
        row("foo or 1",
            "1:1: parse error: set operator \"or\" not allowed in binary scalar expression");
        row("1 + bool 2",
            "1:3: parse error: bool modifier can only be used on comparison operators");
        row("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier");
        row("foo and on(a) group_left bar",
            "1:1: parse error: no grouping allowed for \"and\" operation");
        row("foo + on(a) group_left(a) bar",
            "1:5: parse error: label \"a\" must not occur in ON and GROUP clause at once");
        row("1 + on(a) foo",
            "1:1: parse error: vector matching only allowed between instant vectors");
        row("(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors");
        row("foo offset 5m[10m]", "1:14: parse error: no offset modifiers allowed before range");
        row("foo @ 1 [10m]", "1:9: parse error: no @ modifiers allowed before range");
        row("sum(foo) offset 5m",
            "1:1: parse error: offset modifier must be preceded by an instant vector selector or "
            "range vector selector or a subquery");
        row("foo offset 5m offset 1m", "1:1: parse error: offset may not be set multiple times");
        row("foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times");
        row("foo @ bar",
            "1:7: parse error: unexpected identifier \"bar\" in @, expected timestamp");
        row("unknown_fn(foo)", "1:1: parse error: unknown function with name \"unknown_fn\"");
        row("rate(foo[5m], 1)",
            "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2");
        row("round()",
            "1:1: parse error: expected at least 1 argument(s) in call to \"round\", got 0");
        row("round(x, 1, 2)",
            "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3");
        row("sum(foo[5m])",
            "1:5: parse error: expected type instant vector in aggregation expression, got range "
            "vector");
        row("topk(foo, bar)",
            "1:6: parse error: expected type scalar in aggregation parameter, got instant vector");
        row("count_values(1, foo)",
            "1:14: parse error: expected type string in aggregation parameter, got scalar");
        row("topk(foo)",
            "1:1: parse error: wrong number of arguments for aggregate expression provided, "
            "expected 2, got 1");
        row("sum()", "1:1: parse error: no arguments for aggregate expression provided");
        row("sum by (a) foo", "1:12: parse error: unexpected identifier \"foo\" in aggregation");
        row("foo{a=\"b\"", "1:10: parse error: unexpected end of input inside braces");
        row("foo{a \"b\"}",
            "1:7: parse error: unexpected string \"\\\"b\\\"\" in label matching, expected label "
            "matching operator");
        row("foo{a=b}",
            "1:7: parse error: unexpected identifier \"b\" in label matching, expected string");
        row("foo{,}",
            "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\"");
        row("rate(foo[5m]", "1:13: parse error: unclosed left parenthesis");
        row("foo[5m", "1:7: parse error: unclosed left bracket");
        row("-\"foo\"",
            "1:1: parse error: unary expression only allowed on expressions of type scalar or "
            "instant vector, got \"string\"");
        row("foo{__name__=\"bar\"}",
            "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"");
        row("rate(foo[5m],)",
            "1:13: parse error: trailing commas not allowed in function call args");
        row("foo[5m][5m:1m]",
            "1:1: parse error: subquery is only allowed on instant vector, got matrix instead");
        row("foo[0s]", "1:5: parse error: duration must be greater than 0");
        row("foo offset 0s", "1:12: parse error: duration must be greater than 0");
        row("sum by (a", "1:10: parse error: unclosed left parenthesis");
        row("foo + group_left bar", "1:7: parse error: unexpected <group_left>");
        row("\"a\\qb\"", "1:1: parse error: unknown escape sequence U+0071 'q'");
        row("foo)", "1:4: parse error: unexpected right parenthesis ')'");  // Vigil: 2.42 says 1:5
        row("foo +\n  * bar", "2:3: parse error: unexpected <op:*>");
        // Newer syntax and Vigil's own checks from here on.
        row("h </ 1", "1:3: parse error: native histogram trim operator \"</\" is not supported");
        row("a + fill(0) 1",
            "1:3: parse error: fill modifiers are only allowed between instant vectors");
        row("foo[1m-2m]", "1:5: parse error: range 1m - 2m must be greater than 0, got -1m");
    }

    void errors() {
        QFETCH(QString, query);
        QFETCH(QString, message);
        auto r = parse(query.toStdString());
        QVERIFY2(!r.isOk(), qPrintable("parsed: " + query));
        QCOMPARE(QString::fromStdString(r.status().message()), message);
    }

    void errorPosition() {
        ParseError err;
        const std::string q = "sum(rate(foo[5m])) +\n  * bar";
        QVERIFY(parse(q, &err) == nullptr);
        QCOMPARE(err.line, 2);
        QCOMPARE(err.column, 3);
        QCOMPARE(int(err.offset), 23);
        QCOMPARE(QString::fromStdString(err.message), QStringLiteral("unexpected <op:*>"));
        QCOMPARE(QString::fromStdString(err.toString()),
                 QStringLiteral("2:3: parse error: unexpected <op:*>"));

        // Unknown functions come with a suggestion, outside the message.
        QVERIFY(parse("rat(foo[5m])", &err) == nullptr);
        QCOMPARE(QString::fromStdString(err.message),
                 QStringLiteral("unknown function with name \"rat\""));
        QCOMPARE(QString::fromStdString(err.hint), QStringLiteral("did you mean \"rate\"?"));
        QVERIFY(parse("summ(foo)", &err) == nullptr);
        QCOMPARE(QString::fromStdString(err.hint), QStringLiteral("did you mean \"sum\"?"));
        QVERIFY(parse("completely_unknown(foo)", &err) == nullptr);
        QVERIFY(err.hint.empty());

        // Type errors cover the offending node.
        QVERIFY(parse("1 + rate(foo)", &err) == nullptr);
        QCOMPARE(int(err.offset), 9);
        QCOMPARE(int(err.endOffset), 12);
    }

    void precedenceByValue_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<double>("value");
        // Values computed by Prometheus 2.42 (/api/v1/query).
        QTest::newRow("-2^2") << "-2^2" << -4.0;
        QTest::newRow("2^3^2") << "2^3^2" << 512.0;
        QTest::newRow("1-2-3") << "1-2-3" << -4.0;
        QTest::newRow("2*3+4*5") << "2*3+4*5" << 26.0;
        QTest::newRow("10 % 3 * 2") << "10 % 3 * 2" << 2.0;
        QTest::newRow("2^-1") << "2^-1" << 0.5;
        QTest::newRow("-(2)^2") << "-(2)^2" << -4.0;
        QTest::newRow("(-2)^2") << "(-2)^2" << 4.0;
        QTest::newRow("2 * 3 ^ 2") << "2 * 3 ^ 2" << 18.0;
        QTest::newRow("1 + 2 == bool 3") << "1 + 2 == bool 3" << 1.0;
        QTest::newRow("2 atan2 1 * 2") << "2 atan2 1 * 2" << 2.214297435588181;
        QTest::newRow("8 / 2 / 2") << "8 / 2 / 2" << 2.0;
        QTest::newRow("-1 ^ 0.5") << "-1 ^ 0.5" << -1.0;
        QTest::newRow("0x10 + 1e1") << "0x10 + 1e1" << 26.0;
        QTest::newRow("3 > bool 2 > bool 0") << "3 > bool 2 > bool 0" << 1.0;
        QTest::newRow("-2 ^ -2 ^ -1") << "-2 ^ -2 ^ -1" << -0.7071067811865475;
    }

    void precedenceByValue() {
        QFETCH(QString, query);
        QFETCH(double, value);
        auto r = parse(query.toStdString());
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(evalScalar(**r), value);
    }

    void selectorDetails() {
        const std::string q = "foo{job=\"api\", path=~\"/a.*\"} offset -5m @ 1.2345";
        auto r = parse(q);
        QVERIFY(r.isOk());
        QCOMPARE((*r)->kind, NodeKind::kVectorSelector);
        const auto& vs = static_cast<const VectorSelector&>(**r);
        QCOMPARE(QString::fromStdString(vs.name), QStringLiteral("foo"));
        QCOMPARE(int(vs.matchers.size()), 3);
        // The name matcher comes last, as in Prometheus.
        QCOMPARE(QString::fromStdString(vs.matchers[2].name()), QStringLiteral("__name__"));
        QCOMPARE(vs.matchers[1].type(), model::MatchType::kRegexp);
        QVERIFY(vs.matchers[1].matches(std::string_view("/abc")));
        QVERIFY(vs.modifiers.hasOffset);
        QCOMPARE(vs.modifiers.offset.ms, qint64(-300000));
        QCOMPARE(vs.modifiers.at, AtKind::kTimestamp);
        QCOMPARE(vs.modifiers.atMs, qint64(1235));
        QCOMPARE(int(vs.pos.start), 0);
        QCOMPARE(int(vs.pos.end), int(q.size()));
    }

    void nodePositions() {
        const std::string q = "sum by (a) (rate(x[5m])) + -foo";
        auto r = parse(q);
        QVERIFY(r.isOk());
        const auto& b = static_cast<const BinaryExpr&>(**r);
        QCOMPARE(int(b.pos.start), 0);
        QCOMPARE(int(b.pos.end), int(q.size()));
        QCOMPARE(int(b.lhs->pos.end), 24);
        const auto& agg = static_cast<const AggregateExpr&>(*b.lhs);
        const auto& call = static_cast<const Call&>(*agg.expr);
        QCOMPARE(int(call.pos.start), 12);
        QCOMPARE(int(call.pos.end), 23);
        QCOMPARE(int(call.args[0]->pos.start), 17);
        QCOMPARE(int(call.args[0]->pos.end), 22);
        QCOMPARE(int(b.rhs->pos.start), 27);
    }

    void matchingDetails() {
        auto r = parse("a - ignoring(x) group_left(y, z) b");
        QVERIFY(r.isOk());
        const auto& b = static_cast<const BinaryExpr&>(**r);
        QVERIFY(b.matching.has_value());
        QCOMPARE(b.matching->card, Cardinality::kManyToOne);
        QVERIFY(!b.matching->on);
        QCOMPARE(int(b.matching->matchingLabels.size()), 1);
        QCOMPARE(int(b.matching->include.size()), 2);

        auto s = parse("a unless b");
        QVERIFY(s.isOk());
        QCOMPARE(static_cast<const BinaryExpr&>(**s).matching->card, Cardinality::kManyToMany);

        // Scalar operands carry no vector matching.
        auto t = parse("a * 2");
        QVERIFY(t.isOk());
        QVERIFY(!static_cast<const BinaryExpr&>(**t).matching.has_value());
    }

    void durationExpressions() {
        auto r = parse("sum_over_time(m[29s+1s:((((8 - 2) / 3) * 7s) % 4) + 8000ms])");
        QVERIFY2(r.isOk(), r.status().message().c_str());
        const auto& call = static_cast<const Call&>(**r);
        const auto& sq = static_cast<const SubqueryExpr&>(*call.args[0]);
        QCOMPARE(sq.range.ms, qint64(30000));
        QCOMPARE(sq.step.ms, qint64(10000));  // 14 % 4 = 2 seconds + 8 seconds

        auto s = parse("count_over_time(m[max_of(min_of(step()+1,1h),1ms)])");
        QVERIFY2(s.isOk(), s.status().message().c_str());
        const auto& ms = static_cast<const MatrixSelector&>(*static_cast<const Call&>(**s).args[0]);
        QVERIFY(!ms.range.isResolved());
        auto v = ms.range.expr->evaluate(5000, 0);
        QVERIFY(v.isOk());
        QCOMPARE(*v, qint64(6000));

        auto d = parse("m offset (1h / 0)");
        QVERIFY(!d.isOk());
        QVERIFY(d.status().message().find("division by zero") != std::string::npos);
    }

    void seriesSelector_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("matchers");  // empty: error expected
        QTest::newRow("name") << "up"
                              << "__name__=\"up\"";
        QTest::newRow("name and labels") << "up{job=\"x\"}"
                                         << "job=\"x\" __name__=\"up\"";
        QTest::newRow("braces only") << "{__name__=~\"node_.*\"}"
                                     << "__name__=~\"node_.*\"";
        QTest::newRow("function rejected") << "rate(x[5m])"
                                           << "";
        QTest::newRow("offset rejected") << "up offset 5m"
                                         << "";
        QTest::newRow("empty matcher rejected") << "{a=~\".*\"}"
                                                << "";
        QTest::newRow("empty input") << ""
                                     << "";
    }

    void seriesSelector() {
        QFETCH(QString, input);
        QFETCH(QString, matchers);
        auto r = parseSeriesSelector(input.toStdString());
        if (matchers.isEmpty()) {
            QVERIFY(!r.isOk());
            QVERIFY(r.status().message().find("parse error") != std::string::npos);
            return;
        }
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QStringList got;
        for (const auto& m : *r)
            got << QString::fromStdString(m.toString());
        QCOMPARE(got.join(' '), matchers);
    }

    void functionTable() {
        const Function* rate = findFunction("rate");
        QVERIFY(rate);
        QCOMPARE(int(rate->argTypes.size()), 1);
        QCOMPARE(rate->argTypes[0], ValueType::kMatrix);
        QVERIFY(!rate->newerThan242);
        QVERIFY(findFunction("histogram_quantile"));
        QVERIFY(findFunction("sort_by_label")->newerThan242);
        QVERIFY(!findFunction("Rate"));  // case-sensitive, like Prometheus
        QVERIFY(!findFunction("nope"));
        QVERIFY(rangeModifierError(*rate, true, false).empty());
        QVERIFY(rangeModifierError(*rate, false, true).empty());
        QVERIFY(rangeModifierError(*findFunction("resets"), true, false).empty());
        QCOMPARE(QString::fromStdString(rangeModifierError(*findFunction("resets"), false, true)),
                 QStringLiteral("smoothed modifier can only be used with: delta, increase, "
                                "rate - not with resets"));
        QCOMPARE(
            QString::fromStdString(rangeModifierError(*findFunction("max_over_time"), true, false)),
            QStringLiteral("anchored modifier can only be used with: changes, delta, "
                           "increase, rate, resets - not with max_over_time"));
        const auto& all = allFunctions();
        for (std::size_t i = 1; i < all.size(); ++i)
            QVERIFY(all[i - 1].name < all[i].name);
    }

    // Every prefix and every one-character deletion of some rich queries
    // either parses (and then round-trips) or fails with a located message.
    void robustness() {
        const char* seeds[] = {
            "sum by (job) (rate(http_requests_total{job=~\"api|web\", code!=\"500\"}[5m] "
            "offset 1m @ 100)) / on(job) group_left(env) max without (i) (up)",
            "histogram_quantile(0.9, sum(rate(x_bucket[5m:30s])) by (le)) > bool 0.5 or "
            "vector(1)",
            "-foo ^ 2 * -(bar[1h:] @ start())[5m:] unless {__name__=~'a.*'} offset -2h",
            "label_replace(up, \"d\", \"$1\", \"s\", \"(.*)\") + count_values(\"v\", x) "
            "atan2 0x1F",
            "changes(m[26m+4m]) + m offset (2 * step()) + a + on(x) fill_left(1) b",
            "topk(3, `raw` == \"a\\tb\") and sum(x) # comment",
        };
        int parsed = 0;
        int failed = 0;
        for (const char* seed : seeds) {
            const std::string q = seed;
            std::vector<std::string> variants;
            for (std::size_t i = 0; i <= q.size(); ++i) {
                variants.push_back(q.substr(0, i));
                if (i < q.size())
                    variants.push_back(q.substr(0, i) + q.substr(i + 1));
            }
            for (const std::string& v : variants) {
                ParseError err;
                ExprPtr e = parse(v, &err);
                if (e) {
                    ++parsed;
                    const std::string printed = toString(*e);
                    auto again = parse(printed);
                    QVERIFY2(again.isOk(), (v + " -> " + printed).c_str());
                    QCOMPARE(toString(**again), printed);
                } else {
                    ++failed;
                    QVERIFY2(!err.message.empty(), v.c_str());
                    QVERIFY2(err.offset <= v.size(), v.c_str());
                    QVERIFY2(err.line >= 1 && err.column >= 1, v.c_str());
                }
            }
        }
        QVERIFY(parsed > 50);
        QVERIFY(failed > 500);
    }

    void deepNesting() {
        // Reasonable nesting parses; absurd nesting is refused, not a crash.
        const std::string ok = std::string(100, '(') + "1" + std::string(100, ')');
        QVERIFY(parse(ok).isOk());
        const std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
        auto r = parse(deep);
        QVERIFY(!r.isOk());
        QVERIFY(r.status().message().find("nested too deeply") != std::string::npos);
        auto u = parse(std::string(100000, '-') + "1");
        QVERIFY(!u.isOk());
        auto d = parse("foo[" + std::string(100000, '(') + "1m" + std::string(100000, ')') + "]");
        QVERIFY(!d.isOk());
    }

    void numberFormatting_data() {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("text");
        QTest::newRow("int") << 1.0 << "1";
        QTest::newRow("fraction") << 0.25 << "0.25";
        QTest::newRow("100000") << 100000.0 << "100000";
        QTest::newRow("1e6") << 1e6 << "1e+06";
        QTest::newRow("0.0001") << 0.0001 << "0.0001";
        QTest::newRow("1e-05") << 0.00001 << "1e-05";
        QTest::newRow("negative") << -2.5 << "-2.5";
        QTest::newRow("shortest") << 0.1 + 0.2 << "0.30000000000000004";
        QTest::newRow("+Inf") << double(INFINITY) << "+Inf";
        QTest::newRow("-Inf") << -double(INFINITY) << "-Inf";
    }

    void numberFormatting() {
        QFETCH(double, value);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(formatNumber(value)), text);
    }
};

QTEST_GUILESS_MAIN(TestPromqlParser)
#include "tst_promql_parser.moc"
