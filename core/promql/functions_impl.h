#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/promql/value.h"

// The numeric kernels of PromQL functions and aggregations, written after
// Prometheus's promql/functions.go and quantile.go. They work on contiguous
// spans of points so the evaluator can slide windows over one buffer per
// series without allocating. Pure functions; thread-safe.

namespace vigil::promql::impl {

// Neumaier-compensated summation step (Prometheus's kahanSumInc).
inline void kahanSumInc(double inc, double& sum, double& c);

// The window a range function sees at one evaluation step.
struct RangeWindow {
    std::span<const FPoint> points;  // sorted, no stale markers
    std::int64_t rangeStart = 0;     // ms, window start (selection boundary)
    std::int64_t rangeEnd = 0;       // ms, window end
    std::int64_t evalTs = 0;         // ms, the step's evaluation time
    double rangeSeconds = 0;
    double arg1 = 0;  // scalar arguments (quantile_over_time's q, predict_linear's t, ...)
    double arg2 = 0;
    bool prometheus3 = false;  // Prometheus 3's counter extrapolation
    // Optional for rate/increase: the counter resets inside the window, as
    // indices into `points` (i with points[i].v < points[i-1].v, in order),
    // so long windows are not rescanned at every step.
    bool hasResets = false;
    std::span<const std::uint32_t> resets;
    std::size_t resetBase = 0;  // subtract from each reset index to index `points`
    // Start timestamps of `points` (same length; 0 = unknown), or empty when
    // the series has none. Used by rate, increase, irate and resets.
    std::span<const std::int64_t> startTs;
    // Set to true by rate/increase when a start time overlaps the previous
    // sample (Prometheus warns about it); may be null.
    bool* startTimeOverlap = nullptr;
};

// A range-vector function: writes the result into *out and returns true, or
// returns false when the window yields no sample (e.g. rate over < 2 points).
using RangeKernel = bool (*)(const RangeWindow& window, double* out);

// nullptr when `name` is not a range-vector function handled per window.
RangeKernel findRangeKernel(std::string_view name);

// Extended range selectors (`[5m] anchored`, `[5m] smoothed`, Prometheus 3's
// experimental extension). `points` are the series' samples in
// (rangeStart - lookback, rangeEnd] (anchored) or (rangeStart - lookback,
// rangeEnd + lookback] (smoothed), without stale markers.
//
// extendedRate: rate/increase/delta of the value at rangeStart (the last
// sample at or before it, or for smoothed the linear interpolation across it)
// to the value at rangeEnd, corrected for counter resets when isCounter.
// Returns false when no sample lies after rangeStart (Prometheus's
// extendedRate).
bool extendedRate(std::span<const FPoint> points, std::int64_t rangeStart, std::int64_t rangeEnd,
                  bool smoothed, bool isCounter, bool isRate, double rangeSeconds, double* out);

// extendFloats: the window as a range vector with synthetic samples at
// exactly rangeStart and rangeEnd (picked or, for smoothed, interpolated
// without counter handling) around the real samples strictly inside.
// Returns false (and leaves *out empty) when no sample lies after
// rangeStart. *out is cleared first so one buffer can serve every step.
bool extendFloats(std::span<const FPoint> points, std::int64_t rangeStart, std::int64_t rangeEnd,
                  bool smoothed, std::vector<FPoint>* out);

// Linear interpolation of the value at t between p1 and p2; with isCounter a
// drop from p1 to p2 is a reset, modelled as a restart from 0.
double interpolate(const FPoint& p1, const FPoint& p2, std::int64_t t, bool isCounter);

// An element-wise function of an instant vector: result of `v` given
// per-step scalar arguments.
using ElementKernel = double (*)(double v, const double* args);
ElementKernel findElementKernel(std::string_view name);

// Prometheus's quantile over unsorted values (sorts `values` in place).
double quantile(double q, std::vector<double>& values);

struct Bucket {
    double upperBound = 0;
    double count = 0;
};
// Classic histogram_quantile over `buckets` (sorted in place). Sets
// *forcedMonotonic when a bucket count had to be raised to its predecessor's.
double bucketQuantile(double q, std::vector<Bucket>& buckets, bool* forcedMonotonic = nullptr);

// Least-squares fit of the points against time in seconds relative to
// interceptTime; Prometheus's linearRegression.
void linearRegression(std::span<const FPoint> points, std::int64_t interceptTime, double* slope,
                      double* intercept);

inline void kahanSumInc(double inc, double& sum, double& c) {
    const double t = sum + inc;
    if (t - t != 0) {  // t is ±Inf or NaN
        c = 0;
    } else if ((sum < 0 ? -sum : sum) >= (inc < 0 ? -inc : inc)) {
        c += (sum - t) + inc;
    } else {
        c += (inc - t) + sum;
    }
    sum = t;
}

}  // namespace vigil::promql::impl
