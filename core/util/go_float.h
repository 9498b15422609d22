#pragma once

#include <string>

namespace vigil {

// Float formatting exactly as Go's strconv.FormatFloat(v, fmt, -1, 64), which
// is what Prometheus prints everywhere: the exposition format and PromQL use
// 'g' ("1e+06", "0.005", "+Inf"), the HTTP API's JSON uses 'f' ("1000000").
// Infinities and NaN are written "+Inf", "-Inf" and "NaN" in both.
std::string formatFloatG(double v);
std::string formatFloatF(double v);

// Appends without allocating a temporary (hot paths: /metrics, query results).
void appendFloatG(std::string& out, double v);
void appendFloatF(std::string& out, double v);

}  // namespace vigil
