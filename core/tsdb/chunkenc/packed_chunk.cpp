#include "core/tsdb/chunkenc/packed_chunk.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>

#include "core/tsdb/chunkenc/bstream.h"
#include "core/tsdb/chunkenc/xor_chunk.h"

namespace vigil::tsdb {

namespace {

constexpr int kMaxExponent = 22;  // 10^22 is the largest power of ten a double holds exactly
constexpr double kPow10[kMaxExponent + 1] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                             1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                             1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr double kTwo53 = 9007199254740992.0;
constexpr std::int64_t kMaxMantissa = std::int64_t{1} << 53;

constexpr std::uint8_t kValuesDecimal = 0;
constexpr std::uint8_t kValuesXor = 1;

// The value a decimal (m, e) stands for. Both operands are exact doubles when
// |m| <= 2^53 and |e| <= 22, so IEEE division/multiplication rounds the exact
// decimal to the nearest double: the same double a correct parser produces
// for the printed decimal. The encoder still verifies every value bitwise.
double fromDecimal(std::int64_t m, int e) {
    const auto x = static_cast<double>(m);
    return e >= 0 ? x * kPow10[e] : x / kPow10[-e];
}

// Finds (m, e) with fromDecimal(m, e) bit-identical to v and |m| <= 2^53,
// preferring the largest e (fewest mantissa digits). NaN, ±Inf and -0.0 are
// never decimal.
bool toDecimal(double v, std::int64_t& m, int& e) {
    if (!std::isfinite(v) || (std::signbit(v) && v == 0))
        return false;
    if (v == 0) {
        m = 0;
        e = 0;
        return true;
    }
    const double a = std::fabs(v);
    if (a < kTwo53) {
        if (v == std::trunc(v)) {
            auto mi = static_cast<std::int64_t>(v);
            int ee = 0;
            while (ee < kMaxExponent && mi % 10 == 0) {
                mi /= 10;
                ++ee;
            }
            m = mi;
            e = ee;
            return true;
        }
        for (int k = 1; k <= kMaxExponent; ++k) {
            const double x = v * kPow10[k];
            if (std::fabs(x) > kTwo53)
                return false;
            const double r = std::nearbyint(x);
            if (r / kPow10[k] == v) {
                m = static_cast<std::int64_t>(r);
                e = -k;
                return true;
            }
        }
        return false;
    }
    // |v| >= 2^53: an integer; try the largest power of ten first.
    for (int k = kMaxExponent; k >= 1; --k) {
        const double x = v / kPow10[k];
        if (std::fabs(x) > kTwo53)
            return false;  // smaller k only makes x larger
        const double r = std::nearbyint(x);
        if (r * kPow10[k] == v) {
            m = static_cast<std::int64_t>(r);
            e = k;
            return true;
        }
    }
    return false;
}

// ---- Integer streams -------------------------------------------------------

// Buffers reused across streams and chunks so that planning allocates only
// while they grow.
struct IntScratch {
    std::vector<std::int64_t> resid;
    std::vector<std::int64_t> sorted;
    std::vector<std::uint64_t> keys;
};

struct IntPlan {
    int order = 0;
    int width = 0;
    std::int64_t base = 0;
    std::uint64_t scale = 1;  // residuals are base + scale * packed
    std::size_t exceptions = 0;
    std::size_t bytes = std::numeric_limits<std::size_t>::max();
    bool sparse = false;  // zero residuals are marked in a bitmap and not packed
};

std::uint64_t widthLimit(int w) {
    return w == 0 ? 0 : (std::uint64_t{1} << w) - 1;
}

void computeResiduals(const std::uint64_t* x, std::size_t n, int order,
                      std::vector<std::int64_t>& r) {
    r.clear();
    for (std::size_t i = static_cast<std::size_t>(order); i < n; ++i) {
        std::uint64_t u = x[i];
        if (order == 1)
            u = x[i] - x[i - 1];
        else if (order == 2)
            u = x[i] - 2 * x[i - 1] + x[i - 2];
        r.push_back(static_cast<std::int64_t>(u));
    }
}

// Whether residual r is stored in the packed bits, and as what. `low` is the
// smallest residual: every residual minus `low` is a true (non-wrapping)
// difference and a multiple of `scale`.
struct Packing {
    std::int64_t low;
    std::int64_t base;
    std::uint64_t scale;
    std::uint64_t limit;

