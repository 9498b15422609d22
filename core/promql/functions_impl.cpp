#include "core/promql/functions_impl.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <unordered_map>

#include "core/promql/start_timestamps.h"

namespace vigil::promql::impl {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Go's math.Max / math.Min: NaN wins, +0 > -0.
double goMax(double a, double b) {
    if (std::isinf(a) && a > 0)
        return a;
    if (std::isinf(b) && b > 0)
        return b;
    if (std::isnan(a) || std::isnan(b))
        return kNaN;
    if (a == 0 && a == b)
        return std::signbit(a) ? b : a;
    return a > b ? a : b;
}
double goMin(double a, double b) {
    if (std::isinf(a) && a < 0)
        return a;
    if (std::isinf(b) && b < 0)
        return b;
    if (std::isnan(a) || std::isnan(b))
        return kNaN;
    if (a == 0 && a == b)
        return std::signbit(a) ? a : b;
    return a < b ? a : b;
}

// NaN sorts first, as Prometheus's vectorByValueHeap.
bool lessNaNFirst(double a, double b) {
    if (std::isnan(a))
        return !std::isnan(b);
    if (std::isnan(b))
        return false;
    return a < b;
}

// --- rate family ------------------------------------------------------------

// extrapolatedRate for a window with start timestamps (Prometheus 3): start
// time resets count as counter resets, and a start time inside the range
// stands for a zero sample there instead of extrapolating to the left (so a
// single sample can give a rate).
bool extrapolatedRateWithStartTs(const RangeWindow& w, bool isCounter, bool isRate, double* out) {
    const auto& p = w.points;
    const auto& sts = w.startTs;
    if (p.empty())
        return false;
    const std::size_t minus1 = p.size() - 1;
    const std::int64_t firstT = p.front().t, lastT = p.back().t;
    double result = p.back().v - p.front().v;
    if (isCounter) {
        bool overlap = false;
        for (std::size_t i = 1; i < p.size(); ++i) {
            if (!overlap && startTimeOverlaps(sts[i - 1], p[i - 1].t, sts[i])) {
                overlap = true;
                if (w.startTimeOverlap)
                    *w.startTimeOverlap = true;
            }
            if (p[i].v < p[i - 1].v ||
                isStartTimestampReset(sts[i - 1], p[i - 1].t, sts[i], p[i].t))
                result += p[i - 1].v;
        }
    }
    double durationToStart = static_cast<double>(firstT - w.rangeStart) / 1000;
    double durationToEnd = static_cast<double>(w.rangeEnd - lastT) / 1000;
    double sampledInterval = static_cast<double>(lastT - firstT) / 1000;
    const double averageBetween = minus1 > 0 ? sampledInterval / static_cast<double>(minus1) : 0;
    const double threshold = averageBetween * 1.1;
    if (isCounter && sts[0] != 0 && sts[0] > w.rangeStart && sts[0] < firstT) {
        // A zero at the start time replaces extrapolation to the left.
        durationToStart = 0;
        sampledInterval = static_cast<double>(lastT - sts[0]) / 1000;
        result += p.front().v;
    } else if (minus1 == 0) {
        return false;
    } else {
        if (durationToStart >= threshold)
            durationToStart = averageBetween / 2;
        if (isCounter && result > 0 && p.front().v >= 0) {
            const double durationToZero = sampledInterval * (p.front().v / result);
            if (durationToZero < durationToStart)
                durationToStart = durationToZero;
        }
    }
    if (durationToEnd >= threshold)
        durationToEnd = averageBetween / 2;
    double factor = 1;
    if (sampledInterval != 0)
        factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
    if (isRate)
        factor /= w.rangeSeconds;
    *out = result * factor;
    return true;
}

bool extrapolatedRate(const RangeWindow& w, bool isCounter, bool isRate, double* out) {
    const auto& p = w.points;
    if (!w.startTs.empty())
        return extrapolatedRateWithStartTs(w, isCounter, isRate, out);
    if (p.size() < 2)
        return false;
    double result = p.back().v - p.front().v;
    if (isCounter && w.hasResets) {
        // Same additions in the same order as the scan below.
        for (const std::uint32_t j : w.resets)
            result += p[j - w.resetBase - 1].v;
    } else if (isCounter) {
        double last = 0;
        for (const auto& s : p) {
            if (s.v < last)
                result += last;
            last = s.v;
        }
    }
    double durationToStart = static_cast<double>(p.front().t - w.rangeStart) / 1000;
    const double durationToEnd = static_cast<double>(w.rangeEnd - p.back().t) / 1000;
    const double sampledInterval = static_cast<double>(p.back().t - p.front().t) / 1000;
    const double averageBetween = sampledInterval / static_cast<double>(p.size() - 1);
    const double threshold = averageBetween * 1.1;
    if (w.prometheus3) {
        // Prometheus 3: clamp to half an interval first, then cut at the
        // counter's zero point.
        double toStart = durationToStart >= threshold ? averageBetween / 2 : durationToStart;
        if (isCounter && result > 0 && p.front().v >= 0) {
            const double durationToZero = sampledInterval * (p.front().v / result);
            if (durationToZero < toStart)
                toStart = durationToZero;
        }
        const double toEnd = durationToEnd >= threshold ? averageBetween / 2 : durationToEnd;
        double factor = (sampledInterval + toStart + toEnd) / sampledInterval;
        if (isRate)
            factor /= w.rangeSeconds;
        *out = result * factor;
        return true;
    }
    if (isCounter && result > 0 && p.front().v >= 0) {
        const double durationToZero = sampledInterval * (p.front().v / result);
        if (durationToZero < durationToStart)
            durationToStart = durationToZero;
    }
    double interval = sampledInterval;
    interval += durationToStart < threshold ? durationToStart : averageBetween / 2;
    interval += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
    result = result * (interval / sampledInterval);
    if (isRate)
        result /= w.rangeSeconds;
    *out = result;
    return true;
}

bool kRate(const RangeWindow& w, double* out) {
    return extrapolatedRate(w, true, true, out);
}
bool kIncrease(const RangeWindow& w, double* out) {
    return extrapolatedRate(w, true, false, out);
}
bool kDelta(const RangeWindow& w, double* out) {
    return extrapolatedRate(w, false, false, out);
}

bool instantValue(const RangeWindow& w, bool isRate, double* out) {
    const auto& p = w.points;
    if (p.size() < 2)
        return false;
    const FPoint& last = p[p.size() - 1];
    const FPoint& prev = p[p.size() - 2];
    const bool stReset =
        !w.startTs.empty() &&
        isStartTimestampReset(w.startTs[p.size() - 2], prev.t, w.startTs[p.size() - 1], last.t);
    double result = (isRate && (last.v < prev.v || stReset)) ? last.v : last.v - prev.v;
    const auto interval = last.t - prev.t;
    if (interval == 0)
        return false;
    if (isRate)
        result /= static_cast<double>(interval) / 1000;
    *out = result;
    return true;
}
bool kIrate(const RangeWindow& w, double* out) {
    return instantValue(w, true, out);
}
bool kIdelta(const RangeWindow& w, double* out) {
    return instantValue(w, false, out);
}

bool kDeriv(const RangeWindow& w, double* out) {
    if (w.points.size() < 2)
        return false;
    double slope = 0, intercept = 0;
    linearRegression(w.points, w.points.front().t, &slope, &intercept);
    *out = slope;
    return true;
}

bool kPredictLinear(const RangeWindow& w, double* out) {
    if (w.points.size() < 2)
        return false;
    double slope = 0, intercept = 0;
    linearRegression(w.points, w.evalTs, &slope, &intercept);
    *out = slope * w.arg1 + intercept;
    return true;
}

bool kHoltWinters(const RangeWindow& w, double* out) {
    const auto& p = w.points;
    const double sf = w.arg1, tf = w.arg2;
    if (p.size() < 2)
        return false;
    double s0 = 0, s1 = p[0].v, b = p[1].v - p[0].v;
    for (std::size_t i = 1; i < p.size(); ++i) {
        const double x = sf * p[i].v;
        if (i > 1)
            b = tf * (s1 - s0) + (1 - tf) * b;
        const double y = (1 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
    }
    *out = s1;
    return true;
}

// --- *_over_time ------------------------------------------------------------

bool kAvgOverTime(const RangeWindow& w, double* out) {
    const auto& p = w.points;
    if (p.empty())
        return false;
    double sum = p[0].v, count = 1, mean = 0, c = 0;
    bool incremental = false;
    for (std::size_t i = 1; i < p.size(); ++i) {
        count = static_cast<double>(i + 1);
        if (!incremental) {
            double ns = sum, nc = c;
            kahanSumInc(p[i].v, ns, nc);
            if (!std::isinf(ns)) {
                sum = ns;
                c = nc;
                continue;
            }
            incremental = true;
            mean = sum / (count - 1);
            c /= (count - 1);
        }
        const double q = (count - 1) / count;
        double m = q * mean, mc = q * c;
        kahanSumInc(p[i].v / count, m, mc);
        mean = m;
        c = mc;
    }
    *out = incremental ? mean + c : sum / count + c / count;
    return true;
}

bool kSumOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    double sum = 0, c = 0;
    for (const auto& s : w.points)
        kahanSumInc(s.v, sum, c);
    *out = std::isinf(sum) ? sum : sum + c;
    return true;
}

bool kCountOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    *out = static_cast<double>(w.points.size());
    return true;
}

