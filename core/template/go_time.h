#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/template/value.h"

// Go's time formatting, for time.Time and time.Duration values in templates.
namespace vigil::gotmpl {

// time.Time.String()'s layout.
inline constexpr std::string_view kGoTimeStringLayout = "2006-01-02 15:04:05.999999999 -0700 MST";
// Go's zero time.Time (January 1, year 1, 00:00:00 UTC) in Unix seconds.
inline constexpr std::int64_t kGoZeroTimeUnixSeconds = -62135596800;

// time.Time.Format(layout) with Go's reference-time layout elements.
std::string formatGoTime(const TimeValue& time, std::string_view layout);
// time.Duration.String(): "1h2m3.5s", "1.5ms", "0s".
std::string formatGoDuration(std::int64_t nanos);

TimeValue timeFromUnixMillis(std::int64_t ms);

}  // namespace vigil::gotmpl
