#include "core/logs/logql/logqltest.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "core/logs/logql/engine.h"
#include "core/logs/logql/value_parse.h"
#include "core/logs/memory_log_store.h"
#include "core/util/go_float.h"

namespace vigil::logql {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Removes a trailing `# comment` that sits outside quotes.
std::string_view stripComment(std::string_view s) {
    char quote = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quote) {
            if (c == '\\' && quote == '"') {
                ++i;
                continue;
            }
            if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '"' || c == '`') {
            quote = c;
            continue;
        }
        if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
            return trim(s.substr(0, i));
    }
    return trim(s);
}

Result<std::int64_t> parseTime(std::string_view s) {
    auto d = parseGoDuration(s);
    if (!d.isOk())
        return Status::error("bad time " + std::string(s) + ": " + d.status().message());
    return d.value();
}

// A Go-quoted ("...") or raw (`...`) string at the start of `s`.
Result<std::string> readQuoted(std::string_view s, std::size_t* consumed) {
    if (s.empty() || (s[0] != '"' && s[0] != '`'))
        return Status::error("expected a quoted string");
    char q = s[0];
    std::string out;
    std::size_t i = 1;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == q) {
            *consumed = i + 1;
            return out;
        }
        if (q == '"' && c == '\\' && i + 1 < s.size()) {
            char e = s[++i];
            switch (e) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case 'x':
                    if (i + 2 < s.size()) {
                        out += static_cast<char>(
                            std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
                        i += 2;
                    }
                    break;
                default:
                    out += '\\';
                    out += e;
                    break;
            }
            continue;
        }
        out += c;
    }
    return Status::error("unterminated string");
}

// `{a="b", c="d"}` at the start of `s`.
Result<model::Labels> readLabels(std::string_view s, std::size_t* consumed) {
    if (s.empty() || s[0] != '{')
        return Status::error("expected '{'");
    std::vector<model::Label> labels;
    std::size_t i = 1;
    while (true) {
        while (i < s.size() && (s[i] == ' ' || s[i] == ','))
            ++i;
        if (i >= s.size())
            return Status::error("unterminated label set");
        if (s[i] == '}') {
            *consumed = i + 1;
            return model::Labels::fromUnsorted(std::move(labels));
        }
        std::size_t ns = i;
        while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_'))
            ++i;
        std::string name(s.substr(ns, i - ns));
        while (i < s.size() && s[i] == ' ')
            ++i;
        if (i >= s.size() || s[i] != '=')
            return Status::error("expected '=' after " + name);
        ++i;
        while (i < s.size() && s[i] == ' ')
            ++i;
        std::size_t used = 0;
        auto v = readQuoted(s.substr(i), &used);
        if (!v.isOk())
            return v.status();
        i += used;
        labels.push_back({std::move(name), v.value()});
    }
}

Result<double> parseValue(std::string_view s) {
    if (s == "NaN")
        return std::numeric_limits<double>::quiet_NaN();
    if (s == "+Inf" || s == "Inf")
        return std::numeric_limits<double>::infinity();
    if (s == "-Inf")
        return -std::numeric_limits<double>::infinity();
    auto v = parseGoFloat(s);
    if (!v.isOk())
        return Status::error("bad value " + std::string(s));
    return v.value();
}