bool kMinOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    double m = w.points[0].v;
    for (const auto& s : w.points)
        if (s.v < m || std::isnan(m))
            m = s.v;
    *out = m;
    return true;
}

bool kMaxOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    double m = w.points[0].v;
    for (const auto& s : w.points)
        if (s.v > m || std::isnan(m))
            m = s.v;
    *out = m;
    return true;
}

bool kLastOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    *out = w.points.back().v;
    return true;
}

bool kFirstOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    *out = w.points.front().v;
    return true;
}

bool kPresentOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    *out = 1;
    return true;
}

bool varianceOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    double count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
    for (const auto& s : w.points) {
        count++;
        const double delta = s.v - (mean + cMean);
        kahanSumInc(delta / count, mean, cMean);
        kahanSumInc(delta * (s.v - (mean + cMean)), aux, cAux);
    }
    *out = (aux + cAux) / count;
    return true;
}
bool kStdvarOverTime(const RangeWindow& w, double* out) {
    return varianceOverTime(w, out);
}
bool kStddevOverTime(const RangeWindow& w, double* out) {
    if (!varianceOverTime(w, out))
        return false;
    *out = std::sqrt(*out);
    return true;
}

bool kQuantileOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    thread_local std::vector<double> values;
    values.clear();
    for (const auto& s : w.points)
        values.push_back(s.v);
    *out = quantile(w.arg1, values);
    return true;
}

