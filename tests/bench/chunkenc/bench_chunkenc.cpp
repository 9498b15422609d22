// Measures the chunk encodings on realistic data.
//
//   python3 ../shared/tools/gen_openmetrics.py --hosts 8 --hours 6 -o data.om
//   bench_chunkenc data.om [samples-per-chunk=120]
//
// Groups the file's samples by series, cuts each series into chunks, encodes
// every chunk as XOR (Prometheus's head/disk format) and as packed (Vigil's
// sealed format), checks that both decode bit-exactly, and prints bytes per
// sample per metric family and overall, plus encode/decode throughput.
// "framed" adds what a Prometheus chunk file spends per chunk besides the
// chunk bytes (uvarint length, encoding byte, CRC32), which is what the anchor
// figure (3.06 B/sample) measures.

#include <snappy.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/sample.h"
#include "core/tsdb/chunkenc/bstream.h"
#include "core/tsdb/chunkenc/chunk.h"
#include "core/tsdb/chunkenc/packed_chunk.h"
#include "core/tsdb/chunkenc/xor_chunk.h"

using vigil::model::Sample;
namespace tsdb = vigil::tsdb;

namespace {

struct Series {
    std::string family;
    std::vector<Sample> samples;
};

struct Totals {
    std::size_t samples = 0;
    std::size_t chunks = 0;
    std::size_t xorBytes = 0;
    std::size_t packedBytes = 0;
    std::size_t packedSnappyBytes = 0;  // per chunk: min(packed, 1 + snappy(packed))
    std::size_t xorSnappyBytes = 0;
    std::size_t decimalChunks = 0;
};

std::size_t framing(std::size_t chunkBytes) {
    return static_cast<std::size_t>(tsdb::uvarintLen(chunkBytes)) + 1 + 4;
}

// name{labels} value timestamp-in-seconds
bool parseLine(std::string_view line, std::string_view& key, std::string_view& family, Sample& s) {
    const auto sp2 = line.rfind(' ');
    if (sp2 == std::string_view::npos || sp2 == 0)
        return false;
    const auto sp1 = line.rfind(' ', sp2 - 1);
    if (sp1 == std::string_view::npos)
        return false;
    key = line.substr(0, sp1);
    family = key.substr(0, std::min(key.find('{'), key.size()));
    const std::string value(line.substr(sp1 + 1, sp2 - sp1 - 1));
    const std::string ts(line.substr(sp2 + 1));
    char* end = nullptr;
    s.v = std::strtod(value.c_str(), &end);
    if (end == value.c_str())
        return false;
    const double secs = std::strtod(ts.c_str(), &end);
    if (end == ts.c_str())
        return false;
    s.t = std::llround(secs * 1000.0);
    return true;
}

// Thread CPU time: the machine is shared, and CPU time is much steadier than
// wall time when other jobs compete for the cores.
struct CpuClock {
    using duration = std::chrono::nanoseconds;
    using time_point = std::chrono::time_point<CpuClock>;
    static time_point now() {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
    }
};

double seconds(CpuClock::duration d) {
    return std::chrono::duration<double>(d).count();
}

bool sameBits(const Sample& a, const Sample& b) {
    return a.t == b.t && std::bit_cast<std::uint64_t>(a.v) == std::bit_cast<std::uint64_t>(b.v);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s data.om [samples-per-chunk]\n", argv[0]);
        return 2;
    }
    const std::size_t perChunk = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 120;
    if (perChunk < 1 || perChunk > tsdb::kMaxPackedSamples) {
        std::fprintf(stderr, "samples-per-chunk must be 1..%zu\n", tsdb::kMaxPackedSamples);
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::fprintf(stderr, "%s: cannot open\n", argv[1]);
        return 1;
    }
    std::unordered_map<std::string, std::size_t> index;
    std::vector<Series> series;
    std::string line;
    std::size_t lineNo = 0;
    std::size_t total = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.empty() || line[0] == '#')
            continue;
        std::string_view key;
        std::string_view family;
        Sample s;
        if (!parseLine(line, key, family, s)) {
            std::fprintf(stderr, "%s:%zu: cannot parse sample line\n", argv[1], lineNo);
            return 1;
        }
        auto [it, inserted] = index.try_emplace(std::string(key), series.size());
        if (inserted)
            series.push_back(Series{std::string(family), {}});
        series[it->second].samples.push_back(s);
        ++total;
    }
    std::printf("%s: %zu series, %zu samples, %zu samples per chunk\n", argv[1], series.size(),
                total, perChunk);

    std::map<std::string, Totals> byFamily;
    Totals all;
    std::vector<std::vector<std::uint8_t>> xorChunks;
    std::vector<std::vector<std::uint8_t>> packedChunks;
    std::string compressed;
    tsdb::PackedEncoder encoder;

    CpuClock::duration xorEnc{};
    CpuClock::duration packedEnc{};
    for (const Series& s : series) {
        Totals& fam = byFamily[s.family];
        for (std::size_t off = 0; off < s.samples.size(); off += perChunk) {
            const std::size_t n = std::min(perChunk, s.samples.size() - off);
            const std::span<const Sample> chunk(s.samples.data() + off, n);

            auto t0 = CpuClock::now();
            tsdb::XorChunk x;
            for (const Sample& smp : chunk)
                x.append(smp.t, smp.v);
            auto t1 = CpuClock::now();
            std::vector<std::uint8_t> packed;
            if (!encoder.encode(chunk, packed).isOk())
                return 1;  // cannot happen: 1 <= n <= kMaxPackedSamples
            auto t2 = CpuClock::now();
            xorEnc += t1 - t0;
            packedEnc += t2 - t1;

            const auto xb = x.bytes();
            snappy::Compress(reinterpret_cast<const char*>(packed.data()), packed.size(),
                             &compressed);
            const std::size_t ps = std::min(packed.size(), 1 + compressed.size());
            snappy::Compress(reinterpret_cast<const char*>(xb.data()), xb.size(), &compressed);
            const std::size_t xs = std::min(xb.size(), 1 + compressed.size());
            for (Totals* t : {&fam, &all}) {
                t->samples += n;
                t->chunks += 1;
                t->xorBytes += xb.size();
                t->packedBytes += packed.size();
                t->packedSnappyBytes += ps;
                t->xorSnappyBytes += xs;
                t->decimalChunks += encoder.lastLayout().decimalValues ? 1 : 0;
            }
            xorChunks.emplace_back(xb.begin(), xb.end());
            packedChunks.push_back(std::move(packed));
        }
    }

    // Decode everything, timing each encoding separately, then verify.
    std::vector<Sample> xorOut;
    std::vector<Sample> packedOut;
    xorOut.reserve(total);
    packedOut.reserve(total);
    auto t0 = CpuClock::now();
    for (const auto& c : xorChunks) {
        if (!tsdb::decodeSamples(tsdb::Encoding::kXor, c, xorOut).isOk()) {
            std::fprintf(stderr, "XOR decode failed\n");
            return 1;
        }
    }
    auto t1 = CpuClock::now();
    for (const auto& c : packedChunks) {
        vigil::Status st = tsdb::decodeSamples(tsdb::Encoding::kPacked, c, packedOut);
        if (!st.isOk()) {
            std::fprintf(stderr, "packed decode failed: %s\n", st.message().c_str());
            return 1;
        }
    }
    auto t2 = CpuClock::now();
    std::size_t k = 0;
    for (const Series& s : series) {
        for (const Sample& smp : s.samples) {
            if (!sameBits(smp, xorOut[k]) || !sameBits(smp, packedOut[k])) {
                std::fprintf(stderr, "round trip mismatch at sample %zu\n", k);
                return 1;
            }
            ++k;
        }
    }
    std::printf("round trip: all %zu samples bit-exact in both encodings\n\n", k);

    auto row = [](const std::string& name, const Totals& t) {
        const double n = static_cast<double>(t.samples);
        std::printf("%-34s %9zu %7.3f %7.3f %7.3f %7.3f %7.3f %6.1f%%\n", name.c_str(), t.samples,
                    static_cast<double>(t.xorBytes) / n, static_cast<double>(t.packedBytes) / n,
                    static_cast<double>(t.xorSnappyBytes) / n,
                    static_cast<double>(t.packedSnappyBytes) / n,
                    static_cast<double>(t.packedBytes) / static_cast<double>(t.xorBytes),
                    100.0 * static_cast<double>(t.decimalChunks) / static_cast<double>(t.chunks));
    };
    std::printf("bytes/sample (chunk bytes only)\n");
    std::printf("%-34s %9s %7s %7s %7s %7s %7s %7s\n", "family", "samples", "xor", "packed",
                "xor+sz", "pk+sz", "pk/xor", "decimal");
    for (const auto& [name, t] : byFamily)
        row(name, t);
    row("ALL", all);

    std::size_t xorFramed = 0;
    std::size_t packedFramed = 0;
    for (const auto& c : xorChunks)
        xorFramed += c.size() + framing(c.size());
    for (const auto& c : packedChunks)
        packedFramed += c.size() + framing(c.size());
    const double n = static_cast<double>(total);
    std::printf("\nframed like a chunk file (+uvarint len, encoding byte, CRC32 per chunk):\n");
    std::printf("  xor    %.3f B/sample\n  packed %.3f B/sample\n",
                static_cast<double>(xorFramed) / n, static_cast<double>(packedFramed) / n);

    std::printf("\nthroughput (single thread, per CPU-second):\n");
    std::printf("  xor    encode %6.1f M samples/s   decode %6.1f M samples/s\n",
                n / seconds(xorEnc) / 1e6, n / seconds(t1 - t0) / 1e6);
    std::printf("  packed encode %6.1f M samples/s   decode %6.1f M samples/s\n",
                n / seconds(packedEnc) / 1e6, n / seconds(t2 - t1) / 1e6);
    return 0;
}
