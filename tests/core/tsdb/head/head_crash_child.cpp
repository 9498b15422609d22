// The child process of tst_head_crash (not a test itself): opens the head in
// DIR, appends rounds of samples to 20 series forever, and after each
// commit() prints "ack T" (T = the round's timestamp, every sample's value is
// T). Before each truncate it prints "trunc MINT". The test kills it with
// SIGKILL at random points.
//
// Usage: head_crash_child DIR

#include <cstdio>
#include <string>

#include "core/tsdb/head/head.h"

using namespace vigil;
using namespace vigil::tsdb;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    HeadOptions options;
    options.chunkRange = 100'000;
    options.wal.segmentSize = 128 * 1024;
    auto head = Head::open(Env::posix(), argv[1], options);
    if (!head) {
        std::fprintf(stderr, "open: %s\n", head.status().message().c_str());
        return 1;
    }
    constexpr model::Timestamp kStep = 1000;
    const HeadStats st = (*head)->stats();
    model::Timestamp t = st.series == 0 ? 1'000'000 : st.maxt + kStep;
    std::printf("start %lld\n", static_cast<long long>(t));
    std::fflush(stdout);
    std::vector<model::Labels> series;
    for (int i = 0; i < 20; ++i)
        series.push_back(model::Labels{{"__name__", "crash_test"}, {"i", std::to_string(i)}});
    model::Timestamp truncatedTo = st.series == 0 ? t : st.mint;
    auto app = (*head)->appender();
    for (;; t += kStep) {
        for (const auto& l : series) {
            if (app->append(l, t, static_cast<double>(t)) != model::AppendError::kNone) {
                std::fprintf(stderr, "append refused at %lld\n", static_cast<long long>(t));
                return 1;
            }
        }
        if (Status s = app->commit(); !s) {
            std::fprintf(stderr, "commit: %s\n", s.message().c_str());
            return 1;
        }
        std::printf("ack %lld\n", static_cast<long long>(t));
        std::fflush(stdout);
        // Keep about 200 to 300 rounds: truncate at chunk-range boundaries.
        const model::Timestamp mint = (t - 200 * kStep) / 100'000 * 100'000;
        if (mint > truncatedTo) {
            truncatedTo = mint;
            std::printf("trunc %lld\n", static_cast<long long>(mint));
            std::fflush(stdout);
            if (Status s = (*head)->truncate(mint); !s) {
                std::fprintf(stderr, "truncate: %s\n", s.message().c_str());
                return 1;
            }
        }
    }
}