bool kMadOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    thread_local std::vector<double> values;
    values.clear();
    for (const auto& s : w.points) {
        if (std::isnan(s.v)) {
            *out = kNaN;
            return true;
        }
        values.push_back(s.v);
    }
    const double median = quantile(0.5, values);
    for (auto& v : values)
        v = std::fabs(v - median);
    *out = quantile(0.5, values);
    return true;
}

bool kChanges(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    double changes = 0;
    double prev = w.points[0].v;
    for (std::size_t i = 1; i < w.points.size(); ++i) {
        const double cur = w.points[i].v;
        if (!(cur == prev || (std::isnan(cur) && std::isnan(prev))))
            changes++;
        prev = cur;
    }
    *out = changes;
    return true;
}

bool kResets(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    double resets = 0;
    double prev = w.points[0].v;
    for (std::size_t i = 1; i < w.points.size(); ++i) {
        const double cur = w.points[i].v;
        if (cur < prev ||
            (!w.startTs.empty() && isStartTimestampReset(w.startTs[i - 1], w.points[i - 1].t,
                                                         w.startTs[i], w.points[i].t)))
            resets++;
        prev = cur;
    }
    *out = resets;
    return true;
}

bool tsOfExtreme(const RangeWindow& w, bool wantMax, double* out) {
    if (w.points.empty())
        return false;
    double best = w.points[0].v;
    std::int64_t t = w.points[0].t;
    for (const auto& s : w.points) {
        const bool better = wantMax ? (s.v >= best) : (s.v <= best);
        if (better || std::isnan(best)) {
            best = s.v;
            t = s.t;
        }
    }
    *out = static_cast<double>(t) / 1000;
    return true;
}
bool kTsOfMaxOverTime(const RangeWindow& w, double* out) {
    return tsOfExtreme(w, true, out);
}
bool kTsOfMinOverTime(const RangeWindow& w, double* out) {
    return tsOfExtreme(w, false, out);
}
bool kTsOfLastOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    *out = static_cast<double>(w.points.back().t) / 1000;
    return true;
}
bool kTsOfFirstOverTime(const RangeWindow& w, double* out) {
    if (w.points.empty())
        return false;
    *out = static_cast<double>(w.points.front().t) / 1000;
    return true;
}