    bool fits(std::int64_t r, std::uint64_t& packed) const {
        const std::uint64_t key =
            (static_cast<std::uint64_t>(r) - static_cast<std::uint64_t>(low)) / scale;
        const std::uint64_t baseKey =
            (static_cast<std::uint64_t>(base) - static_cast<std::uint64_t>(low)) / scale;
        if (key < baseKey || key - baseKey > limit)
            return false;
        packed = key - baseKey;
        return true;
    }
};

std::size_t exceptionBytes(const std::vector<std::int64_t>& r, const Packing& p, bool sparse,
                           std::size_t& count) {
    std::size_t bytes = 0;
    std::size_t next = 0;  // first position after the previous exception
    count = 0;
    std::uint64_t packed = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (sparse && r[i] == 0)
            continue;
        if (!p.fits(r[i], packed)) {
            const std::uint64_t d =
                static_cast<std::uint64_t>(r[i]) - static_cast<std::uint64_t>(p.base);
            bytes +=
                static_cast<std::size_t>(uvarintLen(i - next)) +
                static_cast<std::size_t>(uvarintLen(zigzagEncode(static_cast<std::int64_t>(d))));
            next = i + 1;
            ++count;
        }
    }
    return bytes;
}

// Finds the cheapest width/base/factor for the residuals of one difference
// order and records it in `best` if it beats what is there. `sorted` holds
// the residuals to pack in ascending order (only the non-zero ones when
// `sparse`). `lead` is the cost of the header byte and leading
// values.
//
// The residuals are divided by their greatest common difference (KiB-multiple
// byte counts, whole-second timestamps). Every width from "covers
// everything" down is tried, using the densest window of sorted residuals as
// the base; the search stops once the exceptions alone would cost more than
// the best layout so far.
void searchWidths(const std::vector<std::int64_t>& resid, const std::vector<std::int64_t>& sorted,
                  int order, std::size_t lead, bool sparse, std::vector<std::uint64_t>& keys,
                  IntPlan& best) {
    const std::size_t m = resid.size();
    const std::size_t k = sorted.size();
    if (k == 0)
        return;
    const std::int64_t low = sorted.front();
    std::uint64_t scale = 0;
    for (const std::int64_t v : sorted) {
        scale = std::gcd(scale, static_cast<std::uint64_t>(v) - static_cast<std::uint64_t>(low));
        if (scale == 1)
            break;
    }
    if (scale == 0)
        scale = 1;
    keys.resize(k);
    for (std::size_t i = 0; i < k; ++i)
        keys[i] = (static_cast<std::uint64_t>(sorted[i]) - static_cast<std::uint64_t>(low)) / scale;
    const std::size_t scaleBytes = scale > 1 ? static_cast<std::size_t>(uvarintLen(scale)) : 0;
    const std::size_t bitmapBytes = sparse ? (m + 7) / 8 : 0;
    // header, leading values, factor, bitmap, base, exception count
    const std::size_t fixed = lead + scaleBytes + bitmapBytes + 2;
    const int fullWidth = std::min(63, static_cast<int>(std::bit_width(keys.back())));
    for (int w = fullWidth; w >= 0; --w) {
        const std::size_t packed = (k * static_cast<std::size_t>(w) + 7) / 8;
        if (fixed + packed >= best.bytes)
            continue;  // too wide even without exceptions
        const std::uint64_t limit = widthLimit(w);
        std::size_t bestCount = 0;
        std::size_t bestStart = 0;
        std::size_t j = 0;
        for (std::size_t i = 0; i < k && k - i > bestCount; ++i) {
            if (j < i)
                j = i;
            while (j + 1 < k && keys[j + 1] - keys[i] <= limit)
                ++j;
            if (j - i + 1 > bestCount) {
                bestCount = j - i + 1;
                bestStart = i;
            }
        }
        const std::size_t exc = k - bestCount;
        if (fixed + 2 * exc >= best.bytes)
            break;  // narrower widths only add exceptions
        if (fixed + packed + 2 * exc >= best.bytes)
            continue;
        const Packing p{low, sorted[bestStart], scale, limit};
        std::size_t count = 0;
        const std::size_t excBytes = exceptionBytes(resid, p, sparse, count);
        const std::size_t bytes = lead + scaleBytes + bitmapBytes +
                                  static_cast<std::size_t>(uvarintLen(zigzagEncode(p.base))) +
                                  static_cast<std::size_t>(uvarintLen(count << 2)) + packed +
                                  excBytes;
        if (bytes < best.bytes)
            best = IntPlan{order, w, p.base, scale, count, bytes, sparse};
    }
}

// Chooses the difference order (0, 1, 2), dense or sparse packing, common
// factor, bit width and base that make the stream smallest.
IntPlan planInts(const std::uint64_t* x, std::size_t n, IntScratch& scratch) {
    IntPlan best;
    const int maxOrder = static_cast<int>(std::min<std::size_t>(2, n));
    // Deltas first: they are usually best, and a good early bound prunes the
    // width search of the other orders.
    for (const int order : {1, 2, 0}) {
        if (order > maxOrder)
            continue;
        std::size_t lead = 1;
        if (order >= 1)
            lead +=
                static_cast<std::size_t>(uvarintLen(zigzagEncode(static_cast<std::int64_t>(x[0]))));
        if (order == 2)
            lead += static_cast<std::size_t>(
                uvarintLen(zigzagEncode(static_cast<std::int64_t>(x[1] - x[0]))));
        const std::size_t m = n - static_cast<std::size_t>(order);
        if (m == 0) {
            if (lead < best.bytes)
                best = IntPlan{order, 0, 0, 1, 0, lead, false};
            continue;
        }
        computeResiduals(x, n, order, scratch.resid);
        scratch.sorted.assign(scratch.resid.begin(), scratch.resid.end());
        std::sort(scratch.sorted.begin(), scratch.sorted.end());
        searchWidths(scratch.resid, scratch.sorted, order, lead, false, scratch.keys, best);
        // Zeros are contiguous in sorted order.
        const auto [zerosBegin, zerosEnd] =
            std::equal_range(scratch.sorted.begin(), scratch.sorted.end(), std::int64_t{0});
        const auto zeros = static_cast<std::size_t>(zerosEnd - zerosBegin);
        // A bitmap costs one bit per value; it can only pay when zeros are
        // common but not universal (all zeros is width 0, dense).
        if (zeros * 8 >= m && zeros < m) {
            scratch.sorted.erase(zerosBegin, zerosEnd);
            searchWidths(scratch.resid, scratch.sorted, order, lead, true, scratch.keys, best);
        }
    }
    return best;
}

void writeInts(const std::uint64_t* x, std::size_t n, const IntPlan& plan,
               std::vector<std::int64_t>& resid, std::vector<std::uint8_t>& out) {
    out.push_back(static_cast<std::uint8_t>(plan.order | (plan.width << 2)));
    if (plan.order >= 1)
        putVarint(out, static_cast<std::int64_t>(x[0]));
    if (plan.order == 2)
        putVarint(out, static_cast<std::int64_t>(x[1] - x[0]));
    if (n == static_cast<std::size_t>(plan.order))
        return;
    computeResiduals(x, n, plan.order, resid);
    std::int64_t low = std::numeric_limits<std::int64_t>::max();
    for (const std::int64_t r : resid) {
        if (!plan.sparse || r != 0)
            low = std::min(low, r);
    }
    const Packing p{low, plan.base, plan.scale, widthLimit(plan.width)};
    putVarint(out, plan.base);
    putUvarint(out, (plan.exceptions << 2) | (plan.sparse ? 2 : 0) | (plan.scale > 1 ? 1 : 0));
    if (plan.scale > 1)
        putUvarint(out, plan.scale);
    if (plan.sparse) {
        BitWriter bitmap(out);
        for (const std::int64_t r : resid)
            bitmap.writeBit(r != 0);
    }
    BitWriter w(out);
    std::uint64_t packed = 0;
    for (const std::int64_t r : resid) {
        if (!plan.sparse || r != 0)
            w.writeBits(p.fits(r, packed) ? packed : 0, plan.width);
    }
    std::size_t next = 0;
    for (std::size_t i = 0; i < resid.size(); ++i) {
        if (plan.sparse && resid[i] == 0)
            continue;
        if (!p.fits(resid[i], packed)) {
            putUvarint(out, i - next);
            putVarint(out, static_cast<std::int64_t>(static_cast<std::uint64_t>(resid[i]) -
                                                     static_cast<std::uint64_t>(plan.base)));
            next = i + 1;
        }
    }
}

IntStreamLayout streamLayout(const IntPlan& p) {
    return IntStreamLayout{p.order, p.width, static_cast<int>(p.exceptions), p.scale, p.sparse};
}

// ---- Decoding ---------------------------------------------------------------

class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> data) : m_data(data) {}

    bool byte(std::uint8_t& b) {
        if (m_pos >= m_data.size())
            return false;
        b = m_data[m_pos++];
        return true;
    }
    bool uvarint(std::uint64_t& out) {
        std::uint64_t x = 0;
        int shift = 0;
        for (int i = 0; i < kMaxVarintLen64; ++i) {
            std::uint8_t b = 0;
            if (!byte(b))
                return false;
            if (b < 0x80) {
                if (i == kMaxVarintLen64 - 1 && b > 1)
                    return false;
                out = x | (static_cast<std::uint64_t>(b) << shift);
                return true;
            }
            x |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            shift += 7;
        }
        return false;
    }
    bool varint(std::int64_t& out) {
        std::uint64_t u = 0;
        if (!uvarint(u))
            return false;
        out = zigzagDecode(u);
        return true;
    }
    bool fixed64(std::uint64_t& out) {
        if (remaining() < 8)
            return false;
        std::uint64_t v = 0;
        for (int i = 7; i >= 0; --i)
            v = (v << 8) | m_data[m_pos + static_cast<std::size_t>(i)];
        m_pos += 8;
        out = v;
        return true;
    }
    std::size_t remaining() const { return m_data.size() - m_pos; }
    std::size_t pos() const { return m_pos; }
    void skip(std::size_t n) { m_pos += n; }
    std::span<const std::uint8_t> rest() const { return m_data.subspan(m_pos); }

