#include "core/logs/pipeline/template_functions.h"

#include <QByteArray>
#include <QCryptographicHash>

#include <re2/re2.h>

#include "core/template/function_helpers.h"

namespace vigil::logs::pipeline {
namespace {

using gotmpl::Function;
using gotmpl::Value;
using Args = std::span<const Value>;

Result<std::string> arg(Args a, std::size_t i) {
    return gotmpl::stringArg(a, i);
}

std::string_view trimLeftSet(std::string_view s, std::string_view cut) {
    while (!s.empty() && cut.find(s.front()) != std::string_view::npos)
        s.remove_prefix(1);
    return s;
}
std::string_view trimRightSet(std::string_view s, std::string_view cut) {
    while (!s.empty() && cut.find(s.back()) != std::string_view::npos)
        s.remove_suffix(1);
    return s;
}

// func(string, string) string.
Function two(std::string (*f)(std::string_view, std::string_view)) {
    return Function{[f](Args a) -> Result<Value> {
                        auto x = arg(a, 0);
                        if (!x.isOk())
                            return x.status();
                        auto y = arg(a, 1);
                        if (!y.isOk())
                            return y.status();
                        return Value(f(x.value(), y.value()));
                    },
                    2, 2};
}

std::string hashHex(std::string_view salt, std::string_view input,
                    QCryptographicHash::Algorithm algorithm) {
    QByteArray data(salt.data(), static_cast<qsizetype>(salt.size()));
    data.append(input.data(), static_cast<qsizetype>(input.size()));
    return QCryptographicHash::hash(data, algorithm).toHex().toStdString();
}

gotmpl::FuncMap build() {
    gotmpl::FuncMap m;
    m["ToLower"] = gotmpl::stringFunction(&gotmpl::toLower);
    m["ToUpper"] = gotmpl::stringFunction(&gotmpl::toUpper);
    m["TrimSpace"] = gotmpl::stringFunction([](std::string_view s) {
        return std::string(trimRightSet(trimLeftSet(s, " \t\n\r\v\f"), " \t\n\r\v\f"));
    });
    m["Trim"] = two([](std::string_view s, std::string_view c) {
        return std::string(trimRightSet(trimLeftSet(s, c), c));
    });
    m["TrimLeft"] =
        two([](std::string_view s, std::string_view c) { return std::string(trimLeftSet(s, c)); });
    m["TrimRight"] =
        two([](std::string_view s, std::string_view c) { return std::string(trimRightSet(s, c)); });
    m["TrimPrefix"] = two([](std::string_view s, std::string_view p) {
        return std::string(s.substr(0, p.size()) == p ? s.substr(p.size()) : s);
    });
    m["TrimSuffix"] = two([](std::string_view s, std::string_view p) {
        return std::string(s.size() >= p.size() && s.substr(s.size() - p.size()) == p
                               ? s.substr(0, s.size() - p.size())
                               : s);
    });
    m["Hash"] = two([](std::string_view salt, std::string_view input) {
        return hashHex(salt, input, QCryptographicHash::Sha3_256);
    });
    m["Sha2Hash"] = two([](std::string_view salt, std::string_view input) {
        return hashHex(salt, input, QCryptographicHash::Sha256);
    });
    // strings.Replace(s, old, new, n): n < 0 replaces all.
    m["Replace"] = Function{[](Args a) -> Result<Value> {
                                auto s = arg(a, 0), o = arg(a, 1), n = arg(a, 2);
                                if (!s.isOk())
                                    return s.status();
                                if (!o.isOk())
                                    return o.status();
                                if (!n.isOk())
                                    return n.status();
                                if (a[3].kind() != Value::Kind::kInt)
                                    return gotmpl::wrongType("int", a[3]);
                                std::int64_t count = a[3].asInt();
                                const std::string& src = s.value();
                                const std::string& from = o.value();
                                std::string out;
                                std::size_t pos = 0;
                                while (count != 0) {
                                    std::size_t at;
                                    if (from.empty()) {
                                        // Go inserts `new` before each rune and at the end.
                                        if (pos > src.size())
                                            break;
                                        at = pos;
                                    } else {
                                        at = src.find(from, pos);
                                        if (at == std::string::npos)
                                            break;
                                    }
                                    out.append(src, pos, at - pos);
                                    out += n.value();
                                    if (from.empty()) {
                                        if (at < src.size()) {
                                            std::size_t len = 1;
                                            const auto c = static_cast<unsigned char>(src[at]);
                                            if (c >= 0xF0)
                                                len = 4;
                                            else if (c >= 0xE0)
                                                len = 3;
                                            else if (c >= 0xC0)
                                                len = 2;
                                            out.append(src, at, len);
                                            pos = at + len;
                                        } else {
                                            pos = at + 1;
                                        }
                                    } else {
                                        pos = at + from.size();
                                    }
                                    if (count > 0)
                                        --count;
                                }
                                if (pos < src.size())
                                    out.append(src, pos, std::string::npos);
                                return Value(std::move(out));
                            },
                            4, 4};
    m["regexReplaceAll"] =
        Function{[](Args a) -> Result<Value> {
                     auto re = arg(a, 0), s = arg(a, 1), repl = arg(a, 2);
                     if (!re.isOk())
                         return re.status();
                     if (!s.isOk())
                         return s.status();
                     if (!repl.isOk())
                         return repl.status();
                     auto r = gotmpl::regexReplaceAll(re.value(), repl.value(), s.value());
                     if (!r.isOk())
                         return r.status();
                     return Value(std::move(r.value()));
                 },
                 3, 3};
    m["regexReplaceAllLiteral"] =
        Function{[](Args a) -> Result<Value> {
                     auto pattern = arg(a, 0), s = arg(a, 1), repl = arg(a, 2);
                     if (!pattern.isOk())
                         return pattern.status();
                     if (!s.isOk())
                         return s.status();
                     if (!repl.isOk())
                         return repl.status();
                     RE2 re(pattern.value(), RE2::Quiet);
                     if (!re.ok())
                         return Status::error("error parsing regexp: " + re.error());
                     std::string rewrite;
                     for (char c : repl.value()) {
                         if (c == '\\')
                             rewrite.push_back('\\');
                         rewrite.push_back(c);
                     }
                     std::string out = s.value();
                     RE2::GlobalReplace(&out, re, rewrite);
                     return Value(std::move(out));
                 },
                 3, 3};
    return m;
}

}  // namespace

const gotmpl::FuncMap& promtailTemplateFunctions() {
    static const gotmpl::FuncMap kFunctions = build();
    return kFunctions;
}

}  // namespace vigil::logs::pipeline
