#pragma once

#include "core/model/sample.h"
#include "core/notify/alertmanager_config.h"

namespace vigil::notify {

// Alertmanager's timeinterval.TimeInterval.ContainsTime: `atMs` is converted
// to the interval's location (UTC when unset, the system zone for "Local"),
// then every field that is set must match: times [start, end) in minutes of
// the day, weekdays (0 = Sunday), days_of_month (negative counts from the
// month's end, clamped to the month), months, years; ranges inclusive.
bool timeIntervalContains(const TimeIntervalSpec& spec, model::Timestamp atMs);

// True when any interval of `named` contains `atMs`.
bool namedTimeIntervalContains(const NamedTimeInterval& named, model::Timestamp atMs);

}  // namespace vigil::notify