private:
    std::span<const std::uint8_t> m_data;
    std::size_t m_pos = 0;
};

Status corrupt(const ByteReader& in, const std::string& what) {
    return Status::corruption("packed chunk: byte " + std::to_string(in.pos()) + ": " + what);
}

// The packed residuals of one integer stream, validated by readIntsRange.
struct ResidualSource {
    const std::uint8_t* packedBits;
    std::size_t packedBytes;
    int width;
    const std::uint8_t* bitmap;  // sparse streams only
    std::uint64_t base;
    std::uint64_t scale;

    // Field k of the packed bits, with one unaligned big-endian 64-bit load
    // (plus one byte when the field straddles it); loads near the end are
    // assembled byte by byte. REQUIRES: width > 0, k < number of fields.
    std::uint64_t field(std::size_t k) const {
        const std::size_t bit = k * static_cast<std::size_t>(width);
        const std::size_t byte = bit >> 3;
        const int off = static_cast<int>(bit & 7);
        std::uint64_t w = 0;
        if (byte + 8 <= packedBytes) {
            std::memcpy(&w, packedBits + byte, 8);
            if constexpr (std::endian::native == std::endian::little)
                w = __builtin_bswap64(w);
        } else {
            for (std::size_t i = 0; i < 8; ++i)
                w = (w << 8) | (byte + i < packedBytes ? packedBits[byte + i] : 0u);
        }
        w <<= off;
        if (off + width > 64)
            w |= static_cast<std::uint64_t>(byte + 8 < packedBytes ? packedBits[byte + 8] : 0u) >>
                 (8 - off);
        return w >> (64 - width);
    }
};

