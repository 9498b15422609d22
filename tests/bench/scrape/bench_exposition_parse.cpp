// Exposition parsing throughput for both parsers.
//
// Builds a ~50 MB page by repeating the captured node_exporter 1.5.0 page with
// a distinct `instance` label per copy (so every series differs), in 0.0.4 and
// in OpenMetrics form, then parses it several times and prints the best MB/s
// and series/s for three levels of work per series:
//   scan    next() + series()/value(): what a scrape loop needs for a cache hit
//   labels  plus every label name and (unescaped) value through forEachLabel,
//           zero-alloc: what a scrape cache lookup or a hash needs
//   build   plus a full model::Labels per series (allocates; a cache miss)
//
// Usage: bench_exposition_parse [target-MB] [node_exporter page]
//        bench_exposition_parse --openmetrics FILE
// The second form parses an OpenMetrics file as it is, e.g. a backfill file
// from ../shared/tools/gen_openmetrics.py (timestamps on every sample), which
// is what `vigilctl tsdb import openmetrics` reads.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "core/model/labels.h"
#include "core/scrape/openmetrics_parser.h"
#include "core/scrape/prom_text_parser.h"

#ifndef VIGIL_SCRAPE_TESTDATA
#define VIGIL_SCRAPE_TESTDATA "tests/core/scrape/testdata"
#endif

using namespace vigil;
using namespace vigil::scrape;

namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// One copy of the page with `instance="host-NNNNN:9100"` added to every series.
void appendCopy(const std::string& page, int copy, bool openMetrics, std::string& out) {
    char instance[64];
    std::snprintf(instance, sizeof(instance), "instance=\"host-%05d:9100\"", copy);
    std::size_t pos = 0;
    while (pos < page.size()) {
        std::size_t eol = page.find('\n', pos);
        if (eol == std::string::npos)
            eol = page.size();
        std::string_view line(page.data() + pos, eol - pos);
        pos = eol + 1;
        if (line.empty())
            continue;
        if (line[0] == '#') {
            if (openMetrics && line.starts_with("# TYPE ") && line.ends_with(" untyped")) {
                out.append(line.substr(0, line.size() - 7));
                out += "unknown\n";
            } else {
                out.append(line);
                out += '\n';
            }
            continue;
        }
        const std::size_t brace = line.find('{');
        if (brace != std::string_view::npos) {
            out.append(line.substr(0, brace + 1));
            out += instance;
            if (line[brace + 1] != '}')
                out += ',';
            out.append(line.substr(brace + 1));
        } else {
            const std::size_t space = line.find(' ');
            out.append(line.substr(0, space));
            out += '{';
            out += instance;
            out += '}';
            out.append(line.substr(space));
        }
        out += '\n';
    }
}

enum class Work { kScan, kLabels, kBuild };

// CPU time of this thread: the figure that holds up on a shared, loaded machine.
double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Run {
    double seconds = 0;
    double cpuSeconds = 0;
    std::size_t series = 0;
    std::uint64_t checksum = 0;
};

template <typename Parser>
Run parseOnce(const std::string& page, Work work) {
    Run run;
    const auto start = std::chrono::steady_clock::now();
    const double cpuStart = threadCpuSeconds();
    Parser parser(page);
    model::LabelsBuilder builder;
    for (;;) {
        Entry e = parser.next();
        if (e == Entry::kEnd)
            break;
        if (e == Entry::kInvalid) {
            std::fprintf(stderr, "parse error: %s\n", parser.status().message().c_str());
            std::exit(1);
        }
        if (e != Entry::kSeries)
            continue;
        ++run.series;
        run.checksum += parser.series().size() + static_cast<std::uint64_t>(parser.value());
        if (work == Work::kLabels) {
            std::uint64_t sum = 0;
            parser.forEachLabel([&](std::string_view name, std::string_view value) {
                sum += name.size() + value.size() + static_cast<unsigned char>(name[0]) +
                       (value.empty() ? 0U : static_cast<unsigned char>(value.back()));
            });
            run.checksum += sum;
        } else if (work == Work::kBuild) {
            builder.reset(model::Labels());
            parser.labels(builder);
            run.checksum += builder.labels().size();
        }
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.cpuSeconds = threadCpuSeconds() - cpuStart;
    return run;
}

template <typename Parser>
void report(const char* name, const std::string& page, Work work, const char* workName) {
    Run best;
    best.cpuSeconds = 1e9;
    for (int i = 0; i < 5; ++i) {
        Run r = parseOnce<Parser>(page, work);
        if (r.cpuSeconds < best.cpuSeconds)
            best = r;
    }
    const double mb = static_cast<double>(page.size()) / 1e6;
    std::printf(
        "%-12s %-7s %8.1f MB/s %12.0f series/s per CPU-second | wall %8.1f MB/s  (%zu "
        "series, %.1f MB, best of 5, checksum %llu)\n",
        name, workName, mb / best.cpuSeconds, static_cast<double>(best.series) / best.cpuSeconds,
        mb / best.seconds, best.series, mb, static_cast<unsigned long long>(best.checksum));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 2 && std::string_view(argv[1]) == "--openmetrics") {
        const std::string file = readFile(argv[2]);
        if (file.empty()) {
            std::fprintf(stderr, "cannot read %s\n", argv[2]);
            return 1;
        }
        std::printf("input: %s (%.1f MB)\n", argv[2], static_cast<double>(file.size()) / 1e6);
        for (auto [work, name] :
             {std::pair{Work::kScan, "scan"}, std::pair{Work::kLabels, "labels"},
              std::pair{Work::kBuild, "build"}})
            report<OpenMetricsParser>("openmetrics", file, work, name);
        return 0;
    }
    const double targetMb = argc > 1 ? std::atof(argv[1]) : 50.0;
    const std::string source =
        argc > 2 ? argv[2] : std::string(VIGIL_SCRAPE_TESTDATA) + "/node_exporter.prom";
    const std::string page = readFile(source);
    if (page.empty()) {
        std::fprintf(stderr, "cannot read %s\n", source.c_str());
        return 1;
    }
    std::string text;
    std::string om;
    const auto target = static_cast<std::size_t>(targetMb * 1e6);
    text.reserve(target + page.size() * 2);
    om.reserve(target + page.size() * 2);
    for (int copy = 0; text.size() < target; ++copy) {
        appendCopy(page, copy, false, text);
        appendCopy(page, copy, true, om);
    }
    om += "# EOF\n";

    std::printf("input: %s repeated to %.1f MB (0.0.4) / %.1f MB (OpenMetrics)\n", source.c_str(),
                static_cast<double>(text.size()) / 1e6, static_cast<double>(om.size()) / 1e6);
    for (auto [work, name] : {std::pair{Work::kScan, "scan"}, std::pair{Work::kLabels, "labels"},
                              std::pair{Work::kBuild, "build"}}) {
        report<PromTextParser>("text-0.0.4", text, work, name);
        report<OpenMetricsParser>("openmetrics", om, work, name);
    }
    return 0;
}
