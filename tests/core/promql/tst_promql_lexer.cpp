// Token streams and lexer errors, modelled on Prometheus's lexer_test.go.
// Error texts and positions were checked against Prometheus 2.42.

#include <QTest>

#include "core/promql/lexer.h"
#include "core/util/go_quote.h"

using namespace vigil::promql;

namespace {

const char* kindName(TokenKind k) {
    switch (k) {
        case TokenKind::kEof:
            return "EOF";
        case TokenKind::kError:
            return "ERR";
        case TokenKind::kIdentifier:
            return "ID";
        case TokenKind::kMetricIdentifier:
            return "MID";
        case TokenKind::kNumber:
            return "NUM";
        case TokenKind::kDuration:
            return "DUR";
        case TokenKind::kString:
            return "STR";
        default:
            return "OP";
    }
}

// "ID(foo)@0 OP(+)@4 NUM(1)@6" - kind, text and start offset of each token
// before EOF.
QString dump(const std::vector<Token>& tokens) {
    QStringList parts;
    for (const Token& t : tokens) {
        if (t.kind == TokenKind::kEof)
            break;
        parts << QStringLiteral("%1(%2)@%3")
                     .arg(kindName(t.kind))
                     .arg(QString::fromStdString(std::string(t.text)))
                     .arg(t.pos.start);
    }
    return parts.join(' ');
}

}  // namespace