// Generates values order..(mEnd + order - 1) from residuals [0, mEnd):
// unpack, patch exceptions (the thread's `exceptions` list, by position),
// undo the differences and store the values at or after `lo`. One loop per
// order and sparseness keeps the running sums in registers.
template <int kOrder, bool kSparse>
void generateValues(const ResidualSource& src, std::size_t mEnd, std::size_t lo, std::uint64_t x0,
                    std::uint64_t x1,
                    const std::vector<std::pair<std::size_t, std::uint64_t>>& exceptions,
                    std::uint64_t* x) {
    std::uint64_t acc = kOrder == 2 ? x1 : x0;
    std::uint64_t delta = x1 - x0;
    std::size_t k = 0;
    std::size_t e = 0;
    std::size_t nextExc = exceptions.empty() ? mEnd : exceptions[0].first;
    const bool packedWidth = src.width > 0;
    for (std::size_t j = 0; j < mEnd; ++j) {
        std::uint64_t r = 0;
        if (!kSparse || ((src.bitmap[j >> 3] >> (7 - (j & 7))) & 1u) != 0) {
            r = packedWidth ? src.base + src.scale * src.field(k) : src.base;
            ++k;
        }
        if (j == nextExc) {
            r = exceptions[e].second;
            ++e;
            nextExc = e < exceptions.size() ? exceptions[e].first : mEnd;
        }
        if constexpr (kOrder == 0) {
            acc = r;
        } else if constexpr (kOrder == 1) {
            acc += r;
        } else {
            delta += r;
            acc += delta;
        }
        const std::size_t i = j + kOrder;
        if (i >= lo)
            x[i - lo] = acc;
    }
}

