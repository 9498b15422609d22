#pragma once

#include <QString>

#include <optional>

namespace vigil::dashboard {

// Grafana's value formats (unit ids from fieldConfig.defaults.unit), so a
// value reads the same in Vigil as in Grafana: "1.46 GiB", "350 ms",
// "45.2%", "1.20 K". Formatting follows Grafana's valueFormats: automatic
// decimals (getDecimalsForValue), scaled SI/IEC prefixes, time units that
// step up from ns to years.

struct FormattedValue {
    QString prefix;
    QString text;
    QString suffix;
    QString toString() const { return prefix + text + suffix; }
};

// `decimals` unset = automatic. Unknown unit ids format like "short"
// unless they are custom forms: "suffix:<s>", "prefix:<p>", "si:<sym>",
// "count:<sym>", "currency:<sym>".
FormattedValue formatValue(const QString& unit, double value, std::optional<int> decimals = {});

// True when `unit` is one of the ids formatValue knows.
bool isKnownUnit(const QString& unit);

// Grafana's toFixed with automatic decimals (exposed for tests and axes).
QString grafanaToFixed(double value, std::optional<int> decimals);

}  // namespace vigil::dashboard