// Values of a series line: numbers, `_`, `a+bxn`, `a-bxn`, `_xn`.
Result<std::vector<std::optional<double>>> parseSeriesValues(std::string_view s) {
    std::vector<std::optional<double>> out;
    std::istringstream in{std::string(s)};
    std::string tok;
    while (in >> tok) {
        if (tok == "_") {
            out.emplace_back();
            continue;
        }
        std::size_t x = tok.rfind('x');
        if (x != std::string::npos && x > 0 && x + 1 < tok.size() &&
            std::all_of(tok.begin() + static_cast<long>(x) + 1, tok.end(),
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
            int times = std::stoi(tok.substr(x + 1));
            std::string head = tok.substr(0, x);
            if (head == "_") {
                for (int k = 0; k < times; ++k)
                    out.emplace_back();
                continue;
            }
            std::size_t op = head.find_first_of("+-", 1);
            if (op == std::string::npos)
                return Status::error("bad expansion " + tok);
            auto a = parseValue(head.substr(0, op));
            auto b = parseValue(head.substr(op + 1));
            if (!a.isOk() || !b.isOk())
                return Status::error("bad expansion " + tok);
            double step = head[op] == '-' ? -b.value() : b.value();
            for (int k = 0; k <= times; ++k)
                out.emplace_back(a.value() + step * k);
            continue;
        }
        auto v = parseValue(tok);
        if (!v.isOk())
            return v.status();
        out.emplace_back(v.value());
    }
    return out;
}

bool almostEqual(double a, double b) {
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    if (a == b)
        return true;
    double diff = std::fabs(a - b);
    if (a == 0 || b == 0 || diff < std::numeric_limits<double>::min())
        return diff < 1e-6 * std::numeric_limits<double>::min() || diff < 1e-12;
    return diff / (std::fabs(a) + std::fabs(b)) < 1e-6;
}

std::string fmt(double v) {
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    return formatFloatG(v);
}

struct Expectation {
    bool empty = false;
    bool fail = false;
    std::string failMsg;
    std::string failRegex;
    bool ordered = false;
    std::optional<double> scalar;
    std::vector<std::pair<model::Labels, std::vector<std::optional<double>>>> series;
};

std::string renderExpected(const Expectation& e) {
    if (e.fail)
        return "fail" + (e.failMsg.empty() ? "" : " msg: " + e.failMsg) +
               (e.failRegex.empty() ? "" : " regex: " + e.failRegex);
    if (e.empty)
        return "empty";
    if (e.scalar)
        return fmt(*e.scalar);
    std::string out;
    for (const auto& [l, vs] : e.series) {
        out += "\n    " + l.toString();
        for (const auto& v : vs)
            out += " " + (v ? fmt(*v) : std::string("_"));
    }
    return out;
}

std::string renderResult(const QueryResult& r, const std::vector<std::int64_t>& steps) {
    if (r.type == QueryResult::Type::kScalar)
        return fmt(r.scalar.value);
    if (r.series.empty())
        return "empty";
    std::string out;
    for (const auto& s : r.series) {
        out += "\n    " + s.labels.toString();
        if (steps.size() == 1 && s.points.size() == 1) {
            out += " " + fmt(s.points[0].value);
            continue;
        }
        std::size_t k = 0;
        for (std::int64_t t : steps) {
            if (k < s.points.size() && s.points[k].tNs == t)
                out += " " + fmt(s.points[k++].value);
            else
                out += " _";
        }
    }
    return out;
}

// Compares; returns "" when equal or a reason.
bool matches(const Expectation& e, const QueryResult& r, const std::vector<std::int64_t>& steps,
             bool instant) {
    if (e.empty)
        return r.type != QueryResult::Type::kScalar && r.series.empty();
    if (e.scalar) {
        if (r.type == QueryResult::Type::kScalar)
            return almostEqual(*e.scalar, r.scalar.value);
        return false;
    }
    if (r.type == QueryResult::Type::kScalar) {
        return e.series.size() == 1 && e.series[0].first.empty() &&
               e.series[0].second.size() == 1 && e.series[0].second[0] &&
               almostEqual(*e.series[0].second[0], r.scalar.value);
    }
    if (e.series.size() != r.series.size())
        return false;
    std::vector<bool> used(r.series.size(), false);
    for (std::size_t i = 0; i < e.series.size(); ++i) {
        const auto& [labels, values] = e.series[i];
        std::size_t found = r.series.size();
        if (e.ordered) {
            if (r.series[i].labels == labels)
                found = i;
        } else {
            for (std::size_t k = 0; k < r.series.size(); ++k)
                if (!used[k] && r.series[k].labels == labels) {
                    found = k;
                    break;
                }
        }
        if (found == r.series.size())
            return false;
        used[found] = true;
        const auto& pts = r.series[found].points;
        if (instant) {
            if (values.size() != 1 || !values[0] || pts.size() != 1)
                return false;
            if (!almostEqual(*values[0], pts[0].value))
                return false;
            continue;
        }
        if (values.size() != steps.size())
            return false;
        std::size_t k = 0;
        for (std::size_t s = 0; s < steps.size(); ++s) {
            bool has = k < pts.size() && pts[k].tNs == steps[s];
            if (values[s].has_value() != has)
                return false;
            if (has) {
                if (!almostEqual(*values[s], pts[k].value))
                    return false;
                ++k;
            }
        }
        if (k != pts.size())
            return false;
    }
    return true;
}

struct Line {
    int number;
    std::string text;
};

bool indented(const std::string& s) {
    return !s.empty() && (s[0] == ' ' || s[0] == '\t');
}

Status loadLine(std::string_view s, logs::MemoryLogStore& store) {
    std::size_t used = 0;
    auto labels = readLabels(s, &used);
    if (!labels.isOk())
        return labels.status();
    s = trim(s.substr(used));
    auto line = readQuoted(s, &used);
    if (!line.isOk())
        return line.status();
    s = trim(s.substr(used));
    if (s.empty() || s[0] != '@')
        return Status::error("expected '@ <time>'");
    s = trim(s.substr(1));
    std::size_t sp = s.find_first_of(" \t[");
    auto t0 = parseTime(s.substr(0, sp));
    if (!t0.isOk())
        return t0.status();
    s = sp == std::string_view::npos ? std::string_view() : trim(s.substr(sp));
    std::int64_t every = 0;
    long count = 1;
    model::Labels metadata;
    while (!s.empty()) {
        if (s[0] != '[')
            return Status::error("unexpected " + std::string(s));
        std::size_t close = s.find(']');
        if (close == std::string_view::npos)
            return Status::error("unterminated [");
        std::string_view inner = trim(s.substr(1, close - 1));
        s = trim(s.substr(close + 1));
        if (inner.starts_with("repeat")) {
            std::istringstream in{std::string(inner)};
            std::string w1, w2, d, w3, n;
            in >> w1 >> w2 >> d >> w3 >> n;
            if (w2 != "every" || w3 != "for")
                return Status::error("bad repeat: " + std::string(inner));
            auto e = parseTime(d);
            if (!e.isOk())
                return e.status();
            every = e.value();
            count = std::stol(n);
        } else if (inner.starts_with("metadata")) {
            std::string body = "{" + std::string(trim(inner.substr(8))) + "}";
            std::size_t u = 0;
            auto m = readLabels(body, &u);
            if (!m.isOk())
                return m.status();
            metadata = m.value();
        } else {
            return Status::error("unknown option [" + std::string(inner) + "]");
        }
    }
    logs::LogStream stream;
    stream.labels = labels.value();
    for (long i = 0; i < count; ++i) {
        std::string text = line.value();
        std::size_t pos;
        while ((pos = text.find("{{.i}}")) != std::string::npos)
            text.replace(pos, 6, std::to_string(i));
        stream.entries.push_back({t0.value() + every * i, std::move(text), metadata});
    }
    store.push({stream});
    return Status::ok();
}

}  // namespace

