#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/logs/log_store_api.h"
#include "core/util/status.h"

// Go's time.Parse / time.ParseInLocation with reference-time layouts
// ("2006-01-02T15:04:05.999999999Z07:00"), which is what Promtail's
// timestamp stage takes as `format`. Supported layout elements: 2006 06
// January Jan 01 1 Monday Mon 02 2 _2 002 __2 15 03 3 04 4 05 5 PM pm MST
// Z07:00:00 Z070000 Z07:00 Z0700 Z07 -07:00:00 -070000 -07:00 -0700 -07 and
// fractional seconds .000/.999 (or with ','). As in Go, a fractional second
// after the seconds field is accepted even when the layout does not have one,
// and a value without a year gets year 0.
namespace vigil::logs::pipeline {

inline constexpr std::string_view kRfc3339Nano = "2006-01-02T15:04:05.999999999Z07:00";

// An IANA time zone (for `location`): the UTC offset in effect at an instant.
// Thread-safe after construction.
class Location {
public:
    virtual ~Location() = default;
    // The offset from UTC in seconds at Unix time `utcSeconds`.
    virtual int offsetAt(std::int64_t utcSeconds) const = 0;
    // The offset in seconds for a wall-clock time in this zone (`localSeconds`
    // = wall clock as if it were UTC); for a wall time that occurs twice or
    // not at all (DST changes), the offset in effect just before.
    int offsetForLocal(std::int64_t localSeconds) const;
    // The offset of a zone abbreviation ("CET", "PST") this zone uses around
    // `utcSeconds`; false when it does not use it.
    virtual bool offsetForAbbreviation(std::string_view abbreviation, std::int64_t utcSeconds,
                                       int* offset) const = 0;

    // "UTC", "Local" or an IANA name ("Europe/Paris"); an error names the zone.
    static Result<std::shared_ptr<const Location>> load(const std::string& name);
};

// The broken-down result of parsing, before it becomes an instant.
struct GoTimeFields {
    int year = 0;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int nanosecond = 0;
    bool hasOffset = false;  // a numeric offset or "Z" was parsed
    int offsetSeconds = 0;
    std::string zoneAbbreviation;  // from MST, when no numeric offset
};

// Parses `value` against `layout`. Errors use Go's wording:
//   parsing time "x" as "2006-01-02": cannot parse "x" as "2006"
Result<GoTimeFields> parseGoTimeFields(std::string_view layout, std::string_view value);
// As above without the error message (cheaper when trying several layouts).
bool tryParseGoTimeFields(std::string_view layout, std::string_view value, GoTimeFields* out);

// The instant of `fields`: with their offset when they have one, else in
// `location` (UTC when null).
TimestampNs goTimeToUnixNs(const GoTimeFields& fields, const Location* location);

// parseGoTimeFields + goTimeToUnixNs.
Result<TimestampNs> parseGoTime(std::string_view layout, std::string_view value,
                                const Location* location);

// Promtail's named formats (ANSIC, UnixDate, RubyDate, RFC822, RFC822Z,
// RFC850, RFC1123, RFC1123Z, RFC3339, RFC3339Nano) as Go layouts; empty when
// `name` is not one of them.
std::string_view namedGoLayout(std::string_view name);

// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t daysFromCivil(std::int64_t year, int month, int day);

}  // namespace vigil::logs::pipeline
