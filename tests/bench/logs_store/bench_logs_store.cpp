// bench_logs_store ingest FILE DIR [--sync-every-push] [--encoding zstd|snappy]
//                  [--zstd-level N] [--block-bytes N]
//                                    — loads FILE (one entry per line) into a
//                                      log store in DIR, WAL on, one thread,
//                                      1 MiB pushes (Promtail's batch size);
//                                      the flags override the store's defaults
//                                      for new chunks
// bench_logs_store scan DIR NEEDLE [--no-prefetch]
//                                    — counts lines containing NEEDLE over
//                                      every stream ({job="syslog"} |= NEEDLE);
//                                      --no-prefetch: decompress on the
//                                      scanning thread only
// Prints figures; the runner script (tests/bench/logs_store.sh) adds peak
// RSS and the `grep -c` baseline.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/logs/store/log_store.h"

using namespace vigil;
using namespace vigil::logs;

namespace {

double cpuSeconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// CPU time of the calling thread only: with the prefetch thread, the scan's
// critical path on an otherwise idle machine.
double threadCpuSeconds() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// "Jan  1 00:00:01 web01 nginx[1000]: ..." → "web01".
std::string_view hostOf(std::string_view line) {
    if (line.size() < 17)
        return "unknown";
    std::string_view rest = line.substr(16);
    const std::size_t sp = rest.find(' ');
    return sp == std::string_view::npos ? rest : rest.substr(0, sp);
}

int ingest(const char* file, const char* dir, const store::LogStoreOptions& flags) {
    FILE* in = std::fopen(file, "rb");
    if (!in) {
        std::fprintf(stderr, "cannot open %s\n", file);
        return 1;
    }
    store::LogStoreOptions options = flags;
    options.maxFutureNs = INT64_MAX / 4;
    auto opened = store::LogStore::open(Env::posix(), dir, options, nullptr);
    if (!opened) {
        std::fprintf(stderr, "%s\n", opened.status().message().c_str());
        return 1;
    }
    auto& store = *opened.value();

    const std::int64_t base = 1700000000LL * 1000000000LL;
    std::unordered_map<std::string, std::size_t> streamIndex;
    std::vector<LogStream> batch;
    std::size_t batchBytes = 0;
    std::uint64_t lines = 0, bytes = 0, rejected = 0;
    const double t0 = now(), c0 = cpuSeconds();
    auto flush = [&] {
        auto r = store.push(batch);
        rejected += r.rejected;
        if (r.rejected)
            std::fprintf(stderr, "rejected: %s\n", r.firstError.c_str());
        for (auto& s : batch)
            s.entries.clear();
        batchBytes = 0;
    };
    std::vector<char> buf(8 << 20);
    std::size_t have = 0;
    for (;;) {
        const std::size_t n = std::fread(buf.data() + have, 1, buf.size() - have, in);
        have += n;
        std::size_t pos = 0;
        for (;;) {
            const void* nl = std::memchr(buf.data() + pos, '\n', have - pos);
            if (!nl)
                break;
            const std::size_t end =
                static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
            std::string_view line(buf.data() + pos, end - pos);
            pos = end + 1;
            const std::string_view host = hostOf(line);
            auto it = streamIndex.find(std::string(host));
            if (it == streamIndex.end()) {
                it = streamIndex.emplace(std::string(host), batch.size()).first;
                LogStream s;
                s.labels = model::Labels{{"job", "syslog"}, {"host", host}};
                batch.push_back(std::move(s));
            }
            batch[it->second].entries.push_back(
                {base + static_cast<std::int64_t>(lines) * 100000, std::string(line), {}});
            ++lines;
            bytes += line.size() + 1;
            batchBytes += line.size();
            if (batchBytes >= (1 << 20))  // Promtail's batchsize: 1 MiB
                flush();
        }
        std::memmove(buf.data(), buf.data() + pos, have - pos);
        have -= pos;
        if (n == 0)
            break;
    }
    flush();
    std::fclose(in);
    const double t1 = now(), c1 = cpuSeconds();
    if (Status s = store.close(); !s.isOk()) {
        std::fprintf(stderr, "close: %s\n", s.message().c_str());
        return 1;
    }
    const double t2 = now();
    const auto st = store.stats();
    std::printf(
        "ingest: %llu lines, %.1f MB in %.2f s wall (%.2f s CPU): %.0f lines/s, %.1f MB/s "
        "(per CPU second: %.0f lines/s); close (cut+sync) %.2f s; rejected %llu\n",
        static_cast<unsigned long long>(lines), static_cast<double>(bytes) / 1e6, t1 - t0, c1 - c0,
        static_cast<double>(lines) / (t1 - t0), static_cast<double>(bytes) / 1e6 / (t1 - t0),
        static_cast<double>(lines) / (c1 - c0), t2 - t1, static_cast<unsigned long long>(rejected));
    std::printf(
        "store (%s%s, %zu KiB blocks): %zu streams, %zu chunks in %zu segments, %.1f MB on disk "
        "= 1/%.2f of raw\n",
        store::chunkEncodingName(options.chunkEncoding),
        options.chunkEncoding == store::ChunkEncoding::kZstd
            ? (" level " + std::to_string(options.zstdLevel)).c_str()
            : "",
        options.blockBytes / 1024, st.streams, st.chunks, st.segments,
        static_cast<double>(st.diskBytes) / 1e6,
        static_cast<double>(bytes) / static_cast<double>(st.diskBytes));
    return rejected ? 1 : 0;
}

class CountingVisitor final : public StreamVisitor {
public:
    explicit CountingVisitor(std::string_view needle) : m_needle(needle) {}
    bool beginStream(const model::Labels&) override { return true; }
    bool entry(TimestampNs, std::string_view line) override {
        ++lines;
        bytes += line.size();
        if (::memmem(line.data(), line.size(), m_needle.data(), m_needle.size()) != nullptr)
            ++matches;
        return true;
    }
    std::uint64_t lines = 0, bytes = 0, matches = 0;

private:
    std::string_view m_needle;
};

int scan(const char* dir, const char* needle, bool prefetch) {
    const double t0 = now();
    store::LogStoreOptions options;
    options.scanPrefetch = prefetch;
    auto opened = store::LogStore::open(Env::posix(), dir, options, nullptr);
    if (!opened) {
        std::fprintf(stderr, "%s\n", opened.status().message().c_str());
        return 1;
    }
    const double t1 = now();
    LogSelectParams p;
    p.matchers = {model::Matcher::make(model::MatchType::kEqual, "job", "syslog").value()};
    p.startNs = 0;
    p.endNs = INT64_MAX;
    CountingVisitor v(needle);
    const double c1 = cpuSeconds(), m1 = threadCpuSeconds();
    if (Status s = opened.value()->select(p, v); !s.isOk()) {
        std::fprintf(stderr, "%s\n", s.message().c_str());
        return 1;
    }
    const double t2 = now(), c2 = cpuSeconds(), m2 = threadCpuSeconds();
    std::printf(
        "scan: {job=\"syslog\"} |= \"%s\": %llu matching of %llu lines (%.1f MB) in %.2f s "
        "wall (%.2f s CPU, %.2f s of it on the scanning thread): %.1f M lines/s, %.0f MB/s; "
        "open %.2f s%s\n",
        needle, static_cast<unsigned long long>(v.matches),
        static_cast<unsigned long long>(v.lines), static_cast<double>(v.bytes) / 1e6, t2 - t1,
        c2 - c1, m2 - m1, static_cast<double>(v.lines) / 1e6 / (t2 - t1),
        static_cast<double>(v.bytes) / 1e6 / (t2 - t1), t1 - t0,
        prefetch ? "" : " (no prefetch thread)");
    return 0;
}

int usage() {
    std::fprintf(stderr,
                 "usage: bench_logs_store ingest FILE DIR [--sync-every-push] [--encoding "
                 "zstd|snappy] [--zstd-level N] [--block-bytes N]\n"
                 "       bench_logs_store scan DIR NEEDLE [--no-prefetch]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 4 && std::strcmp(argv[1], "ingest") == 0) {
        store::LogStoreOptions options;
        for (int i = 4; i < argc; ++i) {
            const std::string_view flag = argv[i];
            if (flag == "--sync-every-push") {
                options.syncOnPush = true;
                continue;
            }
            if (i + 1 >= argc)
                return usage();
            const char* value = argv[++i];
            if (flag == "--encoding") {
                const auto encoding = store::parseChunkEncoding(value);
                if (!encoding) {
                    std::fprintf(stderr, "--encoding: '%s' is not one of zstd, snappy\n", value);
                    return 2;
                }
                options.chunkEncoding = *encoding;
            } else if (flag == "--zstd-level") {
                options.zstdLevel = std::atoi(value);
            } else if (flag == "--block-bytes") {
                options.blockBytes = static_cast<std::size_t>(std::atoll(value));
            } else {
                return usage();
            }
        }
        return ingest(argv[2], argv[3], options);
    }
    if ((argc == 4 || (argc == 5 && std::strcmp(argv[4], "--no-prefetch") == 0)) &&
        std::strcmp(argv[1], "scan") == 0)
        return scan(argv[2], argv[3], argc == 4);
    return usage();
}