// Decodes values [lo, hi) of an integer stream of n values into x[0, hi-lo)
// (and consumes the whole stream from `in`). `what` names the stream in error
// messages. Residuals are unpacked, patched and summed in one pass that
// stops at hi, so a reader of a chunk's tail writes only the tail.
// REQUIRES: lo <= hi <= n.
Status readIntsRange(ByteReader& in, std::size_t n, std::size_t lo, std::size_t hi,
                     std::uint64_t* x, const char* what, IntStreamLayout& layout) {
    // Only error paths build strings.
    const std::string_view name(what);
    std::uint8_t header = 0;
    if (!in.byte(header))
        return corrupt(in, std::string(name) + " stream header missing");
    const int order = header & 3;
    const int width = header >> 2;
    if (order == 3)
        return corrupt(in, std::string(name) + " stream has difference order 3 (at most 2)");
    if (static_cast<std::size_t>(order) > n)
        return corrupt(in, std::string(name) + " stream order " + std::to_string(order) +
                               " exceeds its " + std::to_string(n) + " values");
    layout = IntStreamLayout{};
    layout.order = order;
    layout.width = width;
    std::int64_t v = 0;
    std::uint64_t x0 = 0, x1 = 0;
    if (order >= 1) {
        if (!in.varint(v))
            return corrupt(in, std::string(name) + " stream: truncated first value");
        x0 = static_cast<std::uint64_t>(v);
        if (lo == 0 && hi > 0)
            x[0] = x0;
    }
    if (order == 2) {
        if (!in.varint(v))
            return corrupt(in, std::string(name) + " stream: truncated first difference");
        x1 = x0 + static_cast<std::uint64_t>(v);
        if (n >= 2 && lo <= 1 && hi > 1)
            x[1 - lo] = x1;
    }
    const std::size_t m = n - static_cast<std::size_t>(order);
    if (m == 0)
        return Status::ok();
    std::int64_t base = 0;
    std::uint64_t excField = 0;
    if (!in.varint(base) || !in.uvarint(excField))
        return corrupt(in, std::string(name) + " stream: truncated base or exception count");
    const std::uint64_t exc = excField >> 2;
    const bool sparse = (excField & 2) != 0;
    std::uint64_t scale = 1;
    if ((excField & 1) != 0 && !in.uvarint(scale))
        return corrupt(in, std::string(name) + " stream: truncated common factor");
    if (exc > m)
        return corrupt(in, std::string(name) + " stream: " + std::to_string(exc) +
                               " exceptions for " + std::to_string(m) + " values");
    std::size_t present = m;
    std::span<const std::uint8_t> bitmap;
    if (sparse) {
        const std::size_t bitmapBytes = (m + 7) / 8;
        if (in.remaining() < bitmapBytes)
            return corrupt(in, std::string(name) + " stream: " + std::to_string(bitmapBytes) +
                                   " bitmap bytes needed, " + std::to_string(in.remaining()) +
                                   " left");
        bitmap = in.rest().first(bitmapBytes);
        present = 0;
        for (std::size_t i = 0; i < m; ++i)
            present += (bitmap[i >> 3] >> (7 - (i & 7))) & 1u;
        in.skip(bitmapBytes);
    }
    const std::size_t packed = (present * static_cast<std::size_t>(width) + 7) / 8;
    if (in.remaining() < packed)
        return corrupt(in, std::string(name) + " stream: " + std::to_string(packed) +
                               " packed bytes needed, " + std::to_string(in.remaining()) + " left");
    const std::uint8_t* pk = in.rest().data();
    in.skip(packed);
    // Exceptions are read (and validated) before the values are generated.
    thread_local std::vector<std::pair<std::size_t, std::uint64_t>> exceptions;
    exceptions.clear();
    const auto ubase = static_cast<std::uint64_t>(base);
    std::size_t next = 0;
    for (std::uint64_t e = 0; e < exc; ++e) {
        std::uint64_t gap = 0;
        if (!in.uvarint(gap) || !in.varint(v))
            return corrupt(
                in, std::string(name) + " stream: truncated exception " + std::to_string(e + 1));
        if (gap >= m - next)
            return corrupt(in, std::string(name) + " stream: exception " + std::to_string(e + 1) +
                                   " lies past the last value");
        const std::size_t pos = next + static_cast<std::size_t>(gap);
        exceptions.emplace_back(pos, ubase + static_cast<std::uint64_t>(v));
        next = pos + 1;
    }
    layout.exceptions = static_cast<int>(exc);
    layout.scale = scale;
    layout.sparse = sparse;

    // Residual r_j belongs to value j + order. Values past hi are not needed.
    const std::size_t ord = static_cast<std::size_t>(order);
    if (hi <= ord)
        return Status::ok();
    const std::size_t mEnd = hi - ord;  // residuals [0, mEnd)
    if (!sparse && width == 0 && exc == 0 && order <= 1) {
        // A regular column (e.g. a fixed scrape interval): closed form.
        for (std::size_t i = std::max(lo, ord); i < hi; ++i)
            x[i - lo] = order == 0 ? ubase : x0 + static_cast<std::uint64_t>(i) * ubase;
        return Status::ok();
    }
    const ResidualSource src{pk, packed, width, bitmap.data(), ubase, scale};
    if (sparse) {
        if (order == 0)
            generateValues<0, true>(src, mEnd, lo, x0, x1, exceptions, x);
        else if (order == 1)
            generateValues<1, true>(src, mEnd, lo, x0, x1, exceptions, x);
        else
            generateValues<2, true>(src, mEnd, lo, x0, x1, exceptions, x);
    } else {
        if (order == 0)
            generateValues<0, false>(src, mEnd, lo, x0, x1, exceptions, x);
        else if (order == 1)
            generateValues<1, false>(src, mEnd, lo, x0, x1, exceptions, x);
        else
            generateValues<2, false>(src, mEnd, lo, x0, x1, exceptions, x);
    }
    return Status::ok();
}

// Decodes an integer stream of n values into x.
Status readInts(ByteReader& in, std::size_t n, std::uint64_t* x, const char* what,
                IntStreamLayout& layout) {
    return readIntsRange(in, n, 0, n, x, what, layout);
}

