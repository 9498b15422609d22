#include "core/notify/am_matchers.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace vigil::notify {
namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

}  // namespace

bool isValidAmLabelName(std::string_view name) {
    if (name.empty())
        return false;
    auto first = [](char c) {
        return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
    };
    if (!first(name[0]))
        return false;
    return std::all_of(name.begin() + 1, name.end(), [&](char c) {
        return first(c) || std::isdigit(static_cast<unsigned char>(c));
    });
}

Result<model::Matcher> parseAmMatcher(std::string_view text) {
    const std::string original(text);
    // ^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$
    std::string_view s = text;
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    std::size_t nameEnd = 0;
    while (nameEnd < s.size() && (std::isalnum(static_cast<unsigned char>(s[nameEnd])) ||
                                  s[nameEnd] == '_' || s[nameEnd] == ':')) {
        ++nameEnd;
    }
    const std::string_view name = s.substr(0, nameEnd);
    if (!isValidAmLabelName(name))
        return Status::error("bad matcher format: " + original);
    s.remove_prefix(nameEnd);
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    model::MatchType type;
    if (s.substr(0, 2) == "=~") {
        type = model::MatchType::kRegexp;
        s.remove_prefix(2);
    } else if (s.substr(0, 2) == "!=") {
        type = model::MatchType::kNotEqual;
        s.remove_prefix(2);
    } else if (s.substr(0, 2) == "!~") {
        type = model::MatchType::kNotRegexp;
        s.remove_prefix(2);
    } else if (s.substr(0, 1) == "=") {
        type = model::MatchType::kEqual;
        s.remove_prefix(1);
    } else {
        return Status::error("bad matcher format: " + original);
    }
    const std::string_view raw = trim(s);
    std::string_view rawValue = raw;
    bool expectTrailingQuote = false;
    if (!rawValue.empty() && rawValue.front() == '"') {
        rawValue.remove_prefix(1);
        expectTrailingQuote = true;
    }
    std::string value;
    bool escaped = false;
    for (std::size_t i = 0; i < rawValue.size(); ++i) {
        const char c = rawValue[i];
        if (escaped) {
            escaped = false;
            if (c == 'n') {
                value += '\n';
            } else if (c == '"' || c == '\\') {
                value += c;
            } else {  // a spurious escape: the backslash is literal
                value += '\\';
                value += c;
            }
            continue;
        }
        if (c == '\\') {
            if (i + 1 < rawValue.size()) {
                escaped = true;
                continue;
            }
            value += '\\';
        } else if (c == '"') {
            if (!expectTrailingQuote || i + 1 < rawValue.size()) {
                return Status::error("matcher value contains unescaped double quote: " +
                                     std::string(raw));
            }
            expectTrailingQuote = false;
        } else {
            value += c;
        }
    }
    if (expectTrailingQuote) {
        return Status::error("matcher value contains unescaped double quote: " + std::string(raw));
    }
    return model::Matcher::make(type, std::string(name), std::move(value));
}

Result<std::vector<model::Matcher>> parseAmMatchers(std::string_view text) {
    if (!text.empty() && text.front() == '{')
        text.remove_prefix(1);
    if (!text.empty() && text.back() == '}')
        text.remove_suffix(1);
    std::vector<std::string> tokens;
    std::string token;
    bool insideQuotes = false, escaped = false;
    for (char c : text) {
        switch (c) {
            case ',':
                if (!insideQuotes) {
                    tokens.push_back(token);
                    token.clear();
                    continue;
                }
                break;
            case '"':
                if (!escaped) {
                    insideQuotes = !insideQuotes;
                } else {
                    escaped = false;
                }
                break;
            case '\\':
                escaped = !escaped;
                break;
            default:
                escaped = false;
        }
        token += c;
    }
    if (!trim(token).empty())
        tokens.emplace_back(trim(token));
    std::vector<model::Matcher> out;
    for (const auto& t : tokens) {
        auto m = parseAmMatcher(t);
        if (!m)
            return m.status();
        out.push_back(std::move(*m));
    }
    return out;
}

void sortAmMatchers(std::vector<model::Matcher>& matchers) {
    std::stable_sort(matchers.begin(), matchers.end(),
                     [](const model::Matcher& a, const model::Matcher& b) {
                         if (a.name() != b.name())
                             return a.name() < b.name();
                         if (a.value() != b.value())
                             return a.value() < b.value();
                         return a.type() < b.type();
                     });
}

std::string amMatcherText(const model::Matcher& m) {
    return m.name() + model::matchTypeToString(m.type()) + goQuote(m.value());
}

std::string amMatchersText(const std::vector<model::Matcher>& matchers) {
    std::string out = "{";
    for (std::size_t i = 0; i < matchers.size(); ++i) {
        if (i)
            out += ',';
        out += amMatcherText(matchers[i]);
    }
    out += '}';
    return out;
}

std::string amLabelSetText(const model::Labels& labels) {
    std::string out = "{";
    bool first = true;
    for (const auto& label : labels) {
        if (!first)
            out += ", ";
        first = false;
        out += label.name + "=" + goQuote(label.value);
    }
    out += '}';
    return out;
}

std::uint64_t amFingerprint(const model::Labels& labels) {
    std::uint64_t h = 14695981039346656037ULL;
    auto add = [&](std::string_view bytes) {
        for (unsigned char c : bytes) {
            h ^= c;
            h *= 1099511628211ULL;
        }
    };
    for (const auto& label : labels) {
        add(label.name);
        add(std::string_view("\xff", 1));
        add(label.value);
        add(std::string_view("\xff", 1));
    }
    return h;
}

std::string amFingerprintHex(const model::Labels& labels) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx",
                  static_cast<unsigned long long>(amFingerprint(labels)));
    return buf;
}

}  // namespace vigil::notify