// --- element-wise -------------------------------------------------------------

double eAbs(double v, const double*) {
    return std::fabs(v);
}
double eCeil(double v, const double*) {
    return std::ceil(v);
}
double eFloor(double v, const double*) {
    return std::floor(v);
}
double eExp(double v, const double*) {
    return std::exp(v);
}
double eSqrt(double v, const double*) {
    return std::sqrt(v);
}
double eLn(double v, const double*) {
    return std::log(v);
}
double eLog2(double v, const double*) {
    return std::log2(v);
}
double eLog10(double v, const double*) {
    return std::log10(v);
}
double eSgn(double v, const double*) {
    if (v < 0)
        return -1;
    if (v > 0)
        return 1;
    return v;
}
double eSin(double v, const double*) {
    return std::sin(v);
}
double eCos(double v, const double*) {
    return std::cos(v);
}
double eTan(double v, const double*) {
    return std::tan(v);
}
double eAsin(double v, const double*) {
    return std::asin(v);
}
double eAcos(double v, const double*) {
    return std::acos(v);
}
double eAtan(double v, const double*) {
    return std::atan(v);
}
double eSinh(double v, const double*) {
    return std::sinh(v);
}
double eCosh(double v, const double*) {
    return std::cosh(v);
}
double eTanh(double v, const double*) {
    return std::tanh(v);
}
double eAsinh(double v, const double*) {
    return std::asinh(v);
}
double eAcosh(double v, const double*) {
    return std::acosh(v);
}
double eAtanh(double v, const double*) {
    return std::atanh(v);
}
double eDeg(double v, const double*) {
    return v * 180 / std::numbers::pi;
}
double eRad(double v, const double*) {
    return v * std::numbers::pi / 180;
}
double eRound(double v, const double* args) {
    const double inv = 1.0 / args[0];
    return std::floor(v * inv + 0.5) / inv;
}
double eClamp(double v, const double* args) {
    return goMax(args[0], goMin(args[1], v));
}
double eClampMin(double v, const double* args) {
    return goMax(args[0], v);
}
double eClampMax(double v, const double* args) {
    return goMin(args[0], v);
}