// Decodes the samples with mint <= t <= maxt (timestamps are increasing in a
// sealed chunk). Integer streams are decoded whole (their prefix sums need
// every residual), but values are converted only inside the window and an
// XOR value column stops after the window's last sample, so a query that
// needs the tail of a long chunk does not pay for the rest. Unlike
// decodePackedImpl it does not check for trailing bytes after an XOR column
// it stopped early in.
Status decodePackedRangeImpl(std::span<const std::uint8_t> data, model::Timestamp mint,
                             model::Timestamp maxt, std::vector<model::Sample>& out) {
    ByteReader in(data);
    std::uint64_t n = 0;
    if (!in.uvarint(n))
        return corrupt(in, "truncated sample count");
    if (n == 0 || n > kMaxPackedSamples)
        return corrupt(in, "sample count " + std::to_string(n) + " outside 1.." +
                               std::to_string(kMaxPackedSamples));
    thread_local std::vector<std::uint64_t> ts;
    thread_local std::vector<std::uint64_t> mant;
    ts.resize(n);
    IntStreamLayout layout;
    Status s = readInts(in, n, ts.data(), "timestamp", layout);
    if (!s.isOk())
        return s;
    const auto* tp = reinterpret_cast<const std::int64_t*>(ts.data());
    const std::size_t lo = static_cast<std::size_t>(std::lower_bound(tp, tp + n, mint) - tp);
    const std::size_t hi = static_cast<std::size_t>(std::upper_bound(tp + lo, tp + n, maxt) - tp);
    if (lo >= hi)
        return Status::ok();
    const std::size_t first = out.size();
    out.resize(first + (hi - lo));
    model::Sample* samples = out.data() + first;
    for (std::size_t i = lo; i < hi; ++i)
        samples[i - lo].t = tp[i];

    std::uint8_t mode = 0;
    if (!in.byte(mode))
        return corrupt(in, "value section missing");
    if (mode == kValuesDecimal) {
        std::uint8_t eb = 0;
        if (!in.byte(eb))
            return corrupt(in, "truncated decimal exponent");
        const int e = static_cast<std::int8_t>(eb);
        if (e < -kMaxExponent || e > kMaxExponent)
            return corrupt(in, "decimal exponent " + std::to_string(e) + " outside -22..22");
        mant.resize(hi - lo);
        s = readIntsRange(in, n, lo, hi, mant.data(), "mantissa", layout);
        if (!s.isOk())
            return s;
        for (std::size_t i = lo; i < hi; ++i)
            samples[i - lo].v = fromDecimal(static_cast<std::int64_t>(mant[i - lo]), e);
        std::uint64_t raw = 0;
        if (!in.uvarint(raw))
            return corrupt(in, "truncated raw value count");
        if (raw > n)
            return corrupt(
                in, std::to_string(raw) + " raw values for " + std::to_string(n) + " samples");
        std::size_t next = 0;
        for (std::uint64_t k = 0; k < raw; ++k) {
            std::uint64_t gap = 0;
            std::uint64_t bits = 0;
            if (!in.uvarint(gap) || !in.fixed64(bits))
                return corrupt(in, "truncated raw value " + std::to_string(k + 1));
            if (gap >= n - next)
                return corrupt(in,
                               "raw value " + std::to_string(k + 1) + " lies past the last sample");
            const std::size_t pos = next + static_cast<std::size_t>(gap);
            if (pos >= lo && pos < hi)
                samples[pos - lo].v = std::bit_cast<double>(bits);
            next = pos + 1;
        }
        if (in.remaining() != 0)
            return corrupt(in, std::to_string(in.remaining()) + " bytes after the last section");
    } else if (mode == kValuesXor) {
        BitReader bits(in.rest());
        std::uint64_t firstBits = 0;
        if (!bits.readBits(64, firstBits))
            return corrupt(in, "truncated first XOR value");
        double v = std::bit_cast<double>(firstBits);
        if (lo == 0)
            samples[0].v = v;
        std::uint8_t leading = 0xff;
        std::uint8_t trailing = 0;
        for (std::size_t i = 1; i < hi; ++i) {
            if (const char* err = readXorValue(bits, v, leading, trailing))
                return corrupt(in, "XOR value of sample " + std::to_string(i + 1) + ": " + err);
            if (i >= lo)
                samples[i - lo].v = v;
        }
    } else {
        return corrupt(in, "unknown value mode " + std::to_string(mode));
    }
    return Status::ok();
}

