#include "core/scrape/content_type.h"

#include <cctype>

#include "core/scrape/prom_text_parser.h"

namespace vigil::scrape {

namespace {

// RFC 2045 token characters, as Go's mime package checks them.
bool isTokenChar(char c) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F)
        return false;
    constexpr std::string_view kSpecials = "()<>@,;:\\\"/[]?=";
    return kSpecials.find(c) == std::string_view::npos;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool isToken(std::string_view s) {
    if (s.empty())
        return false;
    for (char c : s) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// Validates `type/subtype *(; attribute=value)` like mime.ParseMediaType and
// returns the lower-cased media type, or an error.
Result<std::string> parseMediaType(std::string_view header) {
    const std::size_t semicolon = header.find(';');
    std::string_view media = trim(header.substr(0, semicolon));
    const std::size_t slash = media.find('/');
    if (slash == std::string_view::npos || !isToken(media.substr(0, slash)) ||
        !isToken(media.substr(slash + 1)))
        return Status::error("mime: expected token after slash or invalid media type " +
                             goQuote(media));
    std::string lower(media);
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

    std::string_view rest =
        semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    while (!trim(rest).empty()) {
        rest = trim(rest);
        const std::size_t eq = rest.find('=');
        if (eq == std::string_view::npos || !isToken(trim(rest.substr(0, eq))))
            return Status::error("mime: invalid media parameter in " + goQuote(header));
        rest = trim(rest.substr(eq + 1));
        if (!rest.empty() && rest.front() == '"') {
            std::size_t i = 1;
            while (i < rest.size() && rest[i] != '"')
                i += rest[i] == '\\' ? 2 : 1;
            if (i >= rest.size())
                return Status::error("mime: unterminated quoted parameter in " + goQuote(header));
            rest = rest.substr(i + 1);
        } else {
            std::size_t i = 0;
            while (i < rest.size() && isTokenChar(rest[i]))
                ++i;
            if (i == 0)
                return Status::error("mime: invalid media parameter in " + goQuote(header));
            rest = rest.substr(i);
        }
        rest = trim(rest);
        if (!rest.empty()) {
            if (rest.front() != ';')
                return Status::error("mime: invalid media parameter in " + goQuote(header));
            rest.remove_prefix(1);
        }
    }
    return lower;
}

}  // namespace

FormatChoice parserFor(std::string_view contentType) {
    FormatChoice choice;
    if (trim(contentType).empty())
        return choice;
    Result<std::string> media = parseMediaType(contentType);
    if (!media.isOk()) {
        choice.warning =
            Status::error("invalid Content-Type " + goQuote(contentType) +
                          ", using the Prometheus text parser: " + media.status().message());
        return choice;
    }
    if (*media == "application/openmetrics-text") {
        choice.format = ExpositionFormat::kOpenMetrics;
    } else if (*media == "application/vnd.google.protobuf") {
        choice.warning = Status::error(
            "Content-Type " + goQuote(contentType) +
            " (protobuf exposition) is not supported, using the Prometheus text parser");
    }
    return choice;
}

std::unique_ptr<ExpositionParser> makeParser(ExpositionFormat format, std::string_view body,
                                             OpenMetricsParser::Options options) {
    if (format == ExpositionFormat::kOpenMetrics)
        return std::make_unique<OpenMetricsParser>(body, options);
    return std::make_unique<PromTextParser>(body);
}

}  // namespace vigil::scrape
