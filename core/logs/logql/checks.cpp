#include "core/logs/logql/checks.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>

namespace vigil::logql {

namespace {

bool isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isNameChar(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
}

// 4 or 6 for a valid address, 0 otherwise.
int addressFamily(const std::string& text) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, text.c_str(), buf) == 1)
        return 4;
    if (inet_pton(AF_INET6, text.c_str(), buf) == 1)
        return 6;
    return 0;
}

}  // namespace

Status checkJsonPath(std::string_view e) {
    if (e.empty())
        return Status::error("empty JSON path expression");
    std::size_t i = 0;
    bool needField = true;  // at the start and after '.'
    while (i < e.size()) {
        const char c = e[i];
        if (c == '[') {
            const std::size_t open = i++;
            if (i < e.size() && (e[i] == '"' || e[i] == '\'')) {
                const char quote = e[i++];
                while (i < e.size() && e[i] != quote) {
                    if (e[i] == '\\')
                        ++i;
                    ++i;
                }
                if (i >= e.size())
                    return Status::error(
                        "cannot parse expression: unterminated string in JSON path \"" +
                        std::string(e) + "\" at offset " + std::to_string(open));
                ++i;
            } else {
                const std::size_t digits = i;
                while (i < e.size() && e[i] >= '0' && e[i] <= '9')
                    ++i;
                if (i == digits)
                    return Status::error("cannot parse expression: JSON path \"" + std::string(e) +
                                         "\": subscript at offset " + std::to_string(open) +
                                         " must be an integer or a quoted string");
            }
            if (i >= e.size() || e[i] != ']')
                return Status::error("cannot parse expression: JSON path \"" + std::string(e) +
                                     "\": unclosed '[' at offset " + std::to_string(open));
            ++i;
            needField = false;
        } else if (c == '.') {
            if (needField)
                return Status::error("cannot parse expression: JSON path \"" + std::string(e) +
                                     "\": empty field name at offset " + std::to_string(i));
            ++i;
            needField = true;
        } else if (c == ']' || c == '"') {
            return Status::error("cannot parse expression: JSON path \"" + std::string(e) +
                                 "\": unexpected '" + std::string(1, c) + "' at offset " +
                                 std::to_string(i));
        } else {
            while (i < e.size() && e[i] != '.' && e[i] != '[' && e[i] != ']' && e[i] != '"')
                ++i;
            needField = false;
        }
    }
    if (needField)
        return Status::error("cannot parse expression: JSON path \"" + std::string(e) +
                             "\" ends with '.'");
    return Status::ok();
}

Result<PatternInfo> parsePattern(std::string_view p) {
    PatternInfo info;
    bool lastWasCapture = false;
    std::string lastCapture;
    std::size_t i = 0;
    while (i < p.size()) {
        if (p[i] == '<' && i + 1 < p.size() && isNameStart(p[i + 1])) {
            std::size_t j = i + 1;
            while (j < p.size() && isNameChar(p[j]))
                ++j;
            if (j < p.size() && p[j] == '>') {
                const std::string name(p.substr(i + 1, j - i - 1));
                const std::string capture = "<" + name + ">";
                if (lastWasCapture)
                    return Status::error("pattern \"" + std::string(p) + "\": captures " +
                                         lastCapture + " and " + capture +
                                         " are consecutive; a literal must separate them");
                if (name != "_") {
                    if (std::find(info.names.begin(), info.names.end(), name) != info.names.end())
                        return Status::error("pattern \"" + std::string(p) +
                                             "\": duplicate capture name <" + name + ">");
                    info.names.push_back(name);
                }
                ++info.captures;
                lastWasCapture = true;
                lastCapture = capture;
                i = j + 1;
                continue;
            }
        }
        lastWasCapture = false;
        ++i;
    }
    return info;
}

Result<std::vector<std::string>> checkRegexpParser(std::string_view regex) {
    RE2 re(re2::StringPiece(regex.data(), regex.size()), RE2::Quiet);
    if (!re.ok())
        return Status::error("invalid regexp \"" + std::string(regex) +
                             "\": error parsing regexp: " + re.error());
    // RE2 keeps one entry per name; scan the source to catch duplicates.
    std::vector<std::string> names;
    for (std::size_t i = 0; i + 2 < regex.size(); ++i) {
        if (regex[i] == '\\') {
            ++i;
            continue;
        }
        if (regex[i] != '(' || regex[i + 1] != '?')
            continue;
        std::size_t j = i + 2;
        if (j < regex.size() && regex[j] == 'P')
            ++j;
        if (j >= regex.size() || regex[j] != '<')
            continue;
        std::size_t k = ++j;
        while (k < regex.size() && regex[k] != '>')
            ++k;
        std::string name(regex.substr(j, k - j));
        if (std::find(names.begin(), names.end(), name) != names.end())
            return Status::error("invalid regexp \"" + std::string(regex) +
                                 "\": duplicate extracted label name " + name);
        names.push_back(std::move(name));
    }
    if (re.NamedCapturingGroups().empty())
        return Status::error("invalid regexp \"" + std::string(regex) +
                             "\": at least one named capture must be supplied (?P<name>...)");
    return names;
}

Status checkRegex(std::string_view regex) {
    RE2 re(re2::StringPiece(regex.data(), regex.size()), RE2::Quiet);
    if (!re.ok())
        return Status::error("invalid regex \"" + std::string(regex) +
                             "\": error parsing regexp: " + re.error());
    return Status::ok();
}

Status checkIpFilter(std::string_view value) {
    const std::string v(value);
    auto bad = [&] {
        return Status::error("ip: invalid pattern: ip(" + std::string(1, '"') + v +
                             "\"): not an IP address, CIDR or address range");
    };
    if (const std::size_t slash = v.find('/'); slash != std::string::npos) {
        const int family = addressFamily(v.substr(0, slash));
        const std::string bits = v.substr(slash + 1);
        if (family == 0 || bits.empty() || bits.size() > 3 ||
            !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return bad();
        if (std::atoi(bits.c_str()) > (family == 4 ? 32 : 128))
            return bad();
        return Status::ok();
    }
    if (const std::size_t dash = v.find('-'); dash != std::string::npos) {
        const int a = addressFamily(v.substr(0, dash));
        const int b = addressFamily(v.substr(dash + 1));
        if (a == 0 || a != b)
            return bad();
        return Status::ok();
    }
    if (addressFamily(v) == 0)
        return bad();
    return Status::ok();
}

}  // namespace vigil::logql