Status decodePackedImpl(std::span<const std::uint8_t> data, std::vector<model::Sample>& out,
                        PackedLayout* layout) {
    ByteReader in(data);
    std::uint64_t n = 0;
    if (!in.uvarint(n))
        return corrupt(in, "truncated sample count");
    if (n == 0 || n > kMaxPackedSamples)
        return corrupt(in, "sample count " + std::to_string(n) + " outside 1.." +
                               std::to_string(kMaxPackedSamples));
    thread_local std::vector<std::uint64_t> scratch;
    scratch.resize(n);
    PackedLayout info;
    Status s = readInts(in, n, scratch.data(), "timestamp", info.timestamps);
    if (!s.isOk())
        return s;
    const std::size_t first = out.size();
    out.resize(first + n);
    model::Sample* samples = out.data() + first;
    for (std::size_t i = 0; i < n; ++i)
        samples[i].t = static_cast<model::Timestamp>(scratch[i]);

    std::uint8_t mode = 0;
    if (!in.byte(mode))
        return corrupt(in, "value section missing");
    if (mode == kValuesDecimal) {
        info.decimalValues = true;
        std::uint8_t eb = 0;
        if (!in.byte(eb))
            return corrupt(in, "truncated decimal exponent");
        const int e = static_cast<std::int8_t>(eb);
        if (e < -kMaxExponent || e > kMaxExponent)
            return corrupt(in, "decimal exponent " + std::to_string(e) + " outside -22..22");
        info.exponent = e;
        s = readInts(in, n, scratch.data(), "mantissa", info.mantissas);
        if (!s.isOk())
            return s;
        for (std::size_t i = 0; i < n; ++i)
            samples[i].v = fromDecimal(static_cast<std::int64_t>(scratch[i]), e);
        std::uint64_t raw = 0;
        if (!in.uvarint(raw))
            return corrupt(in, "truncated raw value count");
        if (raw > n)
            return corrupt(
                in, std::to_string(raw) + " raw values for " + std::to_string(n) + " samples");
        std::size_t next = 0;
        for (std::uint64_t k = 0; k < raw; ++k) {
            std::uint64_t gap = 0;
            std::uint64_t bits = 0;
            if (!in.uvarint(gap) || !in.fixed64(bits))
                return corrupt(in, "truncated raw value " + std::to_string(k + 1));
            if (gap >= n - next)
                return corrupt(in,
                               "raw value " + std::to_string(k + 1) + " lies past the last sample");
            const std::size_t pos = next + static_cast<std::size_t>(gap);
            samples[pos].v = std::bit_cast<double>(bits);
            next = pos + 1;
        }
        info.rawValues = static_cast<int>(raw);
    } else if (mode == kValuesXor) {
        BitReader bits(in.rest());
        std::uint64_t firstBits = 0;
        if (!bits.readBits(64, firstBits))
            return corrupt(in, "truncated first XOR value");
        double v = std::bit_cast<double>(firstBits);
        samples[0].v = v;
        std::uint8_t leading = 0xff;
        std::uint8_t trailing = 0;
        for (std::size_t i = 1; i < n; ++i) {
            if (const char* err = readXorValue(bits, v, leading, trailing))
                return corrupt(in, "XOR value of sample " + std::to_string(i + 1) + ": " + err);
            samples[i].v = v;
        }
        in.skip(bits.bytePos());
    } else {
        return corrupt(in, "unknown value mode " + std::to_string(mode));
    }
    if (in.remaining() != 0)
        return corrupt(in, std::to_string(in.remaining()) + " bytes after the last section");
    if (layout)
        *layout = info;
    return Status::ok();
}

}  // namespace

struct PackedEncoder::Scratch : IntScratch {};

PackedEncoder::PackedEncoder() : m_scratch(std::make_unique<Scratch>()) {}
PackedEncoder::~PackedEncoder() = default;
PackedEncoder::PackedEncoder(PackedEncoder&&) noexcept = default;
PackedEncoder& PackedEncoder::operator=(PackedEncoder&&) noexcept = default;