Status runLogqlTestFile(const std::string& path, LogqlTestSummary& summary) {
    std::ifstream in(path);
    if (!in)
        return Status::ioError("cannot read " + path);
    std::vector<Line> lines;
    std::string text;
    int number = 0;
    while (std::getline(in, text))
        lines.push_back({++number, text});

    logs::MemoryLogStore store;
    Engine engine(store);
    auto where = [&](int line) { return path + ":" + std::to_string(line); };
    std::size_t i = 0;
    while (i < lines.size()) {
        const Line& l = lines[i];
        std::string_view t = trim(l.text);
        if (t.empty() || t[0] == '#') {
            ++i;
            continue;
        }
        t = stripComment(t);
        if (t == "clear") {
            store.clear();
            ++i;
            continue;
        }
        if (t == "load") {
            ++i;
            while (i < lines.size() && indented(lines[i].text)) {
                std::string_view b = trim(lines[i].text);
                if (!b.empty() && b[0] != '#') {
                    Status s = loadLine(stripComment(b), store);
                    if (!s.isOk())
                        return Status::error(where(lines[i].number) + ": " + s.message());
                }
                ++i;
            }
            continue;
        }
        if (!t.starts_with("eval "))
            return Status::error(where(l.number) + ": unknown command");
        // Header.
        std::istringstream hs{std::string(t)};
        std::string w;
        hs >> w >> w;
        bool instant = w == "instant";
        std::int64_t start = 0, end = 0, step = 0;
        std::string a, b, c, d, e2, f;
        if (instant) {
            hs >> a >> b;  // at T
            auto ts = parseTime(b);
            if (!ts.isOk())
                return Status::error(where(l.number) + ": " + ts.status().message());
            start = end = ts.value();
        } else {
            hs >> a >> b >> c >> d >> e2 >> f;  // from T0 to T1 step S
            auto t0 = parseTime(b), t1 = parseTime(d), st = parseTime(f);
            if (!t0.isOk() || !t1.isOk() || !st.isOk() || a != "from" || c != "to" || e2 != "step")
                return Status::error(where(l.number) + ": bad eval range header");
            start = t0.value();
            end = t1.value();
            step = st.value();
        }
        std::string query;
        std::getline(hs, query);
        query = std::string(trim(query));
        // Expectations.
        Expectation exp;
        bool skipValues = false;
        ++i;
        Status bad = Status::ok();
        while (i < lines.size() && indented(lines[i].text)) {
            std::string_view x = trim(lines[i].text);
            ++i;
            if (x.empty() || x[0] == '#')
                continue;
            if (x.starts_with("expect fail")) {
                exp.fail = true;
                std::string_view rest = trim(x.substr(11));
                if (rest.starts_with("msg:"))
                    exp.failMsg = std::string(trim(rest.substr(4)));
                if (rest.starts_with("regex:"))
                    exp.failRegex = std::string(trim(rest.substr(6)));
                continue;
            }
            x = stripComment(x);
            if (x == "expect empty") {
                exp.empty = true;
            } else if (x == "expect ordered") {
                exp.ordered = true;
            } else if (x.starts_with("skip values-comparison")) {
                skipValues = true;  // applies to sharded Loki stacks only; Vigil compares values
            } else if (x[0] == '{') {
                std::size_t used = 0;
                auto labels = readLabels(x, &used);
                if (!labels.isOk()) {
                    bad = labels.status();
                    break;
                }
                auto values = parseSeriesValues(x.substr(used));
                if (!values.isOk()) {
                    bad = values.status();
                    break;
                }
                exp.series.emplace_back(labels.value(), values.value());
            } else {
                auto v = parseValue(x);
                if (!v.isOk()) {
                    bad = v.status();
                    break;
                }
                exp.scalar = v.value();
            }
        }
        (void)skipValues;
        if (!bad.isOk())
            return Status::error(where(l.number) + ": " + bad.message());

        QueryParams params;
        params.startNs = start;
        params.endNs = end;
        params.stepNs = instant ? 0 : step;
        params.instant = instant;
        std::vector<std::int64_t> steps;
        if (instant) {
            steps.push_back(start);
        } else {
            for (std::int64_t ts = start; ts <= end; ts += step)
                steps.push_back(ts);
        }
        auto result = engine.query(query, params);
        bool ok;
        std::string got;
        if (!result.isOk()) {
            got = "error: " + result.status().message();
            if (!exp.fail) {
                ok = false;
            } else if (!exp.failMsg.empty()) {
                ok = result.status().message().find(exp.failMsg) != std::string::npos;
            } else if (!exp.failRegex.empty()) {
                ok = RE2::PartialMatch(result.status().message(), RE2(exp.failRegex));
            } else {
                ok = true;
            }
        } else {
            got = renderResult(result.value(), steps);
            ok = !exp.fail && matches(exp, result.value(), steps, instant);
        }
        if (ok) {
            ++summary.passed;
        } else {
            ++summary.failed;
            summary.failures.push_back({path, l.number, query, renderExpected(exp), got});
        }
    }
    return Status::ok();
}

}  // namespace vigil::logql