// Civil date from days since the epoch (Howard Hinnant's algorithm).
struct Civil {
    std::int64_t year;
    int month;  // 1..12
    int day;    // 1..31
};
Civil civilFromDays(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), static_cast<int>(m), static_cast<int>(d)};
}
bool isLeap(std::int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
struct TimeParts {
    std::int64_t days;
    std::int64_t secondsOfDay;
};
TimeParts splitTime(double v) {
    const auto s = static_cast<std::int64_t>(v);
    std::int64_t days = s / 86400;
    std::int64_t rem = s % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    return {days, rem};
}
double eYear(double v, const double*) {
    return static_cast<double>(civilFromDays(splitTime(v).days).year);
}
double eMonth(double v, const double*) {
    return civilFromDays(splitTime(v).days).month;
}
double eDayOfMonth(double v, const double*) {
    return civilFromDays(splitTime(v).days).day;
}
double eDayOfWeek(double v, const double*) {
    const std::int64_t d = splitTime(v).days;
    return static_cast<double>(((d % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
}
double eDayOfYear(double v, const double*) {
    const std::int64_t d = splitTime(v).days;
    const Civil c = civilFromDays(d);
    static const int kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    return kCum[c.month - 1] + c.day + ((c.month > 2 && isLeap(c.year)) ? 1 : 0);
}
double eDaysInMonth(double v, const double*) {
    const Civil c = civilFromDays(splitTime(v).days);
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return kDays[c.month - 1] + ((c.month == 2 && isLeap(c.year)) ? 1 : 0);
}
double eHour(double v, const double*) {
    return static_cast<double>(splitTime(v).secondsOfDay / 3600);
}
double eMinute(double v, const double*) {
    return static_cast<double>((splitTime(v).secondsOfDay % 3600) / 60);
}

}  // namespace

RangeKernel findRangeKernel(std::string_view name) {
    static const std::unordered_map<std::string_view, RangeKernel> kTable = {
        {"rate", kRate},
        {"increase", kIncrease},
        {"delta", kDelta},
        {"irate", kIrate},
        {"idelta", kIdelta},
        {"deriv", kDeriv},
        {"predict_linear", kPredictLinear},
        {"holt_winters", kHoltWinters},
        {"double_exponential_smoothing", kHoltWinters},
        {"avg_over_time", kAvgOverTime},
        {"sum_over_time", kSumOverTime},
        {"count_over_time", kCountOverTime},
        {"min_over_time", kMinOverTime},
        {"max_over_time", kMaxOverTime},
        {"last_over_time", kLastOverTime},
        {"first_over_time", kFirstOverTime},
        {"present_over_time", kPresentOverTime},
        {"stddev_over_time", kStddevOverTime},
        {"stdvar_over_time", kStdvarOverTime},
        {"quantile_over_time", kQuantileOverTime},
        {"mad_over_time", kMadOverTime},
        {"changes", kChanges},
        {"resets", kResets},
        {"ts_of_max_over_time", kTsOfMaxOverTime},
        {"ts_of_min_over_time", kTsOfMinOverTime},
        {"ts_of_last_over_time", kTsOfLastOverTime},
        {"ts_of_first_over_time", kTsOfFirstOverTime},
    };
    auto it = kTable.find(name);
    return it == kTable.end() ? nullptr : it->second;
}

ElementKernel findElementKernel(std::string_view name) {
    static const std::unordered_map<std::string_view, ElementKernel> kTable = {
        {"abs", eAbs},
        {"ceil", eCeil},
        {"floor", eFloor},
        {"exp", eExp},
        {"sqrt", eSqrt},
        {"ln", eLn},
        {"log2", eLog2},
        {"log10", eLog10},
        {"sgn", eSgn},
        {"sin", eSin},
        {"cos", eCos},
        {"tan", eTan},
        {"asin", eAsin},
        {"acos", eAcos},
        {"atan", eAtan},
        {"sinh", eSinh},
        {"cosh", eCosh},
        {"tanh", eTanh},
        {"asinh", eAsinh},
        {"acosh", eAcosh},
        {"atanh", eAtanh},
        {"deg", eDeg},
        {"rad", eRad},
        {"round", eRound},
        {"clamp", eClamp},
        {"clamp_min", eClampMin},
        {"clamp_max", eClampMax},
        {"year", eYear},
        {"month", eMonth},
        {"day_of_month", eDayOfMonth},
        {"day_of_week", eDayOfWeek},
        {"day_of_year", eDayOfYear},
        {"days_in_month", eDaysInMonth},
        {"hour", eHour},
        {"minute", eMinute},
    };
    auto it = kTable.find(name);
    return it == kTable.end() ? nullptr : it->second;
}

double quantile(double q, std::vector<double>& values) {
    if (values.empty() || std::isnan(q))
        return kNaN;
    if (q < 0)
        return -kInf;
    if (q > 1)
        return kInf;
    std::sort(values.begin(), values.end(), lessNaNFirst);
    const double n = static_cast<double>(values.size());
    const double rank = q * (n - 1);
    const double lower = std::max(0.0, std::floor(rank));
    const double upper = std::min(n - 1, lower + 1);
    const double weight = rank - std::floor(rank);
    return values[static_cast<std::size_t>(lower)] * (1 - weight) +
           values[static_cast<std::size_t>(upper)] * weight;
}

namespace {
bool almostEqual(double a, double b, double eps) {
    if (a == b)
        return true;
    constexpr double kMinNormal = std::numeric_limits<double>::min();
    const double absSum = std::fabs(a) + std::fabs(b);
    const double diff = std::fabs(a - b);
    if (a == 0 || b == 0 || absSum < kMinNormal)
        return diff < eps * kMinNormal;
    return diff / std::min(absSum, std::numeric_limits<double>::max()) < eps;
}
}  // namespace

double bucketQuantile(double q, std::vector<Bucket>& buckets, bool* forcedMonotonic) {
    if (std::isnan(q))
        return kNaN;
    if (q < 0)
        return -kInf;
    if (q > 1)
        return kInf;
    if (buckets.empty())
        return kNaN;
    std::stable_sort(buckets.begin(), buckets.end(),
                     [](const Bucket& a, const Bucket& b) { return a.upperBound < b.upperBound; });
    if (!(std::isinf(buckets.back().upperBound) && buckets.back().upperBound > 0))
        return kNaN;
    // Coalesce buckets with the same upper bound.
    std::size_t n = 0;
    for (std::size_t i = 1; i < buckets.size(); ++i) {
        if (buckets[i].upperBound == buckets[n].upperBound) {
            buckets[n].count += buckets[i].count;
        } else {
            buckets[++n] = buckets[i];
        }
    }
    buckets.resize(n + 1);
    // Force monotonicity, ignoring insignificant differences.
    double prev = buckets[0].count;
    for (std::size_t i = 1; i < buckets.size(); ++i) {
        const double cur = buckets[i].count;
        if (cur == prev)
            continue;
        if (almostEqual(prev, cur, 1e-12) || cur < prev) {
            if (forcedMonotonic && !almostEqual(prev, cur, 1e-12))
                *forcedMonotonic = true;
            buckets[i].count = prev;
            continue;
        }
        prev = cur;
    }
    if (buckets.size() < 2)
        return kNaN;
    const double observations = buckets.back().count;
    if (observations == 0)
        return kNaN;
    double rank = q * observations;
    std::size_t b = 0;
    while (b < buckets.size() - 1 && !(buckets[b].count >= rank))
        ++b;
    if (b == buckets.size() - 1)
        return buckets[buckets.size() - 2].upperBound;
    if (b == 0 && buckets[0].upperBound <= 0)
        return buckets[0].upperBound;
    double bucketStart = 0;
    const double bucketEnd = buckets[b].upperBound;
    double count = buckets[b].count;
    if (b > 0) {
        bucketStart = buckets[b - 1].upperBound;
        count -= buckets[b - 1].count;
        rank -= buckets[b - 1].count;
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

void linearRegression(std::span<const FPoint> points, std::int64_t interceptTime, double* slope,
                      double* intercept) {
    double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
    const double initY = points[0].v;
    bool constY = true;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const double v = points[i].v;
        if (constY && i > 0 && v != initY)
            constY = false;
        n += 1.0;
        const double x = static_cast<double>(points[i].t - interceptTime) / 1e3;
        kahanSumInc(x, sumX, cX);
        kahanSumInc(v, sumY, cY);
        kahanSumInc(x * v, sumXY, cXY);
        kahanSumInc(x * x, sumX2, cX2);
    }
    if (constY) {
        if (std::isinf(initY)) {
            *slope = kNaN;
            *intercept = kNaN;
            return;
        }
        *slope = 0;
        *intercept = initY;
        return;
    }
    sumX += cX;
    sumY += cY;
    sumXY += cXY;
    sumX2 += cX2;
    const double covXY = sumXY - sumX * sumY / n;
    const double varX = sumX2 - sumX * sumX / n;
    *slope = covXY / varX;
    *intercept = sumY / n - *slope * sumX / n;
}

namespace {

// Go's sort.Search(n, pred): the first i in [0, n) with pred(i), else n.
template <typename Pred>
std::size_t searchFirst(std::size_t n, Pred pred) {
    std::size_t lo = 0, hi = n;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (!pred(mid))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

// The boundary indices of an extended window, as Prometheus computes them:
// `first` is the last sample at or before rangeStart (else 0), `last` the
// last sample (anchored) or the first at or after rangeEnd (smoothed).
// Returns false when no sample lies after rangeStart.
bool extendedBounds(std::span<const FPoint> f, std::int64_t rangeStart, std::int64_t rangeEnd,
                    bool smoothed, std::size_t* first, std::size_t* last) {
    if (f.empty())
        return false;
    std::size_t lastIdx = f.size() - 1;
    const std::size_t above =
        searchFirst(lastIdx, [&](std::size_t i) { return f[i].t > rangeStart; });
    const std::size_t firstIdx = above == 0 ? 0 : above - 1;
    if (smoothed)
        lastIdx = searchFirst(lastIdx, [&](std::size_t i) { return f[i].t >= rangeEnd; });
    if (f[lastIdx].t <= rangeStart)
        return false;  // every sample is at or before the range
    if (f[firstIdx].t > rangeEnd)
        return false;  // every sample is after the range (smoothed only)
    *first = firstIdx;
    *last = lastIdx;
    return true;
}

double pickLeft(std::span<const FPoint> f, std::size_t first, std::int64_t rangeStart,
                bool smoothed, bool isCounter) {
    if (smoothed && f[first].t < rangeStart)
        return interpolate(f[first], f[first + 1], rangeStart, isCounter);
    return f[first].v;
}

double pickRight(std::span<const FPoint> f, std::size_t last, std::int64_t rangeEnd, bool smoothed,
                 bool isCounter) {
    if (smoothed && last > 0 && f[last].t > rangeEnd)
        return interpolate(f[last - 1], f[last], rangeEnd, isCounter);
    return f[last].v;
}

}  // namespace

double interpolate(const FPoint& p1, const FPoint& p2, std::int64_t t, bool isCounter) {
    double y1 = p1.v;
    const double y2 = p2.v;
    if (isCounter && y2 < y1)
        y1 = 0;
    return y1 + (y2 - y1) * static_cast<double>(t - p1.t) / static_cast<double>(p2.t - p1.t);
}

bool extendedRate(std::span<const FPoint> f, std::int64_t rangeStart, std::int64_t rangeEnd,
                  bool smoothed, bool isCounter, bool isRate, double rangeSeconds, double* out) {
    std::size_t first = 0, last = 0;
    if (!extendedBounds(f, rangeStart, rangeEnd, smoothed, &first, &last))
        return false;
    const double left = pickLeft(f, first, rangeStart, smoothed, isCounter);
    const double right = pickRight(f, last, rangeEnd, smoothed, isCounter);
    double result = right - left;
    if (isCounter) {
        // Only samples strictly inside the range take part in the reset
        // correction: the boundary values already account for resets at
        // the edges. The bounds are signed because `last` may step below
        // `first` (an empty inside).
        std::ptrdiff_t lo = static_cast<std::ptrdiff_t>(first);
        std::ptrdiff_t hi = static_cast<std::ptrdiff_t>(last);
        if (f[first].t <= rangeStart)
            ++lo;
        if (f[last].t >= rangeEnd)
            --hi;
        double correction = 0;
        double prev = left;
        for (std::ptrdiff_t i = lo; i <= hi; ++i) {
            const double v = f[static_cast<std::size_t>(i)].v;
            if (v < prev)
                correction += prev;
            prev = v;
        }
        if (right < prev)
            correction += prev;
        result += correction;
    }
    if (isRate)
        result /= rangeSeconds;
    *out = result;
    return true;
}

bool extendFloats(std::span<const FPoint> f, std::int64_t rangeStart, std::int64_t rangeEnd,
                  bool smoothed, std::vector<FPoint>* out) {
    out->clear();
    std::size_t first = 0, last = 0;
    if (!extendedBounds(f, rangeStart, rangeEnd, smoothed, &first, &last))
        return false;
    const double left = pickLeft(f, first, rangeStart, smoothed, false);
    const double right = pickRight(f, last, rangeEnd, smoothed, false);
    std::ptrdiff_t lo = static_cast<std::ptrdiff_t>(first);
    std::ptrdiff_t hi = static_cast<std::ptrdiff_t>(last);
    if (f[first].t <= rangeStart)
        ++lo;
    if (f[last].t >= rangeEnd)
        --hi;
    out->push_back({rangeStart, left});
    for (std::ptrdiff_t i = lo; i <= hi; ++i)
        out->push_back(f[static_cast<std::size_t>(i)]);
    out->push_back({rangeEnd, right});
    return true;
}

}  // namespace vigil::promql::impl