Status PackedEncoder::encode(std::span<const model::Sample> samples,
                             std::vector<std::uint8_t>& out) {
    const std::size_t n = samples.size();
    if (n == 0 || n > kMaxPackedSamples)
        return Status::error("packed chunk: " + std::to_string(n) + " samples; a chunk holds 1.." +
                             std::to_string(kMaxPackedSamples));
    m_layout = PackedLayout{};
    putUvarint(out, n);

    m_ints.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        m_ints[i] = static_cast<std::uint64_t>(samples[i].t);
    const IntPlan tplan = planInts(m_ints.data(), n, *m_scratch);
    writeInts(m_ints.data(), n, tplan, m_scratch->resid, out);
    m_layout.timestamps = streamLayout(tplan);

    // XOR candidate: always possible.
    m_xorSection.clear();
    m_xorSection.push_back(kValuesXor);
    {
        BitWriter w(m_xorSection);
        w.writeBits(std::bit_cast<std::uint64_t>(samples[0].v), 64);
        std::uint8_t leading = 0xff;
        std::uint8_t trailing = 0;
        for (std::size_t i = 1; i < n; ++i)
            writeXorValue(w, samples[i].v, samples[i - 1].v, leading, trailing);
    }

    // Decimal candidate: every value that is an exact decimal shares the
    // smallest exponent; the rest are stored raw.
    m_mantissas.resize(n);
    m_rawPositions.clear();
    int minExp = kMaxExponent + 1;
    m_exponents.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::int64_t mant = 0;
        int e = 0;
        if (toDecimal(samples[i].v, mant, e)) {
            m_mantissas[i] = mant;
            m_exponents[i] = static_cast<std::int8_t>(e);
            minExp = std::min(minExp, e);
        } else {
            m_exponents[i] = kMaxExponent + 1;  // not decimal
        }
    }
    bool useDecimal = false;
    if (minExp <= kMaxExponent) {
        // Raw (non-decimal) positions get a stand-in mantissa that continues
        // the trend of the decimals before them, so that a staleness marker in
        // a counter does not turn into two outlier differences.
        std::uint64_t fill = 0;
        std::uint64_t trend = 0;
        bool haveFill = false;
        for (std::size_t i = 0; i < n; ++i) {
            bool ok = m_exponents[i] <= kMaxExponent;
            if (ok) {
                std::int64_t mant = m_mantissas[i];
                for (auto k = m_exponents[i] - minExp; k > 0 && ok; --k)
                    ok = !__builtin_mul_overflow(mant, std::int64_t{10}, &mant);
                ok = ok && mant <= kMaxMantissa && mant >= -kMaxMantissa &&
                     std::bit_cast<std::uint64_t>(fromDecimal(mant, minExp)) ==
                         std::bit_cast<std::uint64_t>(samples[i].v);
                if (ok) {
                    m_mantissas[i] = mant;
                    if (!haveFill) {
                        // Raw values before the first decimal take its mantissa.
                        for (const std::uint32_t p : m_rawPositions)
                            m_mantissas[p] = mant;
                        haveFill = true;
                    } else {
                        trend = static_cast<std::uint64_t>(mant) - fill;
                    }
                    fill = static_cast<std::uint64_t>(mant);
                }
            }
            if (!ok) {
                m_rawPositions.push_back(static_cast<std::uint32_t>(i));
                fill += trend;  // wraps harmlessly: any int64 is a valid mantissa slot
                m_mantissas[i] = static_cast<std::int64_t>(fill);
            }
        }
        // A raw value costs 9+ bytes; XOR is the better bet once they are common.
        if (haveFill && m_rawPositions.size() * 9 < m_xorSection.size()) {
            for (std::size_t i = 0; i < n; ++i)
                m_ints[i] = static_cast<std::uint64_t>(m_mantissas[i]);
            const IntPlan vplan = planInts(m_ints.data(), n, *m_scratch);
            m_decimalSection.clear();
            m_decimalSection.push_back(kValuesDecimal);
            m_decimalSection.push_back(static_cast<std::uint8_t>(static_cast<std::int8_t>(minExp)));
            writeInts(m_ints.data(), n, vplan, m_scratch->resid, m_decimalSection);
            putUvarint(m_decimalSection, m_rawPositions.size());
            std::size_t next = 0;
            for (const std::uint32_t p : m_rawPositions) {
                putUvarint(m_decimalSection, p - next);
                const auto bits = std::bit_cast<std::uint64_t>(samples[p].v);
                for (int b = 0; b < 8; ++b)
                    m_decimalSection.push_back(static_cast<std::uint8_t>(bits >> (8 * b)));
                next = p + 1;
            }
            if (m_decimalSection.size() <= m_xorSection.size()) {
                useDecimal = true;
                m_layout.decimalValues = true;
                m_layout.exponent = minExp;
                m_layout.mantissas = streamLayout(vplan);
                m_layout.rawValues = static_cast<int>(m_rawPositions.size());
            }
        }
    }
    const std::vector<std::uint8_t>& values = useDecimal ? m_decimalSection : m_xorSection;
    out.insert(out.end(), values.begin(), values.end());
    return Status::ok();
}

Status decodePacked(std::span<const std::uint8_t> data, std::vector<model::Sample>& out) {
    return decodePackedImpl(data, out, nullptr);
}

Status decodePackedRange(std::span<const std::uint8_t> data, model::Timestamp mint,
                         model::Timestamp maxt, std::vector<model::Sample>& out) {
    const std::size_t before = out.size();
    Status s = decodePackedRangeImpl(data, mint, maxt, out);
    if (!s.isOk())
        out.resize(before);
    return s;
}

Result<PackedLayout> inspectPacked(std::span<const std::uint8_t> data) {
    std::vector<model::Sample> samples;
    PackedLayout layout;
    Status s = decodePackedImpl(data, samples, &layout);
    if (!s.isOk())
        return s;
    return layout;
}

}  // namespace vigil::tsdb