class TestPromqlLexer : public QObject {
    Q_OBJECT

private slots:
    void tokens_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("identifier") << "foo"
                                    << "ID(foo)@0";
        QTest::newRow("metric with colons") << "job:rate5m:sum"
                                            << "MID(job:rate5m:sum)@0";
        QTest::newRow("leading colon") << ":foo"
                                       << "MID(:foo)@0";
        QTest::newRow("whitespace positions") << "  foo +\t1"
                                              << "ID(foo)@2 OP(+)@6 NUM(1)@8";
        QTest::newRow("numbers") << "1 1.5 .5 5. 1e3 1E-3 2e+2"
                                 << "NUM(1)@0 NUM(1.5)@2 NUM(.5)@6 NUM(5.)@9 NUM(1e3)@12 "
                                    "NUM(1E-3)@16 NUM(2e+2)@21";
        QTest::newRow("hex") << "0x1F 0Xab"
                             << "NUM(0x1F)@0 NUM(0Xab)@5";
        QTest::newRow("inf and nan any case") << "Inf inf NaN nAn"
                                              << "NUM(Inf)@0 NUM(inf)@4 NUM(NaN)@8 NUM(nAn)@12";
        QTest::newRow("infinity is a word") << "infinity"
                                            << "ID(infinity)@0";
        QTest::newRow("durations") << "5m 1h30m 500ms 1y 2w 1d"
                                   << "DUR(5m)@0 DUR(1h30m)@3 DUR(500ms)@9 DUR(1y)@15 "
                                      "DUR(2w)@18 DUR(1d)@21";
        QTest::newRow("range and subquery") << "foo[5m:1m]"
                                            << "ID(foo)@0 OP([)@3 DUR(5m)@4 OP(:)@6 DUR(1m)@7 "
                                               "OP(])@9";
        QTest::newRow("no colon in identifiers inside brackets")
            << "x[a:b]"
            << "ID(x)@0 OP([)@1 ID(a)@2 OP(:)@3 ID(b)@4 OP(])@5";
        QTest::newRow("strings") << "\"a\\\"b\" 'c\\'d' `raw\\n`"
                                 << "STR(\"a\\\"b\")@0 STR('c\\'d')@7 STR(`raw\\n`)@14";
        QTest::newRow("operators")
            << "== != <= < >= > = + - * / % ^ @ ,"
            << "OP(==)@0 OP(!=)@3 OP(<=)@6 OP(<)@9 OP(>=)@11 OP(>)@14 OP(=)@16 OP(+)@18 "
               "OP(-)@20 OP(*)@22 OP(/)@24 OP(%)@26 OP(^)@28 OP(@)@30 OP(,)@32";
        QTest::newRow("regex matchers") << "{a=~\"b\",c!~\"d\"}"
                                        << "OP({)@0 ID(a)@1 OP(=~)@2 STR(\"b\")@4 OP(,)@7 ID(c)@8 "
                                           "OP(!~)@9 STR(\"d\")@11 OP(})@14";
        QTest::newRow("matchers") << "{a=\"b\",c!~'d'}"
                                  << "OP({)@0 ID(a)@1 OP(=)@2 STR(\"b\")@3 OP(,)@6 ID(c)@7 "
                                     "OP(!~)@8 STR('d')@10 OP(})@13";
        QTest::newRow("inf is a label name inside braces")
            << "{inf=\"x\"}"
            << "OP({)@0 ID(inf)@1 OP(=)@4 STR(\"x\")@5 OP(})@8";
        QTest::newRow("keywords are identifiers") << "sum BY (job)"
                                                  << "ID(sum)@0 ID(BY)@4 OP(()@7 ID(job)@8 "
                                                     "OP())@11";
        QTest::newRow("comment") << "foo # comment + 1\n+ bar"
                                 << "ID(foo)@0 OP(+)@18 ID(bar)@20";
        QTest::newRow("comment only") << "# nothing"
                                      << "";
        QTest::newRow("trim operators") << "a </ 1 >/ 2"
                                        << "ID(a)@0 OP(</)@2 NUM(1)@5 OP(>/)@7 NUM(2)@10";
    }

    void tokens() {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        const std::string in = input.toStdString();
        const auto tokens = lex(in);
        QVERIFY(!tokens.empty());
        QCOMPARE(tokens.back().kind, TokenKind::kEof);
        for (const Token& t : tokens)
            QVERIFY2(t.kind != TokenKind::kError, t.error.c_str());
        QCOMPARE(dump(tokens), expected);
    }

    void errors_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("offset");
        QTest::newRow("stray right paren") << "foo)"
                                           << "unexpected right parenthesis ')'" << 3;
        QTest::newRow("unclosed paren") << "(foo"
                                        << "unclosed left parenthesis" << 4;
        QTest::newRow("unclosed bracket") << "foo[5m"
                                          << "unclosed left bracket" << 6;
        QTest::newRow("stray right bracket") << "foo]"
                                             << "unexpected right bracket ']'" << 3;
        QTest::newRow("nested brackets") << "a[1m["
                                         << "unexpected left bracket '['" << 4;
        QTest::newRow("unclosed brace") << "{a=\"b\""
                                        << "unexpected end of input inside braces" << 6;
        QTest::newRow("nested brace") << "{{"
                                      << "unexpected left brace '{'" << 1;
        QTest::newRow("stray right brace") << "a}"
                                           << "unexpected character: '}'" << 1;
        QTest::newRow("unterminated string") << "\"abc"
                                             << "unterminated quoted string" << 0;
        QTest::newRow("newline in string") << "'a\nb'"
                                           << "unterminated quoted string" << 0;
        QTest::newRow("unterminated raw") << "`abc"
                                          << "unterminated raw string" << 0;
        QTest::newRow("unknown escape") << "x + \"a\\qb\""
                                        << "unknown escape sequence U+0071 'q'" << 4;
        QTest::newRow("bad hex escape") << "\"a\\xzz\""
                                        << "illegal character U+007A 'z' in escape sequence" << 0;
        QTest::newRow("wrong quote escape") << "\"\\'\""
                                            << "unknown escape sequence U+0027 '''" << 0;
        QTest::newRow("bad number") << "1x"
                                    << "bad number or duration syntax: \"1x\"" << 0;
        QTest::newRow("bad duration") << "foo[5mm]"
                                      << "bad number or duration syntax: \"5mm\"" << 4;
        QTest::newRow("unexpected character") << "foo ~ bar"
                                              << "unexpected character: '~'" << 4;
        QTest::newRow("bad character in braces") << "{a~\"b\"}"
                                                 << "unexpected character inside braces: '~'" << 2;
        QTest::newRow("lone bang") << "!foo"
                                   << "unexpected character after '!': 'f'" << 0;
        QTest::newRow("regex op outside braces") << "job=~\"x\""
                                                 << "unexpected character after '=': '~'" << 3;
        QTest::newRow("not-regex op outside braces") << "a !~ b"
                                                     << "unexpected character after '!': '~'" << 2;
        QTest::newRow("digit inside braces") << "{a=\"b\"3}"
                                             << "unexpected character inside braces: '3'" << 6;
    }

    void errors() {
        QFETCH(QString, input);
        QFETCH(QString, message);
        QFETCH(int, offset);
        const std::string in = input.toStdString();
        const auto tokens = lex(in);
        QVERIFY(tokens.size() >= 2);
        const Token& err = tokens[tokens.size() - 2];
        QCOMPARE(err.kind, TokenKind::kError);
        QCOMPARE(QString::fromStdString(err.error), message);
        QCOMPARE(int(err.pos.start), offset);
        QCOMPARE(tokens.back().kind, TokenKind::kEof);
    }

    void unquote_data() {
        QTest::addColumn<QByteArray>("quoted");
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("plain") << QByteArray("\"abc\"") << QByteArray("abc");
        QTest::newRow("simple escapes")
            << QByteArray("\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\"") << QByteArray("\a\b\f\n\r\t\v\\\"");
        QTest::newRow("hex octal unicode") << QByteArray("\"\\x41\\101\\u00e9\\U0001F600\"")
                                           << QByteArray("AA\xc3\xa9\xf0\x9f\x98\x80");
        QTest::newRow("single quoted") << QByteArray("'it\\'s \"x\"'") << QByteArray("it's \"x\"");
        QTest::newRow("raw keeps backslashes") << QByteArray("`a\\nb`") << QByteArray("a\\nb");
        QTest::newRow("utf8 passes through")
            << QByteArray("\"\xc3\xa9\"") << QByteArray("\xc3\xa9");
    }

    void unquote() {
        QFETCH(QByteArray, quoted);
        QFETCH(QByteArray, value);
        std::string out;
        std::string error;
        std::size_t offset = 0;
        QVERIFY2(unquoteString(quoted.toStdString(), &out, &error, &offset), error.c_str());
        QCOMPARE(QByteArray::fromStdString(out), value);
    }

    void quote_data() {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("plain") << QByteArray("abc") << QByteArray("\"abc\"");
        QTest::newRow("escapes") << QByteArray("a\"b\\c\n\t")
                                 << QByteArray("\"a\\\"b\\\\c\\n\\t\"");
        QTest::newRow("control byte") << QByteArray("\x01", 1) << QByteArray("\"\\x01\"");
        QTest::newRow("valid utf8 kept") << QByteArray("\xc3\xa9") << QByteArray("\"\xc3\xa9\"");
        QTest::newRow("invalid utf8 escaped") << QByteArray("a\xff") << QByteArray("\"a\\xff\"");
    }

    void quote() {
        QFETCH(QByteArray, value);
        QFETCH(QByteArray, expected);
        QCOMPARE(QByteArray::fromStdString(vigil::goQuote(value.toStdString())), expected);
    }

    void describe() {
        const std::string q = "sum by (x) + \"str\" 5m 1 foo:bar ( offset";
        const auto t = lex(q);
        QCOMPARE(QString::fromStdString(describeToken(t[0])), QStringLiteral("<aggr:sum>"));
        QCOMPARE(QString::fromStdString(describeToken(t[1])), QStringLiteral("<by>"));
        QCOMPARE(QString::fromStdString(describeToken(t[2])), QStringLiteral("\"(\""));
        QCOMPARE(QString::fromStdString(describeToken(t[3])), QStringLiteral("identifier \"x\""));
        QCOMPARE(QString::fromStdString(describeToken(t[5])), QStringLiteral("<op:+>"));
        QCOMPARE(QString::fromStdString(describeToken(t[6])),
                 QStringLiteral("string \"\\\"str\\\"\""));
        QCOMPARE(QString::fromStdString(describeToken(t[7])), QStringLiteral("duration \"5m\""));
        QCOMPARE(QString::fromStdString(describeToken(t[8])), QStringLiteral("number \"1\""));
        QCOMPARE(QString::fromStdString(describeToken(t[9])),
                 QStringLiteral("metric identifier \"foo:bar\""));
        QCOMPARE(QString::fromStdString(describeToken(t[11])), QStringLiteral("<offset>"));
        QCOMPARE(QString::fromStdString(describeToken(t.back())), QStringLiteral("end of input"));
    }

    void lineColumn() {
        int line = 0;
        int col = 0;
        lineAndColumn("foo +\n  bar", 8, &line, &col);
        QCOMPARE(line, 2);
        QCOMPARE(col, 3);
        lineAndColumn("foo", 0, &line, &col);
        QCOMPARE(line, 1);
        QCOMPARE(col, 1);
    }
};

QTEST_GUILESS_MAIN(TestPromqlLexer)
#include "tst_promql_lexer.moc"
