// bench_pipeline LINES REPEAT [PIPELINE.yml [syslog|access|json]]: runs LINES synthetic log lines
// through pipelines as a file tailer does (one Entry per line with the source's labels, process()
// into a reused output vector) and prints the best of REPEAT runs in lines/s, single thread.
//   empty          no stages (the cost of the Entry itself)
//   syslog preset  RFC 3164 lines (resources/logs/pipelines/syslog.yml)
//   regex+ts+labels  an access-log regex, a Go-layout timestamp, two labels
// With PIPELINE.yml, only that pipeline file runs, over the given kind of
// synthetic lines (default syslog).

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/config/config_errors.h"
#include "core/logs/pipeline/pipeline.h"
#include "core/logs/pipeline/presets.h"

using namespace vigil;
using namespace vigil::logs::pipeline;

namespace {

std::vector<std::string> syslogLines(long n) {
    std::mt19937_64 rng(42);
    const char* months[] = {"Mar", "Apr", "May", "Jun"};
    const char* hosts[] = {"web-1", "web-2", "db-1", "cache-1"};
    const char* apps[] = {"sshd", "nginx", "postgres", "kernel", "cron", "systemd"};
    std::vector<std::string> lines;
    lines.reserve(static_cast<std::size_t>(n));
    char buf[512];
    for (long i = 0; i < n; ++i) {
        const int day = static_cast<int>(rng() % 28) + 1;
        std::snprintf(
            buf, sizeof buf,
            "%s %2d %02d:%02d:%02d %s %s[%d]: session %lu opened for user u%lu by (uid=0) "
            "from 10.0.%lu.%lu port %lu",
            months[rng() % 4], day, static_cast<int>(rng() % 24), static_cast<int>(rng() % 60),
            static_cast<int>(rng() % 60), hosts[rng() % 4], apps[rng() % 6],
            static_cast<int>(rng() % 30000), rng() % 100000, rng() % 500, rng() % 256, rng() % 256,
            1024 + rng() % 60000);
        lines.emplace_back(buf);
    }
    return lines;
}

std::vector<std::string> jsonLines(long n) {
    std::mt19937_64 rng(9);
    const char* levels[] = {"debug", "info", "info", "warn", "error"};
    std::vector<std::string> lines;
    lines.reserve(static_cast<std::size_t>(n));
    char buf[512];
    for (long i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf,
                      "{\"time\":\"2024-03-05T10:%02lu:%02lu.%03luZ\",\"level\":\"%s\",\"msg\":"
                      "\"request served\",\"path\":\"/api/v1/item/%lu\",\"status\":%d,"
                      "\"duration_ms\":%lu}",
                      rng() % 60, rng() % 60, rng() % 1000, levels[rng() % 5], rng() % 1000,
                      rng() % 2 ? 200 : 500, rng() % 2000);
        lines.emplace_back(buf);
    }
    return lines;
}

std::vector<std::string> accessLines(long n) {
    std::mt19937_64 rng(7);
    const char* methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
    const int statuses[] = {200, 200, 200, 201, 304, 404, 500};
    std::vector<std::string> lines;
    lines.reserve(static_cast<std::size_t>(n));
    char buf[512];
    for (long i = 0; i < n; ++i) {
        std::snprintf(
            buf, sizeof buf,
            "10.1.%lu.%lu - - [%02lu/Mar/2024:%02lu:%02lu:%02lu +0000] \"%s /api/v1/item/%lu "
            "HTTP/1.1\" %d %lu \"-\" \"Mozilla/5.0\"",
            rng() % 256, rng() % 256, 1 + rng() % 28, rng() % 24, rng() % 60, rng() % 60,
            methods[rng() % 6], rng() % 1000, statuses[rng() % 7], rng() % 100000);
        lines.emplace_back(buf);
    }
    return lines;
}

double run(Pipeline& p, const std::vector<std::string>& lines, int repeat, std::size_t* outCount) {
    const std::map<std::string, std::string> labels{{"job", "bench"},
                                                    {"filename", "/var/log/x.log"}};
    double best = 0;
    std::vector<Entry> out;
    out.reserve(1024);
    for (int r = 0; r < repeat; ++r) {
        std::size_t count = 0;
        const auto t0 = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < lines.size(); ++i) {
            p.process(Entry{labels, {}, static_cast<logs::TimestampNs>(i), lines[i], {}}, out);
            if (out.size() >= 1024) {
                count += out.size();
                out.clear();
            }
        }
        p.flush(0, true, out);
        count += out.size();
        out.clear();
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, static_cast<double>(lines.size()) / s);
        *outCount = count;
    }
    return best;
}

std::unique_ptr<Pipeline> parse(const char* yaml) {
    config::ConfigErrors errors("bench");
    auto p = parsePipeline(YAML::Load(yaml), "pipeline_stages", errors);
    if (!p) {
        std::fprintf(stderr, "%s\n", errors.toStatus().message().c_str());
        std::exit(1);
    }
    return p;
}

}  // namespace

int main(int argc, char** argv) {
    const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
    const int repeat = argc > 2 ? std::atoi(argv[2]) : 3;
    const auto syslog = syslogLines(n);
    const auto access = accessLines(n);

    std::size_t outCount = 0;
    if (argc > 3) {
        auto file = loadPipelineFile(argv[3]);
        if (!file.isOk()) {
            std::fprintf(stderr, "%s\n", file.status().message().c_str());
            return 1;
        }
        const std::string kind = argc > 4 ? argv[4] : "syslog";
        const auto input = kind == "json" ? jsonLines(n) : kind == "access" ? access : syslog;
        const double v = run(*file.value(), input, repeat, &outCount);
        std::printf("%-22s %12.0f %10zu\n", argv[3], v, outCount);
        return 0;
    }
    auto empty = emptyPipeline();
    auto preset = loadPreset("syslog");
    if (!preset.isOk()) {
        std::fprintf(stderr, "%s\n", preset.status().message().c_str());
        return 1;
    }
    auto custom = parse(
        "- regex:\n"
        "    expression: '^\\S+ \\S+ \\S+ \\[(?P<time>[^\\]]+)\\] \"(?P<method>[A-Z]+) [^\"]*\" "
        "(?P<status>\\d{3}) '\n"
        "- timestamp: {source: time, format: '02/Jan/2006:15:04:05 -0700'}\n"
        "- labels: {method: , status: }\n");

    std::printf("%-22s %12s %10s\n", "pipeline", "lines/s", "entries");
    double v = run(*empty, syslog, repeat, &outCount);
    std::printf("%-22s %12.0f %10zu\n", "empty", v, outCount);
    v = run(*preset.value(), syslog, repeat, &outCount);
    std::printf("%-22s %12.0f %10zu\n", "syslog preset", v, outCount);
    v = run(*custom, access, repeat, &outCount);
    std::printf("%-22s %12.0f %10zu\n", "regex+timestamp+labels", v, outCount);
    return 0;
}
