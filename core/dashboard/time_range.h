#pragma once

#include <QString>

#include <cstdint>
#include <optional>

#include "core/util/status.h"

namespace vigil::dashboard {

// Grafana's time handling for dashboards: relative ranges ("now-6h",
// "now/d", "now-1d/d"), absolute ones (ISO 8601 or epoch milliseconds), the
// query interval ($__interval, rounded to Grafana's "nice" steps) and
// $__rate_interval.

// Resolves one end of a range at `nowMs`. `roundUp` is true for the "to"
// end: "now/d" then means the end of today, as in Grafana's dateMath.
// `utc` selects UTC for rounding to days/weeks/months; otherwise local time.
Result<std::int64_t> parseTimeExpression(const QString& expression, std::int64_t nowMs,
                                         bool roundUp, bool utc = false);

struct ResolvedRange {
    std::int64_t fromMs = 0;
    std::int64_t toMs = 0;
};
// Both ends; errors name the end at fault ("time.from: ...").
Result<ResolvedRange> resolveTimeRange(const QString& from, const QString& to, std::int64_t nowMs,
                                       bool utc = false);

// Grafana's rangeutil.roundInterval: a step rounded to 10ms, 20ms, ... 1s,
// 2s, 5s, 10s, 15s, 20s, 30s, 1m, 2m, 5m, ... 1y.
std::int64_t roundInterval(std::int64_t intervalMs);
// Grafana's calculateInterval: round((to - from) / maxDataPoints), floored
// at `minIntervalMs` (the panel's or target's min interval; 0 = none).
std::int64_t calculateIntervalMs(std::int64_t rangeMs, int maxDataPoints,
                                 std::int64_t minIntervalMs);
// $__rate_interval: max(interval + scrape, 4 × scrape), where scrape is the
// min interval when set, else the data source's scrape interval (15s).
std::int64_t rateIntervalMs(std::int64_t intervalMs, std::int64_t scrapeIntervalMs);
// The step a Prometheus range query gets: max(interval, min interval,
// ceil(range / 11000), 1s) — Prometheus refuses more than 11,000 points.
std::int64_t prometheusStepMs(std::int64_t intervalMs, std::int64_t minIntervalMs,
                              std::int64_t rangeMs);

// Grafana's secondsToHms: "1y", "2d", "3h", "5m", "30s", "100ms".
QString formatGrafanaInterval(std::int64_t ms);
// Parses "30s", "1m", "1h30m", "$__interval"-free Grafana interval strings;
// nullopt when invalid.
std::optional<std::int64_t> parseGrafanaInterval(const QString& text);
// ${__from:date}, ${__from:date:iso}, ${__from:date:seconds}, ${__from:date:YYYY-MM-DD}.
QString formatDateVariable(std::int64_t ms, const QString& format);

}  // namespace vigil::dashboard
