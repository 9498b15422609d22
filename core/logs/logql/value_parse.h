#pragma once

#include <cstdint>
#include <string_view>

#include "core/util/status.h"

namespace vigil::logql {

// The Go parsers whose behaviour (and error text) LogQL inherits: label
// filters, unwrap conversions and number literals go through these, so the
// accepted forms and the __error_details__ messages match Loki's. Pure.

// strconv.ParseFloat(s, 64): decimal and hex-float ("0x1p3") forms, "inf",
// "+Inf", "NaN" (any case). Error: `strconv.ParseFloat: parsing "s": invalid syntax`.
Result<double> parseGoFloat(std::string_view text);

// time.ParseDuration: "1h30m", "1.5h", "-5s", "0"; units ns us µs ms s m h.
// Errors as Go: `time: invalid duration "x"`, `time: missing unit in
// duration "1"`, `time: unknown unit "d" in duration "1d"`.
Result<std::int64_t> parseGoDuration(std::string_view text);

// github.com/dustin/go-humanize ParseBytes: "1KB", "1KiB", "2,048", "1.5b"
// (case-insensitive units, commas ignored, truncated to an integer).
Result<std::uint64_t> parseHumanBytes(std::string_view text);

}  // namespace vigil::logql
