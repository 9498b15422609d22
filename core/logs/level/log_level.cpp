#include "core/logs/level/log_level.h"

#include <array>

namespace vigil::logs {
namespace {

constexpr std::array<std::string_view, 5> kLevelKeys = {"level", "severity", "lvl", "loglevel",
                                                        "detected_level"};

struct Keyword {
    std::string_view word;
    LogLevel level;
};

// Grafana's LogLevel keys (public/app/types/logs.ts) plus "inf".
constexpr std::array<Keyword, 18> kKeywords = {{
    {"emerg", LogLevel::kCritical},
    {"fatal", LogLevel::kCritical},
    {"alert", LogLevel::kCritical},
    {"crit", LogLevel::kCritical},
    {"critical", LogLevel::kCritical},
    {"err", LogLevel::kError},
    {"eror", LogLevel::kError},
    {"error", LogLevel::kError},
    {"warn", LogLevel::kWarning},
    {"warning", LogLevel::kWarning},
    {"info", LogLevel::kInfo},
    {"inf", LogLevel::kInfo},
    {"information", LogLevel::kInfo},
    {"informational", LogLevel::kInfo},
    {"notice", LogLevel::kInfo},
    {"debug", LogLevel::kDebug},
    {"dbug", LogLevel::kDebug},
    {"trace", LogLevel::kTrace},
}};

constexpr std::size_t kMaxKeywordLength = 13;  // "informational"

constexpr char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// JavaScript's \w: [A-Za-z0-9_], as a table (the scan's inner loop).
constexpr std::array<bool, 256> kWordChar = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[static_cast<std::size_t>(c)] =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    return t;
}();

constexpr bool isWordChar(char c) {
    return kWordChar[static_cast<unsigned char>(c)];
}

bool equalsIgnoreCase(std::string_view a, std::string_view lowerB) {
    if (a.size() != lowerB.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lowerB[i])
            return false;
    return true;
}

// Whether a word may be a keyword, by its first letter: most words of a line
// are rejected here without comparing against the table.
constexpr bool mayBeKeyword(char first) {
    switch (lower(first)) {
        case 'a':
        case 'c':
        case 'd':
        case 'e':
        case 'f':
        case 'i':
        case 'n':
        case 't':
        case 'w':
            return true;
        default:
            return false;
    }
}

LogLevel keywordLevel(std::string_view word) {
    if (word.size() < 3 || word.size() > kMaxKeywordLength || !mayBeKeyword(word[0]))
        return LogLevel::kUnknown;
    for (const Keyword& k : kKeywords)
        if (equalsIgnoreCase(word, k.word))
            return k.level;
    return LogLevel::kUnknown;
}

bool isLevelKey(std::string_view word) {
    const char first = lower(word[0]);
    if (first != 'l' && first != 's' && first != 'd')
        return false;
    for (std::string_view key : kLevelKeys)
        if (equalsIgnoreCase(word, key))
            return true;
    return false;
}

void skipSpaces(std::string_view s, std::size_t& i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
        ++i;
}

// The value after a level key that ends at `i`: JSON `":"value"` (the key
// was quoted) or logfmt `=value` / `="value"`. Empty when neither.
std::string_view fieldValueAfter(std::string_view line, std::size_t keyStart, std::size_t i) {
    const bool quotedKey = keyStart > 0 && line[keyStart - 1] == '"';
    if (quotedKey) {
        if (i >= line.size() || line[i] != '"')
            return {};
        ++i;
        skipSpaces(line, i);
        if (i >= line.size() || line[i] != ':')
            return {};
        ++i;
        skipSpaces(line, i);
    } else {
        if (i >= line.size() || line[i] != '=')
            return {};
        // logfmt keys start a pair: at the line start or after a space.
        if (keyStart > 0 && line[keyStart - 1] != ' ' && line[keyStart - 1] != '\t')
            return {};
        ++i;
    }
    if (i < line.size() && line[i] == '"') {
        const std::size_t start = ++i;
        while (i < line.size() && line[i] != '"')
            ++i;
        return line.substr(start, i - start);
    }
    if (quotedKey) {
        // A JSON number (syslog severity).
        const std::size_t start = i;
        while (i < line.size() && line[i] >= '0' && line[i] <= '9')
            ++i;
        return line.substr(start, i - start);
    }
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t')
        ++i;
    return line.substr(start, i - start);
}

LogLevel fromLabels(const model::Labels& labels) {
    if (labels.empty())
        return LogLevel::kUnknown;
    for (std::string_view key : kLevelKeys) {
        std::string_view v = labels.get(key);
        if (v.empty())
            continue;
        if (LogLevel l = logLevelFromValue(v); l != LogLevel::kUnknown)
            return l;
    }
    return LogLevel::kUnknown;
}

}  // namespace

std::string_view logLevelName(LogLevel level) {
    switch (level) {
        case LogLevel::kCritical:
            return "critical";
        case LogLevel::kError:
            return "error";
        case LogLevel::kWarning:
            return "warning";
        case LogLevel::kInfo:
            return "info";
        case LogLevel::kDebug:
            return "debug";
        case LogLevel::kTrace:
            return "trace";
        case LogLevel::kUnknown:
            break;
    }
    return "unknown";
}

LogLevel logLevelFromValue(std::string_view value) {
    if (value.size() == 1 && value[0] >= '0' && value[0] <= '7') {
        // Syslog severities (RFC 5424): 0..2 emergency/alert/critical, 3
        // error, 4 warning, 5..6 notice/informational, 7 debug.
        constexpr std::array<LogLevel, 8> kSyslog = {
            LogLevel::kCritical, LogLevel::kCritical, LogLevel::kCritical, LogLevel::kError,
            LogLevel::kWarning,  LogLevel::kInfo,     LogLevel::kInfo,     LogLevel::kDebug};
        return kSyslog[static_cast<std::size_t>(value[0] - '0')];
    }
    return keywordLevel(value);
}

LogLevel detectLogLevelInLine(std::string_view line) {
    LogLevel firstKeyword = LogLevel::kUnknown;
    std::size_t i = 0;
    const std::size_t n = line.size();
    while (i < n) {
        if (!isWordChar(line[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < n && isWordChar(line[i]))
            ++i;
        const std::string_view word = line.substr(start, i - start);
        if (word.size() >= 3 && word.size() <= 14 && isLevelKey(word)) {
            if (LogLevel l = logLevelFromValue(fieldValueAfter(line, start, i));
                l != LogLevel::kUnknown)
                return l;
        }
        if (firstKeyword == LogLevel::kUnknown)
            firstKeyword = keywordLevel(word);
    }
    return firstKeyword;
}

LogLevel detectLogLevel(const model::Labels& stream, const model::Labels& metadata,
                        std::string_view line) {
    if (LogLevel l = fromLabels(stream); l != LogLevel::kUnknown)
        return l;
    if (LogLevel l = fromLabels(metadata); l != LogLevel::kUnknown)
        return l;
    return detectLogLevelInLine(line);
}

LogLevel detectLogLevel(const model::Labels& stream, std::string_view line) {
    return detectLogLevel(stream, model::Labels(), line);
}

}  // namespace vigil::logs
