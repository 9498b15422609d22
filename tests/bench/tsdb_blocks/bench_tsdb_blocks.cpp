// bench_tsdb_blocks DATA_DIR [SELECTOR] [REPS]
//
// Times a range selector over the whole data dir (default the anchor's Q1
// series, node_load1{instance="host-0000:9100"}) through BlockSet's merging
// block querier: postings lookup, series entry, chunk reads with CRC check,
// decoding, iteration. Reports thread CPU time per query (the VM is shared,
// so CPU time is steadier than wall time), and a full decode of every series
// for throughput.

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/promql/parser.h"
#include "core/tsdb/compact/block_set.h"

using namespace vigil;

namespace {

double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Returns samples read, or -1 on error.
long long runSelect(const tsdb::BlockSet& set, const std::vector<model::Matcher>& matchers,
                    model::Timestamp mint, model::Timestamp maxt, double* checksum) {
    auto q = set.querier(mint, maxt);
    auto ss = q->select(matchers, {});
    if (!ss) {
        std::fprintf(stderr, "select: %s\n", ss.status().message().c_str());
        return -1;
    }
    long long n = 0;
    while ((*ss)->next()) {
        auto it = (*ss)->iterator();
        while (it->next()) {
            *checksum += it->at().v;
            ++n;
        }
        if (!it->status().isOk())
            return -1;
    }
    return (*ss)->status().isOk() ? n : -1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_tsdb_blocks DATA_DIR [SELECTOR] [REPS]\n");
        return 2;
    }
    std::string selector = argc > 2 ? argv[2] : "node_load1{instance=\"host-0000:9100\"}";
    int reps = argc > 3 ? std::atoi(argv[3]) : 500;
    tsdb::BlockSetOptions opt;
    opt.verifyChunks = false;
    double t0 = threadCpuSeconds();
    auto set = tsdb::BlockSet::open(Env::posix(), argv[1], opt);
    if (!set) {
        std::fprintf(stderr, "%s\n", set.status().message().c_str());
        return 1;
    }
    double openCpu = threadCpuSeconds() - t0;
    auto blocks = (*set)->blocks();
    if (blocks.empty()) {
        std::fprintf(stderr, "no blocks in %s\n", argv[1]);
        return 1;
    }
    model::Timestamp mint = blocks.front()->meta().minTime;
    model::Timestamp maxt = blocks.back()->meta().maxTime - 1;
    auto matchers = promql::parseSeriesSelector(selector);
    if (!matchers) {
        std::fprintf(stderr, "%s\n", matchers.status().message().c_str());
        return 2;
    }
    double checksum = 0;
    long long samples = runSelect(**set, *matchers, mint, maxt, &checksum);  // warm-up
    if (samples < 0)
        return 1;
    std::vector<double> times;
    for (int i = 0; i < reps; ++i) {
        double a = threadCpuSeconds();
        if (runSelect(**set, *matchers, mint, maxt, &checksum) != samples)
            return 1;
        times.push_back(threadCpuSeconds() - a);
    }
    std::sort(times.begin(), times.end());
    std::printf("blocks: %zu, open %.1f ms CPU\n", blocks.size(), openCpu * 1e3);
    std::printf(
        "select %s over %.1f h: %lld samples; CPU per query: median %.1f us, p90 %.1f us "
        "(%d reps)\n",
        selector.c_str(), static_cast<double>(maxt - mint + 1) / 3.6e6, samples,
        times[times.size() / 2] * 1e6, times[times.size() * 9 / 10] * 1e6, reps);

    auto all = promql::parseSeriesSelector("{__name__=~\".+\"}");
    double a = threadCpuSeconds();
    long long total = runSelect(**set, *all, mint, maxt, &checksum);
    double cpu = threadCpuSeconds() - a;
    if (total < 0)
        return 1;
    std::printf("full scan: %lld samples in %.3f s CPU = %.1f M samples/s (checksum %g)\n", total,
                cpu, static_cast<double>(total) / cpu / 1e6, checksum);
    return 0;
}
