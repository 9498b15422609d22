#pragma once

#include <cstdint>
#include <string_view>

#include "core/model/labels.h"

namespace vigil::logs {

// The level of a log line as Grafana's log views show it (colour bar, volume
// histogram). Values are ordered by severity, kUnknown last.
enum class LogLevel : std::uint8_t { kCritical, kError, kWarning, kInfo, kDebug, kTrace, kUnknown };

inline constexpr int kLogLevelCount = 7;

// "critical", "error", "warning", "info", "debug", "trace", "unknown".
std::string_view logLevelName(LogLevel level);

// A level label's or field's value: the Grafana keywords in any case
// (emerg/fatal/alert/crit/critical, err/eror/error, warn/warning,
// info/inf/information/informational/notice, debug/dbug, trace) and the
// syslog severities 0..7; anything else is kUnknown.
LogLevel logLevelFromValue(std::string_view value);

// The level of one line, in Grafana's order of evidence:
//   1. a `level`, `severity`, `lvl`, `loglevel` or `detected_level` label of
//      the stream or of the entry's structured metadata (the first with a
//      recognised value);
//   2. a JSON `"level":"..."` or logfmt `level=...` field in the line (same
//      key names);
//   3. the earliest whole word of the line that is a level keyword, compared
//      case-insensitively (Grafana's `\b<keyword>\b` scan).
// No regex, no allocation; O(line length). Pure function, thread-safe.
LogLevel detectLogLevel(const model::Labels& stream, const model::Labels& metadata,
                        std::string_view line);
LogLevel detectLogLevel(const model::Labels& stream, std::string_view line);
// Steps 2 and 3 only.
LogLevel detectLogLevelInLine(std::string_view line);

}  // namespace vigil::logs
