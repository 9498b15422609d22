#pragma once

// Format negotiation for scrapes, as Prometheus 2.42 does it: the request
// sends kScrapeAcceptHeader, and the Content-Type of the response alone picks
// the parser. An empty, unparsable or unknown Content-Type falls back to the
// 0.0.4 text parser (Prometheus logs a warning and does the same).

#include <memory>
#include <string>
#include <string_view>

#include "core/scrape/exposition_parser.h"
#include "core/scrape/openmetrics_parser.h"

namespace vigil::scrape {

// The Accept header of a Prometheus 2.42 scrape request.
inline constexpr std::string_view kScrapeAcceptHeader =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q="
    "0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

enum class ExpositionFormat { kPromText, kOpenMetrics };

struct FormatChoice {
    ExpositionFormat format = ExpositionFormat::kPromText;
    // Set (not ok) when the Content-Type could not be honoured and the 0.0.4
    // parser was chosen as the fallback; the message names the header value.
    // Scraping goes on; the scrape manager reports it as a warning.
    Status warning;
};

// Chooses the parser for a response's Content-Type header value, e.g.
// "application/openmetrics-text; version=1.0.0; charset=utf-8".
FormatChoice parserFor(std::string_view contentType);

// A parser of `format` over `body`. REQUIRES: `body` outlives the parser.
std::unique_ptr<ExpositionParser> makeParser(ExpositionFormat format, std::string_view body,
                                             OpenMetricsParser::Options options = {});

}  // namespace vigil::scrape
