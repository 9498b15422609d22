#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/util/status.h"

// The series notation of promtool's input_series and PromQL test scripts:
//   series: 'up{job="a"}'   values: '1 2 _ stale 1+2x3 5-1x2 _x3 7x2'
// Value i is at i x interval. `_` omits a sample, `stale` writes a stale
// marker, `a+bxN` expands to the N+1 values a, a+b, ..., a+N*b, `axN` to N+1
// copies of a and `_xN` omits N samples.
namespace vigil::rules {

struct SeriesValue {
    bool omitted = false;
    double v = 0;
};

// Expands a values string; the error names the item at fault.
Result<std::vector<SeriesValue>> expandSeriesValues(std::string_view values);

// Parses a series descriptor `name{a="b"}` or `{__name__="x"}` into labels.
Result<model::Labels> parseSeriesLabels(std::string_view series);

}  // namespace vigil::rules
